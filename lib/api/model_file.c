/* lr_model_save / lr_model_load: argument checks around lib/model/file.c.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "model/file.h"

int lr_model_save(const lr_model *m, const char *path)
{
    if (!m || !path)
        return lr__fail(LR_E_INVALID, "lr_model_save: NULL argument");
    if (!m->fitted)
        return lr__fail(LR_E_INVALID,
                        "lr_model_save: the model is not fitted; fit it before saving (%s was "
                        "not written)",
                        path);
    return lr__model_file_write(m, path);
}

int lr_model_load(lr_model **out, const char *path)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_model_load: out is NULL");
    *out = NULL;
    if (!path)
        return lr__fail(LR_E_INVALID, "lr_model_load: path is NULL");
    return lr__model_file_read(out, path);
}
