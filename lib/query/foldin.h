/* Fold-in: a user vector for listens the model was not trained on, with
 * the artist side held fixed, and the per-artist decomposition of the
 * resulting scores that explanations report.  docs/queries.md has the
 * algebra.  SPDX-License-Identifier: MIT */
#ifndef LR_QUERY_FOLDIN_H
#define LR_QUERY_FOLDIN_H

#include "model/model.h"

/* What a fold-in reads besides the model: numbers of the model's training
 * data that the query computed once, since the shared model caches
 * nothing. */
typedef struct lr__foldin_ctx {
    const lr_model *m;
    const int32_t *fans;  /* [n_artists] listeners per artist (als bm25) */
    double mean_row;      /* mean listens per training user (als bm25) */
    const float *gram;    /* Y'Y, kf x kf (when lr__foldin_needs_gram) */
    float bpr_target;     /* bpr: lr__foldin_bpr_target */
} lr__foldin_ctx;

/* bpr's regression target: the mean score x_u . y_a (bias left out) that
 * the trained users give their own training artists.  BPR fixes no scale
 * for scores, only their order; regressing a new listener to the scale
 * its trained users have keeps the artist bias as weighty for them as for
 * everyone else.  1 when the model has no listens. */
float lr__foldin_bpr_target(const lr_model *m);

/* 1 when the model's fold-in uses Y'Y: als always, mf with gravity. */
int lr__foldin_needs_gram(const lr_model *m);

/* Y'Y of the artist factors, upper triangle (column-major) filled. */
void lr__foldin_gram(const lr_model *m, float *gram);

/* The fold-in of factor models.  Sources are the listens (idx[n] dense
 * artist indices, w[n] listen counts).  Builds the model's kf x kf system
 * A x = sum_j r_j y_j, stores the weights r[n], leaves A's Cholesky factor
 * (upper, column-major) in a and the user vector in x.  Allocates nothing.
 * LR_E_NUMERIC when A is not positive definite. */
int lr__foldin_solve(const lr__foldin_ctx *c, const int32_t *idx, const float *w,
                     int64_t n, float *a, float *r, float *x);

/* The contribution of each source to the fold-in's score of artist t:
 * out[j] = r_j * y_t' A^-1 y_j, which sums over j to x . y_t.  a is the
 * factor lr__foldin_solve left; z is kf floats of scratch. */
void lr__foldin_explain(const lr_model *m, const float *a, const int32_t *idx,
                        const float *r, int64_t n, int32_t t, float *z, float *out);

/* EASE: the scores of every artist for the listens, sum_j t(w_j) B[j, :]
 * (0 for artists outside the model), and the weights t(w_j) into r. */
void lr__foldin_ease(const lr_model *m, const int32_t *idx, const float *w, int64_t n,
                     float *r, float *scores);

/* EASE: out[j] = r_j * B[j, t], which sums to the score of artist t. */
void lr__foldin_ease_explain(const lr_model *m, const int32_t *idx, const float *r,
                             int64_t n, int32_t t, float *out);

#endif
