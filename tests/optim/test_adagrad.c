/* SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "test_optim_common.h"
#include "testutil.h"

START_TEST(adagrad_reaches_minimum)
{
    lr__optim o;
    float x[QN];
    /* A rate that SGD could not use (0.6 > 2 / max a): Adagrad's per
     * coordinate scaling keeps it stable. */
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_ADAGRAD, 1.0f, 1e-8f, 0.0f, QN));
    quad_run(&o, x, 5000);
    ck_assert_float_lt(quad_max_err(x), 1e-2f);
    ck_assert_float_lt(quad_value(x), 1e-4f);
    lr__optim_free(&o);
}
END_TEST

START_TEST(adagrad_first_step_is_normalised)
{
    /* With a zero history the first step is lr * sign(g), whatever |g|. */
    lr__optim o;
    float p[3] = {0, 0, 0}, g[3] = {100, -0.01f, 3};
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_ADAGRAD, 0.5f, 0.0f, 0.0f, 3));
    lr__optim_step(&o, p, g, 0, 3);
    ck_assert_float_eq_tol(p[0], -0.5f, 1e-6f);
    ck_assert_float_eq_tol(p[1], 0.5f, 1e-6f);
    ck_assert_float_eq_tol(p[2], -0.5f, 1e-6f);
    /* accumulators persist per parameter: the second equal step is 1/sqrt2 */
    lr__optim_step(&o, p, g, 0, 3);
    ck_assert_float_eq_tol(p[0], -0.5f - 0.5f / sqrtf(2.0f), 1e-6f);
    lr__optim_free(&o);
}
END_TEST

START_TEST(adagrad_slices_use_their_own_history)
{
    lr__optim o;
    float p[4] = {0, 0, 0, 0}, g[2] = {1, 1};
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_ADAGRAD, 1.0f, 0.0f, 0.0f, 4));
    lr__optim_step(&o, p + 2, g, 2, 2); /* touches parameters 2 and 3 only */
    lr__optim_step(&o, p + 2, g, 2, 2);
    lr__optim_step(&o, p, g, 0, 2);
    ck_assert_float_eq_tol(p[0], -1.0f, 1e-6f);
    ck_assert_float_eq_tol(p[2], -1.0f - 1.0f / sqrtf(2.0f), 1e-6f);
    lr__optim_free(&o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("adagrad");
    TCase *tc = tcase_create("adagrad");
    tcase_add_test(tc, adagrad_reaches_minimum);
    tcase_add_test(tc, adagrad_first_step_is_normalised);
    tcase_add_test(tc, adagrad_slices_use_their_own_history);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
