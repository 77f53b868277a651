/* The softmax unit: the two-tower model with tags.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/softmax.h"

#include <math.h>
#include <string.h>

/* A small synthetic dataset with tags. */
static lr_dataset *small_data(void)
{
    lr_options *o = mt_opts("synth_users=20,synth_artists=30,synth_tags=12,synth_clusters=3,"
                            "synth_artists_per_user=8,seed=5");
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

/* The arrays behind half_batch's batch, which points into them. */
typedef struct half_arrays {
    int64_t in_ptr[3], lab_ptr[3];
    int32_t in_idx[64], lab_idx[64];
    float in_w[64], lab_w[64];
} half_arrays;

/* A two-user batch of small_data's users 0 and 1: the first half of each
 * one's artists as input, the rest as labels, log1p weights, in h. */
static lr__softmax_batch half_batch(const lr_dataset *ds, half_arrays *h)
{
    const lr__csr *x = &ds->listens;
    int64_t *in_ptr = h->in_ptr, *lab_ptr = h->lab_ptr;
    int32_t *in_idx = h->in_idx, *lab_idx = h->lab_idx;
    float *in_w = h->in_w, *lab_w = h->lab_w;
    int64_t ni = 0, nl = 0;
    in_ptr[0] = lab_ptr[0] = 0;
    for (int32_t u = 0; u < 2; u++) {
        const int64_t p0 = x->ptr[u], cnt = x->ptr[u + 1] - p0;
        ck_assert_int_ge(cnt, 2);
        for (int64_t j = 0; j < cnt; j++) {
            const float wt = log1pf(x->val[p0 + j]);
            if (j < cnt / 2) {
                in_idx[ni] = x->idx[p0 + j];
                in_w[ni++] = wt;
            } else {
                lab_idx[nl] = x->idx[p0 + j];
                lab_w[nl++] = wt;
            }
        }
        in_ptr[u + 1] = ni;
        lab_ptr[u + 1] = nl;
    }
    lr__softmax_batch b = {2, in_ptr, in_idx, in_w, lab_ptr, lab_idx, lab_w};
    return b;
}

/* ------------------------------------------------------------ gradients */

/* Every parameter of every block (input artist and tag embeddings, each
 * hidden layer's weights and biases, the output layer's, the item
 * embeddings and the tag projection): the analytic gradient of a
 * two-user batch matches central differences of the loss.  Loop 0: the
 * plain tower and softmax; loop 1: with the skip path (tower_skip) and
 * the input artists left out of the softmax (mask_input). */
START_TEST(gradients_match_finite_differences)
{
    lr_dataset *ds = small_data();
    ck_assert_int_gt(ds->artist_tags.nnz, 0);
    lr__softmax_net net;
    ck_assert_lr_ok(lr__softmax_net_init(&net, ds->n_artists, &ds->artist_tags, 5, 3, 2, 6, 1));
    net.skip = _i;
    lr__softmax_net_randomize(&net, 3, 0.5);
    for (size_t i = 0; i < net.n_params; i++) /* biases away from zero too */
        if (!net.l2[i])
            net.theta[i] = 0.1f * (float)((int)(i % 7) - 3);
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 2, 1));
    w.mask_input = _i;

    half_arrays half;
    lr__softmax_batch b = half_batch(ds, &half);
    const double reg = 0.05;
    float *g = malloc(net.n_params * sizeof *g);
    double loss;
    ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, reg, g, &loss, NULL, NULL));
    ck_assert(isfinite(loss) && loss > 0);

    const float h = 3e-3f;
    float *scratch = malloc(net.n_params * sizeof *scratch);
    size_t bad = 0, nonzero = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        const float t0 = net.theta[i];
        double lp, lm;
        net.theta[i] = t0 + h;
        ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, reg, scratch, &lp, NULL, NULL));
        net.theta[i] = t0 - h;
        ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, reg, scratch, &lm, NULL, NULL));
        net.theta[i] = t0;
        const double fd = (lp - lm) / (2.0 * (double)h);
        nonzero += fabs(g[i]) > 1e-4;
        if (fabs(fd - g[i]) > 2e-3 + 0.02 * fabs(fd)) {
            if (bad++ < 10)
                printf("parameter %zu (w0 at %zu, v at %zu): analytic %.6g, finite difference "
                       "%.6g\n",
                       i, net.off_w[0], net.off_v, g[i], fd);
        }
    }
    ck_assert_msg(bad == 0, "%zu of %zu gradients differ from finite differences", bad,
                  net.n_params);
    /* every block was exercised */
    const size_t starts[] = {net.off_e, net.off_t, net.off_w[0], net.off_b[0], net.off_w[1],
                             net.off_b[1], net.off_w[2], net.off_b[2], net.off_v, net.off_q};
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
        const size_t end = s + 1 < sizeof starts / sizeof starts[0] ? starts[s + 1] : net.n_params;
        int any = 0;
        for (size_t i = starts[s]; i < end; i++)
            any |= fabs(g[i]) > 1e-5;
        ck_assert_msg(any, "block %zu has an all-zero gradient", s);
    }
    ck_assert_uint_gt(nonzero, net.n_params / 4);
    free(g);
    free(scratch);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);
}
END_TEST

/* mask_input: each user's cross-entropy is over the artists not in its
 * input (what the evaluation ranks), computed here in double from the
 * user vectors and item vectors; without the mask, over all of them. */
START_TEST(masked_softmax_leaves_out_the_input)
{
    lr_dataset *ds = small_data();
    lr__softmax_net net;
    ck_assert_lr_ok(lr__softmax_net_init(&net, ds->n_artists, &ds->artist_tags, 5, 3, 1, 6, 1));
    lr__softmax_net_randomize(&net, 9, 0.5);
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 2, 1));
    half_arrays half;
    lr__softmax_batch b = half_batch(ds, &half);
    float *g = malloc(net.n_params * sizeof *g);
    double got[2];
    for (int mask = 0; mask < 2; mask++) {
        w.mask_input = mask;
        ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, 0.0, g, &got[mask], NULL, NULL));
    }
    /* w.s and w.item are the last call's (the mask changes neither) */
    const int32_t M = net.m, K = net.k;
    double want[2] = {0, 0};
    for (int mask = 0; mask < 2; mask++)
        for (int32_t u = 0; u < 2; u++) {
            double z[64], zs = 0, Y = 0, ce = 0;
            ck_assert_int_le(M, 64);
            for (int32_t a = 0; a < M; a++) {
                z[a] = 0;
                for (int32_t d = 0; d < K; d++)
                    z[a] += (double)w.s[u * K + d] * (double)w.item[a * K + d];
            }
            for (int32_t a = 0; a < M; a++) {
                int in = 0;
                for (int64_t j = half.in_ptr[u]; j < half.in_ptr[u + 1]; j++)
                    in |= half.in_idx[j] == a;
                if (!(mask && in))
                    zs += exp(z[a]);
            }
            for (int64_t j = half.lab_ptr[u]; j < half.lab_ptr[u + 1]; j++)
                Y += half.lab_w[j];
            for (int64_t j = half.lab_ptr[u]; j < half.lab_ptr[u + 1]; j++)
                ce -= half.lab_w[j] / Y * (z[half.lab_idx[j]] - log(zs));
            want[mask] += ce / 2;
        }
    for (int mask = 0; mask < 2; mask++)
        ck_assert_msg(fabs(got[mask] - want[mask]) < 1e-4 * want[mask],
                      "mask %d: loss %.7g, by hand %.7g", mask, got[mask], want[mask]);
    /* leaving artists out of the sum can only raise the labels' share */
    ck_assert(got[1] < got[0]);
    free(g);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);
}
END_TEST

/* A network with the skip path, folded into hidden units (what the
 * model's tower keeps), gives the same user vectors with 1 and 2 hidden
 * layers, and is a plain tower 2k units wider. */
START_TEST(fold_skip_keeps_the_user_vectors)
{
    lr_dataset *ds = small_data();
    lr__softmax_net net;
    ck_assert_lr_ok(lr__softmax_net_init(&net, ds->n_artists, &ds->artist_tags, 5, 3, _i, 6, 1));
    net.skip = 1;
    lr__softmax_net_randomize(&net, 4, 0.5);
    for (size_t i = 0; i < net.n_params; i++)
        if (!net.l2[i])
            net.theta[i] = 0.1f * (float)((int)(i % 5) - 2);
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 2, 1));
    half_arrays half;
    lr__softmax_batch b = half_batch(ds, &half);
    ck_assert_lr_ok(lr__softmax_users(&net, &w, &b));
    float before[10], skipless[10];
    memcpy(before, w.s, sizeof before);
    /* the skip path matters: without it the vectors differ */
    net.skip = 0;
    ck_assert_lr_ok(lr__softmax_users(&net, &w, &b));
    memcpy(skipless, w.s, sizeof skipless);
    net.skip = 1;
    ck_assert(memcmp(before, skipless, sizeof before) != 0);

    ck_assert_lr_ok(lr__softmax_net_fold_skip(&net));
    ck_assert_int_eq(net.skip, 0);
    ck_assert_int_eq(net.width, 6 + 2 * 5);
    lr__softmax_work w2;
    ck_assert_lr_ok(lr__softmax_work_init(&w2, &net, 2, 1));
    ck_assert_lr_ok(lr__softmax_users(&net, &w2, &b));
    for (int i = 0; i < 10; i++)
        ck_assert_msg(fabsf(w2.s[i] - before[i]) <= 1e-5f * (1.0f + fabsf(before[i])),
                      "entry %d: %.7g folded, %.7g with the skip path", i, w2.s[i], before[i]);
    lr__softmax_work_free(&w2);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);
}
END_TEST

/* ------------------------------------------------------------- learning */

static const char quick[] = "epochs=30,threads=2,hidden_width=64,tag_dim=8,factors=32";

/* Clustered tastes: softmax ranks held-out artists clearly better than
 * popularity, and its training loss falls. */
START_TEST(beats_popularity)
{
    lr_dataset *all, *train, *test;
    mt_clustered_split(400, 800, 30, &all, &train, &test);
    lr_model *m = mt_fit(LR_ALGO_SOFTMAX, train, quick);
    const double p = mt_precision_at_10(m, train, test), pop = mt_pop_precision(train, test);
    printf("softmax P@10 %.4f, popularity %.4f\n", p, pop);
    ck_assert_msg(p > 1.5 * pop && p > pop + 0.03, "softmax %.4f vs popularity %.4f", p, pop);
    size_t n;
    double *loss = mt_history(m, LR_HISTORY_LOSS, &n);
    ck_assert_uint_eq(n, 30);
    ck_assert_msg(loss[n - 1] < loss[0], "loss %.4f -> %.4f", loss[0], loss[n - 1]);
    free(loss);
    lr_model_free(m);
    lr_dataset_free(all);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

static double cold_recall(const lr_model *m, const lr_dataset *train, const lr_dataset *test,
                          double *pairs)
{
    lr_evaluation *e;
    ck_assert_lr_ok(lr_evaluate(&e, m, train, test, 10, NULL));
    const double r = lr_evaluation_metric(e, LR_METRIC_COLD_RECALL);
    *pairs = lr_evaluation_metric(e, LR_METRIC_COLD_PAIRS);
    lr_evaluation_free(e);
    return r;
}

/* Artists nobody played in training but somebody tagged get vectors from
 * their tags alone.  Ranked by likelihood they rarely reach a top 10 (in
 * training they were never played); cold_boost moves them up by their
 * tags, so some held-out cold artists are found, and the rest of the
 * ranking stays clearly better than popularity. */
START_TEST(cold_boost_reaches_cold_artists)
{
    lr_dataset *all, *train, *test;
    mt_clustered_split(400, 1600, 20, &all, &train, &test);
    /* the boost alone, without the mixture (tests/model/test_cold_mix.c) */
    char text[128];
    snprintf(text, sizeof text, "%s,cold_mix=0", quick);
    lr_model *plain = mt_fit(LR_ALGO_SOFTMAX, train, text);
    snprintf(text, sizeof text, "%s,cold_mix=0,cold_boost=4", quick);
    lr_model *boosted = mt_fit(LR_ALGO_SOFTMAX, train, text);
    double pairs;
    const double r0 = cold_recall(plain, train, test, &pairs), r1 = cold_recall(boosted, train, test, &pairs);
    const double p1 = mt_precision_at_10(boosted, train, test), pop = mt_pop_precision(train, test);
    printf("cold pairs %.0f: ColdR@10 %.4f plain, %.4f boosted; P@10 boosted %.4f, pop %.4f\n",
           pairs, r0, r1, p1, pop);
    ck_assert_double_gt(pairs, 20);
    /* of the 132 cold pairs, plain ranking finds none (their artists were
     * only ever negatives) and the boost a few: most cold artists' tags
     * came from their own held-out listeners and were dropped */
    ck_assert_msg(r1 > 0.02 && r1 > r0 + 0.02, "ColdR@10 %.4f -> %.4f", r0, r1);
    ck_assert_msg(p1 > 1.5 * pop, "boosted P@10 %.4f vs popularity %.4f", p1, pop);
    /* only tagged artists without training listens carry the boost */
    ck_assert_ptr_null(plain->artist_bias);
    ck_assert_ptr_nonnull(boosted->artist_bias);
    char *listened = calloc((size_t)boosted->n_artists, 1);
    for (int64_t i = 0; i < boosted->train.nnz; i++)
        listened[boosted->train.idx[i]] = 1;
    int n_boosted = 0;
    for (int32_t a = 0; a < boosted->n_artists; a++) {
        const float b = boosted->artist_bias[a];
        ck_assert(b == 0.0f || (b == 4.0f && !listened[a]));
        n_boosted += b != 0.0f;
    }
    ck_assert_int_gt(n_boosted, 0);
    free(listened);
    lr_model_free(plain);
    lr_model_free(boosted);
    lr_dataset_free(all);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* ------------------------------------------------------------- leakage */

/* A user's held-out artist X that only that user's own tags could reach:
 * user 1 tagged three of its training artists and X with "Secret", a tag
 * nobody else uses, and nobody else plays or tags X.  Were the tag use on
 * (1, X) kept, X's profile and user 1's input would share "Secret".  The
 * split's training side drops it, so X has neither listens nor tags: its
 * vector is zero, and softmax ranks it below every artist of user 1's own
 * taste. */
START_TEST(own_tags_cannot_reach_a_held_out_artist)
{
    enum { NU = 40, NA = 21, X = 21, PER = 6 };
    int32_t users[NU], artists[NA];
    char names[NA][8];
    const char *anames[NA];
    for (int i = 0; i < NU; i++)
        users[i] = i + 1;
    for (int i = 0; i < NA; i++) {
        artists[i] = i + 1;
        snprintf(names[i], sizeof names[i], "a%d", i + 1);
        anames[i] = names[i];
    }
    static const int32_t tags[] = {100, 101, 102};
    static const char *const tnames[] = {"Rock", "Jazz", "Secret"};
    /* users 1-20 play 6 of artists 1-10, users 21-40 6 of artists 11-20 */
    tiny_listen l[NU * PER + 1];
    tiny_use uses[NU + 8];
    int nl = 0, nu = 0;
    char train_txt[8192] = "userID\tartistID\tweight\n";
    size_t at = strlen(train_txt);
    for (int u = 1; u <= NU; u++) {
        const int base = u <= 20 ? 1 : 11;
        for (int j = 0; j < PER; j++) {
            const int a = base + (u + j) % 10;
            l[nl++] = (tiny_listen){u, a, (float)(10 + j)};
            at += (size_t)snprintf(train_txt + at, sizeof train_txt - at, "%d\t%d\t%d\n", u, a,
                                   10 + j);
        }
        if (u > 1)
            uses[nu++] = (tiny_use){u, base + u % 10, u <= 20 ? 100 : 101, TINY_DAY(u)};
    }
    l[nl++] = (tiny_listen){1, X, 50};
    for (int a = 2; a <= 4; a++)
        uses[nu++] = (tiny_use){1, a, 102, TINY_DAY(1)};
    uses[nu++] = (tiny_use){1, X, 102, TINY_DAY(1)};
    tiny_spec spec = {users, NU, artists, anames, NA, tags, tnames, 3, l, nl, uses, nu, NULL, 0};
    lr_dataset *all = tiny_build(&spec);

    const char *dir = lr_test_tmpdir();
    char tr[512], te[512];
    snprintf(tr, sizeof tr, "%s", LR_TEST_WRITE_STR(dir, "train.dat", train_txt));
    snprintf(te, sizeof te, "%s",
             LR_TEST_WRITE_STR(dir, "test.dat", "userID\tartistID\tweight\n1\t21\t50\n"));
    lr_dataset *train, *test;
    ck_assert_lr_ok(lr_dataset_load_split(&train, &test, tr, te, all, NULL));
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), 1);

    lr_model *m = mt_fit(LR_ALGO_SOFTMAX, train,
                         "epochs=40,factors=8,hidden_width=16,tag_dim=4,batch_size=8,threads=1");
    float scores[NA];
    ck_assert_lr_ok(lr__model_score_users(m, 0, 1, scores)); /* user 1 */
    const float sx = scores[X - 1];
    int above = 0;
    for (int a = 1; a <= 10; a++) /* user 1's own taste, heard or not */
        above += scores[a - 1] > sx;
    printf("held-out X scores %.4f; %d of artists 1-10 above it\n", (double)sx, above);
    ck_assert_int_eq(above, 10);
    /* nothing reaches X: its vector is that of an artist with neither
     * listens nor tags (were the use kept, "Secret" would give it one,
     * and user 1's score of it was 0.39) */
    for (int32_t f = 0; f < m->k; f++)
        ck_assert(m->artist_f[(size_t)(X - 1) * (size_t)m->k + (size_t)f] == 0.0f);
    /* its logit is 0; the score above is the cold-artist mixture's, by
     * its name alone (tests/model/test_cold_mix.c) */
    ck_assert(lr__model_predict(m, 0, X - 1) == 0.0f);
    lr_model_free(m);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(all);
    lr_test_remove_dir(dir);
}
END_TEST

/* The same seed gives the same model bit for bit on one thread and on
 * two (every sum is in a fixed order whatever the threads); another seed
 * gives another. */
START_TEST(same_seed_same_model)
{
    lr_dataset *train, *test;
    mt_synth_split(7, &train, &test);
    const char *opts = "epochs=3,factors=16,hidden_width=24,tag_dim=4,batch_size=50";
    char text[256];
    lr_model *ms[3];
    for (int i = 0; i < 3; i++) {
        snprintf(text, sizeof text, "%s,threads=%d,seed=%d", opts, i == 1 ? 2 : 1,
                 i == 2 ? 8 : 42);
        ms[i] = mt_fit(LR_ALGO_SOFTMAX, train, text);
    }
    mt_assert_same_factors(ms[0], ms[1]);
    const size_t na = (size_t)ms[0]->n_artists * 16;
    ck_assert(memcmp(ms[0]->artist_f, ms[2]->artist_f, na * sizeof(float)) != 0);
    size_t n0, n1;
    double *h0 = mt_history(ms[0], LR_HISTORY_LOSS, &n0), *h1 = mt_history(ms[1], LR_HISTORY_LOSS, &n1);
    ck_assert_uint_eq(n0, n1);
    ck_assert(memcmp(h0, h1, n0 * sizeof *h0) == 0);
    free(h0);
    free(h1);
    for (int i = 0; i < 3; i++)
        lr_model_free(ms[i]);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* With a validation set, every epoch's history has validation NDCG. */
START_TEST(validation_history)
{
    lr_dataset *train, *test;
    mt_synth_split(3, &train, &test);
    lr_options *o = mt_opts("epochs=4,factors=16,hidden_width=16,tag_dim=4");
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_SOFTMAX, o));
    ck_assert_lr_ok(lr_model_fit(m, train, test));
    size_t n;
    double *ndcg = mt_history(m, LR_HISTORY_VAL_NDCG, &n);
    ck_assert_uint_eq(n, 4);
    for (size_t i = 0; i < n; i++)
        ck_assert(isfinite(ndcg[i]) && ndcg[i] >= 0 && ndcg[i] <= 1);
    free(ndcg);
    lr_model_free(m);
    lr_options_free(o);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* Until the tower is kept, a preference list folds in by bpr's least
 * squares (lib/query/query.c), which needs bpr's target: without it the
 * folded vector was zero and every score 0. */
START_TEST(preferences_fold_in)
{
    lr_dataset *train, *test;
    mt_synth_split(9, &train, &test);
    lr_model *m = mt_fit(LR_ALGO_SOFTMAX, train, "epochs=5,factors=16,hidden_width=16,tag_dim=4");
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    const lr__csr *x = &train->listens;
    for (int64_t p = x->ptr[0]; p < x->ptr[1]; p++)
        ck_assert_lr_ok(lr_query_add_preference(q, train->artist_ids[x->idx[p]], x->val[p]));
    size_t n = 0;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_gt(n, 0);
    int32_t id;
    double first, last;
    ck_assert_lr_ok(lr_query_result(q, 0, &id, &first));
    ck_assert_lr_ok(lr_query_result(q, n - 1, &id, &last));
    ck_assert_msg(isfinite(first) && first != 0 && first > last, "scores %g .. %g", first, last);
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* ------------------------------------------------------------- failures */

START_TEST(bad_options_named)
{
    lr_options *o = mt_opts(NULL);
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_HIDDEN_WIDTH, 0), LR_E_INVALID, "hidden_width");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_HIDDEN_LAYERS, 0), LR_E_INVALID,
                      "hidden_layers");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_TAG_DIM, 0), LR_E_INVALID, "tag_dim");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_FACTORS, 0), LR_E_INVALID, "factors");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_LEARNING_RATE, 0), LR_E_INVALID,
                      "learning_rate");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_LABEL_FRACTION, 0), LR_E_INVALID,
                      "label_fraction");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_LABEL_FRACTION, 1), LR_E_INVALID,
                      "label_fraction");
    ck_assert_lr_fail(lr_options_set_string(o, "hidden_width=0"), LR_E_INVALID, "hidden_width");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_AVERAGING, 1), LR_E_INVALID, "averaging");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_COLD_BOOST, -1), LR_E_INVALID,
                      "cold_boost");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_TOWER_SKIP, 2), LR_E_INVALID, "tower_skip");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_MASK_INPUT, -1), LR_E_INVALID, "mask_input");
    lr_options_free(o);
    /* the kept tower would be wider than a model file allows */
    lr_dataset *ds = small_data();
    mt_fit_fails(LR_ALGO_SOFTMAX, ds, "epochs=1,hidden_width=65536,factors=8", LR_E_INVALID,
                 "tower_skip");
    lr_dataset_free(ds);
    double v;
    ck_assert_lr_ok(lr_option_default(LR_ALGO_SOFTMAX, LR_OPT_OPTIMIZER, &v));
    ck_assert_int_eq((int)v, LR_OPTIMIZER_ADAM);
}
END_TEST

START_TEST(one_artist_catalogue)
{
    static const int32_t users[] = {1, 2}, artists[] = {7};
    static const char *const names[] = {"Only"};
    static const tiny_listen listens[] = {{1, 7, 3}, {2, 7, 5}};
    tiny_spec spec = {.users = users, .n_users = 2, .artists = artists, .artist_names = names,
                      .n_artists = 1, .listens = listens, .n_listens = TINY_N(listens)};
    lr_dataset *ds = tiny_build(&spec);
    mt_fit_fails(LR_ALGO_SOFTMAX, ds, "epochs=1", LR_E_INVALID, "catalogue of 1 artist");
    lr_dataset_free(ds);
}
END_TEST

START_TEST(divergence_names_the_epoch)
{
    lr_dataset *train, *test;
    mt_synth_split(5, &train, &test);
    mt_fit_fails(LR_ALGO_SOFTMAX, train,
                 "epochs=5,optimizer=sgd,learning_rate=1e6,factors=8,hidden_width=8,tag_dim=2,"
                 "batch_size=50",
                 LR_E_NUMERIC, "in epoch 1");
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

static int cancel_at_2(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    (void)stage;
    (void)total;
    (void)ud;
    return done >= 2;
}

START_TEST(cancel_leaves_unfitted)
{
    lr_dataset *train, *test;
    mt_synth_split(5, &train, &test);
    lr_options *o = mt_opts("epochs=5,factors=8,hidden_width=8,tag_dim=2");
    lr_options_set_progress(o, cancel_at_2, NULL);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_SOFTMAX, o));
    ck_assert_int_eq(lr_model_fit(m, train, NULL), LR_E_CANCELLED);
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    lr_model_free(m);
    lr_options_free(o);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* label_smoothing: the loss is the cross-entropy against (1 - e) times
 * the labels' weights plus e spread evenly over the artists of the
 * softmax (the masked input's left out), computed here in double; its
 * gradient matches central differences of it, with and without the mask
 * (loop index), and is refused outside [0, 0.99] by name. */
START_TEST(label_smoothing_loss_and_gradients)
{
    lr_dataset *ds = small_data();
    lr__softmax_net net;
    ck_assert_lr_ok(lr__softmax_net_init(&net, ds->n_artists, &ds->artist_tags, 5, 3, 1, 6, 1));
    lr__softmax_net_randomize(&net, 11, 0.5);
    lr__softmax_work w;
    ck_assert_lr_ok(lr__softmax_work_init(&w, &net, 2, 1));
    const int mask = _i;
    const float e = 0.3f;
    w.mask_input = mask;
    w.label_smoothing = e;
    half_arrays half;
    lr__softmax_batch b = half_batch(ds, &half);
    const int64_t *in_ptr = half.in_ptr, *lab_ptr = half.lab_ptr;
    const int32_t *in_idx = half.in_idx, *lab_idx = half.lab_idx;
    const float *lab_w = half.lab_w;
    float *g = malloc(net.n_params * sizeof *g);
    double loss, plain;
    ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, 0.0, g, &loss, NULL, NULL));
    const int32_t M = net.m, K = net.k;
    ck_assert_int_le(M, 64);
    double want = 0;
    for (int32_t u = 0; u < 2; u++) {
        double z[64], zs = 0, Y = 0, ce = 0, soft = 0;
        int in[64] = {0};
        for (int64_t j = in_ptr[u]; mask && j < in_ptr[u + 1]; j++)
            in[in_idx[j]] = 1;
        for (int32_t a = 0; a < M; a++) {
            z[a] = 0;
            for (int32_t d = 0; d < K; d++)
                z[a] += (double)w.s[u * K + d] * (double)w.item[a * K + d];
            if (!in[a]) {
                zs += exp(z[a]);
                soft++;
            }
        }
        for (int64_t j = lab_ptr[u]; j < lab_ptr[u + 1]; j++)
            Y += lab_w[j];
        for (int64_t j = lab_ptr[u]; j < lab_ptr[u + 1]; j++)
            ce -= (1 - e) * lab_w[j] / Y * (z[lab_idx[j]] - log(zs));
        for (int32_t a = 0; a < M; a++)
            if (!in[a])
                ce -= e / soft * (z[a] - log(zs));
        want += ce / 2;
    }
    ck_assert_msg(fabs(loss - want) < 1e-4 * want, "loss %.7g, by hand %.7g", loss, want);
    /* smoothing moves the loss: it is not the plain cross-entropy */
    w.label_smoothing = 0;
    ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, 0.0, g, &plain, NULL, NULL));
    ck_assert_msg(fabs(plain - loss) > 1e-3, "smoothed %.7g, plain %.7g", loss, plain);
    w.label_smoothing = e;
    ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, 0.0, g, &loss, NULL, NULL));

    const float h = 3e-3f;
    float *scratch = malloc(net.n_params * sizeof *scratch);
    size_t bad = 0;
    for (size_t i = 0; i < net.n_params; i++) {
        const float t0 = net.theta[i];
        double lp, lm;
        net.theta[i] = t0 + h;
        ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, 0.0, scratch, &lp, NULL, NULL));
        net.theta[i] = t0 - h;
        ck_assert_lr_ok(lr__softmax_loss_grad(&net, &w, &b, 0.0, scratch, &lm, NULL, NULL));
        net.theta[i] = t0;
        const double fd = (lp - lm) / (2.0 * (double)h);
        if (fabs(fd - g[i]) > 2e-3 + 0.02 * fabs(fd) && bad++ < 10)
            printf("parameter %zu: analytic %.6g, finite difference %.6g\n", i, g[i], fd);
    }
    ck_assert_msg(bad == 0, "%zu of %zu gradients differ from finite differences", bad,
                  net.n_params);
    free(g);
    free(scratch);
    lr__softmax_work_free(&w);
    lr__softmax_net_free(&net);
    lr_dataset_free(ds);

    lr_options *o = mt_opts(NULL);
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_LABEL_SMOOTHING, 1), LR_E_INVALID,
                      "label_smoothing");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_LABEL_SMOOTHING, -0.1), LR_E_INVALID,
                      "label_smoothing");
    lr_options_free(o);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("softmax");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 300);
    tcase_add_loop_test(t, gradients_match_finite_differences, 0, 2);
    tcase_add_test(t, masked_softmax_leaves_out_the_input);
    tcase_add_loop_test(t, fold_skip_keeps_the_user_vectors, 1, 3);
    tcase_add_test(t, beats_popularity);
    tcase_add_test(t, cold_boost_reaches_cold_artists);
    tcase_add_test(t, own_tags_cannot_reach_a_held_out_artist);
    tcase_add_test(t, same_seed_same_model);
    tcase_add_test(t, validation_history);
    tcase_add_test(t, preferences_fold_in);
    tcase_add_test(t, bad_options_named);
    tcase_add_test(t, one_artist_catalogue);
    tcase_add_test(t, divergence_names_the_epoch);
    tcase_add_test(t, cancel_leaves_unfitted);
    tcase_add_loop_test(t, label_smoothing_loss_and_gradients, 0, 2);
    suite_add_tcase(s, t);
    return s;
}

int main(void)
{
    lr__opt_threads_uncap(1); /* 2 threads mean 2 workers on any machine */
    return lr_test_run(suite());
}
