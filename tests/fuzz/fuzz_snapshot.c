/* The input as a dataset snapshot, loaded by lr_dataset_load (which knows
 * a snapshot by its magic); what loads is saved again, which walks all of
 * it.  SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[700], again[700];
    if (!path[0]) {
        snprintf(path, sizeof path, "%s/in.lrsnap", fuzz_dir());
        snprintf(again, sizeof again, "%s/again.lrsnap", fuzz_dir());
    }
    fuzz_write(path, data, size);
    lr_dataset *ds = NULL;
    if (lr_dataset_load(&ds, path, NULL) == LR_OK && lr_dataset_save(ds, again) != LR_OK)
        __builtin_trap(); /* a dataset that loads saves */
    lr_dataset_free(ds);
    return 0;
}
