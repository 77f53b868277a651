/* The artists nearest one artist in a fitted model's embedding, found by
 * part of a name the way a person types it.
 *
 *   cc similar_artists.c $(pkg-config --cflags --libs lastrec) -o similar_artists
 *   ./similar_artists PATH [NAME]      (NAME: the best-known artist)
 *
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s PATH [NAME]\n", argv[0]);
        return 2;
    }
    lr_dataset *ds = NULL;
    lr_model *m = NULL;
    lr_query *q = NULL;
    int rc = lr_dataset_load(&ds, argv[1], NULL);
    const char *name = argc == 3 ? argv[2] : NULL;
    int32_t first;
    size_t found = 0;
    if (rc == LR_OK && !name && lr_dataset_find_artist(ds, "", &first, 1, &found) == LR_OK &&
        found)
        name = lr_dataset_artist_name(ds, first);
    if (rc == LR_OK)
        rc = lr_model_new(&m, LR_ALGO_ALS, NULL);
    if (rc == LR_OK)
        rc = lr_model_fit(m, ds, NULL);
    if (rc == LR_OK)
        rc = lr_query_new(&q, m);
    if (rc == LR_OK)
        rc = lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_COSINE);
    int32_t artist = 0;
    size_t n = 0;
    if (rc == LR_OK)
        rc = lr_query_similar_name(q, name ? name : "", &artist, &n);
    if (rc != LR_OK) {
        fprintf(stderr, "%s: %s\n", lr_strerror(rc), lr_last_error());
        lr_query_free(q);
        lr_model_free(m);
        lr_dataset_free(ds);
        return 1;
    }
    /* like the notebook: say what else the name could have meant */
    int32_t other[6];
    size_t n_other = 0;
    lr_query_candidates(q, other, 6, &n_other);
    printf("\"%s\" matched %zu artist(s)", name, n_other);
    for (size_t i = 1; i < n_other && i < 6; i++)
        printf("%s %s", i == 1 ? "; also" : ",", lr_query_artist_name(q, other[i]));
    printf("\nartists like %s (cosine of the embeddings):\n", lr_query_artist_name(q, artist));
    for (size_t r = 0; r < n; r++) {
        double score;
        lr_query_result(q, r, NULL, &score);
        printf("%2zu. %-30s %-14s %.3f\n", r + 1, lr_query_result_name(q, r),
               lr_query_result_top_tag(q, r), score);
    }
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(ds); /* name borrowed from it until here */
    return 0;
}
