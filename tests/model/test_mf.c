/* The mf unit: the notebook's matrix factorisation with L2 and gravity.
 * SPDX-License-Identifier: MIT
 *
 * The gradient is checked against central differences of a double-precision
 * reference objective written here from the formula (not from mf.c), term
 * by term and in sum; the fits run on synthetic data and on small
 * hand-made listens; the real dev split is used when LASTREC_DATA and
 * LASTREC_SPLIT are set.
 */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "data/sparse.h"
#include "model/mf.h"

#include <math.h>

/* ------------------------------------------------------------ helpers */

static lr_model *fit(const lr_dataset *train, const char *text)
{
    return mt_fit(LR_ALGO_MF, train, text);
}

/* A small synthetic data set split per user. */
static lr_dataset *syn_train, *syn_test;

static void synth_setup(void) { mt_synth_split(7, &syn_train, &syn_test); }

static void synth_teardown(void)
{
    lr_dataset_free(syn_train);
    lr_dataset_free(syn_test);
    syn_train = syn_test = NULL;
}

/* RMSE of the held-out weights under the model's transform. */
static double test_rmse(const lr_model *m, const lr_dataset *test)
{
    double t, se = 0;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_TRANSFORM, &t));
    int64_t n = 0;
    for (int32_t u = 0; u < test->n_users; u++) {
        const int32_t *idx;
        const float *val;
        int64_t len = lr__csr_row(&test->listens, u, &idx, &val);
        for (int64_t j = 0; j < len; j++) {
            double d = (double)lr__model_predict(m, u, idx[j]) - (double)lr__transform((int)t, val[j]);
            se += d * d;
            n++;
        }
    }
    return sqrt(se / (double)n);
}

/* Listens from "user artist count" rows, loaded through the public API as a
 * user_artists.dat file. */
static lr_dataset *listens_from(const char *rows)
{
    const char *dir = lr_test_tmpdir();
    char text[4096];
    snprintf(text, sizeof text, "userID\tartistID\tweight\n%s", rows);
    const char *path = LR_TEST_WRITE_STR(dir, "user_artists.dat", text);
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_load(&ds, path, NULL));
    return ds;
}

/* ------------------------------------------------ reference objective */

/* A 4 x 5 problem with counts from 1 to 352,698 (the data's maximum). */
static lr__csr tiny;
enum { TN = 4, TM = 5, TK = 3 };

static void tiny_setup(void)
{
    static const lr__triplet t[] = {
        {0, 0, 3}, {0, 2, 120}, {0, 4, 1}, {1, 1, 352698}, {1, 2, 7},
        {2, 0, 45}, {2, 3, 2}, {2, 4, 999}, {3, 1, 12}, {3, 3, 60},
    };
    ck_assert_lr_ok(lr__csr_from_triplets(&tiny, TN, TM, t, sizeof t / sizeof t[0], 1, NULL));
}

static void tiny_teardown(void) { lr__csr_free(&tiny); }

enum { OBS = 1, L2 = 2, GRAV = 4 };

/* The objective from its definition, in double, gravity by the naive
 * O(N M k) sum over all pairs: F = 1/|Ω| Σ_Ω (U_u·V_a − t)² +
 * λ_r (‖U‖²/N + ‖V‖²/M) + λ_g/(N M) Σ_u Σ_a (U_u·V_a)². */
static double ref_objective(const lr__csr *x, int transform, int k, double reg, double grav,
                            const double *U, const double *V, int terms)
{
    const int n = x->rows, m = x->cols;
    double obs = 0, l2u = 0, l2v = 0, g = 0;
    for (int u = 0; u < n; u++)
        for (int64_t p = x->ptr[u]; p < x->ptr[u + 1]; p++) {
            double d = -(double)lr__transform(transform, x->val[p]);
            for (int f = 0; f < k; f++)
                d += U[u * k + f] * V[x->idx[p] * k + f];
            obs += d * d;
        }
    for (int i = 0; i < n * k; i++)
        l2u += U[i] * U[i];
    for (int i = 0; i < m * k; i++)
        l2v += V[i] * V[i];
    for (int u = 0; u < n; u++)
        for (int a = 0; a < m; a++) {
            double d = 0;
            for (int f = 0; f < k; f++)
                d += U[u * k + f] * V[a * k + f];
            g += d * d;
        }
    double F = 0;
    if (terms & OBS)
        F += obs / (double)x->nnz;
    if (terms & L2)
        F += reg * (l2u / n + l2v / m);
    if (terms & GRAV)
        F += grav / ((double)n * m) * g;
    return F;
}

/* Factors with entries of a few tenths, as after some training. */
static void tiny_factors(float *U, float *V, double scale)
{
    for (int i = 0; i < TN * TK; i++)
        U[i] = (float)(scale * sin(1.0 + 0.7 * i));
    for (int i = 0; i < TM * TK; i++)
        V[i] = (float)(scale * cos(0.3 + 1.3 * i));
}

/* The largest difference between g (analytic, [n x k] then [m x k]) and
 * central differences of the reference over the given terms, relative to
 * the largest difference quotient. */
static double fd_error(const lr__csr *x, int transform, double reg, double grav, const float *U,
                       const float *V, const float *gU, const float *gV, int terms)
{
    const int nu = x->rows * TK, nv = x->cols * TK;
    double *P = malloc((size_t)(nu + nv) * sizeof *P);
    for (int i = 0; i < nu; i++)
        P[i] = U[i];
    for (int i = 0; i < nv; i++)
        P[nu + i] = V[i];
    double worst = 0, scale = 0;
    for (int i = 0; i < nu + nv; i++) {
        const double h = 1e-5 * fmax(1.0, fabs(P[i])), keep = P[i];
        P[i] = keep + h;
        double fp = ref_objective(x, transform, TK, reg, grav, P, P + nu, terms);
        P[i] = keep - h;
        double fm = ref_objective(x, transform, TK, reg, grav, P, P + nu, terms);
        P[i] = keep;
        double fd = (fp - fm) / (2 * h);
        double an = i < nu ? gU[i] : gV[i - nu];
        worst = fmax(worst, fabs(an - fd));
        scale = fmax(scale, fabs(fd));
    }
    free(P);
    ck_assert_msg(scale > 0, "the finite differences are all zero: nothing was checked");
    return worst / scale;
}

/* Analytic gradient of one term: with only the observed part (terms OBS),
 * or the difference of the gradients with and without the term. */
static void term_gradient(int transform, double reg, double grav, int terms, const float *U,
                          const float *V, float *gU, float *gV, double parts[3])
{
    float bU[TN * TK], bV[TM * TK];
    double bp[3];
    ck_assert_lr_ok(lr__mf_objective(&tiny, transform, TK, (terms & L2) ? reg : 0,
                                     (terms & GRAV) ? grav : 0, U, V, gU, gV, parts, 1));
    if (terms & OBS)
        return;
    ck_assert_lr_ok(lr__mf_objective(&tiny, transform, TK, 0, 0, U, V, bU, bV, bp, 1));
    for (int i = 0; i < TN * TK; i++)
        gU[i] -= bU[i];
    for (int i = 0; i < TM * TK; i++)
        gV[i] -= bV[i];
}

/* One term's analytic gradient against central differences of that term
 * alone, at factors of a few tenths. */
static void check_term_gradient(double reg, double grav, int terms, const char *what)
{
    float U[TN * TK], V[TM * TK], gU[TN * TK], gV[TM * TK];
    double parts[3];
    tiny_factors(U, V, 0.8);
    term_gradient(LR_TRANSFORM_LOG1P, reg, grav, terms, U, V, gU, gV, parts);
    double e = fd_error(&tiny, LR_TRANSFORM_LOG1P, reg, grav, U, V, gU, gV, terms);
    ck_assert_msg(e < 1e-4, "%s gradient off by %g (relative)", what, e);
}

START_TEST(gradient_observed_term) { check_term_gradient(0, 0, OBS, "observed-term"); }
END_TEST

START_TEST(gradient_l2_term) { check_term_gradient(0.7, 0, L2, "L2-term"); }
END_TEST

START_TEST(gradient_gravity_term) { check_term_gradient(0, 2.5, GRAV, "gravity-term"); }
END_TEST

/* All three together, on each transform (raw with its 352,698 too). */
START_TEST(gradient_all_terms)
{
    static const int transforms[] = {LR_TRANSFORM_RAW, LR_TRANSFORM_LOG1P, LR_TRANSFORM_BINARY};
    const int tr = transforms[_i];
    float U[TN * TK], V[TM * TK], gU[TN * TK], gV[TM * TK];
    double parts[3];
    tiny_factors(U, V, tr == LR_TRANSFORM_RAW ? 30.0 : 0.8);
    ck_assert_lr_ok(lr__mf_objective(&tiny, tr, TK, 0.3, 1.7, U, V, gU, gV, parts, 1));
    double e = fd_error(&tiny, tr, 0.3, 1.7, U, V, gU, gV, OBS | L2 | GRAV);
    ck_assert_msg(e < 1e-4, "transform %d: gradient off by %g (relative)", tr, e);
}
END_TEST

/* The objective's parts equal the definition; gravity through the two
 * Gram matrices equals the naive sum over all N x M predictions. */
START_TEST(parts_and_gravity_equal_definition)
{
    float U[TN * TK], V[TM * TK], gU[TN * TK], gV[TM * TK];
    double P[(TN + TM) * TK], parts[3];
    tiny_factors(U, V, 0.8);
    for (int i = 0; i < TN * TK; i++)
        P[i] = U[i];
    for (int i = 0; i < TM * TK; i++)
        P[TN * TK + i] = V[i];
    ck_assert_lr_ok(lr__mf_objective(&tiny, LR_TRANSFORM_LOG1P, TK, 0.3, 1.7, U, V, gU, gV,
                                     parts, 1));
    const double *PU = P, *PV = P + TN * TK;
    double obs = ref_objective(&tiny, LR_TRANSFORM_LOG1P, TK, 0.3, 1.7, PU, PV, OBS);
    double l2 = ref_objective(&tiny, LR_TRANSFORM_LOG1P, TK, 0.3, 1.7, PU, PV, L2);
    double grav = ref_objective(&tiny, LR_TRANSFORM_LOG1P, TK, 0.3, 1.7, PU, PV, GRAV);
    ck_assert_double_eq_tol(parts[0], obs, 1e-5 * obs);
    ck_assert_double_eq_tol(parts[1], l2, 1e-5 * l2);
    ck_assert_double_eq_tol(parts[2], grav, 1e-5 * grav);
}
END_TEST

/* On a larger random problem too (where the row passes run in parallel):
 * Gram gravity = naive gravity, and the gradient does not depend on the
 * thread count. */
START_TEST(gravity_naive_and_threads)
{
    const int32_t n = 37, m = 53, k = 9;
    lr__triplet t[400];
    size_t nt = 0;
    for (int32_t u = 0; u < n; u++)
        for (int32_t a = (u * 7) % 5; a < m && nt < 400; a += 5 + u % 3)
            t[nt++] = (lr__triplet){u, a, (float)(1 + (u * 31 + a * 17) % 500)};
    lr__csr x;
    ck_assert_lr_ok(lr__csr_from_triplets(&x, n, m, t, nt, 1, NULL));
    float *U = malloc(sizeof(float) * n * k), *V = malloc(sizeof(float) * m * k);
    float *g1 = malloc(sizeof(float) * (n + m) * k), *g2 = malloc(sizeof(float) * (n + m) * k);
    for (int i = 0; i < n * k; i++)
        U[i] = (float)(0.3 * sin(0.37 * i));
    for (int i = 0; i < m * k; i++)
        V[i] = (float)(0.3 * cos(0.91 * i));
    double p1[3], p2[3];
    ck_assert_lr_ok(lr__mf_objective(&x, LR_TRANSFORM_LOG1P, k, 0.1, 3.0, U, V, g1, g1 + n * k, p1, 1));
    ck_assert_lr_ok(lr__mf_objective(&x, LR_TRANSFORM_LOG1P, k, 0.1, 3.0, U, V, g2, g2 + n * k, p2, 2));
    ck_assert_msg(memcmp(g1, g2, sizeof(float) * (n + m) * k) == 0,
                  "the gradient differs between 1 and 2 threads");
    ck_assert(memcmp(p1, p2, sizeof p1) == 0);
    double naive = 0;
    for (int u = 0; u < n; u++)
        for (int a = 0; a < m; a++) {
            double d = 0;
            for (int f = 0; f < k; f++)
                d += (double)U[u * k + f] * V[a * k + f];
            naive += d * d;
        }
    naive *= 3.0 / ((double)n * m);
    ck_assert_double_eq_tol(p1[2], naive, 1e-5 * naive);
    free(U);
    free(V);
    free(g1);
    free(g2);
    lr__csr_free(&x);
}
END_TEST

/* ------------------------------------------------------------- fitting */

/* With log1p weights the objective falls and the model ranks held-out
 * artists well above popularity. */
START_TEST(log1p_learns)
{
    lr_model *m = fit(syn_train, "factors=16,epochs=150,gravity=3,regularization=1");
    size_t n;
    double *loss = mt_history(m, LR_HISTORY_LOSS, &n);
    ck_assert_uint_eq(n, 150);
    ck_assert_msg(loss[n - 1] < 0.7 * loss[0], "loss %g -> %g", loss[0], loss[n - 1]);
    double *obs = mt_history(m, LR_HISTORY_LOSS_OBSERVED, &n);
    double *l2 = mt_history(m, LR_HISTORY_LOSS_L2, &n);
    double *grav = mt_history(m, LR_HISTORY_LOSS_GRAVITY, &n);
    for (size_t e = 0; e < n; e++) {
        ck_assert(isfinite(loss[e]));
        ck_assert_double_eq_tol(loss[e], obs[e] + l2[e] + grav[e], 1e-9 * loss[e]);
        ck_assert(grav[e] > 0 && l2[e] > 0);
    }
    double p = mt_precision_at_10(m, syn_train, syn_test);
    double pop = mt_pop_precision(syn_train, syn_test);
    ck_assert_msg(p > 1.5 * pop, "mf P@10 %.4f vs popularity %.4f", p, pop);
    free(loss);
    free(obs);
    free(l2);
    free(grav);
    lr_model_free(m);
}
END_TEST

/* Full batch and mini-batches, with SGD and with Adagrad: each lowers the
 * objective and beats popularity. */
START_TEST(batches_and_optimisers)
{
    static const char *const runs[] = {
        "optimizer=1,batch_size=0,learning_rate=20",
        "optimizer=1,batch_size=512,learning_rate=5",
        "optimizer=2,batch_size=0,learning_rate=0.05",
        "optimizer=2,batch_size=512,learning_rate=0.02",
    };
    char text[256];
    snprintf(text, sizeof text, "factors=16,epochs=40,gravity=3,regularization=1,%s", runs[_i]);
    lr_model *m = fit(syn_train, text);
    size_t n;
    double *loss = mt_history(m, LR_HISTORY_LOSS, &n);
    ck_assert_uint_eq(n, 40);
    ck_assert_msg(loss[n - 1] < 0.7 * loss[0], "%s: loss %g -> %g", runs[_i], loss[0], loss[n - 1]);
    double p = mt_precision_at_10(m, syn_train, syn_test);
    double pop = mt_pop_precision(syn_train, syn_test);
    ck_assert_msg(p > pop, "%s: P@10 %.4f vs popularity %.4f", runs[_i], p, pop);
    free(loss);
    lr_model_free(m);
}
END_TEST

static int same_model(const lr_model *a, const lr_model *b)
{
    return a->k == b->k && a->n_users == b->n_users && a->n_artists == b->n_artists &&
           memcmp(a->user_f, b->user_f, sizeof(float) * (size_t)a->n_users * (size_t)a->k) == 0 &&
           memcmp(a->artist_f, b->artist_f, sizeof(float) * (size_t)a->n_artists * (size_t)a->k) == 0;
}

/* Same seed: bit-identical factors, whatever the thread count (each
 * gradient row is summed by one thread in a fixed order), with full and
 * mini-batches; another seed gives another model. */
START_TEST(deterministic)
{
#define DET "factors=8,epochs=15,batch_size=%d,threads=%d,seed=%d"
    char text[128];
    for (int batch = 0; batch <= 256; batch += 256) {
        snprintf(text, sizeof text, DET, batch, 1, 5);
        lr_model *a = fit(syn_train, text);
        snprintf(text, sizeof text, DET, batch, 1, 5);
        lr_model *b = fit(syn_train, text);
        snprintf(text, sizeof text, DET, batch, 2, 5);
        lr_model *c = fit(syn_train, text);
        snprintf(text, sizeof text, DET, batch, 2, 6);
        lr_model *d = fit(syn_train, text);
        ck_assert_msg(same_model(a, b), "batch %d: same seed, different factors", batch);
        ck_assert_msg(same_model(a, c), "batch %d: 1 and 2 threads differ", batch);
        ck_assert_msg(!same_model(a, d), "batch %d: the seed changes nothing", batch);
        lr_model_free(a);
        lr_model_free(b);
        lr_model_free(c);
        lr_model_free(d);
    }
}
END_TEST

/* The notebook's settings (k 35, λ_r 0.1, λ_g 1, init sd 0.05, lr 0.1,
 * full-batch SGD) on raw counts up to 352,698 over a handful of pairs:
 * the first steps overshoot, the factors overflow, and the fit stops with
 * LR_E_NUMERIC saying what to change, leaving the model unfitted. */
START_TEST(notebook_raw_diverges_with_advice)
{
    lr_dataset *ds = listens_from("1\t10\t352698\n1\t11\t120\n2\t10\t999\n2\t12\t7\n"
                                  "3\t11\t45\n3\t12\t2\n3\t13\t18000\n4\t13\t60\n");
    lr_options *o = mt_opts("factors=35,regularization=0.1,gravity=1,init_scale=0.05,"
                            "learning_rate=0.1,epochs=2000,optimizer=1,batch_size=0,transform=0");
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, o));
    ck_assert_lr_fail(lr_model_fit(m, ds, NULL), LR_E_NUMERIC, "learning_rate");
    ck_assert_msg(strstr(lr_last_error(), "log1p") != NULL, "no log1p advice: %s", lr_last_error());
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    const float *data;
    ck_assert_int_eq(lr_model_embeddings(m, LR_EMBEDDING_USERS, &data, NULL, NULL), LR_E_INVALID);
    /* the advice works: log1p with the same steps trains */
    lr_model_free(m);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, 200));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, o));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    lr_model_free(m);
    lr_options_free(o);
    lr_dataset_free(ds);
}
END_TEST

/* A learning rate far too large for log1p weights: LR_E_NUMERIC with the
 * generic advice. */
START_TEST(huge_step_numeric)
{
    mt_fit_fails(LR_ALGO_MF, syn_train, "factors=8,epochs=50,optimizer=1,learning_rate=1e6",
                 LR_E_NUMERIC, "lower learning_rate");
}
END_TEST

static int stop_at_3(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)total;
    int *calls = user_data;
    ck_assert_str_eq(stage, "epoch");
    (*calls)++;
    return done >= 3;
}

START_TEST(cancel_leaves_unfitted)
{
    for (int batch = 0; batch <= 128; batch += 128) {
        lr_options *o = mt_opts("factors=8,epochs=100");
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_BATCH_SIZE, batch));
        int calls = 0;
        lr_options_set_progress(o, stop_at_3, &calls);
        lr_model *m;
        ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, o));
        ck_assert_int_eq(lr_model_fit(m, syn_train, NULL), LR_E_CANCELLED);
        ck_assert_int_eq(calls, 3);
        ck_assert_int_eq(lr_model_is_fitted(m), 0);
        size_t n = 99;
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &n));
        ck_assert_uint_eq(n, 0);
        lr_model_free(m);
        lr_options_free(o);
    }
}
END_TEST

/* Options the caller leaves alone take mf's defaults; set ones are kept;
 * bad combinations are refused before any work. */
START_TEST(options)
{
    lr_model *m;
    double v;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, NULL));
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_TRANSFORM, &v));
    ck_assert_double_eq(v, LR_TRANSFORM_LOG1P);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_GRAVITY, &v));
    ck_assert(v > 0);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_BATCH_SIZE, &v));
    ck_assert_double_eq(v, 0);
    lr_model_free(m);

    lr_options *o = mt_opts("factors=35,gravity=0,transform=0");
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, o));
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_FACTORS, &v));
    ck_assert_double_eq(v, 35);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_GRAVITY, &v));
    ck_assert_double_eq(v, 0);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_TRANSFORM, &v));
    ck_assert_double_eq(v, LR_TRANSFORM_RAW);
    lr_model_free(m);
    lr_options_free(o);

    mt_fit_fails(LR_ALGO_MF, syn_train, "transform=3", LR_E_INVALID, "bm25");
    mt_fit_fails(LR_ALGO_MF, syn_train, "optimizer=adam", LR_E_INVALID, "adam is softmax's");
    mt_fit_fails(LR_ALGO_MF, syn_train, "init_scale=0", LR_E_INVALID, "init_scale");
}
END_TEST

/* The fitted model exposes k-wide embeddings for every user and artist. */
START_TEST(embeddings_shape)
{
    lr_model *m = fit(syn_train, "factors=12,epochs=5");
    const float *d;
    size_t rows, cols;
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_USERS, &d, &rows, &cols));
    ck_assert_uint_eq(rows, (size_t)lr_dataset_count(syn_train, LR_COUNT_USERS));
    ck_assert_uint_eq(cols, 12);
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &d, &rows, &cols));
    ck_assert_uint_eq(rows, (size_t)lr_dataset_count(syn_train, LR_COUNT_ARTISTS));
    ck_assert_int_eq(m->artist_bias == NULL, 1);
    lr_model_free(m);
}
END_TEST

/* With a validation set, every epoch of the history also has the held-out
 * ranking quality and squared error, and they improve as mf trains. */
START_TEST(validation_history)
{
    lr_options *o = mt_opts("factors=16,epochs=40,gravity=3");
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, o));
    ck_assert_lr_ok(lr_model_fit(m, syn_train, syn_test));
    size_t n;
    double *ndcg = mt_history(m, LR_HISTORY_VAL_NDCG, &n);
    double *loss = mt_history(m, LR_HISTORY_VAL_LOSS, &n);
    ck_assert_uint_eq(n, 40);
    for (size_t e = 0; e < n; e++)
        ck_assert(ndcg[e] >= 0 && ndcg[e] <= 1 && isfinite(loss[e]));
    ck_assert_msg(ndcg[n - 1] > ndcg[0], "validation NDCG %g -> %g", ndcg[0], ndcg[n - 1]);
    /* the last row describes the fitted model */
    ck_assert_double_eq_tol(loss[n - 1], pow(test_rmse(m, syn_test), 2), 1e-6 * loss[n - 1]);
    free(ndcg);
    free(loss);
    lr_model_free(m);
    lr_options_free(o);
}
END_TEST

/* ------------------------------------------------------------ real data */

static lr_dataset *real_cat, *real_train, *real_test;

static int real_data(void) { return mt_real_split(&real_cat, &real_train, &real_test); }

static void real_free(void)
{
    lr_dataset_free(real_cat);
    lr_dataset_free(real_train);
    lr_dataset_free(real_test);
}

/* On the real split the notebook's raw-count model stays finite but is
 * useless: held-out RMSE above that of predicting 0 for every pair, and a
 * ranking below popularity.  log1p with gravity ranks well above it. */
START_TEST(real_notebook_and_log1p)
{
    if (!real_data()) {
        fprintf(stderr, "real_notebook_and_log1p: LASTREC_DATA / LASTREC_SPLIT unset, skipped\n");
        return;
    }
    lr_model *m = fit(real_train, "factors=35,regularization=0.1,gravity=1,init_scale=0.05,"
                                  "learning_rate=0.1,epochs=300,optimizer=1,batch_size=0,transform=0");
    double zero = 0;
    for (int64_t p = 0; p < real_test->listens.nnz; p++)
        zero += (double)real_test->listens.val[p] * real_test->listens.val[p];
    zero = sqrt(zero / (double)real_test->listens.nnz);
    double rmse = test_rmse(m, real_test);
    double p = mt_precision_at_10(m, real_train, real_test);
    double pop = mt_pop_precision(real_train, real_test);
    ck_assert_msg(isfinite(rmse) && rmse > zero, "raw RMSE %g, predicting 0: %g", rmse, zero);
    ck_assert_msg(p < pop, "raw P@10 %.4f vs popularity %.4f", p, pop);
    lr_model_free(m);

    m = fit(real_train, "epochs=60");
    p = mt_precision_at_10(m, real_train, real_test);
    ck_assert_msg(p > 1.5 * pop, "log1p P@10 %.4f vs popularity %.4f", p, pop);
    lr_model_free(m);
    real_free();
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mf");
    TCase *g = tcase_create("gradient");
    tcase_add_checked_fixture(g, tiny_setup, tiny_teardown);
    tcase_add_test(g, gradient_observed_term);
    tcase_add_test(g, gradient_l2_term);
    tcase_add_test(g, gradient_gravity_term);
    tcase_add_loop_test(g, gradient_all_terms, 0, 3);
    tcase_add_test(g, parts_and_gravity_equal_definition);
    tcase_add_test(g, gravity_naive_and_threads);
    suite_add_tcase(s, g);

    TCase *f = tcase_create("fit");
    tcase_add_checked_fixture(f, synth_setup, synth_teardown);
    tcase_add_test(f, log1p_learns);
    tcase_add_loop_test(f, batches_and_optimisers, 0, 4);
    tcase_add_test(f, deterministic);
    tcase_add_test(f, notebook_raw_diverges_with_advice);
    tcase_add_test(f, huge_step_numeric);
    tcase_add_test(f, cancel_leaves_unfitted);
    tcase_add_test(f, options);
    tcase_add_test(f, embeddings_shape);
    tcase_add_test(f, validation_history);
    suite_add_tcase(s, f);

    TCase *r = tcase_create("real");
    tcase_set_timeout(r, 300);
    tcase_add_test(r, real_notebook_and_log1p);
    suite_add_tcase(s, r);
    return s;
}

int main(void)
{
    lr__opt_threads_uncap(1); /* 3 threads mean 3 workers on 2 cores too */
    return lr_test_run(suite());
}
