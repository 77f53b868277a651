/* Implicit ALS: each solved row against a dense double-precision reference,
 * conjugate gradient against the exact solve, the loss and its history,
 * determinism across runs and thread counts, accuracy against popularity,
 * and the failures a user can run into.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/model.h"

#include <math.h>

/* ------------------------------------------------------------ tiny data */

/* 6 users x 7 artists, counts from 1 to 40; artist 7 has no listener (its
 * factors must be exactly 0), artist 1 is heard by every user (BM25 gives
 * it idf 0). */
static const int32_t t_users[] = {1, 2, 3, 4, 5, 6};
static const int32_t t_artists[] = {1, 2, 3, 4, 5, 6, 7};
static const char *const t_names[] = {"A", "B", "C", "D", "E", "F", "G"};
static const tiny_listen t_listens[] = {
    {1, 1, 3}, {1, 2, 12}, {1, 3, 1},
    {2, 1, 1}, {2, 2, 5}, {2, 4, 40},
    {3, 1, 7}, {3, 3, 2}, {3, 5, 9}, {3, 6, 1},
    {4, 1, 2}, {4, 4, 3},
    {5, 1, 20}, {5, 5, 4}, {5, 6, 6},
    {6, 1, 1}, {6, 2, 2}, {6, 3, 3}, {6, 6, 8},
};
#define NU 6
#define NA 7

/* The dense fixture: 24 x 24, each user with 20 artists and each artist
 * with 20 users, more than the rows the CG solver solves exactly, so that
 * its conjugate-gradient path is what runs. */
#define DN 24
#define MAXN 24

static lr_dataset *tiny, *dense;

static int dense_listened(int u, int a) { return (u * 7 + a * 5) % 6 != 0; }

static void tiny_setup(void)
{
    tiny_spec s = {.users = t_users, .n_users = NU, .artists = t_artists,
                   .artist_names = t_names, .n_artists = NA, .listens = t_listens,
                   .n_listens = TINY_N(t_listens)};
    tiny = tiny_build(&s);

    static int32_t ids[DN];
    static char names[DN][8];
    static const char *name_ptrs[DN];
    static tiny_listen l[DN * DN];
    size_t n = 0;
    for (int i = 0; i < DN; i++) {
        ids[i] = i + 1;
        snprintf(names[i], sizeof names[i], "D%d", i + 1);
        name_ptrs[i] = names[i];
    }
    for (int u = 0; u < DN; u++)
        for (int a = 0; a < DN; a++)
            if (dense_listened(u, a))
                l[n++] = (tiny_listen){u + 1, a + 1, (float)(1 + (u * 13 + a * 5) % 37)};
    tiny_spec d = {.users = ids, .n_users = DN, .artists = ids, .artist_names = name_ptrs,
                   .n_artists = DN, .listens = l, .n_listens = n};
    dense = tiny_build(&d);
    for (int r = 0; r < DN; r++) {
        ck_assert_int_gt(dense->listens.ptr[r + 1] - dense->listens.ptr[r], 16);
        ck_assert_int_gt(dense->by_artist.ptr[r + 1] - dense->by_artist.ptr[r], 16);
    }
}

static void tiny_teardown(void)
{
    lr_dataset_free(tiny);
    lr_dataset_free(dense);
    tiny = dense = NULL;
}

static lr_options *opts(int k, int epochs, int solver, int transform, double alpha,
                        double lambda)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_FACTORS, k));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, epochs));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SOLVER, solver));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, transform));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_ALPHA, alpha));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_REGULARIZATION, lambda));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_INIT_SCALE, 0.3));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    return o;
}

static lr_model *fit_with(const lr_dataset *ds, lr_options *o)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    lr_options_free(o);
    return m;
}

static const float *factors(const lr_model *m, int which)
{
    const float *f = NULL;
    ck_assert_lr_ok(lr_model_embeddings(m, which, &f, NULL, NULL));
    return f;
}

/* The confidence weight t(w) of the dense reference, written from the
 * definitions (BM25 as implicit's bm25_weight on users x artists, with a
 * negative idf held at 0). */
static void reference_t(const lr_dataset *ds, int transform, double t[MAXN][MAXN],
                        int obs[MAXN][MAXN])
{
    const int nu = ds->n_users, na = ds->n_artists;
    memset(obs, 0, sizeof(int[MAXN][MAXN]));
    double w[MAXN][MAXN] = {{0}}, rowsum[MAXN] = {0}, df[MAXN] = {0}, total = 0;
    for (int u = 0; u < nu; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            int a = ds->listens.idx[e];
            w[u][a] = ds->listens.val[e];
            obs[u][a] = 1;
            rowsum[u] += w[u][a];
            df[a] += 1;
            total += w[u][a];
        }
    const double k1 = 100, b = 0.8, mean = total / nu;
    for (int u = 0; u < nu; u++)
        for (int a = 0; a < na; a++) {
            double v = w[u][a];
            switch (transform) {
            case LR_TRANSFORM_LOG1P: v = log1p(v); break;
            case LR_TRANSFORM_BINARY: v = obs[u][a]; break;
            case LR_TRANSFORM_BM25: {
                double idf = fmax(0.0, log((double)nu) - log1p(df[a]));
                double norm = (1 - b) + b * rowsum[u] / mean;
                v = v * (k1 + 1) / (k1 * norm + v) * idf;
                break;
            }
            default: break;
            }
            t[u][a] = obs[u][a] ? v : 0;
        }
}

/* Solve A x = b (n <= 16) in double by Gaussian elimination with pivoting. */
static void dense_solve(int n, double A[16][16], double *b)
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(A[r][c]) > fabs(A[p][c]))
                p = r;
        for (int j = 0; j < n; j++) {
            double s = A[c][j];
            A[c][j] = A[p][j];
            A[p][j] = s;
        }
        double s = b[c];
        b[c] = b[p];
        b[p] = s;
        for (int r = c + 1; r < n; r++) {
            double f = A[r][c] / A[c][c];
            for (int j = c; j < n; j++)
                A[r][j] -= f * A[c][j];
            b[r] -= f * b[c];
        }
    }
    for (int r = n - 1; r >= 0; r--) {
        for (int j = r + 1; j < n; j++)
            b[r] -= A[r][j] * b[j];
        b[r] /= A[r][r];
    }
}

/* The last half-sweep solved every artist row given the final user
 * factors: check each against the full confidence-weighted normal
 * equations built densely over all users, listened or not.  Returns the
 * largest |y - y_ref| / max |y_ref|. */
static double artist_rows_error(const lr_model *m, const lr_dataset *ds, int transform,
                                double alpha, double lambda)
{
    const int k = m->k, nu = ds->n_users, na = ds->n_artists;
    const float *X = factors(m, LR_EMBEDDING_USERS), *Y = factors(m, LR_EMBEDDING_ARTISTS);
    double t[MAXN][MAXN];
    int obs[MAXN][MAXN];
    reference_t(ds, transform, t, obs);
    double err = 0, scale = 0;
    for (int a = 0; a < na; a++) {
        double A[16][16] = {{0}}, b[16] = {0};
        for (int i = 0; i < k; i++)
            A[i][i] = lambda;
        for (int u = 0; u < nu; u++) {
            const double c = 1 + alpha * t[u][a], p = obs[u][a];
            for (int i = 0; i < k; i++) {
                b[i] += c * p * X[u * k + i];
                for (int j = 0; j < k; j++)
                    A[i][j] += c * X[u * k + i] * X[u * k + j];
            }
        }
        dense_solve(k, A, b);
        for (int i = 0; i < k; i++) {
            err = fmax(err, fabs(Y[a * k + i] - b[i]));
            scale = fmax(scale, fabs(b[i]));
        }
    }
    ck_assert(scale > 0);
    return err / scale;
}

/* The exact solvers: Cholesky, and CG's for rows with few listened pairs
 * (every row of the tiny set but BM25's artist 1, whose idf 0 leaves it to
 * CG steps, here enough to converge on k = 4). */
START_TEST(exact_rows_equal_dense_reference)
{
    static const int transforms[] = {LR_TRANSFORM_RAW, LR_TRANSFORM_LOG1P, LR_TRANSFORM_BINARY,
                                     LR_TRANSFORM_BM25};
    static const double alphas[] = {0.2, 2.0, 5.0, 1.5};
    for (int solver = LR_SOLVER_CHOLESKY; solver <= LR_SOLVER_CG; solver++)
        for (int i = 0; i < 4; i++) {
            lr_options *o = opts(4, 3, solver, transforms[i], alphas[i], 0.5);
            ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_CG_STEPS, 12));
            lr_model *m = fit_with(tiny, o);
            double e = artist_rows_error(m, tiny, transforms[i], alphas[i], 0.5);
            ck_assert_msg(e < 1e-4, "solver %d transform %d: rows differ from the dense solve by %g",
                          solver, transforms[i], e);
            /* An artist nobody listened to has the exact solution 0. */
            const float *Y = factors(m, LR_EMBEDDING_ARTISTS);
            for (int j = 0; j < 4; j++)
                ck_assert(Y[6 * 4 + j] == 0.0f);
            lr_model_free(m);
        }
}
END_TEST

/* CG in k steps is exact in exact arithmetic: with more steps than factors
 * its rows satisfy the same equations, and its scores follow the exact
 * solver's from the same start; with one step they do not. */
START_TEST(cg_approaches_exact_solve)
{
    lr_options *o = opts(4, 4, LR_SOLVER_CG, LR_TRANSFORM_LOG1P, 2.0, 0.5);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_CG_STEPS, 12));
    lr_model *cg = fit_with(dense, o);
    lr_model *ex = fit_with(dense, opts(4, 4, LR_SOLVER_CHOLESKY, LR_TRANSFORM_LOG1P, 2.0, 0.5));
    o = opts(4, 4, LR_SOLVER_CG, LR_TRANSFORM_LOG1P, 2.0, 0.5);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_CG_STEPS, 1));
    lr_model *one = fit_with(dense, o);

    double e = artist_rows_error(cg, dense, LR_TRANSFORM_LOG1P, 2.0, 0.5);
    ck_assert_msg(e < 1e-4, "12 CG steps: rows off the normal equations by %g", e);
    double e1 = artist_rows_error(one, dense, LR_TRANSFORM_LOG1P, 2.0, 0.5);
    ck_assert_msg(e1 > 10 * e && e1 > 1e-3, "1 CG step should be visibly inexact: %g vs %g", e1,
                  e);

    static float s_cg[DN * DN], s_ex[DN * DN];
    ck_assert_lr_ok(lr__model_score_users(cg, 0, DN, s_cg));
    ck_assert_lr_ok(lr__model_score_users(ex, 0, DN, s_ex));
    for (int i = 0; i < DN * DN; i++)
        ck_assert_msg(fabsf(s_cg[i] - s_ex[i]) < 1e-4f, "score %d: CG %g, exact %g", i,
                      s_cg[i], s_ex[i]);
    lr_model_free(cg);
    lr_model_free(ex);
    lr_model_free(one);
}
END_TEST

/* The history's loss is the objective over all 42 pairs, computed here
 * directly; its parts are the listened pairs' term and the L2 term. */
START_TEST(history_loss_is_the_objective)
{
    const double alpha = 1.5, lambda = 0.5;
    for (int solver = LR_SOLVER_CHOLESKY; solver <= LR_SOLVER_CG; solver++) {
        lr_model *m = fit_with(tiny, opts(3, 5, solver, LR_TRANSFORM_BM25, alpha, lambda));
        const int k = 3;
        const float *X = factors(m, LR_EMBEDDING_USERS), *Y = factors(m, LR_EMBEDDING_ARTISTS);
        double t[MAXN][MAXN];
        int obs[MAXN][MAXN];
        reference_t(tiny, LR_TRANSFORM_BM25, t, obs);
        double total = 0, observed = 0, l2 = 0;
        for (int u = 0; u < NU; u++)
            for (int a = 0; a < NA; a++) {
                double s = 0;
                for (int i = 0; i < k; i++)
                    s += (double)X[u * k + i] * Y[a * k + i];
                double c = 1 + alpha * t[u][a], d = obs[u][a] - s;
                total += c * d * d;
                if (obs[u][a])
                    observed += c * d * d;
            }
        for (int i = 0; i < NU * k; i++)
            l2 += (double)X[i] * X[i];
        for (int i = 0; i < NA * k; i++)
            l2 += (double)Y[i] * Y[i];
        l2 *= lambda;
        total += l2;

        double loss[5], obs_h[5], l2_h[5], grav[5], secs[5];
        size_t n = 0;
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, loss, 5, &n));
        ck_assert_uint_eq(n, 5);
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_OBSERVED, obs_h, 5, NULL));
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_L2, l2_h, 5, NULL));
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_GRAVITY, grav, 5, NULL));
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_SECONDS, secs, 5, NULL));
        ck_assert_msg(fabs(loss[4] - total) < 1e-4 * total, "solver %d: loss %.9g, direct %.9g",
                      solver, loss[4], total);
        ck_assert_msg(fabs(obs_h[4] - observed) < 1e-4 * observed, "observed %.9g vs %.9g",
                      obs_h[4], observed);
        ck_assert_msg(fabs(l2_h[4] - l2) < 1e-4 * l2, "L2 %.9g vs %.9g", l2_h[4], l2);
        for (int e = 0; e < 5; e++) {
            ck_assert(isnan(grav[e]));
            ck_assert(secs[e] >= 0 && (e == 0 || secs[e] >= secs[e - 1]));
        }
        lr_model_free(m);
    }
}
END_TEST

/* ------------------------------------------------------- synthetic data */

static lr_dataset *syn, *syn_train, *syn_test;

static void syn_setup(void)
{
    mt_clustered_split(400, 800, 25, &syn, &syn_train, &syn_test);
}

static void syn_teardown(void)
{
    lr_dataset_free(syn);
    lr_dataset_free(syn_train);
    lr_dataset_free(syn_test);
    syn = syn_train = syn_test = NULL;
}

static lr_options *syn_opts(int threads)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_FACTORS, 16));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, 8));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, threads));
    return o;
}

/* Precision@10 by the library's evaluation (docs/evaluation.md). */
static double precision_at_10(const lr_model *m)
{
    return mt_evaluate_at_10(m, syn_train, syn_test, LR_METRIC_PRECISION);
}

START_TEST(beats_popularity)
{
    lr_model *pop, *als;
    ck_assert_lr_ok(lr_model_new(&pop, LR_ALGO_POP, NULL));
    ck_assert_lr_ok(lr_model_fit(pop, syn_train, NULL));
    als = fit_with(syn_train, syn_opts(2));
    double p_pop = precision_at_10(pop), p_als = precision_at_10(als);
    ck_assert_msg(p_als > 1.5 * p_pop && p_als > p_pop + 0.03,
                  "ALS P@10 %.4f is not clearly above popularity's %.4f", p_als, p_pop);
    lr_model_free(pop);
    lr_model_free(als);
}
END_TEST

/* Every row is solved by one thread from data no other thread writes, so
 * the factors are the same bit for bit across runs and thread counts. */
START_TEST(deterministic_across_runs_and_threads)
{
    lr_model *a = fit_with(syn_train, syn_opts(2));
    lr_model *b = fit_with(syn_train, syn_opts(2));
    lr_model *c = fit_with(syn_train, syn_opts(1));
    lr_model *d = fit_with(syn_train, syn_opts(3));
    const size_t nu = (size_t)syn_train->n_users * 16, na = (size_t)syn_train->n_artists * 16;
    const lr_model *ms[] = {b, c, d};
    for (int i = 0; i < 3; i++) {
        ck_assert(memcmp(factors(a, LR_EMBEDDING_USERS), factors(ms[i], LR_EMBEDDING_USERS),
                         nu * sizeof(float)) == 0);
        ck_assert(memcmp(factors(a, LR_EMBEDDING_ARTISTS), factors(ms[i], LR_EMBEDDING_ARTISTS),
                         na * sizeof(float)) == 0);
    }
    /* ... and the seed is what fixes them. */
    lr_options *o = syn_opts(2);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 7));
    lr_model *e = fit_with(syn_train, o);
    ck_assert(memcmp(factors(a, LR_EMBEDDING_USERS), factors(e, LR_EMBEDDING_USERS),
                     nu * sizeof(float)) != 0);
    lr_model_free(a);
    lr_model_free(b);
    lr_model_free(c);
    lr_model_free(d);
    lr_model_free(e);
}
END_TEST

/* Each half-sweep minimises the objective over one side exactly (Cholesky)
 * or by descent steps from the previous answer (CG): it never rises. */
START_TEST(loss_falls_every_sweep)
{
    for (int solver = LR_SOLVER_CHOLESKY; solver <= LR_SOLVER_CG; solver++) {
        lr_options *o = syn_opts(2);
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SOLVER, solver));
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, 10));
        lr_model *m = fit_with(syn_train, o);
        double loss[10];
        size_t n = 0;
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, loss, 10, &n));
        ck_assert_uint_eq(n, 10);
        for (int e = 1; e < 10; e++)
            ck_assert_msg(loss[e] < loss[e - 1], "solver %d sweep %d: loss %.9g after %.9g",
                          solver, e + 1, loss[e], loss[e - 1]);
        lr_model_free(m);
    }
}
END_TEST

/* The documented defaults apply when unset, and set values win. */
START_TEST(defaults)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, NULL));
    static const struct { int key; double v; } want[] = {
        {LR_OPT_FACTORS, 64}, {LR_OPT_EPOCHS, 15}, {LR_OPT_TRANSFORM, LR_TRANSFORM_BM25},
        {LR_OPT_ALPHA, 0.015}, {LR_OPT_REGULARIZATION, 15}, {LR_OPT_SOLVER, LR_SOLVER_CG},
        {LR_OPT_CG_STEPS, 3}, {LR_OPT_BM25_K1, 100}, {LR_OPT_BM25_B, 0.8},
    };
    for (size_t i = 0; i < TINY_N(want); i++) {
        double v = 0;
        ck_assert_lr_ok(lr_model_option(m, want[i].key, &v));
        ck_assert_msg(v == want[i].v, "option %d: %g, want %g", want[i].key, v, want[i].v);
    }
    lr_model_free(m);
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_ALPHA, 10));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_BINARY));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    lr_options_free(o);
    double v = 0;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_ALPHA, &v));
    ck_assert_double_eq(v, 10);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_TRANSFORM, &v));
    ck_assert_double_eq(v, LR_TRANSFORM_BINARY);
    lr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------- failures */

/* A huge lambda squeezes the factors towards 0 but stays a valid model;
 * lambda 0 with all-zero factors leaves the exact solver a singular
 * system, and it says to raise regularization. */
START_TEST(regularization_edges)
{
    lr_model *m = fit_with(tiny, opts(4, 3, LR_SOLVER_CHOLESKY, LR_TRANSFORM_LOG1P, 1, 1e8));
    const float *Y = factors(m, LR_EMBEDDING_ARTISTS);
    for (int i = 0; i < NA * 4; i++)
        ck_assert(isfinite(Y[i]) && fabsf(Y[i]) < 1e-5f);
    lr_model_free(m);

    lr_options *o = opts(4, 3, LR_SOLVER_CHOLESKY, LR_TRANSFORM_LOG1P, 1, 0);
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_INIT_SCALE, 0));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    lr_options_free(o);
    ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_NUMERIC, "increase regularization");
    ck_assert(!lr_model_is_fitted(m));
    lr_model_free(m);
}
END_TEST

/* A listen count whose confidence overflows float is refused up front;
 * one that overflows only in the products is caught after the sweep.
 * Both messages say what to change. */
START_TEST(non_finite_is_reported)
{
    static const float counts[] = {INFINITY, 1e28f};
    static const char *const needles[] = {"lower alpha", "raise regularization"};
    for (int i = 0; i < 2; i++) {
        tiny->listens.val[0] = counts[i];
        int64_t e = lr__csr_find(&tiny->by_artist, tiny->listens.idx[0], 0);
        ck_assert(e >= 0);
        tiny->by_artist.val[e] = counts[i];
        lr_options *o = opts(4, 3, LR_SOLVER_CG, LR_TRANSFORM_RAW, 1e9, 0.1);
        lr_model *m;
        ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
        lr_options_free(o);
        ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_NUMERIC, needles[i]);
        ck_assert(!lr_model_is_fitted(m));
        lr_model_free(m);
    }
}
END_TEST

static int stop_at_two(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    int *calls = ud;
    ck_assert_str_eq(stage, "epoch");
    ck_assert_uint_eq(total, 6);
    ck_assert_uint_eq(done, (uint64_t)++*calls);
    return done == 2;
}

START_TEST(cancel_leaves_model_unfitted)
{
    int calls = 0;
    lr_options *o = opts(3, 6, LR_SOLVER_CG, LR_TRANSFORM_LOG1P, 1, 0.5);
    lr_options_set_progress(o, stop_at_two, &calls);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    lr_options_free(o);
    ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_CANCELLED, "");
    ck_assert_int_eq(calls, 2);
    ck_assert(!lr_model_is_fitted(m));
    const float *f = NULL;
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_USERS, &f, NULL, NULL), LR_E_INVALID,
                      "not fitted");
    size_t n = 1;
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &n));
    ck_assert_uint_eq(n, 0); /* no history survives either */
    lr_model_free(m);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("als");
    TCase *t = tcase_create("tiny");
    tcase_add_checked_fixture(t, tiny_setup, tiny_teardown);
    tcase_add_test(t, exact_rows_equal_dense_reference);
    tcase_add_test(t, cg_approaches_exact_solve);
    tcase_add_test(t, history_loss_is_the_objective);
    tcase_add_test(t, regularization_edges);
    tcase_add_test(t, non_finite_is_reported);
    tcase_add_test(t, cancel_leaves_model_unfitted);
    tcase_add_test(t, defaults);
    suite_add_tcase(s, t);
    t = tcase_create("synthetic");
    tcase_add_checked_fixture(t, syn_setup, syn_teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, beats_popularity);
    tcase_add_test(t, deterministic_across_runs_and_threads);
    tcase_add_test(t, loss_falls_every_sweep);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lr_test_run(suite()); }
