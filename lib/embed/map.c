/* Maps of a model's artist vectors: the subset, PCA as a map, t-SNE's
 * start.  SPDX-License-Identifier: MIT */
#include "embed/map.h"
#include "embed/pca.h"
#include "embed/tsne.h"
#include "core/options.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lr__map_subset(const lr_model *m, int64_t min_fans, int32_t **rows, int32_t *n)
{
    *rows = NULL;
    *n = 0;
    if (!m->artist_f || m->k < 1)
        return lr__fail(LR_E_INVALID,
                        "%s models have no artist vectors (mf, als, bpr, blend with "
                        "blend_weight > 0 and softmax have)",
                        lr_algorithm_name(m->algo));
    const int32_t na = m->n_artists, k = m->k;
    int64_t *fans = lr__calloc((size_t)na, sizeof *fans);
    int32_t *sel = lr__malloc((size_t)na, sizeof *sel);
    if (!fans || !sel) {
        free(fans);
        free(sel);
        return lr__fail_oom("the map's artist selection");
    }
    for (int64_t e = 0; e < m->train.nnz; e++)
        fans[m->train.idx[e]]++;
    int32_t c = 0;
    for (int32_t a = 0; a < na; a++) {
        const float *v = m->artist_f + (size_t)a * (size_t)k;
        int zero = 1;
        for (int32_t j = 0; j < k; j++) {
            if (!isfinite(v[j])) {
                free(fans);
                free(sel);
                return lr__fail(LR_E_INVALID, "artist %d's vector is not finite (%g)",
                                (int)m->artist_ids[a], (double)v[j]);
            }
            zero &= v[j] == 0;
        }
        if (!zero && fans[a] >= min_fans)
            sel[c++] = a;
    }
    free(fans);
    *rows = sel;
    *n = c;
    return LR_OK;
}

int lr__map_gather(const lr_model *m, const int32_t *sel, int32_t n, int unit, float **out)
{
    const size_t k = (size_t)m->k;
    float *x = lr__malloc((size_t)n * k, sizeof *x);
    if (!x)
        return lr__fail_oom("the map's artist factors");
    for (int32_t i = 0; i < n; i++) {
        const float *v = m->artist_f + (size_t)sel[i] * k;
        float *r = x + (size_t)i * k;
        double s = 1;
        if (unit) {
            double q = 0;
            for (size_t j = 0; j < k; j++)
                q += (double)v[j] * (double)v[j];
            s = 1 / sqrt(q); /* the subset has no zero vector */
        }
        for (size_t j = 0; j < k; j++)
            r[j] = unit ? (float)(v[j] * s) : v[j];
    }
    *out = x;
    return LR_OK;
}

int lr__map_alloc(lr_map **out, int kind, const lr_model *m, const int32_t *sel, int32_t rows,
                  int32_t dims)
{
    lr_map *map = lr__calloc(1, sizeof *map);
    if (!map)
        return lr__fail_oom("the map");
    map->kind = kind;
    map->rows = rows;
    map->dims = dims;
    map->total = map->kl = map->nn = NAN;
    map->ids = lr__malloc((size_t)rows, sizeof *map->ids);
    map->coords = lr__calloc((size_t)rows * (size_t)dims, sizeof *map->coords);
    if (!map->ids || !map->coords) {
        lr__map_free(map);
        return lr__fail_oom("the map's coordinates");
    }
    for (int32_t i = 0; i < rows; i++)
        map->ids[i] = m->artist_ids[sel[i]];
    *out = map;
    return LR_OK;
}

void lr__map_free(lr_map *map)
{
    if (!map)
        return;
    free(map->ids);
    free(map->coords);
    free(map->variance);
    free(map);
}

int lr__map_pca(lr_map **out, const lr_model *m, int32_t c, int64_t min_fans)
{
    *out = NULL;
    int32_t *sel, n;
    int rc = lr__map_subset(m, min_fans, &sel, &n);
    if (rc)
        return rc;
    if (c < 1 || c > m->k) {
        free(sel);
        return lr__fail(LR_E_INVALID, "%d components of %d-dimensional artist vectors; "
                        "between 1 and %d can be asked for", (int)c, (int)m->k, (int)m->k);
    }
    if (n < 2) {
        free(sel);
        return lr__fail(LR_E_INVALID,
                        "%d artist%s with at least %lld training listener%s and a non-zero "
                        "vector; PCA needs 2 (lower map_min_fans)",
                        (int)n, n == 1 ? "" : "s", (long long)min_fans, min_fans == 1 ? "" : "s");
    }
    float *x = NULL;
    lr_map *map = NULL;
    rc = lr__map_gather(m, sel, n, 0, &x);
    if (rc == LR_OK)
        rc = lr__map_alloc(&map, LR__MAP_PCA, m, sel, n, c);
    if (rc == LR_OK && !(map->variance = lr__malloc((size_t)c, sizeof *map->variance)))
        rc = lr__fail_oom("the PCA map's variances");
    if (rc == LR_OK)
        rc = lr__pca(x, n, m->k, c, map->coords, map->variance, &map->total);
    free(x);
    free(sel);
    if (rc) {
        lr__map_free(map);
        return rc;
    }
    *out = map;
    return LR_OK;
}

int lr__map_tsne_init(const float *x, int32_t n, int32_t d, uint64_t seed, double *y)
{
    int rc = lr__pca(x, n, d, 2, y, NULL, NULL);
    if (rc)
        return rc;
    double mean = 0, ss = 0;
    for (int32_t i = 0; i < n; i++)
        mean += y[2 * (size_t)i];
    mean /= n;
    for (int32_t i = 0; i < n; i++)
        ss += (y[2 * (size_t)i] - mean) * (y[2 * (size_t)i] - mean);
    const double sd = sqrt(ss / n);
    if (sd > 0) {
        const double s = 1e-4 / sd;
        for (size_t i = 0; i < 2 * (size_t)n; i++)
            y[i] *= s;
        return LR_OK;
    }
    /* No spread to scale: every point alike.  What t-SNE does without
     * PCA, a small seeded Gaussian, so that the points can still part. */
    lr__rng r;
    lr__rng_seed(&r, seed);
    for (size_t i = 0; i < 2 * (size_t)n; i++)
        y[i] = 1e-4 * lr__rng_normal(&r);
    return LR_OK;
}

int lr__map_tsne(lr_map **out, const lr_model *m, const lr_options *opts)
{
    *out = NULL;
    const int64_t min_fans = lr__opt_int(opts, LR_OPT_MAP_MIN_FANS);
    lr__tsne_opts to = {
        .metric = lr__opt_int(opts, LR_OPT_TSNE_METRIC) == LR_DISTANCE_EUCLIDEAN
                      ? LR__TSNE_EUCLIDEAN
                      : LR__TSNE_COSINE,
        .perplexity = lr__opt_double(opts, LR_OPT_TSNE_PERPLEXITY),
        .exaggeration = lr__opt_double(opts, LR_OPT_TSNE_EXAGGERATION),
        .exaggeration_iters = (int32_t)lr__opt_int(opts, LR_OPT_TSNE_EXAGGERATION_ITERATIONS),
        .iterations = (int32_t)lr__opt_int(opts, LR_OPT_TSNE_ITERATIONS),
        .learning_rate = lr__opt_double(opts, LR_OPT_TSNE_LEARNING_RATE),
        .kl_tolerance = lr__opt_double(opts, LR_OPT_TSNE_KL_TOLERANCE),
        .theta = lr__opt_double(opts, LR_OPT_TSNE_THETA),
        .method = lr__opt_int(opts, LR_OPT_TSNE_METHOD) == LR_TSNE_BARNES_HUT
                      ? LR__TSNE_BARNES_HUT
                      : LR__TSNE_FFT,
        .seed = (uint64_t)lr__opt_int(opts, LR_OPT_SEED),
        .threads = lr__opt_threads(opts),
        .progress = lr__opt_progress(opts),
    };
    if (to.exaggeration_iters > to.iterations)
        return lr__fail(LR_E_INVALID,
                        "tsne_exaggeration_iterations (%d) is more than tsne_iterations (%d)",
                        (int)to.exaggeration_iters, (int)to.iterations);
    int32_t *sel, n;
    int rc = lr__map_subset(m, min_fans, &sel, &n);
    if (rc)
        return rc;
    if (n < 4) {
        free(sel);
        return lr__fail(LR_E_INVALID,
                        "%d artist%s with at least %lld training listener%s and a non-zero "
                        "vector; t-SNE needs 4 (lower map_min_fans)",
                        (int)n, n == 1 ? "" : "s", (long long)min_fans, min_fans == 1 ? "" : "s");
    }
    if (to.perplexity >= (double)(n - 1) / 3.0) {
        free(sel);
        return lr__fail(LR_E_INVALID,
                        "tsne_perplexity %g needs more than %.0f artists (3 x perplexity + 1); "
                        "%d are mapped (lower tsne_perplexity or map_min_fans)",
                        to.perplexity, floor(3 * to.perplexity + 1), (int)n);
    }
    if (m->k < 2) {
        free(sel);
        return lr__fail(LR_E_INVALID, "t-SNE starts from 2 principal components; the model's "
                        "vectors have %d dimension", (int)m->k);
    }
    float *x = NULL;
    lr_map *map = NULL;
    lr__tsne_out res;
    /* Under the cosine the start is the PCA of the directions, the
     * vectors t-SNE compares. */
    rc = lr__map_gather(m, sel, n, to.metric == LR__TSNE_COSINE, &x);
    if (rc == LR_OK)
        rc = lr__map_alloc(&map, LR__MAP_TSNE, m, sel, n, 2);
    if (rc == LR_OK)
        rc = lr__map_tsne_init(x, n, m->k, to.seed, map->coords);
    if (rc == LR_OK)
        rc = lr__tsne(x, n, m->k, &to, map->coords, &res);
    free(x);
    free(sel);
    if (rc) {
        lr__map_free(map);
        return rc;
    }
    map->kl = res.kl;
    map->nn = res.nn_preservation;
    map->iterations = res.iterations;
    *out = map;
    return LR_OK;
}
