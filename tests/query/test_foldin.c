/* The foldin unit: a new listener's vector from preferences, per
 * algorithm, checked against each model's own objective solved
 * independently in double precision; and the explanations that decompose
 * the scores.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "data/dataset.h"
#include "query/foldin.h"
#include "query/query.h"

#include <math.h>

#define K 8

static lr_dataset *ds;

static void setup(void) { ds = qf_synthetic(120, 400, 3); }

static void teardown(void)
{
    lr_dataset_free(ds);
    ds = NULL;
}

static const float *y_of(const lr_model *m, int32_t a)
{
    return m->artist_f + (size_t)a * (size_t)m->k;
}

/* The preferences: every 37th artist from 5, counts 1, 10, 100, ... */
#define NPREF 6
static void add_prefs(lr_query *q, const lr_model *m, int32_t *idx, float *w)
{
    for (int i = 0; i < NPREF; i++) {
        idx[i] = 5 + 37 * i;
        w[i] = (float)pow(10, i % 4);
        ck_assert_lr_ok(lr_query_add_preference(q, m->artist_ids[idx[i]], w[i]));
    }
}

/* Y'Y in double. */
static void gram(const lr_model *m, double *g)
{
    memset(g, 0, K * K * sizeof *g);
    for (int32_t a = 0; a < m->n_artists; a++)
        for (int i = 0; i < K; i++)
            for (int j = 0; j < K; j++)
                g[i * K + j] += (double)y_of(m, a)[i] * y_of(m, a)[j];
}

/* The ALS user row for listens (idx, w): (Y'Y + sum (c-1) y y' + l I) x =
 * sum c y with c = 1 + alpha t(w), solved in double. */
static void als_row(const lr_model *m, const int32_t *idx, const float *w, int64_t n,
                    const double *conf, double *x)
{
    double a[K * K];
    gram(m, a);
    const double lambda = lr__opt_double(&m->opts, LR_OPT_REGULARIZATION);
    for (int i = 0; i < K; i++) {
        a[i * K + i] += lambda;
        x[i] = 0;
    }
    for (int64_t j = 0; j < n; j++) {
        const float *y = y_of(m, idx[j]);
        const double c = conf ? conf[j]
                              : 1.0 + lr__opt_double(&m->opts, LR_OPT_ALPHA) * log1p(w[j]);
        for (int r = 0; r < K; r++) {
            x[r] += c * y[r];
            for (int s = 0; s < K; s++)
                a[r * K + s] += (c - 1) * y[r] * y[s];
        }
    }
    qf_cholesky_solve(a, x, K);
}

static void assert_close_vec(const float *got, const double *want, int n, double rel)
{
    double d = 0, nw = 0;
    for (int i = 0; i < n; i++) {
        d += (got[i] - want[i]) * (got[i] - want[i]);
        nw += want[i] * want[i];
    }
    ck_assert_msg(sqrt(d) <= rel * sqrt(nw) + 1e-6, "vectors differ: |d| %g, |want| %g", sqrt(d),
                  sqrt(nw));
}

static lr_model *als_model(int transform)
{
    lr_model *m = qf_factors(ds, LR_ALGO_ALS, K, 11);
    qf_set(m, LR_OPT_ALPHA, 4.0);
    qf_set(m, LR_OPT_REGULARIZATION, 1.5);
    qf_set(m, LR_OPT_TRANSFORM, transform);
    return m;
}

/* ALS: the user vector is the exact least-squares solve with the model's
 * alpha, transform and regularization, and the scores are its products
 * with the artist factors. */
START_TEST(als_exact_least_squares)
{
    lr_model *m = als_model(LR_TRANSFORM_LOG1P);
    lr_query *q = qf_query(m);
    int32_t idx[NPREF];
    float w[NPREF];
    add_prefs(q, m, idx, w);
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_eq(n, 10);
    double x[K];
    als_row(m, idx, w, NPREF, NULL, x);
    assert_close_vec(q->x, x, K, 1e-4);
    for (size_t r = 0; r < n; r++) {
        int32_t a = lr__index_of(m->artist_ids, m->n_artists, qf_id(q, r));
        double s = 0;
        for (int f = 0; f < K; f++)
            s += x[f] * y_of(m, a)[f];
        ck_assert_msg(fabs(qf_score(q, r) - s) < 1e-4 * (1 + fabs(s)), "rank %zu: %g vs %g", r,
                      qf_score(q, r), s);
        for (int i = 0; i < NPREF; i++)
            ck_assert_int_ne(a, idx[i]); /* the preferences are left out */
    }
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* Rank lists equal up to swaps of scores equal within tol. */
static void assert_same_ranking(const int32_t *a, const double *sa, const int32_t *b,
                                const double *sb, size_t n, double tol)
{
    for (size_t r = 0; r < n; r++)
        ck_assert_msg(a[r] == b[r] || fabs(sa[r] - sb[r]) < tol,
                      "rank %zu: %d (%g) vs %d (%g)", r, a[r], sa[r], b[r], sb[r]);
}

static void results(const lr_query *q, int32_t *ids, double *s, size_t n)
{
    ck_assert_uint_eq(lr_query_result_count(q), n);
    for (size_t r = 0; r < n; r++)
        ck_assert_lr_ok(lr_query_result(q, r, &ids[r], &s[r]));
}

/* q's results for user u (their count returned), then those for u's own
 * training listens given as preferences (their count in *n_prefs unless
 * NULL), both read for the first count's ranks. */
static size_t user_then_own_listens(lr_query *q, const lr_model *m, int32_t u, int32_t *want,
                                    double *ws, int32_t *got, double *gs, size_t *n_prefs)
{
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[u], &n));
    results(q, want, ws, n);
    const int32_t *idx;
    const float *w;
    int64_t nl = lr__csr_row(&m->train, u, &idx, &w);
    lr_query_clear_preferences(q);
    for (int64_t j = 0; j < nl; j++)
        ck_assert_lr_ok(lr_query_add_preference(q, m->artist_ids[idx[j]], w[j]));
    ck_assert_lr_ok(lr_query_recommend_preferences(q, n_prefs));
    results(q, got, gs, n);
    return n;
}

/* A model whose user rows are exact ALS rows: folding a user's own listens
 * back in gives that user's recommendations.  With BM25 this also shows
 * the weights are the training matrix's, not an approximation. */
static void reproduce_users(int transform)
{
    lr_model *m = als_model(transform);
    const double alpha = lr__opt_double(&m->opts, LR_OPT_ALPHA);
    const double k1 = lr__opt_double(&m->opts, LR_OPT_BM25_K1);
    const double b = lr__opt_double(&m->opts, LR_OPT_BM25_B);
    double mean = 0;
    for (int64_t e = 0; e < m->train.nnz; e++)
        mean += m->train.val[e];
    mean /= m->n_users;
    double conf[4096];
    for (int32_t u = 0; u < m->n_users; u++) {
        const int32_t *idx;
        const float *w;
        int64_t n = lr__csr_row(&m->train, u, &idx, &w);
        ck_assert_int_lt(n, 4096);
        double sum = 0;
        for (int64_t j = 0; j < n; j++)
            sum += w[j];
        for (int64_t j = 0; j < n; j++) {
            /* implicit's bm25_weight, as lib/model/als.c weights training */
            double df = (double)(ds->by_artist.ptr[idx[j] + 1] - ds->by_artist.ptr[idx[j]]);
            double idf = fmax(0.0, log((double)m->n_users) - log1p(df));
            double norm = (1 - b) + b * sum / mean;
            double bw = w[j] * (k1 + 1) / (k1 * norm + w[j]) * idf;
            conf[j] = transform == LR_TRANSFORM_BM25 ? 1 + alpha * bw : 1 + alpha * log1p(w[j]);
        }
        double x[K];
        als_row(m, idx, w, n, conf, x);
        for (int f = 0; f < K; f++)
            m->user_f[(size_t)u * K + (size_t)f] = (float)x[f];
    }
    lr_query *q = qf_query(m);
    for (int32_t u = 0; u < m->n_users; u += 7) {
        int32_t want[10], got[10];
        double ws[10], gs[10];
        size_t n2, n = user_then_own_listens(q, m, u, want, ws, got, gs, &n2);
        ck_assert_uint_eq(n2, n);
        assert_same_ranking(want, ws, got, gs, n, 1e-4);
        for (size_t r = 0; r < n; r++)
            ck_assert_msg(fabs(ws[r] - gs[r]) < 1e-3 * (1 + fabs(ws[r])), "user %d rank %zu", u, r);
    }
    lr_query_free(q);
    lr_model_free(m);
}

START_TEST(als_reproduces_known_users) { reproduce_users(LR_TRANSFORM_LOG1P); }
END_TEST

START_TEST(als_bm25_reproduces_known_users) { reproduce_users(LR_TRANSFORM_BM25); }
END_TEST

/* mf: the vector minimises mf's own objective (lib/model/mf.c) for the new
 * row with the artists fixed:
 *   1/|O| sum (x.y - t(w))^2 + l_r |x|^2 / N + l_g/(N M) sum_a (x.y_a)^2,
 * so its gradient vanishes. */
START_TEST(mf_minimises_its_objective)
{
    lr_model *m = qf_factors(ds, LR_ALGO_MF, K, 12);
    qf_set(m, LR_OPT_REGULARIZATION, 0.5);
    qf_set(m, LR_OPT_GRAVITY, 0.3);
    qf_set(m, LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P);
    lr_query *q = qf_query(m);
    int32_t idx[NPREF];
    float w[NPREF];
    add_prefs(q, m, idx, w);
    ck_assert_lr_ok(lr_query_recommend_preferences(q, NULL));
    const double O = (double)m->train.nnz, N = m->n_users, M = m->n_artists;
    double g[K * K], grad[K], scale = 0;
    gram(m, g);
    for (int i = 0; i < K; i++) {
        grad[i] = 2 * 0.5 / N * q->x[i];
        for (int j = 0; j < K; j++)
            grad[i] += 2 * 0.3 / (N * M) * g[i * K + j] * q->x[j];
    }
    for (int p = 0; p < NPREF; p++) {
        const float *y = y_of(m, idx[p]);
        double e = -log1p(w[p]);
        for (int f = 0; f < K; f++)
            e += q->x[f] * y[f];
        for (int f = 0; f < K; f++) {
            grad[f] += 2 / O * e * y[f];
            scale += fabs(2 / O * log1p(w[p]) * y[f]);
        }
    }
    for (int f = 0; f < K; f++)
        ck_assert_msg(fabs(grad[f]) < 1e-4 * scale, "gradient[%d] = %g (scale %g)", f, grad[f],
                      scale);
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* bpr: a ridge regression on the preferred artists' factors to the score
 * the trained users give their own artists (bpr fixes no scale; this keeps
 * the artist bias as weighty for a new listener as for them).  With a
 * small lambda and fewer preferences than factors it interpolates: every
 * preferred artist scores that mean. */
START_TEST(bpr_ridge_to_trained_scale)
{
    lr_model *m = qf_factors(ds, LR_ALGO_BPR, K, 13);
    qf_set(m, LR_OPT_REGULARIZATION, 1e-4);
    double tau = 0;
    for (int32_t u = 0; u < m->n_users; u++)
        for (int64_t e = m->train.ptr[u]; e < m->train.ptr[u + 1]; e++)
            for (int f = 0; f < K; f++)
                tau += (double)m->user_f[(size_t)u * K + (size_t)f] * y_of(m, m->train.idx[e])[f];
    tau /= (double)m->train.nnz;
    ck_assert(tau > 0.5);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXCLUDE_LISTENED, 0));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 400));
    int32_t idx[NPREF];
    float w[NPREF];
    add_prefs(q, m, idx, w);
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_eq(n, 400);
    int seen = 0;
    for (size_t r = 0; r < n; r++)
        for (int p = 0; p < NPREF; p++)
            if (qf_id(q, r) == m->artist_ids[idx[p]]) {
                ck_assert_msg(fabs(qf_score(q, r) - tau) < 0.01 * tau, "artist %d scores %g, not %g",
                              qf_id(q, r), qf_score(q, r), tau);
                seen++;
            }
    ck_assert_int_eq(seen, NPREF);
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* EASE: a user's own listens as preferences score exactly as the user. */
START_TEST(ease_scores_the_row)
{
    lr_model *m = qf_ease(ds, 5, 14);
    qf_set(m, LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P);
    lr_query *q = qf_query(m);
    for (int32_t u = 0; u < m->n_users; u += 11) {
        int32_t want[10], got[10];
        double ws[10], gs[10];
        size_t n = user_then_own_listens(q, m, u, want, ws, got, gs, NULL);
        for (size_t r = 0; r < n; r++) {
            ck_assert_int_eq(got[r], want[r]);
            ck_assert(gs[r] == ws[r]);
        }
    }
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* The decomposition behind explanations sums to the score: for factor
 * models over the fold-in's solve, for ease over the item weights. */
START_TEST(contributions_sum_to_scores)
{
    lr_model *models[] = {als_model(LR_TRANSFORM_LOG1P), qf_factors(ds, LR_ALGO_MF, K, 15),
                          qf_factors(ds, LR_ALGO_BPR, K, 16), qf_ease(ds, 0, 17)};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        lr_model *m = models[i];
        lr_query *q = qf_query(m);
        int32_t idx[NPREF];
        float w[NPREF];
        add_prefs(q, m, idx, w);
        ck_assert_lr_ok(lr_query_recommend_preferences(q, NULL));
        for (size_t r = 0; r < lr_query_result_count(q); r++) {
            int32_t t = q->res_idx[r];
            float c[NPREF];
            if (m->item_w)
                lr__foldin_ease_explain(m, q->pref_idx, q->r, NPREF, t, c);
            else
                lr__foldin_explain(m, q->a, q->pref_idx, q->r, NPREF, t, q->z, c);
            double sum = 0;
            for (int j = 0; j < NPREF; j++)
                sum += c[j];
            ck_assert_msg(fabs(sum - q->res_score[r]) < 1e-4 * (1 + fabs(sum)),
                          "%s rank %zu: contributions sum to %g, score %g",
                          lr_algorithm_name(m->algo), r, sum, q->res_score[r]);
        }
        lr_query_free(q);
        lr_model_free(m);
    }
}
END_TEST

/* blend: scores are z(item part) + weight z(factor part), so the
 * explanation's shares - each source's item weight and its factor share,
 * each times its part's scale - sum to the score up to one constant per
 * query: the differences between results' shares equal the differences
 * between their scores.  Without the factor part a user's own listens as
 * preferences score exactly as the user. */
START_TEST(blend_contributions_and_row)
{
    /* blend_weight, softmax_weight */
    const double weights[4][2] = {{1.0, 0.0}, {0.0, 0.0}, {1.0, 2.0}, {0.0, 2.0}};
    for (int i = 0; i < 4; i++) {
        lr_model *m = qf_blend_sm(ds, weights[i][0], weights[i][1]);
        ck_assert_int_eq(lr__model_has_factors(m), weights[i][0] > 0);
        ck_assert_int_eq(m->sm.k > 0, weights[i][1] > 0);
        lr_query *q = qf_query(m);
        int32_t idx[NPREF];
        float w[NPREF];
        add_prefs(q, m, idx, w);
        size_t n;
        ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
        ck_assert_uint_eq(n, 10);
        double first = 0, c2[NPREF];
        const int nt = m->tag_names.n > 0 ? m->tag_names.n : 1;
        int32_t *tag_id = malloc((size_t)nt * sizeof *tag_id), *mark = malloc((size_t)nt * sizeof *mark);
        float *tag_share = malloc((size_t)nt * sizeof *tag_share);
        ck_assert(tag_id && mark && tag_share);
        for (int g = 0; g < nt; g++)
            mark[g] = -1;
        for (size_t r = 0; r < n; r++) {
            const int32_t t = q->res_idx[r];
            float c[NPREF];
            lr__foldin_ease_explain(m, q->pref_idx, q->blend.rw, NPREF, t, c);
            for (int j = 0; j < NPREF; j++)
                c2[j] = q->blend_scale[0] * c[j];
            if (weights[i][0] > 0) {
                lr__foldin_explain(m, q->a, q->pref_idx, q->r, NPREF, t, q->z, c);
                for (int j = 0; j < NPREF; j++)
                    c2[j] += q->blend_scale[1] * c[j];
            }
            /* the softmax part: the sources' shares are the tower's
             * gradient x input terms at the preferences' pass; they and
             * the tags' add up to the part's score less its bias part,
             * which depends on the result (test_softmax_tower checks
             * that), so the sum here takes the part's whole score */
            double part = 0;
            if (weights[i][1] > 0) {
                lr__tower_input_grad(m->sm.tower, &q->tower,
                                     m->sm.artist_f + (size_t)t * (size_t)m->sm.k, q->gx);
                lr__tower_shares(m->sm.tower, &q->tower, q->gx, q->pref_idx, NPREF, c, tag_id,
                                 tag_share, mark);
                double dot = m->sm.artist_bias ? m->sm.artist_bias[t] : 0;
                for (int f = 0; f < m->sm.k; f++)
                    dot += (double)q->xs[f] * m->sm.artist_f[(size_t)t * (size_t)m->sm.k + f];
                part = q->blend_scale[2] * dot;
            }
            double sum = part;
            for (int j = 0; j < NPREF; j++)
                sum += c2[j];
            for (int j = 0; j < NPREF && weights[i][1] > 0; j++)
                c2[j] += q->blend_scale[2] * c[j]; /* what the explanation shows */
            if (r == 0)
                first = sum;
            const double want = q->res_score[r] - q->res_score[0];
            ck_assert_msg(fabs((sum - first) - want) < 1e-3 * (1 + fabs(want)),
                          "blend %g/%g rank %zu: shares differ by %g, scores by %g",
                          weights[i][0], weights[i][1], r, sum - first, want);
            /* what the user sees: positive shares of preferred artists */
            int32_t ids[4];
            double v[4];
            size_t ne;
            ck_assert_lr_ok(lr_query_result_explanation(q, r, ids, v, 4, &ne));
            for (size_t j = 0; j < ne; j++) {
                int found = 0;
                for (int p = 0; p < NPREF; p++)
                    found |= ids[j] == m->artist_ids[idx[p]] && fabs(v[j] - c2[p]) < 1e-5;
                ck_assert_msg(found, "explanation %d (%g) is not a preference's share", ids[j],
                              v[j]);
                ck_assert(v[j] > 0);
            }
        }
        free(tag_id);
        free(mark);
        free(tag_share);
        if (weights[i][0] == 0) {
            /* no least-squares part: a user's own listens as preferences
             * are that user, through the item model and the tower alike */
            for (int32_t u = 0; u < m->n_users; u += 13) {
                int32_t want[10], got[10];
                double ws[10], gs[10];
                size_t n2;
                n = user_then_own_listens(q, m, u, want, ws, got, gs, &n2);
                ck_assert_uint_eq(n2, n);
                for (size_t r = 0; r < n; r++) {
                    ck_assert_int_eq(got[r], want[r]);
                    ck_assert(gs[r] == ws[r]);
                }
            }
        }
        lr_query_free(q);
        lr_model_free(m);
    }
}
END_TEST

/* What a user sees: explanation artists are among the preferences, with
 * positive contributions, largest first, at most LR_QUERY_EXPLAIN. */
START_TEST(explanations_name_preferences)
{
    lr_model *m = als_model(LR_TRANSFORM_LOG1P);
    lr_query *q = qf_query(m);
    int32_t idx[NPREF];
    float w[NPREF];
    add_prefs(q, m, idx, w);
    for (int e = 0; e <= 4; e += 2) {
        ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXPLAIN, e));
        size_t n;
        ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
        size_t total = 0;
        for (size_t r = 0; r < n; r++) {
            int32_t ids[8];
            double c[8];
            size_t ne;
            ck_assert_lr_ok(lr_query_result_explanation(q, r, ids, c, 8, &ne));
            ck_assert_uint_le(ne, (size_t)e);
            total += ne;
            for (size_t j = 0; j < ne; j++) {
                int found = 0;
                for (int p = 0; p < NPREF; p++)
                    found |= ids[j] == m->artist_ids[idx[p]];
                ck_assert_msg(found, "explanation artist %d is not a preference", ids[j]);
                ck_assert(c[j] > 0);
                if (j)
                    ck_assert(c[j] <= c[j - 1]);
            }
            if (ne) {
                /* room for fewer: the largest contributions come first */
                int32_t first = -1;
                size_t need;
                ck_assert_lr_ok(lr_query_result_explanation(q, r, &first, NULL, 1, &need));
                ck_assert_uint_eq(need, ne);
                ck_assert_int_eq(first, ids[0]);
            }
        }
        ck_assert(e == 0 ? total == 0 : total > 0);
    }
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* Preferences live in the query: the model's bytes are untouched, and
 * clearing them leaves nothing to fold in. */
START_TEST(model_unchanged_preferences_cleared)
{
    lr_model *m = als_model(LR_TRANSFORM_LOG1P);
    size_t nu = (size_t)m->n_users * K, na = (size_t)m->n_artists * K;
    float *u0 = malloc(nu * sizeof *u0), *a0 = malloc(na * sizeof *a0);
    memcpy(u0, m->user_f, nu * sizeof *u0);
    memcpy(a0, m->artist_f, na * sizeof *a0);
    lr_query *q = qf_query(m);
    int32_t idx[NPREF];
    float w[NPREF];
    add_prefs(q, m, idx, w);
    size_t need;
    int32_t ids[NPREF];
    double cnt[NPREF];
    ck_assert_lr_ok(lr_query_preferences(q, ids, cnt, NPREF, &need));
    ck_assert_uint_eq(need, NPREF);
    ck_assert_int_eq(ids[0], m->artist_ids[idx[0]]);
    ck_assert(cnt[1] == 10);
    /* adding an artist again replaces its count */
    ck_assert_lr_ok(lr_query_add_preference(q, ids[1], 3));
    ck_assert_lr_ok(lr_query_preferences(q, ids, cnt, NPREF, &need));
    ck_assert_uint_eq(need, NPREF);
    ck_assert(cnt[1] == 3);
    ck_assert_lr_fail(lr_query_preferences(q, ids, cnt, 2, &need), LR_E_BUFSIZE, "capacity");
    ck_assert_lr_ok(lr_query_recommend_preferences(q, NULL));
    ck_assert(memcmp(u0, m->user_f, nu * sizeof *u0) == 0);
    ck_assert(memcmp(a0, m->artist_f, na * sizeof *a0) == 0);
    lr_query_clear_preferences(q);
    ck_assert_lr_ok(lr_query_preferences(q, NULL, NULL, 0, &need));
    ck_assert_uint_eq(need, 0);
    ck_assert_lr_fail(lr_query_recommend_preferences(q, NULL), LR_E_INVALID, "no preferences");
    ck_assert_uint_eq(lr_query_result_count(q), 0);
    /* bad counts and unknown artists add nothing */
    ck_assert_lr_fail(lr_query_add_preference(q, ids[0], 0), LR_E_RANGE, "above 0");
    ck_assert_lr_fail(lr_query_add_preference(q, ids[0], -3), LR_E_RANGE, "above 0");
    ck_assert_lr_fail(lr_query_add_preference(q, ids[0], NAN), LR_E_RANGE, "finite");
    ck_assert_lr_fail(lr_query_add_preference(q, -5, 3), LR_E_NOTFOUND, "-5");
    ck_assert_lr_ok(lr_query_preferences(q, NULL, NULL, 0, &need));
    ck_assert_uint_eq(need, 0);
    lr_query_free(q);
    free(u0);
    free(a0);
    lr_model_free(m);
}
END_TEST

/* A factor that is not a number cannot be solved with: a clear error, not
 * a NaN ranking. */
START_TEST(unsolvable_system)
{
    lr_model *m = als_model(LR_TRANSFORM_LOG1P);
    for (int f = 0; f < K; f++)
        m->artist_f[(size_t)7 * K + (size_t)f] = NAN;
    ck_assert_lr_ok(lr__model_prepare(m));
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_add_preference(q, m->artist_ids[7], 5));
    ck_assert_lr_fail(lr_query_recommend_preferences(q, NULL), LR_E_NUMERIC,
                      "increase regularization");
    ck_assert_uint_eq(lr_query_result_count(q), 0);
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* Popularity: the most popular artists the listener does not have. */
START_TEST(pop_preferences)
{
    lr_model *m = qf_pop(ds);
    lr_query *q = qf_query(m);
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[0], &n));
    int32_t best = qf_id(q, 0);
    ck_assert_lr_ok(lr_query_add_preference(q, best, 10));
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_eq(n, 10);
    for (size_t r = 0; r < n; r++) {
        ck_assert_int_ne(qf_id(q, r), best);
        size_t ne = 9;
        ck_assert_lr_ok(lr_query_result_explanation(q, r, NULL, NULL, 0, &ne));
        ck_assert_uint_eq(ne, 0);
        if (r)
            ck_assert(qf_score(q, r) <= qf_score(q, r - 1));
    }
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

static Suite *foldin_suite(void)
{
    Suite *s = suite_create("foldin");
    TCase *tc = tcase_create("foldin");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, als_exact_least_squares);
    tcase_add_test(tc, als_reproduces_known_users);
    tcase_add_test(tc, als_bm25_reproduces_known_users);
    tcase_add_test(tc, mf_minimises_its_objective);
    tcase_add_test(tc, bpr_ridge_to_trained_scale);
    tcase_add_test(tc, ease_scores_the_row);
    tcase_add_test(tc, contributions_sum_to_scores);
    tcase_add_test(tc, blend_contributions_and_row);
    tcase_add_test(tc, explanations_name_preferences);
    tcase_add_test(tc, model_unchanged_preferences_cleared);
    tcase_add_test(tc, unsolvable_system);
    tcase_add_test(tc, pop_preferences);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(foldin_suite()); }
