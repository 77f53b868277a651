/* lr_model_export: argument checks around lib/model/export.c.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "core/options.h"
#include "model/export.h"

int lr_model_export(const lr_model *m, const char *dir, const lr_options *opts)
{
    if (!m || !dir)
        return lr__fail(LR_E_INVALID, "lr_model_export: NULL argument");
    if (!*dir)
        return lr__fail(LR_E_INVALID, "lr_model_export: the directory name is empty");
    if (!m->fitted)
        return lr__fail(LR_E_INVALID,
                        "lr_model_export: the model is not fitted; fit it before exporting "
                        "(nothing was written to %s)",
                        dir);
    /* blend's ranking standardises each part's scores per user over the
     * artists the user has not heard: no fixed pair of vectors gives it,
     * and its als part's alone would rank differently without a word */
    if (m->algo == LR_ALGO_BLEND)
        return lr__fail(LR_E_UNSUPPORTED,
                        "lr_model_export: blend's scores are a per-user standardised sum of an "
                        "item model's, its als part's and its softmax part's, which no dot "
                        "product of exported vectors reproduces; export an als or softmax "
                        "model (nothing was written to %s)",
                        dir);
    if (!lr__model_has_factors(m))
        return lr__fail(LR_E_UNSUPPORTED,
                        "lr_model_export: %s models have no user or artist vectors (nothing was "
                        "written to %s)",
                        lr_algorithm_name(m->algo), dir);
    const int64_t format = opts ? lr__opt_int(opts, LR_OPT_EXPORT_FORMAT) : LR_EXPORT_NPY;
    switch (format) {
    case LR_EXPORT_NPY: return lr__model_export_npy(m, dir);
    default:
        /* the setter's bounds keep every other value out */
        return lr__fail(LR_E_INVALID, "lr_model_export: unknown export_format %lld",
                        (long long)format);
    }
}
