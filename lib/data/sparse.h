/* Compressed sparse rows: listens by user (CSR) and, as the CSR of the
 * transpose, by artist (CSC).  32-bit indices, 64-bit offsets.
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_SPARSE_H
#define LR_DATA_SPARSE_H

#include <stddef.h>
#include <stdint.h>

typedef struct lr__csr {
    int32_t rows, cols;
    int64_t nnz;
    int64_t *ptr; /* rows + 1 offsets; row r is [ptr[r], ptr[r+1]) */
    int32_t *idx; /* nnz column indices, ascending within a row */
    float *val;   /* nnz values, or NULL for a pattern-only matrix */
} lr__csr;

typedef struct lr__triplet {
    int32_t row, col;
    float val;
} lr__triplet;

/* Build from triplets in any order.  Indices must be in range (checked:
 * LR_E_INVALID).  Duplicate (row, col) pairs are an error LR_E_DUPLICATE
 * whose message names the pair; *dup_at (may be NULL) receives the index in
 * t of the later duplicate.  with_values 0 makes a pattern-only matrix. */
int lr__csr_from_triplets(lr__csr *m, int32_t rows, int32_t cols,
                          const lr__triplet *t, size_t n, int with_values,
                          size_t *dup_at);

/* Count pairs: entry (r[i], c[i]) of the result is the number of times the
 * pair occurs (as a float).  Indices must be in range (LR_E_INVALID). */
int lr__csr_count_pairs(lr__csr *m, int32_t rows, int32_t cols,
                        const int32_t *r, const int32_t *c, size_t n);

/* The transpose (so CSC of m as CSR); values are carried when present. */
int lr__csr_transpose(lr__csr *out, const lr__csr *m);

/* A deep copy. */
int lr__csr_copy(lr__csr *out, const lr__csr *m);

void lr__csr_free(lr__csr *m);

/* Row access: *idx / *val point into m (val NULL for pattern-only). */
static inline int64_t lr__csr_row(const lr__csr *m, int32_t r,
                                  const int32_t **idx, const float **val)
{
    int64_t b = m->ptr[r];
    *idx = m->idx + b;
    if (val)
        *val = m->val ? m->val + b : NULL;
    return m->ptr[r + 1] - b;
}

/* Position of column c in row r, or -1. Binary search. */
int64_t lr__csr_find(const lr__csr *m, int32_t r, int32_t c);

/* The dot product of rows a and b of m (which has values), summed in
 * double in column order. */
double lr__csr_rows_dot(const lr__csr *m, int32_t a, int32_t b);

/* 1 when the structure is consistent: ptr monotone from 0 to nnz, indices
 * in range and strictly ascending per row.  Used on untrusted snapshots. */
int lr__csr_valid(const lr__csr *m);

#endif
