/* Fit an implicit-feedback ALS model and recommend artists for one user,
 * with the artists of theirs that explain each choice.
 *
 *   cc recommend_user.c $(pkg-config --cflags --libs lastrec) -o recommend_user
 *   ./recommend_user PATH [USER_ID]    (PATH: a data set; USER_ID: the first user)
 *
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>
#include <stdlib.h>

static int fail(int rc)
{
    fprintf(stderr, "%s: %s\n", lr_strerror(rc), lr_last_error());
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s PATH [USER_ID]\n", argv[0]);
        return 2;
    }
    lr_dataset *ds = NULL;
    lr_model *m = NULL;
    lr_query *q = NULL;
    int rc = lr_dataset_load(&ds, argv[1], NULL);
    if (rc == LR_OK)
        rc = lr_model_new(&m, LR_ALGO_ALS, NULL);
    if (rc == LR_OK)
        rc = lr_model_fit(m, ds, NULL); /* the model copies what queries need */
    lr_dataset_free(ds);
    if (rc == LR_OK)
        rc = lr_query_new(&q, m); /* one query per thread; the model is shared */
    if (rc != LR_OK) {
        lr_model_free(m);
        return fail(rc);
    }

    int32_t user = 0;
    size_t n = 0;
    if (argc == 3) {
        user = (int32_t)atol(argv[2]);
    } else {
        /* bulk outputs go to caller buffers: ask for the size, then fill */
        lr_model_ids(m, LR_IDS_USERS, NULL, 0, &n);
        int32_t *ids = malloc(n * sizeof *ids);
        if (ids && lr_model_ids(m, LR_IDS_USERS, ids, n, &n) == LR_OK && n)
            user = ids[0];
        free(ids);
    }
    rc = lr_query_recommend_user(q, user, &n);
    if (rc != LR_OK) {
        lr_query_free(q);
        lr_model_free(m);
        return fail(rc);
    }
    printf("top %zu artists for user %d, leaving out the ones they play:\n", n, (int)user);
    for (size_t r = 0; r < n; r++) {
        int32_t id, why[3];
        double score;
        size_t nw = 0;
        lr_query_result(q, r, &id, &score);
        lr_query_result_explanation(q, r, why, NULL, 3, &nw);
        /* names and tags are borrowed from the model: no copy, no free */
        printf("%2zu. %-30s %-14s %5lld fans  %.3f", r + 1, lr_query_result_name(q, r),
               lr_query_result_top_tag(q, r), (long long)lr_query_result_fans(q, r), score);
        for (size_t i = 0; i < nw; i++)
            printf("%s%s", i ? ", " : "  because of ", lr_query_artist_name(q, why[i]));
        putchar('\n');
    }
    lr_query_free(q); /* before the model it borrows */
    lr_model_free(m);
    return 0;
}
