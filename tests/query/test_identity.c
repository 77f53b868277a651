/* The identity unit: a user's scores and top k are the same bits however
 * they are asked for, for every algorithm (docs/api.md, "Determinism"):
 * alone or in a block of any size starting anywhere (lr__model_score_users,
 * the routine every path goes through), through lr_query_recommend_user,
 * lr_query_recommend_all and lr_evaluate, on 1, 2 or 3 threads, and from
 * queries on several threads at once.  Exact comparisons only: a result
 * that depended on how users were batched, or on which kernel OpenBLAS
 * picked for a shape, would differ in the last bits somewhere here.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "data/dataset.h"
#include "model/model.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define K 10

static const int algos[] = {LR_ALGO_POP,  LR_ALGO_MF,    LR_ALGO_ALS,    LR_ALGO_BPR,
                            LR_ALGO_EASE, LR_ALGO_BLEND, LR_ALGO_SOFTMAX};
#define N_ALGOS ((int)(sizeof algos / sizeof algos[0]))

/* More users than a block of recommend_all or lr_evaluate (128), and a
 * catalogue that is not a multiple of any vector width. */
static lr_dataset *train, *test;

static void setup(void)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "synth_users=290,synth_artists=613,seed=17"));
    lr_dataset *all;
    ck_assert_lr_ok(lr_dataset_synthesize(&all, o));
    ck_assert_lr_ok(lr_dataset_split(all, LR_SPLIT_PER_USER, o, &train, &test));
    lr_dataset_free(all);
    lr_options_free(o);
}

static void teardown(void)
{
    lr_dataset_free(train);
    lr_dataset_free(test);
}

static lr_options *opts(const char *text)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, text));
    return o;
}

static lr_model *fit(int algo, int threads)
{
    char text[160];
    snprintf(text, sizeof text, "threads=%d,seed=5%s", threads,
             algo == LR_ALGO_POP    ? ""
             : algo == LR_ALGO_EASE ? ",min_listeners=1"
             : algo == LR_ALGO_BLEND ? ",factors=7,epochs=3,min_listeners=1"
             : algo == LR_ALGO_SOFTMAX ? ",factors=13,epochs=3,hidden_width=16,tag_dim=4"
                                    : ",factors=13,epochs=4");
    lr_options *o = opts(text);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    lr_options_free(o);
    return m;
}

/* Every user's scores, one user per call: the reference. */
static float *scores_one_by_one(const lr_model *m)
{
    const size_t na = (size_t)m->n_artists;
    float *ref = malloc((size_t)m->n_users * na * sizeof *ref);
    ck_assert_ptr_nonnull(ref);
    for (int32_t u = 0; u < m->n_users; u++)
        ck_assert_lr_ok(lr__model_score_users(m, u, 1, ref + (size_t)u * na));
    return ref;
}

/* Blocks of 1, 2, 3, 7, 64, 65 users and the whole set, starting at odd
 * offsets (and at 0 and at the end), give each user the row the user gets
 * alone. */
START_TEST(blocks_equal_single_users)
{
    lr_model *m = fit(algos[_i], 1);
    const int32_t nu = m->n_users;
    const size_t na = (size_t)m->n_artists;
    float *ref = scores_one_by_one(m);
    float *got = malloc((size_t)nu * na * sizeof *got);
    static const int32_t sizes[] = {1, 2, 3, 7, 64, 65, 0 /* all */};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int32_t n = sizes[s] ? sizes[s] : nu;
        const int32_t starts[] = {0, 1, 3, 37, 129, nu - n};
        for (size_t t = 0; t < sizeof starts / sizeof starts[0]; t++) {
            const int32_t u0 = starts[t];
            if (u0 + n > nu)
                continue;
            ck_assert_lr_ok(lr__model_score_users(m, u0, n, got));
            for (int32_t i = 0; i < n; i++)
                ck_assert_msg(memcmp(got + (size_t)i * na, ref + (size_t)(u0 + i) * na,
                                     na * sizeof *got) == 0,
                              "%s: user %d differs in the block of %d from %d",
                              lr_algorithm_name(algos[_i]), u0 + i, n, u0);
        }
    }
    free(got);
    free(ref);
    lr_model_free(m);
}
END_TEST

/* The top K of a reference row as recommendations rank it: training
 * artists left out, higher scores first, equal scores by artist ID. */
static int32_t top_of(const lr_model *m, int32_t u, const float *row, int32_t *idx)
{
    int32_t n = 0;
    for (int32_t a = 0; a < m->n_artists; a++) {
        if (lr__csr_find(&m->train, u, a) >= 0 || isnan(row[a]))
            continue;
        int32_t at = n < K ? n++ : K;
        if (at == K && !(row[a] > row[idx[K - 1]]))
            continue;
        if (at == K)
            at = K - 1;
        while (at > 0 && row[a] > row[idx[at - 1]]) {
            idx[at] = idx[at - 1];
            at--;
        }
        idx[at] = a;
    }
    return n;
}

/* lr_query_recommend_user's answer for every user, at q's settings. */
static void ask_each_user(lr_query *q, const lr_model *m, int32_t *ids, float *sc)
{
    for (int32_t u = 0; u < m->n_users; u++) {
        size_t n;
        ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[u], &n));
        for (size_t r = 0; r < K; r++) {
            double s = NAN;
            int32_t id = -1;
            if (r < n)
                ck_assert_lr_ok(lr_query_result(q, r, &id, &s));
            ids[(size_t)u * K + r] = id;
            sc[(size_t)u * K + r] = (float)s;
        }
    }
}

static void assert_same(const int32_t *ia, const float *sa, const int32_t *ib, const float *sb,
                        size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(ia[i] == ib[i] && memcmp(&sa[i], &sb[i], sizeof *sa) == 0,
                      "%s: user %zu rank %zu: %d (%.9g) against %d (%.9g)", what, i / K, i % K,
                      ia[i], (double)sa[i], ib[i], (double)sb[i]);
}

typedef struct asker {
    const lr_model *m;
    int measure;
    int32_t *ids;
    float *sc;
} asker;

static void *ask_thread(void *p)
{
    asker *a = p;
    lr_query *q;
    if (lr_query_new(&q, a->m) != LR_OK || lr_query_set_int(q, LR_QUERY_K, K) != LR_OK ||
        lr_query_set_int(q, LR_QUERY_MEASURE, a->measure) != LR_OK)
        return (void *)1;
    for (int32_t u = 0; u < a->m->n_users; u++) {
        size_t n;
        if (lr_query_recommend_user(q, a->m->user_ids[u], &n) != LR_OK)
            return (void *)1;
        for (size_t r = 0; r < K; r++) {
            double s = NAN;
            int32_t id = -1;
            if (r < n)
                lr_query_result(q, r, &id, &s);
            a->ids[(size_t)u * K + r] = id;
            a->sc[(size_t)u * K + r] = (float)s;
        }
    }
    lr_query_free(q);
    return NULL;
}

/* A single user's query ranks the reference row; recommend_all on 1, 2
 * and 3 threads, and single queries on three threads at once, give the
 * same artists and the same score bits; for factor models also by
 * cosine. */
START_TEST(query_paths_agree)
{
    lr_model *m = fit(algos[_i], 1);
    const char *name = lr_algorithm_name(algos[_i]);
    const size_t nu = (size_t)m->n_users, na = (size_t)m->n_artists;
    float *ref = scores_one_by_one(m);
    int32_t *ids = malloc(nu * K * sizeof *ids), *all = malloc(nu * K * sizeof *all);
    float *sc = malloc(nu * K * sizeof *sc), *asc = malloc(nu * K * sizeof *asc);
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, K));
    const int measures = lr__model_has_factors(m) ? 2 : 1;
    for (int measure = LR_MEASURE_DOT; measure < LR_MEASURE_DOT + measures; measure++) {
        ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_MEASURE, measure));
        ask_each_user(q, m, ids, sc);
        if (measure == LR_MEASURE_DOT)
            for (int32_t u = 0; u < (int32_t)nu; u++) {
                int32_t top[K];
                const float *row = ref + (size_t)u * na;
                const int32_t n = top_of(m, u, row, top);
                for (int32_t r = 0; r < K; r++) {
                    const size_t at = (size_t)u * K + (size_t)r;
                    if (r >= n) {
                        ck_assert_int_eq(ids[at], -1);
                        continue;
                    }
                    ck_assert_msg(ids[at] == m->artist_ids[top[r]] &&
                                      memcmp(&sc[at], &row[top[r]], sizeof *sc) == 0,
                                  "%s: user %d rank %d: the query says %d (%.9g), the scores %d "
                                  "(%.9g)",
                                  name, u, r, ids[at], (double)sc[at], m->artist_ids[top[r]],
                                  (double)row[top[r]]);
                }
            }
        for (int threads = 1; threads <= 3; threads++) {
            char text[32];
            snprintf(text, sizeof text, "threads=%d", threads);
            lr_options *o = opts(text);
            ck_assert_lr_ok(lr_query_recommend_all(q, o, all, asc, nu * K, NULL));
            lr_options_free(o);
            char what[96];
            snprintf(what, sizeof what, "%s, measure %d, recommend_all on %d threads", name,
                     measure, threads);
            assert_same(ids, sc, all, asc, nu * K, what);
        }
        asker a[3];
        pthread_t th[3];
        for (int t = 0; t < 3; t++) {
            a[t] = (asker){m, measure, malloc(nu * K * sizeof(int32_t)),
                           malloc(nu * K * sizeof(float))};
            ck_assert_int_eq(pthread_create(&th[t], NULL, ask_thread, &a[t]), 0);
        }
        for (int t = 0; t < 3; t++) {
            void *rv;
            ck_assert_int_eq(pthread_join(th[t], &rv), 0);
            ck_assert_ptr_null(rv);
            assert_same(ids, sc, a[t].ids, a[t].sc, nu * K, "a query on another thread");
            free(a[t].ids);
            free(a[t].sc);
        }
    }
    lr_query_free(q);
    free(ids);
    free(all);
    free(sc);
    free(asc);
    free(ref);
    lr_model_free(m);
}
END_TEST

/* A shallow copy of test with the held-out listens of users [u0, u0 + n)
 * only: lr_evaluate then scores just that stretch.  Free with
 * free_subset. */
static lr_dataset *subset(int32_t u0, int32_t n)
{
    lr_dataset *s = malloc(sizeof *s);
    ck_assert_ptr_nonnull(s);
    *s = *test;
    const lr__csr *x = &test->listens;
    lr__csr *c = &s->listens;
    c->ptr = calloc((size_t)x->rows + 1, sizeof *c->ptr);
    c->idx = malloc((size_t)x->nnz * sizeof *c->idx + 1);
    c->val = malloc((size_t)x->nnz * sizeof *c->val + 1);
    int64_t e = 0;
    for (int32_t u = 0; u < x->rows; u++) {
        if (u >= u0 && u < u0 + n)
            for (int64_t p = x->ptr[u]; p < x->ptr[u + 1]; p++, e++) {
                c->idx[e] = x->idx[p];
                c->val[e] = x->val[p];
            }
        c->ptr[u + 1] = e;
    }
    c->nnz = e;
    return s;
}

static void free_subset(lr_dataset *s)
{
    free(s->listens.ptr);
    free(s->listens.idx);
    free(s->listens.val);
    free(s);
}

static lr_evaluation *evaluate(const lr_model *m, const lr_dataset *t, int threads)
{
    char text[32];
    snprintf(text, sizeof text, "threads=%d", threads);
    lr_options *o = opts(text);
    lr_evaluation *e;
    ck_assert_lr_ok(lr_evaluate(&e, m, train, t, K, o));
    lr_options_free(o);
    return e;
}

static const int per_user[] = {LR_METRIC_PRECISION, LR_METRIC_RECALL, LR_METRIC_NDCG,
                               LR_METRIC_MAP, LR_METRIC_HITRATE};
#define N_PER_USER (sizeof per_user / sizeof per_user[0])

static double *user_values(const lr_evaluation *e, int metric, size_t *n)
{
    ck_assert_lr_fail(lr_evaluation_user_metric(e, metric, NULL, 0, n), LR_E_BUFSIZE, "");
    double *v = malloc((*n + 1) * sizeof *v);
    ck_assert_lr_ok(lr_evaluation_user_metric(e, metric, v, *n, NULL));
    return v;
}

static int32_t *user_ids_of(const lr_evaluation *e, size_t n)
{
    int32_t *v = malloc((n + 1) * sizeof *v);
    ck_assert_lr_ok(lr_evaluation_users(e, v, n, NULL));
    return v;
}

/* lr_evaluate gives every user the same values on 1, 2 and 3 threads and
 * when only a stretch of users (1, 2, 3, 7, 64 or 65 from an odd offset)
 * is evaluated; and a user's precision and hit come from the same top K
 * that lr_query_recommend_user returns. */
START_TEST(evaluation_agrees)
{
    lr_model *m = fit(algos[_i], 1);
    const char *name = lr_algorithm_name(algos[_i]);
    lr_evaluation *full = evaluate(m, test, 1);
    size_t n;
    double *vals[N_PER_USER];
    for (size_t j = 0; j < N_PER_USER; j++)
        vals[j] = user_values(full, per_user[j], &n);
    int32_t *users = user_ids_of(full, n);
    ck_assert_uint_gt(n, 200);
    for (int threads = 2; threads <= 3; threads++) {
        lr_evaluation *e = evaluate(m, test, threads);
        for (size_t j = 0; j < N_PER_USER; j++) {
            size_t n2;
            double *v = user_values(e, per_user[j], &n2);
            ck_assert_uint_eq(n2, n);
            ck_assert_msg(memcmp(v, vals[j], n * sizeof *v) == 0,
                          "%s: metric %d differs on %d threads", name, per_user[j], threads);
            double a = lr_evaluation_metric(e, per_user[j]),
                   b = lr_evaluation_metric(full, per_user[j]);
            ck_assert(memcmp(&a, &b, sizeof a) == 0);
            free(v);
        }
        lr_evaluation_free(e);
    }
    static const int32_t sizes[] = {1, 2, 3, 7, 64, 65};
    static const int32_t starts[] = {1, 3, 37, 129};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (size_t t = 0; t < sizeof starts / sizeof starts[0]; t++) {
            const int32_t u0 = starts[t], nn = sizes[s];
            if (u0 + nn > m->n_users)
                continue;
            lr_dataset *sub = subset(u0, nn);
            lr_evaluation *e = evaluate(m, sub, 1 + (int)(s + t) % 3);
            for (size_t j = 0; j < N_PER_USER; j++) {
                size_t ns;
                double *v = user_values(e, per_user[j], &ns);
                int32_t *su = user_ids_of(e, ns);
                for (size_t i = 0, at = 0; i < ns; i++) {
                    while (at < n && users[at] != su[i])
                        at++;
                    ck_assert_uint_lt(at, n);
                    ck_assert_msg(memcmp(&v[i], &vals[j][at], sizeof v[i]) == 0,
                                  "%s: user %d, metric %d: %.17g alone in %d from %d, %.17g in "
                                  "the whole set",
                                  name, su[i], per_user[j], v[i], nn, u0, vals[j][at]);
                }
                free(v);
                free(su);
            }
            lr_evaluation_free(e);
            free_subset(sub);
        }
    /* the evaluation's hits are the query's */
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, K));
    for (size_t i = 0; i < n; i++) {
        size_t got;
        ck_assert_lr_ok(lr_query_recommend_user(q, users[i], &got));
        const int32_t u = lr__index_of(m->user_ids, m->n_users, users[i]);
        int hits = 0;
        for (size_t r = 0; r < got; r++) {
            int32_t id;
            ck_assert_lr_ok(lr_query_result(q, r, &id, NULL));
            hits += lr__csr_find(&test->listens, u,
                                 lr__index_of(m->artist_ids, m->n_artists, id)) >= 0;
        }
        const double p = (double)hits / K, hr = hits > 0;
        ck_assert_msg(memcmp(&p, &vals[0][i], sizeof p) == 0 &&
                          memcmp(&hr, &vals[4][i], sizeof hr) == 0,
                      "%s: user %d: %d hits in the query's top %d, precision %.17g in the "
                      "evaluation",
                      name, users[i], hits, K, vals[0][i]);
    }
    lr_query_free(q);
    for (size_t j = 0; j < N_PER_USER; j++)
        free(vals[j]);
    free(users);
    lr_evaluation_free(full);
    lr_model_free(m);
}
END_TEST

/* Every algorithm but bpr fits the same model on 1, 2 and 3 threads (bpr:
 * the same model for the same thread count; tests/model/test_bpr.c). */
START_TEST(fits_ignore_thread_count)
{
    if (algos[_i] == LR_ALGO_BPR)
        return;
    lr_model *m1 = fit(algos[_i], 1);
    float *ref = scores_one_by_one(m1);
    const size_t cells = (size_t)m1->n_users * (size_t)m1->n_artists;
    for (int threads = 2; threads <= 3; threads++) {
        lr_model *m = fit(algos[_i], threads);
        float *got = scores_one_by_one(m);
        ck_assert_msg(memcmp(got, ref, cells * sizeof *got) == 0,
                      "%s: the model fitted on %d threads scores differently",
                      lr_algorithm_name(algos[_i]), threads);
        free(got);
        lr_model_free(m);
    }
    free(ref);
    lr_model_free(m1);
}
END_TEST

/* The suites promise the same bits on 1, 2 and 3 threads: 3 must mean 3
 * workers even on a 2-core machine, where lr__opt_threads would cut it. */
START_TEST(three_threads_mean_three_workers)
{
    lr_options *o = opts("threads=3");
    ck_assert_int_eq(lr__opt_threads(o), 3);
    lr_options_free(o);
}
END_TEST

int main(void)
{
    lr__opt_threads_uncap(1);
    Suite *s = suite_create("identity");
    TCase *t = tcase_create("same bits");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, three_threads_mean_three_workers);
    tcase_add_loop_test(t, blocks_equal_single_users, 0, N_ALGOS);
    tcase_add_loop_test(t, query_paths_agree, 0, N_ALGOS);
    tcase_add_loop_test(t, evaluation_agrees, 0, N_ALGOS);
    tcase_add_loop_test(t, fits_ignore_thread_count, 0, N_ALGOS);
    suite_add_tcase(s, t);
    return lr_test_run(s);
}
