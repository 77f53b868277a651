/* One file of a HetRec directory replaced by the input, the directory
 * loaded through lr_dataset_load, the real loader.  FUZZ_FILE names the
 * file (one target per file kind, tests/fuzz/meson.build); the other files
 * are the seed data set's, so the input reaches the checks across files.
 * SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdio.h>

#ifndef FUZZ_FILE
#  error "FUZZ_FILE: the name of the file the input replaces"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[700];
    static const char *dir;
    if (!dir) {
        dir = fuzz_hetrec_dir("hetrec");
        snprintf(path, sizeof path, "%s/%s", dir, FUZZ_FILE);
    }
    fuzz_write(path, data, size);
    lr_dataset *ds = NULL;
    if (lr_dataset_load(&ds, dir, NULL) == LR_OK) {
        /* Something loaded: what it holds must be usable. */
        int32_t ids[8];
        size_t n = 0;
        lr_dataset_ids(ds, LR_IDS_ARTISTS, NULL, 0, &n);
        if (n && lr_dataset_ids(ds, LR_IDS_ARTISTS, ids, 1, NULL) != LR_E_BUFSIZE)
            __builtin_trap(); /* a complete list is all or nothing */
        lr_dataset_find_artist(ds, "a", ids, 8, &n);
    }
    lr_dataset_free(ds);
    return 0;
}
