/* The norms of a model's artist vectors against the artists' popularity
 * (the notebook's "popularity strongly influenced the models'
 * embeddings").  SPDX-License-Identifier: MIT */
#ifndef LR_EMBED_NORMS_H
#define LR_EMBED_NORMS_H

#include "model/model.h"

#include <stdint.h>

typedef struct lr__norm_corr {
    double pearson;   /* of norm against log(1 + fans); NaN when undefined */
    double spearman;  /* of the ranks of norm and fans (average ranks for
                         ties); NaN when undefined */
    int64_t used;     /* artists the two are computed over */
    int64_t zero;     /* artists whose vector is exactly zero */
    int64_t zero_listened; /* of those, artists with a listener (left out) */
} lr__norm_corr;

/* The Euclidean norm of each of the n rows of x (n x d, row-major,
 * borrowed) into norm[n] (the caller's): squares summed in double in
 * column order, so the result does not depend on how rows are batched. */
void lr__row_norms(const float *x, int32_t n, int32_t d, double *norm);

/* Correlations of norm[n] with fans[n] (both borrowed) over the artists
 * with at least one fan and a vector that is not exactly zero (norm > 0):
 * a zero vector is one the model never moved (als leaves artists without
 * training listens at 0), not a short one, so it says nothing about
 * popularity.  Pearson is taken against log(1 + fans), Spearman's rho is
 * Pearson of the average ranks.  Fewer than 2 artists used, or a constant
 * column among them, leave the correlation NaN.  LR_OK, LR_E_INVALID (NULL,
 * n < 0, a negative or non-finite value, naming the artist), LR_E_NOMEM. */
int lr__norm_correlations(const double *norm, const double *fans, int32_t n,
                          lr__norm_corr *out);

/* For a fitted model with artist vectors (m->artist_f): each artist's
 * norm, fan count (training listeners) and listen count (sum of its
 * training listen counts, in double), in the model's artist order, into
 * the caller's arrays of m->n_artists (any may be NULL), and the
 * correlations (corr may be NULL).  LR_OK, LR_E_INVALID (the model has no
 * artist vectors, or a vector is not finite: the message says which),
 * LR_E_NOMEM. */
int lr__artist_norms(const lr_model *m, double *norm, double *fans, double *listens,
                     lr__norm_corr *corr);

#endif
