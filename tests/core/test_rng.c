/* RNG suite: reproducibility, independence of seeds and streams, and the
 * distributions every random choice in lastrec relies on.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "core/rng.h"

#include <math.h>

#define DRAWS 200000

START_TEST(same_seed_same_stream)
{
    lr__rng a, b;
    lr__rng_seed(&a, 42);
    lr__rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        ck_assert_uint_eq(lr__rng_next(&a), lr__rng_next(&b));
    /* Reseeding restarts the stream. */
    lr__rng_seed(&a, 42);
    lr__rng_seed(&b, 42);
    ck_assert_double_eq(lr__rng_uniform(&a), lr__rng_uniform(&b));
    ck_assert_double_eq(lr__rng_normal(&a), lr__rng_normal(&b));
    ck_assert_uint_eq(lr__rng_below(&a, 1000), lr__rng_below(&b, 1000));
}
END_TEST

START_TEST(reference_values)
{
    /* xoshiro256** seeded by splitmix64, computed independently from the
     * published algorithms: a change to either would change every seeded
     * result lastrec has ever given. */
    static const uint64_t seed0[] = {0x99ec5f36cb75f2b4ULL, 0xbf6e1f784956452aULL,
                                     0x1a5f849d4933e6e0ULL};
    static const uint64_t seed42[] = {0x15780b2e0c2ec716ULL, 0x6104d9866d113a7eULL,
                                      0xae17533239e499a1ULL};
    lr__rng r;
    lr__rng_seed(&r, 0);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(lr__rng_next(&r), seed0[i]);
    lr__rng_seed(&r, 42);
    for (int i = 0; i < 3; i++)
        ck_assert_uint_eq(lr__rng_next(&r), seed42[i]);
}
END_TEST

START_TEST(different_seeds_differ)
{
    uint64_t firsts[64];
    for (int s = 0; s < 64; s++) {
        lr__rng r;
        lr__rng_seed(&r, (uint64_t)s);
        firsts[s] = lr__rng_next(&r);
        for (int t = 0; t < s; t++)
            ck_assert_msg(firsts[s] != firsts[t], "seeds %d and %d start alike", s, t);
    }
    /* Not just the first value: two streams rarely agree anywhere. */
    lr__rng a, b;
    lr__rng_seed(&a, 1);
    lr__rng_seed(&b, 2);
    int same = 0;
    for (int i = 0; i < 10000; i++)
        same += lr__rng_below(&a, 2) == lr__rng_below(&b, 2);
    ck_assert_int_gt(same, 4500);
    ck_assert_int_lt(same, 5500);
}
END_TEST

START_TEST(streams_differ)
{
    lr__rng a, b, c;
    lr__rng_seed_stream(&a, 42, 0);
    lr__rng_seed_stream(&b, 42, 1);
    lr__rng_seed_stream(&c, 42, 0);
    int equal = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = lr__rng_next(&a), y = lr__rng_next(&b);
        equal += x == y;
        ck_assert_uint_eq(lr__rng_next(&c), x);
    }
    ck_assert_int_eq(equal, 0);
    /* Stream 0 of seed s is not the plain stream of s, nor stream 0 of s+1. */
    lr__rng plain, next;
    lr__rng_seed(&plain, 42);
    lr__rng_seed_stream(&a, 42, 0);
    lr__rng_seed_stream(&next, 43, 0);
    uint64_t x = lr__rng_next(&a);
    ck_assert_uint_ne(x, lr__rng_next(&plain));
    ck_assert_uint_ne(x, lr__rng_next(&next));
}
END_TEST

START_TEST(uniform_in_unit_interval)
{
    lr__rng r;
    lr__rng_seed(&r, 7);
    /* Assertions in hot loops are counted, not made one by one: each Check
     * assertion costs a system call in fork mode. */
    double sum = 0, lo = 1, hi = 0;
    int outside = 0;
    for (int i = 0; i < DRAWS; i++) {
        double u = lr__rng_uniform(&r);
        outside += !(u >= 0.0 && u < 1.0);
        sum += u;
        lo = u < lo ? u : lo;
        hi = u > hi ? u : hi;
    }
    ck_assert_int_eq(outside, 0);
    ck_assert_double_eq_tol(sum / DRAWS, 0.5, 0.005);
    ck_assert_double_lt(lo, 0.001);
    ck_assert_double_gt(hi, 0.999);
}
END_TEST

/* Pearson's statistic of DRAWS values of lr__rng_below(bound). */
static double chi_square(uint64_t seed, uint64_t bound)
{
    static long counts[64];
    memset(counts, 0, sizeof counts);
    lr__rng r;
    lr__rng_seed(&r, seed);
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = lr__rng_below(&r, bound);
        if (x >= bound)
            ck_abort_msg("%llu is not below %llu", (unsigned long long)x,
                         (unsigned long long)bound);
        counts[x]++;
    }
    double e = (double)DRAWS / (double)bound, chi = 0;
    for (uint64_t k = 0; k < bound; k++)
        chi += (counts[k] - e) * (counts[k] - e) / e;
    return chi;
}

START_TEST(below_is_uniform)
{
    /* Critical values at p = 0.001 for 9, 6 and 63 degrees of freedom; a
     * fixed seed makes the test deterministic. */
    ck_assert_double_lt(chi_square(42, 10), 27.88);
    ck_assert_double_lt(chi_square(43, 7), 22.46);
    ck_assert_double_lt(chi_square(44, 64), 103.4);
}
END_TEST

START_TEST(below_edges)
{
    lr__rng r;
    lr__rng_seed(&r, 3);
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(lr__rng_below(&r, 1), 0);
    /* A bound just above 2^63 rejects about half of the raw draws; the
     * results stay below it and fill both halves of its range evenly. */
    uint64_t bound = ((uint64_t)1 << 63) + 12345;
    int high = 0;
    int above = 0;
    for (int i = 0; i < 2000; i++) {
        uint64_t x = lr__rng_below(&r, bound);
        above += x >= bound;
        high += x >= (uint64_t)1 << 62;
    }
    ck_assert_int_eq(above, 0);
    ck_assert_int_gt(high, 850);
    ck_assert_int_lt(high, 1150);
    /* The largest bound. */
    ck_assert_uint_lt(lr__rng_below(&r, UINT64_MAX), UINT64_MAX);
}
END_TEST

START_TEST(normal_moments)
{
    lr__rng r;
    lr__rng_seed(&r, 11);
    double sum = 0, sq = 0, quad = 0;
    int beyond3 = 0, bad = 0;
    for (int i = 0; i < DRAWS; i++) {
        double z = lr__rng_normal(&r);
        bad += !isfinite(z);
        sum += z;
        sq += z * z;
        quad += z * z * z * z;
        beyond3 += fabs(z) > 3;
    }
    ck_assert_int_eq(bad, 0);
    double mean = sum / DRAWS, var = sq / DRAWS - mean * mean;
    ck_assert_double_eq_tol(mean, 0.0, 0.01);
    ck_assert_double_eq_tol(var, 1.0, 0.02);
    ck_assert_double_eq_tol(quad / DRAWS, 3.0, 0.1); /* kurtosis of a normal */
    /* P(|z| > 3) = 0.0027 */
    ck_assert_int_gt(beyond3, 400);
    ck_assert_int_lt(beyond3, 700);
}
END_TEST

START_TEST(shuffle_is_permutation)
{
    enum { N = 1000 };
    static int32_t a[N], b[N];
    for (int i = 0; i < N; i++)
        a[i] = b[i] = i;
    lr__rng r, s;
    lr__rng_seed(&r, 5);
    lr__rng_seed(&s, 5);
    lr__rng_shuffle_i32(&r, a, N);
    lr__rng_shuffle_i32(&s, b, N);
    static char seen[N];
    int fixed = 0;
    for (int i = 0; i < N; i++) {
        ck_assert(a[i] >= 0 && a[i] < N);
        ck_assert_msg(!seen[a[i]], "%d appears twice", a[i]);
        seen[a[i]] = 1;
        fixed += a[i] == i;
        ck_assert_int_eq(a[i], b[i]); /* same seed, same order */
    }
    ck_assert_int_lt(fixed, 10); /* about one fixed point expected */
    lr__rng_shuffle_i32(&r, a, 0);
    lr__rng_shuffle_i32(&r, a, 1);
}
END_TEST

START_TEST(shuffle_positions_uniform)
{
    /* Each of 4 values lands in each of 4 places a quarter of the time. */
    lr__rng r;
    lr__rng_seed(&r, 9);
    long where[4][4] = {{0}};
    enum { T = 40000 };
    for (int t = 0; t < T; t++) {
        int32_t a[4] = {0, 1, 2, 3};
        lr__rng_shuffle_i32(&r, a, 4);
        for (int i = 0; i < 4; i++)
            where[a[i]][i]++;
    }
    for (int v = 0; v < 4; v++)
        for (int i = 0; i < 4; i++)
            ck_assert_msg(labs(where[v][i] - T / 4) < 500, "value %d at %d: %ld", v, i,
                          where[v][i]);
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = tcase_create("rng");
    tcase_add_test(tc, same_seed_same_stream);
    tcase_add_test(tc, reference_values);
    tcase_add_test(tc, different_seeds_differ);
    tcase_add_test(tc, streams_differ);
    tcase_add_test(tc, uniform_in_unit_interval);
    tcase_add_test(tc, below_is_uniform);
    tcase_add_test(tc, below_edges);
    tcase_add_test(tc, normal_moments);
    tcase_add_test(tc, shuffle_is_permutation);
    tcase_add_test(tc, shuffle_positions_uniform);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(rng_suite()); }
