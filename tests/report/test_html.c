/* The page buffer: each context's escapes (HTML text and attributes, JSON
 * inside <script>), bytes that are not UTF-8, numbers for people and for
 * JSON.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "report/html.h"

#include <math.h>

static char *text(lr__buf *b) { return b->p ? b->p : ""; }

START_TEST(html_escapes_markup)
{
    lr__buf b = {0};
    lr__buf_html(&b, "<script>alert(\"x\")</script> & 'q'");
    ck_assert_str_eq(text(&b), "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;q&#39;");
    lr__buf_free(&b);
}
END_TEST

START_TEST(invalid_utf8_becomes_replacement)
{
    lr__buf b = {0};
    /* é in Latin-1, a lone continuation byte, a truncated sequence, then
     * valid UTF-8 that must pass unchanged */
    lr__buf_html(&b, "Caf\xe9 \x80 \xe2\x82 Beyonc\xc3\xa9");
    ck_assert_str_eq(text(&b), "Caf\xef\xbf\xbd \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd Beyonc\xc3\xa9");
    lr__buf_free(&b);
    lr__buf_json_str(&b, "\xff");
    ck_assert_str_eq(text(&b), "\"\xef\xbf\xbd\"");
    lr__buf_free(&b);
}
END_TEST

START_TEST(control_characters_dropped_in_html)
{
    lr__buf b = {0};
    lr__buf_html(&b, "a\x01" "b\x7f" "c\td");
    ck_assert_str_eq(text(&b), "abc\td");
    lr__buf_free(&b);
}
END_TEST

START_TEST(json_cannot_close_the_script)
{
    lr__buf b = {0};
    lr__buf_json_str(&b, "</script><!-- \"\\ \n & \xe2\x80\xa8");
    ck_assert_str_eq(text(&b),
                     "\"\\u003c/script\\u003e\\u003c!-- \\\"\\\\ \\n \\u0026 \\u2028\"");
    ck_assert_ptr_null(strstr(text(&b), "<"));
    lr__buf_free(&b);
    lr__buf_json_str(&b, NULL);
    ck_assert_str_eq(text(&b), "null");
    lr__buf_free(&b);
}
END_TEST

START_TEST(numbers)
{
    lr__buf b = {0};
    lr__buf_num(&b, 1234567.891, 2);
    lr__buf_puts(&b, " ");
    lr__buf_num(&b, -1234, 0);
    lr__buf_puts(&b, " ");
    lr__buf_num(&b, 999, 0);
    lr__buf_puts(&b, " ");
    lr__buf_num(&b, -0.0001, 2); /* rounds to zero: no minus sign */
    lr__buf_puts(&b, " ");
    lr__buf_num(&b, NAN, 2);
    ck_assert_str_eq(text(&b), "1,234,567.89 -1,234 999 0.00 \xe2\x80\x93");
    lr__buf_free(&b);
    lr__buf_json_num(&b, NAN, 4);
    lr__buf_puts(&b, ",");
    lr__buf_json_num(&b, 17632, 4);
    lr__buf_puts(&b, ",");
    lr__buf_json_num(&b, 0.123456, 3);
    lr__buf_puts(&b, ",");
    lr__buf_json_num(&b, INFINITY, 3);
    ck_assert_str_eq(text(&b), "null,17632,0.123,null");
    lr__buf_free(&b);
}
END_TEST

START_TEST(long_output_grows)
{
    lr__buf b = {0};
    for (int i = 0; i < 10000; i++)
        lr__buf_printf(&b, "%05d", i);
    ck_assert_uint_eq(b.n, 50000);
    ck_assert_int_eq(b.oom, 0);
    ck_assert(!strncmp(b.p + 49995, "09999", 5));
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    lr__buf_printf(&b, "<%s>", big); /* longer than printf's first try */
    ck_assert_uint_eq(b.n, 50000 + 1001);
    ck_assert_int_eq(b.p[b.n - 1], '>');
    lr__buf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("html");
    tcase_add_test(tc, html_escapes_markup);
    tcase_add_test(tc, invalid_utf8_becomes_replacement);
    tcase_add_test(tc, control_characters_dropped_in_html);
    tcase_add_test(tc, json_cannot_close_the_script);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, long_output_grows);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
