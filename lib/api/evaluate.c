/* The public evaluation entry points.  SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "eval/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lr_evaluate(lr_evaluation **out, const lr_model *m, const lr_dataset *train,
                const lr_dataset *test, int k, const lr_options *opts)
{
    if (!out || !m || !train || !test)
        return lr__fail(LR_E_INVALID, "lr_evaluate: NULL argument");
    *out = NULL;
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "lr_evaluate: the model is not fitted");
    if (k < 1)
        return lr__fail(LR_E_INVALID, "lr_evaluate: k must be at least 1, got %d", k);
    if (!lr__eval_same_catalogue(m, train) || !lr__eval_same_catalogue(m, test))
        return lr__fail(LR_E_INVALID,
                        "lr_evaluate: train and test must have the model's users and artists "
                        "(load them against one catalogue)");
    return lr__evaluate(out, m, train, test, k, lr__opt_threads(opts), lr__opt_progress(opts));
}

double lr_evaluation_metric(const lr_evaluation *e, int metric)
{
    if (!e || metric < 1 || metric > LR__METRIC_MAX)
        return NAN;
    return e->metric[metric];
}

int lr_evaluation_user_metric(const lr_evaluation *e, int metric, double *out,
                              size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!e || metric < 1 || metric > LR__METRIC_MAX)
        return lr__fail(LR_E_INVALID, "lr_evaluation_user_metric: NULL evaluation or unknown metric");
    if (!e->per_user[metric])
        return lr__fail(LR_E_INVALID, "lr_evaluation_user_metric: metric %d has no per-user values", metric);
    size_t n = (size_t)e->n_users;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_evaluation_user_metric: %zu users needed, capacity %zu", n, capacity);
    if (n && !out)
        return lr__fail(LR_E_INVALID, "lr_evaluation_user_metric: output buffer is NULL");
    lr__copy(out, e->per_user[metric], n, sizeof *out);
    return LR_OK;
}

int lr_evaluation_users(const lr_evaluation *e, int32_t *out, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!e)
        return lr__fail(LR_E_INVALID, "lr_evaluation_users: evaluation is NULL");
    size_t n = (size_t)e->n_users;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_evaluation_users: %zu users needed, capacity %zu", n, capacity);
    if (n && !out)
        return lr__fail(LR_E_INVALID, "lr_evaluation_users: output buffer is NULL");
    lr__copy(out, e->user_ids, n, sizeof *out);
    return LR_OK;
}

void lr_evaluation_free(lr_evaluation *e)
{
    if (!e)
        return;
    free(e->user_ids);
    for (int i = 0; i <= LR__METRIC_MAX; i++)
        free(e->per_user[i]);
    free(e);
}
