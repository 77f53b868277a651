/* The item-item inverse of ease and blend: its columns, P and the weights
 * made from P.  SPDX-License-Identifier: MIT */
#ifndef LR_MODEL_ITEM_INVERSE_H
#define LR_MODEL_ITEM_INVERSE_H

#include "model/model.h"

#include <stdint.h>

/* Map OpenBLAS's work buffer now, before a fit's big allocations, or fail
 * with LR_E_NOMEM (message beginning with `model`) when an address-space
 * limit leaves no room for it (see item_inverse.c). */
int lr__blas_reserve(const char *model);

/* X's columns: the artists with at least min_listeners listeners in ds.
 * Sets m->item_pos, m->items and m->n_items, and allocates m->item_w as
 * the zeroed n x n buffer lr__item_inverse works in.  LR_E_INVALID when no
 * artist qualifies, LR_E_NOMEM (also when n x n is beyond LAPACK);
 * messages begin with `model`. */
int lr__item_columns(lr_model *m, const lr_dataset *ds, int64_t min_listeners, const char *model);

/* X'X + Lambda over the modelled artists: X has a row per user and a
 * column per artist a with item_pos[a] >= 0 (position j = item_pos[a] in
 * 0..n-1), and user u's listen e (CSR order of ds->listens) contributes
 * X_uj = val[e]; val is read only where the artist is modelled.  Lambda =
 * diag(lam[0..n-1]).  Messages name the model ("ease") and end with what
 * its user should change ("raise regularization (now 0)"). */
typedef struct lr__item_problem {
    const lr_dataset *ds;
    const int32_t *item_pos; /* [ds->n_artists] */
    int32_t n;
    const float *val;        /* [ds->listens.nnz] */
    const double *lam;       /* [n] */
    const char *model;
    const char *fix;
} lr__item_problem;

/* P = (X'X + Lambda)^-1 as M with P_ij = rscale_i M_ij rscale_j, M in the
 * row-major lower triangle (j <= i) of the n x n M, which the caller has
 * zeroed; the rest of M is scratch.  pdiag[j] = P_jj, checked positive and
 * finite.  LAPACK and BLAS run on the calling thread with BLAS's own
 * threads.  LR_E_NUMERIC when X'X + Lambda is not positive definite or
 * precision was lost, LR_E_NOMEM. */
int lr__item_inverse(const lr__item_problem *pb, float *M, float *rscale, double *pdiag);

/* The full item weights from lr__item_inverse's triangle, in place, on
 * `threads` workers: B_ij = rscale_i M_ij cscale_j, B_ii = 0.  With sq not
 * NULL, first sq[i] = sum_j P_ij^2 (ease's loss needs it, and the rows are
 * in cache here). */
int lr__item_weights(float *M, int32_t n, const float *rscale, const float *cscale, double *sq,
                     int threads);

#endif
