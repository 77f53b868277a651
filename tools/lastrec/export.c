/* lastrec export: a model's vectors for a serving system, through
 * lr_model_export (docs/formats.md, "Serving export").
 * SPDX-License-Identifier: MIT */
#include "json.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* What the export wrote, for the summary: the sizes come from the model,
 * which the files were written from. */
typedef struct export_run {
    const char *model, *dir, *format;
    lr_model *m;
    size_t users, artists, k;
    int bias;
} export_run;

static int measure(export_run *r)
{
    const float *v;
    int st = lr_model_embeddings(r->m, LR_EMBEDDING_USERS, &v, &r->users, &r->k);
    if (st == LR_OK)
        st = lr_model_embeddings(r->m, LR_EMBEDDING_ARTISTS, &v, &r->artists, NULL);
    if (st != LR_OK)
        return tool_fail(st, r->model);
    /* the export removes a stale bias file, so its presence is the model's */
    char path[4096];
    snprintf(path, sizeof path, "%s/artist_bias.npy", r->dir);
    r->bias = access(path, F_OK) == 0;
    return TOOL_OK;
}

static void print_text(const export_run *r)
{
    char u[32], ar[32];
    tool_fmt(u, sizeof u, (double)r->users, 0);
    tool_fmt(ar, sizeof ar, (double)r->artists, 0);
    printf("%s: %s model %s exported as %s: users.npy %s x %zu, artists.npy %s x %zu%s%s%s, "
           "users.tsv, artists.tsv\n",
           r->dir, lr_algorithm_name(lr_model_algorithm(r->m)), r->model, r->format, u, r->k,
           ar, r->k, r->bias ? ", artist_bias.npy " : "", r->bias ? ar : "",
           r->bias ? " (add it to the dot product)" : "");
}

static void print_json(const export_run *r)
{
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w, NULL);
    json_string(&w, "model", r->model);
    json_string(&w, "algorithm", lr_algorithm_name(lr_model_algorithm(r->m)));
    json_string(&w, "directory", r->dir);
    json_string(&w, "format", r->format);
    json_int(&w, "users", (int64_t)r->users);
    json_int(&w, "artists", (int64_t)r->artists);
    json_int(&w, "factors", (int64_t)r->k);
    json_array_begin(&w, "files");
    json_string(&w, NULL, "users.npy");
    json_string(&w, NULL, "artists.npy");
    if (r->bias)
        json_string(&w, NULL, "artist_bias.npy");
    json_string(&w, NULL, "users.tsv");
    json_string(&w, NULL, "artists.tsv");
    json_array_end(&w);
    json_object_end(&w);
    json_finish(&w);
}

static int run(const tool_args *a)
{
    export_run r = {.model = a->pos[0], .dir = a->pos[1]};
    lr_options *opts = NULL;
    int rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    const char *format = tool_value(a, "format");
    int64_t fmt = LR_EXPORT_NPY;
    if (format && lr_option_value_lookup(LR_OPT_EXPORT_FORMAT, format, &fmt) != LR_OK) {
        lr_options_free(opts);
        return tool_usage_error(a->cmd, "export: --format: %s", lr_last_error());
    }
    if (format)
        lr_options_set_int(opts, LR_OPT_EXPORT_FORMAT, fmt);
    r.format = lr_option_value_name(LR_OPT_EXPORT_FORMAT, fmt);
    int st = lr_model_load(&r.m, r.model);
    if (st != LR_OK)
        rc = tool_wrong_kind(a->cmd, r.model, 1) ? TOOL_BAD_INPUT : tool_fail(st, r.model);
    if (rc == TOOL_OK) {
        st = lr_model_export(r.m, r.dir, opts);
        rc = st != LR_OK ? tool_fail(st, r.dir) : measure(&r);
    }
    if (rc == TOOL_OK && tool_flag(a, "json"))
        print_json(&r);
    else if (rc == TOOL_OK)
        print_text(&r);
    lr_model_free(r.m);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"format", "npy", "what to write (default npy: NumPy arrays and TSV ID maps; shorthand "
                      "for --opt export_format=npy)"},
    TOOL_OPT_JSON,
    TOOL_OPT_OPT,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_export = {
    .name = "export",
    .args = "MODEL DIR",
    .npos = 2,
    .summary = "write a model's vectors and ID maps for a serving system (faiss, hnswlib)",
    .details = "MODEL is a model file with user and artist vectors (mf, als, bpr,\n"
               "softmax); pop, ease and blend have none that score as they do and are\n"
               "exit 1.  DIR, created when missing, gets users.npy and artists.npy\n"
               "(float32, one row per user or artist), users.tsv and artists.tsv (row,\n"
               "ID, name) and, for a model with artist biases (bpr, softmax with\n"
               "cold_boost), artist_bias.npy: a score is the dot product of a user's\n"
               "row and an artist's, plus that bias.  Every file is written under a\n"
               "temporary name and renamed once all are complete.  docs/formats.md,\n"
               "\"Serving export\", has the layout and how to load it.",
    .opts = opts,
    .run = run,
};
