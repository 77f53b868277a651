/* Maps of a model's artist vectors (PCA, t-SNE): which artists they take,
 * how t-SNE starts, and the result behind lr_map.  SPDX-License-Identifier: MIT */
#ifndef LR_EMBED_MAP_H
#define LR_EMBED_MAP_H

#include "lastrec.h"
#include "model/model.h"

#include <stdint.h>

struct lr_map {
    int kind;           /* 1 PCA, 2 t-SNE */
    int32_t rows, dims;
    int32_t *ids;       /* [rows] artist IDs, ascending; owned */
    double *coords;     /* [rows x dims] row-major; owned */
    double *variance;   /* PCA: [dims] per component; NULL for t-SNE; owned */
    double total;       /* PCA: the covariance's trace; NaN for t-SNE */
    double kl;          /* t-SNE: final KL divergence; NaN for PCA */
    double nn;          /* t-SNE: 10-NN preservation; NaN for PCA */
    int32_t iterations; /* t-SNE: iterations run; 0 for PCA */
};

enum { LR__MAP_PCA = 1, LR__MAP_TSNE = 2 };

/* The artists a map takes: at least min_fans training listeners and a
 * vector that is not exactly zero (a zero vector has no direction for the
 * cosine and, in Euclidean terms, only says the model never moved it: als
 * leaves its artists without listens there).  Their dense indices,
 * ascending, into *rows (owned by the caller, free()), and their count.
 * LR_OK, LR_E_INVALID (no artist vectors, a non-finite vector, naming the
 * artist), LR_E_NOMEM. */
int lr__map_subset(const lr_model *m, int64_t min_fans, int32_t **rows, int32_t *n);

/* The rows of m->artist_f listed in sel[n] as a new n x k array (owned
 * by the caller), each scaled to unit length when unit is set. */
int lr__map_gather(const lr_model *m, const int32_t *sel, int32_t n, int unit, float **out);

/* A new map of kind with rows x dims coordinates (zeroed) and the IDs of
 * the model's artists sel[rows]; statistics NaN.  LR_OK or LR_E_NOMEM. */
int lr__map_alloc(lr_map **out, int kind, const lr_model *m, const int32_t *sel, int32_t rows,
                  int32_t dims);

/* PCA of the selected artists' vectors, c components. */
int lr__map_pca(lr_map **out, const lr_model *m, int32_t c, int64_t min_fans);

/* t-SNE's initial map from the first two principal components of x
 * (n x d), scaled so that the first has standard deviation 1e-4 (the
 * population's, as scikit-learn >= 1.2 and openTSNE do), into y[n x 2].
 * When the first has none (identical points), a seeded normal sample of
 * that spread.  Needs n >= 2, d >= 2. */
int lr__map_tsne_init(const float *x, int32_t n, int32_t d, uint64_t seed, double *y);

/* The t-SNE map of the selected artists' vectors with the LR_OPT_TSNE_*,
 * LR_OPT_MAP_MIN_FANS, LR_OPT_SEED and LR_OPT_THREADS of opts (NULL:
 * defaults) and its progress callback.  The checks whose bounds depend
 * on the artists mapped are made here, so that their messages name the
 * options to change. */
int lr__map_tsne(lr_map **out, const lr_model *m, const lr_options *opts);

void lr__map_free(lr_map *map);

#endif
