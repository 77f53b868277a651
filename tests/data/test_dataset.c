/* The dataset unit: derive, catalogue copy, string tables, CamelCase, and
 * the public accessors of lib/api/dataset.c on a hand-built dataset.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "tiny.h"
#include "lastrec.h"
#include "data/dataset.h"

#include <math.h>

/* Users 10, 20, 30; artists 100..400 (400 has no fans); tags 5 Rock,
 * 7 Pop, 9 Jazz.  Artist 100 has Rock and Pop twice each (a tie that goes
 * to the lower ID, Rock); user 30's Jazz and Pop tie (to Pop). */
static const int32_t users[] = {10, 20, 30};
static const int32_t artists[] = {100, 200, 300, 400};
static const char *const artist_names[] = {"Alpha", "Beyonc\xc3\xa9", "Gamma", "Delta"};
static const int32_t tags[] = {5, 7, 9};
static const char *const tag_names[] = {"Rock", "Pop", "Jazz"};
static const tiny_listen listens[] = {
    {10, 100, 50}, {30, 200, 1}, {10, 200, 30}, {20, 300, 5}, {20, 100, 10},
};
static const tiny_use uses[] = {
    {10, 100, 5, TINY_DAY(0)}, {10, 100, 7, TINY_DAY(0)}, {20, 100, 7, TINY_DAY(1)},
    {20, 100, 5, TINY_DAY(2)}, {10, 200, 9, TINY_DAY(0)}, {30, 200, 9, TINY_DAY(3)},
    {30, 200, 7, TINY_DAY(3)},
};
static const int32_t friends[][2] = {{10, 20}, {30, 20}};

static lr_dataset *ds;

static void setup(void)
{
    tiny_spec s = {users, 3, artists, artist_names, 4, tags, tag_names, 3,
                   listens, TINY_N(listens), uses, TINY_N(uses), friends, TINY_N(friends)};
    ds = tiny_build(&s);
}

static void teardown(void)
{
    lr_dataset_free(ds);
    ds = NULL;
}

static double artist_stat(int32_t id, int which)
{
    double v = NAN;
    ck_assert_lr_ok(lr_dataset_artist_stat(ds, id, which, &v));
    return v;
}

static double user_stat(int32_t id, int which)
{
    double v = NAN;
    ck_assert_lr_ok(lr_dataset_user_stat(ds, id, which, &v));
    return v;
}

/* ------------------------------------------------------------- counts */

START_TEST(counts)
{
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND), LR_SOURCE_HETREC);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 4);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 5);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES), 7);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_ROWS), 4);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_MIN_TAG_USES), 2);
    ck_assert_int_eq(lr_dataset_count(ds, 999), -1);
    ck_assert_int_eq(lr_dataset_count(NULL, LR_COUNT_USERS), -1);
}
END_TEST

START_TEST(ids_and_bufsize)
{
    int32_t out[4] = {-1, -1, -1, -1};
    size_t needed = 0;
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_USERS, out, 4, &needed));
    ck_assert_uint_eq(needed, 3);
    ck_assert_int_eq(out[0], 10);
    ck_assert_int_eq(out[2], 30);
    ck_assert_int_eq(out[3], -1);

    int32_t small[3] = {-1, -1, -1};
    ck_assert_lr_fail(lr_dataset_ids(ds, LR_IDS_ARTISTS, small, 3, &needed), LR_E_BUFSIZE,
                      "4 entries needed, capacity 3");
    ck_assert_uint_eq(needed, 4);
    ck_assert_int_eq(small[0], -1); /* nothing copied */

    /* the usual two-step: ask for the size, then fetch */
    ck_assert_int_eq(lr_dataset_ids(ds, LR_IDS_TAGS, NULL, 0, &needed), LR_E_BUFSIZE);
    ck_assert_uint_eq(needed, 3);
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_TAGS, out, needed, NULL));
    ck_assert_int_eq(out[0], 5);
    ck_assert_int_eq(out[1], 7);
    ck_assert_int_eq(out[2], 9);

    ck_assert_lr_fail(lr_dataset_ids(ds, 42, out, 4, &needed), LR_E_INVALID, "unknown kind");
    ck_assert_lr_fail(lr_dataset_ids(NULL, LR_IDS_USERS, out, 4, &needed), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_ids(ds, LR_IDS_USERS, NULL, 4, &needed), LR_E_INVALID, "NULL");
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(lr_dataset_artist_name(ds, 100), "Alpha");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 200), "Beyonc\xc3\xa9");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 400), "Delta");
    ck_assert_ptr_null(lr_dataset_artist_name(ds, 150));
    ck_assert_ptr_null(lr_dataset_artist_name(ds, -1));
    ck_assert_ptr_null(lr_dataset_artist_name(NULL, 100));
    ck_assert_str_eq(lr_dataset_tag_name(ds, 7), "Pop");
    ck_assert_ptr_null(lr_dataset_tag_name(ds, 6));
    ck_assert_ptr_null(lr_dataset_tag_name(NULL, 7));
}
END_TEST

/* ---------------------------------------------------------- statistics */

START_TEST(artist_stats)
{
    ck_assert_double_eq(artist_stat(100, LR_STAT_TOTAL_LISTENS), 60);
    ck_assert_double_eq(artist_stat(100, LR_STAT_COUNT), 2);
    ck_assert_double_eq(artist_stat(100, LR_STAT_MEAN_LISTENS), 30);
    ck_assert_double_eq(artist_stat(200, LR_STAT_MEAN_LISTENS), 15.5);
    ck_assert_double_eq(artist_stat(100, LR_STAT_TOP_TAG), 5); /* Rock 2 = Pop 2: lower ID */
    ck_assert_double_eq(artist_stat(200, LR_STAT_TOP_TAG), 9);
    ck_assert_double_eq(artist_stat(100, LR_STAT_TAG_USES), 4);
    ck_assert_double_eq(artist_stat(300, LR_STAT_TOP_TAG), -1);
    /* an artist nobody listened to */
    ck_assert_double_eq(artist_stat(400, LR_STAT_TOTAL_LISTENS), 0);
    ck_assert_double_eq(artist_stat(400, LR_STAT_MEAN_LISTENS), 0);
    ck_assert_double_eq(artist_stat(400, LR_STAT_COUNT), 0);

    double v;
    ck_assert_lr_fail(lr_dataset_artist_stat(ds, 401, LR_STAT_COUNT, &v), LR_E_NOTFOUND, "401");
    ck_assert_lr_fail(lr_dataset_artist_stat(ds, 100, LR_STAT_FRIENDS, &v), LR_E_INVALID,
                      "does not apply");
    ck_assert_lr_fail(lr_dataset_artist_stat(ds, 100, LR_STAT_COUNT, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_artist_stat(NULL, 100, LR_STAT_COUNT, &v), LR_E_INVALID, "NULL");
}
END_TEST

START_TEST(user_stats)
{
    ck_assert_double_eq(user_stat(10, LR_STAT_TOTAL_LISTENS), 80);
    ck_assert_double_eq(user_stat(10, LR_STAT_COUNT), 2);
    ck_assert_double_eq(user_stat(10, LR_STAT_MEAN_LISTENS), 40);
    ck_assert_double_eq(user_stat(20, LR_STAT_MEAN_LISTENS), 7.5);
    ck_assert_double_eq(user_stat(10, LR_STAT_TOP_TAG), 5); /* one use each: lowest ID */
    ck_assert_double_eq(user_stat(30, LR_STAT_TOP_TAG), 7); /* Pop 1 = Jazz 1 */
    ck_assert_double_eq(user_stat(10, LR_STAT_TAG_USES), 3);
    ck_assert_double_eq(user_stat(20, LR_STAT_FRIENDS), 2);
    ck_assert_double_eq(user_stat(30, LR_STAT_FRIENDS), 1);

    double v;
    ck_assert_lr_fail(lr_dataset_user_stat(ds, 11, LR_STAT_COUNT, &v), LR_E_NOTFOUND, "user ID 11");
    ck_assert_lr_fail(lr_dataset_user_stat(ds, 10, 77, &v), LR_E_INVALID, "77");
}
END_TEST

/* ---------------------------------------------------------------- tags */

START_TEST(artist_tags_order_and_ties)
{
    int32_t id[3] = {0};
    int64_t cnt[3] = {0};
    size_t needed = 0;
    ck_assert_lr_ok(lr_dataset_artist_tags(ds, 200, id, cnt, 3, &needed));
    ck_assert_uint_eq(needed, 2);
    ck_assert_int_eq(id[0], 9); /* Jazz 2 before Pop 1 although 7 < 9 */
    ck_assert_int_eq(cnt[0], 2);
    ck_assert_int_eq(id[1], 7);
    ck_assert_int_eq(cnt[1], 1);

    ck_assert_lr_ok(lr_dataset_artist_tags(ds, 100, id, cnt, 3, &needed));
    ck_assert_uint_eq(needed, 2);
    ck_assert_int_eq(id[0], 5); /* tie: lower ID first */
    ck_assert_int_eq(id[1], 7);

    /* a short buffer keeps the best, and it is not an error */
    id[0] = 0;
    ck_assert_lr_ok(lr_dataset_artist_tags(ds, 200, id, cnt, 1, &needed));
    ck_assert_uint_eq(needed, 2);
    ck_assert_int_eq(id[0], 9);
    ck_assert_lr_ok(lr_dataset_artist_tags(ds, 200, NULL, NULL, 0, &needed));
    ck_assert_uint_eq(needed, 2);

    ck_assert_lr_ok(lr_dataset_artist_tags(ds, 300, id, cnt, 3, &needed));
    ck_assert_uint_eq(needed, 0);
    ck_assert_lr_fail(lr_dataset_artist_tags(ds, 999, id, cnt, 3, &needed), LR_E_NOTFOUND, "999");
    ck_assert_lr_fail(lr_dataset_artist_tags(ds, 100, NULL, cnt, 3, &needed), LR_E_INVALID,
                      "NULL");
}
END_TEST

START_TEST(user_artist_tags)
{
    int32_t id[3] = {0};
    size_t needed = 0;
    ck_assert_lr_ok(lr_dataset_user_artist_tags(ds, 20, 100, id, 3, &needed));
    ck_assert_uint_eq(needed, 2);
    ck_assert_int_eq(id[0], 5); /* by tag ID, not by time (Pop came first) */
    ck_assert_int_eq(id[1], 7);
    ck_assert_lr_ok(lr_dataset_user_artist_tags(ds, 10, 200, id, 3, &needed));
    ck_assert_uint_eq(needed, 1);
    ck_assert_int_eq(id[0], 9);
    ck_assert_lr_ok(lr_dataset_user_artist_tags(ds, 10, 300, id, 3, &needed));
    ck_assert_uint_eq(needed, 0);

    ck_assert_lr_fail(lr_dataset_user_artist_tags(ds, 20, 100, id, 1, &needed), LR_E_BUFSIZE,
                      "capacity 1");
    ck_assert_uint_eq(needed, 2);
    ck_assert_lr_fail(lr_dataset_user_artist_tags(ds, 20, 100, NULL, 2, &needed), LR_E_INVALID,
                      "NULL");
    ck_assert_lr_fail(lr_dataset_user_artist_tags(ds, 21, 100, id, 3, &needed), LR_E_NOTFOUND,
                      "user ID 21");
    ck_assert_lr_fail(lr_dataset_user_artist_tags(ds, 20, 101, id, 3, &needed), LR_E_NOTFOUND,
                      "artist ID 101");
}
END_TEST

/* ------------------------------------------------------ listens, friends */

START_TEST(user_listens)
{
    int32_t a[2];
    float c[2];
    size_t needed = 0;
    ck_assert_lr_ok(lr_dataset_user_listens(ds, 10, a, c, 2, &needed));
    ck_assert_uint_eq(needed, 2);
    ck_assert_int_eq(a[0], 100);
    ck_assert_float_eq(c[0], 50);
    ck_assert_int_eq(a[1], 200);
    ck_assert_float_eq(c[1], 30);
    /* IDs alone */
    ck_assert_lr_ok(lr_dataset_user_listens(ds, 20, a, NULL, 2, &needed));
    ck_assert_int_eq(a[0], 100);
    ck_assert_int_eq(a[1], 300);

    ck_assert_lr_fail(lr_dataset_user_listens(ds, 10, a, c, 1, &needed), LR_E_BUFSIZE,
                      "2 listens");
    ck_assert_uint_eq(needed, 2);
    ck_assert_lr_fail(lr_dataset_user_listens(ds, 40, a, c, 2, &needed), LR_E_NOTFOUND, "40");
}
END_TEST

START_TEST(user_friends)
{
    int32_t f[3];
    size_t needed = 0;
    ck_assert_lr_ok(lr_dataset_user_friends(ds, 20, f, 3, &needed));
    ck_assert_uint_eq(needed, 2);
    ck_assert_int_eq(f[0], 10);
    ck_assert_int_eq(f[1], 30);
    /* symmetric: 30 was given as (30, 20) */
    ck_assert_lr_ok(lr_dataset_user_friends(ds, 30, f, 3, &needed));
    ck_assert_uint_eq(needed, 1);
    ck_assert_int_eq(f[0], 20);

    ck_assert_lr_fail(lr_dataset_user_friends(ds, 20, f, 1, &needed), LR_E_BUFSIZE, "2 friends");
    ck_assert_lr_fail(lr_dataset_user_friends(ds, 20, NULL, 3, &needed), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_user_friends(ds, 5, f, 3, &needed), LR_E_NOTFOUND, "user ID 5");
}
END_TEST

/* ---------------------------------------------------------- internals */

START_TEST(derive_builds_columns_and_replaces)
{
    /* listens by artist: artist 100 heard by users 10 and 20 */
    const int32_t *idx;
    const float *val;
    ck_assert_int_eq(lr__csr_row(&ds->by_artist, 0, &idx, &val), 2);
    ck_assert_int_eq(idx[0], 0);
    ck_assert_float_eq(val[0], 50);
    ck_assert_int_eq(idx[1], 1);
    ck_assert_float_eq(val[1], 10);
    ck_assert_int_eq(ds->artist_top_tag[0], 0); /* dense index of tag 5 */
    ck_assert_int_eq(ds->user_top_tag[2], 1);   /* tag 7 */

    /* derive again after changing a listen: statistics follow */
    ds->listens.val[0] = 70;
    ck_assert_lr_ok(lr__dataset_derive(ds));
    ck_assert_double_eq(artist_stat(100, LR_STAT_TOTAL_LISTENS), 80);
    ck_assert_double_eq(user_stat(10, LR_STAT_TOTAL_LISTENS), 100);
}
END_TEST

START_TEST(copy_catalogue_leaves_out_listens)
{
    lr_dataset *c;
    ck_assert_lr_ok(lr__dataset_copy_catalogue(&c, ds, LR_SOURCE_SPLIT, "copy"));
    ck_assert_int_eq(c->n_users, 3);
    ck_assert_int_eq(c->n_artists, 4);
    ck_assert_int_eq(c->n_tag_uses, 7);
    ck_assert_int_eq(c->friends.nnz, 4);
    ck_assert_ptr_null(c->listens.ptr);
    ck_assert_str_eq(lr__strtab_get(&c->artist_names, 1), "Beyonc\xc3\xa9");
    ck_assert_str_eq(lr__strtab_get(&c->tag_names, 2), "Jazz");
    ck_assert_ptr_ne(c->artist_names.blob, ds->artist_names.blob);
    ck_assert_str_eq(c->source, "copy");
    ck_assert_int_eq(c->kind, LR_SOURCE_SPLIT);
    lr_dataset_free(c);
}
END_TEST

START_TEST(ua_tags_range)
{
    const lr__tag_use *first;
    ck_assert_int_eq(lr__dataset_ua_tags(ds, 1, 0, &first), 2);
    ck_assert_int_eq(first[0].tag, 0);
    ck_assert_int_eq(first[1].tag, 1);
    ck_assert_int_eq(lr__dataset_ua_tags(ds, 2, 1, &first), 2);
    ck_assert_int_eq(lr__dataset_ua_tags(ds, 2, 0, &first), 0);
    ck_assert_int_eq(lr__dataset_ua_tags(ds, 0, 3, &first), 0);
}
END_TEST

START_TEST(index_of)
{
    ck_assert_int_eq(lr__index_of(artists, 4, 100), 0);
    ck_assert_int_eq(lr__index_of(artists, 4, 400), 3);
    ck_assert_int_eq(lr__index_of(artists, 4, 250), -1);
    ck_assert_int_eq(lr__index_of(artists, 4, 500), -1);
    ck_assert_int_eq(lr__index_of(artists, 0, 100), -1);
}
END_TEST

START_TEST(strtab_round_trip)
{
    char *strs[] = {"", "a", "long\xc3\xa9 name"};
    lr__strtab t, c;
    ck_assert_lr_ok(lr__strtab_from_array(&t, strs, 3));
    ck_assert_lr_ok(lr__strtab_copy(&c, &t));
    lr__strtab_free(&t);
    ck_assert_int_eq(c.n, 3);
    ck_assert_str_eq(lr__strtab_get(&c, 0), "");
    ck_assert_str_eq(lr__strtab_get(&c, 1), "a");
    ck_assert_str_eq(lr__strtab_get(&c, 2), "long\xc3\xa9 name");
    lr__strtab_free(&c);

    lr__strtab empty = {0}, e2;
    ck_assert_lr_ok(lr__strtab_copy(&e2, &empty));
    ck_assert_int_eq(e2.n, 0);
    lr__strtab_free(&e2);
}
END_TEST

static void camel(const char *in, const char *want)
{
    char *got = lr__camel_case(in);
    ck_assert_ptr_nonnull(got);
    ck_assert_msg(strcmp(got, want) == 0, "camel(\"%s\") = \"%s\", want \"%s\"", in, got, want);
    free(got);
}

START_TEST(camel_case)
{
    camel("hip hop", "HipHop");
    camel("post-rock", "PostRock");
    camel("80s", "80s");
    camel("USA", "Usa");
    camel("seen live", "SeenLive");
    camel("female_vocalists", "FemaleVocalists");
    camel("  lo-fi  ", "LoFi");
    camel("rock 'n' roll", "Rock'n'Roll");
    camel("\xc3\xa9lectro pop", "\xc3\xa9lectroPop"); /* non-ASCII kept as it is */
    camel("-", "-");
    camel("", "");
}
END_TEST

static Suite *dataset_suite(void)
{
    Suite *s = suite_create("dataset");
    TCase *api = tcase_create("accessors");
    tcase_add_checked_fixture(api, setup, teardown);
    tcase_add_test(api, counts);
    tcase_add_test(api, ids_and_bufsize);
    tcase_add_test(api, names);
    tcase_add_test(api, artist_stats);
    tcase_add_test(api, user_stats);
    tcase_add_test(api, artist_tags_order_and_ties);
    tcase_add_test(api, user_artist_tags);
    tcase_add_test(api, user_listens);
    tcase_add_test(api, user_friends);
    suite_add_tcase(s, api);

    TCase *in = tcase_create("internals");
    tcase_add_checked_fixture(in, setup, teardown);
    tcase_add_test(in, derive_builds_columns_and_replaces);
    tcase_add_test(in, copy_catalogue_leaves_out_listens);
    tcase_add_test(in, ua_tags_range);
    tcase_add_test(in, index_of);
    tcase_add_test(in, strtab_round_trip);
    tcase_add_test(in, camel_case);
    suite_add_tcase(s, in);
    return s;
}

int main(void) { return lr_test_run(dataset_suite()); }
