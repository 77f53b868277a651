/* The HetRec 2011 Last.fm files as raw tables.  SPDX-License-Identifier: MIT
 *
 * Each reader checks what one row of one file can show on its own: field
 * count, numbers, ranges (zero play counts, months), encodings.  Checks
 * across rows and files (duplicates, unknown IDs) and every processing
 * policy belong to lib/data/build.c, which names the file and line through
 * the path kept here and lr__tsv_row_line(row).
 *
 * Tables are columns, one array per field, in file order.  The in-memory
 * builder (lib/data/builder.c) fills the same tables from its callers'
 * arrays and sets `elements`, so that lib/data/build.c names a row as
 * "element i" (from 0, in the order added) instead of a line of a file.
 */
#ifndef LR_INGEST_HETREC_H
#define LR_INGEST_HETREC_H

#include "lastrec.h"
#include "ingest/tsv.h"

#include <stddef.h>
#include <stdint.h>

/* An ID with a text: artists.dat (id, name) or tags.dat (tagID, tagValue). */
typedef struct lr__raw_named {
    char *path;
    int elements;       /* rows are a builder's elements, not lines */
    size_t n;
    int32_t *id;
    int64_t *name;      /* offsets into names.data */
    lr__blob names;
} lr__raw_named;

/* user_artists.dat, or any file in its format. */
typedef struct lr__raw_listens {
    char *path;
    int elements;       /* rows are a builder's elements, not lines */
    size_t n;
    int32_t *user, *artist, *weight;
} lr__raw_listens;

/* user_friends.dat. */
typedef struct lr__raw_friends {
    char *path;
    int elements;       /* rows are a builder's elements, not lines */
    size_t n;
    int32_t *user, *friend_id;
} lr__raw_friends;

/* user_taggedartists.dat (time from year and month) or
 * user_taggedartists-timestamps.dat (time as given). */
typedef struct lr__raw_uses {
    char *path;
    int elements;       /* rows are a builder's elements, not lines */
    size_t n;
    int32_t *user, *artist, *tag;
    int64_t *time_ms;
} lr__raw_uses;

/* A whole HetRec directory. */
typedef struct lr__hetrec {
    char *dir;
    lr__raw_named artists, tags;
    lr__raw_listens listens;
    lr__raw_friends friends;
    lr__raw_uses uses;
    lr__raw_uses times;     /* n == 0 and path NULL when the file is absent */
    uint64_t latin1_fixes;  /* in artist and tag names */
    int kind;               /* lr_source_kind of the dataset; 0 = LR_SOURCE_HETREC */
    const char *listens_name; /* what friends' and tag uses' users must be in;
                                 NULL = LR_HETREC_LISTENS */
    const char *tags_name;  /* what tag uses' tags must be in; NULL = LR_HETREC_TAGS */
} lr__hetrec;

/* File names inside a HetRec directory. */
#define LR_HETREC_ARTISTS "artists.dat"
#define LR_HETREC_TAGS "tags.dat"
#define LR_HETREC_LISTENS "user_artists.dat"
#define LR_HETREC_FRIENDS "user_friends.dat"
#define LR_HETREC_USES "user_taggedartists.dat"
#define LR_HETREC_TIMES "user_taggedartists-timestamps.dat"

/* Read every file of the directory (the timestamps file when present),
 * reporting progress per file.  On failure h is freed. */
int lr__hetrec_read(lr__hetrec *h, const char *dir, const lr_options *opts);
void lr__hetrec_free(lr__hetrec *h);

/* Read one file in user_artists.dat format.  On failure l is freed. */
int lr__hetrec_read_listens(lr__raw_listens *l, const char *path,
                            const lr_options *opts);
void lr__raw_listens_free(lr__raw_listens *l);

/* Milliseconds since 1970-01-01 00:00 UTC of a proleptic Gregorian date,
 * without the C library's time zones. */
int64_t lr__civil_ms(int64_t year, int month, int day);

#endif
