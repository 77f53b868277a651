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

/* The sampler of a block on several threads: every draw is an artist of
 * the shard (here a scattered half of the catalogue, as a shuffle makes)
 * that the user has not listened to, the draws cover those artists
 * evenly, and a user who listened to the whole shard gets -1. */
START_TEST(shard_negatives_stay_in_shard)
{
    const lr__csr *x = &syn_train->listens;
    lr__rng r;
    lr__rng_seed(&r, 5);
    int32_t *shard = malloc((size_t)x->cols * sizeof *shard);
    char *in = calloc((size_t)x->cols, 1);
    int32_t count = 0;
    for (int32_t a = x->cols - 1; a >= 0; a -= 2) {
        shard[count++] = a;
        in[a] = 1;
    }
    int32_t *hist = calloc((size_t)x->cols, sizeof *hist);
    for (int32_t u = 0; u < x->rows; u++) {
        const int draws = u < 2 ? 30000 : 100;
        memset(hist, 0, (size_t)x->cols * sizeof *hist);
        for (int d = 0; d < draws; d++) {
            int32_t j = lr__bpr_draw_negative_in(x, &r, u, shard, count);
            ck_assert_int_ge(j, 0);
            ck_assert_int_lt(j, x->cols);
            ck_assert_msg(in[j], "user %d: drew artist %d from outside the shard", u, j);
            ck_assert_msg(lr__csr_find(x, u, j) < 0, "user %d: drew listened artist %d", u, j);
            hist[j]++;
        }
        if (u >= 2)
            continue;
        int64_t listened_in = 0;
        for (int32_t q = 0; q < count; q++)
            listened_in += lr__csr_find(x, u, shard[q]) >= 0;
        const double expect = (double)draws / (double)(count - listened_in);
        for (int32_t q = 0; q < count; q++) {
            if (lr__csr_find(x, u, shard[q]) >= 0)
                continue;
            ck_assert_msg(hist[shard[q]] > 0.5 * expect && hist[shard[q]] < 1.6 * expect,
                          "user %d artist %d drawn %d times, expected about %.0f", u, shard[q],
                          hist[shard[q]], expect);
        }
    }
    /* a shard of only the artists user 0 listened to has no negative */
    const int32_t *row;
    const int64_t n0 = lr__csr_row(x, 0, &row, NULL);
    ck_assert_int_gt(n0, 0);
    ck_assert_int_eq(lr__bpr_draw_negative_in(x, &r, 0, row, (int32_t)n0), -1);
    free(hist);
    free(in);
    free(shard);
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

/* Adagrad, several negatives, and the blocked schedule of several threads
 * (with SGD and with Adagrad) all learn too. */
START_TEST(variants_learn)
{
    static const char *const runs[] = {
        "optimizer=2,learning_rate=0.1",
        "negatives=3",
        "threads=2",
        "threads=3",
        "threads=2,optimizer=2,learning_rate=0.1",
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

static void assert_same_model(const lr_model *a, const lr_model *b, const char *what)
{
    const size_t nu = (size_t)a->n_users * (size_t)a->k, na = (size_t)a->n_artists * (size_t)a->k;
    ck_assert_msg(memcmp(a->user_f, b->user_f, nu * sizeof(float)) == 0, "%s: user factors", what);
    ck_assert_msg(memcmp(a->artist_f, b->artist_f, na * sizeof(float)) == 0, "%s: artist factors",
                  what);
    ck_assert_int_eq(a->artist_bias != NULL, b->artist_bias != NULL);
    if (a->artist_bias)
        ck_assert_msg(memcmp(a->artist_bias, b->artist_bias,
                             (size_t)a->n_artists * sizeof(float)) == 0,
                      "%s: artist biases", what);
    /* every history field but the wall-clock seconds */
    static const int fields[] = {LR_HISTORY_LOSS, LR_HISTORY_LOSS_OBSERVED, LR_HISTORY_LOSS_L2};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        size_t n, n2;
        double *ha = mt_history(a, fields[f], &n), *hb = mt_history(b, fields[f], &n2);
        ck_assert_uint_eq(n, n2);
        ck_assert_msg(memcmp(ha, hb, n * sizeof *ha) == 0, "%s: history field %d", what, fields[f]);
        free(ha);
        free(hb);
    }
}

/* Several threads: the same seed and thread count give a bit-identical
 * model (factors, biases, history) whatever the thread timing; another seed
 * another model. */
START_TEST(threads_deterministic)
{
    static const char *const runs[] = {
        "threads=2",
        "threads=3",
        "threads=2,optimizer=2,learning_rate=0.1",
        "threads=2,negatives=2,item_bias=0",
    };
    char text[128];
    snprintf(text, sizeof text, "factors=16,epochs=5,%s", runs[_i]);
    lr_model *a = fit(syn_train, text), *b = fit(syn_train, text);
    assert_same_model(a, b, runs[_i]);
    snprintf(text, sizeof text, "factors=16,epochs=5,seed=43,%s", runs[_i]);
    lr_model *c = fit(syn_train, text);
    ck_assert(memcmp(a->artist_f, c->artist_f,
                     (size_t)a->n_artists * (size_t)a->k * sizeof(float)) != 0);
    lr_model_free(a);
    lr_model_free(b);
    lr_model_free(c);
}
END_TEST

/* Two threads learn from the start as one does: the first epoch's loss is
 * near log 2 and it falls as far; the model ranks far above popularity. */
START_TEST(two_threads_loss_falls)
{
    lr_model *m = fit(syn_train, "factors=32,epochs=30,threads=2");
    size_t n;
    double *obs = mt_history(m, LR_HISTORY_LOSS_OBSERVED, &n);
    ck_assert_uint_eq(n, 30);
    ck_assert_msg(fabs(obs[0] - log(2.0)) < 0.1, "first epoch's loss %g, not near log 2", obs[0]);
    ck_assert_msg(obs[n - 1] < 0.6 * obs[0], "BPR loss %g -> %g", obs[0], obs[n - 1]);
    double p = mt_precision_at_10(m, syn_train, syn_test), pop = pop_precision();
    ck_assert_msg(p > 2 * pop, "bpr P@10 %.4f vs popularity %.4f", p, pop);
    free(obs);
    lr_model_free(m);
}
END_TEST

/* More threads than users or artists (4 users with listens, 2 without, 9
 * artists): the shards are capped, blocks may be empty and a user may have
 * listened to a whole artist shard; the fit still finishes, finite and
 * deterministic. */
START_TEST(more_threads_than_rows)
{
    static const int32_t users[] = {1, 2, 3, 4, 5, 6};
    lr_dataset *w = mt_wide_with(users, 6);
    lr_model *a = fit(w, "factors=4,epochs=20,threads=64"),
             *b = fit(w, "factors=4,epochs=20,threads=64");
    assert_same_model(a, b, "threads=64");
    size_t n;
    double *loss = mt_history(a, LR_HISTORY_LOSS, &n);
    ck_assert_uint_eq(n, 20);
    for (size_t e = 0; e < n; e++)
        ck_assert(isfinite(loss[e]) && loss[e] > 0);
    free(loss);
    lr_model_free(a);
    lr_model_free(b);
    lr_dataset_free(w);
}
END_TEST

static int stop_at_2(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)stage;
    (void)total;
    (void)user_data;
    return done >= 2;
}

/* Cancelled after two epochs, on two threads (whose helper is then
 * stopped) and on one: no model. */
START_TEST(cancel_leaves_unfitted)
{
    lr_options *o = mt_opts(_i ? "factors=8,epochs=50,threads=1" : "factors=8,epochs=50,threads=2");
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

/* Steps so large the factors overflow: LR_E_NUMERIC saying what to change,
 * on one thread and on two (whose helper thread is then stopped). */
START_TEST(overflow_numeric_with_advice)
{
    mt_fit_fails(LR_ALGO_BPR, syn_train, "factors=8,epochs=50,learning_rate=1e6,threads=1",
                 LR_E_NUMERIC, "lower learning_rate");
    mt_fit_fails(LR_ALGO_BPR, syn_train, "factors=8,epochs=50,learning_rate=1e6,threads=2",
                 LR_E_NUMERIC, "lower learning_rate");
    /* Adam's moments need every parameter updated every step */
    mt_fit_fails(LR_ALGO_BPR, syn_train, "optimizer=adam", LR_E_INVALID, "adam is softmax's");
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

/* ------------------------------------------------------------- real data */

/* The dev split (LASTREC_DATA, LASTREC_SPLIT) with the defaults: one thread
 * gives the published NDCG@10 (docs/models.md), and two threads, whose
 * blocked schedule draws differently, do at least as well. */
START_TEST(real_data_threads)
{
    lr_dataset *cat, *train, *test;
    ck_assert_msg(mt_real_split(&cat, &train, &test), "LASTREC_DATA / LASTREC_SPLIT unset");
    double ndcg[2];
    for (int t = 1; t <= 2; t++) {
        char text[32];
        snprintf(text, sizeof text, "threads=%d", t);
        lr_model *m = fit(train, text);
        ndcg[t - 1] = mt_evaluate_at_10(m, train, test, LR_METRIC_NDCG);
        lr_model_free(m);
    }
    printf("dev split NDCG@10: bpr threads=1 %.4f, threads=2 %.4f\n", ndcg[0], ndcg[1]);
    ck_assert_msg(fabs(ndcg[0] - 0.1847) < 0.00005, "threads=1 NDCG@10 %.5f, not 0.1847", ndcg[0]);
    ck_assert_msg(ndcg[1] >= 0.1847, "threads=2 NDCG@10 %.4f below 0.1847", ndcg[1]);
    lr_dataset_free(cat);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("bpr");
    TCase *t = tcase_create("bpr");
    tcase_add_checked_fixture(t, synth_setup, synth_teardown);
    tcase_add_test(t, negatives_never_positive);
    tcase_add_test(t, shard_negatives_stay_in_shard);
    tcase_add_test(t, sampler_edge_cases);
    tcase_add_test(t, loss_falls_and_beats_popularity);
    tcase_add_test(t, item_bias_on_off);
    tcase_add_loop_test(t, variants_learn, 0, 5);
    tcase_add_test(t, one_thread_deterministic);
    tcase_add_loop_test(t, threads_deterministic, 0, 4);
    tcase_add_test(t, two_threads_loss_falls);
    tcase_add_test(t, more_threads_than_rows);
    tcase_add_loop_test(t, cancel_leaves_unfitted, 0, 2);
    tcase_add_test(t, overflow_numeric_with_advice);
    tcase_add_test(t, options);
    tcase_add_test(t, validation_history);
    suite_add_tcase(s, t);
    const char *dir = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    if (dir && *dir && split && *split) {
        t = tcase_create("real_data");
        tcase_set_timeout(t, 300);
        tcase_add_test(t, real_data_threads);
        suite_add_tcase(s, t);
    } else {
        printf("real_data: skipped (LASTREC_DATA and LASTREC_SPLIT are not both set)\n");
    }
    return s;
}

int main(void)
{
    lr__opt_threads_uncap(1); /* 3 threads mean 3 workers on 2 cores too */
    return lr_test_run(suite());
}
