/* The input as a file in user_artists.dat format, loaded as listens over
 * the seed data set's catalogue (lr_dataset_load_listens, the listens-only
 * loader).  SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdio.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[700];
    if (!path[0])
        snprintf(path, sizeof path, "%s/listens.dat", fuzz_dir());
    fuzz_write(path, data, size);
    lr_dataset *ds = NULL;
    if (lr_dataset_load_listens(&ds, path, fuzz_dataset(), NULL) == LR_OK &&
        lr_dataset_count(ds, LR_COUNT_ARTISTS) != lr_dataset_count(fuzz_dataset(), LR_COUNT_ARTISTS))
        __builtin_trap(); /* listens load over the catalogue, whole */
    lr_dataset_free(ds);
    return 0;
}
