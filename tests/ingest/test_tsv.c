/* The tab-separated tokenizer and the rules every input file obeys, seen
 * through a file in user_artists.dat format loaded with lr_dataset_load().
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "data/dataset.h"
#include "ingest/tsv.h"

#define HEADER "userID\tartistID\tweight\n"

static const char *const LISTEN_COLS[] = {"userID", "artistID", "weight"};

/* Write text as dir/listens.dat and load it; the path stays in `path`. */
static char path[512];

static int load_text(const char *text, size_t len, lr_dataset **out, const lr_options *opts)
{
    snprintf(path, sizeof path, "%s", lr_test_write(lr_test_tmpdir(), "listens.dat", text, len));
    return lr_dataset_load(out, path, opts);
}

static int load_str(const char *text)
{
    lr_dataset *ds = NULL;
    int rc = load_text(text, strlen(text), &ds, NULL);
    ck_assert_msg(rc == LR_OK || ds == NULL, "a failed load must leave *out NULL");
    lr_dataset_free(ds);
    return rc;
}

/* ------------------------------------------------------- whole-file errors */

START_TEST(missing_file)
{
    lr_dataset *ds = (lr_dataset *)&ds; /* must be reset to NULL */
    ck_assert_lr_fail(lr_dataset_load(&ds, "/nonexistent/dir/user_artists.dat", NULL), LR_E_IO,
                      "/nonexistent/dir/user_artists.dat");
    ck_assert_ptr_null(ds);
    ck_assert_lr_fail(lr_dataset_load(&ds, "/dev/null", NULL), LR_E_IO,
                      "/dev/null: neither a directory nor a regular file");
    ck_assert_lr_fail(lr_dataset_load(&ds, NULL, NULL), LR_E_INVALID, "path");
    ck_assert_lr_fail(lr_dataset_load(&ds, "", NULL), LR_E_INVALID, "path");
    ck_assert_lr_fail(lr_dataset_load(NULL, "x", NULL), LR_E_INVALID, "out");
}
END_TEST

START_TEST(empty_file)
{
    ck_assert_lr_fail(load_str(""), LR_E_EMPTY, "listens.dat: the file is empty");
    ck_assert_lr_fail(load_str("\xEF\xBB\xBF"), LR_E_EMPTY, "listens.dat: the file is empty");
    ck_assert_lr_fail(load_str("\r\n\n"), LR_E_EMPTY, "empty");
}
END_TEST

START_TEST(missing_header)
{
    ck_assert_lr_fail(load_str("2\t51\t13883\n2\t52\t11690\n"), LR_E_HEADER,
                      "listens.dat:1: missing header: expected \"userID\\tartistID\\tweight\"");
}
END_TEST

START_TEST(wrong_header)
{
    ck_assert_lr_fail(load_str("user\tartist\tweight\n2\t51\t1\n"), LR_E_HEADER,
                      "listens.dat:1: wrong header: expected \"userID\\tartistID\\tweight\"");
    /* Names are exact: case and spaces matter. */
    ck_assert_lr_fail(load_str("userid\tartistID\tweight\n"), LR_E_HEADER, "listens.dat:1:");
    ck_assert_lr_fail(load_str("userID artistID weight\n"), LR_E_HEADER, "listens.dat:1:");
    ck_assert_lr_fail(load_str("userID\tartistID\n"), LR_E_HEADER, "listens.dat:1:");
}
END_TEST

START_TEST(nul_byte)
{
    static const char text[] = HEADER "2\t51\t1\n2\t5\0002\t1\n";
    lr_dataset *ds = NULL;
    ck_assert_lr_fail(load_text(text, sizeof text - 1, &ds, NULL), LR_E_ENCODING,
                      "listens.dat:3: NUL byte at column 4");
    ck_assert_ptr_null(ds);
}
END_TEST

START_TEST(line_too_long)
{
    size_t big = (1u << 20) + 1; /* one byte over the default limit */
    size_t hl = strlen(HEADER);
    char *text = malloc(hl + 8 + big + 2);
    ck_assert_ptr_nonnull(text);
    memcpy(text, HEADER "2\t51\t1\n", hl + 7);
    memset(text + hl + 7, '7', big);
    memcpy(text + hl + 7 + big, "\n", 2);
    lr_dataset *ds = NULL;
    ck_assert_lr_fail(load_text(text, strlen(text), &ds, NULL), LR_E_TOOLONG,
                      "listens.dat:3: line is 1048577 bytes, longer than the limit of 1048576");
    free(text);
}
END_TEST

START_TEST(max_line_option)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MAX_LINE, 64));
    char text[256];
    /* 64 bytes exactly is accepted, 65 is not. */
    lr_dataset *ds = NULL;
    char row[70];
    memset(row, '0', sizeof row);
    memcpy(row, "2\t51\t", 5);
    row[63] = '9';
    row[64] = '\0';
    snprintf(text, sizeof text, HEADER "%s\n", row);
    ck_assert_lr_ok(load_text(text, strlen(text), &ds, o));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 1);
    lr_dataset_free(ds);
    ds = NULL;
    snprintf(text, sizeof text, HEADER "%s0\n", row);
    ck_assert_lr_fail(load_text(text, strlen(text), &ds, o), LR_E_TOOLONG,
                      "listens.dat:2: line is 65 bytes, longer than the limit of 64");
    lr_options_free(o);
}
END_TEST

/* --------------------------------------------------------- row errors */

START_TEST(too_few_fields)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\n2\t52\n"), LR_E_PARSE,
                      "listens.dat:3: 2 fields, expected 3 (userID, artistID, weight)");
    ck_assert_lr_fail(load_str(HEADER "2\n"), LR_E_PARSE, "listens.dat:2: 1 fields, expected 3");
}
END_TEST

START_TEST(too_many_fields)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\t9\n"), LR_E_PARSE,
                      "listens.dat:2: 4 fields, expected 3");
    /* A trailing tab is an empty fourth field. */
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\n2\t52\t1\t\n"), LR_E_PARSE,
                      "listens.dat:3: 4 fields, expected 3");
}
END_TEST

START_TEST(non_numeric)
{
    ck_assert_lr_fail(load_str(HEADER "2\tabc\t1\n"), LR_E_PARSE,
                      "listens.dat:2: field 'artistID': \"abc\" is not a non-negative integer");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1.5\n"), LR_E_PARSE,
                      "listens.dat:2: field 'weight': \"1.5\" is not");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t\n"), LR_E_PARSE,
                      "listens.dat:2: field 'weight': empty, expected a non-negative integer");
    ck_assert_lr_fail(load_str(HEADER " 2\t51\t1\n"), LR_E_PARSE, "field 'userID'");
    ck_assert_lr_fail(load_str(HEADER "+2\t51\t1\n"), LR_E_PARSE, "field 'userID'");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t-\n"), LR_E_PARSE, "field 'weight'");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t12abc\n"), LR_E_PARSE, "field 'weight'");
}
END_TEST

START_TEST(negative)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\n-2\t51\t1\n"), LR_E_RANGE,
                      "listens.dat:3: field 'userID': -2 is negative");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t-7\n"), LR_E_RANGE,
                      "listens.dat:2: field 'weight': -7 is negative");
}
END_TEST

START_TEST(overflow)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t99999999999\n"), LR_E_RANGE,
                      "listens.dat:2: field 'weight': 99999999999 is larger than 2147483647");
    ck_assert_lr_fail(load_str(HEADER "2147483648\t51\t1\n"), LR_E_RANGE,
                      "listens.dat:2: field 'userID': 2147483648 is larger");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t99999999999999999999999999\n"), LR_E_RANGE,
                      "field 'weight'");
    /* The largest int32 is a valid listen count. */
    ck_assert_lr_ok(load_str(HEADER "2147483647\t2147483647\t2147483647\n"));
}
END_TEST

START_TEST(zero_listen_count)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t3\n2\t52\t0\n"), LR_E_RANGE,
                      "listens.dat:3: field 'weight': zero plays");
}
END_TEST

START_TEST(blank_line_in_the_middle)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\n\n2\t52\t1\n"), LR_E_PARSE,
                      "listens.dat:3: blank line");
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\r\n\r\n2\t52\t1\r\n"), LR_E_PARSE,
                      "listens.dat:3: blank line");
}
END_TEST

START_TEST(duplicate_listen)
{
    ck_assert_lr_fail(load_str(HEADER "2\t51\t1\n3\t51\t1\n2\t52\t1\n2\t51\t9\n"),
                      LR_E_DUPLICATE, "listens.dat:5: user 2 and artist 51 repeat line 2");
}
END_TEST

/* ------------------------------------------------------ accepted forms */

static void assert_two_rows(const char *text, size_t len)
{
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(load_text(text, len, &ds, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 2);
    double v;
    ck_assert_lr_ok(lr_dataset_user_stat(ds, 3, LR_STAT_TOTAL_LISTENS, &v));
    ck_assert_double_eq(v, 42);
    lr_dataset_free(ds);
}

START_TEST(line_endings_and_bom)
{
    static const char *texts[] = {
        HEADER "2\t51\t1\n3\t52\t42\n",
        "userID\tartistID\tweight\r\n2\t51\t1\r\n3\t52\t42\r\n",
        "\xEF\xBB\xBFuserID\tartistID\tweight\r\n2\t51\t1\r\n3\t52\t42\r\n",
        "\xEF\xBB\xBF" HEADER "2\t51\t1\n3\t52\t42",          /* no final newline */
        "userID\tartistID\tweight\r\n2\t51\t1\n3\t52\t42\r\n", /* mixed */
        HEADER "2\t51\t1\n3\t52\t42\n\n\r\n\n",                /* blank lines at the end */
        HEADER "2\t51\t1\n3\t52\t42\r",                        /* CR before the end */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_two_rows(texts[i], strlen(texts[i]));
}
END_TEST

START_TEST(header_only)
{
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(load_text(HEADER, strlen(HEADER), &ds, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 0);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(listens_alone)
{
    static const char text[] = HEADER "7\t300\t5\n2\t51\t13883\n2\t300\t10\n7\t51\t1\n2\t4\t2\n";
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(load_text(text, strlen(text), &ds, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND), LR_SOURCE_LISTENS);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 5);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS), 0);
    int32_t ids[4];
    size_t n;
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_ARTISTS, ids, 4, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ids[0], 4);
    ck_assert_int_eq(ids[1], 51);
    ck_assert_int_eq(ids[2], 300);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 300), "300");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 4), "4");
    float counts[4];
    ck_assert_lr_ok(lr_dataset_user_listens(ds, 2, ids, counts, 4, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ids[0], 4);
    ck_assert_int_eq(ids[1], 51);
    ck_assert_int_eq(ids[2], 300);
    ck_assert_float_eq(counts[1], 13883.0f);
    ck_assert_lr_ok(lr_dataset_user_friends(ds, 7, ids, 4, &n));
    ck_assert_uint_eq(n, 0);
    double fans;
    ck_assert_lr_ok(lr_dataset_artist_stat(ds, 51, LR_STAT_COUNT, &fans));
    ck_assert_double_eq(fans, 2);
    lr_dataset_free(ds);
}
END_TEST

/* ---------------------------------------------------- the tokenizer itself */

static const char *write_tmp(const char *text, size_t len)
{
    return lr_test_write(lr_test_tmpdir(), "t.dat", text, len);
}

START_TEST(tokenizer_fields_and_lines)
{
    static const char text[] = HEADER "1\t2\t3\r\n40\t\t6\n";
    lr__tsv t;
    ck_assert_lr_ok(lr__tsv_open(&t, write_tmp(text, sizeof text - 1), LISTEN_COLS, 3, 100));
    ck_assert_uint_eq(lr__tsv_rows_bound(&t), 3);
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_uint_eq(t.line, 2);
    ck_assert_uint_eq(t.flen[2], 1); /* the CR is not part of the field */
    int32_t v;
    ck_assert_lr_ok(lr__tsv_int(&t, 2, &v));
    ck_assert_int_eq(v, 3);
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_uint_eq(t.line, 3);
    ck_assert_uint_eq(t.flen[1], 0);
    ck_assert_lr_ok(lr__tsv_int(&t, 0, &v));
    ck_assert_int_eq(v, 40);
    ck_assert_int_eq(lr__tsv_next(&t), 0);
    ck_assert_int_eq(lr__tsv_next(&t), 0);
    lr__tsv_close(&t);
}
END_TEST

START_TEST(tokenizer_int64)
{
    static const char *const cols[] = {"timestamp"};
    static const char text[] = "timestamp\n-441849600000\n9223372036854775807\n"
                               "-9223372036854775808\n9223372036854775808\n-\n";
    lr__tsv t;
    int64_t v;
    ck_assert_lr_ok(lr__tsv_open(&t, write_tmp(text, sizeof text - 1), cols, 1, 100));
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_lr_ok(lr__tsv_int64(&t, 0, &v));
    ck_assert_int_eq(v, -441849600000LL);
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_lr_ok(lr__tsv_int64(&t, 0, &v));
    ck_assert_int_eq(v, INT64_MAX);
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_lr_ok(lr__tsv_int64(&t, 0, &v));
    ck_assert_int_eq(v, INT64_MIN);
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_lr_fail(lr__tsv_int64(&t, 0, &v), LR_E_RANGE, "t.dat:5: field 'timestamp':");
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_lr_fail(lr__tsv_int64(&t, 0, &v), LR_E_PARSE, "t.dat:6: field 'timestamp':");
    lr__tsv_close(&t);
}
END_TEST

START_TEST(tokenizer_text_repair)
{
    static const char *const cols[] = {"id", "name"};
    static const char text[] = "id\tname\n1\tcaf\xe9 \xff\n2\tBeyonc\xc3\xa9\n3\t\n";
    lr__tsv t;
    lr__blob b = {0};
    int64_t off[3];
    uint64_t fixes = 0;
    ck_assert_lr_ok(lr__tsv_open(&t, write_tmp(text, sizeof text - 1), cols, 2, 100));
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(lr__tsv_next(&t), 1);
        ck_assert_lr_ok(lr__tsv_text(&t, 1, &b, &off[i], &fixes));
    }
    ck_assert_str_eq(b.data + off[0], "caf\xc3\xa9 \xc3\xbf");
    ck_assert_str_eq(b.data + off[1], "Beyonc\xc3\xa9"); /* valid UTF-8 is kept as it is */
    ck_assert_str_eq(b.data + off[2], "");
    ck_assert_uint_eq(fixes, 2);
    lr__blob_free(&b);
    lr__tsv_close(&t);
}
END_TEST

START_TEST(tokenizer_header_only_line)
{
    /* A header with no terminator and nothing else is a valid, empty table. */
    lr__tsv t;
    ck_assert_lr_ok(lr__tsv_open(&t, write_tmp("userID\tartistID\tweight", 22), LISTEN_COLS, 3,
                                 100));
    ck_assert_int_eq(lr__tsv_next(&t), 0);
    lr__tsv_close(&t);
}
END_TEST

static Suite *tsv_suite(void)
{
    Suite *s = suite_create("tsv");
    TCase *errors = tcase_create("errors");
    tcase_add_test(errors, missing_file);
    tcase_add_test(errors, empty_file);
    tcase_add_test(errors, missing_header);
    tcase_add_test(errors, wrong_header);
    tcase_add_test(errors, nul_byte);
    tcase_add_test(errors, line_too_long);
    tcase_add_test(errors, max_line_option);
    tcase_add_test(errors, too_few_fields);
    tcase_add_test(errors, too_many_fields);
    tcase_add_test(errors, non_numeric);
    tcase_add_test(errors, negative);
    tcase_add_test(errors, overflow);
    tcase_add_test(errors, zero_listen_count);
    tcase_add_test(errors, blank_line_in_the_middle);
    tcase_add_test(errors, duplicate_listen);
    suite_add_tcase(s, errors);
    TCase *ok = tcase_create("accepted");
    tcase_add_test(ok, line_endings_and_bom);
    tcase_add_test(ok, header_only);
    tcase_add_test(ok, listens_alone);
    suite_add_tcase(s, ok);
    TCase *tok = tcase_create("tokenizer");
    tcase_add_test(tok, tokenizer_fields_and_lines);
    tcase_add_test(tok, tokenizer_int64);
    tcase_add_test(tok, tokenizer_text_repair);
    tcase_add_test(tok, tokenizer_header_only_line);
    suite_add_tcase(s, tok);
    return s;
}

int main(void)
{
    return lr_test_run(tsv_suite());
}
