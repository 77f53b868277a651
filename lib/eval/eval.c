/* placeholder: being written.  SPDX-License-Identifier: MIT */
#include "eval/eval.h"
#include "core/error.h"

int lr__evaluate(lr_evaluation **out, const lr_model *m, const lr_dataset *train,
                 const lr_dataset *test, int k, int threads,
                 const lr__progress *progress)
{
    (void)out; (void)m; (void)train; (void)test; (void)k; (void)threads; (void)progress;
    return lr__fail(LR_E_UNSUPPORTED, "evaluation: not built yet");
}

int lr__eval_epoch_hook(const lr_model *m, double *row, void *ctx)
{
    (void)m; (void)row; (void)ctx;
    return LR_OK;
}

int lr__eval_same_catalogue(const lr_model *m, const lr_dataset *ds)
{
    (void)m; (void)ds;
    return 1;
}
