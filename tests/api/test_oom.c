/* Out of memory: a user's whole run (load a HetRec directory, split, fit,
 * save, load the model, query it) with its 1st, 2nd, 3rd, ... allocation
 * failed in turn (lr__alloc_fail_nth, lib/core/alloc.c), until a run no
 * longer reaches the failing allocation.  Every run that fails must fail
 * with LR_E_NOMEM and a message, free what it allocated (LeakSanitizer, in
 * the sanitizer build) and not crash (the suite's process would).  A run
 * may also succeed past a failed allocation where the library falls back
 * (fewer threads, say); it must then give the model an unfailed run gives.
 * SPDX-License-Identifier: MIT */
#include "oom_harness.h"

#include <stdio.h>
#include <string.h>

/* Small enough that every run of every N takes milliseconds; threads=1 so
 * that the nth allocation is the same one on every run. */
static const char *const fit_opts =
    "threads=1,factors=4,epochs=2,hidden_width=8,tag_dim=4,min_listeners=1";

typedef struct run_result {
    int rc;          /* the first failing call's status, or LR_OK */
    char msg[512];   /* its message */
    int32_t top[5];  /* the user's recommendations when rc is LR_OK */
} run_result;

/* The HetRec directory every run loads: a synthetic data set written out
 * once, before the hook is armed. */
static char data_dir[256];

static void make_data_dir(void)
{
    snprintf(data_dir, sizeof data_dir, "%s", lr_test_tmpdir());
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(
        o, "synth_users=30,synth_artists=60,synth_tags=12,synth_clusters=3,"
           "synth_artists_per_user=8,synth_friends_per_user=2,seed=7"));
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    ck_assert_lr_ok(lr_dataset_write_hetrec(ds, data_dir));
    lr_dataset_free(ds);
    lr_options_free(o);
}

#define STEP(call)                                                              \
    do {                                                                        \
        if (r->rc == LR_OK && (r->rc = (call)) != LR_OK)                        \
            snprintf(r->msg, sizeof r->msg, "%s: %s", #call, lr_last_error()); \
    } while (0)

/* One user's run; every handle it makes is freed whatever fails. */
static void run(int algo, const char *model_path, run_result *r)
{
    memset(r, 0, sizeof *r);
    lr_options *o = NULL;
    lr_dataset *all = NULL, *train = NULL, *test = NULL;
    lr_model *m = NULL, *back = NULL;
    lr_query *q = NULL;
    lr_evaluation *e = NULL;
    int32_t users[64] = {0};
    size_t n = 0;

    STEP(lr_options_new(&o));
    STEP(lr_options_set_string(o, fit_opts));
    STEP(lr_dataset_load(&all, data_dir, o));
    STEP(lr_dataset_split(all, LR_SPLIT_PER_USER, o, &train, &test));
    STEP(lr_model_new(&m, algo, o));
    STEP(lr_model_fit(m, train, NULL));
    STEP(lr_model_save(m, model_path));
    STEP(lr_model_load(&back, model_path));
    STEP(lr_query_new(&q, back));
    STEP(lr_dataset_ids(train, LR_IDS_USERS, users, sizeof users / sizeof *users, NULL));
    STEP(lr_query_set_int(q, LR_QUERY_K, 5));
    STEP(lr_query_recommend_user(q, users[0], &n));
    STEP(lr_query_results(q, r->top, NULL, NULL, NULL, NULL, 0, 5, NULL));
    STEP(lr_query_add_preference(q, r->top[0], 10));
    STEP(lr_query_recommend_preferences(q, &n));
    STEP(lr_evaluate(&e, back, train, test, 5, o));

    lr_evaluation_free(e);
    lr_query_free(q);
    lr_model_free(back);
    lr_model_free(m);
    lr_dataset_free(test);
    lr_dataset_free(train);
    lr_dataset_free(all);
    lr_options_free(o);
}

/* What a user reads must say what could not be had and how much: "out
 * of memory: 1.24 GB (310887424 x 4 bytes) for the 17632 x 17632 item
 * matrix" (lib/core/alloc.c), never a bare "out of memory". */
static int names_size_and_what(const char *msg)
{
    const char *p = strstr(msg, "out of memory: ");
    if (!p)
        return 0;
    p += strlen("out of memory: ");
    if (*p < '0' || *p > '9')
        return 0;
    const char *end = strstr(p, " for ");
    if (!end)
        return 0;
    /* a byte count, or a size too big to count */
    const char *bytes = strstr(p, " bytes");
    if (!(bytes && bytes < end) && !strstr(p, "past the address space"))
        return 0;
    /* and what: a few words, not a placeholder */
    const char *what = end + strlen(" for ");
    return strlen(what) >= 6 && strncmp(what, "memory", 6) != 0;
}

/* One algorithm's runs under the hook: the unfailed run's
 * recommendations, and the latest run's result. */
typedef struct algo_runs {
    int algo;
    const char *name;
    char path[400];
    run_result good, r;
} algo_runs;

static int algo_run(void *ctx)
{
    algo_runs *a = ctx;
    run(a->algo, a->path, &a->r);
    return a->r.rc;
}

/* A failed run says what and how much it could not have; one that fell
 * back gives the unfailed run's recommendations. */
static void check_run(void *ctx, long long nth, int rc)
{
    const algo_runs *a = ctx;
    if (rc == LR_OK) {
        ck_assert_msg(memcmp(a->r.top, a->good.top, sizeof a->r.top) == 0,
                      "%s: allocation %lld failed, yet the run succeeded with "
                      "other recommendations",
                      a->name, nth);
        return;
    }
    ck_assert_msg(rc == LR_E_NOMEM, "%s: allocation %lld failed: got %d (%s): %s", a->name, nth,
                  rc, lr_strerror(rc), a->r.msg);
    ck_assert_msg(names_size_and_what(a->r.msg),
                  "%s: allocation %lld: the message does not say what and how much: %s",
                  a->name, nth, a->r.msg);
}

/* Once memory runs out it usually stays out: no run may fall back. */
static void check_persistent(void *ctx, long long nth, int rc)
{
    ck_assert_msg(rc != LR_OK, "allocations from %lld on failed, yet the run succeeded", nth);
    check_run(ctx, nth, rc);
}

/* Fail each allocation of the run in turn; returns how many runs failed. */
static long long fail_each(int algo, int persistent)
{
    algo_runs a = {.algo = algo, .name = lr_algorithm_name(algo)};
    snprintf(a.path, sizeof a.path, "%s/oom.lrmodel", data_dir);
    run(algo, a.path, &a.good);
    ck_assert_msg(a.good.rc == LR_OK, "%s: unfailed run: %s", a.name, a.good.msg);
    const lr_oom_tally t = lr_oom_each(a.name, persistent, algo_run,
                                       persistent ? check_persistent : check_run, &a);
    /* For the log: how much of the run the hook reached. */
    fprintf(stderr, "%s%s: %lld allocations, %lld runs failed with LR_E_NOMEM, %lld fell back\n",
            a.name, persistent ? " (from the nth on)" : "", t.allocations, t.failures,
            t.fallbacks);
    return t.failures;
}

static void oom_algo(int algo)
{
    make_data_dir();
    long long failures = fail_each(algo, 0);
    /* Loading, splitting, fitting, saving and querying all allocate: a
     * hook that never fired would pass every check above. */
    ck_assert_msg(failures >= 20, "%s: only %lld runs failed", lr_algorithm_name(algo),
                  failures);
    lr_test_remove_dir(data_dir);
}

START_TEST(each_allocation_fails_cleanly)
{
    static const int algos[] = {LR_ALGO_POP,  LR_ALGO_MF,    LR_ALGO_ALS,    LR_ALGO_BPR,
                                LR_ALGO_EASE, LR_ALGO_BLEND, LR_ALGO_SOFTMAX};
    oom_algo(algos[_i]);
}
END_TEST

START_TEST(persistent_failure_from_each_point)
{
    /* Once memory runs out it usually stays out: every allocation from the
     * nth on fails, so error paths that allocate (a message, a cleanup)
     * fail too. */
    make_data_dir();
    fail_each(LR_ALGO_ALS, 1);
    lr_test_remove_dir(data_dir);
}
END_TEST

START_TEST(hook_disarmed_by_zero)
{
    /* Arming and disarming leave later allocations alone. */
    lr__alloc_fail_nth(1, 0);
    lr_options *o = NULL;
    ck_assert_int_eq(lr_options_new(&o), LR_E_NOMEM);
    ck_assert_ptr_null(o);
    ck_assert_int_eq(lr__alloc_count(), 1);
    lr__alloc_fail_nth(0, 0);
    ck_assert_lr_ok(lr_options_new(&o));
    lr_options_free(o);
}
END_TEST

static Suite *oom_suite(void)
{
    Suite *s = suite_create("oom");
    TCase *tc = tcase_create("oom");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, hook_disarmed_by_zero);
    tcase_add_loop_test(tc, each_allocation_fails_cleanly, 0, 7);
    tcase_add_test(tc, persistent_failure_from_each_point);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(oom_suite()); }
