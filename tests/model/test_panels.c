/* The panels unit (lib/model/panels.c): every factor score is the sum of
 * its terms in factor order, each term one fused multiply-add on CPUs of
 * x86-64-v3 or later and a rounded product and sum elsewhere, whatever
 * the tile, the catalogue's size, the number of users or the bias.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "model/panels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 12345;

static float uniform(void)
{
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (float)((double)(state >> 40) / 16777216.0 - 0.5);
}

/* Which arithmetic this machine's kernel must use. */
static int expect_fused(void)
{
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
    return __builtin_cpu_supports("x86-64-v3");
#else
    return 0;
#endif
}

static float reference(const float *x, const float *v, int32_t k, const float *bias, int32_t a,
                       int fused)
{
    float s = 0.0f;
    for (int32_t f = 0; f < k; f++) {
        if (fused) {
            s = fmaf(x[f], v[f], s);
        } else {
            volatile float p = x[f] * v[f]; /* rounded apart, as the baseline kernel does */
            s = s + p;
        }
    }
    return bias ? s + bias[a] : s;
}

START_TEST(scores_are_the_ordered_sums)
{
    static const int32_t sizes_na[] = {1, 7, 15, 16, 17, 33, 100, 613, 2100};
    static const int32_t sizes_k[] = {1, 3, 16, 64, 65};
    const int fused = expect_fused();
    for (size_t ia = 0; ia < sizeof sizes_na / sizeof sizes_na[0]; ia++)
        for (size_t ik = 0; ik < sizeof sizes_k / sizeof sizes_k[0]; ik++) {
            const int32_t na = sizes_na[ia], k = sizes_k[ik], nu = 11;
            float *v = malloc((size_t)na * (size_t)k * sizeof *v);
            float *x = malloc((size_t)nu * (size_t)k * sizeof *x);
            float *bias = malloc((size_t)na * sizeof *bias);
            float *out = malloc((size_t)nu * (size_t)(na + 5) * sizeof *out);
            for (size_t i = 0; i < (size_t)na * (size_t)k; i++)
                v[i] = uniform();
            for (size_t i = 0; i < (size_t)nu * (size_t)k; i++)
                x[i] = uniform();
            for (int32_t a = 0; a < na; a++)
                bias[a] = uniform();
            float *p;
            ck_assert_lr_ok(lr__panels_build(v, na, k, &p));
            for (int with_bias = 0; with_bias < 2; with_bias++)
                for (int32_t n = 1; n <= nu; n += (n < 9 ? 1 : 2)) {
                    /* rows 5 floats longer than the catalogue: nothing is
                     * written past an artist */
                    const size_t ldo = (size_t)na + 5;
                    for (size_t i = 0; i < (size_t)n * ldo; i++)
                        out[i] = -7.0f;
                    lr__panels_scores(p, with_bias ? bias : NULL, na, k, x, (size_t)k, n, out, ldo);
                    for (int32_t u = 0; u < n; u++) {
                        for (int32_t a = 0; a < na; a++) {
                            const float want = reference(x + (size_t)u * (size_t)k,
                                                         v + (size_t)a * (size_t)k, k,
                                                         with_bias ? bias : NULL, a, fused);
                            const float got = out[(size_t)u * ldo + (size_t)a];
                            ck_assert_msg(memcmp(&want, &got, sizeof got) == 0,
                                          "na %d k %d n %d bias %d: user %d artist %d: %.9g, "
                                          "want %.9g (%s)",
                                          na, k, n, with_bias, u, a, (double)got, (double)want,
                                          fused ? "fused" : "unfused");
                        }
                        for (size_t a = (size_t)na; a < ldo; a++)
                            ck_assert(out[(size_t)u * ldo + a] == -7.0f);
                    }
                }
            free(p);
            free(v);
            free(x);
            free(bias);
            free(out);
        }
}
END_TEST

START_TEST(norm_in_double)
{
    const float x[5] = {3, 4, 0, 0, 12};
    ck_assert(lr__norm(x, 5) == 13.0f);
    ck_assert(lr__norm(x, 0) == 0.0f);
    const float big[2] = {3e30f, 4e30f}; /* the float squares would overflow */
    ck_assert(lr__norm(big, 2) == 5e30f);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("panels");
    TCase *t = tcase_create("panels");
    tcase_add_test(t, scores_are_the_ordered_sums);
    tcase_add_test(t, norm_in_double);
    suite_add_tcase(s, t);
    return lr_test_run(s);
}
