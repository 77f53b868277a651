/* The input as a lastfm-360K plays file (usersha1-artmbid-artname-plays.tsv)
 * in a directory, loaded through lr_dataset_load, the real loader, once
 * failing at the first bad line and once skipping bad lines.
 * SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* What any loaded dataset of this format must hold: a key per user that
 * finds the user again, users and artists numbered 1..N. */
static void check(const lr_dataset *ds)
{
    int64_t users = lr_dataset_count(ds, LR_COUNT_USERS);
    if (users < 1 || lr_dataset_count(ds, LR_COUNT_ARTISTS) < 1)
        __builtin_trap(); /* an empty file is LR_E_EMPTY, never a dataset */
    for (int32_t u = 1; u <= users && u <= 8; u++) {
        const char *key = lr_dataset_user_key(ds, u);
        int32_t back = 0;
        if (!key || strlen(key) != 40 || lr_dataset_find_user_key(ds, key, &back) != LR_OK ||
            back != u)
            __builtin_trap();
    }
    if (lr_dataset_user_key(ds, (int32_t)users + 1))
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dir[700], path[800];
    static lr_options *strict_opts, *skip;
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "%s/l360", fuzz_dir());
        mkdir(dir, 0777);
        snprintf(path, sizeof path, "%s/usersha1-artmbid-artname-plays.tsv", dir);
        /* The same line limit for both, so that only the option differs. */
        if (lr_options_new(&strict_opts) != LR_OK ||
            lr_options_set_int(strict_opts, LR_OPT_MAX_LINE, 256) != LR_OK ||
            lr_options_new(&skip) != LR_OK ||
            lr_options_set_int(skip, LR_OPT_SKIP_BAD_LINES, 1) != LR_OK ||
            lr_options_set_int(skip, LR_OPT_MAX_LINE, 256) != LR_OK)
            __builtin_trap();
    }
    fuzz_write(path, data, size);
    lr_dataset *strict = NULL, *lax = NULL;
    int rs = lr_dataset_load(&strict, dir, strict_opts);
    int rl = lr_dataset_load(&lax, dir, skip);
    if (rs == LR_OK)
        check(strict);
    if (rl == LR_OK)
        check(lax);
    /* A file that loads strictly has no bad line to skip: the same data. */
    if (rs == LR_OK && lr_dataset_count(strict, LR_COUNT_LISTENS) <= 256 &&
        (rl != LR_OK || lr_dataset_count(lax, LR_COUNT_BAD_LINES_SKIPPED) != 0 ||
         lr_dataset_count(lax, LR_COUNT_LISTENS) != lr_dataset_count(strict, LR_COUNT_LISTENS)))
        __builtin_trap();
    lr_dataset_free(strict);
    lr_dataset_free(lax);
    return 0;
}
