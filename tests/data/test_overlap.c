/* The overlap unit: taste overlap of user pairs and the distributions.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "tiny.h"
#include "lastrec.h"
#include "data/dataset.h"
#include "data/overlap.h"

#include <math.h>

/* Users 1..5: 1 and 3 listen alike, 2 shares artist 20 with them, 4 is
 * alone on artist 40, 5 has no listens.  Friends: 1-2, 1-3, 4-5. */
static const int32_t users[] = {1, 2, 3, 4, 5};
static const int32_t artists[] = {10, 20, 30, 40};
static const char *const names[] = {"a10", "a20", "a30", "a40"};
static const int32_t tags[] = {1, 2, 3};
static const char *const tag_names[] = {"A", "B", "C"};
static const tiny_listen listens[] = {
    {1, 10, 1}, {1, 20, 3}, {2, 20, 3}, {2, 30, 7}, {3, 10, 1}, {3, 20, 3}, {4, 40, 2},
};
#define HOUR INT64_C(3600000)
static const tiny_use uses[] = {
    {1, 10, 1, TINY_DAY(0)}, {1, 10, 2, TINY_DAY(0)}, {1, 10, 3, TINY_DAY(3)},
    {1, 20, 1, TINY_DAY(1)}, {1, 30, 2, TINY_DAY(1)},
    {2, 20, 3, TINY_DAY(2)}, {2, 20, 3, TINY_DAY(6)},
    {2, 30, 1, TINY_DAY(4)}, {2, 30, 2, TINY_DAY(4) + HOUR},
    {3, 10, 1, -1}, {3, 10, 1, 0}, /* 1969-12-31 23:59:59.999 and 1970-01-01 */
};
static const int32_t friends[][2] = {{1, 2}, {3, 1}, {4, 5}};

static lr_dataset *ds;

static void setup(void)
{
    tiny_spec s = {users, 5, artists, names, 4, tags, tag_names, 3,
                   listens, TINY_N(listens), uses, TINY_N(uses), friends, TINY_N(friends)};
    ds = tiny_build(&s);
}

static void teardown(void)
{
    lr_dataset_free(ds);
    ds = NULL;
}

static double overlap(int32_t a, int32_t b, int which)
{
    double v = NAN;
    ck_assert_lr_ok(lr_dataset_user_overlap(ds, a, b, which, &v));
    return v;
}

static void expect_dist(int which, const double *want, size_t n)
{
    double got[16];
    size_t needed = 99;
    ck_assert_lr_ok(lr_dataset_distribution(ds, which, got, 16, &needed));
    ck_assert_msg(needed == n, "distribution %d: %zu values, want %zu", which, needed, n);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(fabs(got[i] - want[i]) < 1e-12, "distribution %d [%zu] = %.15g, want %.15g",
                      which, i, got[i], want[i]);
}

/* cos(u1, u2) = ln4 ln4 / (|(ln2, ln4)| |(ln4, ln8)|) = 4 / sqrt(5 * 13) */
#define COS12 (4.0 / sqrt(65.0))

START_TEST(pair_overlap)
{
    ck_assert_double_eq(overlap(1, 2, LR_OVERLAP_SHARED), 1);
    ck_assert_double_eq_tol(overlap(1, 2, LR_OVERLAP_JACCARD), 1.0 / 3, 1e-15);
    ck_assert_double_eq_tol(overlap(1, 2, LR_OVERLAP_COSINE), COS12, 1e-12);
    ck_assert_double_eq_tol(overlap(2, 1, LR_OVERLAP_COSINE), COS12, 1e-12); /* symmetric */

    ck_assert_double_eq(overlap(1, 3, LR_OVERLAP_SHARED), 2);
    ck_assert_double_eq(overlap(1, 3, LR_OVERLAP_JACCARD), 1);
    ck_assert_double_eq_tol(overlap(1, 3, LR_OVERLAP_COSINE), 1, 1e-12);

    ck_assert_double_eq(overlap(1, 4, LR_OVERLAP_SHARED), 0);
    ck_assert_double_eq(overlap(1, 4, LR_OVERLAP_JACCARD), 0);
    ck_assert_double_eq(overlap(1, 4, LR_OVERLAP_COSINE), 0);
    /* a user without listens overlaps with nobody, not even himself */
    ck_assert_double_eq(overlap(1, 5, LR_OVERLAP_COSINE), 0);
    ck_assert_double_eq(overlap(5, 5, LR_OVERLAP_JACCARD), 0);
    ck_assert_double_eq(overlap(2, 2, LR_OVERLAP_JACCARD), 1);
}
END_TEST

START_TEST(overlap_bad_arguments)
{
    double v;
    ck_assert_lr_fail(lr_dataset_user_overlap(ds, 1, 6, LR_OVERLAP_SHARED, &v), LR_E_NOTFOUND,
                      "user ID 6");
    ck_assert_lr_fail(lr_dataset_user_overlap(ds, 0, 1, LR_OVERLAP_SHARED, &v), LR_E_NOTFOUND,
                      "user ID 0");
    ck_assert_lr_fail(lr_dataset_user_overlap(ds, 1, 2, 0, &v), LR_E_INVALID, "measure 0");
    ck_assert_lr_fail(lr_dataset_user_overlap(ds, 1, 2, 4, &v), LR_E_INVALID, "measure 4");
    ck_assert_lr_fail(lr_dataset_user_overlap(ds, 1, 2, LR_OVERLAP_SHARED, NULL), LR_E_INVALID,
                      "NULL");
    ck_assert_lr_fail(lr_dataset_user_overlap(NULL, 1, 2, LR_OVERLAP_SHARED, &v), LR_E_INVALID,
                      "NULL");
}
END_TEST

START_TEST(listen_distributions)
{
    const double user_listens[] = {4, 10, 4, 2, 0};
    expect_dist(LR_DIST_USER_LISTENS, user_listens, 5);
    const double artist_listens[] = {2, 9, 7, 2};
    expect_dist(LR_DIST_ARTIST_LISTENS, artist_listens, 4);
    const double user_artists[] = {2, 2, 2, 1, 0};
    expect_dist(LR_DIST_USER_ARTISTS, user_artists, 5);
    const double fans[] = {2, 3, 1, 1};
    expect_dist(LR_DIST_ARTIST_FANS, fans, 4);
}
END_TEST

START_TEST(friend_distributions)
{
    /* friend pairs in ID order: (1, 2), (1, 3), (4, 5) */
    const double shared[] = {1, 2, 0};
    expect_dist(LR_DIST_FRIEND_SHARED, shared, 3);
    const double jaccard[] = {1.0 / 3, 1, 0};
    expect_dist(LR_DIST_FRIEND_JACCARD, jaccard, 3);
    double cosine[] = {COS12, 1, 0};
    double got[3];
    size_t n;
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_FRIEND_COSINE, got, 3, &n));
    ck_assert_uint_eq(n, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq_tol(got[i], cosine[i], 1e-12);
}
END_TEST

static int is_friend(const lr_dataset *d, int32_t u, int32_t v)
{
    return lr__csr_find(&d->friends, u, v) >= 0;
}

START_TEST(random_pairs_are_non_friends)
{
    int32_t pairs[2 * 200];
    size_t got;
    ck_assert_lr_ok(lr__random_nonfriend_pairs(ds, 42, 200, pairs, &got));
    ck_assert_uint_eq(got, 200);
    int seen[5][5] = {{0}};
    for (size_t i = 0; i < got; i++) {
        int32_t u = pairs[2 * i], v = pairs[2 * i + 1];
        ck_assert_int_lt(u, v);
        ck_assert(!is_friend(ds, u, v));
        seen[u][v] = 1;
    }
    /* 10 pairs minus 3 friendships: all 7 turn up in 200 draws */
    int distinct = 0;
    for (int u = 0; u < 5; u++)
        for (int v = 0; v < 5; v++)
            distinct += seen[u][v];
    ck_assert_int_eq(distinct, 7);

    /* the distributions use as many pairs as there are friend pairs,
     * drawn with the default seed */
    ck_assert_lr_ok(lr__random_nonfriend_pairs(ds, 42, 3, pairs, &got));
    double want[3], out[3];
    for (int i = 0; i < 3; i++) {
        double o[3];
        lr__overlap(ds, pairs[2 * i], pairs[2 * i + 1], o);
        want[i] = o[1];
    }
    size_t n;
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_RANDOM_JACCARD, out, 3, &n));
    ck_assert_uint_eq(n, 3);
    for (int i = 0; i < 3; i++)
        ck_assert_double_eq(out[i], want[i]);
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_RANDOM_SHARED, out, 3, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_RANDOM_COSINE, out, 3, &n));
    ck_assert_uint_eq(n, 3);
}
END_TEST

/* Almost everyone is friends: the one free pair is found every time;
 * with no free pair there are no random pairs at all. */
START_TEST(random_pairs_in_dense_friend_graphs)
{
    static const int32_t us[] = {1, 2, 3, 4};
    static const char *const an[] = {"x"};
    static const int32_t as[] = {1};
    static const int32_t almost[][2] = {{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}};
    static const int32_t all[][2] = {{1, 2}, {1, 3}, {1, 4}, {2, 3}, {2, 4}, {3, 4}};
    tiny_spec s = {us, 4, as, an, 1, NULL, NULL, 0, NULL, 0, NULL, 0, almost, TINY_N(almost)};
    lr_dataset *d = tiny_build(&s);
    int32_t pairs[2 * 50];
    size_t got;
    ck_assert_lr_ok(lr__random_nonfriend_pairs(d, 1, 50, pairs, &got));
    ck_assert_uint_eq(got, 50);
    for (size_t i = 0; i < got; i++) {
        ck_assert_int_eq(pairs[2 * i], 2); /* users 3 and 4 */
        ck_assert_int_eq(pairs[2 * i + 1], 3);
    }
    lr_dataset_free(d);

    s.friends = all;
    s.n_friends = TINY_N(all);
    d = tiny_build(&s);
    ck_assert_lr_ok(lr__random_nonfriend_pairs(d, 1, 50, pairs, &got));
    ck_assert_uint_eq(got, 0);
    size_t n = 99;
    ck_assert_lr_ok(lr_dataset_distribution(d, LR_DIST_RANDOM_JACCARD, NULL, 0, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_int_eq(lr_dataset_distribution(d, LR_DIST_FRIEND_JACCARD, NULL, 0, &n),
                     LR_E_BUFSIZE);
    ck_assert_uint_eq(n, 6);
    lr_dataset_free(d);
}
END_TEST

START_TEST(tag_distributions)
{
    /* tagged (user, artist) pairs: (1,10) (1,20) (1,30) (2,20) (2,30) (3,10) */
    const double sessions[] = {2, 1, 1, 2, 1, 2}; /* (3,10): one ms apart, two days */
    expect_dist(LR_DIST_TAG_SESSIONS, sessions, 6);
    const double per_pair[] = {3, 1, 1, 1, 2, 1};
    expect_dist(LR_DIST_TAGS_PER_USER_ARTIST, per_pair, 6);
    const double tagged[] = {3, 2, 1, 0, 0};
    expect_dist(LR_DIST_USER_TAGGED_ARTISTS, tagged, 5);
    const double tag_uses[] = {5, 3, 3};
    expect_dist(LR_DIST_TAG_USES, tag_uses, 3);
    /* user 1 in time order: A@10 B@10 | A@20 (repeat) B@30 (repeat) | C@10:
     * 2 of 5.  User 2 gives C to artist 20 twice: the same artist, no repeat.
     * User 3 likewise.  Users 4 and 5 have no uses and no value. */
    const double repeats[] = {0.4, 0, 0};
    expect_dist(LR_DIST_USER_TAG_REPEATS, repeats, 3);
}
END_TEST

START_TEST(distribution_buffers)
{
    double out[5];
    size_t needed = 0;
    ck_assert_lr_fail(lr_dataset_distribution(ds, LR_DIST_USER_LISTENS, out, 4, &needed),
                      LR_E_BUFSIZE, "5 values, capacity 4");
    ck_assert_uint_eq(needed, 5);
    ck_assert_int_eq(lr_dataset_distribution(ds, LR_DIST_USER_LISTENS, NULL, 0, &needed),
                     LR_E_BUFSIZE);
    ck_assert_uint_eq(needed, 5);
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_USER_LISTENS, out, 5, NULL));
    ck_assert_lr_fail(lr_dataset_distribution(ds, LR_DIST_USER_LISTENS, NULL, 5, &needed),
                      LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_distribution(ds, 0, out, 5, &needed), LR_E_INVALID,
                      "unknown distribution 0");
    ck_assert_lr_fail(lr_dataset_distribution(ds, 16, out, 5, &needed), LR_E_INVALID,
                      "unknown distribution 16");
    ck_assert_lr_fail(lr_dataset_distribution(NULL, LR_DIST_USER_LISTENS, out, 5, &needed),
                      LR_E_INVALID, "NULL");
}
END_TEST

static double mean_of(const lr_dataset *d, int which, size_t *n)
{
    int rc = lr_dataset_distribution(d, which, NULL, 0, n); /* the size first */
    ck_assert(rc == LR_E_BUFSIZE || (rc == LR_OK && *n == 0));
    double *v = malloc((*n + 1) * sizeof *v), s = 0;
    ck_assert_lr_ok(lr_dataset_distribution(d, which, v, *n, n));
    for (size_t i = 0; i < *n; i++)
        s += v[i];
    free(v);
    return *n ? s / (double)*n : 0;
}

/* The notebook's figures on the real data, and friends who share more
 * taste than random pairs. */
START_TEST(real_data)
{
    const char *dir = getenv("LASTREC_DATA");
    if (!dir || !*dir) {
        printf("real_data: LASTREC_DATA is unset, skipped\n");
        return;
    }
    lr_dataset *real;
    ck_assert_lr_ok(lr_dataset_load(&real, dir, NULL));
    size_t n;
    ck_assert_double_eq_tol(mean_of(real, LR_DIST_USER_LISTENS, &n), 36566.583, 5e-4);
    ck_assert_uint_eq(n, 1892);
    ck_assert_double_eq_tol(mean_of(real, LR_DIST_ARTIST_LISTENS, &n), 3923.774, 5e-4);
    ck_assert_uint_eq(n, 17632);
    double of_friends = mean_of(real, LR_DIST_FRIEND_JACCARD, &n);
    ck_assert_uint_eq(n, 12717);
    double random = mean_of(real, LR_DIST_RANDOM_JACCARD, &n);
    ck_assert_uint_eq(n, 12717);
    printf("real data: Jaccard of friends %.4f, of random pairs %.4f\n", of_friends, random);
    ck_assert(of_friends > 2 * random);
    lr_dataset_free(real);
}
END_TEST

static Suite *overlap_suite(void)
{
    Suite *s = suite_create("overlap");
    TCase *tc = tcase_create("overlap");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, pair_overlap);
    tcase_add_test(tc, overlap_bad_arguments);
    tcase_add_test(tc, listen_distributions);
    tcase_add_test(tc, friend_distributions);
    tcase_add_test(tc, random_pairs_are_non_friends);
    tcase_add_test(tc, random_pairs_in_dense_friend_graphs);
    tcase_add_test(tc, tag_distributions);
    tcase_add_test(tc, distribution_buffers);
    suite_add_tcase(s, tc);
    TCase *real = tcase_create("real");
    tcase_add_test(real, real_data);
    suite_add_tcase(s, real);
    return s;
}

int main(void) { return lr_test_run(overlap_suite()); }
