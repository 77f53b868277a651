/* The report through its public calls, on a small synthetic data set:
 * argument checks and their messages, a model of another catalogue, an
 * unwritable path (nothing left behind), cancellation, and a page with
 * every section, its models' rows and no network reference.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"

#include <stdlib.h>

static lr_dataset *synth(int users, int artists, int seed)
{
    lr_options *o = NULL;
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, users));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, artists));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, seed));
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

static lr_model *fit(const lr_dataset *train, int algo)
{
    lr_options *o = NULL;
    lr_model *m = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, 3));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    lr_options_free(o);
    return m;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
    s[n] = '\0';
    fclose(f);
    return s;
}

START_TEST(bad_arguments)
{
    lr_dataset *ds = synth(60, 200, 1);
    lr_report *r = NULL;
    ck_assert_lr_fail(lr_report_new(NULL, ds, NULL), LR_E_INVALID, "out is NULL");
    ck_assert_lr_fail(lr_report_new(&r, NULL, NULL), LR_E_INVALID, "data is NULL");
    ck_assert_ptr_null(r);
    ck_assert_lr_ok(lr_report_new(&r, ds, NULL));
    ck_assert_lr_fail(lr_report_set_int(r, LR_REPORT_K, 0), LR_E_INVALID, "LR_REPORT_K");
    ck_assert_lr_fail(lr_report_set_int(r, LR_REPORT_MAP_TAGS, 11), LR_E_INVALID, "1 to 10");
    ck_assert_lr_fail(lr_report_set_int(r, LR_REPORT_MAP, 3), LR_E_INVALID, "LR_REPORT_MAP");
    ck_assert_lr_fail(lr_report_set_int(r, 99, 1), LR_E_INVALID, "unknown key 99");
    ck_assert_lr_ok(lr_report_set_int(r, LR_REPORT_USER, -1));
    ck_assert_lr_fail(lr_report_add_model(r, NULL, "x"), LR_E_INVALID, "NULL");
    lr_model *unfitted = NULL;
    ck_assert_lr_ok(lr_model_new(&unfitted, LR_ALGO_ALS, NULL));
    ck_assert_lr_fail(lr_report_add_model(r, unfitted, "x"), LR_E_INVALID, "not fitted");
    ck_assert_lr_fail(lr_report_write(r, NULL, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_report_set_split(r, ds, NULL, NULL), LR_E_INVALID, "NULL");
    lr_model_free(unfitted);
    lr_report_free(r);
    lr_report_free(NULL);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(another_catalogue)
{
    lr_dataset *a = synth(60, 200, 1), *b = synth(70, 250, 2);
    lr_model *m = fit(b, LR_ALGO_POP);
    lr_report *r = NULL;
    ck_assert_lr_ok(lr_report_new(&r, a, NULL));
    ck_assert_lr_fail(lr_report_add_model(r, m, "other"), LR_E_INVALID,
                      "other: the model was trained on another catalogue (70 users, 250 "
                      "artists) than the report's data (60 users, 200 artists)");
    ck_assert_lr_fail(lr_report_set_split(r, b, b, NULL), LR_E_INVALID, "other users or artists");
    lr_report_free(r);
    lr_model_free(m);
    lr_dataset_free(a);
    lr_dataset_free(b);
}
END_TEST

START_TEST(unwritable_path)
{
    lr_dataset *ds = synth(60, 200, 1);
    lr_report *r = NULL;
    ck_assert_lr_ok(lr_report_new(&r, ds, NULL));
    lr_test_place p = lr_test_make_place("no-such-dir/r.html");
    size_t bytes = 7;
    ck_assert_lr_fail(lr_report_write(r, p.path, &bytes), LR_E_IO, "no-such-dir/r.html");
    ck_assert_uint_eq(bytes, 0);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr_report_free(r);
    lr_dataset_free(ds);
}
END_TEST

static int cancel_at_models(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    (void)done;
    (void)total;
    (void)ud;
    return strcmp(stage, "report: models") == 0;
}

START_TEST(cancelled_writes_nothing)
{
    lr_dataset *ds = synth(60, 200, 1);
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    lr_options_set_progress(o, cancel_at_models, NULL);
    lr_report *r = NULL;
    ck_assert_lr_ok(lr_report_new(&r, ds, o));
    lr_test_place p = lr_test_make_place("r.html");
    ck_assert_lr_fail(lr_report_write(r, p.path, NULL), LR_E_CANCELLED, "report: models");
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr_report_free(r);
    lr_options_free(o);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(a_full_page)
{
    lr_dataset *ds = synth(120, 500, 3), *train = NULL, *test = NULL;
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_TSNE_ITERATIONS, 300));
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, o, &train, &test));
    lr_model *als = fit(train, LR_ALGO_ALS), *ease = fit(train, LR_ALGO_EASE);
    lr_report *r = NULL;
    ck_assert_lr_ok(lr_report_new(&r, ds, o));
    ck_assert_lr_ok(lr_report_set_split(r, train, test, "a test's split <1>"));
    ck_assert_lr_ok(lr_report_add_model(r, als, NULL));
    ck_assert_lr_ok(lr_report_add_model(r, ease, "ease & co"));
    lr_test_place p = lr_test_make_place("page.html");
    size_t bytes = 0;
    ck_assert_lr_ok(lr_report_write(r, p.path, &bytes));
    char *page = slurp(p.path);
    ck_assert_uint_eq(strlen(page), bytes);
    static const char *const sections[] = {"data", "distributions", "tags", "friends",
                                           "models", "embeddings", "recommendations"};
    for (size_t i = 0; i < 7; i++) {
        char want[64];
        snprintf(want, sizeof want, "<section id=\"%s\">", sections[i]);
        ck_assert_msg(strstr(page, want), "no section %s", sections[i]);
    }
    /* popularity, als and ease in the metrics table */
    const char *table = strstr(page, "id=\"models-table\"");
    ck_assert_ptr_nonnull(table);
    ck_assert_ptr_nonnull(strstr(table, "popularity (baseline)"));
    ck_assert_ptr_nonnull(strstr(table, "<td>als</td>"));
    ck_assert_ptr_nonnull(strstr(table, "ease &amp; co"));
    ck_assert_ptr_nonnull(strstr(page, "a test&#39;s split &lt;1&gt;"));
    /* ease has no artist vectors: named and skipped; als is mapped */
    ck_assert_ptr_nonnull(strstr(page, "(ease) has no artist vectors"));
    ck_assert_ptr_nonnull(strstr(page, "id=\"map-data\""));
    /* nothing to fetch: no URL of any scheme outside the policy line */
    ck_assert_ptr_null(strstr(page, "http://"));
    ck_assert_ptr_null(strstr(page, "https://"));
    ck_assert_ptr_null(strstr(page, " src="));
    ck_assert_ptr_nonnull(strstr(page, "default-src 'none'"));
    free(page);
    lr_report_free(r);
    lr_model_free(als);
    lr_model_free(ease);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(ds);
    lr_options_free(o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, another_catalogue);
    tcase_add_test(tc, unwritable_path);
    tcase_add_test(tc, cancelled_writes_nothing);
    tcase_add_test(tc, a_full_page);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
