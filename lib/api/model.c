/* The public model entry points: argument checks and the fit protocol.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "eval/eval.h"
#include "model/item_inverse.h"
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

int lr_model_new(lr_model **out, int algorithm, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_model_new: out is NULL");
    *out = NULL;
    const lr__algo *a = lr__algo_find(algorithm);
    if (!a)
        return lr__fail(LR_E_INVALID, "lr_model_new: unknown algorithm %d (1 pop, 2 mf, 3 als, 4 bpr, 5 ease, 6 blend, 7 softmax)",
                        algorithm);
    lr_model *m = lr__calloc(1, sizeof *m);
    if (!m)
        return lr__fail_oom("the model in lr_model_new");
    m->algo = algorithm;
    if (opts) {
        m->opts = *opts;
    } else {
        lr_options *d;
        if (lr_options_new(&d) != LR_OK) {
            free(m);
            return LR_E_NOMEM; /* its message says how much for what */
        }
        m->opts = *d;
        lr_options_free(d);
    }
    a->defaults(&m->opts);
    *out = m;
    return LR_OK;
}

void lr_model_free(lr_model *m)
{
    if (!m)
        return;
    lr__model_clear(m);
    free(m);
}

int lr_model_algorithm(const lr_model *m) { return m ? m->algo : 0; }

int lr_model_is_fitted(const lr_model *m) { return m ? m->fitted : 0; }

static int same_catalogue(const lr_dataset *a, const lr_dataset *b)
{
    return a->n_users == b->n_users && a->n_artists == b->n_artists &&
           memcmp(a->user_ids, b->user_ids, (size_t)a->n_users * sizeof(int32_t)) == 0 &&
           memcmp(a->artist_ids, b->artist_ids, (size_t)a->n_artists * sizeof(int32_t)) == 0;
}

int lr_model_fit(lr_model *m, const lr_dataset *train, const lr_dataset *validation)
{
    if (!m || !train)
        return lr__fail(LR_E_INVALID, "lr_model_fit: NULL argument");
    if (m->fitted)
        return lr__fail(LR_E_INVALID, "lr_model_fit: the model is already fitted; create a new one");
    if (train->listens.nnz == 0)
        return lr__fail(LR_E_INVALID, "lr_model_fit: the training data has no listens");
    if (validation && !same_catalogue(train, validation))
        return lr__fail(LR_E_INVALID,
                        "lr_model_fit: the validation set has other users or artists than the "
                        "training set (load both against one catalogue, or use lr_dataset_split)");
    lr__eval_hook_ctx hook_ctx = {train, validation, (int)lr__opt_int(&m->opts, LR_OPT_EVAL_K),
                                  lr__opt_threads(&m->opts)};
    lr__fit_ctx ctx = {
        .train = train,
        .validation = validation,
        .progress = lr__opt_progress(&m->opts),
        .hook = validation ? lr__eval_epoch_hook : NULL,
        .hook_ctx = &hook_ctx,
        .t0 = lr__now(),
    };
    /* pop and bpr make no level-3 BLAS or LAPACK call while fitting */
    int rc = m->algo == LR_ALGO_POP || m->algo == LR_ALGO_BPR
                 ? LR_OK
                 : lr__blas_reserve(lr_algorithm_name(m->algo));
    if (rc == LR_OK)
        rc = lr__model_take_catalogue(m, train);
    if (rc == LR_OK)
        rc = lr__algo_find(m->algo)->fit(m, &ctx);
    if (rc == LR_OK)
        rc = lr__model_prepare(m);
    if (rc != LR_OK) {
        lr__model_clear(m); /* nothing half-made survives */
        return rc;
    }
    m->fitted = 1;
    return LR_OK;
}

int lr_option_default(int algorithm, int key, double *value)
{
    if (!value)
        return lr__fail(LR_E_INVALID, "lr_option_default: value is NULL");
    const lr__algo *a = lr__algo_find(algorithm);
    if (!a)
        return lr__fail(LR_E_INVALID, "lr_option_default: unknown algorithm %d (1 pop, 2 mf, 3 als, 4 bpr, 5 ease, 6 blend, 7 softmax)",
                        algorithm);
    /* What lr_model_new() does with options the caller left alone. */
    lr_options o;
    lr__options_init(&o);
    a->defaults(&o);
    return lr_options_get_double(&o, key, value);
}

void lr_model_set_progress(lr_model *m, lr_progress_fn fn, void *user_data)
{
    if (!m)
        return;
    m->opts.progress.fn = fn;
    m->opts.progress.user_data = user_data;
}

int lr_model_option(const lr_model *m, int key, double *value)
{
    if (!m)
        return lr__fail(LR_E_INVALID, "lr_model_option: model is NULL");
    return lr_options_get_double(&m->opts, key, value);
}

int lr_model_embeddings(const lr_model *m, int which, const float **data, size_t *rows,
                        size_t *cols)
{
    if (!m || !data)
        return lr__fail(LR_E_INVALID, "lr_model_embeddings: NULL argument");
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "lr_model_embeddings: the model is not fitted");
    if (!lr__model_has_factors(m))
        return lr__fail(LR_E_UNSUPPORTED, "lr_model_embeddings: %s models have no embeddings",
                        lr_algorithm_name(m->algo));
    switch (which) {
    case LR_EMBEDDING_USERS:
        *data = m->user_f;
        if (rows) *rows = (size_t)m->n_users;
        break;
    case LR_EMBEDDING_ARTISTS:
        *data = m->artist_f;
        if (rows) *rows = (size_t)m->n_artists;
        break;
    default:
        return lr__fail(LR_E_INVALID, "lr_model_embeddings: unknown matrix %d", which);
    }
    if (cols)
        *cols = (size_t)m->k;
    return LR_OK;
}

int lr_model_ids(const lr_model *m, int kind, int32_t *out, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!m || !m->fitted)
        return lr__fail(LR_E_INVALID, "lr_model_ids: the model is NULL or not fitted");
    const int32_t *src;
    size_t n;
    if (kind == LR_IDS_USERS) {
        src = m->user_ids;
        n = (size_t)m->n_users;
    } else if (kind == LR_IDS_ARTISTS) {
        src = m->artist_ids;
        n = (size_t)m->n_artists;
    } else {
        return lr__fail(LR_E_INVALID, "lr_model_ids: kind must be LR_IDS_USERS or LR_IDS_ARTISTS");
    }
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_model_ids: %zu IDs needed, capacity %zu", n, capacity);
    if (n && !out)
        return lr__fail(LR_E_INVALID, "lr_model_ids: output buffer is NULL");
    lr__copy(out, src, n, sizeof *src);
    return LR_OK;
}

int lr_model_history(const lr_model *m, int field, double *out, size_t capacity,
                     size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!m)
        return lr__fail(LR_E_INVALID, "lr_model_history: model is NULL");
    if (field < 1 || field > LR__HIST_FIELDS)
        return lr__fail(LR_E_INVALID, "lr_model_history: unknown field %d", field);
    const lr__history *h = &m->history;
    if (needed)
        *needed = h->n;
    if (capacity < h->n)
        return lr__fail(LR_E_BUFSIZE, "lr_model_history: %zu epochs needed, capacity %zu", h->n, capacity);
    if (h->n && !out)
        return lr__fail(LR_E_INVALID, "lr_model_history: output buffer is NULL");
    for (size_t i = 0; i < h->n; i++)
        out[i] = h->rows[i * LR__HIST_FIELDS + (size_t)(field - 1)];
    return LR_OK;
}
