/* The lastfm-360K format: keys, merging, bad lines, the streamed
 * tokenizer, and synthetic sets whose planted quirks the load must count
 * exactly.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "data/dataset.h"
#include "data/synth.h"
#include "data/write_lastfm360k.h"
#include "ingest/lastfm360k.h"
#include "ingest/tsv.h"

#include <math.h>

#define U1 "0123456789abcdef0123456789abcdef01234567"
#define U2 "FEDCBA9876543210FEDCBA9876543210FEDCBA98"
#define U3 "00000000000000000000000000000000000000aa"
#define MA "a74b1b7f-71a5-4011-9441-d0b5e4122711"
#define MB "5b11f4ce-a62d-471e-81fc-a69a8278c7da"
#define MC "9282c8b4-ca0b-4c6a-b3ca-7e3a0e2c3b6f"

/* Every merge rule once (docs/formats.md):
 * - U1's two rows of MA under two cases: one listen of 15 plays, a second
 *   spelling, a summed row;
 * - "THE  BEATLES " without an MBID has MA's key and only MA has it:
 *   merged into MA;
 * - "Björk" and "BJÖRK" without MBIDs: one artist by key (Latin-1 folding);
 * - "Nirvana" has two MBIDs (MB, MC), so "Nirvana" without one is its own
 *   artist;
 * - CRLF line ends and a BOM; U2 in upper case. */
static const char PLAYS[] =
    "\xEF\xBB\xBF" U1 "\t" MA "\tThe Beatles\t10\r\n"
    U1 "\t" MA "\tthe beatles\t5\r\n"
    U2 "\t\tTHE  BEATLES \t3\r\n"
    U2 "\t\tBj\xC3\xB6rk\t4\r\n"
    U3 "\t\tBJ\xC3\x96RK\t2\r\n"
    U3 "\t" MB "\tNirvana\t1\r\n"
    U3 "\t" MC "\tnirvana\t1\r\n"
    U1 "\t\tNirvana\t7\r\n";

static int64_t plays_of(const lr_dataset *ds, int32_t user_id, int32_t artist_id)
{
    int32_t u = lr__user_index(ds, user_id), a = lr__artist_index(ds, artist_id);
    ck_assert_int_ge(u, 0);
    ck_assert_int_ge(a, 0);
    int64_t i = lr__csr_find(&ds->listens, u, a);
    return i < 0 ? 0 : (int64_t)ds->listens.val[i];
}

START_TEST(merges_by_rule)
{
    const char *dir = lr_test_tmpdir();
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, PLAYS);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND), LR_SOURCE_LASTFM360K);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 5);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 7);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ROWS_SUMMED), 1);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SPELLINGS_MERGED), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_BAD_LINES_SKIPPED), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_PROFILES), 0);
    /* artists by first appearance, named by their first spelling */
    ck_assert_str_eq(lr_dataset_artist_name(ds, 1), "The Beatles");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 2), "Bj\xC3\xB6rk");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 3), "Nirvana");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 4), "nirvana");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 5), "Nirvana");
    ck_assert_int_eq(plays_of(ds, 1, 1), 15);
    ck_assert_int_eq(plays_of(ds, 2, 1), 3);
    ck_assert_int_eq(plays_of(ds, 2, 2), 4);
    ck_assert_int_eq(plays_of(ds, 3, 2), 2);
    ck_assert_int_eq(plays_of(ds, 3, 3), 1);
    ck_assert_int_eq(plays_of(ds, 3, 4), 1);
    ck_assert_int_eq(plays_of(ds, 1, 5), 7);
    /* keys, lower case, both ways */
    ck_assert_str_eq(lr_dataset_user_key(ds, 1), U1);
    ck_assert_str_eq(lr_dataset_user_key(ds, 2), "fedcba9876543210fedcba9876543210fedcba98");
    ck_assert_ptr_null(lr_dataset_user_key(ds, 4));
    int32_t id = -1;
    ck_assert_lr_ok(lr_dataset_find_user_key(ds, U2, &id));
    ck_assert_int_eq(id, 2);
    ck_assert_lr_ok(lr_dataset_find_user_key(ds, U3, &id));
    ck_assert_int_eq(id, 3);
    ck_assert_lr_fail(lr_dataset_find_user_key(ds, "ffff", &id), LR_E_NOTFOUND, "ffff");
    ck_assert_int_eq(id, 0);
    lr_dataset_free(ds);
    lr_test_remove_dir(dir);
}
END_TEST

/* The file alone, under another name, is recognised by its first row. */
START_TEST(file_by_content)
{
    const char *dir = lr_test_tmpdir();
    const char *path = LR_TEST_WRITE_STR(dir, "sample.tsv", PLAYS + 3);
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, p, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND), LR_SOURCE_LASTFM360K);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 7);
    lr_dataset_free(ds);
    lr_test_remove_dir(dir);
}
END_TEST

START_TEST(artist_keys)
{
    static const struct {
        const char *in, *key;
    } cases[] = {
        {"  The\xC2\xA0 Beatles ", "the beatles"},
        {"\xC3\x80\xC3\x89\xC3\x8E \xC3\x97", "\xC3\xA0\xC3\xA9\xC3\xAE \xC3\x97"}, /* ÀÉÎ × */
        {"\xCE\xA3\xCE\x91", "\xCF\x83\xCE\xB1"},                               /* ΣΑ -> σα */
        {"\xD0\x96\xD0\x81", "\xD0\xB6\xD1\x91"},                               /* ЖЁ -> жё */
        {"Stra\xC3\x9F" "e", "stra\xC3\x9F" "e"},                               /* ß kept */
        {"坂本龍一", "坂本龍一"},
        {" \xC2\xA0 ", ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        size_t n = lr__artist_key(cases[i].in, strlen(cases[i].in), out);
        ck_assert_str_eq(out, cases[i].key);
        ck_assert_uint_eq(n, strlen(cases[i].key));
    }
}
END_TEST

/* ------------------------------------------------------------ bad lines */

static const struct bad {
    const char *line;   /* line 2 of the file, between two good ones */
    int status;
    const char *needle; /* in the message after "path:2: " */
} BAD[] = {
    {U2 "\t\tAlpha\n", LR_E_PARSE, "3 fields, expected 4"},
    {U2 "\t\tAlpha\t5\textra\n", LR_E_PARSE, "5 fields, expected 4"},
    {U2 "\t\tAlpha\tabc\n", LR_E_PARSE, "field 'plays': \"abc\" is not"},
    {U2 "\t\tAlpha\t\n", LR_E_PARSE, "field 'plays': empty"},
    {U2 "\t\tAlpha\t0\n", LR_E_RANGE, "field 'plays': zero plays"},
    {U2 "\t\tAlpha\t-4\n", LR_E_RANGE, "field 'plays': -4 is negative"},
    {U2 "\t\tAlpha\t99999999999\n", LR_E_RANGE, "field 'plays': 99999999999 is larger"},
    {"0123\t\tAlpha\t5\n", LR_E_PARSE, "field 'usersha1': \"0123\" is not a SHA-1"},
    {"0123456789abcdef0123456789abcdef0123456g\t\tAlpha\t5\n", LR_E_PARSE,
     "field 'usersha1'"},
    {"\t\tAlpha\t5\n", LR_E_PARSE, "field 'usersha1'"},
    {U2 "\tnot-an-mbid\tAlpha\t5\n", LR_E_PARSE, "field 'artmbid': \"not-an-mbid\""},
    {U2 "\t\t\t5\n", LR_E_PARSE, "field 'artname': empty artist name"},
    {U2 "\t\t   \t5\n", LR_E_PARSE, "field 'artname': empty artist name"},
    {U2 "\t\tAl\0pha\t5\n", LR_E_ENCODING, "NUL byte at column"},
    {U2 "\t\tAlpha Alpha Alpha Alpha Alpha Alpha Alpha Alpha Alpha Alpha\t5\n", LR_E_TOOLONG,
     "longer than the limit of 96"},
};

static const char *const GOOD1 = U1 "\t\tBeta\t2\n";
static const char *const GOOD3 = U3 "\t" MA "\tGamma\t3\n";

static const char *write_bad(const char *dir, const struct bad *b)
{
    char text[512];
    size_t n = 0, l = strlen(b->line);
    /* the NUL case: the line runs to its newline, NUL included */
    if (b->status == LR_E_ENCODING)
        l += 1 + strlen(b->line + l + 1);
    memcpy(text + n, GOOD1, strlen(GOOD1));
    n += strlen(GOOD1);
    memcpy(text + n, b->line, l);
    n += l;
    memcpy(text + n, GOOD3, strlen(GOOD3));
    n += strlen(GOOD3);
    return lr_test_write(dir, LR_360K_PLAYS, text, n);
}

START_TEST(bad_line_fails)
{
    const struct bad *b = &BAD[_i];
    const char *dir = lr_test_tmpdir();
    char where[600];
    snprintf(where, sizeof where, "%s:2: ", write_bad(dir, b));
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MAX_LINE, 96));
    lr_dataset *ds = NULL;
    ck_assert_lr_fail(lr_dataset_load(&ds, dir, o), b->status, where);
    ck_assert_msg(strstr(lr_last_error(), b->needle), "%s lacks %s", lr_last_error(), b->needle);
    ck_assert_ptr_null(ds);
    lr_options_free(o);
    lr_test_remove_dir(dir);
}
END_TEST

START_TEST(bad_line_skipped)
{
    const struct bad *b = &BAD[_i];
    const char *dir = lr_test_tmpdir();
    write_bad(dir, b);
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MAX_LINE, 96));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SKIP_BAD_LINES, 1));
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, o));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_BAD_LINES_SKIPPED), 1);
    /* the skipped line leaves no user (U2) and no artist behind */
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 2);
    ck_assert_str_eq(lr_dataset_user_key(ds, 2), U3);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 2), "Gamma");
    lr_dataset_free(ds);
    lr_options_free(o);
    lr_test_remove_dir(dir);
}
END_TEST

/* Invalid UTF-8 is read as Latin-1 and counted, as in HetRec files. */
START_TEST(latin1_repaired)
{
    const char *dir = lr_test_tmpdir();
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, U1 "\t\tCaf\xE9 Tacuba\t2\n" U1 "\t\tCAF\xC3\x89 TACUBA\t1\n");
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LATIN1_FIXES), 1);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 1), "Caf\xC3\xA9 Tacuba");
    /* the repaired name has the key of its upper-case spelling */
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 1);
    ck_assert_int_eq(plays_of(ds, 1, 1), 3);
    lr_dataset_free(ds);
    lr_test_remove_dir(dir);
}
END_TEST

START_TEST(empty_and_all_bad)
{
    const char *dir = lr_test_tmpdir();
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, "\n\n");
    lr_dataset *ds = NULL;
    /* a directory with the plays file is read as lastfm-360K, empty or not */
    ck_assert_lr_fail(lr_dataset_load(&ds, dir, NULL), LR_E_EMPTY, "empty");
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, U1 "\t\tA\t0\n");
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SKIP_BAD_LINES, 1));
    ck_assert_lr_fail(lr_dataset_load(&ds, dir, o), LR_E_EMPTY, "no valid rows (1 skipped)");
    lr_options_free(o);
    lr_test_remove_dir(dir);
}
END_TEST

/* ------------------------------------------------------------- profile */

START_TEST(profile_rows)
{
    const char *dir = lr_test_tmpdir();
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, PLAYS);
    LR_TEST_WRITE_STR(dir, LR_360K_PROFILE,
                      U1 "\tf\t22\tGermany\tFeb 1, 2009\n"
                      U2 "\t\t\t\t\n"
                      U3 "\tm\t-1337\tC\xF4te D'Ivoire\tDec 31, 2005\n");
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_PROFILES), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LATIN1_FIXES), 1);
    lr_dataset_free(ds);
    static const struct {
        const char *row, *needle;
    } bad[] = {
        {U1 "\tx\t22\tGermany\tFeb 1, 2009\n", "field 'gender'"},
        {U1 "\tf\ttwenty\tGermany\tFeb 1, 2009\n", "field 'age'"},
        {U1 "\tf\t22\tGermany\t2009-02-01\n", "field 'signup': \"2009-02-01\" is not a date"},
        {U1 "\tf\t22\tGermany\tFeb 1 2009\n", "field 'signup'"},
        {U1 "\tf\t22\tGermany\tFeb 1, 09\n", "field 'signup'"},
        {"abc\tf\t22\tGermany\tFeb 1, 2009\n", "field 'usersha1'"},
        {U1 "\tf\t22\tGermany\n", "4 fields, expected 5"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *path = LR_TEST_WRITE_STR(dir, LR_360K_PROFILE, bad[i].row);
        char where[600];
        snprintf(where, sizeof where, "%s:1: ", path);
        int rc = lr_dataset_load(&ds, dir, NULL);
        ck_assert_msg(rc == LR_E_PARSE && strstr(lr_last_error(), where) &&
                      strstr(lr_last_error(), bad[i].needle),
                      "row %zu: %d %s", i, rc, lr_last_error());
    }
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SKIP_BAD_LINES, 1));
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, o));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_PROFILES), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_BAD_LINES_SKIPPED), 1);
    lr_dataset_free(ds);
    lr_options_free(o);
    lr_test_remove_dir(dir);
}
END_TEST

/* ------------------------------------------------------- the tokenizer */

/* A window of 16 bytes makes every row cross a refill; rows, line numbers
 * and errors must be those of the whole-file reader. */
START_TEST(stream_small_blocks)
{
    static const char *const cols[] = {"a", "b"};
    const char *dir = lr_test_tmpdir();
    const char *path = LR_TEST_WRITE_STR(dir, "s.tsv",
                                         "1\tone\r\n\n22\ttwenty-two\n333\tthree hundred\n4\tfour");
    char p[512];
    snprintf(p, sizeof p, "%s", path);
    lr__tsv t;
    ck_assert_lr_ok(lr__tsv_open_stream(&t, p, cols, 2, 64, 16));
    static const char *const want[] = {"one", "twenty-two", "three hundred", "four"};
    static const uint64_t lines[] = {1, 3, 4, 5};
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(lr__tsv_next(&t), 1);
        ck_assert_uint_eq(t.line, lines[i]);
        ck_assert_uint_eq(t.flen[1], strlen(want[i]));
        ck_assert(memcmp(t.field[1], want[i], t.flen[1]) == 0);
    }
    ck_assert_int_eq(lr__tsv_next(&t), 0);
    ck_assert_uint_eq(lr__tsv_done(&t), t.total);
    lr__tsv_close(&t);
    /* an over-long line is consumed whole: the next row follows */
    path = LR_TEST_WRITE_STR(dir, "s.tsv", "1\tone\n2\txxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n3\tthree\n");
    ck_assert_lr_ok(lr__tsv_open_stream(&t, p, cols, 2, 64, 16));
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_lr_fail(lr__tsv_next(&t), LR_E_TOOLONG, "s.tsv:2: ");
    ck_assert_int_eq(lr__tsv_next(&t), 1);
    ck_assert_uint_eq(t.line, 3);
    ck_assert(memcmp(t.field[1], "three", 5) == 0);
    ck_assert_int_eq(lr__tsv_next(&t), 0);
    lr__tsv_close(&t);
    lr_test_remove_dir(dir);
}
END_TEST

/* ------------------------------------------------------------ progress */

typedef struct seen {
    uint64_t last_done, last_total;
    int calls, cancel_at;
} seen;

static int on_progress(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    seen *s = user_data;
    if (strncmp(stage, "read " LR_360K_PLAYS, 5 + strlen(LR_360K_PLAYS)) == 0) {
        s->last_done = done;
        s->last_total = total;
    }
    return ++s->calls == s->cancel_at;
}

START_TEST(progress_and_cancel)
{
    const char *dir = lr_test_tmpdir();
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, PLAYS);
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    seen s = {0, 0, 0, -1};
    lr_options_set_progress(o, on_progress, &s);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, o));
    ck_assert_uint_eq(s.last_total, strlen(PLAYS));
    ck_assert_uint_eq(s.last_done, s.last_total);
    lr_dataset_free(ds);
    for (int at = 1; at <= s.calls; at++) {
        seen c = {0, 0, 0, at};
        lr_options_set_progress(o, on_progress, &c);
        ck_assert_int_eq(lr_dataset_load(&ds, dir, o), LR_E_CANCELLED);
        ck_assert_ptr_null(ds);
    }
    lr_options_free(o);
    lr_test_remove_dir(dir);
}
END_TEST

/* ------------------------------------------------------- synthetic sets */

static lr_dataset *synth(int64_t users, int64_t artists)
{
    lr__synth_params p;
    lr__synth_params_from(&p, NULL);
    p.users = users;
    p.artists = artists;
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr__synthesize(&ds, &p, NULL));
    return ds;
}

/* Per user (same order), the sorted play counts. */
static void assert_same_counts(const lr_dataset *a, const lr_dataset *b)
{
    ck_assert_int_eq(a->n_users, b->n_users);
    ck_assert_int_eq(a->listens.nnz, b->listens.nnz);
    for (int32_t u = 0; u < a->n_users; u++) {
        int64_t n = a->listens.ptr[u + 1] - a->listens.ptr[u];
        ck_assert_int_eq(n, b->listens.ptr[u + 1] - b->listens.ptr[u]);
        double sa = 0, sb = 0;
        for (int64_t i = 0; i < n; i++) {
            sa += a->listens.val[a->listens.ptr[u] + i];
            sb += b->listens.val[b->listens.ptr[u] + i];
        }
        ck_assert(sa == sb);
    }
}

START_TEST(synthetic_quirks_counted)
{
    lr_dataset *src = synth(300, 900);
    const char *dir = lr_test_tmpdir();
    lr__l360_params p = {.seed = 7, .quirks = 1, .bad_lines = 0};
    lr__l360_planted pl;
    ck_assert_lr_ok(lr__write_lastfm360k(src, dir, &p, &pl));
    /* a quirky file at this size has some of every quirk */
    ck_assert_int_gt(pl.rows_split, 0);
    ck_assert_int_gt(pl.spellings, 0);
    ck_assert_int_gt(pl.spellings_no_mbid, 0);
    ck_assert_int_gt(pl.no_mbid, 0);
    ck_assert_int_gt(pl.renamed, 0);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), src->n_users);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), src->n_artists);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), src->listens.nnz);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ROWS_SUMMED), pl.rows_split);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SPELLINGS_MERGED), pl.spellings);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_PROFILES), pl.profiles);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_BAD_LINES_SKIPPED), 0);
    ck_assert_int_eq(pl.rows, src->listens.nnz + pl.rows_split);
    assert_same_counts(src, ds);
    /* some names outside ASCII made it through */
    int32_t hits = 0;
    size_t needed = 0;
    ck_assert_lr_ok(lr_dataset_find_artist(ds, "Sigur R\xC3\xB3s", &hits, 1, &needed));
    ck_assert_uint_ge(needed, 1);
    lr_dataset_free(ds);

    /* malformed lines: refused at the first, or all skipped and counted */
    lr_test_remove_dir(dir);
    dir = lr_test_tmpdir();
    p.bad_lines = 7;
    lr__l360_planted pb;
    ck_assert_lr_ok(lr__write_lastfm360k(src, dir, &p, &pb));
    ck_assert_int_eq(pb.bad_lines, 7);
    ck_assert_lr_fail(lr_dataset_load(&ds, dir, NULL), LR_E_PARSE, LR_360K_PLAYS ":");
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SKIP_BAD_LINES, 1));
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, o));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_BAD_LINES_SKIPPED), 7);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ROWS_SUMMED), pb.rows_split);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SPELLINGS_MERGED), pb.spellings);
    assert_same_counts(src, ds);
    lr_dataset_free(ds);
    lr_options_free(o);
    lr_dataset_free(src);
    lr_test_remove_dir(dir);
}
END_TEST

/* Same dataset and seed, same bytes; another seed, other bytes. */
START_TEST(synthetic_deterministic)
{
    lr_dataset *src = synth(60, 200);
    const char *d = lr_test_tmpdir();
    char d1[256], d2[256];
    snprintf(d1, sizeof d1, "%s", d);
    d = lr_test_tmpdir();
    snprintf(d2, sizeof d2, "%s", d);
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_BAD_LINES, 2));
    ck_assert_lr_ok(lr_dataset_write_lastfm360k(src, d1, o));
    ck_assert_lr_ok(lr_dataset_write_lastfm360k(src, d2, o));
    ck_assert_int_eq(lr_test_count_entries(d1), 2); /* no temporary left */
    const char *names[] = {LR_360K_PLAYS, LR_360K_PROFILE};
    for (int k = 0; k < 2; k++) {
        char p1[512], p2[512];
        snprintf(p1, sizeof p1, "%s/%s", d1, names[k]);
        snprintf(p2, sizeof p2, "%s/%s", d2, names[k]);
        char *a = NULL, *b = NULL;
        size_t la = 0, lb = 0;
        FILE *f = fopen(p1, "rb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(getdelim(&a, &la, '\0', f) > 0, 1);
        fclose(f);
        f = fopen(p2, "rb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(getdelim(&b, &lb, '\0', f) > 0, 1);
        fclose(f);
        ck_assert_str_eq(a, b);
        free(a);
        free(b);
    }
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 43));
    ck_assert_lr_ok(lr_dataset_write_lastfm360k(src, d2, o));
    lr_dataset *x = NULL, *y = NULL;
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SKIP_BAD_LINES, 1));
    ck_assert_lr_ok(lr_dataset_load(&x, d1, o));
    ck_assert_lr_ok(lr_dataset_load(&y, d2, o));
    ck_assert_str_ne(lr_dataset_user_key(x, 1), lr_dataset_user_key(y, 1));
    lr_dataset_free(x);
    lr_dataset_free(y);
    lr_options_free(o);
    lr_dataset_free(src);
    lr_test_remove_dir(d1);
    lr_test_remove_dir(d2);
}
END_TEST

static void top10(const lr_dataset *ds, int32_t user_id, int32_t out[10])
{
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_FACTORS, 16));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, 5));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    lr_model *m = NULL;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    lr_query *q = NULL;
    ck_assert_lr_ok(lr_query_new(&q, m));
    size_t n = 0;
    ck_assert_lr_ok(lr_query_recommend_user(q, user_id, &n));
    ck_assert_uint_eq(n, 10);
    for (size_t i = 0; i < 10; i++)
        ck_assert_lr_ok(lr_query_result(q, i, &out[i], NULL));
    lr_query_free(q);
    lr_model_free(m);
    lr_options_free(o);
}

/* A quirk-free file and the HetRec directory of the same data give the
 * same listens, artist by artist (by name); and the 360K dataset, written
 * as HetRec and loaded again, trains the same ALS top 10: both paths build
 * one dataset. */
START_TEST(same_as_hetrec)
{
    lr_dataset *src = synth(150, 400);
    const char *d = lr_test_tmpdir();
    char dh[256], dl[256], dr[256];
    snprintf(dh, sizeof dh, "%s", d);
    d = lr_test_tmpdir();
    snprintf(dl, sizeof dl, "%s", d);
    d = lr_test_tmpdir();
    snprintf(dr, sizeof dr, "%s", d);
    ck_assert_lr_ok(lr_dataset_write_hetrec(src, dh));
    lr__l360_params p = {.seed = 42, .quirks = 0, .bad_lines = 0};
    lr__l360_planted pl;
    ck_assert_lr_ok(lr__write_lastfm360k(src, dl, &p, &pl));
    ck_assert_int_eq(pl.rows_split + pl.spellings + pl.renamed, 0);
    lr_dataset *h = NULL, *l = NULL, *r = NULL;
    ck_assert_lr_ok(lr_dataset_load(&h, dh, NULL));
    ck_assert_lr_ok(lr_dataset_load(&l, dl, NULL));
    ck_assert_int_eq(lr_dataset_count(l, LR_COUNT_ROWS_SUMMED), 0);
    ck_assert_int_eq(lr_dataset_count(l, LR_COUNT_SPELLINGS_MERGED), 0);
    ck_assert_int_eq(h->n_users, l->n_users);
    ck_assert_int_eq(h->n_artists, l->n_artists);
    ck_assert_int_eq(h->listens.nnz, l->listens.nnz);
    for (int32_t u = 0; u < h->n_users; u++)
        for (int64_t i = l->listens.ptr[u]; i < l->listens.ptr[u + 1]; i++) {
            const char *name = lr__strtab_get(&l->artist_names, l->listens.idx[i]);
            int32_t a = -1;
            for (int32_t k = 0; k < h->n_artists && a < 0; k++)
                if (strcmp(lr__strtab_get(&h->artist_names, k), name) == 0)
                    a = k;
            ck_assert_int_ge(a, 0);
            int64_t j = lr__csr_find(&h->listens, u, a);
            ck_assert_int_ge(j, 0);
            ck_assert(h->listens.val[j] == l->listens.val[i]);
        }
    ck_assert_lr_ok(lr_dataset_write_hetrec(l, dr));
    ck_assert_lr_ok(lr_dataset_load(&r, dr, NULL));
    ck_assert_int_eq(r->listens.nnz, l->listens.nnz);
    ck_assert(memcmp(r->listens.idx, l->listens.idx, (size_t)l->listens.nnz * 4) == 0);
    ck_assert(memcmp(r->listens.val, l->listens.val, (size_t)l->listens.nnz * 4) == 0);
    for (int32_t user = 1; user <= 3; user++) {
        int32_t a[10], b[10];
        top10(l, user, a);
        top10(r, user, b);
        ck_assert(memcmp(a, b, sizeof a) == 0);
    }
    lr_dataset_free(h);
    lr_dataset_free(l);
    lr_dataset_free(r);
    lr_dataset_free(src);
    lr_test_remove_dir(dh);
    lr_test_remove_dir(dl);
    lr_test_remove_dir(dr);
}
END_TEST

/* A split of a 360K dataset keeps the keys. */
START_TEST(split_keeps_keys)
{
    const char *dir = lr_test_tmpdir();
    LR_TEST_WRITE_STR(dir, LR_360K_PLAYS, PLAYS);
    lr_dataset *ds = NULL, *tr = NULL, *te = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, NULL));
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, NULL, &tr, &te));
    ck_assert_str_eq(lr_dataset_user_key(tr, 3), U3);
    ck_assert_str_eq(lr_dataset_user_key(te, 1), U1);
    lr_dataset_free(tr);
    lr_dataset_free(te);
    lr_dataset_free(ds);
    lr_test_remove_dir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("lastfm360k");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, merges_by_rule);
    tcase_add_test(tc, file_by_content);
    tcase_add_test(tc, artist_keys);
    tcase_add_loop_test(tc, bad_line_fails, 0, (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_loop_test(tc, bad_line_skipped, 0, (int)(sizeof BAD / sizeof BAD[0]));
    tcase_add_test(tc, latin1_repaired);
    tcase_add_test(tc, empty_and_all_bad);
    tcase_add_test(tc, profile_rows);
    tcase_add_test(tc, stream_small_blocks);
    tcase_add_test(tc, progress_and_cancel);
    tcase_add_test(tc, synthetic_quirks_counted);
    tcase_add_test(tc, synthetic_deterministic);
    tcase_add_test(tc, same_as_hetrec);
    tcase_add_test(tc, split_keeps_keys);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return lr_test_run(suite());
}
