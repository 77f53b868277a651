/* The input as the text of an artist-name search: over the seed data set
 * (lr_dataset_find_artist) and over a model's names (lr_query_find_artist,
 * lr_query_add_preference_name, lr_query_similar_name).
 * SPDX-License-Identifier: MIT */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static lr_model *m;
    static lr_query *q;
    if (!m) {
        if (lr_model_load(&m, fuzz_model_file(LR_ALGO_ALS, "search.lrmodel")) != LR_OK ||
            lr_query_new(&q, m) != LR_OK)
            __builtin_trap();
    }
    const char *text = fuzz_text(data, size);
    int32_t ids[16], id;
    size_t n = 0, count;
    if (lr_dataset_find_artist(fuzz_dataset(), text, ids, 16, &n) == LR_OK && n > 0 &&
        lr_dataset_artist_name(fuzz_dataset(), ids[0]) == NULL)
        __builtin_trap(); /* a candidate is an artist of the data set */
    lr_query_find_artist(q, text, &id);
    lr_query_clear_preferences(q);
    lr_query_add_preference_name(q, text, 3, &id);
    lr_query_similar_name(q, text, &id, &count);
    return 0;
}
