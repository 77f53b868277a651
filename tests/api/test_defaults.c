/* Defaults suite: lr_option_default() tells a C caller, before any model
 * exists, the value every option takes in a model of each algorithm, the
 * same lr_model_option() reports after lr_model_new().
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <lastrec/lastrec.h>

#include <math.h>

static const int algos[] = {LR_ALGO_POP, LR_ALGO_MF,   LR_ALGO_ALS,
                            LR_ALGO_BPR, LR_ALGO_EASE, LR_ALGO_BLEND};
#define N_ALGOS ((int)(sizeof algos / sizeof algos[0]))

START_TEST(default_is_what_a_new_model_uses)
{
    int algo = algos[_i];
    lr_model *plain = NULL, *with_opts = NULL;
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_model_new(&plain, algo, NULL));
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_model_new(&with_opts, algo, o));
    int key;
    for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
        double d = NAN, a = NAN, b = NAN;
        ck_assert_lr_ok(lr_option_default(algo, key, &d));
        ck_assert_lr_ok(lr_model_option(plain, key, &a));
        ck_assert_lr_ok(lr_model_option(with_opts, key, &b));
        const char *name;
        ck_assert_lr_ok(lr_option_info(key, &name, NULL, NULL, NULL, NULL));
        ck_assert_msg(d == a && d == b, "%s, %s: default %g, model %g / %g",
                      lr_algorithm_name(algo), name, d, a, b);
    }
    lr_model_free(plain);
    lr_model_free(with_opts);
    lr_options_free(o);
}
END_TEST

/* The example of the issue: a fresh options object says 0.05, an als
 * model uses 15 with BM25. */
START_TEST(als_differs_from_the_generic_default)
{
    double generic, als, transform, mf;
    ck_assert_lr_ok(lr_option_info(LR_OPT_REGULARIZATION, NULL, NULL, NULL, NULL, &generic));
    ck_assert_lr_ok(lr_option_default(LR_ALGO_ALS, LR_OPT_REGULARIZATION, &als));
    ck_assert_lr_ok(lr_option_default(LR_ALGO_ALS, LR_OPT_TRANSFORM, &transform));
    ck_assert_lr_ok(lr_option_default(LR_ALGO_MF, LR_OPT_TRANSFORM, &mf));
    ck_assert(generic != als);
    ck_assert_double_eq(als, 15);
    ck_assert_double_eq(transform, LR_TRANSFORM_BM25);
    ck_assert_str_eq(lr_option_value_name(LR_OPT_TRANSFORM, (int64_t)transform), "bm25");
    /* an option no algorithm changes keeps its generic default */
    double seed;
    ck_assert_lr_ok(lr_option_default(LR_ALGO_BPR, LR_OPT_SEED, &seed));
    ck_assert_double_eq(seed, 42);
}
END_TEST

START_TEST(bad_arguments)
{
    double d;
    ck_assert_lr_fail(lr_option_default(0, LR_OPT_SEED, &d), LR_E_INVALID, "unknown algorithm 0");
    ck_assert_lr_fail(lr_option_default(99, LR_OPT_SEED, &d), LR_E_INVALID, "als");
    ck_assert_lr_fail(lr_option_default(LR_ALGO_ALS, 4242, &d), LR_E_INVALID, "4242");
    ck_assert_lr_fail(lr_option_default(LR_ALGO_ALS, LR_OPT_SEED, NULL), LR_E_INVALID, "NULL");
}
END_TEST

static Suite *defaults_suite(void)
{
    Suite *s = suite_create("defaults");
    TCase *tc = tcase_create("defaults");
    tcase_add_loop_test(tc, default_is_what_a_new_model_uses, 0, N_ALGOS);
    tcase_add_test(tc, als_differs_from_the_generic_default);
    tcase_add_test(tc, bad_arguments);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(defaults_suite()); }
