/* Out-of-memory runs for the suites that fail allocations on purpose
 * (lr__alloc_fail_nth, lib/core/alloc.c): a run's 1st, 2nd, 3rd, ...
 * allocation failed in turn, until a run no longer reaches the failing
 * one, with LeakSanitizer's check between runs in the sanitizer build.
 * What a failed or a fallen-back run must show is the suite's own check.
 * SPDX-License-Identifier: MIT */
#ifndef LR_TEST_OOM_HARNESS_H
#define LR_TEST_OOM_HARNESS_H

#include "testutil.h"
#include "lastrec.h"
#include "core/alloc.h"

#if defined(__SANITIZE_ADDRESS__)
#  define LR_TEST_LSAN 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer)
#    define LR_TEST_LSAN 1
#  endif
#endif
#ifdef LR_TEST_LSAN
#  include <sanitizer/lsan_interface.h>
#endif

/* No leak so far (a no-op without LeakSanitizer); nth names the last
 * run checked, -1 for all of them. */
static inline void lr_oom_leak_check(const char *what, long long nth)
{
#ifdef LR_TEST_LSAN
    ck_assert_msg(__lsan_do_recoverable_leak_check() == 0,
                  "%s: leaks in the runs up to allocation %lld failed (-1: all runs; see the "
                  "report above)",
                  what, nth);
#else
    (void)what;
    (void)nth;
#endif
}

/* What the runs came to. */
typedef struct lr_oom_tally {
    long long allocations; /* of an unfailed run */
    long long failures;    /* runs that returned a status */
    long long fallbacks;   /* runs that succeeded past their failed allocation */
} lr_oom_tally;

/* run(ctx) with its nth allocation failed (persistent: every allocation
 * from the nth on), for nth = 1, 2, ... until the run ends before its
 * nth allocation, which must then succeed.  run returns LR_OK or the
 * status it failed with; check(ctx, nth, rc) then asserts what the suite
 * expects of that run, with the hook disarmed.  threads=1 runs allocate
 * in the same order every time, so the nth is the same allocation. */
static inline lr_oom_tally lr_oom_each(const char *what, int persistent, int (*run)(void *ctx),
                                       void (*check)(void *ctx, long long nth, int rc),
                                       void *ctx)
{
    lr_oom_tally t = {0, 0, 0};
    long long nth;
    for (nth = 1;; nth++) {
        lr__alloc_fail_nth(nth, persistent);
        const int rc = run(ctx);
        const long long count = lr__alloc_count();
        lr__alloc_fail_nth(0, 0);
        if (count < nth) {
            ck_assert_msg(rc == LR_OK, "%s: the run past its last allocation (%lld) failed: %d",
                          what, nth, rc);
            break;
        }
        if (rc == LR_OK)
            t.fallbacks++;
        else
            t.failures++;
        check(ctx, nth, rc);
        if (nth % 64 == 0)
            lr_oom_leak_check(what, nth);
    }
    lr_oom_leak_check(what, -1);
    t.allocations = nth - 1;
    return t;
}

#endif
