/* placeholder: being written.  SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "core/error.h"

static void bpr_defaults(lr_options *o) { (void)o; }
static int bpr_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    (void)m;
    (void)ctx;
    return lr__fail(LR_E_UNSUPPORTED, "bpr: not built yet");
}
const lr__algo lr__algo_bpr = {LR_ALGO_BPR, "bpr", bpr_defaults, bpr_fit};
