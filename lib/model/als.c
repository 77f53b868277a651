/* placeholder: being written.  SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "core/error.h"

static void als_defaults(lr_options *o) { (void)o; }
static int als_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    (void)m;
    (void)ctx;
    return lr__fail(LR_E_UNSUPPORTED, "als: not built yet");
}
const lr__algo lr__algo_als = {LR_ALGO_ALS, "als", als_defaults, als_fit};
