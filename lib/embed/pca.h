/* Principal components of a set of vectors (the artist vectors of a
 * model), for t-SNE's initial map and as a cheap map of its own.
 * SPDX-License-Identifier: MIT */
#ifndef LR_EMBED_PCA_H
#define LR_EMBED_PCA_H

#include <stdint.h>

/* The first c principal components of the n rows of x (n x d, row-major,
 * borrowed): the rows are centred, the d x d covariance (divided by n - 1)
 * is eigen-decomposed with LAPACKE in double, and each row is projected on
 * the c leading eigenvectors into coords[n x c] (row-major, the caller's).
 * var[c] gets each component's variance and *total the covariance's trace
 * (either may be NULL).  Each component's sign is fixed (its loading of
 * largest magnitude is positive) so that the result is the same whatever
 * LAPACK returns.  1 <= c <= d, n >= 2.  LR_OK, LR_E_INVALID (sizes,
 * non-finite input, with a message), LR_E_NOMEM, LR_E_NUMERIC (LAPACK
 * failed). */
int lr__pca(const float *x, int32_t n, int32_t d, int32_t c, double *coords, double *var,
            double *total);

#endif
