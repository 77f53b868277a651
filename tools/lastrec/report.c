/* lastrec report: the notebook's pictures as one self-contained HTML page
 * (lr_report_*, docs/report.md).  SPDX-License-Identifier: MIT */
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const tool_cmd tool_cmd_report;

/* Progress in a log, one line per step and one per t-SNE report (every
 * 50 iterations), so a long map shows it is moving there too; a terminal
 * gets the tool's bar instead (progress.h). */
static int report_progress(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    static char last[128];
    (void)user_data;
    if (tool_progress_interrupted())
        return 1;
    if (!strncmp(stage, "tsne", 4)) {
        fprintf(stderr, "lastrec report: t-SNE iteration %llu/%llu (%s)\n",
                (unsigned long long)done, (unsigned long long)total, stage + 5);
    } else if (!strncmp(stage, "report: ", 8) && strcmp(stage, last) != 0) {
        fprintf(stderr, "lastrec report: %s\n", stage + 8);
        snprintf(last, sizeof last, "%s", stage);
    }
    return 0;
}

/* A model's label: its file name without the directory and .lrmodel. */
static void label_of(const char *path, char *out, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    snprintf(out, size, "%s", base);
    size_t n = strlen(out);
    if (n > 8 && !strcmp(out + n - 8, ".lrmodel"))
        out[n - 8] = '\0';
}

static int run(const tool_args *a)
{
    const char *data = a->pos[0], *out = tool_value(a, "output");
    const char *split = tool_value(a, "split"), *holdout = tool_value(a, "holdout");
    const char *user = tool_value(a, "user"), *map = tool_value(a, "map");
    if (!out)
        return tool_usage_error(a->cmd, "report: say where to write the page: -o FILE.html");
    if (split && holdout)
        return tool_usage_error(a->cmd, "report: give --split DIR or --holdout FRACTION, not "
                                        "both");
    double fraction = 0;
    if (holdout && (tool_parse_double(holdout, 0, 1, &fraction) != 0 || fraction == 0))
        return tool_usage_error(a->cmd, "report: --holdout: '%s' is not a fraction above 0 "
                                        "and at most 1", holdout);
    long long uid = -1;
    if (user && tool_parse_int(user, 0, INT32_MAX, &uid) != 0)
        return tool_usage_error(a->cmd, "report: --user: '%s' is not a user ID", user);
    int map_kind = LR_REPORT_MAP_TSNE;
    if (map) {
        if (!strcmp(map, "tsne"))
            map_kind = LR_REPORT_MAP_TSNE;
        else if (!strcmp(map, "pca"))
            map_kind = LR_REPORT_MAP_PCA;
        else if (!strcmp(map, "none"))
            map_kind = LR_REPORT_MAP_NONE;
        else
            return tool_usage_error(a->cmd, "report: --map is tsne, pca or none, got '%s'", map);
    }
    lr_options *opts = NULL;
    int rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    if (holdout)
        lr_options_set_double(opts, LR_OPT_HOLDOUT_FRACTION, fraction);
    if (!tool_progress_drawing() && !tool_progress_quiet())
        lr_options_set_progress(opts, report_progress, NULL);

    lr_dataset *ds = NULL, *train = NULL, *test = NULL;
    lr_model *models[TOOL_MAX_REPEAT] = {NULL};
    int nm = 0;
    lr_report *r = NULL;
    int st;
    rc = tool_load(a, data, &ds);
    if (rc != TOOL_OK)
        goto done;
    char desc[1024] = "";
    if (split) {
        size_t len = strlen(split) + 16;
        char *tp = malloc(len), *sp = malloc(len);
        if (!tp || !sp) {
            free(tp);
            free(sp);
            rc = tool_oom(NULL, 2, len, "the split's file names");
            goto done;
        }
        snprintf(tp, len, "%s/train.dat", split);
        snprintf(sp, len, "%s/test.dat", split);
        st = lr_dataset_load_split(&train, &test, tp, sp, ds, opts);
        free(tp);
        free(sp);
        if (st != LR_OK) {
            rc = tool_fail(st, split);
            goto done;
        }
        snprintf(desc, sizeof desc, "the split in %s (train.dat, test.dat)", split);
    } else if (holdout) {
        st = lr_dataset_split(ds, LR_SPLIT_PER_USER, opts, &train, &test);
        if (st != LR_OK) {
            rc = tool_fail(st, data);
            goto done;
        }
        int64_t seed = 42;
        lr_options_get_int(opts, LR_OPT_SEED, &seed);
        snprintf(desc, sizeof desc, "a per-user holdout of %g, seed %lld", fraction,
                 (long long)seed);
    }
    st = lr_report_new(&r, ds, opts);
    if (st == LR_OK && train)
        st = lr_report_set_split(r, train, test, desc);
    if (st == LR_OK)
        st = lr_report_set_int(r, LR_REPORT_USER, uid);
    if (st == LR_OK)
        st = lr_report_set_int(r, LR_REPORT_MAP, map_kind);
    const char *kt = tool_value(a, "k");
    if (st == LR_OK && kt) {
        long long k;
        if (tool_parse_int(kt, 1, 100, &k) != 0) {
            rc = tool_usage_error(a->cmd, "report: -k: '%s' is not a whole number from 1 to 100",
                                  kt);
            goto done;
        }
        st = lr_report_set_int(r, LR_REPORT_K, k);
    }
    if (st != LR_OK) {
        rc = tool_fail(st, NULL);
        goto done;
    }
    int idx = 0;
    for (int o = 0; a->cmd->opts[o].name; o++) {
        if (strcmp(a->cmd->opts[o].name, "model") != 0)
            continue;
        for (int v = 0; v < a->nvalues[o]; v++) {
            const char *path = a->values[o][v];
            st = lr_model_load(&models[nm], path);
            if (st != LR_OK) {
                rc = tool_wrong_kind(a->cmd, path, 1) ? TOOL_BAD_INPUT : tool_fail(st, path);
                goto done;
            }
            char label[256];
            label_of(path, label, sizeof label);
            st = lr_report_add_model(r, models[nm++], label);
            if (st != LR_OK) {
                rc = tool_fail(st, path);
                goto done;
            }
            idx++;
        }
    }
    size_t bytes = 0;
    st = lr_report_write(r, out, &bytes);
    if (st != LR_OK) {
        rc = tool_fail(st, out);
        goto done;
    }
    char b[32];
    printf("%s: report of %s with %d model%s, %s bytes\n", out, data, idx, idx == 1 ? "" : "s",
           tool_fmt(b, sizeof b, (double)bytes, 0));
done:
    lr_report_free(r);
    for (int i = 0; i < nm; i++)
        lr_model_free(models[i]);
    lr_dataset_free(test);
    lr_dataset_free(train);
    lr_dataset_free(ds);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"output", "FILE.html", "write the page here (required)"},
    {"model", "FILE.lrmodel", "a model to show (repeatable, up to 16); the first answers the "
                              "queries and the first with artist vectors is mapped"},
    {"split", "DIR", "evaluate the models on DIR/train.dat and DIR/test.dat (a split of "
                     "DATA, e.g. from 'lastrec split')"},
    {"holdout", "FRACTION", "instead of --split: hold out this share of each user's artists "
                            "(lr_dataset_split per user, --seed)"},
    {"user", "ID", "the user whose recommendations are shown (default: the lowest ID)"},
    {"map", "tsne|pca|none", "the map of the artists: t-SNE (the default), PCA, or none"},
    {"k", "N", "metrics at k and recommendation tables of k artists (default 10)"},
    TOOL_OPT_OPT,
    TOOL_OPT_SEED,
    TOOL_OPT_THREADS,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_report = {
    .name = "report",
    .args = "DATA",
    .npos = 1,
    .summary = "write the notebook's pictures as one self-contained HTML page",
    .details = "DATA is anything 'lastrec info' reads.  The page has seven sections: the\n"
               "data, its distributions, tags, friends, the models (metrics next to\n"
               "popularity on --split or --holdout, and training curves), their\n"
               "embeddings (norms against listeners, a t-SNE map coloured by top tag)\n"
               "and the first model's recommendations.  Models must be trained on\n"
               "DATA's users and artists (lastrec train DATA --train DIR/train.dat for\n"
               "honest metrics).  The page loads nothing: open it in any browser, also\n"
               "offline.  Progress goes to stderr; docs/report.md describes the page.",
    .opts = opts,
    .short_opts = "o=output",
    .run = run,
};
