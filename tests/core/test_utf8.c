/* UTF-8 suite: validation, Latin-1 repair and the search fold.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "core/utf8.h"

static int valid(const char *s) { return lr__utf8_valid(s, strlen(s)); }

START_TEST(valid_sequences)
{
    ck_assert(valid(""));
    ck_assert(valid("plain ASCII\t~\x7f"));
    ck_assert(valid("Beyonc\xc3\xa9"));                 /* é, 2 bytes */
    ck_assert(valid("\xe2\x82\xac"));                   /* €, 3 bytes */
    ck_assert(valid("\xf0\x9d\x84\x9e"));               /* 𝄞, 4 bytes */
    ck_assert(valid("\xc2\x80"));                       /* U+0080, lowest 2-byte */
    ck_assert(valid("\xe0\xa0\x80"));                   /* U+0800, lowest 3-byte */
    ck_assert(valid("\xf0\x90\x80\x80"));               /* U+10000, lowest 4-byte */
    ck_assert(valid("\xf4\x8f\xbf\xbf"));               /* U+10FFFF, the last */
    ck_assert(valid("\xed\x9f\xbf"));                   /* U+D7FF, below surrogates */
    ck_assert(valid("\xee\x80\x80"));                   /* U+E000, above them */
    ck_assert(valid("\xef\xbb\xbf"));                   /* the BOM is a character */
    /* A NUL inside the given length is a valid character. */
    ck_assert(lr__utf8_valid("a\0b", 3));
}
END_TEST

START_TEST(invalid_sequences)
{
    static const char *const bad[] = {
        "\x80",             /* lone continuation byte */
        "\xbf",
        "a\xe9z",           /* Latin-1 é */
        "\xc0\x80",         /* overlong NUL */
        "\xc1\xbf",         /* overlong U+007F */
        "\xe0\x80\x80",     /* overlong 3-byte */
        "\xe0\x9f\xbf",     /* overlong U+07FF */
        "\xf0\x80\x80\x80", /* overlong 4-byte */
        "\xf0\x8f\xbf\xbf", /* overlong U+FFFF */
        "\xed\xa0\x80",     /* U+D800, high surrogate */
        "\xed\xbf\xbf",     /* U+DFFF, low surrogate */
        "\xf4\x90\x80\x80", /* U+110000 */
        "\xf5\x80\x80\x80", /* lead byte beyond U+10FFFF */
        "\xff",
        "\xfe",
        "\xc3",             /* truncated 2-byte */
        "\xe2\x82",         /* truncated 3-byte */
        "\xf0\x9d\x84",     /* truncated 4-byte */
        "\xe2\x28\xa1",     /* bad continuation */
        "\xc3\xa9\xc3",     /* good then truncated */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(!valid(bad[i]), "case %zu accepted", i);
    /* Truncation by the length, not by a NUL. */
    ck_assert(!lr__utf8_valid("\xe2\x82\xac", 2));
}
END_TEST

START_TEST(seq_decodes)
{
    uint32_t cp = 0;
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"A", 1, &cp), 1);
    ck_assert_uint_eq(cp, 'A');
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"\xc3\xa9", 2, &cp), 2);
    ck_assert_uint_eq(cp, 0xe9);
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"\xe2\x82\xac", 3, &cp), 3);
    ck_assert_uint_eq(cp, 0x20ac);
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"\xf4\x8f\xbf\xbf", 4, &cp), 4);
    ck_assert_uint_eq(cp, 0x10ffff);
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"\xc3\xa9", 1, &cp), 0);
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"", 0, &cp), 0);
    ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)"\xc3\xa9", 2, NULL), 2);
}
END_TEST

START_TEST(put_round_trips)
{
    static const uint32_t cps[] = {0, 0x41, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x20ac,
                                   0xd7ff, 0xe000, 0xffff, 0x10000, 0x1d11e, 0x10ffff};
    for (size_t i = 0; i < sizeof cps / sizeof cps[0]; i++) {
        char buf[4];
        size_t n = lr__utf8_put(cps[i], buf);
        uint32_t back = 0;
        ck_assert_uint_eq(lr__utf8_seq((const unsigned char *)buf, n, &back), n);
        ck_assert_uint_eq(back, cps[i]);
    }
}
END_TEST

START_TEST(repair_reads_latin1)
{
    uint64_t fixes = 0;
    char *s = lr__utf8_repair("Beyonc\xe9", 7, &fixes);
    ck_assert_str_eq(s, "Beyonc\xc3\xa9");
    ck_assert_uint_eq(fixes, 1);
    free(s);

    /* Valid text is kept byte for byte and counts nothing. */
    fixes = 0;
    s = lr__utf8_repair("Mot\xc3\xb6rhead \xe2\x82\xac", 14, &fixes);
    ck_assert_str_eq(s, "Mot\xc3\xb6rhead \xe2\x82\xac");
    ck_assert_uint_eq(fixes, 0);
    free(s);

    /* Every invalid byte counts: a truncated sequence, an overlong, a
     * surrogate, and fixes accumulate across calls. */
    s = lr__utf8_repair("\xe2\x82", 2, &fixes);
    ck_assert_str_eq(s, "\xc3\xa2\xc2\x82");
    ck_assert_uint_eq(fixes, 2);
    free(s);
    s = lr__utf8_repair("\xc0\x80|\xed\xa0\x80", 6, &fixes);
    ck_assert_str_eq(s, "\xc3\x80\xc2\x80|\xc3\xad\xc2\xa0\xc2\x80");
    ck_assert_uint_eq(fixes, 7);
    free(s);

    /* The result is always valid UTF-8; all 256 byte values at once. */
    char all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (char)i;
    fixes = 0;
    s = lr__utf8_repair(all, 256, &fixes);
    ck_assert_uint_eq(fixes, 128);
    ck_assert(lr__utf8_valid(s + 1, strlen(s + 1))); /* s starts with the NUL byte */
    free(s);
    s = lr__utf8_repair("", 0, NULL);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

static void check_fold(const char *in, const char *want)
{
    char *got = lr__utf8_fold(in);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strcmp(got, want) == 0, "fold('%s') = '%s', want '%s'", in, got, want);
    free(got);
}

START_TEST(fold_for_search)
{
    check_fold("Beyonc\xc3\xa9", "beyonce");
    check_fold("MOT\xc3\x96RHEAD", "motorhead");
    check_fold("Stra\xc3\x9f" "e", "strasse");
    check_fold("Sigur R\xc3\xb3s", "sigur ros");
    check_fold("Bj\xc3\xb6rk", "bjork");
    check_fold("\xc3\x80\xc3\x89\xc3\x8e\xc3\x95\xc3\x9c\xc3\x91\xc3\x87", "aeiounc");
    check_fold("\xc5\x81\xc3\xb3" "d\xc5\xba", "lodz");        /* Łódź */
    check_fold("Du\xc5\xa1" "an", "dusan");                 /* Dušan */
    check_fold("\xce\x91\xce\x92\xce\x93", "\xce\xb1\xce\xb2\xce\xb3");   /* ΑΒΓ */
    check_fold("\xd0\x9c\xd0\x98\xd0\xa0", "\xd0\xbc\xd0\xb8\xd1\x80");   /* МИР */
    check_fold("AC/DC & 2Pac!", "ac/dc & 2pac!");
    check_fold("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");   /* kept */
    check_fold("\xc3\x97\xc3\x9e", "\xc3\x97\xc3\x9e");     /* × and Þ have no base letter */
    check_fold("", "");
}
END_TEST

static Suite *utf8_suite(void)
{
    Suite *s = suite_create("utf8");
    TCase *tc = tcase_create("utf8");
    tcase_add_test(tc, valid_sequences);
    tcase_add_test(tc, invalid_sequences);
    tcase_add_test(tc, seq_decodes);
    tcase_add_test(tc, put_round_trips);
    tcase_add_test(tc, repair_reads_latin1);
    tcase_add_test(tc, fold_for_search);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(utf8_suite()); }
