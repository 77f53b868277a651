/* lib/core/alloc.c: every failed allocation is remembered, so that the
 * caller's lr__fail_oom("what") says what could not be had and how much;
 * the fault-injection hook.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "core/alloc.h"
#include "core/error.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>

/* Each test arms the hook itself and leaves it disarmed. */
static void disarm(void) { lr__alloc_fail_nth(0, 0); }

START_TEST(injected_failure_names_size_and_what)
{
    lr__alloc_fail_nth(1, 0);
    float *p = lr__malloc(310887424, sizeof *p);
    disarm();
    ck_assert_ptr_null(p);
    ck_assert_int_eq(lr__fail_oom("the %d x %d item matrix", 17632, 17632), LR_E_NOMEM);
    ck_assert_str_eq(lr_last_error(),
                     "out of memory: 1.24 GB (310887424 x 4 bytes) for the 17632 x 17632 item matrix");
}
END_TEST

START_TEST(each_allocator_remembers)
{
    /* calloc, realloc, aligned and strdup, and sizes below a kilobyte and
     * of single bytes, each in its own words */
    lr__alloc_fail_nth(1, 1);
    ck_assert_ptr_null(lr__calloc(3, 8));
    ck_assert_int_eq(lr__fail_oom("a"), LR_E_NOMEM);
    ck_assert_str_eq(lr_last_error(), "out of memory: 24 bytes (3 x 8) for a");
    ck_assert_ptr_null(lr__realloc(NULL, 2500, 1));
    lr__fail_oom("b");
    ck_assert_str_eq(lr_last_error(), "out of memory: 2.5 kB (2500 bytes) for b");
    ck_assert_ptr_null(lr__aligned(64, 1000000, 16));
    lr__fail_oom("c");
    ck_assert_str_eq(lr_last_error(), "out of memory: 16 MB (1000000 x 16 bytes) for c");
    ck_assert_ptr_null(lr__strdup("four"));
    lr__fail_oom("d");
    ck_assert_str_eq(lr_last_error(), "out of memory: 5 bytes for d");
    disarm();
}
END_TEST

START_TEST(overflow_is_named)
{
    ck_assert_ptr_null(lr__malloc(SIZE_MAX / 2, 3));
    lr__fail_oom("the huge thing");
    char want[160];
    snprintf(want, sizeof want,
             "out of memory: %zu x 3 bytes, past the address space, for the huge thing",
             SIZE_MAX / 2);
    ck_assert_str_eq(lr_last_error(), want);
}
END_TEST

START_TEST(grow_remembers)
{
    void *p = NULL;
    size_t cap = 0;
    lr__alloc_fail_nth(1, 0);
    ck_assert_int_eq(lr__grow(&p, &cap, 100, 8), LR_E_NOMEM);
    disarm();
    ck_assert_ptr_null(p);
    ck_assert_uint_eq(cap, 0);
    lr__fail_oom("the list");
    /* the doubled capacity it asked for, not what was needed */
    ck_assert_str_eq(lr_last_error(), "out of memory: 1.02 kB (128 x 8 bytes) for the list");
    /* a capacity that cannot double past SIZE_MAX: the need is what is named */
    ck_assert_int_eq(lr__grow(&p, &cap, SIZE_MAX / 2 + 2, 1), LR_E_NOMEM);
    lr__fail_oom("the long list");
    char want[160];
    snprintf(want, sizeof want, "out of memory: %.3g EB (%zu bytes) for the long list",
             (double)(SIZE_MAX / 2 + 2) / 1e18, SIZE_MAX / 2 + 2);
    ck_assert_str_eq(lr_last_error(), want);
}
END_TEST

START_TEST(latest_failure_told)
{
    /* The latest failure's size, however often it is told: a caller up the
     * stack may report it again in its own words. */
    lr__alloc_fail_nth(1, 0);
    ck_assert_ptr_null(lr__malloc(10, 10));
    disarm();
    lr__fail_oom("first");
    ck_assert_str_eq(lr_last_error(), "out of memory: 100 bytes (10 x 10) for first");
    lr__fail_oom("its caller's %s", "words");
    ck_assert_str_eq(lr_last_error(), "out of memory: 100 bytes (10 x 10) for its caller's words");
    /* a success after the failure leaves its size in place (!a || !b) */
    lr__alloc_fail_nth(1, 0);
    void *a = lr__malloc(7, 1);
    void *b = lr__malloc(8, 1);
    disarm();
    ck_assert_ptr_null(a);
    ck_assert_ptr_nonnull(b);
    free(b);
    lr__fail_oom("pair");
    ck_assert_str_eq(lr_last_error(), "out of memory: 7 bytes for pair");
}
END_TEST

START_TEST(known_size)
{
    ck_assert_int_eq(lr__fail_oom_size(46341, 46341 * 4, "the %s", "matrix"), LR_E_NOMEM);
    ck_assert_str_eq(lr_last_error(), "out of memory: 8.59 GB (46341 x 185364 bytes) for the matrix");
}
END_TEST

START_TEST(message_needs_no_memory)
{
    /* With every allocation failing the message is still whole: it is
     * built in the thread's own buffer. */
    lr__alloc_fail_nth(1, 1);
    for (int i = 0; i < 3; i++)
        ck_assert_ptr_null(lr__malloc(1000, 1000));
    ck_assert_int_eq(lr__fail_oom("%s %d", "try", 3), LR_E_NOMEM);
    disarm();
    ck_assert_str_eq(lr_last_error(), "out of memory: 1 MB (1000 x 1000 bytes) for try 3");
}
END_TEST

static void *fail_on_other_thread(void *arg)
{
    (void)arg;
    return lr__malloc(4096, 2);
}

START_TEST(threads_tell_their_own)
{
    /* Threads run out of memory together: each tells its own size, never
     * another thread's later one. */
    lr__alloc_fail_nth(1, 0);
    ck_assert_ptr_null(lr__malloc(3, 1));
    lr__alloc_fail_nth(1, 0);
    pthread_t t;
    void *got = (void *)1;
    ck_assert_int_eq(pthread_create(&t, NULL, fail_on_other_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(t, &got), 0);
    disarm();
    ck_assert_ptr_null(got);
    lr__fail_oom("mine");
    ck_assert_str_eq(lr_last_error(), "out of memory: 3 bytes for mine");
}
END_TEST

START_TEST(long_description_truncated)
{
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    lr__alloc_fail_nth(1, 0);
    ck_assert_ptr_null(lr__malloc(5, 5));
    disarm();
    ck_assert_int_eq(lr__fail_oom("%s", big), LR_E_NOMEM);
    ck_assert(strncmp(lr_last_error(), "out of memory: 25 bytes (5 x 5) for xxx", 39) == 0);
}
END_TEST

static Suite *alloc_suite(void)
{
    Suite *s = suite_create("alloc");
    TCase *tc = tcase_create("alloc");
    tcase_add_test(tc, injected_failure_names_size_and_what);
    tcase_add_test(tc, each_allocator_remembers);
    tcase_add_test(tc, overflow_is_named);
    tcase_add_test(tc, grow_remembers);
    tcase_add_test(tc, latest_failure_told);
    tcase_add_test(tc, known_size);
    tcase_add_test(tc, message_needs_no_memory);
    tcase_add_test(tc, threads_tell_their_own);
    tcase_add_test(tc, long_description_truncated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(alloc_suite()); }
