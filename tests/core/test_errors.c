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

START_TEST(oom_replaces_the_message)
{
    /* No allocation failed on this thread: the message names what, and
     * leaves out a size it does not know (tests/core/test_alloc.c has the
     * rest). */
    lr__fail(LR_E_IO, "something long enough to be overwritten entirely");
    ck_assert_int_eq(lr__fail_oom("the %s", "widgets"), LR_E_NOMEM);
    ck_assert_str_eq(lr_last_error(), "out of memory for the widgets");
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

/* The rule of the header: lr_last_error() is the message of the most
 * recent failing call on this thread; successful calls leave it alone. */
START_TEST(last_failure_survives_success)
{
    lr_options *o;
    lr_clear_error();
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_str_eq(lr_last_error(), ""); /* a success sets nothing */
    ck_assert_int_eq(lr_options_set_int(o, LR_OPT_THREADS, -1), LR_E_INVALID);
    char first[256];
    snprintf(first, sizeof first, "%s", lr_last_error());
    ck_assert_msg(strstr(first, "'threads'") != NULL, "%s", first);
    /* successes (and a free) between the failure and the read keep it */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    ck_assert_lr_ok(lr_options_set_string(o, "seed=3,transform=bm25"));
    int key;
    ck_assert_lr_ok(lr_option_lookup("seed", &key));
    lr_options_free(o);
    ck_assert_str_eq(lr_last_error(), first);
    /* the next failure replaces it */
    ck_assert_int_eq(lr_option_lookup("no_such_option", &key), LR_E_NOTFOUND);
    ck_assert_ptr_nonnull(strstr(lr_last_error(), "no_such_option"));
    lr_clear_error();
    ck_assert_str_eq(lr_last_error(), "");
}
END_TEST

/* Every failing call sets a message of its own: after lr_clear_error() a
 * failure never leaves "" behind. */
#define FAILS_WITH_MESSAGE(call)                                                 \
    do {                                                                         \
        lr_clear_error();                                                        \
        int rc_ = (call);                                                        \
        ck_assert_msg(rc_ < 0, "%s succeeded", #call);                           \
        ck_assert_msg(*lr_last_error(), "%s failed without a message", #call);   \
    } while (0)

START_TEST(every_failure_sets_a_message)
{
    int key;
    double d;
    int64_t v;
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    FAILS_WITH_MESSAGE(lr_options_set_int(o, 99999, 1));
    FAILS_WITH_MESSAGE(lr_options_get_double(o, LR_OPT_SEED, NULL));
    FAILS_WITH_MESSAGE(lr_option_info(-5, NULL, NULL, NULL, NULL, &d));
    FAILS_WITH_MESSAGE(lr_option_lookup(NULL, &key));
    FAILS_WITH_MESSAGE(lr_options_get_int(o, LR_OPT_HOLDOUT_FRACTION, &v));
    FAILS_WITH_MESSAGE(lr_option_default(LR_ALGO_ALS, 99999, &d));
    FAILS_WITH_MESSAGE(lr_option_default(0, LR_OPT_SEED, &d));
    FAILS_WITH_MESSAGE(lr_option_value_lookup(LR_OPT_TRANSFORM, "x", &v));
    FAILS_WITH_MESSAGE(lr_dataset_load(NULL, "x", NULL));
    FAILS_WITH_MESSAGE(lr_model_new(NULL, LR_ALGO_ALS, NULL));
    lr_options_free(o);
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
    tcase_add_test(tc, oom_replaces_the_message);
    tcase_add_test(tc, message_is_thread_local);
    tcase_add_test(tc, last_failure_survives_success);
    tcase_add_test(tc, every_failure_sets_a_message);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(errors_suite()); }
