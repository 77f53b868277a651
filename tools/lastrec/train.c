/* lastrec train: fit one model on a data set and save it as a model file,
 * optionally with its per-epoch history as JSON.
 * SPDX-License-Identifier: MIT */
#include "models.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <time.h>

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The last value of a history column, NaN when there is none. */
static double last(const lr_model *m, int field)
{
    size_t n = 0;
    if (lr_model_history(m, field, NULL, 0, &n) != LR_E_BUFSIZE || n == 0)
        return NAN;
    lr_clear_error();
    double *v = malloc(n * sizeof *v);
    double x = v && lr_model_history(m, field, v, n, NULL) == LR_OK ? v[n - 1] : NAN;
    free(v);
    return x;
}

/* Listens of one user, artist IDs ascending, into *ids (grown as needed). */
static int user_listens(const lr_dataset *ds, int32_t user, int32_t **ids, size_t *cap,
                        size_t *n)
{
    int rc = lr_dataset_user_listens(ds, user, *ids, NULL, *cap, n);
    if (rc == LR_E_BUFSIZE) {
        lr_clear_error();
        int32_t *grown = realloc(*ids, *n * sizeof **ids);
        if (!grown)
            return LR_E_NOMEM;
        *ids = grown;
        *cap = *n;
        rc = lr_dataset_user_listens(ds, user, *ids, NULL, *cap, n);
    }
    return rc;
}

/* Validation listens that are also training listens can never be hits
 * (a user's training artists are not recommended), so validation metrics
 * over them measure nothing; say so rather than print zeros silently. */
static void warn_overlap(const lr_dataset *train, const lr_dataset *val)
{
    size_t n_users = 0;
    lr_dataset_ids(val, LR_IDS_USERS, NULL, 0, &n_users);
    lr_clear_error();
    int32_t *users = malloc((n_users ? n_users : 1) * sizeof *users);
    int32_t *a = NULL, *b = NULL;
    size_t cap_a = 0, cap_b = 0, na, nb;
    int64_t shared = 0;
    if (!users || lr_dataset_ids(val, LR_IDS_USERS, users, n_users, NULL) != LR_OK)
        goto done;
    for (size_t u = 0; u < n_users; u++) {
        if (user_listens(val, users[u], &a, &cap_a, &na) != LR_OK ||
            user_listens(train, users[u], &b, &cap_b, &nb) != LR_OK)
            goto done;
        for (size_t i = 0, j = 0; i < na && j < nb;) {
            if (a[i] == b[j])
                shared++, i++, j++;
            else if (a[i] < b[j])
                i++;
            else
                j++;
        }
    }
    if (shared) {
        char x[32], y[32];
        fprintf(stderr, "lastrec: warning: %s of %s validation user-artist pairs are also "
                "training pairs and can never be hits; hold them out of training with --train FILE\n",
                tool_fmt(x, sizeof x, (double)shared, 0),
                tool_fmt(y, sizeof y, (double)lr_dataset_count(val, LR_COUNT_LISTENS), 0));
    }
done:
    lr_clear_error();
    free(users);
    free(a);
    free(b);
}

static void summary(const lr_model *m, const char *out, const char *data, double fit_s,
                    int validated)
{
    char u[32], ar[32];
    size_t users = 0, artists = 0, epochs = 0;
    lr_model_ids(m, LR_IDS_USERS, NULL, 0, &users);
    lr_model_ids(m, LR_IDS_ARTISTS, NULL, 0, &artists);
    lr_model_history(m, LR_HISTORY_SECONDS, NULL, 0, &epochs);
    lr_clear_error();
    printf("%s: %s model of %s (%s users, %s artists), %zu epoch%s in %.2f s", out,
           lr_algorithm_name(lr_model_algorithm(m)), data,
           tool_fmt(u, sizeof u, (double)users, 0), tool_fmt(ar, sizeof ar, (double)artists, 0),
           epochs, epochs == 1 ? "" : "s", fit_s);
    double loss = last(m, LR_HISTORY_LOSS);
    if (isfinite(loss))
        printf(", final loss %.6g", loss);
    if (validated) {
        double k = 10;
        lr_model_option(m, LR_OPT_EVAL_K, &k);
        printf(", validation NDCG@%.0f %.4f, P@%.0f %.4f", k, last(m, LR_HISTORY_VAL_NDCG), k,
               last(m, LR_HISTORY_VAL_PRECISION));
    }
    putchar('\n');
}

static int run(const tool_args *a)
{
    const char *data = a->pos[0], *out = tool_value(a, "output");
    const char *val_path = tool_value(a, "validation"), *history = tool_value(a, "history");
    const char *train_path = tool_value(a, "train");
    int algos[TOOL_MAX_ALGOS], n_algos;
    int rc = tool_algorithms(a, algos, &n_algos);
    if (rc != TOOL_OK)
        return rc;
    if (n_algos != 1)
        return tool_usage_error(a->cmd, "train: one --algo at a time (use 'lastrec eval' to "
                                "compare several)");
    if (!out)
        return tool_usage_error(a->cmd, "train: -o MODEL is required");

    lr_options *opts = NULL;
    rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    lr_dataset *ds = NULL, *train = NULL, *val = NULL;
    lr_model *m = NULL;
    int st = lr_dataset_load(&ds, data, opts);
    if (st != LR_OK) {
        rc = tool_wrong_kind(a->cmd, data, 0) ? TOOL_BAD_INPUT : tool_fail(st, data);
        goto done;
    }
    /* Both against DATA's catalogue, so the training and validation users
     * and artists are the model's.  The training file is a split's
     * training side: whatever of DATA's pairs it lacks is held out (the
     * validation pairs among them), and their tags are dropped with them. */
    if (train_path &&
        (st = lr_dataset_load_split(&train, NULL, train_path, NULL, ds, opts)) != LR_OK) {
        rc = tool_fail(st, train_path);
        goto done;
    }
    if (val_path && (st = lr_dataset_load_listens(&val, val_path, ds, opts)) != LR_OK) {
        rc = tool_fail(st, val_path);
        goto done;
    }
    tool_progress_done();
    const lr_dataset *fit_on = train ? train : ds;
    if (val)
        warn_overlap(fit_on, val);
    const char *name = lr_algorithm_name(algos[0]);
    tool_progress_model(opts, name, tool_flag(a, "verbose"));
    st = lr_model_new(&m, algos[0], opts);
    double t0 = seconds();
    if (st == LR_OK)
        st = lr_model_fit(m, fit_on, val);
    double fit_s = seconds() - t0;
    tool_progress_done();
    if (st != LR_OK) {
        rc = tool_fail(st, NULL);
        goto done;
    }
    /* The history first: it is worth having even when the model cannot be
     * saved. */
    if (history && (rc = tool_write_history(m, history)) != TOOL_OK)
        goto done;
    /* the library does not report saving (a large model writes for a
     * while): a step of the display's own, not started after Ctrl-C */
    if ((rc = tool_progress_step("write model", 0, 1)) != TOOL_OK) {
        tool_progress_done();
        goto done;
    }
    st = lr_model_save(m, out);
    tool_progress_step("write model", 1, 1);
    tool_progress_done();
    if (st != LR_OK) {
        rc = tool_fail(st, out);
        goto done;
    }
    summary(m, out, data, fit_s, val != NULL);

done:
    lr_model_free(m);
    lr_dataset_free(val);
    lr_dataset_free(train);
    lr_dataset_free(ds);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"algo", "NAME", "the algorithm: pop, mf, als, bpr, ease, blend or softmax (required)"},
    {"output", "MODEL", "write the fitted model here (required)", },
    TOOL_OPT_OPT,
    {"train", "FILE", "fit on this listens file (over DATA's users and artists) instead of "
                      "on all of DATA's user-artist pairs"},
    {"validation", "FILE", "a listens file over DATA's users and artists; each epoch's "
                           "history then holds the validation loss, NDCG@k and Precision@k "
                           "(k = eval_k)"},
    {"history", "FILE.json", "write the training history, every column per epoch, as JSON"},
    {"verbose", NULL, "one line per epoch on stderr when it is not a terminal", },
    TOOL_OPT_SEED,
    TOOL_OPT_THREADS,
    TOOL_OPT_FACTORS,
    TOOL_OPT_EPOCHS,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_train = {
    .name = "train",
    .args = "DATA",
    .npos = 1,
    .summary = "fit a model (pop, mf, als, bpr, ease, blend, softmax) and save it as a model file",
    .details = "DATA is anything 'lastrec info' reads: the catalogue of users and\n"
               "artists, and the user-artist pairs the model learns from unless --train names a\n"
               "split's training side (then --validation can be its held-out side).\n"
               "Options the algorithm uses come from --opt (see 'lastrec help\n"
               "options' and docs/models.md); those not given take the algorithm's\n"
               "defaults.  On a terminal a progress bar shows the epochs.  Prints one\n"
               "line: the model file, the algorithm, the epochs and the fit time, with\n"
               "the final loss and validation metrics when there are any.",
    .opts = opts,
    .short_opts = "o=output v=verbose",
    .run = run,
};
