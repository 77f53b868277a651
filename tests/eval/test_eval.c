/* The eval unit: every metric of docs/evaluation.md on cases worked out by
 * hand, the tie rule, the accessors and errors, thread-independence, the
 * validation hook, and popularity on the real dev split.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "../data/tiny.h"
#include "lastrec.h"
#include "eval/eval.h"
#include "query/topk.h"
#include "model/model.h"

#include <math.h>

/* ------------------------------------------------------------ fixtures */

/* Four users and six artists.  The fake model has one factor: a user's
 * score of an artist is user_f * artist_f, so the rankings are known:
 *   artist_f  1:3  2:5  3:5  4:1  5:2  6:5
 *   user 10 (+1): 2 3 6 1 5 4   (2, 3, 6 tie at 5: by artist ID)
 *   user 20 (-1): 4 5 1 2 3 6   (2, 3, 6 tie at -5)
 *   user 30 (+1): as user 10, but nothing held out: not evaluated
 *   user 40 (+1): as user 10 */
static const int32_t users[] = {10, 20, 30, 40};
static const int32_t artists[] = {1, 2, 3, 4, 5, 6};
static const char *const names[] = {"A1", "A2", "A3", "A4", "A5", "A6"};
static const float user_f[] = {1, -1, 1, 1};
static const float artist_f[] = {3, 5, 5, 1, 2, 5};

/* Training listens: user 10's favourite (2) and user 20's (4) are left out
 * of their lists; user 30 is in training only. */
static const tiny_listen train_listens[] = {
    {10, 2, 7}, {20, 4, 9}, {30, 1, 3},
};
/* Held out: user 10 two artists (< k = 3), user 20 four (> k), user 40 one. */
static const tiny_listen test_listens[] = {
    {10, 6, 4}, {10, 4, 2},
    {20, 1, 1}, {20, 2, 1}, {20, 3, 1}, {20, 6, 1},
    {40, 4, 1},
};

static lr_dataset *make(const tiny_listen *l, size_t n)
{
    tiny_spec s = {.users = users, .n_users = 4, .artists = artists, .artist_names = names,
                   .n_artists = 6, .listens = l, .n_listens = n};
    return tiny_build(&s);
}

static lr_dataset *train, *test;

static void setup(void)
{
    train = make(train_listens, TINY_N(train_listens));
    test = make(test_listens, TINY_N(test_listens));
}

static void teardown(void)
{
    lr_dataset_free(train);
    lr_dataset_free(test);
    train = test = NULL;
}

/* An mf model whose factors are set by hand rather than learned. */
static lr_model *fake_model(const lr_dataset *ds, int k, const float *uf, const float *af,
                            int transform)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TRANSFORM, transform));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr__model_take_catalogue(m, ds));
    m->k = k;
    m->user_f = malloc((size_t)m->n_users * (size_t)k * sizeof(float));
    m->artist_f = malloc((size_t)m->n_artists * (size_t)k * sizeof(float));
    memcpy(m->user_f, uf, (size_t)m->n_users * (size_t)k * sizeof(float));
    memcpy(m->artist_f, af, (size_t)m->n_artists * (size_t)k * sizeof(float));
    ck_assert_lr_ok(lr__model_prepare(m)); /* as the end of a fit does */
    m->fitted = 1;
    return m;
}

static lr_evaluation *evaluate(const lr_model *m, int k, int threads)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, threads));
    lr_evaluation *e;
    ck_assert_lr_ok(lr_evaluate(&e, m, train, test, k, o));
    lr_options_free(o);
    return e;
}

#define EPS 1e-12
#define D(r) (1.0 / log2((r) + 1.0)) /* the discount of rank r */

static double user_value(const lr_evaluation *e, int metric, int slot)
{
    double v[8];
    size_t needed;
    ck_assert_lr_ok(lr_evaluation_user_metric(e, metric, v, 8, &needed));
    ck_assert_uint_gt(needed, (size_t)slot);
    return v[slot];
}

/* -------------------------------------------------------- hand-made cases */

/* k = 3.  User 10 (train 2; held out 6, 4): list 3 6 1, a hit at rank 2.
 * User 20 (train 4; held out 1 2 3 6): list 5 1 2, hits at ranks 2, 3.
 * User 40 (held out 4): list 2 3 6, no hit. */
START_TEST(each_metric_by_hand)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 1);

    const double p[3] = {1.0 / 3, 2.0 / 3, 0};
    const double r[3] = {1.0 / 2, 2.0 / 4, 0};
    /* IDCG over min(|held out|, k) ranks: 2 for user 10, 3 for user 20. */
    const double ndcg[3] = {D(2) / (D(1) + D(2)), (D(2) + D(3)) / (D(1) + D(2) + D(3)), 0};
    /* MAP: precision at each hit's rank over min(|held out|, k). */
    const double map[3] = {(1.0 / 2) / 2, (1.0 / 2 + 2.0 / 3) / 3, 0};
    const double hr[3] = {1, 1, 0};
    struct {
        int metric;
        const double *v;
    } want[] = {{LR_METRIC_PRECISION, p}, {LR_METRIC_RECALL, r}, {LR_METRIC_NDCG, ndcg},
                {LR_METRIC_MAP, map}, {LR_METRIC_HITRATE, hr}};
    for (size_t i = 0; i < TINY_N(want); i++) {
        double mean = 0;
        for (int u = 0; u < 3; u++) {
            double got = user_value(e, want[i].metric, u);
            ck_assert_msg(fabs(got - want[i].v[u]) < EPS, "metric %d user slot %d: %.15f, want %.15f",
                          want[i].metric, u, got, want[i].v[u]);
            mean += want[i].v[u] / 3;
        }
        ck_assert_double_eq_tol(lr_evaluation_metric(e, want[i].metric), mean, EPS);
    }
    /* The lists hold 3 6 1 | 5 1 2 | 2 3 6: five of the six artists (4 is
     * in no list). */
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_COVERAGE), 5.0 / 6, EPS);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_USERS), 3);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* Cold artists are those nobody listened to in training: 3, 5 and 6 (1, 2
 * and 4 have listeners).  k = 3: user 10 (held out 6, 4) has cold {6},
 * listed at rank 2: 1/1.  User 20 (held out 1 2 3 6) has cold {3, 6},
 * neither in 5 1 2: 0/2.  User 40 (held out 4) has none: NaN, and left out
 * of the average (1 + 0) / 2.  k = 5 lists 3 6 1 5 4 and 5 1 2 3 6: both
 * users find all their cold artists. */
START_TEST(cold_recall_by_hand)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 1);
    ck_assert_double_eq(user_value(e, LR_METRIC_COLD_RECALL, 0), 1);
    ck_assert_double_eq(user_value(e, LR_METRIC_COLD_RECALL, 1), 0);
    ck_assert(isnan(user_value(e, LR_METRIC_COLD_RECALL, 2)));
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_RECALL), 0.5);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_USERS), 2);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_PAIRS), 3);
    /* the plain recall of the same lists still counts every held-out artist */
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_RECALL), (0.5 + 0.5 + 0) / 3,
                            EPS);
    double v[3];
    ck_assert_lr_fail(lr_evaluation_user_metric(e, LR_METRIC_COLD_USERS, v, 3, NULL),
                      LR_E_INVALID, "per-user");
    ck_assert_lr_fail(lr_evaluation_user_metric(e, LR_METRIC_COLD_PAIRS, v, 3, NULL),
                      LR_E_INVALID, "per-user");
    lr_evaluation_free(e);
    e = evaluate(m, 5, 2);
    ck_assert_double_eq(user_value(e, LR_METRIC_COLD_RECALL, 0), 1);
    ck_assert_double_eq(user_value(e, LR_METRIC_COLD_RECALL, 1), 1);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_RECALL), 1);
    lr_evaluation_free(e);

    /* With every artist listened to in training nothing is cold: no users,
     * no pairs, the average NaN. */
    static const tiny_listen everyone[] = {{30, 1, 1}, {30, 2, 1}, {30, 3, 1},
                                           {30, 4, 1}, {30, 5, 1}, {30, 6, 1}};
    lr_dataset_free(train);
    train = make(everyone, TINY_N(everyone));
    lr_model_free(m);
    m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    e = evaluate(m, 3, 1);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_USERS), 0);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_PAIRS), 0);
    ck_assert(isnan(lr_evaluation_metric(e, LR_METRIC_COLD_RECALL)));
    ck_assert(isnan(user_value(e, LR_METRIC_COLD_RECALL, 0)));
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* User 30 has no held-out artist and is left out; the others are listed in
 * ascending ID order, and the per-user arrays follow it. */
START_TEST(users_without_held_out_artists_are_skipped)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 1);
    int32_t ids[4] = {0};
    size_t needed = 0;
    ck_assert_lr_ok(lr_evaluation_users(e, ids, 4, &needed));
    ck_assert_uint_eq(needed, 3);
    ck_assert_int_eq(ids[0], 10);
    ck_assert_int_eq(ids[1], 20);
    ck_assert_int_eq(ids[2], 40);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* Artists 2, 3 and 6 tie.  For user 40 (nothing in training) k = 1 takes
 * artist 2, k = 2 adds 3, k = 3 adds 6: equal scores go by the lower ID.
 * Held out {6} is therefore a hit only from k = 3 on. */
START_TEST(ties_go_to_the_lower_artist_id)
{
    const tiny_listen held[] = {{40, 6, 1}};
    lr_dataset_free(test);
    test = make(held, 1);
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    for (int k = 1; k <= 4; k++) {
        lr_evaluation *e = evaluate(m, k, 1);
        ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_USERS), 1);
        double hr = lr_evaluation_metric(e, LR_METRIC_HITRATE);
        ck_assert_msg(hr == (k >= 3), "k = %d: hit rate %g", k, hr);
        if (k >= 3)
            ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_NDCG), D(3), EPS);
        /* Coverage counts the k artists of the one list. */
        ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_COVERAGE), k / 6.0, EPS);
        lr_evaluation_free(e);
    }
    lr_model_free(m);
}
END_TEST

/* When every score is equal the list is the k lowest IDs not listened to in
 * training, whatever the catalogue order of the held-out artists. */
START_TEST(all_equal_scores_rank_by_id)
{
    const float zero_u[4] = {0}, zero_a[6] = {0};
    const tiny_listen held[] = {{10, 1, 1}, {10, 3, 1}, {10, 5, 1}};
    lr_dataset_free(test);
    test = make(held, 3);
    lr_model *m = fake_model(train, 1, zero_u, zero_a, LR_TRANSFORM_RAW);
    /* User 10 trained on 2: the list is 1 3 4 — hits at ranks 1, 2. */
    lr_evaluation *e = evaluate(m, 3, 1);
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_PRECISION), 2.0 / 3, EPS);
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_MAP), (1 + 1) / 3.0, EPS);
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_NDCG),
                            (D(1) + D(2)) / (D(1) + D(2) + D(3)), EPS);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* User 20's training artist (4) scores highest for them and is dropped:
 * with k = 1 the list is 5. */
START_TEST(training_artists_are_dropped)
{
    const tiny_listen held[] = {{20, 5, 1}};
    lr_dataset_free(test);
    test = make(held, 1);
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 1, 1);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_PRECISION), 1);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COVERAGE), 1.0 / 6);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* k larger than the artists left to rank: the list is shorter than k, and
 * precision still divides by k (docs/evaluation.md: hits / k). */
START_TEST(k_beyond_the_catalogue)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 10, 2);
    /* Every held-out artist is found: user 10 two hits among five, user 20
     * four among five, user 40 one among six. */
    ck_assert_double_eq_tol(user_value(e, LR_METRIC_PRECISION, 0), 2.0 / 10, EPS);
    ck_assert_double_eq_tol(user_value(e, LR_METRIC_PRECISION, 1), 4.0 / 10, EPS);
    ck_assert_double_eq_tol(user_value(e, LR_METRIC_PRECISION, 2), 1.0 / 10, EPS);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_RECALL), 1);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_HITRATE), 1);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COVERAGE), 1);
    /* User 10's list 3 6 1 5 4: hits at 2 and 5; IDCG over 2. */
    ck_assert_double_eq_tol(user_value(e, LR_METRIC_NDCG, 0), (D(2) + D(5)) / (D(1) + D(2)), EPS);
    ck_assert_double_eq_tol(user_value(e, LR_METRIC_MAP, 0), (1.0 / 2 + 2.0 / 5) / 2, EPS);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* RMSE of the held-out weights under the model's transform.  Predictions
 * user_f * artist_f against the weights of test_listens:
 *   user 10: 6 -> 5 vs 4, 4 -> 1 vs 2        errors  1, -1
 *   user 20: 1 2 3 6 -> -3 -5 -5 -5 vs 1     errors -4, -6, -6, -6
 *   user 40: 4 -> 1 vs 1                      error   0
 * sum of squares 126 over 7 pairs. */
START_TEST(rmse_under_the_transform)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 1);
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_RMSE), sqrt(126.0 / 7), 1e-9);
    lr_evaluation_free(e);
    lr_model_free(m);

    /* log1p: the targets become log(1 + w). */
    m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_LOG1P);
    e = evaluate(m, 3, 1);
    const double pred[7] = {5, 1, -3, -5, -5, -5, 1};
    double s = 0;
    const double w[7] = {4, 2, 1, 1, 1, 1, 1};
    for (int i = 0; i < 7; i++)
        s += (pred[i] - log1p(w[i])) * (pred[i] - log1p(w[i]));
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_RMSE), sqrt(s / 7), 1e-6);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* Models that do not regress listen weights have no RMSE. */
START_TEST(rmse_is_nan_without_weight_predictions)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, NULL));
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    lr_evaluation *e = evaluate(m, 3, 1);
    ck_assert(isnan(lr_evaluation_metric(e, LR_METRIC_RMSE)));
    ck_assert(!isnan(lr_evaluation_metric(e, LR_METRIC_NDCG)));
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* ------------------------------------------------- accessors and errors */

START_TEST(accessors)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 1);
    double v[3];
    int32_t ids[3];
    size_t needed = 0;
    ck_assert_lr_fail(lr_evaluation_user_metric(e, LR_METRIC_NDCG, v, 2, &needed), LR_E_BUFSIZE,
                      "3 users");
    ck_assert_uint_eq(needed, 3);
    ck_assert_lr_fail(lr_evaluation_users(e, ids, 1, &needed), LR_E_BUFSIZE, "capacity 1");
    ck_assert_uint_eq(needed, 3);
    ck_assert_lr_fail(lr_evaluation_user_metric(e, LR_METRIC_COVERAGE, v, 3, NULL), LR_E_INVALID,
                      "per-user");
    ck_assert_lr_fail(lr_evaluation_user_metric(e, 99, v, 3, NULL), LR_E_INVALID, "unknown");
    ck_assert(isnan(lr_evaluation_metric(e, 0)));
    ck_assert(isnan(lr_evaluation_metric(e, 99)));
    ck_assert(isnan(lr_evaluation_metric(NULL, LR_METRIC_NDCG)));
    /* Hit rate is per user 0 or 1. */
    ck_assert_lr_ok(lr_evaluation_user_metric(e, LR_METRIC_HITRATE, v, 3, NULL));
    ck_assert(v[0] == 1 && v[1] == 1 && v[2] == 0);
    lr_evaluation_free(e);
    lr_evaluation_free(NULL);
    lr_model_free(m);
}
END_TEST

START_TEST(errors)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = (lr_evaluation *)1;
    ck_assert_lr_fail(lr_evaluate(&e, m, train, test, 0, NULL), LR_E_INVALID, "k must be");
    ck_assert_ptr_null(e);
    ck_assert_lr_fail(lr_evaluate(&e, m, train, test, -3, NULL), LR_E_INVALID, "k must be");
    ck_assert_lr_fail(lr_evaluate(&e, NULL, train, test, 10, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_evaluate(NULL, m, train, test, 10, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_evaluate(&e, m, NULL, test, 10, NULL), LR_E_INVALID, "NULL");

    /* A model that was never fitted. */
    lr_model *unfitted;
    ck_assert_lr_ok(lr_model_new(&unfitted, LR_ALGO_POP, NULL));
    ck_assert_lr_fail(lr_evaluate(&e, unfitted, train, test, 10, NULL), LR_E_INVALID,
                      "not fitted");
    lr_model_free(unfitted);

    /* Another catalogue: one more artist. */
    static const int32_t more[] = {1, 2, 3, 4, 5, 6, 7};
    static const char *const more_names[] = {"A1", "A2", "A3", "A4", "A5", "A6", "A7"};
    tiny_spec s = {.users = users, .n_users = 4, .artists = more, .artist_names = more_names,
                   .n_artists = 7, .listens = test_listens, .n_listens = TINY_N(test_listens)};
    lr_dataset *other = tiny_build(&s);
    ck_assert_lr_fail(lr_evaluate(&e, m, train, other, 10, NULL), LR_E_INVALID, "catalogue");
    ck_assert_lr_fail(lr_evaluate(&e, m, other, test, 10, NULL), LR_E_INVALID, "catalogue");
    ck_assert(!lr__eval_same_catalogue(m, other));
    ck_assert(lr__eval_same_catalogue(m, test));
    lr_dataset_free(other);
    lr_model_free(m);
}
END_TEST

/* Nothing held out at all: no users, every average NaN, not an error. */
START_TEST(empty_test_side)
{
    lr_dataset_free(test);
    test = make(NULL, 0);
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 2);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_USERS), 0);
    ck_assert(isnan(lr_evaluation_metric(e, LR_METRIC_NDCG)));
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_USERS), 0);
    ck_assert(isnan(lr_evaluation_metric(e, LR_METRIC_COLD_RECALL)));
    size_t needed = 1;
    ck_assert_lr_ok(lr_evaluation_users(e, NULL, 0, &needed));
    ck_assert_uint_eq(needed, 0);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------- top-k */

typedef struct ranked {
    float s;
    int32_t i;
} ranked;

static int by_rule(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

/* The selection evaluation uses (lib/query's, shared with queries) against
 * a full sort by (score desc, index asc), on rows full of ties, with
 * skipped indices, NaN (never selected) and k around the row length. */
START_TEST(topk_matches_a_full_sort)
{
    enum { N = 300 };
    float scores[N];
    ranked ref[N];
    int32_t skip[N], got[N + 5];
    float got_s[N + 5];
    srand(7);
    for (int round = 0; round < 300; round++) {
        int n = 1 + rand() % N;
        int levels = 1 + rand() % 8; /* few distinct values: many ties */
        int32_t n_skip = 0, n_ref = 0;
        for (int a = 0; a < n; a++) {
            scores[a] = (float)(rand() % levels) - 2.0f;
            if (rand() % 50 == 0)
                scores[a] = NAN;
            if (rand() % 4 == 0)
                skip[n_skip++] = a;
            else if (!isnan(scores[a])) /* a score that does not exist */
                ref[n_ref++] = (ranked){scores[a], a};
        }
        qsort(ref, (size_t)n_ref, sizeof *ref, by_rule);
        int k = 1 + rand() % (n + 4);
        int c = lr__topk(k, scores, n, skip, n_skip, NULL, got_s, got);
        ck_assert_int_eq(c, k < n_ref ? k : n_ref);
        for (int r = 0; r < c; r++) {
            ck_assert_msg(got[r] == ref[r].i, "round %d rank %d: %d, want %d", round, r, got[r],
                          ref[r].i);
            ck_assert(got_s[r] == ref[r].s);
        }
    }
}
END_TEST

/* --------------------------------------- threads, progress, cancellation */

/* A synthetic data set, split, and a model with seeded random factors:
 * big enough for many blocks per thread. */
typedef struct big {
    lr_dataset *all, *train, *test;
    lr_model *m;
} big;

static big make_big(void)
{
    big b;
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, 700));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, 900));
    ck_assert_lr_ok(lr_dataset_synthesize(&b.all, o));
    ck_assert_lr_ok(lr_dataset_split(b.all, LR_SPLIT_PER_USER, o, &b.train, &b.test));
    lr_options_free(o);
    const int k = 8;
    size_t nu = (size_t)b.train->n_users * k, na = (size_t)b.train->n_artists * k;
    float *uf = malloc(nu * sizeof *uf), *af = malloc(na * sizeof *af);
    srand(11);
    for (size_t i = 0; i < nu; i++)
        uf[i] = (float)(rand() % 7 - 3); /* small integers: exact ties happen */
    for (size_t i = 0; i < na; i++)
        af[i] = (float)(rand() % 5 - 2);
    b.m = fake_model(b.train, k, uf, af, LR_TRANSFORM_LOG1P);
    free(uf);
    free(af);
    return b;
}

static void free_big(big *b)
{
    lr_model_free(b->m);
    lr_dataset_free(b->all);
    lr_dataset_free(b->train);
    lr_dataset_free(b->test);
}

START_TEST(threads_give_identical_results)
{
    big b = make_big();
    lr_evaluation *e[3];
    const int threads[3] = {1, 2, 5};
    for (int t = 0; t < 3; t++) {
        lr_options *o;
        ck_assert_lr_ok(lr_options_new(&o));
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, threads[t]));
        ck_assert_lr_ok(lr_evaluate(&e[t], b.m, b.train, b.test, 10, o));
        lr_options_free(o);
    }
    ck_assert_int_gt(e[0]->n_users, 600);
    for (int t = 1; t < 3; t++) {
        ck_assert_int_eq(e[t]->n_users, e[0]->n_users);
        for (int metric = 1; metric <= LR__METRIC_MAX; metric++) {
            double x = e[0]->metric[metric], y = e[t]->metric[metric];
            ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "metric %d: %.17g vs %.17g", metric, x, y);
            if (e[0]->per_user[metric])
                ck_assert(memcmp(e[0]->per_user[metric], e[t]->per_user[metric],
                                 (size_t)e[0]->n_users * sizeof(double)) == 0);
        }
    }
    ck_assert(isfinite(e[0]->metric[LR_METRIC_RMSE]));
    for (int t = 0; t < 3; t++)
        lr_evaluation_free(e[t]);
    free_big(&b);
}
END_TEST

/* A test side keeping only every stride-th user's held-out listens. */
static lr_dataset *every_nth_user(const lr_dataset *side, int stride)
{
    lr_dataset *sub;
    ck_assert_lr_ok(lr__dataset_copy_catalogue(&sub, side, LR_SOURCE_SPLIT, "sub"));
    const lr__csr *l = &side->listens;
    lr__triplet *t = malloc(((size_t)l->nnz + 1) * sizeof *t);
    size_t n = 0;
    for (int32_t u = 0; u < l->rows; u += stride)
        for (int64_t p = l->ptr[u]; p < l->ptr[u + 1]; p++)
            t[n++] = (lr__triplet){u, l->idx[p], l->val[p]};
    ck_assert_lr_ok(lr__csr_from_triplets(&sub->listens, l->rows, l->cols, t, n, 1, NULL));
    free(t);
    ck_assert_lr_ok(lr__dataset_derive(sub));
    return sub;
}

/* Users far apart are scored in separate runs, users a few apart together
 * with the rows between them: either way each user's values are those of
 * the full evaluation. */
START_TEST(sparse_test_sides_score_the_same)
{
    big b = make_big();
    lr_evaluation *full;
    ck_assert_lr_ok(lr_evaluate(&full, b.m, b.train, b.test, 10, NULL));
    const int strides[] = {3, 17, 40, 500};
    for (size_t s = 0; s < TINY_N(strides); s++) {
        lr_dataset *sub = every_nth_user(b.test, strides[s]);
        lr_evaluation *e;
        ck_assert_lr_ok(lr_evaluate(&e, b.m, b.train, sub, 10, NULL));
        ck_assert_int_gt(e->n_users, 0);
        for (int32_t i = 0; i < e->n_users; i++) {
            int32_t f = 0;
            while (full->user_ids[f] != e->user_ids[i])
                f++;
            for (int metric = LR_METRIC_PRECISION; metric <= LR_METRIC_HITRATE; metric++)
                ck_assert_msg(e->per_user[metric][i] == full->per_user[metric][f],
                              "stride %d user %d metric %d: %g vs %g", strides[s],
                              e->user_ids[i], metric, e->per_user[metric][i],
                              full->per_user[metric][f]);
        }
        lr_evaluation_free(e);
        lr_dataset_free(sub);
    }
    lr_evaluation_free(full);
    free_big(&b);
}
END_TEST

typedef struct seen {
    int calls, stop_at, bad_stage;
    uint64_t last, total;
} seen;

static int on_progress(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    seen *s = ud;
    if (strcmp(stage, "evaluate") != 0 || done <= s->last || done > total)
        s->bad_stage = 1;
    s->last = done;
    s->total = total;
    return ++s->calls == s->stop_at;
}

START_TEST(progress_and_cancellation)
{
    big b = make_big();
    for (int threads = 1; threads <= 2; threads++) {
        seen s = {0};
        lr_options *o;
        ck_assert_lr_ok(lr_options_new(&o));
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, threads));
        lr_options_set_progress(o, on_progress, &s);
        lr_evaluation *e;
        ck_assert_lr_ok(lr_evaluate(&e, b.m, b.train, b.test, 10, o));
        ck_assert(!s.bad_stage);
        ck_assert_int_gt(s.calls, 2);
        ck_assert_uint_eq(s.last, s.total); /* every block reported, in order */
        lr_evaluation_free(e);

        seen c = {.stop_at = 2};
        lr_options_set_progress(o, on_progress, &c);
        e = (lr_evaluation *)1;
        ck_assert_lr_fail(lr_evaluate(&e, b.m, b.train, b.test, 10, o), LR_E_CANCELLED,
                          "evaluate");
        ck_assert_ptr_null(e);
        ck_assert_int_eq(c.calls, 2); /* nothing reported after the stop */
        lr_options_free(o);
    }
    free_big(&b);
}
END_TEST

/* ------------------------------------------------------- validation hook */

/* The hook fills the validation columns with what lr_evaluate measures at
 * the model's eval_k, and for mf the mean squared error under the
 * transform (the square of its RMSE).  It runs mid-fit, on a model not yet
 * marked fitted. */
START_TEST(epoch_hook_measures_validation)
{
    lr_model *m = fake_model(train, 1, user_f, artist_f, LR_TRANSFORM_RAW);
    lr_evaluation *e = evaluate(m, 3, 1);
    m->fitted = 0;
    lr__eval_hook_ctx ctx = {train, test, 3, 2};
    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    ck_assert_lr_ok(lr__eval_epoch_hook(m, row, &ctx));
    ck_assert_double_eq(row[LR_HISTORY_VAL_NDCG - 1], lr_evaluation_metric(e, LR_METRIC_NDCG));
    ck_assert_double_eq(row[LR_HISTORY_VAL_PRECISION - 1],
                        lr_evaluation_metric(e, LR_METRIC_PRECISION));
    ck_assert_double_eq_tol(row[LR_HISTORY_VAL_LOSS - 1], 126.0 / 7, 1e-9);
    ck_assert(isnan(row[LR_HISTORY_LOSS - 1])); /* the model's columns are untouched */
    ck_assert_int_eq(m->fitted, 0);
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* Through lr_model_fit: popularity with a validation set records NDCG and
 * precision at eval_k, and no validation loss (it predicts no weights). */
START_TEST(fit_with_validation_records_metrics)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EVAL_K, 3));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(m, train, test));
    double ndcg[1], prec[1], loss[1];
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_VAL_NDCG, ndcg, 1, NULL));
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_VAL_PRECISION, prec, 1, NULL));
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_VAL_LOSS, loss, 1, NULL));
    lr_evaluation *e = evaluate(m, 3, 1);
    ck_assert_double_eq(ndcg[0], lr_evaluation_metric(e, LR_METRIC_NDCG));
    ck_assert_double_eq(prec[0], lr_evaluation_metric(e, LR_METRIC_PRECISION));
    ck_assert(isnan(loss[0]));
    lr_evaluation_free(e);
    lr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------- real data */

/* Popularity is deterministic, so its numbers on the dev split check that
 * the metrics and the tie rule are the protocol's (docs/evaluation.md). */
START_TEST(popularity_on_the_dev_split)
{
    const char *dir = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    if (!dir || !*dir || !split || !*split) {
        printf("popularity_on_the_dev_split: LASTREC_DATA or LASTREC_SPLIT is unset, skipped\n");
        return;
    }
    char path[4096];
    lr_dataset *cat, *tr, *te;
    ck_assert_lr_ok(lr_dataset_load(&cat, dir, NULL));
    snprintf(path, sizeof path, "%s/train.dat", split);
    ck_assert_lr_ok(lr_dataset_load_listens(&tr, path, cat, NULL));
    snprintf(path, sizeof path, "%s/test.dat", split);
    ck_assert_lr_ok(lr_dataset_load_listens(&te, path, cat, NULL));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, NULL));
    ck_assert_lr_ok(lr_model_fit(m, tr, NULL));
    lr_evaluation *e;
    ck_assert_lr_ok(lr_evaluate(&e, m, tr, te, 10, NULL));
    printf("pop on dev: P@10 %.6f R@10 %.6f NDCG@10 %.6f MAP@10 %.6f HR@10 %.6f Cov@10 %.6f\n",
           lr_evaluation_metric(e, LR_METRIC_PRECISION), lr_evaluation_metric(e, LR_METRIC_RECALL),
           lr_evaluation_metric(e, LR_METRIC_NDCG), lr_evaluation_metric(e, LR_METRIC_MAP),
           lr_evaluation_metric(e, LR_METRIC_HITRATE), lr_evaluation_metric(e, LR_METRIC_COVERAGE));
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_USERS), 1884);
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_PRECISION), 0.0713, 0.0005);
    ck_assert_double_eq_tol(lr_evaluation_metric(e, LR_METRIC_NDCG), 0.0808, 0.0005);
    ck_assert(isnan(lr_evaluation_metric(e, LR_METRIC_RMSE)));
    /* 2,396 held-out pairs of 1,039 users are artists nobody listened to
     * in train.dat; popularity gives them no fans and never finds one. */
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_PAIRS), 2396);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_USERS), 1039);
    ck_assert_double_eq(lr_evaluation_metric(e, LR_METRIC_COLD_RECALL), 0);
    lr_evaluation_free(e);
    lr_model_free(m);
    lr_dataset_free(tr);
    lr_dataset_free(te);
    lr_dataset_free(cat);
}
END_TEST

static Suite *eval_suite(void)
{
    Suite *s = suite_create("eval");
    TCase *tc = tcase_create("metrics");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, each_metric_by_hand);
    tcase_add_test(tc, cold_recall_by_hand);
    tcase_add_test(tc, users_without_held_out_artists_are_skipped);
    tcase_add_test(tc, ties_go_to_the_lower_artist_id);
    tcase_add_test(tc, all_equal_scores_rank_by_id);
    tcase_add_test(tc, training_artists_are_dropped);
    tcase_add_test(tc, k_beyond_the_catalogue);
    tcase_add_test(tc, rmse_under_the_transform);
    tcase_add_test(tc, rmse_is_nan_without_weight_predictions);
    tcase_add_test(tc, accessors);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, empty_test_side);
    tcase_add_test(tc, epoch_hook_measures_validation);
    tcase_add_test(tc, fit_with_validation_records_metrics);
    suite_add_tcase(s, tc);

    TCase *sel = tcase_create("topk");
    tcase_add_test(sel, topk_matches_a_full_sort);
    suite_add_tcase(s, sel);

    TCase *par = tcase_create("threads");
    tcase_add_test(par, threads_give_identical_results);
    tcase_add_test(par, sparse_test_sides_score_the_same);
    tcase_add_test(par, progress_and_cancellation);
    suite_add_tcase(s, par);

    TCase *real = tcase_create("real");
    tcase_set_timeout(real, 300);
    tcase_add_test(real, popularity_on_the_dev_split);
    suite_add_tcase(s, real);
    return s;
}

int main(void) { return lr_test_run(eval_suite()); }
