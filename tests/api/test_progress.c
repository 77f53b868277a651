/* Progress suite: a model keeps the callback of the options it was made
 * with; lr_model_set_progress() replaces or clears it, so a cancelled fit
 * can be fitted again.  Synthesis and loading report as they go (a large
 * file within its rows), and stop when asked.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <lastrec/lastrec.h>

#include <string.h>

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

/* What a long call reported of one stage, and a report of it to cancel
 * at (0: never). */
typedef struct watch {
    const char *stage;
    int reports, inside, cancel_at, decreasing;
    uint64_t last_done, total;
} watch;

static int watch_stage(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    watch *w = user_data;
    if (strcmp(stage, w->stage) != 0)
        return 0;
    w->decreasing |= w->reports && done < w->last_done;
    w->reports++;
    w->inside += done > 0 && done < total;
    w->last_done = done;
    w->total = total;
    return w->reports == w->cancel_at;
}

static lr_options *synth_options(int users, watch *w)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, users));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, 2000));
    lr_options_set_progress(o, watch_stage, w);
    return o;
}

START_TEST(synthesize_reports_users)
{
    static const char *const stages[] = {"synthesize listens", "synthesize tag uses"};
    watch w = {.stage = stages[_i]};
    lr_options *o = synth_options(10000, &w);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    /* from 0 to every user, in steps, never back */
    ck_assert_uint_eq(w.total, 10000);
    ck_assert_uint_eq(w.last_done, 10000);
    ck_assert_int_ge(w.inside, 1);
    ck_assert_int_eq(w.decreasing, 0);
    lr_dataset_free(ds);
    lr_options_free(o);
}
END_TEST

START_TEST(synthesize_cancels)
{
    static const char *const stages[] = {"synthesize listens", "synthesize tag uses",
                                         "synthesize friends and dataset"};
    watch w = {.stage = stages[_i], .cancel_at = 2};
    lr_options *o = synth_options(10000, &w);
    lr_dataset *ds = (lr_dataset *)&w; /* must come back NULL */
    ck_assert_lr_fail(lr_dataset_synthesize(&ds, o), LR_E_CANCELLED, stages[_i]);
    ck_assert_ptr_null(ds);
    ck_assert_int_eq(w.reports, 2);
    lr_options_free(o);
}
END_TEST

/* A HetRec directory whose user_artists.dat has more rows than one
 * report's worth (65,536), so it reports from inside the file. */
static const char *big_hetrec(void)
{
    static char dir[256];
    snprintf(dir, sizeof dir, "%s", lr_test_tmpdir());
    watch none = {.stage = ""};
    lr_options *o = synth_options(4000, &none);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    ck_assert_int_gt(lr_dataset_count(ds, LR_COUNT_LISTENS), 2 * 65536);
    ck_assert_lr_ok(lr_dataset_write_hetrec(ds, dir));
    lr_dataset_free(ds);
    lr_options_free(o);
    return dir;
}

START_TEST(load_reports_within_a_file)
{
    const char *dir = big_hetrec();
    watch w = {.stage = "read user_artists.dat"};
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    lr_options_set_progress(o, watch_stage, &w);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, o));
    ck_assert_int_ge(w.inside, 2);
    ck_assert_int_eq(w.decreasing, 0);
    ck_assert_uint_eq(w.last_done, w.total); /* bytes: the whole file */
    lr_dataset_free(ds);

    /* cancelled at the first report inside the file */
    watch c = {.stage = "read user_artists.dat", .cancel_at = 2};
    lr_options_set_progress(o, watch_stage, &c);
    ck_assert_lr_fail(lr_dataset_load(&ds, dir, o), LR_E_CANCELLED, "user_artists.dat");
    ck_assert_ptr_null(ds);
    ck_assert_int_eq(c.inside, 1);
    lr_options_free(o);
    lr_test_remove_dir(dir);
}
END_TEST

START_TEST(snapshot_load_reports_and_cancels)
{
    lr_test_place p = lr_test_make_place("data.lrsnap");
    ck_assert_lr_ok(lr_dataset_save(train, p.path));
    watch w = {.stage = "process data"};
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    lr_options_set_progress(o, watch_stage, &w);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, p.path, o));
    ck_assert_int_eq(w.reports, 2); /* its start and its end */
    ck_assert_uint_eq(w.last_done, 1);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS),
                     lr_dataset_count(train, LR_COUNT_LISTENS));
    lr_dataset_free(ds);
    watch c = {.stage = "load snapshot", .cancel_at = 2};
    lr_options_set_progress(o, watch_stage, &c);
    ck_assert_lr_fail(lr_dataset_load(&ds, p.path, o), LR_E_CANCELLED, "load snapshot");
    ck_assert_ptr_null(ds);
    lr_options_free(o);
    lr_test_remove_dir(p.dir);
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
    TCase *data = tcase_create("data");
    tcase_set_timeout(data, 60);
    tcase_add_loop_test(data, synthesize_reports_users, 0, 2);
    tcase_add_loop_test(data, synthesize_cancels, 0, 3);
    tcase_add_test(data, load_reports_within_a_file);
    tcase_add_checked_fixture(data, setup, teardown);
    tcase_add_test(data, snapshot_load_reports_and_cancels);
    suite_add_tcase(s, data);
    return s;
}

int main(void) { return lr_test_run(progress_suite()); }
