/* Hold out a share of each user's artists for evaluation, with options set
 * from text and a progress callback.
 *
 *   cc split_dataset.c $(pkg-config --cflags --libs lastrec) -o split_dataset
 *   ./split_dataset PATH ["holdout_fraction=0.2,seed=7"]
 *
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>

static int on_progress(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    unsigned *calls = user_data;
    ++*calls;
    (void)stage, (void)done, (void)total;
    return 0; /* non-zero would cancel with LR_E_CANCELLED */
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s\n", what, lr_strerror(rc), lr_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s PATH [KEY=VALUE,...]\n", argv[0]);
        return 2;
    }
    lr_options *opts = NULL;
    lr_dataset *ds = NULL, *train = NULL, *test = NULL;
    unsigned calls = 0;
    int rc = lr_options_new(&opts);
    if (rc != LR_OK)
        return fail("options", rc);
    lr_options_set_progress(opts, on_progress, &calls);
    if (argc == 3 && (rc = lr_options_set_string(opts, argv[2])) != LR_OK) {
        lr_options_free(opts);
        return fail("options", rc);
    }
    rc = lr_dataset_load(&ds, argv[1], opts);
    if (rc == LR_OK)
        rc = lr_dataset_split(ds, LR_SPLIT_PER_USER, opts, &train, &test);
    if (rc != LR_OK) {
        lr_options_free(opts);
        lr_dataset_free(ds);
        return fail(argv[1], rc);
    }
    double fraction = 0;
    lr_options_get_double(opts, LR_OPT_HOLDOUT_FRACTION, &fraction);
    printf("held out %.0f%% per user: %lld training listens, %lld test listens "
           "(%u progress reports)\n",
           100 * fraction, (long long)lr_dataset_count(train, LR_COUNT_LISTENS),
           (long long)lr_dataset_count(test, LR_COUNT_LISTENS), calls);
    lr_dataset_free(test);
    lr_dataset_free(train);
    lr_dataset_free(ds);
    lr_options_free(opts);
    return 0;
}
