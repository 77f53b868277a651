/* The lastfm-360K files as the raw tables of the HetRec reader.
 * SPDX-License-Identifier: MIT
 *
 * usersha1-artmbid-artname-plays.tsv (user SHA-1, artist MusicBrainz ID
 * or nothing, artist name, plays; no header) is read in blocks, never
 * whole, and reduced while it is read to what a dataset keeps: users and
 * artists get dense IDs and listens are summed per (user, artist), so that
 * memory is about the dataset's plus the hash tables of the keys.  The
 * result fills an lr__hetrec (artists and listens, no tags or friends)
 * for lib/data/build.c, the processing every source shares.
 * docs/formats.md is the policy: keys, merging, bad lines.
 */
#ifndef LR_INGEST_LASTFM360K_H
#define LR_INGEST_LASTFM360K_H

#include "lastrec.h"
#include "ingest/hetrec.h"

#include <stddef.h>
#include <stdint.h>

#define LR_360K_PLAYS "usersha1-artmbid-artname-plays.tsv"
#define LR_360K_PROFILE "usersha1-profile.tsv"

/* A user key: 40 lower-case hex digits and a NUL. */
#define LR_360K_KEY 41

typedef struct lr__lastfm360k {
    lr__hetrec h;          /* artists (IDs 1..M) and listens (users 1..N) */
    char *keys;            /* owned; [n_users * LR_360K_KEY]: user ID i + 1's key at
                              LR_360K_KEY * i */
    int32_t n_users;
    int64_t rows_summed;       /* rows whose (user, artist) came before */
    int64_t spellings_merged;  /* distinct (MBID, name) spellings - artists */
    int64_t bad_lines;         /* skipped under LR_OPT_SKIP_BAD_LINES */
    int64_t profiles;          /* rows of the profile file */
} lr__lastfm360k;

/* path: a directory holding LR_360K_PLAYS (and, optionally,
 * LR_360K_PROFILE) or a file in the plays format (the profile beside it is
 * then read when the file is named LR_360K_PLAYS).  LR_OPT_MAX_LINE,
 * LR_OPT_SKIP_BAD_LINES and the progress callback apply.  On failure r is
 * freed. */
int lr__lastfm360k_read(lr__lastfm360k *r, const char *path, const lr_options *opts);
void lr__lastfm360k_free(lr__lastfm360k *r);

/* 1 when the first bytes of a file look like a plays row: 40 hex digits
 * and a tab. */
int lr__lastfm360k_sniff(const char *head, size_t n);

/* 1 for a directory holding LR_360K_PLAYS, and for a regular file whose
 * first row (after a UTF-8 byte-order mark) looks like one of its rows: no
 * other format starts with 40 hex digits and a tab.  lr_dataset_load and
 * lastrec-mpi tell the format apart by these. */
int lr__lastfm360k_dir(const char *dir);
int lr__lastfm360k_file(const char *path);

/* The key an artist without an MBID is known by (docs/formats.md):
 * leading and trailing white space dropped, inner runs made one space,
 * letters of ASCII, Latin-1, Greek and Cyrillic lower-cased.  s is valid
 * UTF-8 of n bytes; out has room for n + 1 bytes (the key is never
 * longer); returns the key's length. */
size_t lr__artist_key(const char *s, size_t n, char *out);

#endif
