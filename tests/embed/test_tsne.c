/* The t-SNE unit: on synthetic clustered vectors the map separates the
 * clusters and the KL falls; each point's perplexity is calibrated; the
 * gradient is the derivative of the KL, and Barnes-Hut agrees with the
 * exact sums; the neighbour searches agree with brute force; the same
 * input gives the same bits on 1, 2 and 3 threads; bad input is refused;
 * the progress callback sees the KL and can cancel.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "core/rng.h"
#include "embed/knn.h"
#include "embed/tsne.h"
#include "embed/tsne_impl.h"
#include "knn10.h"

#include <math.h>

/* ------------------------------------------------------------ fixtures */

/* n points in d dimensions around c cluster centres: centres N(0, 3^2)
 * per coordinate, points N(centre, 1), so clusters are well apart in the
 * input (centre gaps ~ 24, spreads ~ 8 in 32-D).  label[n] may be NULL. */
static float *clusters(int32_t n, int32_t d, int32_t c, uint64_t seed, int32_t *label)
{
    lr__rng r;
    lr__rng_seed(&r, seed);
    double *centre = malloc((size_t)c * d * sizeof *centre);
    float *x = malloc((size_t)n * d * sizeof *x);
    ck_assert(centre && x);
    for (int32_t t = 0; t < c * d; t++)
        centre[t] = 3.0 * lr__rng_normal(&r);
    for (int32_t i = 0; i < n; i++) {
        const int32_t g = i % c;
        if (label)
            label[i] = g;
        for (int32_t f = 0; f < d; f++)
            x[(size_t)i * d + f] = (float)(centre[(size_t)g * d + f] + lr__rng_normal(&r));
    }
    free(centre);
    return x;
}

/* A small random initial map, N(0, sd^2). */
static double *random_map(int32_t n, double sd, uint64_t seed)
{
    lr__rng r;
    lr__rng_seed(&r, seed);
    double *y = malloc(2 * (size_t)n * sizeof *y);
    ck_assert_ptr_nonnull(y);
    for (int32_t t = 0; t < 2 * n; t++)
        y[t] = sd * lr__rng_normal(&r);
    return y;
}

static lr__tsne_opts default_opts(void)
{
    lr__tsne_opts o = {0};
    o.metric = LR__TSNE_EUCLIDEAN;
    o.perplexity = 30;
    o.exaggeration = 12;
    o.exaggeration_iters = 250;
    o.iterations = 500;
    o.learning_rate = 0; /* auto */
    o.kl_tolerance = 0;
    o.theta = 0.5;
    o.method = LR__TSNE_FFT; /* the library's default (lib/core/options.c) */
    o.seed = 1;
    o.threads = 1;
    return o;
}


/* Progress callback: records the KLs it is given; cancels at `stop`. */
typedef struct kl_log {
    double kl[64];
    uint64_t done[64];
    int count;
    uint64_t stop; /* 0: never */
    int bad_stage;
} kl_log;

static int log_kl(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    kl_log *l = user_data;
    double kl;
    if (sscanf(stage, "tsne kl=%lf", &kl) != 1)
        l->bad_stage = 1;
    else if (l->count < 64) {
        l->kl[l->count] = kl;
        l->done[l->count++] = done;
    }
    return l->stop && done >= l->stop;
}

/* ------------------------------------------------------------ the map */

static void run_clusters(int metric, int method)
{
    enum { N = 1000, D = 32, C = 10 };
    int32_t label[N];
    float *x = clusters(N, D, C, 7, label);
    double *y = random_map(N, 1e-4, 8);
    kl_log log = {0};
    lr__progress prog = {log_kl, &log};
    lr__tsne_opts o = default_opts();
    o.metric = metric;
    o.method = method;
    o.threads = 2;
    o.progress = &prog;
    lr__tsne_out out;
    ck_assert_lr_ok(lr__tsne(x, N, D, &o, y, &out));
    ck_assert_int_eq(out.iterations, 500);
    ck_assert_int_eq(log.bad_stage, 0);
    ck_assert_int_eq(log.count, 10);
    const double acc = knn10_accuracy(y, label, N, C);
    ck_assert_msg(acc >= 0.9, "10-NN accuracy on the map %.3f < 0.9", acc);
    /* After the exaggeration the KL falls at every check, and the end is
     * below the first check. */
    for (int c = 5; c < log.count; c++)
        ck_assert_msg(log.kl[c] <= log.kl[c - 1] + 1e-9, "KL rose from %g to %g at %llu",
                      log.kl[c - 1], log.kl[c], (unsigned long long)log.done[c]);
    ck_assert_msg(out.kl < log.kl[0], "final KL %g not below the first check's %g", out.kl,
                  log.kl[0]);
    /* The final KL is exact; the last check's was estimated one step
     * earlier: close. */
    ck_assert_msg(fabs(out.kl - log.kl[log.count - 1]) < 0.05, "final KL %g, last check %g",
                  out.kl, log.kl[log.count - 1]);
    ck_assert_msg(out.nn_preservation > 0.2 && out.nn_preservation <= 1.0,
                  "neighbourhood preservation %g", out.nn_preservation);
    free(x);
    free(y);
}

START_TEST(test_clusters_euclidean) { run_clusters(LR__TSNE_EUCLIDEAN, LR__TSNE_FFT_ONLY); }
END_TEST

START_TEST(test_clusters_euclidean_bh) { run_clusters(LR__TSNE_EUCLIDEAN, LR__TSNE_BARNES_HUT); }
END_TEST

START_TEST(test_clusters_cosine_bh) { run_clusters(LR__TSNE_COSINE, LR__TSNE_BARNES_HUT); }
END_TEST

START_TEST(test_clusters_cosine) { run_clusters(LR__TSNE_COSINE, LR__TSNE_FFT_ONLY); }
END_TEST

/* ------------------------------------------------------------ affinities */

/* Entropy of each conditional row is log(perplexity) within 1e-4, for
 * both metrics' distances, and P is symmetric, positive, sums to 1. */
static void check_calibration(int metric, double perplexity)
{
    enum { N = 600, D = 16 };
    float *x = clusters(N, D, 6, 11, NULL);
    const int32_t k = (int32_t)floor(3 * perplexity + 1);
    int32_t *idx = malloc((size_t)N * k * sizeof *idx);
    double *dist = malloc((size_t)N * k * sizeof *dist);
    double *p = malloc((size_t)N * k * sizeof *p);
    ck_assert(idx && dist && p);
    ck_assert_lr_ok(lr__knn_exact(x, N, D, metric, k, 2, idx, dist));
    if (metric == LR__TSNE_COSINE)
        for (int32_t t = 0; t < N * k; t++)
            dist[t] *= dist[t];
    ck_assert_lr_ok(lr__tsne_conditional(dist, N, k, perplexity, 2, p, NULL));
    for (int32_t i = 0; i < N; i++) {
        double h = 0, s = 0;
        for (int32_t c = 0; c < k; c++) {
            const double v = p[(size_t)i * k + c];
            ck_assert(v >= 0);
            s += v;
            if (v > 0)
                h -= v * log(v);
        }
        ck_assert_msg(fabs(s - 1) < 1e-12, "row %d sums to %.15g", i, s);
        ck_assert_msg(fabs(h - log(perplexity)) < 1e-4, "row %d: entropy %.8f, want %.8f", i,
                      h, log(perplexity));
    }
    lr__tsne_p P;
    ck_assert_lr_ok(lr__tsne_symmetrize(idx, p, N, k, &P));
    double total = 0;
    for (int32_t i = 0; i < N; i++)
        for (int64_t t = P.rowptr[i]; t < P.rowptr[i + 1]; t++) {
            const int32_t j = P.col[t];
            ck_assert_int_ne(j, i);
            if (t > P.rowptr[i])
                ck_assert_int_lt(P.col[t - 1], j);
            ck_assert(P.val[t] > 0);
            total += P.val[t];
            /* the mirror entry exists and is equal */
            int found = 0;
            for (int64_t u = P.rowptr[j]; u < P.rowptr[j + 1]; u++)
                if (P.col[u] == i) {
                    ck_assert(P.val[u] == P.val[t]);
                    found = 1;
                }
            ck_assert_msg(found, "P[%d][%d] has no mirror", i, j);
        }
    ck_assert_msg(fabs(total - 1) < 1e-12, "P sums to %.15g", total);
    lr__tsne_p_free(&P);
    free(x);
    free(idx);
    free(dist);
    free(p);
}

START_TEST(test_perplexity_euclidean) { check_calibration(LR__TSNE_EUCLIDEAN, 30); }
END_TEST

START_TEST(test_perplexity_cosine) { check_calibration(LR__TSNE_COSINE, 10); }
END_TEST

/* ------------------------------------------------------------ neighbours */

static int cmp_pair(double da, int32_t ja, double db, int32_t jb)
{
    return da < db || (da == db && ja < jb);
}

/* lr__knn_exact against brute force in double, with duplicates and (for
 * cosine) a zero row. */
static void check_knn(int metric)
{
    enum { N = 300, D = 8, K = 12 };
    float *x = clusters(N, D, 3, 5, NULL);
    memcpy(x + 10 * D, x + 20 * D, D * sizeof *x); /* a duplicate pair */
    memset(x + 30 * D, 0, D * sizeof *x);          /* zero rows */
    memset(x + 31 * D, 0, D * sizeof *x);
    int32_t *idx = malloc(N * K * sizeof *idx);
    double *dist = malloc(N * K * sizeof *dist);
    ck_assert(idx && dist);
    ck_assert_lr_ok(lr__knn_exact(x, N, D, metric, K, 3, idx, dist));
    for (int32_t i = 0; i < N; i++) {
        double bd[K];
        int32_t bj[K], size = 0;
        for (int32_t j = 0; j < N; j++) {
            if (j == i)
                continue;
            double s = 0, ni = 0, nj = 0;
            for (int32_t f = 0; f < D; f++) {
                const double a = x[i * D + f], b = x[j * D + f];
                s += metric == LR__TSNE_COSINE ? a * b : (a - b) * (a - b);
                ni += a * a;
                nj += b * b;
            }
            if (metric == LR__TSNE_COSINE)
                s = ni > 0 && nj > 0 ? fmax(0, 1 - s / sqrt(ni * nj)) : ni == 0 && nj == 0 ? 0 : 1;
            if (size == K && !cmp_pair(s, j, bd[K - 1], bj[K - 1]))
                continue;
            int32_t at = size < K ? size++ : K - 1;
            while (at > 0 && cmp_pair(s, j, bd[at - 1], bj[at - 1])) {
                bd[at] = bd[at - 1];
                bj[at] = bj[at - 1];
                at--;
            }
            bd[at] = s;
            bj[at] = j;
        }
        for (int c = 0; c < K; c++) {
            ck_assert_msg(fabs(dist[i * K + c] - bd[c]) <= 1e-9 * fmax(1, bd[c]),
                          "row %d, %d-th: distance %.12g, brute force %.12g", i, c,
                          dist[i * K + c], bd[c]);
            /* indices may differ only between equal distances */
            if (idx[i * K + c] != bj[c])
                ck_assert_msg(fabs(dist[i * K + c] - bd[c]) <= 1e-12 * fmax(1, bd[c]),
                              "row %d, %d-th: neighbour %d, brute force %d", i, c,
                              idx[i * K + c], bj[c]);
        }
    }
    /* the zero rows: each other's nearest, everything else at 1 */
    if (metric == LR__TSNE_COSINE) {
        ck_assert_int_eq(idx[30 * K], 31);
        ck_assert_int_eq(idx[31 * K], 30);
        ck_assert_double_eq(dist[30 * K], 0.0);
        for (int c = 1; c < K; c++)
            ck_assert_double_eq(dist[30 * K + c], 1.0);
    }
    free(x);
    free(idx);
    free(dist);
}

START_TEST(test_knn_euclidean) { check_knn(LR__TSNE_EUCLIDEAN); }
END_TEST

START_TEST(test_knn_cosine) { check_knn(LR__TSNE_COSINE); }
END_TEST

START_TEST(test_knn_map)
{
    enum { N = 700, M = 10 };
    double *y = random_map(N, 3, 21);
    /* coinciding points and a row of equal x */
    y[2 * 5] = y[2 * 6];
    y[2 * 5 + 1] = y[2 * 6 + 1];
    for (int i = 100; i < 120; i++)
        y[2 * i] = 0.5;
    int32_t *idx = malloc(N * M * sizeof *idx);
    ck_assert_ptr_nonnull(idx);
    ck_assert_lr_ok(lr__knn_map(y, N, M, 2, idx));
    for (int32_t i = 0; i < N; i++) {
        double bd[M];
        int32_t bj[M], size = 0;
        for (int32_t j = 0; j < N; j++) {
            if (j == i)
                continue;
            const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
            const double s = dx * dx + dy * dy;
            if (size == M && !cmp_pair(s, j, bd[M - 1], bj[M - 1]))
                continue;
            int32_t at = size < M ? size++ : M - 1;
            while (at > 0 && cmp_pair(s, j, bd[at - 1], bj[at - 1])) {
                bd[at] = bd[at - 1];
                bj[at] = bj[at - 1];
                at--;
            }
            bd[at] = s;
            bj[at] = j;
        }
        for (int c = 0; c < M; c++)
            ck_assert_msg(idx[i * M + c] == bj[c], "point %d, %d-th: %d, brute force %d", i, c,
                          idx[i * M + c], bj[c]);
    }
    free(y);
    free(idx);
}
END_TEST

/* ------------------------------------------------------------ gradient */

/* P of a small clustered set, for the gradient tests. */
static void small_p(int32_t n, lr__tsne_p *P)
{
    enum { D = 10 };
    const int32_t k = 16;
    float *x = clusters(n, D, 4, 3, NULL);
    int32_t *idx = malloc((size_t)n * k * sizeof *idx);
    double *dist = malloc((size_t)n * k * sizeof *dist);
    ck_assert(idx && dist);
    ck_assert_lr_ok(lr__knn_exact(x, n, D, LR__TSNE_EUCLIDEAN, k, 1, idx, dist));
    ck_assert_lr_ok(lr__tsne_conditional(dist, n, k, 5, 1, dist, NULL));
    ck_assert_lr_ok(lr__tsne_symmetrize(idx, dist, n, k, P));
    free(x);
    free(idx);
    free(dist);
}

/* The exact gradient is the derivative of the exact KL (central
 * differences): the formula, the factor 4 and Z all checked at once. */
START_TEST(test_gradient_is_derivative)
{
    enum { N = 60 };
    lr__tsne_p P;
    small_p(N, &P);
    double *y = random_map(N, 2, 4);
    double g[2 * N];
    ck_assert_lr_ok(lr__tsne_gradient(&P, y, 1.0, 0.0, LR__TSNE_BARNES_HUT, 1, g, NULL));
    for (int t = 0; t < 2 * N; t += 7) {
        const double keep = y[t], h = 1e-5;
        double up, down;
        y[t] = keep + h;
        ck_assert_lr_ok(lr__tsne_kl_exact(&P, y, 1, &up));
        y[t] = keep - h;
        ck_assert_lr_ok(lr__tsne_kl_exact(&P, y, 1, &down));
        y[t] = keep;
        const double num = (up - down) / (2 * h);
        ck_assert_msg(fabs(num - g[t]) <= 1e-6 + 1e-4 * fabs(g[t]),
                      "coordinate %d: gradient %.10g, numerical %.10g", t, g[t], num);
    }
    lr__tsne_p_free(&P);
    free(y);
}
END_TEST

static double rel_err(const double *a, const double *b, int n)
{
    double num = 0, den = 0;
    for (int t = 0; t < n; t++) {
        num += (a[t] - b[t]) * (a[t] - b[t]);
        den += b[t] * b[t];
    }
    return sqrt(num / den);
}

/* Barnes-Hut at theta = 0.5 is close to the exact sums; as theta goes to
 * 0 the tree visits every point and agrees to rounding. */
START_TEST(test_barnes_hut_agrees)
{
    enum { N = 400 };
    lr__tsne_p P;
    small_p(N, &P);
    double *y = random_map(N, 10, 9);
    double *ge = malloc(2 * N * sizeof *ge), *gb = malloc(2 * N * sizeof *gb);
    double ze, zb;
    ck_assert(ge && gb);
    ck_assert_lr_ok(lr__tsne_gradient(&P, y, 4.0, 0.0, LR__TSNE_BARNES_HUT, 1, ge, &ze));
    ck_assert_lr_ok(lr__tsne_gradient(&P, y, 4.0, 0.5, LR__TSNE_BARNES_HUT, 2, gb, &zb));
    const double e5 = rel_err(gb, ge, 2 * N);
    ck_assert_msg(e5 < 0.02, "theta 0.5: relative gradient error %g", e5);
    ck_assert_msg(fabs(zb - ze) / ze < 0.01, "theta 0.5: Z %g, exact %g", zb, ze);
    ck_assert_msg(e5 > 0, "theta 0.5 gave the exact gradient: no approximation made");
    ck_assert_lr_ok(lr__tsne_gradient(&P, y, 4.0, 1e-9, LR__TSNE_BARNES_HUT, 1, gb, &zb));
    const double e0 = rel_err(gb, ge, 2 * N);
    ck_assert_msg(e0 < 1e-12, "theta -> 0: relative gradient error %g", e0);
    ck_assert_msg(fabs(zb - ze) / ze < 1e-13, "theta -> 0: Z %.17g, exact %.17g", zb, ze);
    lr__tsne_p_free(&P);
    free(y);
    free(ge);
    free(gb);
}
END_TEST

/* FFT-accelerated interpolation is close to the exact sums on maps of
 * several widths (one grid side, a few, a wide map on a larger grid),
 * and is an approximation, not the exact sum. */
START_TEST(test_fft_agrees)
{
    enum { N = 400 };
    lr__tsne_p P;
    small_p(N, &P);
    const double sds[3] = {1e-3, 10, 40};
    double *ge = malloc(2 * N * sizeof *ge), *gf = malloc(2 * N * sizeof *gf);
    ck_assert(ge && gf);
    for (int s = 0; s < 3; s++) {
        double *y = random_map(N, sds[s], 9 + (uint64_t)s);
        double ze, zf;
        ck_assert_lr_ok(lr__tsne_gradient(&P, y, 4.0, 0.0, LR__TSNE_FFT_ONLY, 1, ge, &ze));
        ck_assert_lr_ok(lr__tsne_gradient(&P, y, 4.0, 0.5, LR__TSNE_FFT_ONLY, 2, gf, &zf));
        const double e = rel_err(gf, ge, 2 * N);
        ck_assert_msg(e < 0.02, "map sd %g: relative gradient error %g", sds[s], e);
        ck_assert_msg(fabs(zf - ze) / ze < 0.01, "map sd %g: Z %.17g, exact %.17g", sds[s], zf,
                      ze);
        ck_assert_msg(e > 0, "map sd %g: FFT gave the exact gradient", sds[s]);
        free(y);
    }
    lr__tsne_p_free(&P);
    free(ge);
    free(gf);
}
END_TEST

/* ------------------------------------------------------------ determinism */

static void same_bits_any_threads(int method)
{
    enum { N = 500, D = 12 };
    float *x = clusters(N, D, 5, 31, NULL);
    double *y0 = random_map(N, 1e-4, 32);
    double *y[3];
    lr__tsne_out out[3];
    for (int t = 0; t < 3; t++) {
        y[t] = malloc(2 * N * sizeof *y[t]);
        ck_assert_ptr_nonnull(y[t]);
        memcpy(y[t], y0, 2 * N * sizeof *y0);
        lr__tsne_opts o = default_opts();
        o.iterations = 300;
        o.perplexity = 20;
        o.method = method;
        o.threads = t + 1;
        ck_assert_lr_ok(lr__tsne(x, N, D, &o, y[t], &out[t]));
    }
    for (int t = 1; t < 3; t++) {
        ck_assert_msg(memcmp(y[0], y[t], 2 * N * sizeof *y0) == 0,
                      "%d threads moved the map", t + 1);
        ck_assert(memcmp(&out[0].kl, &out[t].kl, sizeof out[0].kl) == 0);
        ck_assert(out[0].nn_preservation == out[t].nn_preservation);
    }
    /* and the map did move from where it started */
    ck_assert(memcmp(y0, y[0], 2 * N * sizeof *y0) != 0);
    for (int t = 0; t < 3; t++)
        free(y[t]);
    free(y0);
    free(x);
}

START_TEST(test_same_bits_any_threads) { same_bits_any_threads(LR__TSNE_FFT_ONLY); }
END_TEST

START_TEST(test_same_bits_any_threads_bh) { same_bits_any_threads(LR__TSNE_BARNES_HUT); }
END_TEST

/* ------------------------------------------------------------ stopping */

START_TEST(test_kl_tolerance_stops)
{
    enum { N = 300, D = 8 };
    float *x = clusters(N, D, 3, 41, NULL);
    double *y = random_map(N, 1e-4, 42);
    lr__tsne_opts o = default_opts();
    o.perplexity = 10;
    o.iterations = 1000;
    o.kl_tolerance = 10; /* no check can gain that much */
    lr__tsne_out out;
    ck_assert_lr_ok(lr__tsne(x, N, D, &o, y, &out));
    /* the first check after the exaggeration sets the mark, the next stops */
    ck_assert_int_eq(out.iterations, 350);
    ck_assert(isfinite(out.kl));
    free(x);
    free(y);
}
END_TEST

START_TEST(test_cancel)
{
    enum { N = 300, D = 8 };
    float *x = clusters(N, D, 3, 51, NULL);
    double *y = random_map(N, 1e-4, 52);
    kl_log log = {0};
    log.stop = 100;
    lr__progress prog = {log_kl, &log};
    lr__tsne_opts o = default_opts();
    o.perplexity = 10;
    o.progress = &prog;
    lr__tsne_out out;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_CANCELLED, "cancelled");
    ck_assert_int_eq(log.count, 2);
    ck_assert_int_eq(out.iterations, 100);
    for (int t = 0; t < 2 * N; t++)
        ck_assert(isfinite(y[t]));
    free(x);
    free(y);
}
END_TEST

/* ------------------------------------------------------------ bad input */

START_TEST(test_bad_input)
{
    enum { N = 40, D = 4 };
    float *x = clusters(N, D, 2, 61, NULL);
    double *y = random_map(N, 1e-4, 62);
    lr__tsne_opts o = default_opts();
    o.perplexity = 5;
    o.iterations = 60;
    o.exaggeration_iters = 20;
    lr__tsne_out out;
    ck_assert_lr_fail(lr__tsne(x, 3, D, &o, y, &out), LR_E_INVALID, "at least 4");
    o.perplexity = 13; /* (40 - 1) / 3 */
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "perplexity");
    o.perplexity = 0;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "perplexity");
    o.perplexity = NAN;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "perplexity");
    o.perplexity = 5;
    x[7 * D + 2] = NAN;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "vector 7, component 2 is NaN");
    x[7 * D + 2] = INFINITY;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "infinite");
    x[7 * D + 2] = -INFINITY;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "infinite");
    x[7 * D + 2] = 0;
    y[9] = NAN;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "initial map point 4");
    y[9] = 0;
    o.theta = -0.1;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "theta");
    o.theta = 0.5;
    o.exaggeration_iters = 61;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "exaggerated");
    o.exaggeration_iters = 20;
    o.metric = 7;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "metric");
    o.metric = LR__TSNE_COSINE;
    o.method = 3;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "method");
    o.method = LR__TSNE_FFT;
    o.threads = 0;
    ck_assert_lr_fail(lr__tsne(x, N, D, &o, y, &out), LR_E_INVALID, "threads");
    o.threads = 1;
    ck_assert_lr_fail(lr__tsne(NULL, N, D, &o, y, &out), LR_E_INVALID, "NULL");
    /* and with all of it fixed, it runs */
    ck_assert_lr_ok(lr__tsne(x, N, D, &o, y, &out));
    ck_assert_int_eq(out.iterations, 60);
    free(x);
    free(y);
}
END_TEST

/* The smallest input: 4 points, each with all others as neighbours. */
START_TEST(test_four_points)
{
    const float x[] = {0, 0, 1, 0, 0, 1, 5, 5};
    double y[8] = {1e-4, 0, 0, 1e-4, -1e-4, 0, 0, -1e-4};
    lr__tsne_opts o = default_opts();
    o.perplexity = 0.9;
    o.iterations = 100;
    o.exaggeration_iters = 50;
    lr__tsne_out out;
    ck_assert_lr_ok(lr__tsne(x, 4, 2, &o, y, &out));
    for (int t = 0; t < 8; t++)
        ck_assert(isfinite(y[t]));
    ck_assert(isfinite(out.kl) && out.kl >= 0);
    ck_assert(out.nn_preservation >= 0 && out.nn_preservation <= 1);
}
END_TEST

static Suite *tsne_suite(void)
{
    Suite *s = suite_create("tsne");
    TCase *tc = tcase_create("tsne");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_clusters_euclidean);
    tcase_add_test(tc, test_clusters_cosine);
    tcase_add_test(tc, test_clusters_euclidean_bh);
    tcase_add_test(tc, test_clusters_cosine_bh);
    tcase_add_test(tc, test_perplexity_euclidean);
    tcase_add_test(tc, test_perplexity_cosine);
    tcase_add_test(tc, test_knn_euclidean);
    tcase_add_test(tc, test_knn_cosine);
    tcase_add_test(tc, test_knn_map);
    tcase_add_test(tc, test_gradient_is_derivative);
    tcase_add_test(tc, test_barnes_hut_agrees);
    tcase_add_test(tc, test_fft_agrees);
    tcase_add_test(tc, test_same_bits_any_threads);
    tcase_add_test(tc, test_same_bits_any_threads_bh);
    tcase_add_test(tc, test_kl_tolerance_stops);
    tcase_add_test(tc, test_cancel);
    tcase_add_test(tc, test_bad_input);
    tcase_add_test(tc, test_four_points);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(tsne_suite()); }
