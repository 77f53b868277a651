/* The bpr unit: Bayesian personalised ranking with sampled negatives.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "core/rng.h"
#include "data/sparse.h"
#include "model/bpr.h"

#include <math.h>

static lr_model *fit(const lr_dataset *train, const char *text)
{
    return mt_fit(LR_ALGO_BPR, train, text);
}

static lr_dataset *syn_train, *syn_test;

static void synth_setup(void) { mt_synth_split(11, &syn_train, &syn_test); }

static void synth_teardown(void)
{
    lr_dataset_free(syn_train);
    lr_dataset_free(syn_test);
    syn_train = syn_test = NULL;
}

static double pop_precision(void) { return mt_pop_precision(syn_train, syn_test); }

/* ------------------------------------------------------------ sampler */

/* Every draw is an artist the user has not listened to, and the draws
 * cover those artists evenly. */
START_TEST(negatives_never_positive)
{
    const lr__csr *x = &syn_train->listens;
    lr__rng r;
    lr__rng_seed(&r, 3);
    int32_t *hist = calloc((size_t)x->cols, sizeof *hist);
    for (int32_t u = 0; u < x->rows; u++) {
        const int draws = u < 3 ? 60000 : 200;
        memset(hist, 0, (size_t)x->cols * sizeof *hist);
        for (int d = 0; d < draws; d++) {
            int32_t j = lr__bpr_draw_negative(x, &r, u);
            ck_assert_int_ge(j, 0);
            ck_assert_int_lt(j, x->cols);
            ck_assert_msg(lr__csr_find(x, u, j) < 0, "user %d: drew listened artist %d", u, j);
            hist[j]++;
        }
        if (u >= 3)
            continue;
        /* 60000 draws over ~590 artists: about 100 each; a uniform
         * sampler stays well within [50, 160] for every one */
        const int64_t free_artists = x->cols - (x->ptr[u + 1] - x->ptr[u]);
        const double expect = (double)draws / (double)free_artists;
        for (int32_t a = 0; a < x->cols; a++) {
            if (lr__csr_find(x, u, a) >= 0)
                continue;
            ck_assert_msg(hist[a] > 0.5 * expect && hist[a] < 1.6 * expect,
                          "user %d artist %d drawn %d times, expected about %.0f", u, a, hist[a],
                          expect);
        }
    }
    free(hist);
}
END_TEST

/* A user with one unlistened artist always gets it; a user who listened to
 * everything gets -1 (and the fit skips such pairs instead of looping). */
START_TEST(sampler_edge_cases)
{
    static const lr__triplet t[] = {{0, 0, 1}, {0, 1, 1}, {0, 3, 1}, {1, 0, 1}, {1, 1, 1},
                                    {1, 2, 1}, {1, 3, 1}, {2, 2, 5}};
    lr__csr x;
    ck_assert_lr_ok(lr__csr_from_triplets(&x, 3, 4, t, sizeof t / sizeof t[0], 1, NULL));
    lr__rng r;
    lr__rng_seed(&r, 1);
    for (int d = 0; d < 100; d++) {
        ck_assert_int_eq(lr__bpr_draw_negative(&x, &r, 0), 2);
        ck_assert_int_eq(lr__bpr_draw_negative(&x, &r, 1), -1);
        ck_assert_int_ne(lr__bpr_draw_negative(&x, &r, 2), 2);
    }
    lr__csr_free(&x);
}
END_TEST

/* -------------------------------------------------------------- fitting */

/* The loss falls from log 2 (random factors rank pairs at chance); the
 * history has its L2 part; the model ranks far above popularity. */
START_TEST(loss_falls_and_beats_popularity)
{
    lr_model *m = fit(syn_train, "factors=32,epochs=30,threads=1");
    size_t n;
    double *loss = mt_history(m, LR_HISTORY_LOSS, &n);
    double *obs = mt_history(m, LR_HISTORY_LOSS_OBSERVED, &n);
    double *l2 = mt_history(m, LR_HISTORY_LOSS_L2, &n);
    ck_assert_uint_eq(n, 30);
    ck_assert_msg(fabs(obs[0] - log(2.0)) < 0.1, "first epoch's BPR loss %g, not near log 2", obs[0]);
    ck_assert_msg(obs[n - 1] < 0.6 * obs[0], "BPR loss %g -> %g", obs[0], obs[n - 1]);
    for (size_t e = 0; e < n; e++) {
        ck_assert(l2[e] > 0);
        ck_assert_double_eq_tol(loss[e], obs[e] + l2[e], 1e-12 * loss[e]);
    }
    double p = mt_precision_at_10(m, syn_train, syn_test), pop = pop_precision();
    ck_assert_msg(p > 2 * pop, "bpr P@10 %.4f vs popularity %.4f", p, pop);
    free(loss);
    free(obs);
    free(l2);
    lr_model_free(m);
}
END_TEST

/* With item bias the model has one bias per artist and the scores include
 * it; without, none.  Both learn. */
START_TEST(item_bias_on_off)
{
    const double pop = pop_precision();
    for (int bias = 0; bias <= 1; bias++) {
        char text[96];
        snprintf(text, sizeof text, "factors=16,epochs=30,threads=1,item_bias=%d", bias);
        lr_model *m = fit(syn_train, text);
        ck_assert_int_eq(m->artist_bias != NULL, bias);
        float *s = malloc((size_t)m->n_artists * sizeof *s);
        ck_assert_lr_ok(lr__model_score_users(m, 0, 1, s));
        for (int32_t a = 0; a < m->n_artists; a += 37) {
            float want = 0;
            for (int32_t f = 0; f < m->k; f++)
                want += m->user_f[f] * m->artist_f[(size_t)a * (size_t)m->k + (size_t)f];
            if (bias)
                want += m->artist_bias[a];
            ck_assert_float_eq_tol(s[a], want, 1e-4f * (1 + fabsf(want)));
        }
        free(s);
        double p = mt_precision_at_10(m, syn_train, syn_test);
        ck_assert_msg(p > 2 * pop, "item_bias=%d: P@10 %.4f vs popularity %.4f", bias, p, pop);
        lr_model_free(m);
    }
}
END_TEST

/* Adagrad, several negatives, and lock-free threads all learn too. */
START_TEST(variants_learn)
{
    static const char *const runs[] = {
        "optimizer=2,learning_rate=0.1",
        "negatives=3",
        "threads=2",
    };
    char text[128];
    snprintf(text, sizeof text, "factors=16,epochs=30,%s", runs[_i]);
    lr_model *m = fit(syn_train, text);
    size_t n;
    double *obs = mt_history(m, LR_HISTORY_LOSS_OBSERVED, &n);
    ck_assert_msg(obs[n - 1] < 0.7 * obs[0], "%s: BPR loss %g -> %g", runs[_i], obs[0], obs[n - 1]);
    double p = mt_precision_at_10(m, syn_train, syn_test), pop = pop_precision();
    ck_assert_msg(p > 2 * pop, "%s: P@10 %.4f vs popularity %.4f", runs[_i], p, pop);
    free(obs);
    lr_model_free(m);
}
END_TEST

/* One thread: the same seed gives bit-identical factors and biases; another
 * seed another model. */
START_TEST(one_thread_deterministic)
{
    const char *base = "factors=16,epochs=5,threads=1";
    lr_model *a = fit(syn_train, base), *b = fit(syn_train, base);
    char text[96];
    snprintf(text, sizeof text, "%s,seed=43", base);
    lr_model *c = fit(syn_train, text);
    const size_t nu = (size_t)a->n_users * (size_t)a->k, na = (size_t)a->n_artists * (size_t)a->k;
    ck_assert(memcmp(a->user_f, b->user_f, nu * sizeof(float)) == 0);
    ck_assert(memcmp(a->artist_f, b->artist_f, na * sizeof(float)) == 0);
    ck_assert(memcmp(a->artist_bias, b->artist_bias, (size_t)a->n_artists * sizeof(float)) == 0);
    ck_assert(memcmp(a->artist_f, c->artist_f, na * sizeof(float)) != 0);
    lr_model_free(a);
    lr_model_free(b);
    lr_model_free(c);
}
END_TEST

static int stop_at_2(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)stage;
    (void)total;
    (void)user_data;
    return done >= 2;
}

START_TEST(cancel_leaves_unfitted)
{
    lr_options *o = mt_opts("factors=8,epochs=50");
    lr_options_set_progress(o, stop_at_2, NULL);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BPR, o));
    ck_assert_int_eq(lr_model_fit(m, syn_train, NULL), LR_E_CANCELLED);
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    const float *d;
    ck_assert_int_eq(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &d, NULL, NULL), LR_E_INVALID);
    lr_model_free(m);
    lr_options_free(o);
}
END_TEST

/* Steps so large the factors overflow: LR_E_NUMERIC saying what to change. */
START_TEST(overflow_numeric_with_advice)
{
    mt_fit_fails(LR_ALGO_BPR, syn_train, "factors=8,epochs=50,learning_rate=1e6,threads=1",
                 LR_E_NUMERIC, "lower learning_rate");
}
END_TEST

START_TEST(options)
{
    lr_model *m;
    double v;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BPR, NULL));
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_EPOCHS, &v));
    ck_assert_double_eq(v, 100);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_OPTIMIZER, &v));
    ck_assert_double_eq(v, LR_OPTIMIZER_SGD);
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_ITEM_BIAS, &v));
    ck_assert_double_eq(v, 1);
    lr_model_free(m);

    mt_fit_fails(LR_ALGO_BPR, syn_train, "init_scale=0", LR_E_INVALID, "init_scale");
}
END_TEST

/* With a validation set the history has the held-out NDCG of every epoch,
 * and it rises as bpr trains. */
START_TEST(validation_history)
{
    lr_options *o = mt_opts("factors=16,epochs=20,threads=1");
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BPR, o));
    ck_assert_lr_ok(lr_model_fit(m, syn_train, syn_test));
    size_t n;
    double *ndcg = mt_history(m, LR_HISTORY_VAL_NDCG, &n);
    ck_assert_uint_eq(n, 20);
    for (size_t e = 0; e < n; e++)
        ck_assert(ndcg[e] >= 0 && ndcg[e] <= 1);
    ck_assert_msg(ndcg[n - 1] > ndcg[0], "validation NDCG %g -> %g", ndcg[0], ndcg[n - 1]);
    free(ndcg);
    lr_model_free(m);
    lr_options_free(o);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("bpr");
    TCase *t = tcase_create("bpr");
    tcase_add_checked_fixture(t, synth_setup, synth_teardown);
    tcase_add_test(t, negatives_never_positive);
    tcase_add_test(t, sampler_edge_cases);
    tcase_add_test(t, loss_falls_and_beats_popularity);
    tcase_add_test(t, item_bias_on_off);
    tcase_add_loop_test(t, variants_learn, 0, 3);
    tcase_add_test(t, one_thread_deterministic);
    tcase_add_test(t, cancel_leaves_unfitted);
    tcase_add_test(t, overflow_numeric_with_advice);
    tcase_add_test(t, options);
    tcase_add_test(t, validation_history);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lr_test_run(suite()); }
