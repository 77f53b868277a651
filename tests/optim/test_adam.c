/* SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "test_optim_common.h"
#include "testutil.h"

START_TEST(adam_reaches_minimum)
{
    lr__optim o;
    float x[QN];
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_ADAM, 0.05f, 1e-8f, 0.0f, QN));
    quad_run(&o, x, 5000);
    ck_assert_float_lt(quad_max_err(x), 1e-2f);
    ck_assert_float_lt(quad_value(x), 1e-4f);
    lr__optim_free(&o);
}
END_TEST

START_TEST(adam_first_steps_are_normalised)
{
    /* Bias-corrected, the first step is lr * sign(g) whatever |g|, and a
     * constant gradient keeps every step at lr: the corrections undo the
     * moments' start at zero exactly. */
    lr__optim o;
    float p[3] = {0, 0, 0}, g[3] = {100, -0.01f, 3};
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_ADAM, 0.5f, 0.0f, 0.0f, 3));
    for (int s = 1; s <= 3; s++) {
        lr__optim_next(&o);
        lr__optim_step(&o, p, g, 0, 3);
        ck_assert_float_eq_tol(p[0], -0.5f * (float)s, 1e-4f);
        ck_assert_float_eq_tol(p[1], 0.5f * (float)s, 1e-4f);
        ck_assert_float_eq_tol(p[2], -0.5f * (float)s, 1e-4f);
    }
    lr__optim_free(&o);
}
END_TEST

START_TEST(adam_momentum_carries_on)
{
    /* After a run of gradients +1, one gradient 0 still moves the
     * parameter the same way (SGD and Adagrad would stand still). */
    lr__optim o;
    float p[1] = {0}, one[1] = {1}, zero[1] = {0};
    ck_assert_lr_ok(lr__optim_init(&o, LR_OPTIMIZER_ADAM, 0.1f, 1e-8f, 0.0f, 1));
    for (int s = 0; s < 10; s++) {
        lr__optim_next(&o);
        lr__optim_step(&o, p, one, 0, 1);
    }
    const float before = p[0];
    lr__optim_next(&o);
    lr__optim_step(&o, p, zero, 0, 1);
    ck_assert_float_lt(p[0], before - 0.05f);
    lr__optim_free(&o);
}
END_TEST

START_TEST(adam_slices_share_the_step_count)
{
    /* Two slices of one step see the same bias correction: updating a
     * vector in one call or in two gives the same bits. */
    lr__optim a, b;
    float pa[QN], pb[QN], g[QN];
    ck_assert_lr_ok(lr__optim_init(&a, LR_OPTIMIZER_ADAM, 0.05f, 1e-8f, 0.0f, QN));
    ck_assert_lr_ok(lr__optim_init(&b, LR_OPTIMIZER_ADAM, 0.05f, 1e-8f, 0.0f, QN));
    for (int i = 0; i < QN; i++)
        pa[i] = pb[i] = 0;
    for (int s = 0; s < 50; s++) {
        quad_grad(pa, g);
        lr__optim_next(&a);
        lr__optim_step(&a, pa, g, 0, QN);
        quad_grad(pb, g);
        lr__optim_next(&b);
        lr__optim_step(&b, pb, g, 0, 5);
        lr__optim_step(&b, pb + 5, g + 5, 5, QN - 5);
    }
    for (int i = 0; i < QN; i++)
        ck_assert(pa[i] == pb[i]);
    lr__optim_free(&a);
    lr__optim_free(&b);
}
END_TEST

START_TEST(adam_refuses_bad_rates)
{
    lr__optim o;
    ck_assert_int_eq(lr__optim_init(&o, LR_OPTIMIZER_ADAM, 0.0f, 1e-8f, 0.0f, 4), LR_E_INVALID);
    ck_assert_int_eq(lr__optim_init(&o, 4, 0.1f, 1e-8f, 0.0f, 4), LR_E_INVALID);
    ck_assert_ptr_nonnull(strstr(lr_last_error(), "3 = adam"));
}
END_TEST

int main(void)
{
    Suite *s = suite_create("adam");
    TCase *tc = tcase_create("adam");
    tcase_add_test(tc, adam_reaches_minimum);
    tcase_add_test(tc, adam_first_steps_are_normalised);
    tcase_add_test(tc, adam_momentum_carries_on);
    tcase_add_test(tc, adam_slices_share_the_step_count);
    tcase_add_test(tc, adam_refuses_bad_rates);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
