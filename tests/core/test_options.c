/* Options suite: defaults, bounds, types, text parsing and enumeration.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "core/options.h"

#include <math.h>

static lr_options *fresh(void)
{
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_ptr_nonnull(o);
    return o;
}

static size_t key_count(void)
{
    size_t n = 0;
    while (lr_option_key_at(n))
        n++;
    return n;
}

START_TEST(documented_defaults)
{
    lr_options *o = fresh();
    int64_t v;
    double d;
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_THREADS, &v));
    ck_assert_int_eq(v, 0);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 42);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_MIN_TAG_USES, &v));
    ck_assert_int_eq(v, 2);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_MAX_LINE, &v));
    ck_assert_int_eq(v, 1 << 20);
    ck_assert_lr_ok(lr_options_get_double(o, LR_OPT_HOLDOUT_FRACTION, &d));
    ck_assert_double_eq(d, 0.2);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SYNTH_USERS, &v));
    ck_assert_int_eq(v, 600);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SYNTH_ARTISTS, &v));
    ck_assert_int_eq(v, 3000);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SYNTH_CLUSTERS, &v));
    ck_assert_int_eq(v, 12);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SYNTH_TAGS, &v));
    ck_assert_int_eq(v, 240);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SYNTH_ARTISTS_PER_USER, &v));
    ck_assert_int_eq(v, 40);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SYNTH_FRIENDS_PER_USER, &v));
    ck_assert_int_eq(v, 6);
    lr_options_free(o);
}
END_TEST

START_TEST(defaults_match_info)
{
    /* For every key: a new set holds the default lr_option_info reports,
     * and the internal readers used with NULL options agree. */
    lr_options *o = fresh();
    for (size_t i = 0; lr_option_key_at(i); i++) {
        int key = lr_option_key_at(i), type;
        double min, max, def, got;
        ck_assert_lr_ok(lr_option_info(key, NULL, &type, &min, &max, &def));
        ck_assert_msg(min <= def && def <= max, "key %d: default outside bounds", key);
        ck_assert_lr_ok(lr_options_get_double(o, key, &got));
        ck_assert_double_eq(got, def);
        ck_assert_double_eq(lr__opt_double(NULL, key), def);
        if (type == LR_OPTTYPE_INT)
            ck_assert_int_eq(lr__opt_int(NULL, key), (int64_t)def);
    }
    lr_options_free(o);
}
END_TEST

START_TEST(key_at_enumerates_all)
{
    static const int known[] = {LR_OPT_THREADS, LR_OPT_SEED, LR_OPT_MIN_TAG_USES,
                                LR_OPT_MAX_LINE, LR_OPT_HOLDOUT_FRACTION,
                                LR_OPT_SYNTH_USERS, LR_OPT_SYNTH_ARTISTS,
                                LR_OPT_SYNTH_CLUSTERS, LR_OPT_SYNTH_TAGS,
                                LR_OPT_SYNTH_ARTISTS_PER_USER,
                                LR_OPT_SYNTH_FRIENDS_PER_USER, LR_OPT_SKIP_BAD_LINES,
                                LR_OPT_SYNTH_BAD_LINES, LR_OPT_SYNTH_QUIRKS,
                                LR_OPT_FACTORS, LR_OPT_EPOCHS, LR_OPT_LEARNING_RATE,
                                LR_OPT_OPTIMIZER, LR_OPT_REGULARIZATION, LR_OPT_GRAVITY,
                                LR_OPT_INIT_SCALE, LR_OPT_TRANSFORM, LR_OPT_ALPHA,
                                LR_OPT_NEGATIVES, LR_OPT_BATCH_SIZE, LR_OPT_SOLVER,
                                LR_OPT_CG_STEPS, LR_OPT_BM25_K1, LR_OPT_BM25_B,
                                LR_OPT_MIN_LISTENERS, LR_OPT_ITEM_BIAS, LR_OPT_EPSILON,
                                LR_OPT_EVAL_K, LR_OPT_ITEM_REGULARIZATION, LR_OPT_DROPOUT,
                                LR_OPT_CALIBRATION, LR_OPT_RANK_SPREAD, LR_OPT_BLEND_WEIGHT,
                                LR_OPT_HIDDEN_LAYERS, LR_OPT_HIDDEN_WIDTH, LR_OPT_TAG_DIM,
                                LR_OPT_LABEL_FRACTION, LR_OPT_ITEM_TAGS, LR_OPT_SAMPLED_NEGATIVES,
                                LR_OPT_AVERAGING,
                                LR_OPT_COLD_BOOST, LR_OPT_SOFTMAX_WEIGHT,
                                LR_OPT_TOWER_SKIP, LR_OPT_MASK_INPUT, LR_OPT_LABEL_SMOOTHING, LR_OPT_COLD_MIX,
                                LR_OPT_TSNE_PERPLEXITY, LR_OPT_TSNE_METRIC,
                                LR_OPT_TSNE_EXAGGERATION, LR_OPT_TSNE_EXAGGERATION_ITERATIONS,
                                LR_OPT_TSNE_ITERATIONS, LR_OPT_TSNE_LEARNING_RATE,
                                LR_OPT_TSNE_THETA, LR_OPT_TSNE_KL_TOLERANCE,
                                LR_OPT_MAP_MIN_FANS, LR_OPT_TSNE_METHOD, LR_OPT_EXPORT_FORMAT};
    size_t n = key_count();
    ck_assert_uint_eq(n, sizeof known / sizeof known[0]);
    ck_assert_uint_le(n, LR_OPTIONS_MAX);
    for (size_t k = 0; k < n; k++) {
        int found = 0;
        for (size_t i = 0; i < n; i++)
            found += lr_option_key_at(i) == known[k];
        ck_assert_msg(found == 1, "key %d listed %d times", known[k], found);
    }
    ck_assert_int_eq(lr_option_key_at(n), 0);
    ck_assert_int_eq(lr_option_key_at((size_t)-1), 0);
}
END_TEST

START_TEST(lookup_info_round_trip)
{
    for (size_t i = 0; lr_option_key_at(i); i++) {
        int key = lr_option_key_at(i), back = 0, type = 0;
        const char *name = NULL;
        ck_assert_lr_ok(lr_option_info(key, &name, &type, NULL, NULL, NULL));
        ck_assert_ptr_nonnull(name);
        ck_assert(type == LR_OPTTYPE_INT || type == LR_OPTTYPE_DOUBLE);
        ck_assert_lr_ok(lr_option_lookup(name, &back));
        ck_assert_int_eq(back, key);
        for (const char *c = name; *c; c++)
            ck_assert_msg((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_',
                          "name '%s' not lower case", name);
    }
    int key = 0;
    ck_assert_lr_fail(lr_option_lookup("no_such_option", &key), LR_E_NOTFOUND, "no_such_option");
    ck_assert_lr_fail(lr_option_lookup("Seed", &key), LR_E_NOTFOUND, "Seed");
    ck_assert_lr_fail(lr_option_lookup(NULL, &key), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_option_info(999, NULL, NULL, NULL, NULL, NULL), LR_E_INVALID, "999");
}
END_TEST

START_TEST(bounds_errors_name_key_and_range)
{
    lr_options *o = fresh();
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_THREADS, 2000), LR_E_INVALID, "'threads'");
    ck_assert(strstr(lr_last_error(), "[0, 1024]"));
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_THREADS, -1), LR_E_INVALID, "[0, 1024]");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_MAX_LINE, 63), LR_E_INVALID, "'max_line'");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, 1.5), LR_E_INVALID,
                      "'holdout_fraction': 1.5 is outside [0, 1]");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, -0.01), LR_E_INVALID,
                      "holdout_fraction");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, NAN), LR_E_INVALID,
                      "not a finite number");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_SEED, INFINITY), LR_E_INVALID, "'seed'");
    /* Edges are inside. */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1024));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MAX_LINE, 64));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, 1.0));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, 0.0));
    /* A failed set leaves the old value. */
    int64_t v;
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_THREADS, &v));
    ck_assert_int_eq(v, 1024);
    lr_options_free(o);
}
END_TEST

START_TEST(int64_extremes)
{
    lr_options *o = fresh();
    int64_t v;
    /* The largest seed a double holds exactly is accepted and kept exactly. */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 9007199254740991LL));
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 9007199254740991LL);
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_SEED, 9007199254740992LL), LR_E_INVALID,
                      "9007199254740992");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_SEED, INT64_MAX), LR_E_INVALID,
                      "9223372036854775807");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_SEED, INT64_MIN), LR_E_INVALID, "'seed'");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_MIN_TAG_USES, INT64_MAX), LR_E_INVALID,
                      "min_tag_uses");
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_SYNTH_USERS, (int64_t)1 << 40), LR_E_INVALID,
                      "synth_users");
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 9007199254740991LL);
    lr_options_free(o);
}
END_TEST

START_TEST(wrong_type)
{
    lr_options *o = fresh();
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_HOLDOUT_FRACTION, 0), LR_E_INVALID,
                      "holdout_fraction");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_SEED, 1.5), LR_E_INVALID,
                      "takes an integer");
    int64_t v;
    ck_assert_lr_fail(lr_options_get_int(o, LR_OPT_HOLDOUT_FRACTION, &v), LR_E_INVALID,
                      "holdout_fraction");
    /* An integral double sets an integer option; any option reads as double. */
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_SEED, 7.0));
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 7);
    double d;
    ck_assert_lr_ok(lr_options_get_double(o, LR_OPT_SEED, &d));
    ck_assert_double_eq(d, 7.0);
    lr_options_free(o);
}
END_TEST

START_TEST(unknown_key_and_null)
{
    lr_options *o = fresh();
    int64_t v;
    double d;
    ck_assert_lr_fail(lr_options_set_int(o, 12345, 1), LR_E_INVALID, "unknown option key 12345");
    ck_assert_lr_fail(lr_options_set_double(o, -7, 1), LR_E_INVALID, "-7");
    ck_assert_lr_fail(lr_options_get_int(o, 0, &v), LR_E_INVALID, "unknown option key 0");
    ck_assert_lr_fail(lr_options_get_double(o, 1000, &d), LR_E_INVALID, "1000");
    ck_assert_lr_fail(lr_options_set_int(NULL, LR_OPT_SEED, 1), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_options_get_int(o, LR_OPT_SEED, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_options_new(NULL), LR_E_INVALID, "NULL");
    lr_options *c = NULL;
    ck_assert_lr_fail(lr_options_copy(&c, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_options_set_string(o, NULL), LR_E_INVALID, "NULL");
    lr_options_free(NULL);
    lr_options_set_progress(NULL, NULL, NULL);
    lr_options_free(o);
}
END_TEST

START_TEST(set_string_parses)
{
    lr_options *o = fresh();
    int64_t v;
    double d;
    ck_assert_lr_ok(lr_options_set_string(o, " min_tag_uses = 3 ,seed=7,, holdout_fraction=0.25 "));
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_MIN_TAG_USES, &v));
    ck_assert_int_eq(v, 3);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 7);
    ck_assert_lr_ok(lr_options_get_double(o, LR_OPT_HOLDOUT_FRACTION, &d));
    ck_assert_double_eq(d, 0.25);
    ck_assert_lr_ok(lr_options_set_string(o, ""));
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 7);
    lr_options_free(o);
}
END_TEST

START_TEST(set_string_all_or_nothing)
{
    lr_options *o = fresh();
    int64_t v;
    ck_assert_lr_fail(lr_options_set_string(o, "seed=9,threads=99999"), LR_E_INVALID,
                      "'threads'");
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 42);
    ck_assert_lr_fail(lr_options_set_string(o, "seed=9,colour=blue"), LR_E_INVALID,
                      "unknown option 'colour'");
    ck_assert_lr_fail(lr_options_set_string(o, "seed=9,threads"), LR_E_INVALID,
                      "'threads': expected key=value");
    ck_assert_lr_fail(lr_options_set_string(o, "seed=nine"), LR_E_INVALID,
                      "'nine' is not an integer");
    ck_assert_lr_fail(lr_options_set_string(o, "seed=1.5"), LR_E_INVALID, "not an integer");
    ck_assert_lr_fail(lr_options_set_string(o, "seed="), LR_E_INVALID, "not an integer");
    ck_assert_lr_fail(lr_options_set_string(o, "seed=99999999999999999999"), LR_E_INVALID,
                      "not an integer");
    ck_assert_lr_fail(lr_options_set_string(o, "holdout_fraction=half"), LR_E_INVALID,
                      "'half' is not a number");
    ck_assert_lr_fail(lr_options_set_string(o, "holdout_fraction=2"), LR_E_INVALID,
                      "outside [0, 1]");
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 42);
    lr_options_free(o);
}
END_TEST

static int count_calls(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    (void)stage;
    (void)done;
    (void)total;
    ++*(int *)ud;
    return 0;
}

START_TEST(copy_is_independent)
{
    lr_options *o = fresh(), *c = NULL;
    int calls = 0;
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 5));
    lr_options_set_progress(o, count_calls, &calls);
    ck_assert_lr_ok(lr_options_copy(&c, o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, 6));
    int64_t v;
    ck_assert_lr_ok(lr_options_get_int(c, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 5);
    /* The progress callback travels with the copy. */
    const lr__progress *p = lr__opt_progress(c);
    ck_assert_int_eq(lr__progress_report(p, "stage", 1, 2), LR_OK);
    ck_assert_int_eq(calls, 1);
    lr_options_free(c);
    lr_options_free(o);
}
END_TEST

START_TEST(threads_resolve)
{
    lr_options *o = fresh();
    ck_assert_int_ge(lr__opt_threads(o), 1); /* 0 = every core */
    ck_assert_int_ge(lr__opt_threads(NULL), 1);
    /* A count within the CPUs is kept; above them it is cut (the threads
     * suite checks the cut and its warning). */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 3));
    ck_assert_int_eq(lr__opt_threads(o), cpus < 3 ? cpus : 3);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    ck_assert_int_eq(lr__opt_threads(o), 1);
    lr_options_free(o);
}
END_TEST

/* Enum-valued options take their names in lr_options_set_string(), the
 * names come from one table, and a bad name lists the valid ones. */
START_TEST(set_string_enum_names)
{
    lr_options *o = fresh();
    int64_t v;
    ck_assert_lr_ok(lr_options_set_string(o, "transform=bm25, optimizer=SGD,solver=cholesky"));
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_TRANSFORM, &v));
    ck_assert_int_eq(v, LR_TRANSFORM_BM25);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_OPTIMIZER, &v));
    ck_assert_int_eq(v, LR_OPTIMIZER_SGD);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SOLVER, &v));
    ck_assert_int_eq(v, LR_SOLVER_CHOLESKY);
    /* numbers still work */
    ck_assert_lr_ok(lr_options_set_string(o, "transform=2,optimizer=adagrad,solver=cg"));
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_TRANSFORM, &v));
    ck_assert_int_eq(v, LR_TRANSFORM_BINARY);
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SOLVER, &v));
    ck_assert_int_eq(v, LR_SOLVER_CG);
    /* a bad name lists the valid ones, and changes nothing */
    ck_assert_lr_fail(lr_options_set_string(o, "seed=3,transform=bm2"), LR_E_INVALID,
                      "option 'transform': 'bm2' is not one of raw, log1p, binary, bm25");
    ck_assert_lr_fail(lr_options_set_string(o, "optimizer=adamw"), LR_E_INVALID,
                      "sgd, adagrad, adam");
    ck_assert_lr_fail(lr_options_set_string(o, "solver=lu"), LR_E_INVALID, "cholesky, cg");
    ck_assert_lr_ok(lr_options_get_int(o, LR_OPT_SEED, &v));
    ck_assert_int_eq(v, 42);
    /* a name for an option without names is still "not an integer" */
    ck_assert_lr_fail(lr_options_set_string(o, "factors=many"), LR_E_INVALID,
                      "'many' is not an integer");
    /* the unknown-option message says it once */
    ck_assert_lr_fail(lr_options_set_string(o, "colour=blue"), LR_E_INVALID,
                      "unknown option 'colour'");
    ck_assert_ptr_null(strstr(strstr(lr_last_error(), "colour") + 1, "colour"));
    lr_options_free(o);
}
END_TEST

START_TEST(value_names_round_trip)
{
    static const struct { int key; int64_t value; const char *name; } all[] = {
        {LR_OPT_OPTIMIZER, LR_OPTIMIZER_SGD, "sgd"},
        {LR_OPT_OPTIMIZER, LR_OPTIMIZER_ADAGRAD, "adagrad"},
        {LR_OPT_TRANSFORM, LR_TRANSFORM_RAW, "raw"},
        {LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P, "log1p"},
        {LR_OPT_TRANSFORM, LR_TRANSFORM_BINARY, "binary"},
        {LR_OPT_TRANSFORM, LR_TRANSFORM_BM25, "bm25"},
        {LR_OPT_SOLVER, LR_SOLVER_CHOLESKY, "cholesky"},
        {LR_OPT_SOLVER, LR_SOLVER_CG, "cg"},
        {LR_OPT_TSNE_METRIC, LR_DISTANCE_EUCLIDEAN, "euclidean"},
        {LR_OPT_TSNE_METRIC, LR_DISTANCE_COSINE, "cosine"},
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_str_eq(lr_option_value_name(all[i].key, all[i].value), all[i].name);
        int64_t v = -1;
        ck_assert_lr_ok(lr_option_value_lookup(all[i].key, all[i].name, &v));
        ck_assert_int_eq(v, all[i].value);
    }
    /* every value within an enum option's bounds has a name */
    const int keys[] = {LR_OPT_OPTIMIZER, LR_OPT_TRANSFORM, LR_OPT_SOLVER, LR_OPT_TSNE_METRIC};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        double lo, hi;
        ck_assert_lr_ok(lr_option_info(keys[i], NULL, NULL, &lo, &hi, NULL));
        for (int64_t v = (int64_t)lo; v <= (int64_t)hi; v++)
            ck_assert_ptr_nonnull(lr_option_value_name(keys[i], v));
        ck_assert_ptr_null(lr_option_value_name(keys[i], (int64_t)hi + 1));
    }
    ck_assert_ptr_null(lr_option_value_name(LR_OPT_FACTORS, 1));
    ck_assert_ptr_null(lr_option_value_name(12345, 1));
    int64_t v;
    ck_assert_lr_ok(lr_option_value_lookup(LR_OPT_TRANSFORM, "BM25", &v));
    ck_assert_int_eq(v, LR_TRANSFORM_BM25);
    ck_assert_lr_fail(lr_option_value_lookup(LR_OPT_TRANSFORM, "tfidf", &v), LR_E_NOTFOUND,
                      "raw, log1p, binary, bm25");
    ck_assert_lr_fail(lr_option_value_lookup(LR_OPT_FACTORS, "x", &v), LR_E_INVALID,
                      "takes a number");
    ck_assert_lr_fail(lr_option_value_lookup(12345, "x", &v), LR_E_INVALID, "12345");
    ck_assert_lr_fail(lr_option_value_lookup(LR_OPT_SOLVER, NULL, &v), LR_E_INVALID, "NULL");
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, documented_defaults);
    tcase_add_test(tc, defaults_match_info);
    tcase_add_test(tc, key_at_enumerates_all);
    tcase_add_test(tc, lookup_info_round_trip);
    tcase_add_test(tc, bounds_errors_name_key_and_range);
    tcase_add_test(tc, int64_extremes);
    tcase_add_test(tc, wrong_type);
    tcase_add_test(tc, unknown_key_and_null);
    tcase_add_test(tc, set_string_parses);
    tcase_add_test(tc, set_string_all_or_nothing);
    tcase_add_test(tc, copy_is_independent);
    tcase_add_test(tc, threads_resolve);
    tcase_add_test(tc, set_string_enum_names);
    tcase_add_test(tc, value_names_round_trip);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(options_suite()); }
