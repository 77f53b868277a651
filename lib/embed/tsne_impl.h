/* The stages of t-SNE (tsne.c), for its tests: affinities, the gradient,
 * the exact KL divergence.  SPDX-License-Identifier: MIT */
#ifndef LR_EMBED_TSNE_IMPL_H
#define LR_EMBED_TSNE_IMPL_H

#include <stdint.h>

/* The joint affinities P, n x n, symmetric, summing to 1: CSR, each row's
 * columns ascending.  Owned by the struct; lr__tsne_p_free frees them. */
typedef struct lr__tsne_p {
    int32_t n;
    int64_t *rowptr; /* [n + 1] */
    int32_t *col;    /* [rowptr[n]] */
    double *val;     /* [rowptr[n]] */
} lr__tsne_p;

void lr__tsne_p_free(lr__tsne_p *P);

/* Row i of p[n x k] (the caller's) gets the conditional distribution
 * p_{j|i} proportional to exp(-beta_i dist[i][j]) over the k distances of
 * row i of dist[n x k] (borrowed), beta_i found by bisection (with Newton
 * steps inside the bracket) so that its entropy (natural log) is
 * log(perplexity) within 1e-5.  When that cannot be reached (all the nearest distances of a row equal, as for the zero
 * rows of a model under cosine) the row is as close as the search gets:
 * uniform over the nearest ties.  p may be dist (in place).  beta[n] may be
 * NULL.  LR_OK or LR_E_NOMEM. */
int lr__tsne_conditional(const double *dist, int32_t n, int32_t k, double perplexity,
                         int threads, double *p, double *beta);

/* P = (C + C') / (2n) for the conditional rows C given by idx[n x k] and
 * p[n x k] (borrowed).  LR_OK or LR_E_NOMEM. */
int lr__tsne_symmetrize(const int32_t *idx, const double *p, int32_t n, int32_t k,
                        lr__tsne_p *P);

/* The gradient of KL(P || Q) at y (n x 2, borrowed) with P multiplied by
 * exaggeration: grad[n x 2] (the caller's) = 4 (exaggeration * sum_j p_ij
 * w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z), w_ij = 1 / (1 + |y_i -
 * y_j|^2), Z = sum over j != i of w_ij (into *z, may be NULL); the
 * repulsive sums by method (LR__TSNE_BARNES_HUT or LR__TSNE_FFT, tsne.h)
 * at theta > 0, exactly (every pair, j ascending) at theta = 0.  LR_OK or LR_E_NOMEM. */
int lr__tsne_gradient(const lr__tsne_p *P, const double *y, double exaggeration, double theta,
                      int method, int threads, double *grad, double *z);

/* KL(P || Q) at y, exactly: Z over all n (n - 1) ordered pairs.
 * LR_OK or LR_E_NOMEM. */
int lr__tsne_kl_exact(const lr__tsne_p *P, const double *y, int threads, double *kl);

#endif
