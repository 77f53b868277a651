/* The public model API, as a caller sees it, for every algorithm that fits
 * in this tree: names, creation, options and their per-algorithm defaults,
 * the fit protocol (once, non-empty data, one catalogue, cancellation),
 * embeddings, IDs, history, and bit-identical determinism.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "../data/tiny.h"

#include "lastrec.h"
#include "model/model.h"

#include <math.h>

static const int algos[] = {LR_ALGO_POP, LR_ALGO_MF,   LR_ALGO_ALS,
                            LR_ALGO_BPR, LR_ALGO_EASE, LR_ALGO_SOFTMAX};
static const char *const algo_names[] = {"pop", "mf", "als", "bpr", "ease", "softmax"};
#define N_ALGOS ((int)(sizeof algos / sizeof algos[0]))

static int has_factors(int algo)
{
    return algo == LR_ALGO_MF || algo == LR_ALGO_ALS || algo == LR_ALGO_BPR ||
           algo == LR_ALGO_SOFTMAX;
}

/* --------------------------------------------------------------- fixtures */

static lr_options *options(const char *settings)
{
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, settings));
    return o;
}

static lr_dataset *synthesize(const char *settings)
{
    lr_options *o = options(settings);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

/* A small synthetic data set split per user. */
static lr_dataset *train, *test;

static void split_setup(void)
{
    lr_dataset *ds = synthesize("seed=3,synth_users=90,synth_artists=220,synth_tags=30,"
                                "synth_clusters=4,synth_artists_per_user=15");
    lr_options *o = options("seed=4");
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, o, &train, &test));
    lr_options_free(o);
    lr_dataset_free(ds);
}

static void split_teardown(void)
{
    lr_dataset_free(train);
    lr_dataset_free(test);
    train = test = NULL;
}

/* Quick settings every algorithm accepts. */
#define QUICK "factors=8,epochs=3,threads=2"

/* A model of algo fitted with settings, or NULL with a note while the
 * algorithm is not built in this tree. */
static lr_model *fit_or_skip(int algo, const char *settings, const lr_dataset *validation,
                             const char *test_name)
{
    lr_options *o = options(settings);
    lr_model *m = NULL;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    lr_options_free(o);
    int rc = lr_model_fit(m, train, validation);
    if (rc == LR_E_UNSUPPORTED) {
        printf("note: %s: %s cannot be fitted in this tree yet; skipped\n", test_name,
               lr_algorithm_name(algo));
        lr_model_free(m);
        return NULL;
    }
    ck_assert_msg(rc == LR_OK, "fit %s: %s", lr_algorithm_name(algo), lr_last_error());
    ck_assert_int_eq(lr_model_is_fitted(m), 1);
    return m;
}

/* ------------------------------------------------------------------ names */

START_TEST(algorithm_names)
{
    for (int i = 0; i < N_ALGOS; i++) {
        ck_assert_str_eq(lr_algorithm_name(algos[i]), algo_names[i]);
        int a = 0;
        ck_assert_lr_ok(lr_algorithm_lookup(algo_names[i], &a));
        ck_assert_int_eq(a, algos[i]);
    }
    ck_assert_ptr_null(lr_algorithm_name(0));
    ck_assert_ptr_null(lr_algorithm_name(8));
    ck_assert_ptr_null(lr_algorithm_name(-1));
    int a = -5;
    ck_assert_lr_fail(lr_algorithm_lookup("svd", &a), LR_E_NOTFOUND, "'svd'");
    /* The message lists what is known. */
    for (int i = 0; i < N_ALGOS; i++)
        ck_assert_msg(strstr(lr_last_error(), algo_names[i]), "'%s' lacks %s",
                      lr_last_error(), algo_names[i]);
    ck_assert_int_eq(a, -5);
    ck_assert_lr_fail(lr_algorithm_lookup("", &a), LR_E_NOTFOUND, "known");
    ck_assert_lr_fail(lr_algorithm_lookup(NULL, &a), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_algorithm_lookup("als", NULL), LR_E_INVALID, "NULL");
}
END_TEST

START_TEST(model_new_checks)
{
    lr_model *m = (lr_model *)&m;
    static const int bad[] = {0, 8, -1, 99};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_lr_fail(lr_model_new(&m, bad[i], NULL), LR_E_INVALID, "unknown algorithm");
        ck_assert_ptr_null(m);
    }
    ck_assert_lr_fail(lr_model_new(NULL, LR_ALGO_POP, NULL), LR_E_INVALID, "NULL");
    for (int i = 0; i < N_ALGOS; i++) {
        ck_assert_lr_ok(lr_model_new(&m, algos[i], NULL));
        ck_assert_int_eq(lr_model_algorithm(m), algos[i]);
        ck_assert_int_eq(lr_model_is_fitted(m), 0);
        lr_model_free(m);
    }
    ck_assert_int_eq(lr_model_algorithm(NULL), 0);
    ck_assert_int_eq(lr_model_is_fitted(NULL), 0);
    lr_model_free(NULL);
}
END_TEST

/* ---------------------------------------------------------------- options */

/* A value of key inside its bounds that differs from both given values. */
static double other_value(int key, double x, double y)
{
    int type;
    double lo, hi;
    ck_assert_lr_ok(lr_option_info(key, NULL, &type, &lo, &hi, NULL));
    double mid = type == LR_OPTTYPE_INT ? floor(lo + (hi - lo) / 2) : lo + (hi - lo) / 2;
    const double cand[] = {lo, hi, mid, mid + 1};
    for (int i = 0; i < 4; i++)
        if (cand[i] >= lo && cand[i] <= hi && cand[i] != x && cand[i] != y)
            return cand[i];
    /* A two-valued option (optimizer: 1 or 2) whose default the algorithm
     * replaced: differing from the model's value is what matters. */
    return x == lo ? hi : lo;
}

static lr_model *new_model(int algo, const lr_options *o)
{
    lr_model *m = NULL;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    return m;
}

START_TEST(options_defaults_and_explicit_values)
{
    int algo = algos[_i];
    lr_model *dflt = new_model(algo, NULL);
    int overridden = 0;
    for (size_t i = 0; lr_option_key_at(i); i++) {
        int key = lr_option_key_at(i);
        const char *name;
        double lo, hi, generic, v;
        ck_assert_lr_ok(lr_option_info(key, &name, NULL, &lo, &hi, &generic));
        ck_assert_lr_ok(lr_model_option(dflt, key, &v));
        ck_assert_msg(v >= lo && v <= hi, "%s: default %s = %g outside [%g, %g]",
                      algo_names[_i], name, v, lo, hi);
        /* Popularity has no settings of its own. */
        if (algo == LR_ALGO_POP)
            ck_assert_msg(v == generic, "pop changes the default of %s", name);
        /* A value the caller sets wins over every default... */
        lr_options *o = NULL;
        ck_assert_lr_ok(lr_options_new(&o));
        double x = other_value(key, v, generic);
        ck_assert_lr_ok(lr_options_set_double(o, key, x));
        lr_model *m = new_model(algo, o);
        double got;
        ck_assert_lr_ok(lr_model_option(m, key, &got));
        ck_assert_msg(got == x, "%s: %s set to %g, model has %g", algo_names[_i], name, x, got);
        lr_model_free(m);
        /* ...even when it is the generic default the algorithm replaces. */
        if (v != generic) {
            overridden++;
            ck_assert_lr_ok(lr_options_set_double(o, key, generic));
            m = new_model(algo, o);
            ck_assert_lr_ok(lr_model_option(m, key, &got));
            ck_assert_msg(got == generic, "%s: %s explicitly %g, model has %g", algo_names[_i],
                          name, generic, got);
            lr_model_free(m);
        }
        lr_options_free(o);
    }
    if (overridden)
        printf("%s replaces %d generic defaults\n", algo_names[_i], overridden);
    double v;
    ck_assert_lr_fail(lr_model_option(dflt, 12345, &v), LR_E_INVALID, "12345");
    ck_assert_lr_fail(lr_model_option(dflt, LR_OPT_SEED, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_model_option(NULL, LR_OPT_SEED, &v), LR_E_INVALID, "NULL");
    lr_model_free(dflt);
}
END_TEST

START_TEST(options_are_copied)
{
    lr_options *o = options("seed=17");
    lr_model *m = new_model(LR_ALGO_ALS, o);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 18));
    lr_options_free(o);
    double v;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_SEED, &v));
    ck_assert(v == 17);
    lr_model_free(m);
}
END_TEST

/* -------------------------------------------------------------------- fit */

START_TEST(fit_once)
{
    lr_model *m = fit_or_skip(LR_ALGO_POP, "", NULL, "fit_once");
    ck_assert_lr_fail(lr_model_fit(m, train, NULL), LR_E_INVALID, "already fitted");
    ck_assert_int_eq(lr_model_is_fitted(m), 1);
    lr_model_free(m);
}
END_TEST

START_TEST(fit_argument_checks)
{
    lr_model *m = new_model(LR_ALGO_POP, NULL);
    ck_assert_lr_fail(lr_model_fit(NULL, train, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_model_fit(m, NULL, NULL), LR_E_INVALID, "NULL");
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    lr_model_free(m);
}
END_TEST

START_TEST(fit_on_empty_data)
{
    static const int32_t users[] = {1, 2}, artists[] = {5, 6};
    static const char *const names[] = {"Five", "Six"};
    tiny_spec s = {.users = users, .n_users = 2, .artists = artists, .artist_names = names,
                   .n_artists = 2};
    lr_dataset *empty = tiny_build(&s);
    for (int i = 0; i < N_ALGOS; i++) {
        lr_model *m = new_model(algos[i], NULL);
        ck_assert_lr_fail(lr_model_fit(m, empty, NULL), LR_E_INVALID, "no listens");
        ck_assert_int_eq(lr_model_is_fitted(m), 0);
        lr_model_free(m);
    }
    lr_dataset_free(empty);
}
END_TEST

START_TEST(validation_needs_the_same_catalogue)
{
    lr_dataset *other = synthesize("seed=9,synth_users=40,synth_artists=100");
    for (int i = 0; i < N_ALGOS; i++) {
        lr_model *m = new_model(algos[i], NULL);
        ck_assert_lr_fail(lr_model_fit(m, train, other), LR_E_INVALID, "validation set");
        ck_assert_int_eq(lr_model_is_fitted(m), 0);
        lr_model_free(m);
    }
    lr_dataset_free(other);
}
END_TEST

/* Stops at the first report, once; later fits run through. */
static int stop_first(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    int *calls = user_data;
    ck_assert_str_eq(stage, "epoch");
    ck_assert_uint_ge(done, 1);
    ck_assert_uint_le(done, total);
    return (*calls)++ == 0;
}

START_TEST(cancelled_fit_leaves_nothing)
{
    int algo = algos[_i];
    int calls = 0;
    lr_options *o = options(QUICK);
    lr_options_set_progress(o, stop_first, &calls);
    lr_model *m = new_model(algo, o);
    lr_options_free(o);
    int rc = lr_model_fit(m, train, NULL);
    if (rc == LR_E_UNSUPPORTED) {
        printf("note: cancelled_fit: %s cannot be fitted yet; skipped\n", algo_names[_i]);
        lr_model_free(m);
        return;
    }
    ck_assert_msg(rc == LR_E_CANCELLED, "%s: %d (%s)", algo_names[_i], rc, lr_last_error());
    ck_assert_int_eq(calls, 1);
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    const float *data;
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_USERS, &data, NULL, NULL),
                      LR_E_INVALID, "not fitted");
    size_t needed = 7;
    ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &needed));
    ck_assert_uint_eq(needed, 0);
    /* Nothing half-made is in the way of a fit that runs through. */
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    ck_assert_int_eq(lr_model_is_fitted(m), 1);
    lr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------- embeddings */

START_TEST(embeddings)
{
    int algo = algos[_i];
    lr_model *unfitted = new_model(algo, NULL);
    const float *data = NULL;
    size_t rows = 0, cols = 0;
    ck_assert_lr_fail(lr_model_embeddings(unfitted, LR_EMBEDDING_USERS, &data, &rows, &cols),
                      LR_E_INVALID, "not fitted");
    lr_model_free(unfitted);
    ck_assert_lr_fail(lr_model_embeddings(NULL, LR_EMBEDDING_USERS, &data, &rows, &cols),
                      LR_E_INVALID, "NULL");
    lr_model *m = fit_or_skip(algo, QUICK, NULL, "embeddings");
    if (!m)
        return;
    if (!has_factors(algo)) {
        for (int which = LR_EMBEDDING_USERS; which <= LR_EMBEDDING_ARTISTS; which++)
            ck_assert_lr_fail(lr_model_embeddings(m, which, &data, &rows, &cols),
                              LR_E_UNSUPPORTED, "no embeddings");
        ck_assert_ptr_null(data);
        lr_model_free(m);
        return;
    }
    double k;
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_FACTORS, &k));
    ck_assert(k == 8);
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_USERS, &data, &rows, &cols));
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(rows, (size_t)lr_dataset_count(train, LR_COUNT_USERS));
    ck_assert_uint_eq(cols, 8);
    for (size_t i = 0; i < rows * cols; i++)
        ck_assert_msg(isfinite(data[i]), "user factor %zu is %g", i, data[i]);
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &data, &rows, &cols));
    ck_assert_uint_eq(rows, (size_t)lr_dataset_count(train, LR_COUNT_ARTISTS));
    ck_assert_uint_eq(cols, 8);
    /* rows and cols may be left out. */
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &data, NULL, NULL));
    ck_assert_lr_fail(lr_model_embeddings(m, 3, &data, &rows, &cols), LR_E_INVALID,
                      "unknown matrix");
    ck_assert_lr_fail(lr_model_embeddings(m, LR_EMBEDDING_USERS, NULL, &rows, &cols),
                      LR_E_INVALID, "NULL");
    lr_model_free(m);
}
END_TEST

/* -------------------------------------------------------------------- IDs */

START_TEST(ids)
{
    lr_model *m = fit_or_skip(LR_ALGO_POP, "", NULL, "ids");
    for (int kind = LR_IDS_USERS; kind <= LR_IDS_ARTISTS; kind++) {
        size_t n = (size_t)lr_dataset_count(train, kind == LR_IDS_USERS ? LR_COUNT_USERS
                                                                          : LR_COUNT_ARTISTS);
        int32_t *want = malloc(n * sizeof *want), *got = malloc(n * sizeof *got);
        size_t needed = 0;
        ck_assert_lr_ok(lr_dataset_ids(train, kind, want, n, &needed));
        ck_assert_lr_fail(lr_model_ids(m, kind, got, n - 1, &needed), LR_E_BUFSIZE,
                          "capacity");
        ck_assert_uint_eq(needed, n);
        ck_assert_lr_fail(lr_model_ids(m, kind, NULL, 0, &needed), LR_E_BUFSIZE, "capacity");
        ck_assert_lr_ok(lr_model_ids(m, kind, got, n, &needed));
        ck_assert_uint_eq(needed, n);
        ck_assert(memcmp(want, got, n * sizeof *got) == 0);
        for (size_t i = 1; i < n; i++)
            ck_assert_int_lt(got[i - 1], got[i]);
        ck_assert_lr_fail(lr_model_ids(m, kind, NULL, n, &needed), LR_E_INVALID, "NULL");
        free(want);
        free(got);
    }
    int32_t one;
    ck_assert_lr_fail(lr_model_ids(m, LR_IDS_TAGS, &one, 1, NULL), LR_E_INVALID, "kind");
    lr_model *unfitted = new_model(LR_ALGO_POP, NULL);
    ck_assert_lr_fail(lr_model_ids(unfitted, LR_IDS_USERS, &one, 1, NULL), LR_E_INVALID,
                      "not fitted");
    ck_assert_lr_fail(lr_model_ids(NULL, LR_IDS_USERS, &one, 1, NULL), LR_E_INVALID, "NULL");
    lr_model_free(unfitted);
    lr_model_free(m);
}
END_TEST

/* ---------------------------------------------------------------- history */

START_TEST(history_of_pop)
{
    lr_model *m = fit_or_skip(LR_ALGO_POP, "", NULL, "history");
    size_t needed = 0;
    ck_assert_lr_fail(lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &needed), LR_E_BUFSIZE,
                      "capacity 0");
    ck_assert_uint_eq(needed, 1);
    for (int f = LR_HISTORY_LOSS; f <= LR_HISTORY_SECONDS; f++) {
        double v = 0;
        ck_assert_lr_ok(lr_model_history(m, f, &v, 1, &needed));
        ck_assert_uint_eq(needed, 1);
        if (f == LR_HISTORY_SECONDS)
            ck_assert(isfinite(v) && v >= 0);
        else
            ck_assert_msg(isnan(v), "field %d is %g without training loss or validation", f, v);
    }
    ck_assert_lr_fail(lr_model_history(m, 0, NULL, 0, NULL), LR_E_INVALID, "unknown field");
    ck_assert_lr_fail(lr_model_history(m, LR_HISTORY_SECONDS + 1, NULL, 0, NULL), LR_E_INVALID,
                      "unknown field");
    ck_assert_lr_fail(lr_model_history(m, LR_HISTORY_LOSS, NULL, 1, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_model_history(NULL, LR_HISTORY_LOSS, NULL, 0, NULL), LR_E_INVALID,
                      "NULL");
    lr_model_free(m);
}
END_TEST

/* One row per epoch; the validation columns are NaN without a validation
 * set and ranking metrics in [0, 1] with one. */
START_TEST(history_with_and_without_validation)
{
    int algo = algos[_i];
    for (int with = 0; with <= 1; with++) {
        lr_model *m = fit_or_skip(algo, QUICK, with ? test : NULL, "history");
        if (!m)
            return;
        size_t n = 0;
        ck_assert_int_eq(lr_model_history(m, LR_HISTORY_SECONDS, NULL, 0, &n), LR_E_BUFSIZE);
        ck_assert_uint_ge(n, 1);
        if (has_factors(algo))
            ck_assert_uint_eq(n, 3);
        double *v = malloc(n * sizeof *v);
        ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_SECONDS, v, n, NULL));
        for (size_t e = 0; e < n; e++)
            ck_assert(isfinite(v[e]) && v[e] >= 0 && (e == 0 || v[e] >= v[e - 1]));
        if (has_factors(algo)) {
            ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_LOSS, v, n, NULL));
            for (size_t e = 0; e < n; e++)
                ck_assert_msg(isfinite(v[e]), "%s epoch %zu loss %g", algo_names[_i], e, v[e]);
        }
        for (int f = LR_HISTORY_VAL_NDCG; f <= LR_HISTORY_VAL_PRECISION; f++) {
            ck_assert_lr_ok(lr_model_history(m, f, v, n, NULL));
            for (size_t e = 0; e < n; e++)
                if (with)
                    ck_assert_msg(v[e] >= 0 && v[e] <= 1, "%s field %d epoch %zu: %g",
                                  algo_names[_i], f, e, v[e]);
                else
                    ck_assert_msg(isnan(v[e]), "%s field %d epoch %zu: %g without validation",
                                  algo_names[_i], f, e, v[e]);
        }
        if (!with) {
            ck_assert_lr_ok(lr_model_history(m, LR_HISTORY_VAL_LOSS, v, n, NULL));
            for (size_t e = 0; e < n; e++)
                ck_assert(isnan(v[e]));
        }
        free(v);
        lr_model_free(m);
    }
}
END_TEST

/* ------------------------------------------------------------ determinism */

/* Everything the model scores with, as bytes: embeddings for factor
 * models, every user's scores otherwise. */
static void model_bytes(const lr_model *m, int algo, float **out, size_t *n)
{
    if (has_factors(algo)) {
        const float *u, *a;
        size_t ru, ra, k;
        ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_USERS, &u, &ru, &k));
        ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &a, &ra, &k));
        *n = (ru + ra) * k;
        *out = malloc(*n * sizeof **out);
        memcpy(*out, u, ru * k * sizeof *u);
        memcpy(*out + ru * k, a, ra * k * sizeof *a);
        return;
    }
    size_t nu = (size_t)lr_dataset_count(train, LR_COUNT_USERS);
    size_t na = (size_t)lr_dataset_count(train, LR_COUNT_ARTISTS);
    *n = nu * na;
    *out = malloc(*n * sizeof **out);
    ck_assert_lr_ok(lr__model_score_users(m, 0, (int32_t)nu, *out));
}

START_TEST(deterministic)
{
    int algo = algos[_i];
    static const char *const runs[] = {"factors=8,epochs=3,threads=1,seed=21",
                                       "factors=8,epochs=3,threads=2,seed=21"};
    for (int r = 0; r < 2; r++) {
        lr_model *a = fit_or_skip(algo, runs[r], NULL, "deterministic");
        if (!a)
            return;
        lr_model *b = fit_or_skip(algo, runs[r], NULL, "deterministic");
        float *xa, *xb;
        size_t na, nb;
        model_bytes(a, algo, &xa, &na);
        model_bytes(b, algo, &xb, &nb);
        ck_assert_uint_eq(na, nb);
        ck_assert_msg(memcmp(xa, xb, na * sizeof *xa) == 0,
                      "%s: two fits with %s differ", algo_names[_i], runs[r]);
        free(xb);
        lr_model_free(b);
        if (has_factors(algo)) {
            char other[120];
            snprintf(other, sizeof other, "%s", runs[r]);
            memcpy(strstr(other, "seed=21"), "seed=22", 7);
            b = fit_or_skip(algo, other, NULL, "deterministic");
            model_bytes(b, algo, &xb, &nb);
            ck_assert_msg(memcmp(xa, xb, na * sizeof *xa) != 0,
                          "%s: seeds 21 and 22 give the same model", algo_names[_i]);
            free(xb);
            lr_model_free(b);
        }
        free(xa);
        lr_model_free(a);
    }
}
END_TEST

static Suite *model_api_suite(void)
{
    Suite *s = suite_create("model_api");
    TCase *basic = tcase_create("basic");
    tcase_add_test(basic, algorithm_names);
    tcase_add_test(basic, model_new_checks);
    tcase_add_loop_test(basic, options_defaults_and_explicit_values, 0, N_ALGOS);
    tcase_add_test(basic, options_are_copied);
    suite_add_tcase(s, basic);
    TCase *fit = tcase_create("fit");
    tcase_add_checked_fixture(fit, split_setup, split_teardown);
    tcase_set_timeout(fit, 300);
    tcase_add_test(fit, fit_once);
    tcase_add_test(fit, fit_argument_checks);
    tcase_add_test(fit, fit_on_empty_data);
    tcase_add_test(fit, validation_needs_the_same_catalogue);
    tcase_add_loop_test(fit, cancelled_fit_leaves_nothing, 0, N_ALGOS);
    tcase_add_loop_test(fit, embeddings, 0, N_ALGOS);
    tcase_add_test(fit, ids);
    tcase_add_test(fit, history_of_pop);
    tcase_add_loop_test(fit, history_with_and_without_validation, 0, N_ALGOS);
    tcase_add_loop_test(fit, deterministic, 0, N_ALGOS);
    suite_add_tcase(s, fit);
    return s;
}

int main(void) { return lr_test_run(model_api_suite()); }
