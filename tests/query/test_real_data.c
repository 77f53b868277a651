/* The notebook's showcase on the real data: recommendations for its two
 * preference lists and the artists similar to "Kanye", from the best model
 * (blend) and from ALS, each fitted on the dev split's training side.  Skipped (exit 77, saying why)
 * unless LASTREC_DATA and LASTREC_SPLIT name the HetRec directory and the
 * split.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"

#include <stdio.h>

static lr_dataset *catalogue;
/* The models under test, the blend first; each test loops over them
 * (tcase_add_loop_test's _i). */
static const int algos[] = {LR_ALGO_BLEND, LR_ALGO_ALS};
#define N_MODELS 2
static lr_model *models[N_MODELS];
static lr_model *model;

typedef struct pref {
    const char *name;
    double listens;
} pref;

static const pref first[] = {
    {"Chris Brown", 4000}, {"Justin Timberlake", 6000}, {"David Guetta", 500},
    {"Kanye West", 100},   {"Drake", 200},
};
static const pref second[] = {
    {"Black Eyed Peas", 1000}, {"Katy Perry", 2050},        {"Jennifer Lopez", 2500},
    {"Beyonc\xc3\xa9", 3570},  {"Leona Lewis", 2660},
};

static const char *top_tag(int32_t artist)
{
    double t;
    ck_assert_lr_ok(lr_dataset_artist_stat(catalogue, artist, LR_STAT_TOP_TAG, &t));
    return t < 0 ? "" : lr_dataset_tag_name(catalogue, (int32_t)t);
}

/* Recommend for a preference list: never a preferred artist, and most of
 * the top 10 share a top tag with the preferences' top tags. */
static void showcase(const pref *p, int n)
{
    printf("[%s] ", lr_algorithm_name(algos[model == models[0] ? 0 : 1]));
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, model));
    int32_t ids[8];
    const char *tags[8];
    for (int i = 0; i < n; i++) {
        ck_assert_lr_ok(lr_query_add_preference_name(q, p[i].name, p[i].listens, &ids[i]));
        ck_assert_str_eq(lr_query_artist_name(q, ids[i]), p[i].name);
        tags[i] = top_tag(ids[i]);
    }
    size_t got;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &got));
    ck_assert_uint_eq(got, 10);
    int shared = 0;
    printf("preferences %s, ...:\n", p[0].name);
    for (size_t r = 0; r < got; r++) {
        int32_t id;
        double score;
        ck_assert_lr_ok(lr_query_result(q, r, &id, &score));
        for (int i = 0; i < n; i++)
            ck_assert_msg(id != ids[i], "%s was recommended though preferred", p[i].name);
        const char *t = lr_query_result_top_tag(q, r);
        int match = 0;
        for (int i = 0; i < n; i++)
            match |= *t && strcmp(t, tags[i]) == 0;
        shared += match;
        int32_t why[3];
        size_t nw;
        ck_assert_lr_ok(lr_query_result_explanation(q, r, why, NULL, 3, &nw));
        printf("  %2zu. %-28s %-12s %7.3f  because of %s\n", r + 1, lr_query_result_name(q, r),
               t, score, nw ? lr_query_artist_name(q, why[0]) : "-");
    }
    ck_assert_msg(shared >= 6, "only %d of the top 10 share a top tag with the preferences",
                  shared);
    lr_query_free(q);
}

START_TEST(first_preference_list)
{
    model = models[_i];
    showcase(first, 5);
}
END_TEST

START_TEST(second_preference_list)
{
    model = models[_i];
    showcase(second, 5);
}
END_TEST

START_TEST(similar_to_kanye)
{
    model = models[_i];
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, model));
    int32_t kanye;
    size_t n, nc;
    ck_assert_lr_ok(lr_query_similar_name(q, "Kanye", &kanye, &n));
    ck_assert_str_eq(lr_query_artist_name(q, kanye), "Kanye West");
    ck_assert_lr_ok(lr_query_candidates(q, NULL, 0, &nc));
    ck_assert_uint_gt(nc, 1); /* "Kanye West & Jay-Z" and more */
    ck_assert_uint_eq(n, 10);
    /* the strict lookup the preferences use refuses to guess */
    int32_t id;
    ck_assert_lr_fail(lr_query_find_artist(q, "Kanye", &id), LR_E_AMBIGUOUS, "Kanye West");
    ck_assert_lr_ok(lr_query_similar(q, kanye, &n));
    const char *kt = top_tag(kanye);
    int shared = 0;
    printf("[%s] similar to Kanye West (%s):\n", lr_algorithm_name(algos[_i]), kt);
    for (size_t r = 0; r < n; r++) {
        ck_assert_lr_ok(lr_query_result(q, r, &id, NULL));
        ck_assert_int_ne(id, kanye);
        const char *tags[5];
        size_t nt;
        ck_assert_lr_ok(lr_query_result_tags(q, r, tags, NULL, 5, &nt));
        int match = 0;
        for (size_t i = 0; i < nt; i++)
            match |= strcmp(tags[i], kt) == 0;
        shared += match;
        printf("  %2zu. %-28s %s\n", r + 1, lr_query_result_name(q, r),
               lr_query_result_top_tag(q, r));
    }
    ck_assert_msg(shared >= 5, "only %d of 10 similar artists carry Kanye West's tag %s", shared,
                  kt);
    lr_query_free(q);
}
END_TEST

int main(void)
{
    const char *dir = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    if (!dir || !*dir || !split || !*split) {
        printf("SKIP: LASTREC_DATA and LASTREC_SPLIT are not both set\n");
        return 77;
    }
    char train_path[1024];
    snprintf(train_path, sizeof train_path, "%s/train.dat", split);
    lr_dataset *train;
    if (lr_dataset_load(&catalogue, dir, NULL) != LR_OK ||
        lr_dataset_load_listens(&train, train_path, catalogue, NULL) != LR_OK) {
        printf("cannot load the real data: %s\n", lr_last_error());
        return EXIT_FAILURE;
    }
    int rc = LR_OK;
    for (int i = 0; i < N_MODELS && rc == LR_OK; i++) {
        rc = lr_model_new(&models[i], algos[i], NULL);
        if (rc == LR_OK)
            rc = lr_model_fit(models[i], train, NULL);
        if (rc != LR_OK)
            printf("%s fit failed: %s\n", lr_algorithm_name(algos[i]), lr_last_error());
    }
    lr_dataset_free(train);
    if (rc != LR_OK)
        return EXIT_FAILURE;
    Suite *s = suite_create("query_real_data");
    TCase *tc = tcase_create("showcase");
    tcase_add_loop_test(tc, first_preference_list, 0, N_MODELS);
    tcase_add_loop_test(tc, second_preference_list, 0, N_MODELS);
    tcase_add_loop_test(tc, similar_to_kanye, 0, N_MODELS);
    suite_add_tcase(s, tc);
    rc = lr_test_run(s);
    for (int i = 0; i < N_MODELS; i++)
        lr_model_free(models[i]);
    lr_dataset_free(catalogue);
    return rc;
}
