/* Errors suite: status strings, the thread-local message and its
 * formatting helpers.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "core/error.h"

#include <pthread.h>

/* Every status lastrec defines, lowest first. */
#define FIRST_STATUS LR_E_AMBIGUOUS
#define LAST_STATUS LR_OK

START_TEST(strerror_distinct)
{
    for (int a = FIRST_STATUS; a <= LAST_STATUS; a++) {
        const char *sa = lr_strerror(a);
        ck_assert_ptr_nonnull(sa);
        ck_assert_msg(*sa && strcmp(sa, "unknown status") != 0, "status %d has no text", a);
        for (int b = a + 1; b <= LAST_STATUS; b++)
            ck_assert_msg(strcmp(sa, lr_strerror(b)) != 0, "%d and %d share '%s'", a, b, sa);
    }
    ck_assert_str_eq(lr_strerror(FIRST_STATUS - 1), "unknown status");
    ck_assert_str_eq(lr_strerror(1), "unknown status");
    ck_assert_str_eq(lr_strerror(-1000000), "unknown status");
}
END_TEST

START_TEST(pinned_values)
{
    /* The ABI promise: these numbers never change. */
    ck_assert_int_eq(LR_OK, 0);
    ck_assert_int_eq(LR_E_INVALID, -1);
    ck_assert_int_eq(LR_E_NOMEM, -2);
    ck_assert_int_eq(LR_E_IO, -3);
    ck_assert_int_eq(LR_E_NOTFOUND, -4);
    ck_assert_int_eq(LR_E_PARSE, -5);
    ck_assert_int_eq(LR_E_RANGE, -6);
    ck_assert_int_eq(LR_E_DUPLICATE, -7);
    ck_assert_int_eq(LR_E_ENCODING, -8);
    ck_assert_int_eq(LR_E_TOOLONG, -9);
    ck_assert_int_eq(LR_E_FORMAT, -10);
    ck_assert_int_eq(LR_E_CANCELLED, -11);
    ck_assert_int_eq(LR_E_NUMERIC, -12);
    ck_assert_int_eq(LR_E_UNSUPPORTED, -13);
    ck_assert_int_eq(LR_E_BUFSIZE, -14);
    ck_assert_int_eq(LR_E_EMPTY, -15);
    ck_assert_int_eq(LR_E_HEADER, -16);
    ck_assert_int_eq(LR_E_AMBIGUOUS, -17);
}
END_TEST

START_TEST(fail_sets_message)
{
    lr_clear_error();
    ck_assert_str_eq(lr_last_error(), "");
    ck_assert_int_eq(lr__fail(LR_E_RANGE, "k is %d, must be below %d", 9, 5), LR_E_RANGE);
    ck_assert_str_eq(lr_last_error(), "k is 9, must be below 5");
    lr_clear_error();
    ck_assert_str_eq(lr_last_error(), "");
}
END_TEST

START_TEST(fail_at_formats)
{
    ck_assert_int_eq(lr__fail_at(LR_E_PARSE, "file", 12, "x", "not a number: '%s'", "abc"),
                     LR_E_PARSE);
    ck_assert_str_eq(lr_last_error(), "file:12: field 'x': not a number: 'abc'");
    lr__fail_at(LR_E_EMPTY, "artists.dat", 0, NULL, "no rows");
    ck_assert_str_eq(lr_last_error(), "artists.dat: no rows");
    lr__fail_at(LR_E_PARSE, "a.dat", 7, NULL, "3 fields, expected 2");
    ck_assert_str_eq(lr_last_error(), "a.dat:7: 3 fields, expected 2");
    lr__fail_at(LR_E_HEADER, "b.dat", 0, "userID", "missing");
    ck_assert_str_eq(lr_last_error(), "b.dat: field 'userID': missing");
    lr__fail_at(LR_E_RANGE, NULL, 18446744073709551615ull, NULL, "huge line");
    ck_assert_str_eq(lr_last_error(), "?:18446744073709551615: huge line");
}
END_TEST

START_TEST(long_messages_truncated)
{
    static char big[5000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    lr__fail(LR_E_INVALID, "%s", big);
    size_t n = strlen(lr_last_error());
    ck_assert_uint_gt(n, 500);
    ck_assert_uint_lt(n, sizeof big);
    ck_assert(strncmp(lr_last_error(), big, n) == 0);

    /* Each part of "file:line: field: msg" may be the long one. */
    lr__fail_at(LR_E_PARSE, big, 3, "f", "m");
    ck_assert_uint_eq(strlen(lr_last_error()), n);
    lr__fail_at(LR_E_PARSE, "f", 3, big, "m");
    ck_assert_uint_eq(strlen(lr_last_error()), n);
    ck_assert(strncmp(lr_last_error(), "f:3: field 'aaa", 15) == 0);
    lr__fail_at(LR_E_PARSE, "f", 3, "x", "%s", big);
    ck_assert_uint_eq(strlen(lr_last_error()), n);
    ck_assert(strncmp(lr_last_error(), "f:3: field 'x': aaa", 19) == 0);
    /* A message that fills the buffer to the byte before the field. */
    char path[2000];
    memset(path, 'p', sizeof path);
    path[n - 2] = '\0'; /* "path: " is exactly n bytes */
    lr__fail_at(LR_E_PARSE, path, 0, "x", "m");
    ck_assert_uint_eq(strlen(lr_last_error()), n);
}
END_TEST

START_TEST(prefix_adds_context)
{
    lr__fail(LR_E_IO, "cannot open");
    lr__error_prefix("tags.dat");
    ck_assert_str_eq(lr_last_error(), "tags.dat: cannot open");
    lr__error_prefix("load");
    ck_assert_str_eq(lr_last_error(), "load: tags.dat: cannot open");

    /* Both a long prefix and a long message stay within bounds. */
    static char big[3000];
    memset(big, 'b', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    lr__fail(LR_E_IO, "%s", big);
    size_t cap = strlen(lr_last_error());
    lr__error_prefix("ctx");
    ck_assert_uint_eq(strlen(lr_last_error()), cap);
    ck_assert(strncmp(lr_last_error(), "ctx: bbb", 8) == 0);
    lr__error_prefix(big);
    ck_assert_uint_eq(strlen(lr_last_error()), cap);
    ck_assert(strncmp(lr_last_error(), big, cap - 2) == 0);
    lr_clear_error();
    lr__error_prefix("only");
    ck_assert_str_eq(lr_last_error(), "only: ");
}
END_TEST

START_TEST(oom_is_static)
{
    lr__fail(LR_E_IO, "something long enough to be overwritten entirely");
    ck_assert_int_eq(lr__fail_oom(), LR_E_NOMEM);
    ck_assert_str_eq(lr_last_error(), "out of memory");
}
END_TEST

/* ---------------------------------------------------------- thread-local */

typedef struct seen {
    char before[64];
    char after[64];
} seen;

static void *other_thread(void *arg)
{
    seen *s = arg;
    snprintf(s->before, sizeof s->before, "%s", lr_last_error());
    lr__fail(LR_E_RANGE, "set in the other thread");
    snprintf(s->after, sizeof s->after, "%s", lr_last_error());
    return NULL;
}

START_TEST(message_is_thread_local)
{
    lr__fail(LR_E_IO, "set in the main thread");
    seen s;
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, other_thread, &s), 0);
    ck_assert_int_eq(pthread_join(t, NULL), 0);
    ck_assert_str_eq(s.before, "");
    ck_assert_str_eq(s.after, "set in the other thread");
    ck_assert_str_eq(lr_last_error(), "set in the main thread");
}
END_TEST

static Suite *errors_suite(void)
{
    Suite *s = suite_create("errors");
    TCase *tc = tcase_create("errors");
    tcase_add_test(tc, strerror_distinct);
    tcase_add_test(tc, pinned_values);
    tcase_add_test(tc, fail_sets_message);
    tcase_add_test(tc, fail_at_formats);
    tcase_add_test(tc, long_messages_truncated);
    tcase_add_test(tc, prefix_adds_context);
    tcase_add_test(tc, oom_is_static);
    tcase_add_test(tc, message_is_thread_local);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(errors_suite()); }
