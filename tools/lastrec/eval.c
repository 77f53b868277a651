/* lastrec eval: fit one or more models on a training side and measure them
 * on the held-out side with lr_evaluate() (docs/evaluation.md), one row per
 * algorithm.  SPDX-License-Identifier: MIT */
#include "json.h"
#include "models.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <time.h>

/* The metrics shown, in order, with their JSON keys. */
static const struct {
    int metric;
    const char *label; /* "P" for "P@10" */
    const char *key;
} shown[] = {
    {LR_METRIC_PRECISION, "P", "precision"}, {LR_METRIC_RECALL, "R", "recall"},
    {LR_METRIC_NDCG, "NDCG", "ndcg"},        {LR_METRIC_MAP, "MAP", "map"},
    {LR_METRIC_HITRATE, "HR", "hit_rate"},   {LR_METRIC_COVERAGE, "Cov", "coverage"},
    {LR_METRIC_COLD_RECALL, "ColdR", "cold_recall"},
};
#define LAST_METRIC LR_METRIC_COLD_PAIRS
#define N_SHOWN (sizeof shown / sizeof shown[0])

typedef struct row {
    int algo;
    lr_model *m;        /* NULL when the algorithm failed */
    char error[512];
    double metric[LAST_METRIC + 1];
    double fit_s, eval_s;
} row;

/* Where the training and test sides come from. */
typedef struct sides {
    const char *data, *train_path, *test_path; /* paths NULL for a holdout */
    double fraction;
    int64_t seed;
    lr_dataset *all, *train, *test;
} sides;

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fit and evaluate one algorithm; a failure is kept in the row, not fatal,
 * so the other rows still print. */
static void measure(row *r, const sides *s, int k, lr_options *opts)
{
    for (int i = 0; i <= LAST_METRIC; i++)
        r->metric[i] = NAN;
    const char *name = lr_algorithm_name(r->algo);
    tool_progress_model(opts, name, 0);
    lr_model *m = NULL;
    lr_evaluation *e = NULL;
    int st = lr_model_new(&m, r->algo, opts);
    double t0 = seconds();
    if (st == LR_OK)
        st = lr_model_fit(m, s->train, NULL);
    double t1 = seconds();
    if (st == LR_OK)
        st = lr_evaluate(&e, m, s->train, s->test, k, opts);
    double t2 = seconds();
    tool_progress_done();
    if (st != LR_OK) {
        const char *msg = lr_last_error();
        snprintf(r->error, sizeof r->error, "%s", *msg ? msg : lr_strerror(st));
        /* Most messages already start with the algorithm's name. */
        size_t len = strlen(name);
        if (!strncmp(r->error, name, len) && r->error[len] == ':')
            fprintf(stderr, "lastrec: %s\n", r->error);
        else
            fprintf(stderr, "lastrec: %s: %s\n", name, r->error);
        lr_model_free(m);
        return;
    }
    for (int i = 1; i <= LAST_METRIC; i++)
        r->metric[i] = lr_evaluation_metric(e, i);
    lr_evaluation_free(e);
    r->m = m;
    r->fit_s = t1 - t0;
    r->eval_s = t2 - t1;
}

extern const tool_cmd tool_cmd_eval;

static int load_sides(sides *s, lr_options *opts)
{
    int st = lr_dataset_load(&s->all, s->data, opts);
    if (st != LR_OK)
        return tool_wrong_kind(&tool_cmd_eval, s->data, 0) ? TOOL_BAD_INPUT
                                                            : tool_fail(st, s->data);
    if (s->train_path) {
        /* Both sides against DATA, so they share one catalogue: the
         * protocol ranks every artist of it, including artists that only
         * the test side or neither side mentions.  Loaded as a pair, so
         * the training side drops the tags of the test file's pairs. */
        st = lr_dataset_load_split(&s->train, &s->test, s->train_path, s->test_path, s->all,
                                   opts);
        if (st != LR_OK)
            return tool_fail(st, NULL);
    } else {
        st = lr_dataset_split(s->all, LR_SPLIT_PER_USER, opts, &s->train, &s->test);
        if (st != LR_OK)
            return tool_fail(st, s->data);
    }
    tool_progress_done();
    return TOOL_OK;
}

/* ------------------------------------------------------------- output */

static int has_rmse(const row *rows, int n)
{
    for (int i = 0; i < n; i++)
        if (rows[i].m && isfinite(rows[i].metric[LR_METRIC_RMSE]))
            return 1;
    return 0;
}

/* A count every row shares (the users and pairs depend on the split
 * alone), from the first row that has one. */
static double shared_count(const row *rows, int n, int metric)
{
    for (int i = 0; i < n; i++)
        if (rows[i].m)
            return rows[i].metric[metric];
    return NAN;
}

static double users_evaluated(const row *rows, int n)
{
    return shared_count(rows, n, LR_METRIC_USERS);
}

static void print_text(const sides *s, const row *rows, int n, int k, int64_t threads)
{
    char a[32], b[32], c[32];
    printf("data:  %s (%s users, %s artists)\n", s->data,
           tool_fmt(a, sizeof a, (double)lr_dataset_count(s->all, LR_COUNT_USERS), 0),
           tool_fmt(b, sizeof b, (double)lr_dataset_count(s->all, LR_COUNT_ARTISTS), 0));
    if (s->train_path)
        printf("split: train %s (%s user-artist pairs), test %s (%s pairs)\n", s->train_path,
               tool_fmt(a, sizeof a, (double)lr_dataset_count(s->train, LR_COUNT_LISTENS), 0),
               s->test_path,
               tool_fmt(b, sizeof b, (double)lr_dataset_count(s->test, LR_COUNT_LISTENS), 0));
    else
        printf("split: per-user holdout %g, seed %lld: train %s user-artist pairs, test %s pairs\n",
               s->fraction, (long long)s->seed,
               tool_fmt(a, sizeof a, (double)lr_dataset_count(s->train, LR_COUNT_LISTENS), 0),
               tool_fmt(b, sizeof b, (double)lr_dataset_count(s->test, LR_COUNT_LISTENS), 0));
    printf("tags:  %s tag assignments of held-out pairs dropped from training\n",
           tool_fmt(a, sizeof a, (double)lr_dataset_count(s->train, LR_COUNT_TAG_USES_HELD_OUT),
                    0));
    printf("users: %s with held-out artists, k = %d, threads %s\n",
           tool_fmt(c, sizeof c, users_evaluated(rows, n), 0), k,
           threads ? tool_fmt(a, sizeof a, (double)threads, 0) : "all cores");
    printf("cold:  %s held-out pairs of %s users are of artists nobody played in training "
           "(ColdR@%d is recall on them)\n\n",
           tool_fmt(a, sizeof a, shared_count(rows, n, LR_METRIC_COLD_PAIRS), 0),
           tool_fmt(b, sizeof b, shared_count(rows, n, LR_METRIC_COLD_USERS), 0), k);

    int rmse = has_rmse(rows, n);
    printf("%-6s", "algo");
    for (size_t i = 0; i < N_SHOWN; i++) {
        char h[32];
        snprintf(h, sizeof h, "%s@%d", shown[i].label, k);
        printf(" %9s", h);
    }
    if (rmse)
        printf(" %11s", "RMSE");
    printf(" %8s %8s\n", "fit s", "eval s");
    for (int r = 0; r < n; r++) {
        printf("%-6s", lr_algorithm_name(rows[r].algo));
        if (!rows[r].m) {
            printf(" failed: %s\n", rows[r].error);
            continue;
        }
        for (size_t i = 0; i < N_SHOWN; i++) {
            /* cold recall has no value when no held-out artist is cold */
            double v = rows[r].metric[shown[i].metric];
            if (isnan(v))
                printf(" %9s", "n/a");
            else
                printf(" %9.4f", v);
        }
        if (rmse) {
            double v = rows[r].metric[LR_METRIC_RMSE];
            /* Raw listen counts give RMSEs in the millions: significant
             * digits, not decimals. */
            if (isfinite(v))
                printf(" %11.6g", v);
            else
                printf(" %11s", "n/a");
        }
        printf(" %8.2f %8.2f\n", rows[r].fit_s, rows[r].eval_s);
    }
}

static void print_json(const sides *s, const row *rows, int n, int k, int64_t threads)
{
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w, NULL);
    json_string(&w, "data", s->data);
    json_object_begin(&w, "split");
    if (s->train_path) {
        json_string(&w, "method", "files");
        json_string(&w, "train", s->train_path);
        json_string(&w, "test", s->test_path);
    } else {
        json_string(&w, "method", "per_user_holdout");
        json_number(&w, "fraction", s->fraction);
        json_int(&w, "seed", s->seed);
    }
    json_int(&w, "train_listens", lr_dataset_count(s->train, LR_COUNT_LISTENS));
    json_int(&w, "test_listens", lr_dataset_count(s->test, LR_COUNT_LISTENS));
    json_int(&w, "train_tag_uses_held_out",
             lr_dataset_count(s->train, LR_COUNT_TAG_USES_HELD_OUT));
    json_object_end(&w);
    json_int(&w, "artists", lr_dataset_count(s->all, LR_COUNT_ARTISTS));
    json_int(&w, "k", k);
    json_int(&w, "threads", threads);
    json_number(&w, "users", users_evaluated(rows, n));
    json_array_begin(&w, "results");
    for (int r = 0; r < n; r++) {
        if (!rows[r].m)
            continue;
        json_object_begin(&w, NULL);
        json_string(&w, "algorithm", lr_algorithm_name(rows[r].algo));
        for (size_t i = 0; i < N_SHOWN; i++)
            json_number(&w, shown[i].key, rows[r].metric[shown[i].metric]);
        json_number(&w, "rmse", rows[r].metric[LR_METRIC_RMSE]);
        json_number(&w, "users", rows[r].metric[LR_METRIC_USERS]);
        json_number(&w, "cold_users", rows[r].metric[LR_METRIC_COLD_USERS]);
        json_number(&w, "cold_pairs", rows[r].metric[LR_METRIC_COLD_PAIRS]);
        json_number(&w, "fit_seconds", rows[r].fit_s);
        json_number(&w, "eval_seconds", rows[r].eval_s);
        tool_json_model_options(&w, "options", rows[r].m);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_array_begin(&w, "failed");
    for (int r = 0; r < n; r++) {
        if (rows[r].m)
            continue;
        json_object_begin(&w, NULL);
        json_string(&w, "algorithm", lr_algorithm_name(rows[r].algo));
        json_string(&w, "error", rows[r].error);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
    json_finish(&w);
}

/* ---------------------------------------------------------------- run */

/* The command line's choices, checked before any data is read. */
static int parse(const tool_args *a, sides *s, int *k, lr_options *opts)
{
    s->train_path = tool_value(a, "train");
    s->test_path = tool_value(a, "test");
    const char *holdout = tool_value(a, "holdout"), *kt = tool_value(a, "k");
    if (!s->train_path != !s->test_path)
        return tool_usage_error(a->cmd, "eval: --train and --test go together");
    if (s->train_path && holdout)
        return tool_usage_error(a->cmd, "eval: give --train and --test, or --holdout, not both");
    if (!s->train_path && !holdout)
        return tool_usage_error(a->cmd, "eval: say what to hold out: --train FILE --test FILE, "
                                "or --holdout FRACTION");
    long long v;
    *k = 10;
    if (kt) {
        if (tool_parse_int(kt, 1, 100000, &v) != 0)
            return tool_usage_error(a->cmd, "eval: -k: '%s' is not a whole number from 1 to "
                                    "100000", kt);
        *k = (int)v;
    }
    if (holdout) {
        double f;
        /* Holding out nothing would leave nobody to evaluate. */
        if (tool_parse_double(holdout, 0, 1, &f) != 0 || f == 0)
            return tool_usage_error(a->cmd, "eval: --holdout: '%s' is not a fraction above 0 "
                                    "and at most 1", holdout);
        lr_options_set_double(opts, LR_OPT_HOLDOUT_FRACTION, f);
    }
    lr_options_get_double(opts, LR_OPT_HOLDOUT_FRACTION, &s->fraction);
    lr_options_get_int(opts, LR_OPT_SEED, &s->seed);
    return TOOL_OK;
}

static int run(const tool_args *a)
{
    int algos[TOOL_MAX_ALGOS + 1], n = 0;
    int rc = tool_algorithms(a, algos + 1, &n);
    if (rc != TOOL_OK)
        return rc;
    /* --baseline puts popularity first, unless it is already asked for. */
    int first = 1;
    if (tool_flag(a, "baseline")) {
        int has_pop = 0;
        for (int i = 1; i <= n; i++)
            has_pop |= algos[i] == LR_ALGO_POP;
        if (!has_pop) {
            algos[0] = LR_ALGO_POP;
            first = 0;
            n++;
        }
    }
    sides s = {.data = a->pos[0]};
    int k = 10;
    lr_options *opts = NULL;
    rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    rc = parse(a, &s, &k, opts);
    if (rc == TOOL_OK)
        rc = load_sides(&s, opts);
    row rows[TOOL_MAX_ALGOS + 1];
    memset(rows, 0, sizeof rows);
    int failed = 0;
    if (rc == TOOL_OK) {
        for (int i = 0; i < n; i++) {
            rows[i].algo = algos[first + i];
            measure(&rows[i], &s, k, opts);
            failed += rows[i].m == NULL;
        }
        int64_t threads = 0;
        lr_options_get_int(opts, LR_OPT_THREADS, &threads);
        /* As the library uses it: never more than the CPUs. */
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (cpus > 0 && threads > cpus)
            threads = cpus;
        if (tool_flag(a, "json"))
            print_json(&s, rows, n, k, threads);
        else
            print_text(&s, rows, n, k, threads);
        rc = failed ? TOOL_BAD_INPUT : TOOL_OK;
    }
    for (int i = 0; i < n; i++)
        lr_model_free(rows[i].m);
    lr_dataset_free(s.train);
    lr_dataset_free(s.test);
    lr_dataset_free(s.all);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"algo", "NAME[,NAME]", "the algorithms to compare: pop, mf, als, bpr, ease, blend, "
                            "softmax (repeatable or comma-separated; one row each)"},
    {"baseline", NULL, "add popularity as the first row, if it is not asked for already"},
    TOOL_OPT_OPT,
    {"train", "FILE", "the training user-artist pairs (user_artists.dat format, over DATA's "
                      "catalogue); needs --test"},
    {"test", "FILE", "the held-out user-artist pairs"},
    {"holdout", "FRACTION", "instead of files: hold out this share of each user's artists "
                            "(lr_dataset_split per user)"},
    {"seed", "S", "seed of the holdout and of the models (shorthand for --opt seed=S; "
                  "default 42)"},
    {"k", "N", "cut-off of the ranking metrics (default 10)"},
    TOOL_OPT_THREADS,
    TOOL_OPT_FACTORS,
    TOOL_OPT_EPOCHS,
    TOOL_OPT_JSON,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_eval = {
    .name = "eval",
    .args = "DATA",
    .npos = 1,
    .summary = "fit models and print their ranking metrics on held-out pairs",
    .details = "DATA is the catalogue: every artist in it is ranked.  Each algorithm is\n"
               "fitted on the training side and, for every user with held-out artists,\n"
               "all artists not in the user's training pairs are ranked (equal scores\n"
               "by the lower artist ID); the top k give P@k, R@k, NDCG@k, MAP@k, HR@k\n"
               "and Coverage@k (docs/evaluation.md), ColdR@k the recall on held-out\n"
               "artists nobody listened to in training, and mf also the RMSE of the\n"
               "held-out weights under its transform.  Fit and evaluation times are\n"
               "wall-clock seconds.  An algorithm that fails is reported on stderr and\n"
               "the others still print; the exit status is then 1.",
    .opts = opts,
    .run = run,
};
