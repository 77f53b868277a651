/* EASE: the item weights against a dense double-precision inverse, the
 * modelled artists, scores, the loss, accuracy against popularity and the
 * failures a user can run into.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/model.h"

#include <math.h>

/* 8 users x 7 artists.  Listeners: artist 1: 6, 2: 4, 3: 3, 4: 3, 5: 2,
 * 6: 2, 7: 0.  With min_listeners 2 artist 7 is not modelled, with 3
 * neither are 5 and 6. */
static const int32_t t_users[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const int32_t t_artists[] = {1, 2, 3, 4, 5, 6, 7};
static const char *const t_names[] = {"A", "B", "C", "D", "E", "F", "G"};
static const tiny_listen t_listens[] = {
    {1, 1, 3}, {1, 2, 12}, {1, 3, 1},
    {2, 1, 1}, {2, 2, 5}, {2, 4, 40},
    {3, 1, 7}, {3, 3, 2}, {3, 5, 9}, {3, 6, 1},
    {4, 1, 2}, {4, 4, 3},
    {5, 1, 20}, {5, 5, 4},
    {6, 2, 2}, {6, 3, 3},
    {7, 1, 5}, {7, 2, 1}, {7, 4, 2},
    {8, 6, 30},
};
#define NU 8
#define NA 7
static const int fans[NA] = {6, 4, 3, 3, 2, 2, 0};

static lr_dataset *tiny, *wide;

static void tiny_setup(void)
{
    tiny_spec s = {.users = t_users, .n_users = NU, .artists = t_artists,
                   .artist_names = t_names, .n_artists = NA, .listens = t_listens,
                   .n_listens = TINY_N(t_listens)};
    tiny = tiny_build(&s);
    wide = mt_wide(); /* fewer users than artists: ease's dual form */
}

static void tiny_teardown(void)
{
    lr_dataset_free(tiny);
    lr_dataset_free(wide);
    tiny = wide = NULL;
}

static lr_model *fit(const lr_dataset *ds, int transform, double lambda, int min_listeners)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    if (transform >= 0)
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, transform));
    if (lambda >= 0)
        ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_REGULARIZATION, lambda));
    if (min_listeners > 0)
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, min_listeners));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_EASE, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    return m;
}

#define MAXA 9

/* X over the artists of ds with at least min_listeners fans, in double. */
static int reference_x(const lr_dataset *ds, int transform, int min_listeners,
                       double X[NU][MAXA], int item[MAXA])
{
    int n = mt_items_with_listeners(ds, min_listeners, item);
    memset(X, 0, sizeof(double[NU][MAXA]));
    for (int u = 0; u < ds->n_users; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++)
            for (int q = 0; q < n; q++)
                if (item[q] == ds->listens.idx[e])
                    X[u][q] = transform == LR_TRANSFORM_LOG1P ? log1p(ds->listens.val[e]) : 1.0;
    return n;
}

/* B = I - P diag(1/diag P), P = (X'X + lambda I)^-1 by Gauss-Jordan. */
static void reference_b(int n, double X[NU][MAXA], double lambda, double B[MAXA][MAXA])
{
    double G[MAXA][2 * MAXA] = {{0}};
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            for (int u = 0; u < NU; u++)
                G[i][j] += X[u][i] * X[u][j];
        G[i][i] += lambda;
        G[i][n + i] = 1;
    }
    mt_gauss_jordan(&G[0][0], n, 2 * MAXA);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            B[i][j] = i == j ? 0 : -G[i][n + j] / G[j][n + j];
}

/* Both forms of the inverse: the primal on the tiny set (more users than
 * artists), the dual on the wide one. */
START_TEST(weights_equal_dense_reference)
{
    static const struct { int wide, transform, min; double lambda; } cases[] = {
        {0, LR_TRANSFORM_BINARY, 2, 0.5}, {0, LR_TRANSFORM_BINARY, 1, 3},
        {0, LR_TRANSFORM_LOG1P, 2, 2}, {0, LR_TRANSFORM_LOG1P, 3, 10},
        {1, LR_TRANSFORM_BINARY, 1, 0.5}, {1, LR_TRANSFORM_LOG1P, 1, 2},
        {1, LR_TRANSFORM_LOG1P, 2, 30},
    };
    for (size_t c = 0; c < TINY_N(cases); c++) {
        const lr_dataset *ds = cases[c].wide ? wide : tiny;
        lr_model *m = fit(ds, cases[c].transform, cases[c].lambda, cases[c].min);
        double X[NU][MAXA], B[MAXA][MAXA];
        int item[MAXA];
        int n = reference_x(ds, cases[c].transform, cases[c].min, X, item);
        reference_b(n, X, cases[c].lambda, B);
        ck_assert_int_eq(m->n_items, n);
        double err = 0, scale = 0;
        for (int i = 0; i < n; i++) {
            ck_assert_int_eq(m->items[i], item[i]);
            ck_assert_int_eq(m->item_pos[item[i]], i);
            for (int j = 0; j < n; j++) {
                err = fmax(err, fabs(m->item_w[i * n + j] - B[i][j]));
                scale = fmax(scale, fabs(B[i][j]));
            }
            /* An artist never predicts itself. */
            ck_assert(m->item_w[i * n + i] == 0.0f);
        }
        ck_assert_msg(err < 1e-5 * scale, "case %zu: B off the dense reference by %g (max %g)", c,
                      err, scale);
        lr_model_free(m);
    }
}
END_TEST

/* Scores are x_u B on the modelled artists, exactly 0 on the others. */
START_TEST(scores_and_unmodelled_artists)
{
    lr_model *m = fit(tiny, LR_TRANSFORM_LOG1P, 2, 3);
    double X[NU][MAXA], B[MAXA][MAXA];
    int item[MAXA];
    int n = reference_x(tiny, LR_TRANSFORM_LOG1P, 3, X, item);
    reference_b(n, X, 2, B);
    float s[NU * NA];
    ck_assert_lr_ok(lr__model_score_users(m, 0, NU, s));
    for (int u = 0; u < NU; u++) {
        double want[NA] = {0};
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                want[item[j]] += X[u][i] * B[i][j];
        for (int a = 0; a < NA; a++) {
            if (fans[a] < 3)
                ck_assert_msg(s[u * NA + a] == 0.0f, "user %d, artist %d below min_listeners: %g",
                              u, a, s[u * NA + a]);
            else
                ck_assert_msg(fabs(s[u * NA + a] - want[a]) < 1e-5, "user %d artist %d: %g, want %g",
                              u, a, s[u * NA + a], want[a]);
        }
    }
    /* A later block of users scores the same as within the whole. */
    float s2[2 * NA];
    ck_assert_lr_ok(lr__model_score_users(m, 5, 2, s2));
    ck_assert(memcmp(s2, s + 5 * NA, sizeof s2) == 0);
    for (int a = 0; a < NA; a++)
        ck_assert_int_eq(m->item_pos[a] >= 0, fans[a] >= 3);
    lr_model_free(m);
}
END_TEST

/* One history row: |X - XB|^2 and lambda |B|^2, as computed here. */
START_TEST(history_is_the_objective)
{
    const double lambda = 2;
    lr_model *m = fit(tiny, LR_TRANSFORM_BINARY, lambda, 2);
    double X[NU][MAXA], B[MAXA][MAXA];
    int item[MAXA];
    int n = reference_x(tiny, LR_TRANSFORM_BINARY, 2, X, item);
    reference_b(n, X, lambda, B);
    double data = 0, l2 = 0;
    for (int u = 0; u < NU; u++)
        for (int j = 0; j < n; j++) {
            double r = X[u][j];
            for (int i = 0; i < n; i++)
                r -= X[u][i] * B[i][j];
            data += r * r;
        }
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            l2 += B[i][j] * B[i][j];
    l2 *= lambda;
    double loss = 0, obs = 0, reg = 0, grav = 0;
    size_t rows = 0;
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, &loss, 1, &rows));
    ck_assert_uint_eq(rows, 1);
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_OBSERVED, &obs, 1, NULL));
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_L2, &reg, 1, NULL));
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_GRAVITY, &grav, 1, NULL));
    ck_assert_msg(fabs(obs - data) < 1e-4 * data, "data term %.9g, direct %.9g", obs, data);
    ck_assert_msg(fabs(reg - l2) < 1e-4 * l2, "L2 term %.9g, direct %.9g", reg, l2);
    ck_assert_msg(fabs(loss - (data + l2)) < 1e-4 * loss, "loss %.9g", loss);
    ck_assert(isnan(grav));
    lr_model_free(m);
}
END_TEST

START_TEST(defaults_and_no_embeddings)
{
    lr_model *m = fit(tiny, -1, -1, 0);
    double v = 0;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_TRANSFORM, &v));
    ck_assert_double_eq(v, LR_TRANSFORM_LOG1P);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_REGULARIZATION, &v));
    ck_assert_double_eq(v, 2500);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_MIN_LISTENERS, &v));
    ck_assert_double_eq(v, 2);
    ck_assert_int_eq(m->n_items, 6);
    const float *f = NULL;
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &f, NULL, NULL),
                      LR_E_UNSUPPORTED, "ease");
    lr_model_free(m);
}
END_TEST

/* An artist whose only listens count 0 has a zero column under log1p: with
 * lambda 0, X'X is singular and Cholesky stops, saying what to change. */
START_TEST(singular_says_raise_regularization)
{
    /* artist 5 (index 4): users 3 and 5 (indices 2 and 4) */
    static const int32_t fans5[] = {2, 4};
    for (int i = 0; i < 2; i++) {
        tiny->listens.val[lr__csr_find(&tiny->listens, fans5[i], 4)] = 0;
        tiny->by_artist.val[lr__csr_find(&tiny->by_artist, 4, fans5[i])] = 0;
    }
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_REGULARIZATION, 0));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, 1));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_EASE, o));
    lr_options_free(o);
    ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_NUMERIC, "raise regularization");
    ck_assert(!lr_model_is_fitted(m));
    lr_model_free(m);
    /* Any lambda > 0 makes it solvable. */
    m = fit(tiny, LR_TRANSFORM_LOG1P, 0.1, 1);
    lr_model_free(m);
}
END_TEST

START_TEST(bad_settings)
{
    lr_options *o;
    lr_model *m;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_BM25));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_EASE, o));
    ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_INVALID, "binary");
    lr_model_free(m);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_BINARY));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, 7));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_EASE, o));
    ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_INVALID, "lower min_listeners");
    ck_assert(!lr_model_is_fitted(m));
    lr_model_free(m);
    lr_options_free(o);
}
END_TEST

/* ------------------------------------------------------- synthetic data */

/* Precision@10 by the library's evaluation (docs/evaluation.md). */
static double precision_at_10(const lr_model *m, const lr_dataset *train, const lr_dataset *test)
{
    return mt_evaluate_at_10(m, train, test, LR_METRIC_PRECISION);
}

START_TEST(beats_popularity)
{
    lr_dataset *syn, *train, *test;
    mt_clustered_split(400, 800, 25, &syn, &train, &test);
    lr_model *pop, *ease = fit(train, -1, -1, 0);
    ck_assert_lr_ok(lr_model_new(&pop, LR_ALGO_POP, NULL));
    ck_assert_lr_ok(lr_model_fit(pop, train, NULL));
    double p_pop = precision_at_10(pop, train, test), p_ease = precision_at_10(ease, train, test);
    ck_assert_msg(p_ease > 1.5 * p_pop && p_ease > p_pop + 0.03,
                  "EASE P@10 %.4f is not clearly above popularity's %.4f", p_ease, p_pop);
    lr_model_free(pop);
    lr_model_free(ease);
    lr_dataset_free(syn);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ease");
    TCase *t = tcase_create("tiny");
    tcase_add_checked_fixture(t, tiny_setup, tiny_teardown);
    tcase_add_test(t, weights_equal_dense_reference);
    tcase_add_test(t, scores_and_unmodelled_artists);
    tcase_add_test(t, history_is_the_objective);
    tcase_add_test(t, defaults_and_no_embeddings);
    tcase_add_test(t, singular_says_raise_regularization);
    tcase_add_test(t, bad_settings);
    suite_add_tcase(s, t);
    t = tcase_create("synthetic");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, beats_popularity);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lr_test_run(suite()); }
