/* Streamed reading of HetRec-format files for liblastrec-mpi (listens.c).
 * SPDX-License-Identifier: MIT */
#ifndef LR_MPI_LISTENS_H
#define LR_MPI_LISTENS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define LM_MAX_FIELDS 8

/* One file, one line at a time. */
typedef struct lm_reader {
    const char *path;          /* borrowed, for messages */
    const char *const *names;  /* borrowed column names */
    int nfields;
    size_t max_line;
    FILE *f;                   /* owned */
    char *line;                /* owned: the current line, split in place */
    size_t cap;
    uint64_t lineno;           /* of the current row */
    uint64_t blank;            /* first blank line seen, 0 = none */
    char *field[LM_MAX_FIELDS]; /* into line */
} lm_reader;

/* Open path and check its header; on failure r needs no close. */
int lm_open(lm_reader *r, const char *path, const char *const *names, int nfields,
            size_t max_line);
/* 1 for a row (r->field), 0 at the end, a negative status on bad input. */
int lm_next(lm_reader *r);
/* Field i as a non-negative int32. */
int lm_int(const lm_reader *r, int i, int32_t *out);
void lm_close(lm_reader *r);

/* A set of IDs, gathered in any order, then sorted: dense index = rank. */
typedef struct lm_ids {
    int32_t *v; /* owned */
    size_t n, cap;
} lm_ids;

int lm_ids_add(lm_ids *s, int32_t id);
/* Sort and drop repeats: v[0..n) ascending. */
void lm_ids_finish(lm_ids *s);
/* Dense index of id in a finished set, or -1. */
int32_t lm_ids_find(const lm_ids *s, int32_t id);
void lm_ids_free(lm_ids *s);

#endif
