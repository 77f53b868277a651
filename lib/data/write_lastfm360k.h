/* A dataset written as lastfm-360K files, with the real files' quirks
 * planted and counted.  SPDX-License-Identifier: MIT */
#ifndef LR_DATA_WRITE_LASTFM360K_H
#define LR_DATA_WRITE_LASTFM360K_H

#include "data/dataset.h"

#include <stdint.h>

typedef struct lr__l360_params {
    uint64_t seed;
    int quirks;          /* plant spellings, split rows, non-ASCII names */
    int64_t bad_lines;   /* malformed lines to plant */
} lr__l360_params;

/* What was written, so that tests can assert what a load must count. */
typedef struct lr__l360_planted {
    int64_t rows;            /* good rows of the plays file */
    int64_t rows_split;      /* listens written as two rows (LR_COUNT_ROWS_SUMMED) */
    int64_t spellings;       /* second spellings (LR_COUNT_SPELLINGS_MERGED) */
    int64_t spellings_no_mbid; /* of them, names without the artist's MBID */
    int64_t no_mbid;         /* artists written without an MBID */
    int64_t renamed;         /* artists given a non-ASCII name */
    int64_t bad_lines;       /* malformed lines */
    int64_t profiles;        /* rows of the profile file */
} lr__l360_planted;

/* Write LR_360K_PLAYS and LR_360K_PROFILE into dir (created if missing),
 * each through lr__afile.  docs/formats.md lists the quirks.  planted may
 * be NULL. */
int lr__write_lastfm360k(const lr_dataset *ds, const char *dir, const lr__l360_params *p,
                         lr__l360_planted *planted);

#endif
