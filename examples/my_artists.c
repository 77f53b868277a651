/* Recommendations for a listener the model has never seen: name a few
 * artists with how often you played them, and they are folded into a
 * fitted model without retraining.
 *
 *   cc my_artists.c $(pkg-config --cflags --libs lastrec) -o my_artists
 *   ./my_artists PATH ["Artist=listens" ...]
 *
 * Without preferences the data set's three best-known artists are used.
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH [\"Artist=listens\" ...]\n", argv[0]);
        return 2;
    }
    lr_dataset *ds = NULL;
    lr_model *m = NULL;
    lr_query *q = NULL;
    int rc = lr_dataset_load(&ds, argv[1], NULL);
    if (rc == LR_OK)
        rc = lr_model_new(&m, LR_ALGO_ALS, NULL);
    if (rc == LR_OK)
        rc = lr_model_fit(m, ds, NULL);
    if (rc == LR_OK)
        rc = lr_query_new(&q, m);
    for (int i = 2; i < argc && rc == LR_OK; i++) {
        char name[256];
        const char *eq = strrchr(argv[i], '=');
        size_t len = eq ? (size_t)(eq - argv[i]) : 0;
        if (!eq || len >= sizeof name) {
            fprintf(stderr, "'%s' is not Artist=listens\n", argv[i]);
            rc = LR_E_INVALID;
            break;
        }
        memcpy(name, argv[i], len);
        name[len] = '\0';
        /* "beyonce" finds "Beyoncé"; an ambiguous name fails and the
         * message lists the candidates */
        rc = lr_query_add_preference_name(q, name, atof(eq + 1), NULL);
    }
    if (rc == LR_OK && argc == 2) {
        int32_t top[3];
        size_t found = 0;
        rc = lr_dataset_find_artist(ds, "", top, 3, &found); /* "" lists by fans */
        for (size_t i = 0; i < found && i < 3 && rc == LR_OK; i++)
            rc = lr_query_add_preference(q, top[i], 100.0 * (double)(i + 1));
    }
    lr_dataset_free(ds);
    size_t n = 0;
    if (rc == LR_OK)
        rc = lr_query_recommend_preferences(q, &n);
    if (rc != LR_OK) {
        fprintf(stderr, "%s: %s\n", lr_strerror(rc), lr_last_error());
        lr_query_free(q);
        lr_model_free(m);
        return 1;
    }
    printf("because you like");
    int32_t liked[16];
    double listens[16];
    size_t n_liked = 0;
    if (lr_query_preferences(q, liked, listens, 16, &n_liked) == LR_OK)
        for (size_t i = 0; i < n_liked; i++)
            printf("%s %s (%.0f)", i ? "," : "", lr_query_artist_name(q, liked[i]), listens[i]);
    printf(":\n");
    for (size_t r = 0; r < n; r++) {
        int32_t why[1];
        size_t nw = 0;
        lr_query_result_explanation(q, r, why, NULL, 1, &nw);
        printf("%2zu. %-30s %-14s mostly for %s\n", r + 1, lr_query_result_name(q, r),
               lr_query_result_top_tag(q, r), nw ? lr_query_artist_name(q, why[0]) : "-");
    }
    lr_query_free(q); /* the preferences go with it; the model never changed */
    lr_model_free(m);
    return 0;
}
