/* The topk unit: the one partial selection, against a full sort.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "query/topk.h"

#include <math.h>

/* The reference: every candidate sorted by (score desc, index asc). */
typedef struct cand {
    float s;
    int32_t i;
} cand;

static int cand_cmp(const void *pa, const void *pb)
{
    const cand *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int32_t reference(int32_t k, const float *s, int32_t n, const int32_t *skip, int64_t ns,
                         const unsigned char *allow, cand *out)
{
    cand *all = malloc((size_t)(n + 1) * sizeof *all);
    int32_t m = 0;
    for (int32_t i = 0; i < n; i++) {
        int skipped = 0;
        for (int64_t j = 0; j < ns; j++)
            skipped |= skip[j] == i;
        if (skipped || isnan(s[i]) || (allow && !allow[i]))
            continue;
        all[m++] = (cand){s[i], i};
    }
    qsort(all, (size_t)m, sizeof *all, cand_cmp);
    int32_t r = m < k ? m : k;
    memcpy(out, all, (size_t)r * sizeof *out);
    free(all);
    return r;
}

static void check_against_reference(int32_t k, const float *s, int32_t n, const int32_t *skip,
                                    int64_t ns, const unsigned char *allow)
{
    float ts[64];
    int32_t ti[64];
    cand want[64];
    ck_assert_int_le(k, 64);
    int32_t got = lr__topk(k, s, n, skip, ns, allow, ts, ti);
    int32_t exp = reference(k, s, n, skip, ns, allow, want);
    ck_assert_int_eq(got, exp);
    for (int32_t r = 0; r < got; r++) {
        ck_assert_msg(ti[r] == want[r].i, "k %d n %d rank %d: index %d, want %d", k, n, r, ti[r],
                      want[r].i);
        ck_assert(ts[r] == want[r].s);
    }
}

START_TEST(best_first_ties_by_index)
{
    const float s[] = {1, 5, 3, 5, 2, 5, 0};
    float ts[4];
    int32_t ti[4];
    ck_assert_int_eq(lr__topk(4, s, 7, NULL, 0, NULL, ts, ti), 4);
    const int32_t want[] = {1, 3, 5, 2}; /* three 5s by index, then the 3 */
    for (int r = 0; r < 4; r++)
        ck_assert_int_eq(ti[r], want[r]);
    ck_assert(ts[0] == 5 && ts[3] == 3);
}
END_TEST

START_TEST(skip_mask_and_nan_never_selected)
{
    const float s[] = {9, 8, NAN, 7, 6, 5, 4};
    const int32_t skip[] = {0, 4};
    const unsigned char allow[] = {1, 0, 1, 1, 1, 1, 1};
    float ts[7];
    int32_t ti[7];
    /* room for everything: only 3, 5, 6 qualify */
    ck_assert_int_eq(lr__topk(7, s, 7, skip, 2, allow, ts, ti), 3);
    ck_assert_int_eq(ti[0], 3);
    ck_assert_int_eq(ti[1], 5);
    ck_assert_int_eq(ti[2], 6);
    /* k larger than n */
    ck_assert_int_eq(lr__topk(7, s, 2, NULL, 0, NULL, ts, ti), 2);
    ck_assert_int_eq(lr__topk(1, s, 0, NULL, 0, NULL, ts, ti), 0);
}
END_TEST

/* Random rows with many ties, skips and masks: the same answer as a full
 * sort, for k from 1 past n. */
START_TEST(random_against_sort)
{
    uint64_t seed = 7;
    float s[300];
    int32_t skip[300];
    unsigned char allow[300];
    for (int round = 0; round < 400; round++) {
        int32_t n = 1 + (int32_t)(qf_next(&seed) % 300);
        int levels = 1 + (int)(qf_next(&seed) % 12); /* few levels: many ties */
        for (int32_t i = 0; i < n; i++) {
            s[i] = (float)(qf_next(&seed) % (uint64_t)levels);
            if (qf_next(&seed) % 50 == 0)
                s[i] = NAN;
            if (qf_next(&seed) % 40 == 0)
                s[i] = -INFINITY;
            allow[i] = qf_next(&seed) % 4 != 0;
        }
        int64_t ns = 0;
        for (int32_t i = 0; i < n; i++)
            if (qf_next(&seed) % 5 == 0)
                skip[ns++] = i;
        int32_t k = 1 + (int32_t)(qf_next(&seed) % 64);
        check_against_reference(k, s, n, skip, ns, round % 2 ? allow : NULL);
        check_against_reference(k, s, n, NULL, 0, NULL);
    }
}
END_TEST

/* Ascending scores make every candidate beat the k-th best: the heap's
 * worst case still gives the right answer. */
START_TEST(ascending_and_descending)
{
    float s[1000];
    for (int i = 0; i < 1000; i++)
        s[i] = (float)i;
    check_against_reference(10, s, 1000, NULL, 0, NULL);
    for (int i = 0; i < 1000; i++)
        s[i] = (float)(1000 - i);
    check_against_reference(10, s, 1000, NULL, 0, NULL);
    for (int i = 0; i < 1000; i++)
        s[i] = 1.0f;
    check_against_reference(64, s, 1000, NULL, 0, NULL);
}
END_TEST

static Suite *topk_suite(void)
{
    Suite *s = suite_create("topk");
    TCase *tc = tcase_create("topk");
    tcase_add_test(tc, best_first_ties_by_index);
    tcase_add_test(tc, skip_mask_and_nan_never_selected);
    tcase_add_test(tc, random_against_sort);
    tcase_add_test(tc, ascending_and_descending);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(topk_suite()); }
