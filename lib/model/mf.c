/* placeholder: being written.  SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "core/error.h"

static void mf_defaults(lr_options *o) { (void)o; }
static int mf_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    (void)m;
    (void)ctx;
    return lr__fail(LR_E_UNSUPPORTED, "mf: not built yet");
}
const lr__algo lr__algo_mf = {LR_ALGO_MF, "mf", mf_defaults, mf_fit};
