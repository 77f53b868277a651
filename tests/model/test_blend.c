/* blend: the rank weights, the item weights against a dense double-precision
 * reference (primal and dual forms), the standardised sum of the scores,
 * the reduction to EASE, defaults, history, progress, determinism, edge
 * cases, accuracy on synthetic data and, when LASTREC_DATA and
 * LASTREC_SPLIT name the HetRec directory and the dev split, on the real
 * data.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/model.h"
#include "model/softmax_tower.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* 8 users x 7 artists (more users than artists: the primal form).
 * Listeners: artist 1: 6, 2: 4, 3: 3, 4: 3, 5: 2, 6: 2, 7: 0.  User 1
 * plays artists 1 and 3 equally often (a tie in the ranks). */
static const int32_t t_users[] = {1, 2, 3, 4, 5, 6, 7, 8};
static const int32_t t_artists[] = {1, 2, 3, 4, 5, 6, 7};
static const char *const t_names[] = {"A", "B", "C", "D", "E", "F", "G"};
static const tiny_listen t_listens[] = {
    {1, 1, 3}, {1, 2, 12}, {1, 3, 3},
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

static lr_dataset *tiny, *wide;

static void tiny_setup(void)
{
    tiny_spec s = {.users = t_users, .n_users = NU, .artists = t_artists,
                   .artist_names = t_names, .n_artists = NA, .listens = t_listens,
                   .n_listens = TINY_N(t_listens)};
    tiny = tiny_build(&s);
    wide = mt_wide(); /* fewer users than artists: the dual form */
}

static void tiny_teardown(void)
{
    lr_dataset_free(tiny);
    lr_dataset_free(wide);
    tiny = wide = NULL;
}

/* sm: softmax_weight, 0 (no softmax part) unless a test says so, so that
 * the tests of the item model and als see those two parts alone. */
typedef struct setting {
    double lambda, dropout, gamma, spread, weight;
    int min_listeners, factors, epochs, threads;
    double sm;
} setting;

/* Defaults of the item model, small als. */
static setting item_only(double lambda, double dropout, double gamma, double spread, int min)
{
    return (setting){lambda, dropout, gamma, spread, 0, min, 0, 0, 0, 0};
}

static lr_options *options_of(const setting *s)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_ITEM_REGULARIZATION, s->lambda));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_DROPOUT, s->dropout));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_CALIBRATION, s->gamma));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_RANK_SPREAD, s->spread));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_BLEND_WEIGHT, s->weight));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_SOFTMAX_WEIGHT, s->sm));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, s->min_listeners));
    if (s->factors)
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_FACTORS, s->factors));
    if (s->epochs)
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, s->epochs));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, s->threads ? s->threads : 2));
    return o;
}

static lr_model *fit(const lr_dataset *ds, const setting *s)
{
    lr_options *o = options_of(s);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    return m;
}

#define MAXA 9

/* Rank weights of a listen row, from the definition. */
static void reference_ranks(const float *w, int n, double spread, double *out)
{
    for (int j = 0; j < n; j++) {
        int r = 0;
        for (int i = 0; i < n; i++)
            r += w[i] > w[j] || (w[i] == w[j] && i < j);
        out[j] = 1 + spread * (0.5 - (double)r / (n > 1 ? n - 1 : 1));
    }
}

/* X (rank-weighted) over the artists of ds with at least min listeners. */
static int reference_x(const lr_dataset *ds, double spread, int min, double X[NU][MAXA],
                       int item[MAXA])
{
    int n = mt_items_with_listeners(ds, min, item);
    memset(X, 0, sizeof(double[NU][MAXA]));
    for (int u = 0; u < ds->n_users; u++) {
        const int64_t b = ds->listens.ptr[u];
        const int len = (int)(ds->listens.ptr[u + 1] - b);
        double rw[MAXA];
        reference_ranks(ds->listens.val + b, len, spread, rw);
        for (int e = 0; e < len; e++)
            for (int q = 0; q < n; q++)
                if (item[q] == ds->listens.idx[b + e])
                    X[u][q] = rw[e];
    }
    return n;
}

/* B_ij = -P_ij P_jj^-gamma, B_jj = 0, P = (X'X + Lambda)^-1 by Gauss-Jordan,
 * Lambda = lambda + p/(1-p) diag(X'X). */
static void reference_b(int n, double X[NU][MAXA], const setting *s, double B[MAXA][MAXA])
{
    double G[MAXA][2 * MAXA] = {{0}};
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++)
            for (int u = 0; u < NU; u++)
                G[i][j] += X[u][i] * X[u][j];
        G[i][i] += s->lambda + s->dropout / (1 - s->dropout) * G[i][i];
        G[i][n + i] = 1;
    }
    mt_gauss_jordan(&G[0][0], n, 2 * MAXA);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
            B[i][j] = i == j ? 0 : -G[i][n + j] * pow(G[j][n + j], -s->gamma);
}

START_TEST(rank_weights)
{
    lr__ranked scratch[6];
    float out[6];
    /* counts 5, 9, 5, 1: ranks 1, 0, 2 (the tie goes by position), 3 */
    const float w[] = {5, 9, 5, 1};
    lr__blend_rank_weights(w, 4, 1.0, scratch, out);
    const float want[] = {1.5f - 1.0f / 3, 1.5f, 1.5f - 2.0f / 3, 0.5f};
    for (int j = 0; j < 4; j++)
        ck_assert_msg(fabsf(out[j] - want[j]) < 1e-6f, "weight %d: %g, want %g", j, out[j],
                      want[j]);
    /* spread 0: binary */
    lr__blend_rank_weights(w, 4, 0.0, scratch, out);
    for (int j = 0; j < 4; j++)
        ck_assert(out[j] == 1.0f);
    /* one listen: the top weight */
    lr__blend_rank_weights(w, 1, 1.0, scratch, out);
    ck_assert(out[0] == 1.5f);
    /* all equal: by position */
    const float same[] = {2, 2, 2};
    lr__blend_rank_weights(same, 3, 1.0, scratch, out);
    ck_assert(out[0] == 1.5f && out[1] == 1.0f && out[2] == 0.5f);
    /* nothing */
    lr__blend_rank_weights(w, 0, 1.0, scratch, out);
}
END_TEST

/* Both forms of the inverse: the primal on the tiny set, the dual on the
 * wide one, over the range of the options. */
START_TEST(item_weights_equal_dense_reference)
{
    static const struct { int wide; setting s; } cases[] = {
        {0, {0.5, 0, 1, 0, 0, 2, 0, 0, 0, 0}},   {0, {2, 0.3, 0.5, 1, 0, 1, 0, 0, 0, 0}},
        {0, {1, 0.5, 0, 1.5, 0, 2, 0, 0, 0, 0}}, {0, {0, 0.3, 0.5, 1, 0, 2, 0, 0, 0, 0}},
        {0, {5, 0.2, 2, 1.9, 0, 3, 0, 0, 1, 0}}, {1, {0.5, 0.3, 0.5, 1, 0, 1, 0, 0, 0, 0}},
        {1, {3, 0, 1, 0.5, 0, 1, 0, 0, 3, 0}},   {1, {0, 0.4, 0.7, 1, 0, 2, 0, 0, 0, 0}},
        {1, {100, 0.3, 0.5, 1, 0, 1, 0, 0, 0, 0}},
    };
    for (size_t c = 0; c < TINY_N(cases); c++) {
        const lr_dataset *ds = cases[c].wide ? wide : tiny;
        const setting *s = &cases[c].s;
        lr_model *m = fit(ds, s);
        double X[NU][MAXA], B[MAXA][MAXA];
        int item[MAXA];
        int n = reference_x(ds, s->spread, s->min_listeners, X, item);
        reference_b(n, X, s, B);
        ck_assert_int_eq(m->n_items, n);
        ck_assert(!lr__model_has_factors(m)); /* blend_weight 0: no als */
        double err = 0, scale = 0;
        for (int i = 0; i < n; i++) {
            ck_assert_int_eq(m->items[i], item[i]);
            ck_assert_int_eq(m->item_pos[item[i]], i);
            for (int j = 0; j < n; j++) {
                err = fmax(err, fabs(m->item_w[i * n + j] - B[i][j]));
                scale = fmax(scale, fabs(B[i][j]));
            }
            ck_assert(m->item_w[i * n + i] == 0.0f);
        }
        ck_assert_msg(err < 2e-5 * scale, "case %zu: B off the dense reference by %g (max %g)",
                      c, err, scale);
        lr_model_free(m);
    }
}
END_TEST

/* spread 0, dropout 0, calibration 1 is EASE on binary listens. */
START_TEST(reduces_to_ease)
{
    const lr_dataset *sets[] = {tiny, wide};
    for (int k = 0; k < 2; k++) {
        setting s = item_only(0.7, 0, 1, 0, 1);
        lr_model *b = fit(sets[k], &s);
        lr_options *o;
        ck_assert_lr_ok(lr_options_new(&o));
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_BINARY));
        ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_REGULARIZATION, 0.7));
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, 1));
        lr_model *e;
        ck_assert_lr_ok(lr_model_new(&e, LR_ALGO_EASE, o));
        lr_options_free(o);
        ck_assert_lr_ok(lr_model_fit(e, sets[k], NULL));
        ck_assert_int_eq(b->n_items, e->n_items);
        const size_t nn = (size_t)b->n_items * (size_t)b->n_items;
        for (size_t i = 0; i < nn; i++)
            ck_assert_msg(fabsf(b->item_w[i] - e->item_w[i]) < 1e-5f, "set %d, weight %zu: %g, ease %g",
                          k, i, b->item_w[i], e->item_w[i]);
        /* and the scores (item part alone) are ease's */
        const int32_t nu = sets[k]->n_users, na = sets[k]->n_artists;
        float *sb = malloc((size_t)nu * (size_t)na * sizeof *sb);
        float *se = malloc((size_t)nu * (size_t)na * sizeof *se);
        ck_assert_lr_ok(lr__model_score_users(b, 0, nu, sb));
        ck_assert_lr_ok(lr__model_score_users(e, 0, nu, se));
        for (size_t i = 0; i < (size_t)nu * (size_t)na; i++)
            ck_assert(fabsf(sb[i] - se[i]) < 1e-5f);
        free(sb);
        free(se);
        lr_model_free(b);
        lr_model_free(e);
    }
}
END_TEST

/* z over the artists not in the row: mean and 1 / population sd. */
static void zstats(const double *v, int na, const int32_t *idx, int64_t n, double *mean,
                   double *inv)
{
    double s = 0, q = 0;
    int c = 0;
    for (int a = 0; a < na; a++) {
        int in = 0;
        for (int64_t j = 0; j < n; j++)
            in |= idx[j] == a;
        if (in)
            continue;
        s += v[a];
        q += v[a] * v[a];
        c++;
    }
    *mean = s / c;
    double var = q / c - *mean * *mean;
    *inv = var > 0 ? 1 / sqrt(var) : 0;
}

/* Scores = z(item part) + weight z(factor part), computed here from the
 * model's weights and factors. */
START_TEST(scores_are_the_standardised_sum)
{
    const double weights[] = {1.0, 2.5};
    for (int k = 0; k < 2; k++) {
        setting s = {2, 0.3, 0.5, 1, weights[k], 2, 3, 4, 0, 0};
        lr_model *m = fit(tiny, &s);
        ck_assert(lr__model_has_factors(m));
        ck_assert_int_eq(m->k, 3);
        float out[NU * NA];
        ck_assert_lr_ok(lr__model_score_users(m, 0, NU, out));
        for (int u = 0; u < NU; u++) {
            const int32_t *idx;
            const float *val;
            const int64_t n = lr__csr_row(&m->train, u, &idx, &val);
            double rw[MAXA], item[NA] = {0}, fac[NA] = {0};
            reference_ranks(val, (int)n, 1.0, rw);
            for (int64_t j = 0; j < n; j++) {
                const int32_t p = m->item_pos[idx[j]];
                if (p >= 0)
                    for (int q = 0; q < m->n_items; q++)
                        item[m->items[q]] += rw[j] * m->item_w[p * m->n_items + q];
            }
            for (int a = 0; a < NA; a++)
                for (int f = 0; f < 3; f++)
                    fac[a] += (double)m->user_f[u * 3 + f] * m->artist_f[a * 3 + f];
            double mi, ii, mf, iff;
            zstats(item, NA, idx, n, &mi, &ii);
            zstats(fac, NA, idx, n, &mf, &iff);
            for (int a = 0; a < NA; a++) {
                double want = (item[a] - mi) * ii + weights[k] * (fac[a] - mf) * iff;
                ck_assert_msg(fabs(out[u * NA + a] - want) < 1e-4, "user %d artist %d: %g, want %g",
                              u, a, out[u * NA + a], want);
            }
            /* the same row scored as a new listener with the user's vector */
            float row[NA];
            for (int a = 0; a < NA; a++)
                row[a] = (float)fac[a];
            lr__blend_scratch bs;
            double scale[3];
            ck_assert_lr_ok(lr__blend_scratch_init(&bs, m, n));
            lr__blend_row(m, idx, val, n, &bs, row, scale);
            for (int a = 0; a < NA; a++) {
                ck_assert(fabsf(row[a] - out[u * NA + a]) < 1e-5f);
                /* the scales decompose the score, up to a constant */
                const double lin = scale[0] * bs.item[a] + scale[1] * fac[a];
                const double lin0 = scale[0] * bs.item[0] + scale[1] * fac[0];
                ck_assert(fabs((row[a] - row[0]) - (lin - lin0)) < 1e-4);
            }
            ck_assert(fabs(scale[0] - ii) < 1e-6 * ii && fabs(scale[1] - weights[k] * iff) < 1e-6 * iff);
            lr__blend_scratch_free(&bs);
        }
        /* a block of users scores as within the whole */
        float part[2 * NA];
        ck_assert_lr_ok(lr__model_score_users(m, 5, 2, part));
        for (int i = 0; i < 2 * NA; i++)
            ck_assert(fabsf(part[i] - out[5 * NA + i]) < 1e-6f);
        lr_model_free(m);
    }
}
END_TEST

START_TEST(defaults_registry_and_embeddings)
{
    int id = 0;
    ck_assert_lr_ok(lr_algorithm_lookup("blend", &id));
    ck_assert_int_eq(id, LR_ALGO_BLEND);
    ck_assert_str_eq(lr_algorithm_name(LR_ALGO_BLEND), "blend");
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, NULL));
    static const struct { int key; double want; } defs[] = {
        {LR_OPT_ITEM_REGULARIZATION, 100}, {LR_OPT_DROPOUT, 0.3}, {LR_OPT_CALIBRATION, 0.5},
        {LR_OPT_RANK_SPREAD, 1}, {LR_OPT_BLEND_WEIGHT, 1}, {LR_OPT_MIN_LISTENERS, 2},
        {LR_OPT_SOFTMAX_WEIGHT, 3},
        /* als's own defaults for the factor part */
        {LR_OPT_FACTORS, 64}, {LR_OPT_EPOCHS, 15}, {LR_OPT_TRANSFORM, LR_TRANSFORM_BM25},
        {LR_OPT_ALPHA, 0.015}, {LR_OPT_REGULARIZATION, 15},
    };
    for (size_t i = 0; i < TINY_N(defs); i++) {
        double v = -1;
        ck_assert_lr_ok(lr_model_option(m, defs[i].key, &v));
        ck_assert_msg(v == defs[i].want, "option %d: %g, want %g", defs[i].key, v, defs[i].want);
    }
    lr_model_free(m);

    /* the factor part's embeddings are the model's */
    setting s = {100, 0.3, 0.5, 1, 1, 2, 4, 3, 0, 0};
    m = fit(tiny, &s);
    const float *f = NULL;
    size_t rows = 0, cols = 0;
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &f, &rows, &cols));
    ck_assert_ptr_eq(f, m->artist_f);
    ck_assert_uint_eq(rows, NA);
    ck_assert_uint_eq(cols, 4);
    lr_model_free(m);

    /* blend_weight 0: the item model alone, no embeddings */
    s.weight = 0;
    m = fit(tiny, &s);
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &f, NULL, NULL),
                      LR_E_UNSUPPORTED, "blend");
    size_t n = 0;
    double loss;
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, &loss, 1, &n));
    ck_assert_uint_eq(n, 1);
    lr_model_free(m);
}
END_TEST

/* One history row per als sweep (its loss, and the validation metrics of
 * the blend with that sweep's factors), then one for the whole model:
 * the item model's objective |X - XB|^2 + sum_i Lambda_i |B_i|^2 at its
 * weights, and the blend's validation metrics, which are lr_evaluate's. */
START_TEST(history_and_validation)
{
    setting s = {2, 0.3, 0.5, 1, 1, 1, 3, 4, 0, 0};
    lr_options *o = options_of(&s);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
    lr_options_free(o);
    /* validate on the training listens themselves: any catalogue-equal set
     * will do for the bookkeeping */
    ck_assert_lr_ok(lr_model_fit(m, tiny, tiny));
    double loss[8], ndcg[8], secs[8];
    size_t n = 0;
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, loss, 8, &n));
    ck_assert_uint_eq(n, 5);
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_VAL_NDCG, ndcg, 8, NULL));
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_SECONDS, secs, 8, NULL));
    for (int i = 0; i < 4; i++) {
        ck_assert(isfinite(loss[i]));
        ck_assert(ndcg[i] >= 0 && ndcg[i] <= 1); /* the blend after sweep i + 1 */
        ck_assert(i == 0 || secs[i] >= secs[i - 1]);
    }
    ck_assert(secs[4] >= secs[3]);
    double X[NU][MAXA];
    int item[MAXA];
    const int ni = reference_x(tiny, s.spread, s.min_listeners, X, item);
    double data = 0, l2 = 0;
    for (int i = 0; i < ni; i++) {
        double d = 0, b2 = 0;
        for (int u = 0; u < NU; u++)
            d += X[u][i] * X[u][i];
        for (int j = 0; j < ni; j++)
            b2 += (double)m->item_w[i * ni + j] * m->item_w[i * ni + j];
        l2 += (s.lambda + s.dropout / (1 - s.dropout) * d) * b2;
    }
    for (int u = 0; u < NU; u++)
        for (int j = 0; j < ni; j++) {
            double r = X[u][j];
            for (int i = 0; i < ni; i++)
                r -= X[u][i] * m->item_w[i * ni + j];
            data += r * r;
        }
    double obs = 0, reg = 0;
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_OBSERVED, ndcg, 8, NULL));
    obs = ndcg[4];
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS_L2, ndcg, 8, NULL));
    reg = ndcg[4];
    ck_assert_msg(fabs(obs - data) < 1e-4 * data, "data term %.9g, direct %.9g", obs, data);
    ck_assert_msg(fabs(reg - l2) < 1e-4 * l2, "L2 term %.9g, direct %.9g", reg, l2);
    ck_assert_msg(fabs(loss[4] - (data + l2)) < 1e-4 * loss[4], "loss %.9g", loss[4]);
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_VAL_NDCG, ndcg, 8, NULL));
    lr_evaluation *e;
    ck_assert_lr_ok(lr_evaluate(&e, m, tiny, tiny, 10, NULL));
    ck_assert_double_eq(ndcg[4], lr_evaluation_metric(e, LR_METRIC_NDCG));
    ck_assert_double_eq(ndcg[3], ndcg[4]); /* the last sweep's blend is the model */
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

typedef struct seen {
    uint64_t done[64], total[64];
    int n, stop_at;
} seen;

static int record(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    seen *s = user_data;
    if (strcmp(stage, "epoch") != 0)
        return 0;
    if (s->n < 64) {
        s->done[s->n] = done;
        s->total[s->n] = total;
        s->n++;
    }
    return s->stop_at && (int)done == s->stop_at;
}

START_TEST(progress_and_cancel)
{
    setting st = {2, 0.3, 0.5, 1, 1, 1, 3, 6, 0, 0};
    seen s = {0};
    lr_options *o = options_of(&st);
    lr_options_set_progress(o, record, &s);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
    ck_assert_lr_ok(lr_model_fit(m, tiny, NULL));
    lr_model_free(m);
    ck_assert_int_eq(s.n, 7);
    for (int i = 0; i < s.n; i++) {
        ck_assert_uint_eq(s.done[i], (uint64_t)i + 1);
        ck_assert_uint_eq(s.total[i], 7);
    }
    /* stopped in the middle of als, and at the very end */
    const int stops[] = {3, 7};
    for (int k = 0; k < 2; k++) {
        memset(&s, 0, sizeof s);
        s.stop_at = stops[k];
        ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
        ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_CANCELLED, "");
        ck_assert(!lr_model_is_fitted(m));
        ck_assert_ptr_null(m->item_w);
        ck_assert_ptr_null(m->user_f);
        lr_model_free(m);
    }
    lr_options_free(o);
}
END_TEST

/* The batch (lr__model_score_users, users in groups sharing rows of B)
 * gives every user what lr__blend_row gives that user alone, bit for bit,
 * over more users than one group holds. */
START_TEST(batch_equals_one_by_one)
{
    lr_dataset *train, *test;
    mt_synth_split(11, &train, &test);
    const char *const opts[] = {
        "factors=8,epochs=3,min_listeners=1,threads=1,softmax_weight=0",
        /* the softmax part's rows too: its scores come from its own product */
        "factors=8,epochs=3,min_listeners=1,threads=1,softmax_weight=2,hidden_width=32",
    };
    for (int c = 0; c < 2; c++) {
        lr_model *m = mt_fit(LR_ALGO_BLEND, train, opts[c]);
        ck_assert_int_eq(m->sm.k > 0, c);
        const int32_t nu = m->n_users, na = m->n_artists;
        ck_assert_int_gt(nu, 130);
        float *all = malloc((size_t)nu * (size_t)na * sizeof *all);
        float *fac = malloc((size_t)nu * (size_t)na * sizeof *fac);
        ck_assert(all && fac);
        ck_assert_lr_ok(lr__model_score_users(m, 0, nu, all));
        lr_model view = *m; /* the same factor product, without the blend */
        view.algo = LR_ALGO_ALS;
        ck_assert_lr_ok(lr__model_score_users(&view, 0, nu, fac));
        lr__blend_scratch bs;
        ck_assert_lr_ok(lr__blend_scratch_init(&bs, m, na));
        for (int32_t u = 0; u < nu; u++) {
            const int32_t *idx;
            const float *val;
            const int64_t n = lr__csr_row(&m->train, u, &idx, &val);
            double scale[3];
            float *row = fac + (size_t)u * (size_t)na;
            if (m->sm.k > 0)
                lr__blend_sm_scores(m, m->sm.user_f + (size_t)u * (size_t)m->sm.k, bs.sm);
            lr__blend_row(m, idx, val, n, &bs, row, scale);
            ck_assert_msg(memcmp(row, all + (size_t)u * (size_t)na, (size_t)na * sizeof *row) == 0,
                          "user %d: the batch's scores differ from the user's own", u);
        }
        /* a block that starts inside a group */
        ck_assert_lr_ok(lr__model_score_users(m, 70, 3, fac));
        ck_assert(memcmp(fac, all + (size_t)70 * (size_t)na, 3 * (size_t)na * sizeof *fac) == 0);
        lr__blend_scratch_free(&bs);
        free(all);
        free(fac);
        lr_model_free(m);
    }
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* The softmax part (softmax_weight > 0): softmax fitted with its own
 * defaults (not the blend's als options), its user rows the tower's pass
 * of each user's listens, the item model and als untouched by it (so
 * softmax_weight = 0 is the blend without it, bit for bit), its epochs in
 * the history, and the scores z(item) + w z(als) + w_s z(softmax). */
START_TEST(softmax_part)
{
    lr_dataset *train, *test;
    mt_synth_split(11, &train, &test);
    const char *base = "factors=8,epochs=3,min_listeners=1,threads=2,hidden_width=32";
    char text[160];
    snprintf(text, sizeof text, "%s,softmax_weight=0", base);
    lr_model *no = mt_fit(LR_ALGO_BLEND, train, text);
    snprintf(text, sizeof text, "%s,softmax_weight=2.5", base);
    lr_model *m = mt_fit(LR_ALGO_BLEND, train, text);
    ck_assert_int_eq(no->sm.k, 0);
    ck_assert_ptr_null(no->sm.tower);
    ck_assert_int_eq(m->k, 8);
    ck_assert_int_eq(m->sm.k, 64); /* softmax's default factors, not als's 8 */
    ck_assert_ptr_nonnull(m->sm.tower);
    ck_assert_int_eq(lr__opt_int(&m->sm.opts, LR_OPT_TRANSFORM), LR_TRANSFORM_LOG1P);
    ck_assert_int_eq(lr__opt_int(&m->sm.opts, LR_OPT_EPOCHS), 14); /* softmax's default */
    ck_assert_int_eq(lr__opt_int(&m->sm.opts, LR_OPT_HIDDEN_WIDTH), 32); /* passed on */
    ck_assert_int_eq(lr__opt_int(&m->sm.opts, LR_OPT_THREADS), 2);
    const int32_t nu = m->n_users, na = m->n_artists, k = m->k, ks = m->sm.k;
    ck_assert(memcmp(m->item_w, no->item_w, (size_t)m->n_items * (size_t)m->n_items * 4) == 0);
    ck_assert(memcmp(m->user_f, no->user_f, (size_t)nu * (size_t)k * 4) == 0);
    ck_assert(memcmp(m->artist_f, no->artist_f, (size_t)na * (size_t)k * 4) == 0);
    size_t hn = 0, hno = 0;
    double *h = mt_history(m, LR_HISTORY_LOSS, &hn);
    free(mt_history(no, LR_HISTORY_LOSS, &hno));
    ck_assert_uint_eq(hno, 3 + 1);
    ck_assert_uint_eq(hn, 3 + 14 + 1);
    for (size_t i = 0; i < hn; i++)
        ck_assert(isfinite(h[i]));
    ck_assert(h[16] < h[3]); /* softmax's loss falls over its epochs */
    free(h);

    float *out = malloc((size_t)nu * (size_t)na * sizeof *out), *x = malloc((size_t)ks * 4);
    double *item = malloc((size_t)na * sizeof *item), *fac = malloc((size_t)na * sizeof *fac),
           *smv = malloc((size_t)na * sizeof *smv), *rw = malloc((size_t)na * sizeof *rw);
    ck_assert(out && x && item && fac && smv && rw);
    ck_assert_lr_ok(lr__model_score_users(m, 0, nu, out));
    lr__tower_scratch ts = {0};
    ck_assert_lr_ok(lr__tower_scratch_init(&ts, m->sm.tower, na));
    const double spread = lr__opt_double(&m->opts, LR_OPT_RANK_SPREAD);
    for (int32_t u = 0; u < nu; u += 7) {
        const int32_t *idx;
        const float *val;
        const int64_t n = lr__csr_row(&m->train, u, &idx, &val);
        /* the part's row is its tower's pass of the listens */
        lr__tower_forward(m->sm.tower, LR_TRANSFORM_LOG1P, idx, val, n, &ts, x);
        ck_assert_msg(memcmp(x, m->sm.user_f + (size_t)u * (size_t)ks, (size_t)ks * 4) == 0,
                      "user %d: the part's row is not its tower's pass", u);
        reference_ranks(val, (int)n, spread, rw);
        for (int32_t a = 0; a < na; a++)
            item[a] = fac[a] = smv[a] = 0;
        for (int64_t j = 0; j < n; j++) {
            const int32_t p = m->item_pos[idx[j]];
            if (p >= 0)
                for (int32_t q = 0; q < m->n_items; q++)
                    item[m->items[q]] += rw[j] * m->item_w[(size_t)p * m->n_items + q];
        }
        for (int32_t a = 0; a < na; a++) {
            for (int f = 0; f < k; f++)
                fac[a] += (double)m->user_f[(size_t)u * k + f] * m->artist_f[(size_t)a * k + f];
            for (int f = 0; f < ks; f++)
                smv[a] += (double)m->sm.user_f[(size_t)u * ks + f] *
                          m->sm.artist_f[(size_t)a * ks + f];
            smv[a] += m->sm.artist_bias ? m->sm.artist_bias[a] : 0;
        }
        double mi, ii, mf, iff, ms, is;
        zstats(item, na, idx, n, &mi, &ii);
        zstats(fac, na, idx, n, &mf, &iff);
        zstats(smv, na, idx, n, &ms, &is);
        ck_assert(is > 0);
        for (int32_t a = 0; a < na; a++) {
            const double want = (item[a] - mi) * ii + (fac[a] - mf) * iff + 2.5 * (smv[a] - ms) * is;
            ck_assert_msg(fabs(out[(size_t)u * na + a] - want) < 1e-3 * (1 + fabs(want)),
                          "user %d artist %d: %g, want %g", u, a, out[(size_t)u * na + a], want);
        }
    }
    lr__tower_scratch_free(&ts);
    free(out);
    free(x);
    free(item);
    free(fac);
    free(smv);
    free(rw);
    lr_model_free(m);
    lr_model_free(no);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* A blend with its softmax part saved and loaded scores the same bits,
 * queries included (preferences through the part's tower, similar
 * artists, tag explanations); blend_weight 0 with the part keeps the
 * part. */
START_TEST(softmax_part_save_load)
{
    lr_dataset *train, *test;
    mt_synth_split(12, &train, &test);
    const char *const opts[] = {
        "factors=8,epochs=3,min_listeners=1,threads=2,hidden_width=32,softmax_weight=3",
        "blend_weight=0,min_listeners=1,threads=2,hidden_width=32,softmax_weight=3",
    };
    const char *dir = lr_test_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/b.lrmodel", dir);
    for (int c = 0; c < 2; c++) {
        lr_model *m = mt_fit(LR_ALGO_BLEND, train, opts[c]);
        ck_assert_int_eq(lr__model_has_factors(m), c == 0);
        ck_assert_int_gt(m->sm.k, 0);
        ck_assert_lr_ok(lr_model_save(m, path));
        lr_model *back;
        ck_assert_lr_ok(lr_model_load(&back, path));
        ck_assert_int_eq(back->sm.k, m->sm.k);
        ck_assert(memcmp(back->sm.user_f, m->sm.user_f, (size_t)m->n_users * m->sm.k * 4) == 0);
        const size_t n = (size_t)m->n_users * (size_t)m->n_artists;
        float *sa = malloc(n * sizeof *sa), *sb = malloc(n * sizeof *sb);
        ck_assert_lr_ok(lr__model_score_users(m, 0, m->n_users, sa));
        ck_assert_lr_ok(lr__model_score_users(back, 0, back->n_users, sb));
        ck_assert_msg(memcmp(sa, sb, n * sizeof *sa) == 0, "scores differ after loading");
        free(sa);
        free(sb);
        lr_model *pair[2] = {m, back};
        int32_t ids[2][3][10];
        double sc[2][3][10];
        size_t tags[2] = {0, 0};
        for (int k = 0; k < 2; k++) {
            lr_query *q;
            ck_assert_lr_ok(lr_query_new(&q, pair[k]));
            size_t got;
            ck_assert_lr_ok(lr_query_recommend_user(q, pair[k]->user_ids[5], &got));
            ck_assert_uint_eq(got, 10);
            for (size_t r = 0; r < got; r++) {
                ck_assert_lr_ok(lr_query_result(q, r, &ids[k][0][r], &sc[k][0][r]));
                size_t nt = 0;
                ck_assert_lr_ok(lr_query_result_tag_explanation(q, r, NULL, NULL, 0, &nt));
                tags[k] += nt;
            }
            for (int j = 0; j < 4; j++)
                ck_assert_lr_ok(lr_query_add_preference(q, pair[k]->artist_ids[3 * j + 1], j + 1));
            ck_assert_lr_ok(lr_query_recommend_preferences(q, &got));
            ck_assert_uint_eq(got, 10);
            for (size_t r = 0; r < got; r++) {
                ck_assert_lr_ok(lr_query_result(q, r, &ids[k][1][r], &sc[k][1][r]));
            }
            ck_assert_lr_ok(lr_query_similar(q, pair[k]->artist_ids[2], &got));
            ck_assert_uint_eq(got, 10);
            for (size_t r = 0; r < got; r++) {
                ck_assert_lr_ok(lr_query_result(q, r, &ids[k][2][r], &sc[k][2][r]));
            }
            lr_query_free(q);
        }
        ck_assert(memcmp(ids[0], ids[1], sizeof ids[0]) == 0);
        ck_assert(memcmp(sc[0], sc[1], sizeof sc[0]) == 0);
        ck_assert_uint_eq(tags[0], tags[1]);
        ck_assert_uint_gt(tags[0], 0); /* the part's tags explain the user's results */
        lr_model_free(back);
        lr_model_free(m);
    }
    unlink(path);
    rmdir(dir);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* Same options, same model bit for bit, whatever the thread count. */
START_TEST(deterministic)
{
    setting s = {2, 0.3, 0.5, 1, 1, 1, 4, 5, 1, 0};
    lr_model *a = fit(wide, &s);
    s.threads = 3;
    lr_model *b = fit(wide, &s);
    ck_assert_int_eq(a->n_items, b->n_items);
    ck_assert(memcmp(a->item_w, b->item_w,
                     (size_t)a->n_items * (size_t)a->n_items * sizeof(float)) == 0);
    ck_assert(memcmp(a->user_f, b->user_f, (size_t)a->n_users * 4 * sizeof(float)) == 0);
    ck_assert(memcmp(a->artist_f, b->artist_f, (size_t)a->n_artists * 4 * sizeof(float)) == 0);
    float sa[4 * 9], sb[4 * 9];
    ck_assert_lr_ok(lr__model_score_users(a, 0, 4, sa));
    ck_assert_lr_ok(lr__model_score_users(b, 0, 4, sb));
    ck_assert(memcmp(sa, sb, sizeof sa) == 0);
    lr_model_free(a);
    lr_model_free(b);
}
END_TEST

/* A user with no listens scores 0 everywhere (no item part, a zero als
 * row): finite, ties broken by ID downstream. */
START_TEST(user_without_listens)
{
    static const int32_t users[] = {1, 2, 3, 4, 9};
    lr_dataset *ds = mt_wide_with(users, 5);
    setting s = {2, 0.3, 0.5, 1, 1, 1, 3, 3, 0, 0};
    lr_model *m = fit(ds, &s);
    float out[5 * 9];
    ck_assert_lr_ok(lr__model_score_users(m, 0, 5, out));
    for (int i = 0; i < 5 * 9; i++)
        ck_assert(isfinite(out[i]));
    for (int a = 0; a < 9; a++)
        ck_assert(out[4 * 9 + a] == 0.0f);
    lr_model_free(m);
    /* with a softmax part, such a user gets that part's scores of an
     * empty bag (its prior over the artists), finite */
    s.sm = 1;
    m = fit(ds, &s);
    ck_assert_int_gt(m->sm.k, 0);
    ck_assert_lr_ok(lr__model_score_users(m, 0, 5, out));
    for (int i = 0; i < 5 * 9; i++)
        ck_assert(isfinite(out[i]));
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(bad_settings)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_DROPOUT, 0.99), LR_E_INVALID, "dropout");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_RANK_SPREAD, 2), LR_E_INVALID,
                      "rank_spread");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_CALIBRATION, -0.1), LR_E_INVALID,
                      "calibration");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_BLEND_WEIGHT, -1), LR_E_INVALID,
                      "blend_weight");
    ck_assert_lr_ok(lr_options_set_string(o, "item_regularization=50,dropout=0.2,calibration=1,"
                                             "rank_spread=0.5,blend_weight=2"));
    /* no artist with enough listeners */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, 7));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
    ck_assert_lr_fail(lr_model_fit(m, tiny, NULL), LR_E_INVALID, "lower min_listeners");
    ck_assert(!lr_model_is_fitted(m));
    lr_model_free(m);
    lr_options_free(o);
}
END_TEST

/* ------------------------------------------------------- synthetic data */

static double ndcg_at_10(const lr_model *m, const lr_dataset *train, const lr_dataset *test)
{
    return mt_evaluate_at_10(m, train, test, LR_METRIC_NDCG);
}

static lr_model *fit_algo(int algo, const char *opts, const lr_dataset *train)
{
    return mt_fit(algo, train, opts);
}

/* The library's synthetic listen counts are lognormal noise around a
 * user's level (lib/data/synth.c), so there the rank weights carry little
 * and the item model alone is about as good as the blend (measured over
 * seeds: within 0.01 NDCG@10 either way); the gains over the parts are
 * real-data ones, checked by real_data_dev_split below.  Here: clearly
 * above popularity, above als, and not below the item model by more than
 * that noise. */
START_TEST(beats_popularity_and_als)
{
    lr_dataset *syn, *train, *test;
    mt_clustered_split(500, 1000, 30, &syn, &train, &test);
    lr_model *pop = fit_algo(LR_ALGO_POP, NULL, train);
    lr_model *als = fit_algo(LR_ALGO_ALS, NULL, train);
    lr_model *item = fit_algo(LR_ALGO_BLEND, "blend_weight=0,softmax_weight=0", train);
    lr_model *two = fit_algo(LR_ALGO_BLEND, "softmax_weight=0", train);
    lr_model *blend = fit_algo(LR_ALGO_BLEND, NULL, train);
    const double n_pop = ndcg_at_10(pop, train, test), n_als = ndcg_at_10(als, train, test),
                 n_item = ndcg_at_10(item, train, test), n_blend = ndcg_at_10(blend, train, test),
                 n_two = ndcg_at_10(two, train, test);
    printf("synthetic NDCG@10: blend %.4f, without its softmax part %.4f, its item model %.4f, "
           "als %.4f, popularity %.4f\n",
           n_blend, n_two, n_item, n_als, n_pop);
    /* the softmax part raises the blend or keeps it */
    ck_assert_msg(n_blend > n_two - 0.005, "blend NDCG@10 %.4f is below its %.4f without softmax",
                  n_blend, n_two);
    ck_assert_msg(n_blend > 2 * n_pop && n_blend > n_pop + 0.1,
                  "blend NDCG@10 %.4f is not clearly above popularity's %.4f", n_blend, n_pop);
    ck_assert_msg(n_blend > n_als + 0.005, "blend NDCG@10 %.4f is not above als's %.4f", n_blend,
                  n_als);
    ck_assert_msg(n_blend > n_item - 0.01, "blend NDCG@10 %.4f is well below its item model's %.4f",
                  n_blend, n_item);
    lr_model_free(pop);
    lr_model_free(als);
    lr_model_free(item);
    lr_model_free(two);
    lr_model_free(blend);
    lr_dataset_free(syn);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* --------------------------------------------------------------- real data */

/* The dev split (LASTREC_DATA, LASTREC_SPLIT): the blend reaches the
 * issue's target and is clearly above each of its parts and above ease
 * (docs/models.md, blend, has the rows). */
START_TEST(real_data_dev_split)
{
    lr_dataset *cat, *train, *test;
    ck_assert_msg(mt_real_split(&cat, &train, &test), "LASTREC_DATA / LASTREC_SPLIT unset");
    lr_model *als = fit_algo(LR_ALGO_ALS, NULL, train);
    lr_model *ease = fit_algo(LR_ALGO_EASE, NULL, train);
    lr_model *item = fit_algo(LR_ALGO_BLEND, "blend_weight=0,softmax_weight=0", train);
    lr_model *two = fit_algo(LR_ALGO_BLEND, "softmax_weight=0", train);
    lr_model *blend = fit_algo(LR_ALGO_BLEND, NULL, train);
    const double n_als = ndcg_at_10(als, train, test), n_ease = ndcg_at_10(ease, train, test),
                 n_item = ndcg_at_10(item, train, test), n_blend = ndcg_at_10(blend, train, test),
                 n_two = ndcg_at_10(two, train, test);
    printf("dev split NDCG@10: blend %.4f, without its softmax part %.4f, its item model %.4f, "
           "als %.4f, ease %.4f\n",
           n_blend, n_two, n_item, n_als, n_ease);
    /* issue 11: the softmax part is in the blend because it raises it */
    ck_assert_msg(n_blend > n_two + 0.001, "blend NDCG@10 %.4f not above %.4f without softmax",
                  n_blend, n_two);
    ck_assert_msg(n_blend >= 0.250, "blend NDCG@10 %.4f below the target 0.250", n_blend);
    ck_assert_msg(n_blend > n_als + 0.005 && n_blend > n_item + 0.003 && n_blend > n_ease + 0.01,
                  "blend NDCG@10 %.4f not clearly above als %.4f, its item model %.4f, ease %.4f",
                  n_blend, n_als, n_item, n_ease);
    lr_model_free(als);
    lr_model_free(ease);
    lr_model_free(item);
    lr_model_free(two);
    lr_model_free(blend);
    lr_dataset_free(cat);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* Issue 3 judges the best model on seeded splits other than dev too: on
 * the whole data set with 20 % of each user's artists held out by seeds 1
 * and 2 (lr_dataset_split: the split `lastrec eval --holdout 0.2 --seed S`
 * makes; the models keep their default seed here), the blend reaches the
 * target and stays clearly above als. */
START_TEST(real_data_seeded_holdouts)
{
    const char *data = getenv("LASTREC_DATA");
    lr_dataset *all;
    ck_assert_lr_ok(lr_dataset_load(&all, data, NULL));
    for (int seed = 1; seed <= 2; seed++) {
        char text[64];
        snprintf(text, sizeof text, "holdout_fraction=0.2,seed=%d", seed);
        lr_options *o = mt_opts(text);
        lr_dataset *train, *test;
        ck_assert_lr_ok(lr_dataset_split(all, LR_SPLIT_PER_USER, o, &train, &test));
        lr_options_free(o);
        lr_model *als = fit_algo(LR_ALGO_ALS, NULL, train);
        lr_model *blend = fit_algo(LR_ALGO_BLEND, NULL, train);
        const double n_als = ndcg_at_10(als, train, test), n_blend = ndcg_at_10(blend, train, test);
        printf("holdout seed %d NDCG@10: blend %.4f, als %.4f\n", seed, n_blend, n_als);
        ck_assert_msg(n_blend >= 0.250 && n_blend > n_als + 0.004,
                      "seed %d: blend NDCG@10 %.4f (als %.4f)", seed, n_blend, n_als);
        lr_model_free(als);
        lr_model_free(blend);
        lr_dataset_free(train);
        lr_dataset_free(test);
    }
    lr_dataset_free(all);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("blend");
    TCase *t = tcase_create("tiny");
    tcase_add_checked_fixture(t, tiny_setup, tiny_teardown);
    tcase_add_test(t, rank_weights);
    tcase_add_test(t, item_weights_equal_dense_reference);
    tcase_add_test(t, reduces_to_ease);
    tcase_add_test(t, scores_are_the_standardised_sum);
    tcase_add_test(t, defaults_registry_and_embeddings);
    tcase_add_test(t, history_and_validation);
    tcase_add_test(t, progress_and_cancel);
    tcase_add_test(t, batch_equals_one_by_one);
    tcase_add_test(t, deterministic);
    tcase_add_test(t, user_without_listens);
    tcase_add_test(t, bad_settings);
    suite_add_tcase(s, t);
    t = tcase_create("softmax part");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, softmax_part);
    tcase_add_test(t, softmax_part_save_load);
    suite_add_tcase(s, t);
    t = tcase_create("synthetic");
    tcase_set_timeout(t, 120);
    tcase_add_test(t, beats_popularity_and_als);
    suite_add_tcase(s, t);
    const char *dir = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    if (dir && *dir && split && *split) {
        t = tcase_create("real_data");
        tcase_set_timeout(t, 300);
        tcase_add_test(t, real_data_dev_split);
        tcase_add_test(t, real_data_seeded_holdouts);
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
