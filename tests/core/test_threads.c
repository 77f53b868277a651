/* Threads suite: lr__parallel_for's coverage, partition and error
 * propagation.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "core/error.h"
#include "core/options.h"
#include "core/threads.h"

#include <pthread.h>
#include <stdatomic.h>

typedef struct cover {
    atomic_int *hits;   /* per index */
    atomic_int calls;   /* bodies run */
    size_t begin[16], end[16];
    atomic_int tid_seen[16];
} cover;

static int mark(void *ctx, int tid, size_t begin, size_t end)
{
    cover *c = ctx;
    atomic_fetch_add(&c->calls, 1);
    atomic_fetch_add(&c->tid_seen[tid], 1);
    c->begin[tid] = begin;
    c->end[tid] = end;
    for (size_t i = begin; i < end; i++)
        atomic_fetch_add(&c->hits[i], 1);
    return LR_OK;
}

static void check_cover(int threads, size_t n)
{
    cover c;
    memset(&c, 0, sizeof c);
    c.hits = calloc(n ? n : 1, sizeof *c.hits);
    ck_assert_int_eq(lr__parallel_for(threads, n, mark, &c), LR_OK);
    for (size_t i = 0; i < n; i++)
        if (c.hits[i] != 1) /* not ck_assert per index: each costs a system call */
            ck_abort_msg("%d threads, n %zu: index %zu run %d times", threads, n, i,
                         (int)c.hits[i]);
    /* Never more workers than items (but one for n = 0), each once, with
     * contiguous ranges in worker order. */
    int want = threads < 1 ? 1 : (size_t)threads > n ? (n ? (int)n : 1) : threads;
    ck_assert_int_eq(c.calls, want);
    size_t at = 0;
    for (int t = 0; t < want; t++) {
        ck_assert_int_eq(c.tid_seen[t], 1);
        ck_assert_uint_eq(c.begin[t], at);
        ck_assert_uint_ge(c.end[t], c.begin[t]);
        /* Equal shares: sizes differ by at most one. */
        size_t size = c.end[t] - c.begin[t];
        ck_assert_uint_le(size, n / (size_t)want + 1);
        ck_assert_uint_ge(size, n / (size_t)want);
        at = c.end[t];
    }
    ck_assert_uint_eq(at, n);
    free(c.hits);
}

START_TEST(covers_every_index_once)
{
    static const size_t sizes[] = {1, 2, 3, 7, 8, 9, 100, 1000, 100003};
    for (int t = 1; t <= 8; t++)
        for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
            check_cover(t, sizes[i]);
}
END_TEST

START_TEST(fewer_items_than_threads)
{
    check_cover(8, 3);
    check_cover(8, 1);
    check_cover(8, 0);
    check_cover(0, 5);  /* below one thread: one */
    check_cover(-3, 5);
}
END_TEST

START_TEST(same_partition_every_time)
{
    /* Results may depend on the partition, never on timing. */
    cover a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.hits = calloc(1001, sizeof *a.hits);
    b.hits = calloc(1001, sizeof *b.hits);
    ck_assert_int_eq(lr__parallel_for(6, 1001, mark, &a), LR_OK);
    ck_assert_int_eq(lr__parallel_for(6, 1001, mark, &b), LR_OK);
    for (int t = 0; t < 6; t++) {
        ck_assert_uint_eq(a.begin[t], b.begin[t]);
        ck_assert_uint_eq(a.end[t], b.end[t]);
    }
    free(a.hits);
    free(b.hits);
}
END_TEST

static int fail_some(void *ctx, int tid, size_t begin, size_t end)
{
    const int *failing = ctx;
    if (failing[tid])
        return lr__fail(failing[tid], "worker %d failed on items %zu..%zu", tid, begin, end);
    return LR_OK;
}

START_TEST(error_propagates_with_message)
{
    int failing[8] = {0};
    failing[2] = LR_E_RANGE;
    lr_clear_error();
    ck_assert_lr_fail(lr__parallel_for(4, 100, fail_some, failing), LR_E_RANGE,
                      "worker 2 failed on items 50..75");
    /* The first failure in worker order wins, whatever finished first. */
    failing[1] = LR_E_NUMERIC;
    failing[3] = LR_E_NOMEM;
    ck_assert_lr_fail(lr__parallel_for(4, 100, fail_some, failing), LR_E_NUMERIC,
                      "worker 1 failed");
    /* The calling thread's own range (worker 0). */
    failing[0] = LR_E_CANCELLED;
    ck_assert_lr_fail(lr__parallel_for(4, 100, fail_some, failing), LR_E_CANCELLED,
                      "worker 0 failed on items 0..25");
    /* One thread runs inline and keeps its message too. */
    ck_assert_lr_fail(lr__parallel_for(1, 10, fail_some, failing), LR_E_CANCELLED,
                      "worker 0 failed on items 0..10");
    int none[8] = {0};
    ck_assert_int_eq(lr__parallel_for(8, 100, fail_some, none), LR_OK);
}
END_TEST

static int record_thread(void *ctx, int tid, size_t begin, size_t end)
{
    pthread_t *who = ctx;
    who[tid] = pthread_self();
    return LR_OK;
}

START_TEST(runs_on_several_threads)
{
    pthread_t who[4];
    ck_assert_int_eq(lr__parallel_for(4, 4, record_thread, who), LR_OK);
    ck_assert(pthread_equal(who[0], pthread_self())); /* worker 0 is the caller */
    for (int a = 0; a < 4; a++)
        for (int b = a + 1; b < 4; b++)
            ck_assert(!pthread_equal(who[a], who[b]));
}
END_TEST

/* LR_OPT_THREADS far above the CPU count is cut to it, with one warning
 * through the log handler that says why; 0 is every CPU. */
typedef struct logged {
    int warnings;
    char last[256];
} logged;

static void log_into(int level, const char *msg, void *user_data)
{
    logged *l = user_data;
    if (level == LR_LOG_WARNING) {
        l->warnings++;
        snprintf(l->last, sizeof l->last, "%s", msg);
    }
}

START_TEST(threads_capped_at_cpus)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ck_assert_int_ge(cpus, 1);
    logged l = {0, ""};
    lr_set_log_handler(log_into, LR_LOG_WARNING, &l);
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_int_eq(lr__opt_threads(o), cpus); /* the default, 0 */
    ck_assert_int_eq(l.warnings, 0);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1000));
    ck_assert_int_eq(lr__opt_threads(o), cpus);
    ck_assert_int_eq(l.warnings, 1);
    char want[64];
    snprintf(want, sizeof want, "threads=1000 is more than the %ld online CPU", cpus);
    ck_assert_msg(strstr(l.last, want) != NULL, "warning: %s", l.last);
    ck_assert_msg(strstr(l.last, "using") != NULL, "warning: %s", l.last);
    /* Once per process, not once per call. */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1024));
    ck_assert_int_eq(lr__opt_threads(o), cpus);
    ck_assert_int_eq(l.warnings, 1);
    /* Within the CPUs: as asked. */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    ck_assert_int_eq(lr__opt_threads(o), 1);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, cpus));
    ck_assert_int_eq(lr__opt_threads(o), cpus);
    ck_assert_int_eq(l.warnings, 1);
    lr_options_free(o);
    lr_set_log_handler(NULL, LR_LOG_INFO, NULL);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("threads");
    TCase *tc = tcase_create("parallel_for");
    tcase_add_test(tc, covers_every_index_once);
    tcase_add_test(tc, fewer_items_than_threads);
    tcase_add_test(tc, same_partition_every_time);
    tcase_add_test(tc, error_propagates_with_message);
    tcase_add_test(tc, runs_on_several_threads);
    suite_add_tcase(s, tc);
    TCase *clamp = tcase_create("option");
    tcase_add_test(clamp, threads_capped_at_cpus);
    suite_add_tcase(s, clamp);
    return s;
}

int main(void) { return lr_test_run(threads_suite()); }
