/* SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "test_optim_common.h"
#include "testutil.h"

START_TEST(sgd_reaches_minimum)
{
    lr__optim o;
    float x[QN];
    /* stable for lr < 2 / max a = 0.5 */
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_SGD, 0.2f, 0, 0, QN));
    quad_run(&o, x, 2000);
    ck_assert_float_lt(quad_max_err(x), 1e-3f);
    lr__optim_free(&o);
}
END_TEST

START_TEST(sgd_step_is_exact)
{
    lr__optim o;
    float p[2] = {1, 2}, g[2] = {0.5f, -4};
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_SGD, 0.1f, 0, 0, 2));
    lr__optim_step(&o, p, g, 0, 2);
    ck_assert_float_eq_tol(p[0], 0.95f, 1e-7f);
    ck_assert_float_eq_tol(p[1], 2.4f, 1e-6f);
    lr__optim_free(&o);
}
END_TEST

START_TEST(sgd_too_large_rate_diverges)
{
    /* The caller's guard against divergence needs to see it happen. */
    lr__optim o;
    float x[QN];
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_SGD, 0.6f, 0, 0, QN));
    quad_run(&o, x, 200);
    ck_assert(!(quad_value(x) < 1.0f));
    lr__optim_free(&o);
}
END_TEST

START_TEST(sgd_rejects_bad_settings)
{
    lr__optim o;
    ck_assert_lr_fail(lr__optim_init(&o, LR_OPTIMIZER_SGD, 0.0f, 0, 0, 4), LR_E_INVALID, "learning rate");
    ck_assert_lr_fail(lr__optim_init(&o, LR_OPTIMIZER_SGD, NAN, 0, 0, 4), LR_E_INVALID, "learning rate");
    ck_assert_lr_fail(lr__optim_init(&o, 99, 0.1f, 0, 0, 4), LR_E_INVALID, "optimizer");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("sgd");
    TCase *tc = tcase_create("sgd");
    tcase_add_test(tc, sgd_reaches_minimum);
    tcase_add_test(tc, sgd_step_is_exact);
    tcase_add_test(tc, sgd_too_large_rate_diverges);
    tcase_add_test(tc, sgd_rejects_bad_settings);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
