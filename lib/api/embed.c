/* The public entry points of lib/embed: artist norms against popularity,
 * PCA and t-SNE maps, and the artist names and top tags their rows carry.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "data/dataset.h"
#include "embed/map.h"
#include "embed/norms.h"
#include "model/model.h"

#include <math.h>
#include <stdlib.h>

/* The checks every call on a model's artist vectors starts with. */
static int check_model(const lr_model *m, const char *call)
{
    if (!m)
        return lr__fail(LR_E_INVALID, "%s: model is NULL", call);
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "%s: the model is not fitted", call);
    return LR_OK;
}

int lr_model_artist_norms(const lr_model *m, double *norms, int64_t *fans, double *listens,
                          size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    int rc = check_model(m, "lr_model_artist_norms");
    if (rc)
        return rc;
    const size_t n = (size_t)m->n_artists;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_model_artist_norms: %zu artists, capacity %zu", n,
                        capacity);
    double *f = lr__malloc(n, sizeof *f), *nrm = lr__malloc(n, sizeof *nrm);
    double *lis = lr__malloc(n, sizeof *lis);
    if (!f || !nrm || !lis) {
        rc = lr__fail_oom("the artists' factors, norms and listens");
    } else if ((rc = lr__artist_norms(m, nrm, f, lis, NULL)) != LR_OK) {
        lr__error_prefix("lr_model_artist_norms");
    } else {
        /* only now, so that a failure writes nothing */
        if (norms)
            lr__copy(norms, nrm, n, sizeof *nrm);
        if (listens)
            lr__copy(listens, lis, n, sizeof *lis);
        if (fans)
            for (size_t a = 0; a < n; a++)
                fans[a] = (int64_t)f[a];
    }
    free(f);
    free(nrm);
    free(lis);
    return rc;
}

int lr_model_norm_stat(const lr_model *m, int which, double *value)
{
    int rc = check_model(m, "lr_model_norm_stat");
    if (rc)
        return rc;
    if (!value)
        return lr__fail(LR_E_INVALID, "lr_model_norm_stat: value is NULL");
    if (which < LR_NORMS_PEARSON || which > LR_NORMS_ZERO_LISTENED)
        return lr__fail(LR_E_INVALID, "lr_model_norm_stat: unknown statistic %d", which);
    lr__norm_corr c;
    rc = lr__artist_norms(m, NULL, NULL, NULL, &c);
    if (rc) {
        lr__error_prefix("lr_model_norm_stat");
        return rc;
    }
    switch (which) {
    case LR_NORMS_PEARSON: *value = c.pearson; break;
    case LR_NORMS_SPEARMAN: *value = c.spearman; break;
    case LR_NORMS_USED: *value = (double)c.used; break;
    case LR_NORMS_ZERO: *value = (double)c.zero; break;
    default: *value = (double)c.zero_listened; break;
    }
    return LR_OK;
}

static int artist_index(const lr_model *m, int32_t artist_id)
{
    if (!m || !m->fitted)
        return -1;
    return lr__index_of(m->artist_ids, m->n_artists, artist_id);
}

const char *lr_model_artist_name(const lr_model *m, int32_t artist_id)
{
    int a = artist_index(m, artist_id);
    return a < 0 ? NULL : lr__strtab_get(&m->artist_names, a);
}

const char *lr_model_artist_top_tag(const lr_model *m, int32_t artist_id)
{
    int a = artist_index(m, artist_id);
    return a < 0 ? NULL : lr__strtab_get(&m->artist_top_tags, a);
}

int lr_model_pca(lr_map **out, const lr_model *m, int components, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_model_pca: out is NULL");
    *out = NULL;
    int rc = check_model(m, "lr_model_pca");
    if (rc)
        return rc;
    rc = lr__map_pca(out, m, components, lr__opt_int(opts, LR_OPT_MAP_MIN_FANS));
    if (rc)
        lr__error_prefix("lr_model_pca");
    return rc;
}

int lr_model_tsne(lr_map **out, const lr_model *m, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_model_tsne: out is NULL");
    *out = NULL;
    int rc = check_model(m, "lr_model_tsne");
    if (rc)
        return rc;
    rc = lr__map_tsne(out, m, opts);
    if (rc && rc != LR_E_CANCELLED)
        lr__error_prefix("lr_model_tsne");
    return rc;
}

void lr_map_free(lr_map *map) { lr__map_free(map); }

double lr_map_stat(const lr_map *map, int which)
{
    if (!map)
        return NAN;
    switch (which) {
    case LR_MAP_ROWS: return map->rows;
    case LR_MAP_DIMS: return map->dims;
    case LR_MAP_KL: return map->kl;
    case LR_MAP_NN_PRESERVATION: return map->nn;
    case LR_MAP_ITERATIONS: return map->kind == LR__MAP_TSNE ? map->iterations : NAN;
    case LR_MAP_TOTAL_VARIANCE: return map->total;
    default: return NAN;
    }
}

int lr_map_ids(const lr_map *map, int32_t *ids, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!map)
        return lr__fail(LR_E_INVALID, "lr_map_ids: map is NULL");
    const size_t n = (size_t)map->rows;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_map_ids: %zu artists, capacity %zu", n, capacity);
    if (n && !ids)
        return lr__fail(LR_E_INVALID, "lr_map_ids: output buffer is NULL");
    lr__copy(ids, map->ids, n, sizeof *ids);
    return LR_OK;
}

int lr_map_coords(const lr_map *map, double *coords, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!map)
        return lr__fail(LR_E_INVALID, "lr_map_coords: map is NULL");
    const size_t n = (size_t)map->rows * (size_t)map->dims;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_map_coords: %zu coordinates, capacity %zu", n,
                        capacity);
    if (n && !coords)
        return lr__fail(LR_E_INVALID, "lr_map_coords: output buffer is NULL");
    lr__copy(coords, map->coords, n, sizeof *coords);
    return LR_OK;
}

int lr_map_variance(const lr_map *map, double *variance, double *explained, size_t capacity,
                    size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!map)
        return lr__fail(LR_E_INVALID, "lr_map_variance: map is NULL");
    if (!map->variance)
        return lr__fail(LR_E_UNSUPPORTED, "lr_map_variance: a t-SNE map has no components");
    const size_t n = (size_t)map->dims;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_map_variance: %zu components, capacity %zu", n,
                        capacity);
    for (size_t j = 0; j < n; j++) {
        if (variance)
            variance[j] = map->variance[j];
        /* all points alike: no variance to share out */
        if (explained)
            explained[j] = map->total > 0 ? map->variance[j] / map->total : NAN;
    }
    return LR_OK;
}
