/* Model lifetime, catalogue copy, history and the algorithm registry.
 * SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "model/panels.h"
#include "model/softmax_tower.h"
#include "model/cold_mix.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const lr__algo lr__algo_pop, lr__algo_mf, lr__algo_als, lr__algo_bpr,
    lr__algo_ease, lr__algo_blend, lr__algo_softmax;

static const lr__algo *const algos[] = {
    &lr__algo_pop, &lr__algo_mf, &lr__algo_als, &lr__algo_bpr, &lr__algo_ease, &lr__algo_blend,
    &lr__algo_softmax,
};

const lr__algo *lr__algo_find(int id)
{
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        if (algos[i]->id == id)
            return algos[i];
    return NULL;
}

const char *lr_algorithm_name(int algorithm)
{
    const lr__algo *a = lr__algo_find(algorithm);
    return a ? a->name : NULL;
}

int lr_algorithm_lookup(const char *name, int *algorithm)
{
    if (!name || !algorithm)
        return lr__fail(LR_E_INVALID, "lr_algorithm_lookup: NULL argument");
    for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
        if (strcmp(algos[i]->name, name) == 0) {
            *algorithm = algos[i]->id;
            return LR_OK;
        }
    return lr__fail(LR_E_NOTFOUND, "unknown algorithm '%s' (known: pop, mf, als, bpr, ease, blend, softmax)", name);
}

double lr__now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lr__history_row_init(double *row)
{
    for (int i = 0; i < LR__HIST_FIELDS; i++)
        row[i] = NAN;
}

void lr__history_free(lr__history *h)
{
    free(h->rows);
    memset(h, 0, sizeof *h);
}

int lr__history_epoch(lr_model *m, const lr__fit_ctx *ctx, double *row,
                      uint64_t epoch, uint64_t total)
{
    lr__history *h = &m->history;
    row[LR_HISTORY_SECONDS - 1] = lr__now() - ctx->t0;
    if (ctx->hook) {
        int rc = ctx->hook(m, row, ctx->hook_ctx);
        if (rc)
            return rc;
    }
    void *p = h->rows;
    size_t cap_rows = h->cap;
    int rc = lr__grow(&p, &cap_rows, h->n + 1, LR__HIST_FIELDS * sizeof(double));
    if (rc)
        return rc;
    h->rows = p;
    h->cap = cap_rows;
    memcpy(h->rows + h->n * LR__HIST_FIELDS, row, LR__HIST_FIELDS * sizeof(double));
    h->n++;
    return lr__progress_report(ctx->progress, "epoch", epoch, total);
}

int lr__model_has_factors(const lr_model *m)
{
    return m->user_f != NULL && m->artist_f != NULL;
}

static int int32_cmp(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

/* The most used tags of each artist, in the order lr_dataset_artist_tags
 * reports them (count descending, then tag index), by a bounded insertion.
 * Tags that display alike count as one, under the group's most used tag
 * (lr__tag_display_canon): "hip hop" and "hip-hop" are one HipHop entry
 * with their uses summed, never two. */
static int take_top_tags(lr_model *m, const lr_dataset *ds)
{
    const int T = LR__TAGS_PER_ARTIST;
    size_t n = (size_t)ds->n_artists * (size_t)T;
    size_t nt = ds->n_tags > 0 ? (size_t)ds->n_tags : 1;
    m->artist_tags = lr__malloc(n, sizeof *m->artist_tags);
    m->artist_tag_counts = lr__malloc(n, sizeof *m->artist_tag_counts);
    int32_t *canon = lr__malloc(nt, sizeof *canon);
    int32_t *acc = lr__calloc(nt, sizeof *acc);
    int32_t *touched = lr__malloc(nt, sizeof *touched);
    int rc = m->artist_tags && m->artist_tag_counts && canon && acc && touched
                 ? lr__tag_display_canon(ds, canon)
                 : lr__fail_oom("the artists' top tags");
    for (size_t i = 0; rc == LR_OK && i < n; i++) {
        m->artist_tags[i] = -1;
        m->artist_tag_counts[i] = 0;
    }
    const lr__csr *at = &ds->artist_tags;
    for (int32_t a = 0; rc == LR_OK && a < ds->n_artists && at->ptr; a++) {
        int32_t *tg = m->artist_tags + (size_t)a * (size_t)T;
        int32_t *ct = m->artist_tag_counts + (size_t)a * (size_t)T;
        size_t nz = 0;
        for (int64_t i = at->ptr[a]; i < at->ptr[a + 1]; i++) {
            int32_t g = canon[at->idx[i]];
            if (acc[g] == 0)
                touched[nz++] = g;
            acc[g] += (int32_t)at->val[i];
        }
        qsort(touched, nz, sizeof *touched, int32_cmp);
        int have = 0;
        for (size_t k = 0; k < nz; k++) {
            int32_t t = touched[k], c = acc[t];
            acc[t] = 0;
            int j = have < T ? have++ : T;
            /* tags arrive by ascending index: an equal count never displaces */
            while (j > 0 && ct[j - 1] < c) {
                if (j < T) {
                    ct[j] = ct[j - 1];
                    tg[j] = tg[j - 1];
                }
                j--;
            }
            if (j < T) {
                ct[j] = c;
                tg[j] = t;
            }
        }
    }
    free(canon);
    free(acc);
    free(touched);
    if (rc != LR_OK)
        return rc;
    return lr__strtab_copy(&m->tag_names, &ds->tag_names);
}

int lr__model_take_catalogue(lr_model *m, const lr_dataset *ds)
{
    m->n_users = ds->n_users;
    m->n_artists = ds->n_artists;
    m->user_ids = lr__malloc((size_t)ds->n_users, sizeof(int32_t));
    m->artist_ids = lr__malloc((size_t)ds->n_artists, sizeof(int32_t));
    char **tops = lr__calloc((size_t)ds->n_artists, sizeof(char *));
    if (!m->user_ids || !m->artist_ids || !tops) {
        free(tops);
        return lr__fail_oom("the model's user and artist IDs");
    }
    memcpy(m->user_ids, ds->user_ids, (size_t)ds->n_users * sizeof(int32_t));
    memcpy(m->artist_ids, ds->artist_ids, (size_t)ds->n_artists * sizeof(int32_t));
    /* The top tag is the first of the merged top tags (the mode, tags
     * that display alike counted as one; ties to the lower index). */
    int rc = take_top_tags(m, ds);
    static char empty[] = "";
    for (int32_t a = 0; rc == LR_OK && a < ds->n_artists; a++) {
        int32_t t = m->artist_tags[(size_t)a * LR__TAGS_PER_ARTIST];
        /* the strtab copies; these are borrowed pointers */
        tops[a] = t >= 0 ? (char *)lr__strtab_get(&ds->tag_names, t) : empty;
    }
    if (rc == LR_OK)
        rc = lr__strtab_from_array(&m->artist_top_tags, tops, ds->n_artists);
    free(tops);
    if (rc == LR_OK)
        rc = lr__strtab_copy(&m->artist_names, &ds->artist_names);
    if (rc == LR_OK)
        rc = lr__csr_copy(&m->train, &ds->listens);
    return rc;
}

int lr__check_finite(const float *x, size_t n, const char *what, const char *advice)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return lr__fail(LR_E_NUMERIC, "%s became non-finite (NaN or infinity) at element %zu; %s",
                            what, i, advice);
    return LR_OK;
}

int lr__model_prepare(lr_model *m)
{
    /* blend's softmax part is final once its own fit ends (blend.c packs
     * it there, before the blend's last history row is validated on a
     * view that shares it), so it is packed only where nothing has: a
     * load.  Rebuilding it here would free what such a view shares. */
    if (m->sm.k > 0 && !m->sm.artist_panels) {
        int rc = lr__panels_build(m->sm.artist_f, m->n_artists, m->sm.k, &m->sm.artist_panels);
        if (rc)
            return rc;
    }
    free(m->artist_panels);
    m->artist_panels = NULL;
    lr__cold_mix_free(m->cold_mix);
    m->cold_mix = NULL;
    int rc = lr__cold_mix_new(&m->cold_mix, m);
    if (rc)
        return rc;
    if (!lr__model_has_factors(m))
        return LR_OK;
    return lr__panels_build(m->artist_f, m->n_artists, m->k, &m->artist_panels);
}

void lr__blend_softmax_free(lr__blend_softmax *p)
{
    free(p->user_f);
    free(p->artist_f);
    free(p->artist_bias);
    free(p->artist_panels);
    lr__softmax_tower_free(p->tower);
    memset(p, 0, sizeof *p);
}

void lr__model_clear(lr_model *m)
{
    free(m->user_ids);
    free(m->artist_ids);
    lr__strtab_free(&m->artist_names);
    lr__strtab_free(&m->artist_top_tags);
    lr__csr_free(&m->train);
    free(m->user_f);
    free(m->artist_f);
    free(m->artist_bias);
    free(m->artist_panels);
    free(m->items);
    free(m->item_pos);
    free(m->item_w);
    free(m->pop);
    lr__softmax_tower_free(m->tower);
    m->tower = NULL;
    lr__cold_mix_free(m->cold_mix);
    m->cold_mix = NULL;
    lr__blend_softmax_free(&m->sm);
    lr__history_free(&m->history);
    lr__strtab_free(&m->tag_names);
    free(m->artist_tags);
    free(m->artist_tag_counts);
    m->artist_tags = m->artist_tag_counts = NULL;
    m->user_ids = m->artist_ids = NULL;
    m->user_f = m->artist_f = m->artist_bias = m->artist_panels = NULL;
    m->items = m->item_pos = NULL;
    m->item_w = m->pop = NULL;
    m->n_users = m->n_artists = m->k = m->n_items = 0;
    m->fitted = 0;
}
