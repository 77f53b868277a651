/* The charts: nice ticks on linear and log axes, and that each chart has
 * as many marks as it says, its labels escaped.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "report/chart.h"

#include <math.h>

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

START_TEST(linear_ticks)
{
    lr__axis a = {"x", 0, NAN, NAN};
    double t[12];
    size_t n = lr__ticks(&a, 0, 150000, t, 12);
    ck_assert_uint_eq(n, 4); /* 0, 50k, 100k, 150k */
    ck_assert_double_eq(t[1], 50000);
    ck_assert_double_eq(t[3], 150000);
    n = lr__ticks(&a, 0.26, 0.38, t, 12);
    ck_assert_uint_ge(n, 3);
    for (size_t i = 0; i < n; i++)
        ck_assert(t[i] >= 0.26 - 1e-12 && t[i] <= 0.38 + 1e-12);
}
END_TEST

START_TEST(log_ticks_are_decades)
{
    lr__axis a = {"x", 1, NAN, NAN};
    double t[12];
    size_t n = lr__ticks(&a, 0.8, 3000, t, 12);
    ck_assert_uint_eq(n, 4);
    ck_assert_double_eq_tol(t[0], 1, 1e-12);
    ck_assert_double_eq_tol(t[3], 1000, 1e-9);
    /* less than a decade falls back to linear ticks */
    n = lr__ticks(&a, 2, 8, t, 12);
    ck_assert_uint_ge(n, 3);
}
END_TEST

START_TEST(histogram_marks_and_table)
{
    lr__buf b = {0};
    const double edges[] = {0, 1, 2, 3}, c0[] = {5, 0, 2}, c1[] = {1, 1, 1};
    const double *counts[] = {c0, c1};
    const char *names[] = {"friends <&>", "random"};
    lr__chart c = {"h1", "Title <b>", "cap", {"x & y", 0, NAN, NAN}, {"n", 0, NAN, NAN},
                   0, 0, 0};
    lr__chart_histogram(&b, &c, edges, 3, counts, names, 2);
    ck_assert_int_eq(b.oom, 0);
    ck_assert_ptr_nonnull(strstr(b.p, "data-marks=\"6\""));
    ck_assert_uint_eq(count(b.p, "class=\"mark bar\""), 6);
    ck_assert_uint_eq(count(b.p, "<tr><td>"), 3);
    ck_assert_ptr_nonnull(strstr(b.p, "Title &lt;b&gt;"));
    ck_assert_ptr_nonnull(strstr(b.p, "friends &lt;&amp;&gt;"));
    ck_assert_ptr_null(strstr(b.p, "<b>"));
    lr__buf_free(&b);
}
END_TEST

START_TEST(lines_skip_nan)
{
    lr__buf b = {0};
    const double x[] = {1, 2, 3, 4}, y0[] = {4, NAN, 2, 1}, y1[] = {NAN, NAN, NAN, NAN};
    const double *ys[] = {y0, y1};
    const char *names[] = {"a", "b"};
    lr__chart c = {"l1", "t", NULL, {"epoch", 0, NAN, NAN}, {"loss", 0, NAN, NAN}, 0, 0, 0};
    lr__chart_lines(&b, &c, x, 4, ys, names, 2);
    /* three points and one line; the all-NaN series draws nothing */
    ck_assert_ptr_nonnull(strstr(b.p, "data-marks=\"4\""));
    ck_assert_uint_eq(count(b.p, "class=\"mark point\""), 3);
    ck_assert_uint_eq(count(b.p, "class=\"mark line\""), 1);
    /* the NaN breaks the line: two moves */
    const char *d = strstr(b.p, " d=\"");
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(count(d, "M"), 2);
    lr__buf_free(&b);
}
END_TEST

START_TEST(keyed_bars_and_canvas)
{
    lr__buf b = {0};
    const char *labels[] = {"Rock", "<Pop>", "Jazz"};
    const double v[] = {30, 20, 10};
    const int keys[] = {0, 1, 2};
    lr__chart c = {"bars", "t", NULL, {"artists", 0, NAN, NAN}, {"tag", 0, NAN, NAN}, 0, 0, 0};
    lr__chart_hbars(&b, &c, labels, v, 3, "tagbar", keys, 2);
    ck_assert_uint_eq(count(b.p, "class=\"mark bar tagbar\""), 3);
    ck_assert_ptr_nonnull(strstr(b.p, "data-key=\"1\" data-count=\"20\""));
    ck_assert_uint_eq(count(b.p, LR__COLOR_GREY), 1); /* the third, beyond `colored` */
    ck_assert_ptr_nonnull(strstr(b.p, "&lt;Pop&gt;"));
    lr__buf_free(&b);
    lr__chart m = {"map", "t", NULL, {"x", 0, -1, 1}, {"y", 0, -2, 2}, 0, 560, 0};
    lr__chart_canvas(&b, &m, "map", "map-data", 1234);
    lr__chart_end(&b);
    ck_assert_ptr_nonnull(strstr(b.p, "data-marks=\"1234\""));
    ck_assert_ptr_nonnull(strstr(b.p, "viewBox=\"0 0 640 560\""));
    ck_assert_ptr_nonnull(strstr(b.p, "data-src=\"map-data\""));
    ck_assert_uint_eq(count(b.p, "<figure"), count(b.p, "</figure>"));
    lr__buf_free(&b);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("chart");
    TCase *tc = tcase_create("chart");
    tcase_add_test(tc, linear_ticks);
    tcase_add_test(tc, log_ticks_are_decades);
    tcase_add_test(tc, histogram_marks_and_table);
    tcase_add_test(tc, lines_skip_nan);
    tcase_add_test(tc, keyed_bars_and_canvas);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
