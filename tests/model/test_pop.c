/* The popularity baseline: fan counts as scores, one history row, the
 * model API around it.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "../data/tiny.h"
#include "lastrec.h"
#include "model/model.h"

#include <math.h>

/* Fans in training: artist 1 three, artist 2 one, artist 3 none, artist 4
 * three, artist 5 two. */
static const int32_t users[] = {1, 2, 3};
static const int32_t artists[] = {1, 2, 3, 4, 5};
static const char *const names[] = {"One", "Two", "Three", "Four", "Five"};
static const tiny_listen listens[] = {
    {1, 1, 100}, {1, 4, 1},  {1, 5, 9},
    {2, 1, 2},   {2, 2, 5000}, {2, 4, 3},
    {3, 1, 1},   {3, 4, 1},  {3, 5, 1},
};
static const float fans[] = {3, 1, 0, 3, 2};

static lr_dataset *ds;

static void setup(void)
{
    tiny_spec s = {.users = users, .n_users = 3, .artists = artists, .artist_names = names,
                   .n_artists = 5, .listens = listens, .n_listens = TINY_N(listens)};
    ds = tiny_build(&s);
}

static void teardown(void)
{
    lr_dataset_free(ds);
    ds = NULL;
}

static lr_model *fit(const lr_options *o)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, o));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    return m;
}

/* Every user gets the same scores: the number of fans, not listens (artist
 * 2 has the most listens and one fan). */
START_TEST(scores_are_fan_counts)
{
    lr_model *m = fit(NULL);
    float s[3 * 5];
    ck_assert_lr_ok(lr__model_score_users(m, 0, 3, s));
    for (int u = 0; u < 3; u++)
        for (int a = 0; a < 5; a++)
            ck_assert_msg(s[u * 5 + a] == fans[a], "user %d artist %d: %g, want %g", u, a,
                          s[u * 5 + a], fans[a]);
    /* A sub-range of users. */
    ck_assert_lr_ok(lr__model_score_users(m, 2, 1, s));
    ck_assert(memcmp(s, fans, sizeof fans) == 0);
    ck_assert_lr_fail(lr__model_score_users(m, 2, 2, s), LR_E_INVALID, "outside");
    /* Popularity predicts no listen weight. */
    ck_assert(isnan(lr__model_predict(m, 0, 0)));
    lr_model_free(m);
}
END_TEST

/* Nothing is random: two fits give the same scores, whatever the seed. */
START_TEST(deterministic)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 12345));
    lr_model *a = fit(NULL), *b = fit(o);
    lr_options_free(o);
    float sa[5], sb[5];
    ck_assert_lr_ok(lr__model_score_users(a, 0, 1, sa));
    ck_assert_lr_ok(lr__model_score_users(b, 0, 1, sb));
    ck_assert(memcmp(sa, sb, sizeof sa) == 0);
    lr_model_free(a);
    lr_model_free(b);
}
END_TEST

/* One epoch: its time is measured, the losses do not exist. */
START_TEST(history_has_one_row)
{
    lr_model *m = fit(NULL);
    size_t needed = 0;
    ck_assert_lr_fail(lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &needed), LR_E_BUFSIZE,
                      "1 epochs");
    ck_assert_uint_eq(needed, 1);
    for (int f = LR_HISTORY_LOSS; f <= LR_HISTORY_SECONDS; f++) {
        double v = 0;
        ck_assert_lr_ok(lr_model_history(m, f, &v, 1, &needed));
        if (f == LR_HISTORY_SECONDS)
            ck_assert(isfinite(v) && v >= 0);
        else
            ck_assert_msg(isnan(v), "history field %d: %g without a validation set", f, v);
    }
    ck_assert_lr_fail(lr_model_history(m, 0, NULL, 0, NULL), LR_E_INVALID, "unknown field");
    lr_model_free(m);
}
END_TEST

START_TEST(no_embeddings)
{
    lr_model *m = fit(NULL);
    const float *data = NULL;
    size_t rows = 0, cols = 0;
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_USERS, &data, &rows, &cols),
                      LR_E_UNSUPPORTED, "pop");
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &data, &rows, &cols),
                      LR_E_UNSUPPORTED, "no embeddings");
    ck_assert_ptr_null(data);
    lr_model_free(m);
}
END_TEST

/* The model carries the catalogue's IDs, ascending. */
START_TEST(ids)
{
    lr_model *m = fit(NULL);
    int32_t out[8];
    size_t needed = 0;
    ck_assert_lr_ok(lr_model_ids(m, LR_IDS_USERS, out, 8, &needed));
    ck_assert_uint_eq(needed, 3);
    ck_assert(memcmp(out, users, sizeof users) == 0);
    ck_assert_lr_ok(lr_model_ids(m, LR_IDS_ARTISTS, out, 8, &needed));
    ck_assert_uint_eq(needed, 5);
    ck_assert(memcmp(out, artists, sizeof artists) == 0);
    ck_assert_lr_fail(lr_model_ids(m, LR_IDS_ARTISTS, out, 4, &needed), LR_E_BUFSIZE, "capacity 4");
    ck_assert_lr_fail(lr_model_ids(m, LR_IDS_TAGS, out, 8, &needed), LR_E_INVALID, "kind");
    lr_model_free(m);
}
END_TEST

/* Options are copied at creation and read back as the model uses them. */
START_TEST(options)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EVAL_K, 5));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EVAL_K, 7)); /* too late: copied */
    lr_options_free(o);
    double v = 0;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_EVAL_K, &v));
    ck_assert_double_eq(v, 5);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_SEED, &v));
    ck_assert_double_eq(v, 42);
    ck_assert_lr_fail(lr_model_option(m, 9999, &v), LR_E_INVALID, "9999");
    ck_assert_int_eq(lr_model_algorithm(m), LR_ALGO_POP);
    ck_assert_str_eq(lr_algorithm_name(LR_ALGO_POP), "pop");
    int algo = 0;
    ck_assert_lr_ok(lr_algorithm_lookup("pop", &algo));
    ck_assert_int_eq(algo, LR_ALGO_POP);
    lr_model_free(m);
}
END_TEST

/* Fitted once; unfitted until then; an empty training set is refused. */
START_TEST(lifecycle)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, NULL));
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    float s[5];
    ck_assert_lr_fail(lr__model_score_users(m, 0, 1, s), LR_E_INVALID, "not fitted");
    tiny_spec empty = {.users = users, .n_users = 3, .artists = artists, .artist_names = names,
                       .n_artists = 5};
    lr_dataset *none = tiny_build(&empty);
    ck_assert_lr_fail(lr_model_fit(m, none, NULL), LR_E_INVALID, "no listens");
    lr_dataset_free(none);
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    ck_assert_int_eq(lr_model_is_fitted(m), 1);
    ck_assert_lr_fail(lr_model_fit(m, ds, NULL), LR_E_INVALID, "already fitted");
    lr_model_free(m);
    lr_model_free(NULL);
}
END_TEST

/* A progress callback hears the one epoch, and can cancel it: the model
 * then stays unfitted. */
static int count_epochs(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    int *calls = ud;
    ck_assert_str_eq(stage, "epoch");
    ck_assert_uint_eq(done, 1);
    ck_assert_uint_eq(total, 1);
    return ++*calls > 1;
}

START_TEST(progress_and_cancel)
{
    int calls = 0;
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    lr_options_set_progress(o, count_epochs, &calls);
    lr_model *m = fit(o);
    ck_assert_int_eq(calls, 1);
    lr_model_free(m);
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, o));
    ck_assert_lr_fail(lr_model_fit(m, ds, NULL), LR_E_CANCELLED, "cancelled");
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    lr_model_free(m);
    lr_options_free(o);
}
END_TEST

static Suite *pop_suite(void)
{
    Suite *s = suite_create("pop");
    TCase *tc = tcase_create("pop");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, scores_are_fan_counts);
    tcase_add_test(tc, deterministic);
    tcase_add_test(tc, history_has_one_row);
    tcase_add_test(tc, no_embeddings);
    tcase_add_test(tc, ids);
    tcase_add_test(tc, options);
    tcase_add_test(tc, lifecycle);
    tcase_add_test(tc, progress_and_cancel);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(pop_suite()); }
