/* The input as a model file, loaded by lr_model_load; what loads is saved
 * again and queried (the first user, the first artist's neighbours, a
 * fold-in of it), which reads every section a query needs.
 * SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

/* The first ID of a kind, or 0 when the model has none. */
static int32_t first_id(const lr_model *m, int kind)
{
    size_t n = 0;
    lr_model_ids(m, kind, NULL, 0, &n);
    if (!n)
        return 0;
    int32_t *ids = malloc(n * sizeof *ids);
    if (!ids)
        abort();
    int32_t id = lr_model_ids(m, kind, ids, n, NULL) == LR_OK ? ids[0] : 0;
    free(ids);
    return id;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[700], again[700];
    if (!path[0]) {
        snprintf(path, sizeof path, "%s/in.lrmodel", fuzz_dir());
        snprintf(again, sizeof again, "%s/again.lrmodel", fuzz_dir());
    }
    fuzz_write(path, data, size);
    lr_model *m = NULL;
    if (lr_model_load(&m, path) != LR_OK)
        return 0;
    if (lr_model_save(m, again) != LR_OK)
        __builtin_trap(); /* a model that loads saves */
    lr_query *q = NULL;
    if (lr_query_new(&q, m) == LR_OK) {
        size_t n;
        int32_t user = first_id(m, LR_IDS_USERS), artist = first_id(m, LR_IDS_ARTISTS);
        lr_query_recommend_user(q, user, &n);
        lr_query_similar(q, artist, &n);
        lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_COSINE);
        lr_query_similar(q, artist, &n);
        if (lr_query_add_preference(q, artist, 5) == LR_OK)
            lr_query_recommend_preferences(q, &n);
        for (size_t r = 0; r < lr_query_result_count(q); r++) {
            lr_query_result_name(q, r);
            lr_query_result_top_tag(q, r);
        }
        lr_query_free(q);
    }
    lr_model_free(m);
    return 0;
}
