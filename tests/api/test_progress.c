/* Progress suite: a model keeps the callback of the options it was made
 * with; lr_model_set_progress() replaces or clears it, so a cancelled fit
 * can be fitted again.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <lastrec/lastrec.h>

static const int algos[] = {LR_ALGO_MF, LR_ALGO_ALS, LR_ALGO_BPR, LR_ALGO_BLEND};
#define N_ALGOS ((int)(sizeof algos / sizeof algos[0]))

static lr_dataset *train;

static void setup(void)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "synth_users=60,synth_artists=200,seed=3"));
    ck_assert_lr_ok(lr_dataset_synthesize(&train, o));
    lr_options_free(o);
}

static void teardown(void) { lr_dataset_free(train); }

/* Cancels every fit at its first report. */
static int always_cancel(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (*(int *)user_data)++;
    return 1;
}

/* Counts the reports and lets the fit run. */
static int count(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (*(int *)user_data)++;
    return 0;
}

static lr_model *quick_model(int algo, int *cancels)
{
    lr_options *o;
    lr_model *m;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "factors=4,epochs=2,threads=1,min_listeners=1"));
    lr_options_set_progress(o, always_cancel, cancels);
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    lr_options_free(o); /* the model keeps the callback, not the options */
    return m;
}

START_TEST(cancel_clear_fit_again)
{
    int cancels = 0;
    lr_model *m = quick_model(algos[_i], &cancels);
    ck_assert_lr_fail(lr_model_fit(m, train, NULL), LR_E_CANCELLED, "");
    ck_assert_int_eq(cancels, 1);
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    /* The same callback cancels the next fit too: that is why it can be
     * replaced. */
    ck_assert_int_eq(lr_model_fit(m, train, NULL), LR_E_CANCELLED);
    ck_assert_int_eq(cancels, 2);
    lr_model_set_progress(m, NULL, NULL);
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    ck_assert_int_eq(lr_model_is_fitted(m), 1);
    ck_assert_int_eq(cancels, 2);
    lr_model_free(m);
}
END_TEST

START_TEST(replace_callback_and_user_data)
{
    int cancels = 0, reports = 0;
    lr_model *m = quick_model(algos[_i], &cancels);
    ck_assert_int_eq(lr_model_fit(m, train, NULL), LR_E_CANCELLED);
    lr_model_set_progress(m, count, &reports);
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    ck_assert_int_eq(cancels, 1);
    ck_assert_int_ge(reports, 1);
    lr_model_set_progress(NULL, count, &reports); /* ignored */
    lr_model_free(m);
}
END_TEST

static Suite *progress_suite(void)
{
    Suite *s = suite_create("progress");
    TCase *tc = tcase_create("model");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, cancel_clear_fit_again, 0, N_ALGOS);
    tcase_add_loop_test(tc, replace_callback_and_user_data, 0, N_ALGOS);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(progress_suite()); }
