/* The softmax_sampled unit: softmax's sampled loss with the log-Q
 * correction (sampled_negatives).  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/softmax.h"

#include <math.h>
#include <string.h>

static lr_dataset *synth(const char *text)
{
    lr_options *o = mt_opts(text);
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

/* Users [u0, u0 + n) of x: the first half of each one's artists (at
 * least one) as input, the rest as labels, log1p weights.  The arrays are
 * the caller's, with room for every listen of those users. */
typedef struct halves {
    int64_t in_ptr[65], lab_ptr[65];
    int32_t *in_idx, *lab_idx;
    float *in_w, *lab_w;
    lr__softmax_batch b;
} halves;

static void halves_make(halves *h, const lr__csr *x, int32_t u0, int32_t n)
{
    ck_assert_int_le(n, 64);
    const size_t room = (size_t)(x->ptr[u0 + n] - x->ptr[u0]) + 1;
    h->in_idx = malloc(room * sizeof(int32_t));
    h->lab_idx = malloc(room * sizeof(int32_t));
    h->in_w = malloc(room * sizeof(float));
    h->lab_w = malloc(room * sizeof(float));
    int64_t ni = 0, nl = 0;
    h->in_ptr[0] = h->lab_ptr[0] = 0;
    for (int32_t i = 0; i < n; i++) {
        const int64_t p0 = x->ptr[u0 + i], cnt = x->ptr[u0 + i + 1] - p0;
        ck_assert_int_ge(cnt, 2);
        for (int64_t j = 0; j < cnt; j++) {
            const float wt = log1pf(x->val[p0 + j]);
            if (j < (cnt + 1) / 2) {
                h->in_idx[ni] = x->idx[p0 + j];
                h->in_w[ni++] = wt;
            } else {
                h->lab_idx[nl] = x->idx[p0 + j];
                h->lab_w[nl++] = wt;
            }
        }
        h->in_ptr[i + 1] = ni;
        h->lab_ptr[i + 1] = nl;
    }
    lr__softmax_batch b = {n, h->in_ptr, h->in_idx, h->in_w, h->lab_ptr, h->lab_idx, h->lab_w};
    h->b = b;
}

static void halves_free(halves *h)
{
    free(h->in_idx);
    free(h->lab_idx);
    free(h->in_w);
    free(h->lab_w);
}

/* A network with every parameter random, biases away from zero too. */
static void random_net(lr__softmax_net *net, const lr_dataset *ds, int32_t k, int32_t dt,
                       int32_t layers, int32_t width, double scale)
{
    ck_assert_lr_ok(
        lr__softmax_net_init(net, ds->n_artists, &ds->artist_tags, k, dt, layers, width, 1));
    lr__softmax_net_randomize(net, 3, scale);
    for (size_t i = 0; i < net->n_params; i++)
        if (!net->l2[i])
            net->theta[i] = 0.1f * (float)((int)(i % 7) - 3);
}

/* ------------------------------------------------------------ gradients */

/* For one fixed sample (drawn once from the fan-count proposal, so some
 * artists are drawn twice, some labels are not drawn, and most of the
 * catalogue is left out), the analytic gradient of every parameter block
 * matches central differences of the sampled loss. */
START_TEST(gradient_matches_finite_differences)
{
    lr_dataset *ds = synth("synth_users=20,synth_artists=40,synth_tags=12,synth_clusters=3,"
                           "synth_artists_per_user=8,seed=5");
    lr__softmax_net net;
    random_net(&net, ds, 5, 3, 2, 6, 0.5);
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 3, 1));
    halves h;
    halves_make(&h, &ds->listens, 0, 3);
    lr__softmax_sampler s;
    ck_assert_lr_ok(lr__softmax_sampler_init(&s, 12, net.m, &ds->listens, 42));
    ck_assert_int_eq(s.n, 12);
    ck_assert_lr_ok(lr__softmax_sample_draw(&s, &h.b));
    int drawn = 0;
    for (int32_t c = 0; c < s.n_cand; c++)
        drawn += s.cnt[c] > 0;
    ck_assert_msg(drawn < net.m / 2 && s.n_cand < net.m, "%d drawn, %d candidates", drawn,
                  s.n_cand);

    const double reg = 0.05;
    float *g = malloc(net.n_params * sizeof *g), *scratch = malloc(net.n_params * sizeof *g);
    double loss;
    ck_assert_lr_ok(lr__softmax_sampled_loss_grad(&net, &w, &s, &h.b, reg, g, &loss, NULL, NULL));
    ck_assert(isfinite(loss) && loss > 0);
    const float step = 3e-3f;
    size_t bad = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        const float t0 = net.theta[i];
        double lp, lm;
        net.theta[i] = t0 + step;
        ck_assert_lr_ok(
            lr__softmax_sampled_loss_grad(&net, &w, &s, &h.b, reg, scratch, &lp, NULL, NULL));
        net.theta[i] = t0 - step;
        ck_assert_lr_ok(
            lr__softmax_sampled_loss_grad(&net, &w, &s, &h.b, reg, scratch, &lm, NULL, NULL));
        net.theta[i] = t0;
        const double fd = (lp - lm) / (2.0 * (double)step);
        if (fabs(fd - g[i]) > 2e-3 + 0.02 * fabs(fd) && bad++ < 10)
            printf("parameter %zu: analytic %.6g, finite difference %.6g\n", i, g[i], fd);
    }
    ck_assert_msg(bad == 0, "%zu of %zu gradients differ from finite differences", bad,
                  net.n_params);
    const size_t starts[] = {net.off_e, net.off_t, net.off_w[0], net.off_b[0], net.off_w[1],
                             net.off_b[1], net.off_w[2], net.off_b[2], net.off_v, net.off_q};
    const size_t nb = sizeof starts / sizeof starts[0];
    for (size_t q = 0; q < nb; q++) {
        const size_t end = q + 1 < nb ? starts[q + 1] : net.n_params;
        int any = 0;
        for (size_t i = starts[q]; i < end; i++)
            any |= fabs(g[i]) > 1e-5;
        ck_assert_msg(any, "block %zu has an all-zero gradient", q);
    }
    /* only the candidates' V rows learn from the logits; the others have
     * L2's pull alone */
    for (int32_t a = 0; a < net.m; a++) {
        if (s.pos[a] >= 0)
            continue;
        for (int32_t j = 0; j < net.k; j++) {
            const size_t i = net.off_v + (size_t)a * (size_t)net.k + (size_t)j;
            ck_assert_msg(fabs(g[i] - reg * net.theta[i]) < 1e-6,
                          "artist %d is no candidate but its V row moved", a);
        }
    }
    free(g);
    free(scratch);
    lr__softmax_sampler_free(&s);
    halves_free(&h);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);
}
END_TEST

/* A "sample" of every artist once under a uniform proposal corrects every
 * logit by log(1 / (m / m)) = 0: the sampled loss is the full softmax's,
 * and so is the gradient, block by block (which keeps the sampled pass's
 * own copy of the tower's backward pass in step with softmax.c's).  Loop
 * 1: with the skip path and the input artists out of the softmax, both
 * ways alike. */
START_TEST(whole_catalogue_is_the_full_softmax)
{
    lr_dataset *ds = synth("synth_users=30,synth_artists=50,synth_tags=12,synth_clusters=3,"
                           "synth_artists_per_user=10,seed=8");
    lr__softmax_net net;
    random_net(&net, ds, 6, 3, 2, 7, 0.5);
    /* one artist without listens keeps V = 0, as in a fit */
    net.cold = calloc((size_t)net.m, 1);
    net.cold[net.m - 1] = 1;
    memset(net.theta + net.off_v + (size_t)(net.m - 1) * 6, 0, 6 * sizeof(float));
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 4, 2));
    net.skip = _i;
    w.mask_input = _i;
    halves h;
    halves_make(&h, &ds->listens, 3, 4);
    lr__softmax_sampler s;
    ck_assert_lr_ok(lr__softmax_sampler_init(&s, 1, net.m, NULL, 1));
    int32_t *all = malloc((size_t)net.m * sizeof *all);
    for (int32_t a = 0; a < net.m; a++)
        all[a] = a;
    ck_assert_lr_ok(lr__softmax_sample_set(&s, &h.b, all, net.m));
    ck_assert_int_eq(s.n_cand, net.m);

    float *gs = malloc(net.n_params * sizeof *gs), *gf = malloc(net.n_params * sizeof *gf);
    double ls, lf, ces, cef, l2s, l2f;
    ck_assert_lr_ok(lr__softmax_sampled_loss_grad(&net, &w, &s, &h.b, 0.01, gs, &ls, &ces, &l2s));
    ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &h.b, 0.01, gf, &lf, &cef, &l2f));
    ck_assert_msg(fabs(ls - lf) < 1e-5 * fabs(lf), "sampled %.9g, full %.9g", ls, lf);
    ck_assert_msg(fabs(ces - cef) < 1e-5 * fabs(cef), "ce sampled %.9g, full %.9g", ces, cef);
    ck_assert(l2s == l2f);
    double gmax = 0;
    for (size_t i = 0; i < net.n_params; i++)
        gmax = fabs(gf[i]) > gmax ? fabs(gf[i]) : gmax;
    ck_assert(gmax > 0);
    for (size_t i = 0; i < net.n_params; i++)
        ck_assert_msg(fabs(gs[i] - gf[i]) <= 1e-5 * gmax + 1e-4 * fabs(gf[i]),
                      "parameter %zu: sampled %.9g, full %.9g", i, gs[i], gf[i]);
    free(all);
    free(gs);
    free(gf);
    lr__softmax_sampler_free(&s);
    halves_free(&h);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);
}
END_TEST

/* The cross-entropy of the sampled loss, averaged over `draws` samples,
 * against the full one: how far off, relatively. */
static double sampled_gap(const lr__softmax_net *net, lr__softmax_work *w, const lr__csr *x,
                          const lr__softmax_batch *b, int64_t n, int draws, double full)
{
    lr__softmax_sampler s;
    ck_assert_lr_ok(lr__softmax_sampler_init(&s, n, net->m, x, 11));
    ck_assert_int_eq(s.n, n);
    float *g = malloc(net->n_params * sizeof *g);
    double sum = 0;
    for (int d = 0; d < draws; d++) {
        double loss, ce;
        ck_assert_lr_ok(lr__softmax_sample_draw(&s, b));
        ck_assert_lr_ok(lr__softmax_sampled_loss_grad(net, w, &s, b, 0, g, &loss, &ce, NULL));
        sum += ce;
    }
    free(g);
    lr__softmax_sampler_free(&s);
    return fabs(sum / draws - full) / full;
}

/* With more draws the sampled loss approaches the full softmax's: within
 * 2% with a tenth of the catalogue drawn, closer with as many draws as
 * artists.  Without the log-Q correction the tenth's estimate of Z would
 * be about m / n times too small (a 27% gap here). */
START_TEST(approaches_the_full_loss)
{
    lr_dataset *ds = synth("synth_users=200,synth_artists=3000,synth_tags=40,synth_clusters=6,"
                           "synth_artists_per_user=20,seed=4");
    lr__softmax_net net;
    random_net(&net, ds, 16, 4, 1, 16, 0.5);
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 32, 1));
    halves h;
    halves_make(&h, &ds->listens, 0, 32);
    float *g = malloc(net.n_params * sizeof *g);
    double lf, cef;
    ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &h.b, 0, g, &lf, &cef, NULL));
    free(g);
    const double tenth = sampled_gap(&net, &w, &ds->listens, &h.b, net.m / 10, 8, cef);
    const double most = sampled_gap(&net, &w, &ds->listens, &h.b, net.m - 1, 8, cef);
    printf("full CE %.5f; sampled, relative gap: %d draws %.5f, %d draws %.5f\n", cef,
           net.m / 10, tenth, net.m - 1, most);
    ck_assert_msg(tenth < 0.02, "gap %.5f with %d draws", tenth, net.m / 10);
    ck_assert_msg(most < 0.005, "gap %.5f with %d draws", most, net.m - 1);
    ck_assert_msg(most < tenth, "gap %.5f with %d draws, %.5f with %d", most, net.m - 1, tenth,
                  net.m / 10);
    halves_free(&h);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);
}
END_TEST

/* ------------------------------------------------------------- learning */

/* Clustered tastes, 800 artists and 80 draws per batch: the sampled
 * model ranks held-out artists clearly better than popularity. */
START_TEST(beats_popularity)
{
    lr_dataset *all, *train, *test;
    mt_clustered_split(400, 800, 30, &all, &train, &test);
    lr_model *m = mt_fit(LR_ALGO_SOFTMAX, train,
                         "epochs=30,threads=2,hidden_width=64,tag_dim=8,factors=32,"
                         "sampled_negatives=80");
    double v;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_SAMPLED_NEGATIVES, &v));
    ck_assert_int_eq((int)v, 80);
    const double p = mt_precision_at_10(m, train, test), pop = mt_pop_precision(train, test);
    printf("sampled softmax P@10 %.4f, popularity %.4f\n", p, pop);
    ck_assert_msg(p > 1.5 * pop && p > pop + 0.03, "sampled %.4f vs popularity %.4f", p, pop);
    lr_model_free(m);
    lr_dataset_free(all);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* The same seed gives the same sampled model bit for bit on one thread
 * and on two; it is not the full softmax's model. */
START_TEST(same_seed_same_model)
{
    lr_dataset *train, *test;
    mt_synth_split(7, &train, &test);
    const char *opts = "epochs=3,factors=16,hidden_width=24,tag_dim=4,batch_size=50";
    char text[256];
    lr_model *ms[3];
    for (int i = 0; i < 3; i++) {
        snprintf(text, sizeof text, "%s,threads=%d,sampled_negatives=%d", opts, i == 1 ? 2 : 1,
                 i == 2 ? 0 : 60);
        ms[i] = mt_fit(LR_ALGO_SOFTMAX, train, text);
    }
    mt_assert_same_factors(ms[0], ms[1]);
    const size_t na = (size_t)ms[0]->n_artists * 16;
    ck_assert(memcmp(ms[0]->artist_f, ms[2]->artist_f, na * sizeof(float)) != 0);
    for (int i = 0; i < 3; i++)
        lr_model_free(ms[i]);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* ------------------------------------------------------------- options */

START_TEST(option_and_resolution)
{
    double v;
    ck_assert_lr_ok(lr_option_default(LR_ALGO_SOFTMAX, LR_OPT_SAMPLED_NEGATIVES, &v));
    ck_assert_int_eq((int)v, -1);
    /* -1: full up to 200,000 artists, sampled above */
    ck_assert_int_eq(lr__softmax_sampled_draws(-1, 17632), 0);
    ck_assert_int_eq(lr__softmax_sampled_draws(-1, 200000), 0);
    ck_assert_int_eq(lr__softmax_sampled_draws(-1, 200001), LR__SOFTMAX_SAMPLED_AUTO);
    /* 0: full; as many draws as artists or more: full (exact and no dearer) */
    ck_assert_int_eq(lr__softmax_sampled_draws(0, 500000), 0);
    ck_assert_int_eq(lr__softmax_sampled_draws(100, 101), 100);
    ck_assert_int_eq(lr__softmax_sampled_draws(101, 101), 0);
    lr__softmax_sampler s;
    ck_assert_lr_ok(lr__softmax_sampler_init(&s, -1, 1000, NULL, 1));
    ck_assert_int_eq(s.n, 0);
    ck_assert_ptr_null(s.q);
    lr__softmax_sampler_free(&s);
}
END_TEST

START_TEST(bad_values_named)
{
    lr_options *o = mt_opts(NULL);
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_SAMPLED_NEGATIVES, -2), LR_E_INVALID,
                      "sampled_negatives");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_SAMPLED_NEGATIVES, 20000000), LR_E_INVALID,
                      "sampled_negatives");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_SAMPLED_NEGATIVES, 10.5), LR_E_INVALID,
                      "sampled_negatives");
    ck_assert_lr_fail(lr_options_set_string(o, "sampled_negatives=2.5"), LR_E_INVALID,
                      "sampled_negatives");
    ck_assert_lr_fail(lr_options_set_string(o, "sampled_negatives=-7"), LR_E_INVALID,
                      "sampled_negatives");
    ck_assert_lr_ok(lr_options_set_string(o, "sampled_negatives=-1"));
    int64_t n;
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SAMPLED_NEGATIVES, &n));
    ck_assert_int_eq(n, -1);
    lr_options_free(o);
    /* a sample needs draws inside the catalogue */
    lr__softmax_sampler s;
    ck_assert_lr_ok(lr__softmax_sampler_init(&s, 3, 10, NULL, 1));
    int64_t lp[2] = {0, 1};
    int32_t li[1] = {2};
    float lw[1] = {1};
    lr__softmax_batch b = {1, lp, li, lw, lp, li, lw};
    const int32_t outside[2] = {1, 10};
    ck_assert_lr_fail(lr__softmax_sample_set(&s, &b, outside, 2), LR_E_INVALID, "artist 10");
    lr__softmax_sampler_free(&s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("softmax_sampled");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, gradient_matches_finite_differences);
    tcase_add_loop_test(t, whole_catalogue_is_the_full_softmax, 0, 2);
    tcase_add_test(t, approaches_the_full_loss);
    tcase_add_test(t, beats_popularity);
    tcase_add_test(t, same_seed_same_model);
    tcase_add_test(t, option_and_resolution);
    tcase_add_test(t, bad_values_named);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    lr__opt_threads_uncap(1); /* 2 threads mean 2 workers on any machine */
    return lr_test_run(suite());
}
