/* The pca unit: principal components against a direct computation (the
 * covariance written out and diagonalised by Jacobi rotations here),
 * components that are uncorrelated, projections that keep distances when
 * every component is kept, the sign rule, a case known by hand, and bad
 * input.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "embed/pca.h"
#include "core/rng.h"

#include <math.h>

/* n points in d dimensions with very different spreads per direction, in
 * a rotated frame, shifted off the origin: a covariance with distinct
 * eigenvalues whose eigenvectors are not the axes. */
static float *make_data(int32_t n, int32_t d, uint64_t seed)
{
    lr__rng r;
    lr__rng_seed(&r, seed);
    float *x = malloc((size_t)n * (size_t)d * sizeof *x);
    double *z = malloc((size_t)d * sizeof *z);
    for (int32_t i = 0; i < n; i++) {
        for (int32_t j = 0; j < d; j++)
            z[j] = lr__rng_normal(&r) * (double)(d - j) * 1.5;
        /* mix neighbouring coordinates: a fixed rotation-like map */
        for (int32_t j = 0; j < d; j++)
            x[(size_t)i * d + j] = (float)(z[j] + 0.5 * z[(j + 1) % d] + 3.0 + j);
    }
    free(z);
    return x;
}

/* The covariance (n - 1 divisor) written out directly, row-major d x d. */
static double *direct_cov(const float *x, int32_t n, int32_t d)
{
    double *mean = calloc((size_t)d, sizeof *mean);
    double *c = calloc((size_t)d * (size_t)d, sizeof *c);
    for (int32_t i = 0; i < n; i++)
        for (int32_t j = 0; j < d; j++)
            mean[j] += x[(size_t)i * d + j] / (double)n;
    for (int32_t i = 0; i < n; i++)
        for (int32_t a = 0; a < d; a++)
            for (int32_t b = 0; b < d; b++)
                c[a * d + b] += (x[(size_t)i * d + a] - mean[a]) * (x[(size_t)i * d + b] - mean[b]) /
                                (double)(n - 1);
    free(mean);
    return c;
}

/* Cyclic Jacobi on a symmetric d x d matrix a (destroyed): eigenvalues
 * into w, eigenvectors as the columns of v (row-major d x d). */
static void jacobi(double *a, int32_t d, double *w, double *v)
{
    for (int32_t i = 0; i < d; i++)
        for (int32_t j = 0; j < d; j++)
            v[i * d + j] = i == j;
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (int32_t p = 0; p < d; p++)
            for (int32_t q = p + 1; q < d; q++)
                off += a[p * d + q] * a[p * d + q];
        if (off < 1e-30)
            break;
        for (int32_t p = 0; p < d; p++)
            for (int32_t q = p + 1; q < d; q++) {
                if (fabs(a[p * d + q]) < 1e-300)
                    continue;
                double theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q]);
                double t = (theta >= 0 ? 1 : -1) / (fabs(theta) + sqrt(theta * theta + 1));
                double c = 1 / sqrt(t * t + 1), s = t * c;
                for (int32_t k = 0; k < d; k++) { /* columns p, q */
                    double akp = a[k * d + p], akq = a[k * d + q];
                    a[k * d + p] = c * akp - s * akq;
                    a[k * d + q] = s * akp + c * akq;
                }
                for (int32_t k = 0; k < d; k++) { /* rows p, q */
                    double apk = a[p * d + k], aqk = a[q * d + k];
                    a[p * d + k] = c * apk - s * aqk;
                    a[q * d + k] = s * apk + c * aqk;
                }
                for (int32_t k = 0; k < d; k++) {
                    double vkp = v[k * d + p], vkq = v[k * d + q];
                    v[k * d + p] = c * vkp - s * vkq;
                    v[k * d + q] = s * vkp + c * vkq;
                }
            }
    }
    for (int32_t i = 0; i < d; i++)
        w[i] = a[i * d + i];
}

/* Column j of coords: its sample variance (n - 1). */
static double col_cov(const double *coords, int32_t n, int32_t c, int32_t j, int32_t k)
{
    double mj = 0, mk = 0, s = 0;
    for (int32_t i = 0; i < n; i++) {
        mj += coords[(size_t)i * c + j];
        mk += coords[(size_t)i * c + k];
    }
    mj /= n;
    mk /= n;
    for (int32_t i = 0; i < n; i++)
        s += (coords[(size_t)i * c + j] - mj) * (coords[(size_t)i * c + k] - mk);
    return s / (n - 1);
}

START_TEST(matches_a_direct_eigendecomposition)
{
    const int32_t n = 300, d = 6, c = 4;
    float *x = make_data(n, d, 7);
    double *coords = malloc((size_t)n * c * sizeof *coords), var[6], total;
    ck_assert_lr_ok(lr__pca(x, n, d, c, coords, var, &total));

    double *cov = direct_cov(x, n, d), trace = 0;
    for (int32_t j = 0; j < d; j++)
        trace += cov[j * d + j];
    double w[6], v[36];
    jacobi(cov, d, w, v);
    /* the direct eigenvalues, largest first, with their vectors */
    int order[6] = {0, 1, 2, 3, 4, 5};
    for (int i = 0; i < d; i++)
        for (int j = i + 1; j < d; j++)
            if (w[order[j]] > w[order[i]]) {
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
    ck_assert_double_eq_tol(total, trace, 1e-9 * trace);
    for (int32_t j = 0; j < c; j++) {
        const int o = order[j];
        ck_assert_double_eq_tol(var[j], w[o], 1e-9 * w[order[0]]);
        /* the variance of each projection is the component's variance */
        ck_assert_double_eq_tol(col_cov(coords, n, c, j, j), var[j], 1e-9 * var[0]);
        /* the loadings behind coords (centred x' coords / ((n-1) var))
         * are the direct eigenvector, with its largest entry positive */
        double mean[6] = {0}, load[6] = {0};
        for (int32_t i = 0; i < n; i++)
            for (int32_t k = 0; k < d; k++)
                mean[k] += x[(size_t)i * d + k] / (double)n;
        for (int32_t i = 0; i < n; i++)
            for (int32_t k = 0; k < d; k++)
                load[k] += (x[(size_t)i * d + k] - mean[k]) * coords[(size_t)i * c + j] /
                           ((n - 1) * var[j]);
        int big = 0;
        for (int32_t k = 1; k < d; k++)
            if (fabs(v[k * d + o]) > fabs(v[big * d + o]))
                big = k;
        const double s = v[big * d + o] < 0 ? -1 : 1;
        for (int32_t k = 0; k < d; k++)
            ck_assert_double_eq_tol(load[k], s * v[k * d + o], 1e-7);
        ck_assert(load[big] > 0);
        /* components are uncorrelated */
        for (int32_t k = 0; k < j; k++)
            ck_assert_double_eq_tol(col_cov(coords, n, c, j, k), 0, 1e-9 * var[0]);
        /* and centred */
        double m = 0;
        for (int32_t i = 0; i < n; i++)
            m += coords[(size_t)i * c + j];
        ck_assert_double_eq_tol(m / n, 0, 1e-9 * sqrt(var[0]));
    }
    for (int32_t j = 1; j < c; j++)
        ck_assert(var[j] <= var[j - 1]);
    free(cov);
    free(coords);
    free(x);
}
END_TEST

/* With every component kept the projection is a rotation of the centred
 * points: distances and the total variance survive, and the components'
 * variances add up to the trace. */
START_TEST(all_components_reconstruct)
{
    const int32_t n = 120, d = 5;
    float *x = make_data(n, d, 11);
    double *coords = malloc((size_t)n * d * sizeof *coords), var[5], total;
    ck_assert_lr_ok(lr__pca(x, n, d, d, coords, var, &total));
    double sum = 0;
    for (int32_t j = 0; j < d; j++)
        sum += var[j];
    ck_assert_double_eq_tol(sum, total, 1e-9 * total);
    for (int32_t a = 0; a < n; a += 7)
        for (int32_t b = a + 1; b < n; b += 5) {
            double dx = 0, dy = 0;
            for (int32_t k = 0; k < d; k++) {
                double e = (double)x[(size_t)a * d + k] - x[(size_t)b * d + k];
                double f = coords[(size_t)a * d + k] - coords[(size_t)b * d + k];
                dx += e * e;
                dy += f * f;
            }
            ck_assert_double_eq_tol(sqrt(dy), sqrt(dx), 1e-9 * (1 + sqrt(dx)));
        }
    free(coords);
    free(x);
}
END_TEST

/* Points on the line t (0.6, 0.8) + (1, 1): the first component is t
 * itself (its larger loading, 0.8, positive), the second has no
 * variance. */
START_TEST(a_line_by_hand)
{
    float x[5 * 2];
    const double t[5] = {-2, -1, 0, 1, 2};
    for (int i = 0; i < 5; i++) {
        x[2 * i] = (float)(1 + 0.6 * t[i]);
        x[2 * i + 1] = (float)(1 + 0.8 * t[i]);
    }
    double coords[10], var[2], total;
    ck_assert_lr_ok(lr__pca(x, 5, 2, 2, coords, var, &total));
    ck_assert_double_eq_tol(var[0], 2.5, 1e-6); /* sum t^2 / 4 */
    ck_assert_double_eq_tol(var[1], 0, 1e-6);
    ck_assert_double_eq_tol(total, 2.5, 1e-6);
    for (int i = 0; i < 5; i++) {
        ck_assert_double_eq_tol(coords[2 * i], t[i], 1e-6);
        ck_assert_double_eq_tol(coords[2 * i + 1], 0, 1e-6);
    }
    /* fewer components give the leading ones; var and total may be left
     * out */
    double again[10];
    ck_assert_lr_ok(lr__pca(x, 5, 2, 1, again, NULL, NULL));
    for (int i = 0; i < 5; i++)
        ck_assert_double_eq_tol(again[i], coords[2 * i], 1e-12);
}
END_TEST

/* The sign rule fixes each component by its loadings, not by the data:
 * negated points (same covariance, same eigenvectors) give negated
 * coordinates, and the same points give the same bits. */
START_TEST(signs_are_fixed)
{
    const int32_t n = 80, d = 4, c = 3;
    float *x = make_data(n, d, 3), *neg = malloc((size_t)n * d * sizeof *neg);
    for (int32_t i = 0; i < n * d; i++)
        neg[i] = -x[i];
    double *a = malloc((size_t)n * c * sizeof *a), *b = malloc((size_t)n * c * sizeof *b);
    double *a2 = malloc((size_t)n * c * sizeof *a2);
    ck_assert_lr_ok(lr__pca(x, n, d, c, a, NULL, NULL));
    ck_assert_lr_ok(lr__pca(neg, n, d, c, b, NULL, NULL));
    ck_assert_lr_ok(lr__pca(x, n, d, c, a2, NULL, NULL));
    ck_assert(memcmp(a, a2, (size_t)n * c * sizeof *a) == 0);
    for (int32_t i = 0; i < n * c; i++)
        ck_assert_double_eq_tol(b[i], -a[i], 1e-9 * (1 + fabs(a[i])));
    free(a);
    free(a2);
    free(b);
    free(neg);
    free(x);
}
END_TEST

/* Identical points: no variance anywhere, every coordinate 0. */
START_TEST(identical_points)
{
    float x[4 * 3];
    for (int i = 0; i < 12; i++)
        x[i] = (float)(i % 3);
    double coords[8], var[2], total;
    ck_assert_lr_ok(lr__pca(x, 4, 3, 2, coords, var, &total));
    ck_assert_double_eq(total, 0);
    for (int i = 0; i < 8; i++)
        ck_assert_double_eq(coords[i], 0);
    ck_assert_double_eq(var[0], 0);
}
END_TEST

START_TEST(bad_input)
{
    float x[6] = {1, 2, 3, 4, 5, 6};
    double coords[6];
    ck_assert_lr_fail(lr__pca(x, 1, 2, 1, coords, NULL, NULL), LR_E_INVALID, "at least 2");
    ck_assert_lr_fail(lr__pca(x, 3, 2, 3, coords, NULL, NULL), LR_E_INVALID, "between 1 and 2");
    ck_assert_lr_fail(lr__pca(x, 3, 2, 0, coords, NULL, NULL), LR_E_INVALID, "between 1 and 2");
    ck_assert_lr_fail(lr__pca(NULL, 3, 2, 1, coords, NULL, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr__pca(x, 3, 2, 1, NULL, NULL, NULL), LR_E_INVALID, "NULL");
    x[3] = NAN;
    ck_assert_lr_fail(lr__pca(x, 3, 2, 1, coords, NULL, NULL), LR_E_INVALID,
                      "vector 1, component 1 is not finite");
    x[3] = INFINITY;
    ck_assert_lr_fail(lr__pca(x, 3, 2, 1, coords, NULL, NULL), LR_E_INVALID, "not finite");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("pca");
    TCase *tc = tcase_create("pca");
    tcase_add_test(tc, matches_a_direct_eigendecomposition);
    tcase_add_test(tc, all_components_reconstruct);
    tcase_add_test(tc, a_line_by_hand);
    tcase_add_test(tc, signs_are_fixed);
    tcase_add_test(tc, identical_points);
    tcase_add_test(tc, bad_input);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
