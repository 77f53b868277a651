/* The batch unit (lib/query/batch.c): lr_query_recommend_all reports its
 * progress through the options' callback, user blocks done of all users,
 * and stops when the callback asks: LR_E_CANCELLED with a message naming
 * the stage, on one thread or several, after which the same query runs
 * to the end again and gives what an uncancelled run gives.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "core/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K 10

/* Several blocks of users (a block is at most 128 users) at any thread
 * count. */
static lr_model *model;
static int32_t users;

static void setup(void)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(
        o, "synth_users=700,synth_artists=900,seed=3,factors=8,epochs=2,threads=1"));
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    ck_assert_lr_ok(lr_model_new(&model, LR_ALGO_ALS, o));
    ck_assert_lr_ok(lr_model_fit(model, ds, NULL));
    users = (int32_t)lr_dataset_count(ds, LR_COUNT_USERS);
    lr_dataset_free(ds);
    lr_options_free(o);
}

static void teardown(void) { lr_model_free(model); }

/* What the callback heard; cancel_at > 0 stops at the first report with
 * done >= cancel_at. */
typedef struct heard {
    int calls;
    uint64_t first, last, total;
    int monotone, stage_ok;
    uint64_t cancel_at;
} heard;

static int listen_cb(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    heard *h = user_data;
    if (h->calls == 0)
        h->first = done;
    else if (done < h->last)
        h->monotone = 0;
    h->stage_ok &= strcmp(stage, "recommend all users") == 0;
    h->calls++;
    h->last = done;
    h->total = total;
    return h->cancel_at > 0 && done >= h->cancel_at;
}

static int run(int threads, heard *h, int32_t *ids)
{
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, model));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, K));
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, threads));
    if (h) {
        h->monotone = h->stage_ok = 1;
        lr_options_set_progress(o, listen_cb, h);
    }
    int rc = lr_query_recommend_all(q, o, ids, NULL, (size_t)users * K, NULL);
    lr_options_free(o);
    lr_query_free(q);
    return rc;
}

START_TEST(progress_counts_every_user)
{
    const int threads = 1 + _i;
    int32_t *ids = malloc((size_t)users * K * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    heard h = {0};
    ck_assert_lr_ok(run(threads, &h, ids));
    /* a start, then one report per block at most */
    ck_assert_int_ge(h.calls, 2);
    ck_assert_uint_eq(h.first, 0);
    ck_assert_uint_eq(h.last, (uint64_t)users);
    ck_assert_uint_eq(h.total, (uint64_t)users);
    ck_assert(h.monotone);
    ck_assert(h.stage_ok);
    free(ids);
}
END_TEST

START_TEST(cancel_stops_and_says_so)
{
    const int threads = 1 + _i;
    const size_t n = (size_t)users * K;
    int32_t *ref = malloc(n * sizeof *ref), *ids = malloc(n * sizeof *ids);
    ck_assert_ptr_nonnull(ref);
    ck_assert_ptr_nonnull(ids);
    ck_assert_lr_ok(run(threads, NULL, ref));

    /* stop after the first block: the callback is not asked again, as
     * the workers give up at their next block */
    heard h = {.cancel_at = 1};
    ck_assert_int_eq(run(threads, &h, ids), LR_E_CANCELLED);
    ck_assert_ptr_nonnull(strstr(lr_last_error(), "recommend all users"));
    ck_assert_ptr_nonnull(strstr(lr_last_error(), "cancelled"));
    ck_assert_uint_lt(h.last, (uint64_t)users);
    const int calls = h.calls;
    ck_assert_int_le(calls, 2 + threads);

    /* the same query runs to the end afterwards, with the same result */
    memset(ids, 0xff, n * sizeof *ids);
    ck_assert_lr_ok(run(threads, NULL, ids));
    ck_assert_mem_eq(ids, ref, n * sizeof *ids);
    free(ref);
    free(ids);
}
END_TEST

/* A callback that stops at once cancels before any user is scored. */
static int stop_now(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)stage;
    (void)done;
    (void)total;
    ++*(int *)user_data;
    return 1;
}

START_TEST(cancel_at_start)
{
    int calls = 0;
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, model));
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    lr_options_set_progress(o, stop_now, &calls);
    int32_t *ids = malloc((size_t)users * K * sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    ck_assert_lr_fail(lr_query_recommend_all(q, o, ids, NULL, (size_t)users * K, NULL),
                      LR_E_CANCELLED, "recommend all users");
    ck_assert_int_eq(calls, 1);
    free(ids);
    lr_options_free(o);
    lr_query_free(q);
}
END_TEST

int main(void)
{
    /* 3 threads mean 3 workers, even on a 2-core machine */
    lr__opt_threads_uncap(1);
    Suite *s = suite_create("batch");
    TCase *t = tcase_create("progress");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_loop_test(t, progress_counts_every_user, 0, 3);
    tcase_add_loop_test(t, cancel_stops_and_says_so, 0, 3);
    tcase_add_test(t, cancel_at_start);
    suite_add_tcase(s, t);
    return lr_test_run(s);
}
