/* lr_dataset_save.  SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "data/snapshot.h"

int lr_dataset_save(const lr_dataset *ds, const char *path)
{
    if (!ds)
        return lr__fail(LR_E_INVALID, "lr_dataset_save: dataset is NULL");
    if (!path || !*path)
        return lr__fail(LR_E_INVALID, "lr_dataset_save: path is NULL or empty");
    return lr__snapshot_write(ds, path);
}
