/* SPDX-License-Identifier: MIT */
#include "core/options.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct opt_spec {
    int key;
    const char *name;
    int type;
    double min, max, def;
} opt_spec;

/* One row per key, in key order.  New keys go at the end of their area. */
static const opt_spec specs[] = {
    {LR_OPT_THREADS, "threads", LR_OPTTYPE_INT, 0, 1024, 0},
    {LR_OPT_SEED, "seed", LR_OPTTYPE_INT, 0, 9007199254740991.0, 42},
    {LR_OPT_MIN_TAG_USES, "min_tag_uses", LR_OPTTYPE_INT, 0, 1e9, 2},
    {LR_OPT_MAX_LINE, "max_line", LR_OPTTYPE_INT, 64, 1 << 30, 1 << 20},
    {LR_OPT_SKIP_BAD_LINES, "skip_bad_lines", LR_OPTTYPE_INT, 0, 1, 0},
    {LR_OPT_HOLDOUT_FRACTION, "holdout_fraction", LR_OPTTYPE_DOUBLE, 0.0, 1.0, 0.2},
    {LR_OPT_SYNTH_USERS, "synth_users", LR_OPTTYPE_INT, 2, 10000000, 600},
    {LR_OPT_SYNTH_ARTISTS, "synth_artists", LR_OPTTYPE_INT, 2, 10000000, 3000},
    {LR_OPT_SYNTH_CLUSTERS, "synth_clusters", LR_OPTTYPE_INT, 1, 1000, 12},
    {LR_OPT_SYNTH_TAGS, "synth_tags", LR_OPTTYPE_INT, 1, 1000000, 240},
    {LR_OPT_SYNTH_ARTISTS_PER_USER, "synth_artists_per_user", LR_OPTTYPE_INT, 1, 10000, 40},
    {LR_OPT_SYNTH_FRIENDS_PER_USER, "synth_friends_per_user", LR_OPTTYPE_INT, 0, 1000, 6},
    {LR_OPT_SYNTH_BAD_LINES, "synth_bad_lines", LR_OPTTYPE_INT, 0, 1000000, 0},
    {LR_OPT_SYNTH_QUIRKS, "synth_quirks", LR_OPTTYPE_INT, 0, 1, 1},
    /* Model defaults here are generic; an algorithm substitutes its own for
     * options the caller did not set (lr__opt_is_set, docs/models.md). */
    {LR_OPT_FACTORS, "factors", LR_OPTTYPE_INT, 1, 4096, 64},
    {LR_OPT_EPOCHS, "epochs", LR_OPTTYPE_INT, 1, 1000000, 15},
    {LR_OPT_LEARNING_RATE, "learning_rate", LR_OPTTYPE_DOUBLE, 1e-12, 1e6, 0.05},
    {LR_OPT_OPTIMIZER, "optimizer", LR_OPTTYPE_INT, 1, 3, 2},
    {LR_OPT_REGULARIZATION, "regularization", LR_OPTTYPE_DOUBLE, 0, 1e9, 0.05},
    {LR_OPT_GRAVITY, "gravity", LR_OPTTYPE_DOUBLE, 0, 1e9, 0},
    {LR_OPT_INIT_SCALE, "init_scale", LR_OPTTYPE_DOUBLE, 0, 100, 0.01},
    {LR_OPT_TRANSFORM, "transform", LR_OPTTYPE_INT, 0, 3, 1},
    {LR_OPT_ALPHA, "alpha", LR_OPTTYPE_DOUBLE, 0, 1e9, 1},
    {LR_OPT_NEGATIVES, "negatives", LR_OPTTYPE_INT, 1, 1000, 1},
    {LR_OPT_BATCH_SIZE, "batch_size", LR_OPTTYPE_INT, 0, 1000000000, 0},
    {LR_OPT_SOLVER, "solver", LR_OPTTYPE_INT, 1, 2, 2},
    {LR_OPT_CG_STEPS, "cg_steps", LR_OPTTYPE_INT, 1, 100, 3},
    {LR_OPT_BM25_K1, "bm25_k1", LR_OPTTYPE_DOUBLE, 0, 1e9, 100},
    {LR_OPT_BM25_B, "bm25_b", LR_OPTTYPE_DOUBLE, 0, 1, 0.8},
    {LR_OPT_MIN_LISTENERS, "min_listeners", LR_OPTTYPE_INT, 1, 1000000000, 2},
    {LR_OPT_ITEM_BIAS, "item_bias", LR_OPTTYPE_INT, 0, 1, 1},
    {LR_OPT_EPSILON, "epsilon", LR_OPTTYPE_DOUBLE, 0, 1, 1e-8},
    {LR_OPT_EVAL_K, "eval_k", LR_OPTTYPE_INT, 1, 100000, 10},
    /* blend's item model (lib/model/blend.c); these defaults are its own */
    {LR_OPT_ITEM_REGULARIZATION, "item_regularization", LR_OPTTYPE_DOUBLE, 0, 1e9, 100},
    {LR_OPT_DROPOUT, "dropout", LR_OPTTYPE_DOUBLE, 0, 0.95, 0.3},
    {LR_OPT_CALIBRATION, "calibration", LR_OPTTYPE_DOUBLE, 0, 2, 0.5},
    {LR_OPT_RANK_SPREAD, "rank_spread", LR_OPTTYPE_DOUBLE, 0, 1.9, 1},
    {LR_OPT_BLEND_WEIGHT, "blend_weight", LR_OPTTYPE_DOUBLE, 0, 1000, 1},
    /* softmax's two towers (lib/model/softmax.c); these defaults are its own */
    {LR_OPT_HIDDEN_LAYERS, "hidden_layers", LR_OPTTYPE_INT, 1, 8, 1},
    {LR_OPT_HIDDEN_WIDTH, "hidden_width", LR_OPTTYPE_INT, 1, 65536, 256},
    {LR_OPT_TAG_DIM, "tag_dim", LR_OPTTYPE_INT, 1, 4096, 32},
    {LR_OPT_LABEL_FRACTION, "label_fraction", LR_OPTTYPE_DOUBLE, 0.01, 0.99, 0.6},
    {LR_OPT_ITEM_TAGS, "item_tags", LR_OPTTYPE_INT, 0, 1, 1},
    /* -1: chosen by the catalogue's size at fit time (softmax_sampled.c) */
    {LR_OPT_SAMPLED_NEGATIVES, "sampled_negatives", LR_OPTTYPE_INT, -1, 10000000, -1},
    {LR_OPT_AVERAGING, "averaging", LR_OPTTYPE_DOUBLE, 0, 0.9999, 0.98},
    {LR_OPT_COLD_BOOST, "cold_boost", LR_OPTTYPE_DOUBLE, 0, 100, 0},
    {LR_OPT_TOWER_SKIP, "tower_skip", LR_OPTTYPE_INT, 0, 1, 1},
    {LR_OPT_MASK_INPUT, "mask_input", LR_OPTTYPE_INT, 0, 1, 1},
    {LR_OPT_LABEL_SMOOTHING, "label_smoothing", LR_OPTTYPE_DOUBLE, 0, 0.99, 0.2},
    {LR_OPT_COLD_MIX, "cold_mix", LR_OPTTYPE_DOUBLE, 0, 1, 0.06},
    /* blend's softmax part (lib/model/blend.c); blend alone reads it */
    {LR_OPT_SOFTMAX_WEIGHT, "softmax_weight", LR_OPTTYPE_DOUBLE, 0, 1000, 3},
    /* maps of the artist vectors (lib/embed, docs/embed.md): current
     * practice (openTSNE's, scikit-learn's) for t-SNE; the perplexity's
     * upper bound depends on the artists mapped and is checked there */
    {LR_OPT_TSNE_PERPLEXITY, "tsne_perplexity", LR_OPTTYPE_DOUBLE, 1, 1e6, 30},
    {LR_OPT_TSNE_METRIC, "tsne_metric", LR_OPTTYPE_INT, 1, 2, 2},
    {LR_OPT_TSNE_EXAGGERATION, "tsne_exaggeration", LR_OPTTYPE_DOUBLE, 1, 1000, 12},
    {LR_OPT_TSNE_EXAGGERATION_ITERATIONS, "tsne_exaggeration_iterations", LR_OPTTYPE_INT, 0,
     1000000, 250},
    {LR_OPT_TSNE_ITERATIONS, "tsne_iterations", LR_OPTTYPE_INT, 1, 1000000, 750},
    {LR_OPT_TSNE_LEARNING_RATE, "tsne_learning_rate", LR_OPTTYPE_DOUBLE, 0, 1e9, 0},
    {LR_OPT_TSNE_THETA, "tsne_theta", LR_OPTTYPE_DOUBLE, 0, 1, 0.5},
    {LR_OPT_TSNE_KL_TOLERANCE, "tsne_kl_tolerance", LR_OPTTYPE_DOUBLE, 0, 1000, 0},
    {LR_OPT_MAP_MIN_FANS, "map_min_fans", LR_OPTTYPE_INT, 0, 1000000000, 1},
    /* FFT interpolation: faster than Barnes-Hut on the dev split's map
     * at a KL within 0.01 of it (docs/embed.md) */
    {LR_OPT_TSNE_METHOD, "tsne_method", LR_OPTTYPE_INT, 1, 2, 2},
    /* serving export (lib/model/export.c); npy the one format so far */
    {LR_OPT_EXPORT_FORMAT, "export_format", LR_OPTTYPE_INT, 1, 1, 1},
};

#define N_SPECS (sizeof specs / sizeof specs[0])
_Static_assert(N_SPECS <= LR_OPTIONS_MAX, "raise LR_OPTIONS_MAX");

/* The names of enum-valued options' values (enum lr_optimizer, lr_transform,
 * lr_solver, lr_distance): the one table lr_options_set_string(), the tool and the Python
 * binding read.  Grouped by key, in value order. */
typedef struct opt_choice {
    int key;
    int value;
    const char *name;
} opt_choice;

static const opt_choice choices[] = {
    {LR_OPT_OPTIMIZER, LR_OPTIMIZER_SGD, "sgd"},
    {LR_OPT_OPTIMIZER, LR_OPTIMIZER_ADAGRAD, "adagrad"},
    {LR_OPT_OPTIMIZER, LR_OPTIMIZER_ADAM, "adam"},
    {LR_OPT_TRANSFORM, LR_TRANSFORM_RAW, "raw"},
    {LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P, "log1p"},
    {LR_OPT_TRANSFORM, LR_TRANSFORM_BINARY, "binary"},
    {LR_OPT_TRANSFORM, LR_TRANSFORM_BM25, "bm25"},
    {LR_OPT_SOLVER, LR_SOLVER_CHOLESKY, "cholesky"},
    {LR_OPT_SOLVER, LR_SOLVER_CG, "cg"},
    {LR_OPT_TSNE_METRIC, LR_DISTANCE_EUCLIDEAN, "euclidean"},
    {LR_OPT_TSNE_METRIC, LR_DISTANCE_COSINE, "cosine"},
    {LR_OPT_TSNE_METHOD, LR_TSNE_BARNES_HUT, "barnes_hut"},
    {LR_OPT_TSNE_METHOD, LR_TSNE_FFT, "fft"},
    {LR_OPT_EXPORT_FORMAT, LR_EXPORT_NPY, "npy"},
};

#define N_CHOICES (sizeof choices / sizeof choices[0])

static int has_names(int key)
{
    for (size_t i = 0; i < N_CHOICES; i++)
        if (choices[i].key == key)
            return 1;
    return 0;
}

/* "raw, log1p, binary, bm25" into buf. */
static void list_names(int key, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < N_CHOICES && n < cap; i++) {
        if (choices[i].key != key)
            continue;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", choices[i].name);
        n += w > 0 ? (size_t)w : 0;
    }
}

static int ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return 0;
    return *a == *b;
}

static int slot_of(int key)
{
    for (size_t i = 0; i < N_SPECS; i++)
        if (specs[i].key == key)
            return (int)i;
    return -1;
}

void lr__options_init(lr_options *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < N_SPECS; i++)
        o->value[i] = specs[i].def;
}

int lr_options_new(lr_options **out)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_options_new: out is NULL");
    *out = lr__malloc(1, sizeof **out);
    if (!*out)
        return lr__fail_oom("the options in lr_options_new");
    lr__options_init(*out);
    return LR_OK;
}

int lr_options_copy(lr_options **out, const lr_options *src)
{
    if (!out || !src)
        return lr__fail(LR_E_INVALID, "lr_options_copy: NULL argument");
    *out = lr__malloc(1, sizeof **out);
    if (!*out)
        return lr__fail_oom("the options in lr_options_copy");
    **out = *src;
    return LR_OK;
}

void lr_options_free(lr_options *opts) { free(opts); }

static int check_value(const opt_spec *s, double v)
{
    if (!isfinite(v))
        return lr__fail(LR_E_INVALID, "option '%s': value is not a finite number", s->name);
    if (s->type == LR_OPTTYPE_INT && v != floor(v))
        return lr__fail(LR_E_INVALID, "option '%s': takes an integer, got %g", s->name, v);
    if (v < s->min || v > s->max) {
        if (s->type == LR_OPTTYPE_INT)
            return lr__fail(LR_E_INVALID, "option '%s': %.17g is outside [%.17g, %.17g]",
                            s->name, v, s->min, s->max);
        return lr__fail(LR_E_INVALID, "option '%s': %g is outside [%g, %g]", s->name,
                        v, s->min, s->max);
    }
    return LR_OK;
}

static int unknown_key(int key)
{
    return lr__fail(LR_E_INVALID, "unknown option key %d", key);
}

int lr_options_set_int(lr_options *opts, int key, int64_t value)
{
    int i = slot_of(key);
    if (!opts)
        return lr__fail(LR_E_INVALID, "lr_options_set_int: opts is NULL");
    if (i < 0)
        return unknown_key(key);
    if (specs[i].type != LR_OPTTYPE_INT)
        return lr__fail(LR_E_INVALID, "option '%s' is a floating-point option: use lr_options_set_double",
                        specs[i].name);
    /* Bounds are checked on the integer so 2^63-1 cannot round into range. */
    if ((double)value < specs[i].min || (double)value > specs[i].max ||
        value > (int64_t)specs[i].max || value < (int64_t)specs[i].min)
        return lr__fail(LR_E_INVALID, "option '%s': %lld is outside [%.17g, %.17g]",
                        specs[i].name, (long long)value, specs[i].min, specs[i].max);
    opts->value[i] = (double)value;
    opts->set[i] = 1;
    return LR_OK;
}

int lr_options_set_double(lr_options *opts, int key, double value)
{
    int i = slot_of(key);
    if (!opts)
        return lr__fail(LR_E_INVALID, "lr_options_set_double: opts is NULL");
    if (i < 0)
        return unknown_key(key);
    int rc = check_value(&specs[i], value);
    if (rc)
        return rc;
    opts->value[i] = value;
    opts->set[i] = 1;
    return LR_OK;
}

int lr_options_get_int(const lr_options *opts, int key, int64_t *value)
{
    int i = slot_of(key);
    if (!opts || !value)
        return lr__fail(LR_E_INVALID, "lr_options_get_int: NULL argument");
    if (i < 0)
        return unknown_key(key);
    if (specs[i].type != LR_OPTTYPE_INT)
        return lr__fail(LR_E_INVALID, "option '%s' is a floating-point option: use lr_options_get_double",
                        specs[i].name);
    *value = (int64_t)opts->value[i];
    return LR_OK;
}

int lr_options_get_double(const lr_options *opts, int key, double *value)
{
    int i = slot_of(key);
    if (!opts || !value)
        return lr__fail(LR_E_INVALID, "lr_options_get_double: NULL argument");
    if (i < 0)
        return unknown_key(key);
    *value = opts->value[i];
    return LR_OK;
}

int lr_option_info(int key, const char **name, int *type, double *min,
                   double *max, double *def)
{
    int i = slot_of(key);
    if (i < 0)
        return unknown_key(key);
    if (name) *name = specs[i].name;
    if (type) *type = specs[i].type;
    if (min) *min = specs[i].min;
    if (max) *max = specs[i].max;
    if (def) *def = specs[i].def;
    return LR_OK;
}

int lr_option_lookup(const char *name, int *key)
{
    if (!name || !key)
        return lr__fail(LR_E_INVALID, "lr_option_lookup: NULL argument");
    for (size_t i = 0; i < N_SPECS; i++)
        if (strcmp(specs[i].name, name) == 0) {
            *key = specs[i].key;
            return LR_OK;
        }
    return lr__fail(LR_E_NOTFOUND, "unknown option '%s'", name);
}

int lr_option_key_at(size_t index)
{
    return index < N_SPECS ? specs[index].key : 0;
}

const char *lr_option_value_name(int key, int64_t value)
{
    for (size_t i = 0; i < N_CHOICES; i++)
        if (choices[i].key == key && choices[i].value == value)
            return choices[i].name;
    return NULL;
}

int lr_option_value_lookup(int key, const char *name, int64_t *value)
{
    int i = slot_of(key);
    if (!name || !value)
        return lr__fail(LR_E_INVALID, "lr_option_value_lookup: NULL argument");
    if (i < 0)
        return unknown_key(key);
    if (!has_names(key))
        return lr__fail(LR_E_INVALID, "option '%s' takes a number, not a name", specs[i].name);
    for (size_t c = 0; c < N_CHOICES; c++)
        if (choices[c].key == key && ieq(choices[c].name, name)) {
            *value = choices[c].value;
            return LR_OK;
        }
    char names[256];
    list_names(key, names, sizeof names);
    return lr__fail(LR_E_NOTFOUND, "option '%s': '%s' is not one of %s", specs[i].name, name,
                    names);
}

void lr_options_set_progress(lr_options *opts, lr_progress_fn fn, void *user_data)
{
    if (!opts)
        return;
    opts->progress.fn = fn;
    opts->progress.user_data = user_data;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int lr_options_set_string(lr_options *opts, const char *text)
{
    if (!opts || !text)
        return lr__fail(LR_E_INVALID, "lr_options_set_string: NULL argument");
    char *copy = lr__strdup(text);
    if (!copy)
        return lr__fail_oom("the option string in lr_options_set_string");
    lr_options work = *opts; /* all or nothing */
    int rc = LR_OK;
    char *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *t = trim(item);
        if (!*t)
            continue;
        char *eq = strchr(t, '=');
        if (!eq) {
            rc = lr__fail(LR_E_INVALID, "option item '%s': expected key=value", t);
            break;
        }
        *eq = '\0';
        char *k = trim(t), *v = trim(eq + 1);
        int key;
        if (lr_option_lookup(k, &key) != LR_OK) {
            rc = lr__fail(LR_E_INVALID, "unknown option '%s' (lr_option_key_at() lists them)", k);
            break;
        }
        const opt_spec *s = &specs[slot_of(key)];
        char *end;
        errno = 0;
        if (s->type == LR_OPTTYPE_INT) {
            long long x = strtoll(v, &end, 10);
            if (has_names(key) && (!*v || *end || errno)) {
                /* "transform=bm25": a name of the option's enum */
                int64_t named;
                rc = lr_option_value_lookup(key, v, &named);
                if (rc == LR_E_NOTFOUND) {
                    char names[256];
                    list_names(key, names, sizeof names);
                    rc = lr__fail(LR_E_INVALID, "option '%s': '%s' is not one of %s "
                                  "(or their numbers)", k, v, names);
                }
                if (rc)
                    break;
                x = named;
            } else if (!*v || *end || errno) {
                rc = lr__fail(LR_E_INVALID, "option '%s': '%s' is not an integer", k, v);
                break;
            }
            rc = lr_options_set_int(&work, key, x);
        } else {
            double x = strtod(v, &end);
            if (!*v || *end || errno) {
                rc = lr__fail(LR_E_INVALID, "option '%s': '%s' is not a number", k, v);
                break;
            }
            rc = lr_options_set_double(&work, key, x);
        }
        if (rc)
            break;
    }
    free(copy);
    if (rc == LR_OK)
        *opts = work;
    return rc;
}

int64_t lr__opt_int(const lr_options *opts, int key)
{
    int i = slot_of(key);
    if (i < 0)
        return 0;
    return (int64_t)(opts ? opts->value[i] : specs[i].def);
}

double lr__opt_double(const lr_options *opts, int key)
{
    int i = slot_of(key);
    if (i < 0)
        return 0;
    return opts ? opts->value[i] : specs[i].def;
}

int lr__opt_is_set(const lr_options *opts, int key)
{
    int i = slot_of(key);
    return opts && i >= 0 && opts->set[i];
}

void lr__opt_default_int(lr_options *opts, int key, int64_t v)
{
    if (!lr__opt_is_set(opts, key))
        lr_options_set_int(opts, key, v);
}

void lr__opt_default_double(lr_options *opts, int key, double v)
{
    if (!lr__opt_is_set(opts, key))
        lr_options_set_double(opts, key, v);
}

const lr__progress *lr__opt_progress(const lr_options *opts)
{
    static const lr__progress silent = {NULL, NULL};
    return opts ? &opts->progress : &silent;
}

/* 0 means every online CPU.  More threads than CPUs are never faster for
 * this work (each worker is compute-bound) and can be far slower: workers
 * that share a core spin and wait on one another at every barrier (an ALS
 * fit with threads=1000 on two cores ran 130 times slower).  So a request
 * above the CPU count is cut to it, and the first time, the log handler
 * hears about it. */
static atomic_int g_uncapped;

void lr__opt_threads_uncap(int on) { atomic_store(&g_uncapped, on != 0); }

int lr__opt_threads(const lr_options *opts)
{
    static atomic_flag warned = ATOMIC_FLAG_INIT;
    int64_t t = lr__opt_int(opts, LR_OPT_THREADS);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    if (t <= 0)
        return (int)n;
    if (t > n && !atomic_load(&g_uncapped)) {
        if (!atomic_flag_test_and_set(&warned))
            lr__log(LR_LOG_WARNING,
                    "threads=%lld is more than the %ld online CPU%s; using %ld "
                    "(threads beyond the CPUs only wait on one another)",
                    (long long)t, n, n == 1 ? "" : "s", n);
        return (int)n;
    }
    return (int)t;
}
