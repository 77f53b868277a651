/* The threads unit: one model shared by 8 threads, each with its own
 * query, running 1,000 mixed queries; every answer must be bit for bit the
 * single-threaded one.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"

#include <pthread.h>

#define THREADS 8
#define QUERIES 1000
#define KMAX 12
#define EMAX 3

/* What one query asks. */
typedef struct spec {
    int kind;               /* 0 user, 1 preferences, 2 similar by ID, 3 similar by name */
    int k, measure, tag;    /* tag: 1 = filter by the spec's tag */
    int32_t id;             /* user or artist ID */
    int n_pref;
    int32_t pref[6];
    double listens[6];
    char name[64];
} spec;

/* Everything a user could read from the answer. */
typedef struct answer {
    int status;
    size_t n;
    int32_t ids[KMAX];
    double scores[KMAX];
    int64_t fans[KMAX];
    size_t n_exp[KMAX];
    int32_t exp[KMAX][EMAX];
    size_t n_tag[KMAX];           /* softmax's tags: the model's strings, */
    const char *tags[KMAX][EMAX]; /* so the same pointers */
    double tag_val[KMAX][EMAX];
    int32_t resolved;
} answer;

static lr_dataset *ds;
static lr_model *model;
static spec specs[QUERIES];
static answer reference[QUERIES];
static const char *tag_name;

static void make_specs(void)
{
    uint64_t seed = 99;
    size_t nu, na;
    int32_t *uid = malloc((size_t)model->n_users * sizeof *uid);
    int32_t *aid = malloc((size_t)model->n_artists * sizeof *aid);
    ck_assert_lr_ok(lr_model_ids(model, LR_IDS_USERS, uid, (size_t)model->n_users, &nu));
    ck_assert_lr_ok(lr_model_ids(model, LR_IDS_ARTISTS, aid, (size_t)model->n_artists, &na));
    for (int i = 0; i < QUERIES; i++) {
        spec *s = &specs[i];
        s->kind = (int)(qf_next(&seed) % 4);
        s->k = 1 + (int)(qf_next(&seed) % KMAX);
        s->measure = qf_next(&seed) % 3 == 0 ? LR_MEASURE_COSINE : LR_MEASURE_DOT;
        s->tag = qf_next(&seed) % 5 == 0;
        s->id = s->kind == 0 ? uid[qf_next(&seed) % nu] : aid[qf_next(&seed) % na];
        s->n_pref = 1 + (int)(qf_next(&seed) % 6);
        for (int j = 0; j < s->n_pref; j++) {
            s->pref[j] = aid[qf_next(&seed) % na];
            s->listens[j] = (double)(1 + qf_next(&seed) % 5000);
        }
        /* the first three letters of an artist's name: usually ambiguous,
         * which similar-by-name resolves to the best candidate */
        snprintf(s->name, 4, "%s", lr_dataset_artist_name(ds, s->id));
    }
    free(uid);
    free(aid);
}

static void run(lr_query *q, const spec *s, answer *a)
{
    memset(a, 0, sizeof *a);
    a->status = lr_query_set_int(q, LR_QUERY_K, s->k);
    if (!a->status)
        a->status = lr_query_set_int(q, LR_QUERY_MEASURE, s->measure);
    if (!a->status)
        a->status = lr_query_set_tag(q, s->tag ? tag_name : NULL);
    if (a->status)
        return;
    switch (s->kind) {
    case 0:
        a->status = lr_query_recommend_user(q, s->id, &a->n);
        break;
    case 1:
        lr_query_clear_preferences(q);
        for (int j = 0; j < s->n_pref && !a->status; j++)
            a->status = lr_query_add_preference(q, s->pref[j], s->listens[j]);
        if (!a->status)
            a->status = lr_query_recommend_preferences(q, &a->n);
        break;
    case 2:
        a->status = lr_query_similar(q, s->id, &a->n);
        break;
    default:
        a->status = lr_query_similar_name(q, s->name, &a->resolved, &a->n);
        break;
    }
    for (size_t r = 0; r < a->n; r++) {
        lr_query_result(q, r, &a->ids[r], &a->scores[r]);
        a->fans[r] = lr_query_result_fans(q, r);
        lr_query_result_explanation(q, r, a->exp[r], NULL, EMAX, &a->n_exp[r]);
        lr_query_result_tag_explanation(q, r, a->tags[r], a->tag_val[r], EMAX, &a->n_tag[r]);
    }
}

/* recommend_all's whole table, single- or multi-threaded. */
#define ALL_K 10
static int32_t *all_reference;
static size_t all_cells;

static int recommend_all(lr_query *q, int threads, int32_t *ids, float *scores)
{
    lr_options *o = NULL;
    int rc = lr_options_new(&o);
    if (!rc)
        rc = lr_options_set_int(o, LR_OPT_THREADS, threads);
    if (!rc)
        rc = lr_query_set_int(q, LR_QUERY_K, ALL_K);
    if (!rc)
        rc = lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_DOT);
    if (!rc)
        rc = lr_query_set_tag(q, NULL); /* each worker's last query left its own settings */
    size_t needed = 0;
    if (!rc)
        rc = lr_query_recommend_all(q, o, ids, scores, all_cells, &needed);
    lr_options_free(o);
    return rc ? rc : (needed == all_cells ? LR_OK : LR_E_INVALID);
}

typedef struct worker_arg {
    int t;
    int mismatches;
    int first_bad;
} worker_arg;

static void *worker(void *p)
{
    worker_arg *w = p;
    lr_query *q;
    if (lr_query_new(&q, model) != LR_OK) {
        w->mismatches = -1;
        return NULL;
    }
    w->first_bad = -1;
    /* each thread starts elsewhere in the list, so different kinds of
     * query run at the same time */
    for (int j = 0; j < QUERIES; j++) {
        int i = (j + w->t * (QUERIES / THREADS)) % QUERIES;
        answer a;
        run(q, &specs[i], &a);
        if (memcmp(&a, &reference[i], sizeof a) != 0) {
            if (w->first_bad < 0)
                w->first_bad = i;
            w->mismatches++;
        }
    }
    /* and every user's top 10 at once, on two threads of its own */
    int32_t *ids = malloc(all_cells * sizeof *ids);
    float *scores = malloc(all_cells * sizeof *scores);
    if (!ids || !scores || recommend_all(q, 2, ids, scores) != LR_OK ||
        memcmp(ids, all_reference, all_cells * sizeof *ids) != 0) {
        if (w->first_bad < 0)
            w->first_bad = QUERIES; /* "query 1000": recommend_all */
        w->mismatches++;
    }
    free(ids);
    free(scores);
    lr_query_free(q);
    return NULL;
}

/* One evaluating thread next to the querying ones: lr_evaluate shares the
 * model read-only and runs threads of its own. */
typedef struct eval_arg {
    const lr_dataset *train, *test;
    double ndcg;       /* the single-threaded value to match */
    int runs, mismatches, status;
} eval_arg;

static double evaluate(const lr_dataset *train, const lr_dataset *test, int threads,
                       int *status)
{
    lr_options *o = NULL;
    lr_evaluation *e = NULL;
    *status = lr_options_new(&o);
    if (!*status)
        *status = lr_options_set_int(o, LR_OPT_THREADS, threads);
    if (!*status)
        *status = lr_evaluate(&e, model, train, test, 10, o);
    double v = *status ? -1 : lr_evaluation_metric(e, LR_METRIC_NDCG);
    lr_evaluation_free(e);
    lr_options_free(o);
    return v;
}

static void *evaluator(void *p)
{
    eval_arg *a = p;
    for (int r = 0; r < a->runs && !a->status; r++)
        a->mismatches += evaluate(a->train, a->test, 2, &a->status) != a->ndcg;
    return NULL;
}

static void check_threads(int with_evaluation)
{
    make_specs();
    lr_query *q = qf_query(model);
    int ok = 0;
    for (int i = 0; i < QUERIES; i++) {
        run(q, &specs[i], &reference[i]);
        ok += reference[i].status == LR_OK && reference[i].n > 0;
    }
    all_cells = (size_t)model->n_users * ALL_K;
    all_reference = malloc(all_cells * sizeof *all_reference);
    float *all_scores = malloc(all_cells * sizeof *all_scores);
    ck_assert_lr_ok(recommend_all(q, 1, all_reference, all_scores));
    free(all_scores);
    lr_query_free(q);
    ck_assert_int_gt(ok, QUERIES / 2); /* the mix really queries */

    lr_dataset *train = NULL, *test = NULL;
    eval_arg ev = {.runs = 3};
    pthread_t eval_th;
    if (with_evaluation) {
        lr_options *o = NULL;
        ck_assert_lr_ok(lr_options_new(&o));
        ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 3));
        ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, o, &train, &test));
        lr_options_free(o);
        ev.train = train;
        ev.test = test;
        ev.ndcg = evaluate(train, test, 1, &ev.status);
        ck_assert_lr_ok(ev.status);
        ck_assert(ev.ndcg > 0);
        ck_assert_int_eq(pthread_create(&eval_th, NULL, evaluator, &ev), 0);
    }
    pthread_t th[THREADS];
    worker_arg args[THREADS];
    for (int t = 0; t < THREADS; t++) {
        args[t] = (worker_arg){t, 0, -1};
        ck_assert_int_eq(pthread_create(&th[t], NULL, worker, &args[t]), 0);
    }
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    if (with_evaluation)
        pthread_join(eval_th, NULL);
    for (int t = 0; t < THREADS; t++)
        ck_assert_msg(args[t].mismatches == 0,
                      "thread %d: %d answers differ from the single-threaded ones (first: query %d)",
                      t, args[t].mismatches, args[t].first_bad);
    ck_assert_lr_ok(ev.status);
    ck_assert_msg(ev.mismatches == 0, "%d of %d evaluations beside the queries differ",
                  ev.mismatches, ev.runs);
    free(all_reference);
    all_reference = NULL;
    lr_dataset_free(train);
    lr_dataset_free(test);
}

static void setup(void)
{
    ds = qf_synthetic(300, 2000, 5);
    /* a tag from the middle of the list: most artists do not carry it, so
     * the filter bites */
    size_t n = (size_t)lr_dataset_count(ds, LR_COUNT_TAGS);
    ck_assert_uint_gt(n, 0);
    int32_t *ids = malloc(n * sizeof *ids);
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_TAGS, ids, n, NULL));
    tag_name = lr_dataset_tag_name(ds, ids[n / 2]);
    free(ids);
    ck_assert_ptr_nonnull(tag_name);
}

static void teardown(void)
{
    lr_model_free(model);
    lr_dataset_free(ds);
    model = NULL;
    ds = NULL;
}

START_TEST(als_shared_by_8_threads)
{
    model = qf_factors(ds, LR_ALGO_ALS, 32, 31);
    qf_set(model, LR_OPT_REGULARIZATION, 2.0);
    qf_set(model, LR_OPT_ALPHA, 3.0);
    check_threads(0);
}
END_TEST

START_TEST(ease_shared_by_8_threads)
{
    model = qf_ease(ds, 7, 32);
    check_threads(0);
}
END_TEST

START_TEST(blend_shared_by_8_threads)
{
    model = qf_blend(ds, 1.0);
    check_threads(0);
}
END_TEST

/* Issue 14: 8 threads query one loaded model (users, preferences,
 * similar by ID and by name, explanations, recommend_all) while a ninth
 * evaluates it; every answer and every evaluation is the single-threaded
 * one, and the ThreadSanitizer build (scripts/test) sees no race. */
START_TEST(queried_by_8_threads_while_evaluated)
{
    model = qf_factors(ds, LR_ALGO_ALS, 32, 31);
    qf_set(model, LR_OPT_REGULARIZATION, 2.0);
    qf_set(model, LR_OPT_ALPHA, 3.0);
    check_threads(1);
}
END_TEST

/* softmax folds preferences in through its tower: one scratch per query,
 * the tower only read */
START_TEST(softmax_shared_by_8_threads)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "factors=16,hidden_width=24,tag_dim=6,epochs=2,"
                                             "threads=2,seed=3"));
    ck_assert_lr_ok(lr_model_new(&model, LR_ALGO_SOFTMAX, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(model, ds, NULL));
    check_threads(1);
    int tagged = 0;
    for (int i = 0; i < QUERIES; i++)
        tagged += reference[i].n > 0 && reference[i].n_tag[0] > 0;
    ck_assert_int_gt(tagged, 0); /* the tags' explanations were compared too */
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *s = suite_create("query_threads");
    TCase *tc = tcase_create("threads");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, als_shared_by_8_threads);
    tcase_add_test(tc, ease_shared_by_8_threads);
    tcase_add_test(tc, blend_shared_by_8_threads);
    tcase_add_test(tc, softmax_shared_by_8_threads);
    tcase_add_test(tc, queried_by_8_threads_while_evaluated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(threads_suite()); }
