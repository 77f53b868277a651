/* t-SNE maps of a set of vectors (van der Maaten & Hinton 2008; Barnes-Hut,
 * van der Maaten 2014).  SPDX-License-Identifier: MIT */
#ifndef LR_EMBED_TSNE_H
#define LR_EMBED_TSNE_H

#include "core/progress.h"

#include <stdint.h>

enum { LR__TSNE_EUCLIDEAN = 0, LR__TSNE_COSINE = 1 };
/* How the repulsive forces are summed (tsne.c): Barnes-Hut; FFT
 * interpolation where its grid pays (a small map takes Barnes-Hut); FFT
 * interpolation whatever the map's size (for tests).  A map too wide for
 * the largest grid takes Barnes-Hut under either FFT method. */
enum { LR__TSNE_BARNES_HUT = 0, LR__TSNE_FFT = 1, LR__TSNE_FFT_ONLY = 2 };

typedef struct lr__tsne_opts {
    int metric;                 /* LR__TSNE_EUCLIDEAN or LR__TSNE_COSINE */
    double perplexity;          /* > 0 and < (n - 1) / 3 */
    double exaggeration;        /* early exaggeration factor */
    int32_t exaggeration_iters; /* iterations with it */
    int32_t iterations;         /* all iterations, exaggerated ones included */
    double learning_rate;       /* <= 0: the "auto" rule from n */
    double kl_tolerance;        /* stop early when KL improves less between two
                                   checks (every 50 iterations) after the
                                   exaggeration; 0: never */
    double theta;               /* Barnes-Hut angle in [0, 1]; 0: the exact
                                   O(n^2) gradient (for tests), whatever
                                   the method */
    int method;                 /* LR__TSNE_BARNES_HUT, LR__TSNE_FFT or
                                   LR__TSNE_FFT_ONLY */
    uint64_t seed;
    int threads;                /* >= 1; the result does not depend on it */
    const lr__progress *progress; /* every 50 iterations, stage "tsne kl=<KL>",
                                     done = iterations so far, total =
                                     iterations; may be NULL (borrowed) */
} lr__tsne_opts;

typedef struct lr__tsne_out {
    double kl;                  /* the final KL divergence, exact up to 100,000
                                   points (how: tsne.c); after a cancel, the
                                   last check's estimate */
    int32_t iterations;         /* iterations run */
    double nn_preservation;     /* mean share of each point's 10 nearest
                                   input neighbours among its 10 nearest on
                                   the map; NaN after a cancel */
} lr__tsne_out;

/* Map the n rows of x (n x d, row-major, borrowed) to 2-D.  y[n x 2]
 * (row-major, the caller's) holds the initial map on entry (the caller's
 * choice: PCA scaled as tsne.c documents, or random) and the final map on
 * return, also when cancelled.  Same input and options give the same bits
 * for any thread count (o->seed draws nothing yet: the initial map is the
 * caller's).  LR_OK, LR_E_INVALID (n < 4, perplexity out of range,
 * non-finite input, other options out of range, with a message naming the
 * cause), LR_E_NOMEM, LR_E_CANCELLED (y valid, out->iterations run). */
int lr__tsne(const float *x, int32_t n, int32_t d, const lr__tsne_opts *o, double *y,
             lr__tsne_out *out);

#endif
