/* placeholder: being written.  SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "core/error.h"

static void ease_defaults(lr_options *o) { (void)o; }
static int ease_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    (void)m;
    (void)ctx;
    return lr__fail(LR_E_UNSUPPORTED, "ease: not built yet");
}
const lr__algo lr__algo_ease = {LR_ALGO_EASE, "ease", ease_defaults, ease_fit};
