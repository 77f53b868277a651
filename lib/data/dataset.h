/* The dataset behind lr_dataset.  SPDX-License-Identifier: MIT
 *
 * A dataset holds primary data (ID maps, names, listens by user, kept tag
 * uses, friend pairs, processing counters) and derived data (listens by
 * artist, per-artist and per-user statistics, tag tables) that
 * lr__dataset_derive() computes from the primary part.  Every producer —
 * the HetRec loader, the listens loader, the snapshot reader, the synthetic
 * generator, the splitter — fills the primary part and calls derive, so
 * there is one place where statistics are computed.
 *
 * All indices are dense (0-based, in order of ascending external ID);
 * external IDs appear only in the *_ids arrays.
 */
#ifndef LR_DATA_DATASET_H
#define LR_DATA_DATASET_H

#include "lastrec.h"
#include "data/sparse.h"

/* A table of n NUL-terminated strings in one blob: string i starts at
 * blob + off[i]; off has n + 1 entries, off[n] = bytes used. */
typedef struct lr__strtab {
    int32_t n;
    int64_t *off;
    char *blob;
} lr__strtab;

static inline const char *lr__strtab_get(const lr__strtab *t, int32_t i)
{
    return t->blob + t->off[i];
}

/* One kept tag assignment, dense indices. */
typedef struct lr__tag_use {
    int32_t user, artist, tag;
    int64_t time_ms; /* milliseconds since 1970-01-01 UTC */
} lr__tag_use;

/* Counters of what loading and processing did (lr_count). */
typedef struct lr__ds_report {
    int64_t tags_in_file;
    int64_t tags_dropped;          /* tags in tags.dat that are not kept */
    int64_t tag_uses_in_file;
    int64_t tag_uses_unlistened;   /* dropped: artist nobody listened to */
    int64_t artists_unlistened;    /* distinct such artists */
    int64_t tag_uses_rare;         /* dropped with a tag used <= min_tag_uses times */
    int64_t friend_rows;
    int64_t friend_rows_one_way;   /* rows without their reverse row */
    int64_t latin1_fixes;
    int64_t timestamps_merged;
    int64_t min_tag_uses;
    int64_t tag_uses_held_out;     /* dropped from a split's training side: their
                                      (user, artist) pair is held out */
    /* lastfm-360K (docs/formats.md); kept by snapshots since format
     * version 2 */
    int64_t rows_summed;
    int64_t spellings_merged;
    int64_t bad_lines_skipped;
    int64_t profiles;
} lr__ds_report;

struct lr_dataset {
    int kind;                /* enum lr_source_kind */
    char *source;            /* path or description, for messages */

    /* ---- primary ---- */
    int32_t n_users, n_artists, n_tags;
    int32_t *user_ids;       /* [n_users] ascending external IDs */
    int32_t *artist_ids;     /* [n_artists] ascending */
    int32_t *tag_ids;        /* [n_tags] ascending, kept tags only */
    lr__strtab artist_names; /* [n_artists], UTF-8 (repaired) */
    lr__strtab tag_names;    /* [n_tags], CamelCase */
    lr__csr listens;         /* n_users x n_artists, val = listen count */
    lr__tag_use *tag_uses;   /* [n_tag_uses] sorted by (user, artist, tag, time) */
    int64_t n_tag_uses;
    lr__csr friends;         /* n_users x n_users pattern, symmetric, no diagonal */
    lr__ds_report report;
    lr__strtab user_keys;    /* [n_users] or n = 0: the users' keys in their
                                files (lastfm-360K SHA-1s), by dense index */

    /* ---- derived (lr__dataset_derive) ---- */
    lr__csr by_artist;       /* n_artists x n_users, val = listen count */
    double *user_total;      /* [n_users] sum of listen counts */
    double *artist_total;    /* [n_artists] */
    lr__csr artist_tags;     /* n_artists x n_tags, val = uses (kept) */
    lr__csr user_tags;       /* n_users x n_tags, val = uses */
    int32_t *artist_top_tag; /* [n_artists] tag index (mode, ties to lower ID), -1 none */
    int32_t *user_top_tag;   /* [n_users] */
};

/* A zeroed dataset; NULL on out of memory. */
lr_dataset *lr__dataset_alloc(int kind, const char *source);

/* Compute every derived field from the primary ones (replacing any old
 * derived data).  Fails only on out of memory. */
int lr__dataset_derive(lr_dataset *ds);

/* Copy the catalogue (kind aside: ID maps, names, tag uses, friends,
 * report) into a new dataset without listens; the caller sets listens and
 * derives.  Used by splits and by loading listens against a catalogue. */
int lr__dataset_copy_catalogue(lr_dataset **out, const lr_dataset *src, int kind,
                               const char *source);

/* Dense index of an external ID, or -1 (binary search). */
int32_t lr__index_of(const int32_t *ids, int32_t n, int32_t id);
static inline int32_t lr__user_index(const lr_dataset *ds, int32_t id)
{ return lr__index_of(ds->user_ids, ds->n_users, id); }
static inline int32_t lr__artist_index(const lr_dataset *ds, int32_t id)
{ return lr__index_of(ds->artist_ids, ds->n_artists, id); }
static inline int32_t lr__tag_index(const lr_dataset *ds, int32_t id)
{ return lr__index_of(ds->tag_ids, ds->n_tags, id); }

/* The order of ds->tag_uses: (user, artist, tag, time).  A qsort
 * comparator. */
int lr__tag_use_cmp(const void *a, const void *b);

/* Kept tag uses of (user u, artist a), a range of ds->tag_uses. */
int64_t lr__dataset_ua_tags(const lr_dataset *ds, int32_t u, int32_t a,
                            const lr__tag_use **first);

/* String tables. */
int lr__strtab_from_array(lr__strtab *t, char *const *strs, int32_t n);
int lr__strtab_copy(lr__strtab *out, const lr__strtab *t);
void lr__strtab_free(lr__strtab *t);

/* CamelCase tag name: words split on spaces, hyphens and underscores, each
 * word's first letter upper-cased (ASCII only, other letters kept):
 * "hip hop" -> "HipHop", "post-rock" -> "PostRock".  NULL on out of memory. */
char *lr__camel_case(const char *name);

/* Tags that display alike are one tag for display and counting: "hip hop"
 * and "hip-hop" are both "HipHop", and "hiphop" ("Hiphop") differs only in
 * case (the rule by which queries match a tag name).  canon[t] (n_tags
 * entries) receives the tag that stands for t's group: the group's most
 * used (lower index on ties).  The dataset's tags stay as the files have
 * them.  LR_OK or LR_E_NOMEM. */
int lr__tag_display_canon(const lr_dataset *ds, int32_t *canon);

#endif
