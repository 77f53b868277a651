/* The search unit: case- and accent-insensitive artist name search.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "tiny.h"
#include "lastrec.h"
#include "core/utf8.h"
#include "data/dataset.h"
#include "data/search.h"

#include <time.h>

static const int32_t users[] = {1, 2, 3, 4, 5};
static const int32_t artists[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static const char *const names[] = {
    "Kanye West",              /* 1: prefix of "kanye", 3 fans */
    "Kanye",                   /* 2: exact, no fans */
    "West Kanye Band",         /* 3: inside, 5 fans */
    "Beyonc\xc3\xa9",          /* 4: Beyoncé */
    "BEYONCE Tribute",         /* 5 */
    "M\xc3\xb6tley Cr\xc3\xbc" "e", /* 6: Mötley Crüe */
    "The Kanyes",              /* 7: inside, 5 fans: ties with 3, loses on ID */
    "Stra\xc3\x9f" "e",        /* 8: Straße */
    "Sigur R\xc3\xb3s",        /* 9: Sigur Rós */
};

/* fans: artist 1: 3, 3: 5, 4: 2, 5: 1, 6: 1, 7: 5, 8: 0, 9: 4 */
static const tiny_listen listens[] = {
    {1, 1, 1}, {2, 1, 1}, {3, 1, 1},
    {1, 3, 1}, {2, 3, 1}, {3, 3, 1}, {4, 3, 1}, {5, 3, 1},
    {1, 4, 1}, {2, 4, 1}, {3, 5, 1}, {4, 6, 1},
    {1, 7, 1}, {2, 7, 1}, {3, 7, 1}, {4, 7, 1}, {5, 7, 1},
    {1, 9, 1}, {2, 9, 1}, {3, 9, 1}, {5, 9, 1},
};

static lr_dataset *ds;

static void setup(void)
{
    tiny_spec s = {users, 5, artists, names, 9, NULL, NULL, 0,
                   listens, TINY_N(listens), NULL, 0, NULL, 0};
    ds = tiny_build(&s);
}

static void teardown(void)
{
    lr_dataset_free(ds);
    ds = NULL;
}

/* Search and compare the whole ranked list with want (n entries). */
static void expect(const char *text, const int32_t *want, size_t n)
{
    int32_t got[16];
    size_t found = 99;
    ck_assert_lr_ok(lr_dataset_find_artist(ds, text, got, 16, &found));
    ck_assert_msg(found == n, "'%s': %zu found, want %zu", text, found, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(got[i] == want[i], "'%s': rank %zu is %d, want %d", text, i, got[i],
                      want[i]);
}

START_TEST(ranking_exact_prefix_fans_id)
{
    /* exact, then prefix, then inside by fans (5 = 5: lower ID first) */
    const int32_t want[] = {2, 1, 3, 7};
    expect("kanye", want, 4);
    expect("Kanye", want, 4);
    expect("KANYE", want, 4);
    const int32_t west[] = {3, 1}; /* the name starting with it, then the other */
    expect("west", west, 2);
    const int32_t full[] = {1};
    expect("kanye west", full, 1);
}
END_TEST

START_TEST(accents_and_case_fold)
{
    const int32_t beyonce[] = {4, 5};
    expect("beyonce", beyonce, 2);
    expect("Beyonc\xc3\xa9", beyonce, 2);
    expect("BEYONC\xc3\x89", beyonce, 2); /* É */
    expect("beyonc\xe9", beyonce, 2);     /* a Latin-1 query is read as such */
    const int32_t motley[] = {6};
    expect("motley crue", motley, 1);
    expect("cr\xc3\xbc" "e", motley, 1);
    expect("CRUE", motley, 1);
    const int32_t strasse[] = {8};
    expect("strasse", strasse, 1);
    const int32_t ros[] = {9};
    expect("ros", ros, 1);
}
END_TEST

START_TEST(no_match)
{
    int32_t got[4] = {-7, -7, -7, -7};
    size_t found = 99;
    ck_assert_lr_ok(lr_dataset_find_artist(ds, "zzz", got, 4, &found));
    ck_assert_uint_eq(found, 0);
    ck_assert_int_eq(got[0], -7);
    /* a longer text than any name */
    ck_assert_lr_ok(lr_dataset_find_artist(ds, "kanye west and friends", got, 4, &found));
    ck_assert_uint_eq(found, 0);
}
END_TEST

START_TEST(capacity_smaller_than_found)
{
    int32_t got[4] = {-7, -7, -7, -7};
    size_t found = 0;
    ck_assert_lr_ok(lr_dataset_find_artist(ds, "kanye", got, 2, &found));
    ck_assert_uint_eq(found, 4);
    ck_assert_int_eq(got[0], 2);
    ck_assert_int_eq(got[1], 1);
    ck_assert_int_eq(got[2], -7); /* nothing past capacity */
    ck_assert_lr_ok(lr_dataset_find_artist(ds, "kanye", NULL, 0, &found));
    ck_assert_uint_eq(found, 4);
}
END_TEST

START_TEST(empty_text_lists_by_fans)
{
    const int32_t want[] = {3, 7, 9, 1, 4, 5, 6, 2, 8};
    expect("", want, 9);
}
END_TEST

START_TEST(bad_arguments)
{
    int32_t got[2];
    size_t found;
    ck_assert_lr_fail(lr_dataset_find_artist(NULL, "a", got, 2, &found), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_find_artist(ds, NULL, got, 2, &found), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_find_artist(ds, "a", NULL, 2, &found), LR_E_INVALID,
                      "ids is NULL");
}
END_TEST

/* On a synthetic catalogue as large as HetRec's: every accented name is
 * found by its folded spelling, and a scan is fast. */
static int64_t fans_of(const void *ctx, int32_t a)
{
    const lr_dataset *d = ctx;
    return d->by_artist.ptr[a + 1] - d->by_artist.ptr[a];
}

/* Searching over precomputed keys (what a query does for its second name
 * on) finds and ranks exactly what folding every name again does. */
START_TEST(precomputed_keys_rank_the_same)
{
    lr__strtab keys;
    ck_assert_lr_ok(lr__search_keys(&ds->artist_names, &keys));
    ck_assert_int_eq(keys.n, ds->n_artists);
    ck_assert_str_eq(lr__strtab_get(&keys, 5), "motley crue");
    static const char *const texts[] = {"kanye", "KANYE WEST", "beyonce", "Beyonc\xc3\xa9",
                                        "strasse", "r\xc3\xb3s", "e", "", "zzz", "Kany\xe9"};
    for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
        int32_t a[16], b[16];
        size_t fa, fb, ea, eb;
        ck_assert_lr_ok(lr__search_names(&ds->artist_names, NULL, fans_of, ds, texts[t], a, 16,
                                         &fa, &ea));
        ck_assert_lr_ok(lr__search_names(&ds->artist_names, &keys, fans_of, ds, texts[t], b, 16,
                                         &fb, &eb));
        ck_assert_msg(fa == fb && ea == eb, "'%s': %zu/%zu found, %zu/%zu exact", texts[t], fa,
                      fb, ea, eb);
        for (size_t i = 0; i < fa && i < 16; i++)
            ck_assert_int_eq(a[i], b[i]);
    }
    lr__strtab_free(&keys);
}
END_TEST

START_TEST(synthetic_catalogue)
{
    lr_options *o;
    lr_dataset *big;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, 17632));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, 1892));
    ck_assert_lr_ok(lr_dataset_synthesize(&big, o));
    lr_options_free(o);

    int accented = 0;
    for (int32_t a = 0; a < big->n_artists && accented < 50; a++) {
        const char *name = lr__strtab_get(&big->artist_names, a);
        int ascii = 1;
        for (const char *p = name; *p; p++)
            ascii &= (unsigned char)*p < 0x80;
        if (ascii)
            continue;
        accented++;
        char *plain = lr__utf8_fold(name);
        int32_t got[1];
        size_t found;
        ck_assert_lr_ok(lr_dataset_find_artist(big, plain, got, 1, &found));
        ck_assert_msg(found >= 1, "'%s' not found as '%s'", name, plain);
        /* an exact match comes first: this name or one that folds the same */
        char *first = lr__utf8_fold(lr_dataset_artist_name(big, got[0]));
        ck_assert_msg(strcmp(first, plain) == 0, "'%s' ranked '%s' first", plain,
                      lr_dataset_artist_name(big, got[0]));
        free(first);
        free(plain);
    }
    ck_assert_int_gt(accented, 10);

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t found;
    for (int i = 0; i < 20; i++)
        ck_assert_lr_ok(lr_dataset_find_artist(big, "ka", NULL, 0, &found));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / 20;
    ck_assert_uint_gt(found, 100);
    /* well under 2 ms in a normal build; the bound leaves room for sanitizers */
    ck_assert_msg(ms < 50, "a search over 17,632 names took %.2f ms", ms);
    printf("search over %d names: %.3f ms, %zu matches for 'ka'\n", big->n_artists, ms, found);
    lr_dataset_free(big);
}
END_TEST

/* The real catalogue, when LASTREC_DATA names it. */
START_TEST(real_data_kanye)
{
    const char *dir = getenv("LASTREC_DATA");
    if (!dir || !*dir) {
        printf("real_data_kanye: LASTREC_DATA is unset, skipped\n");
        return;
    }
    lr_dataset *real;
    ck_assert_lr_ok(lr_dataset_load(&real, dir, NULL));
    int32_t got[5];
    size_t found;
    ck_assert_lr_ok(lr_dataset_find_artist(real, "Kanye", got, 5, &found));
    ck_assert_uint_ge(found, 1);
    ck_assert_str_eq(lr_dataset_artist_name(real, got[0]), "Kanye West");
    ck_assert_lr_ok(lr_dataset_find_artist(real, "beyonce", got, 5, &found));
    ck_assert_uint_ge(found, 1);
    ck_assert_str_eq(lr_dataset_artist_name(real, got[0]), "Beyonc\xc3\xa9");

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < 20; i++)
        ck_assert_lr_ok(lr_dataset_find_artist(real, "the", NULL, 0, &found));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = ((double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6) / 20;
    printf("search over the real catalogue: %.3f ms, %zu matches for 'the'\n", ms, found);
    lr_dataset_free(real);
}
END_TEST

static Suite *search_suite(void)
{
    Suite *s = suite_create("search");
    TCase *tc = tcase_create("search");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, ranking_exact_prefix_fans_id);
    tcase_add_test(tc, accents_and_case_fold);
    tcase_add_test(tc, no_match);
    tcase_add_test(tc, capacity_smaller_than_found);
    tcase_add_test(tc, empty_text_lists_by_fans);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, precomputed_keys_rank_the_same);
    suite_add_tcase(s, tc);
    TCase *big = tcase_create("catalogue");
    tcase_add_test(big, synthetic_catalogue);
    tcase_add_test(big, real_data_kanye);
    suite_add_tcase(s, big);
    return s;
}

int main(void) { return lr_test_run(search_suite()); }
