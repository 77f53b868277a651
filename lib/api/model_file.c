/* placeholder: being written.  SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"

int lr_model_save(const lr_model *m, const char *path)
{
    (void)m; (void)path;
    return lr__fail(LR_E_UNSUPPORTED, "model files: not built yet");
}

int lr_model_load(lr_model **out, const char *path)
{
    (void)out; (void)path;
    return lr__fail(LR_E_UNSUPPORTED, "model files: not built yet");
}
