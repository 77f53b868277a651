/* The norms unit: vector norms, Pearson against log(1 + fans) and
 * Spearman with average ranks for ties, against cases worked by hand and a
 * direct O(n^2) computation; which artists count (zero vectors and
 * artists without listeners left out); a model's fans and listens; bad
 * input.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "../data/tiny.h"
#include "lastrec.h"
#include "embed/norms.h"
#include "core/rng.h"
#include "model/model.h"

#include <math.h>

START_TEST(row_norms)
{
    const float x[] = {3, 4, 0, 0, 0, 0, 1, 2, 2};
    double n[3];
    lr__row_norms(x, 3, 3, n);
    ck_assert_double_eq_tol(n[0], 5, 1e-12);
    ck_assert_double_eq(n[1], 0);
    ck_assert_double_eq_tol(n[2], 3, 1e-12);
}
END_TEST

/* Worked by hand: fans 1, 1, 2, 3 have average ranks 1.5, 1.5, 3, 4;
 * norms 4, 3, 2, 1 have ranks 4, 3, 2, 1; their Pearson is
 * -4.5 / sqrt(4.5 * 5). */
START_TEST(spearman_ties_by_hand)
{
    const double norm[] = {4, 3, 2, 1}, fans[] = {1, 1, 2, 3};
    lr__norm_corr c;
    ck_assert_lr_ok(lr__norm_correlations(norm, fans, 4, &c));
    ck_assert_double_eq_tol(c.spearman, -4.5 / sqrt(22.5), 1e-12);
    ck_assert_int_eq(c.used, 4);
    ck_assert_int_eq(c.zero, 0);
    /* Pearson against log(1 + fans): norms linear in it give exactly 1 */
    const double f2[] = {1, 9, 99, 999};
    double n2[4];
    for (int i = 0; i < 4; i++)
        n2[i] = 0.5 + 2 * log1p(f2[i]);
    ck_assert_lr_ok(lr__norm_correlations(n2, f2, 4, &c));
    ck_assert_double_eq_tol(c.pearson, 1, 1e-12);
    ck_assert_double_eq_tol(c.spearman, 1, 1e-12);
}
END_TEST

/* A direct computation: ranks by counting (1 + smaller + (equal - 1) / 2)
 * and the textbook one-pass Pearson, over artists kept by the rule. */
static double direct_pearson(const double *a, const double *b, int n)
{
    double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
    for (int i = 0; i < n; i++) {
        sa += a[i];
        sb += b[i];
        sab += a[i] * b[i];
        saa += a[i] * a[i];
        sbb += b[i] * b[i];
    }
    return (n * sab - sa * sb) / sqrt((n * saa - sa * sa) * (n * sbb - sb * sb));
}

static void direct_ranks(const double *v, int n, double *r)
{
    for (int i = 0; i < n; i++) {
        int less = 0, eq = 0;
        for (int j = 0; j < n; j++) {
            less += v[j] < v[i];
            eq += v[j] == v[i];
        }
        r[i] = 1 + less + (eq - 1) / 2.0;
    }
}

START_TEST(matches_a_direct_computation)
{
    enum { N = 500 };
    static double norm[N], fans[N], a[N], b[N], lb[N], ra[N], rb[N];
    lr__rng r;
    lr__rng_seed(&r, 99);
    int kept = 0, zero = 0, zero_listened = 0;
    for (int i = 0; i < N; i++) {
        /* fans: many ties and some zeros; norms: rising with fans, noisy,
         * a few exactly zero */
        fans[i] = (double)lr__rng_below(&r, 30);
        norm[i] = lr__rng_below(&r, 17) == 0 ? 0 : log1p(fans[i]) + lr__rng_uniform(&r);
        if (norm[i] == 0) {
            zero++;
            zero_listened += fans[i] >= 1;
        } else if (fans[i] >= 1) {
            a[kept] = norm[i];
            b[kept] = fans[i];
            lb[kept++] = log1p(fans[i]);
        }
    }
    lr__norm_corr c;
    ck_assert_lr_ok(lr__norm_correlations(norm, fans, N, &c));
    ck_assert_int_eq(c.used, kept);
    ck_assert_int_eq(c.zero, zero);
    ck_assert_int_eq(c.zero_listened, zero_listened);
    ck_assert_int_gt(zero_listened, 0);
    ck_assert_double_eq_tol(c.pearson, direct_pearson(a, lb, kept), 1e-10);
    direct_ranks(a, kept, ra);
    direct_ranks(b, kept, rb);
    ck_assert_double_eq_tol(c.spearman, direct_pearson(ra, rb, kept), 1e-10);
    ck_assert(c.pearson > 0.5 && c.spearman > 0.5);
}
END_TEST

/* Too few artists, or a constant column: the correlation is not defined
 * and says so with NaN rather than a number. */
START_TEST(undefined_is_nan)
{
    const double norm[] = {1, 2, 0}, fans[] = {3, 3, 7};
    lr__norm_corr c;
    ck_assert_lr_ok(lr__norm_correlations(norm, fans, 3, &c));
    ck_assert_int_eq(c.used, 2);
    ck_assert(isnan(c.pearson) && isnan(c.spearman));
    ck_assert_lr_ok(lr__norm_correlations(norm, fans, 0, &c));
    ck_assert_int_eq(c.used, 0);
    ck_assert(isnan(c.pearson));
}
END_TEST

START_TEST(bad_input)
{
    double norm[] = {1, 2, 3}, fans[] = {1, 2, 3};
    lr__norm_corr c;
    ck_assert_lr_fail(lr__norm_correlations(NULL, fans, 3, &c), LR_E_INVALID, "NULL");
    norm[1] = NAN;
    ck_assert_lr_fail(lr__norm_correlations(norm, fans, 3, &c), LR_E_INVALID, "artist 1: norm");
    norm[1] = 2;
    fans[2] = -1;
    ck_assert_lr_fail(lr__norm_correlations(norm, fans, 3, &c), LR_E_INVALID,
                      "artist 2: fan count");
    ck_assert_lr_fail(lr__artist_norms(NULL, NULL, NULL, NULL, &c), LR_E_INVALID, "NULL");
}
END_TEST

/* ------------------------------------------------------- a model's norms */

static const int32_t users[] = {1, 2, 3};
static const int32_t artists[] = {10, 20, 30, 40};
static const char *const names[] = {"A", "B", "C", "D"};
/* artist 10: 3 fans, 6 listens; 20: 1 fan, 5; 30: none; 40: 2 fans, 2.5 */
static const tiny_listen listens[] = {
    {1, 10, 1}, {2, 10, 2}, {3, 10, 3}, {1, 20, 5}, {2, 40, 1.5f}, {3, 40, 1},
};

static lr_model *hand_model(int algo, const float *af, int k)
{
    tiny_spec s = {.users = users, .n_users = 3, .artists = artists, .artist_names = names,
                   .n_artists = 4, .listens = listens, .n_listens = TINY_N(listens)};
    lr_dataset *ds = tiny_build(&s);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, algo, NULL));
    ck_assert_lr_ok(lr__model_take_catalogue(m, ds));
    lr_dataset_free(ds);
    if (af) {
        m->k = k;
        m->user_f = calloc((size_t)3 * k, sizeof(float));
        m->artist_f = malloc((size_t)4 * k * sizeof(float));
        memcpy(m->artist_f, af, (size_t)4 * k * sizeof(float));
        ck_assert_lr_ok(lr__model_prepare(m));
    } else {
        m->pop = calloc(4, sizeof(float));
    }
    m->fitted = 1;
    return m;
}

START_TEST(a_models_artists)
{
    /* artist 30 has no listener and, as als leaves such artists, a zero
     * vector; artist 20's vector is zero too although it has a fan */
    const float af[] = {3, 4, 0, 0, 0, 0, 1, 0};
    lr_model *m = hand_model(LR_ALGO_MF, af, 2);
    double norm[4], fans[4], lis[4];
    lr__norm_corr c;
    ck_assert_lr_ok(lr__artist_norms(m, norm, fans, lis, &c));
    const double want_norm[] = {5, 0, 0, 1}, want_fans[] = {3, 1, 0, 2},
                 want_lis[] = {6, 5, 0, 2.5};
    for (int a = 0; a < 4; a++) {
        ck_assert_double_eq(norm[a], want_norm[a]);
        ck_assert_double_eq(fans[a], want_fans[a]);
        ck_assert_double_eq(lis[a], want_lis[a]);
    }
    ck_assert_int_eq(c.zero, 2);
    ck_assert_int_eq(c.zero_listened, 1);
    ck_assert_int_eq(c.used, 2); /* 10 and 40 */
    ck_assert_double_eq_tol(c.pearson, 1, 1e-12);
    ck_assert_double_eq_tol(c.spearman, 1, 1e-12);
    /* every output may be left out */
    ck_assert_lr_ok(lr__artist_norms(m, NULL, NULL, NULL, NULL));
    lr_model_free(m);
}
END_TEST

START_TEST(a_model_without_vectors)
{
    lr_model *m = hand_model(LR_ALGO_POP, NULL, 0);
    double norm[4];
    ck_assert_lr_fail(lr__artist_norms(m, norm, NULL, NULL, NULL), LR_E_INVALID,
                      "pop models have no artist vectors");
    m->fitted = 0;
    ck_assert_lr_fail(lr__artist_norms(m, norm, NULL, NULL, NULL), LR_E_INVALID, "not fitted");
    lr_model_free(m);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("norms");
    TCase *tc = tcase_create("norms");
    tcase_add_test(tc, row_norms);
    tcase_add_test(tc, spearman_ties_by_hand);
    tcase_add_test(tc, matches_a_direct_computation);
    tcase_add_test(tc, undefined_is_nan);
    tcase_add_test(tc, bad_input);
    tcase_add_test(tc, a_models_artists);
    tcase_add_test(tc, a_model_without_vectors);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
