/* Ranking evaluation: the one implementation of ../docs/evaluation.md used by
 * the api, the tool, the benchmarks and the bindings.
 * SPDX-License-Identifier: MIT */
#ifndef LR_EVAL_EVAL_H
#define LR_EVAL_EVAL_H

#include "lastrec.h"
#include "model/model.h"

#define LR__METRIC_MAX 11 /* highest enum lr_metric */

struct lr_evaluation {
    int k;
    int32_t n_users;               /* evaluated users */
    int32_t *user_ids;             /* [n_users] ascending */
    double *per_user[LR__METRIC_MAX + 1]; /* [metric][n_users], NULL when not per-user */
    double metric[LR__METRIC_MAX + 1];    /* averages; NaN when not applicable */
};

/* Evaluate m on test given train (both over m's catalogue: same users and
 * artists, checked by the caller).  threads >= 1. */
int lr__evaluate(lr_evaluation **out, const lr_model *m, const lr_dataset *train,
                 const lr_dataset *test, int k, int threads,
                 const lr__progress *progress);

/* The epoch hook lr_model_fit installs when a validation set is given. */
typedef struct lr__eval_hook_ctx {
    const lr_dataset *train;
    const lr_dataset *validation;
    int k;
    int threads;
} lr__eval_hook_ctx;

int lr__eval_epoch_hook(const lr_model *m, double *row, void *ctx);

/* 1 when ds has the same users and artists (IDs) as m. */
int lr__eval_same_catalogue(const lr_model *m, const lr_dataset *ds);

#endif
