/* SPDX-License-Identifier: MIT */
#include "models.h"
#include "out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int tool_algorithms(const tool_args *a, int *algos, int *n)
{
    *n = 0;
    int k = -1;
    for (int i = 0; a->cmd->opts[i].name; i++)
        if (!strcmp(a->cmd->opts[i].name, "algo"))
            k = i;
    for (int v = 0; k >= 0 && v < a->nvalues[k]; v++) {
        const char *p = a->values[k][v];
        while (*p) {
            size_t len = strcspn(p, ",");
            char name[32];
            if (len == 0 || len >= sizeof name)
                return tool_usage_error(a->cmd, "%s: --algo '%s': expected names like "
                                        "als or pop,als", a->cmd->name, a->values[k][v]);
            memcpy(name, p, len);
            name[len] = '\0';
            int algo;
            if (lr_algorithm_lookup(name, &algo) != LR_OK) {
                /* The library's message lists them all; add the closest. */
                tool_near nr;
                char near[128];
                tool_near_init(&nr, name);
                for (int id = 1; id < 64; id++) {
                    const char *an = lr_algorithm_name(id);
                    if (an && *an && strcmp(an, "unknown") != 0)
                        tool_near_add(&nr, an, id);
                }
                tool_near_text(&nr, "'", "'", near, sizeof near);
                return tool_usage_error(a->cmd, "%s: --algo: %s%s%s%s", a->cmd->name,
                                        lr_last_error(), *near ? "; did you mean " : "", near,
                                        *near ? "?" : "");
            }
            int seen = 0;
            for (int i = 0; i < *n; i++)
                seen |= algos[i] == algo;
            if (!seen) {
                if (*n == TOOL_MAX_ALGOS)
                    return tool_usage_error(a->cmd, "%s: more than %d algorithms", a->cmd->name,
                                            TOOL_MAX_ALGOS);
                algos[(*n)++] = algo;
            }
            p += len;
            if (*p == ',')
                p++;
        }
    }
    if (*n == 0)
        return tool_usage_error(a->cmd, "%s: --algo is required (pop, mf, als, bpr, ease, blend or softmax)",
                                a->cmd->name);
    return TOOL_OK;
}

/* Settings that change what a model learns, and the thread count, which
 * can too (bpr with several threads is not deterministic). */
static int shapes_model(int key)
{
    return key >= LR_OPT_FACTORS || key == LR_OPT_SEED || key == LR_OPT_THREADS;
}

void tool_json_model_options(json_writer *w, const char *key, const lr_model *m)
{
    json_object_begin(w, key);
    int opt;
    for (size_t i = 0; (opt = lr_option_key_at(i)) != 0; i++) {
        const char *name;
        int type;
        double v;
        if (!shapes_model(opt) || lr_option_info(opt, &name, &type, NULL, NULL, NULL) != LR_OK ||
            lr_model_option(m, opt, &v) != LR_OK)
            continue;
        if (type == LR_OPTTYPE_INT)
            json_int(w, name, (int64_t)v);
        else
            json_number(w, name, v);
    }
    json_object_end(w);
}

static const struct {
    int field;
    const char *key;
} columns[] = {
    {LR_HISTORY_LOSS, "loss"},
    {LR_HISTORY_LOSS_OBSERVED, "loss_observed"},
    {LR_HISTORY_LOSS_L2, "loss_l2"},
    {LR_HISTORY_LOSS_GRAVITY, "loss_gravity"},
    {LR_HISTORY_VAL_LOSS, "val_loss"},
    {LR_HISTORY_VAL_NDCG, "val_ndcg"},
    {LR_HISTORY_VAL_PRECISION, "val_precision"},
    {LR_HISTORY_SECONDS, "seconds"},
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

int tool_write_history(const lr_model *m, const char *path)
{
    size_t epochs = 0;
    int rc = lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &epochs);
    if (rc != LR_OK && rc != LR_E_BUFSIZE)
        return tool_fail(rc, path);
    double *v = malloc((epochs ? epochs : 1) * N_COLUMNS * sizeof *v);
    if (!v)
        return tool_oom(path, (epochs ? epochs : 1) * N_COLUMNS, sizeof *v,
                        "the training history");
    for (size_t c = 0; c < N_COLUMNS; c++) {
        rc = lr_model_history(m, columns[c].field, v + c * epochs, epochs, NULL);
        if (rc != LR_OK) {
            free(v);
            return tool_fail(rc, path);
        }
    }
    /* Under a temporary name, renamed once whole: a kill or a full disk
     * leaves the previous history as it was, never an empty one. */
    tool_out out;
    if (tool_out_open(&out, path) != TOOL_OK) {
        free(v);
        return TOOL_BAD_INPUT;
    }
    json_writer w;
    json_init(&w, out.fp);
    json_object_begin(&w, NULL);
    json_string(&w, "algorithm", lr_algorithm_name(lr_model_algorithm(m)));
    tool_json_model_options(&w, "options", m);
    json_int(&w, "epochs", (int64_t)epochs);
    json_array_begin(&w, "history");
    for (size_t e = 0; e < epochs; e++) {
        json_object_begin(&w, NULL);
        json_int(&w, "epoch", (int64_t)e + 1);
        for (size_t c = 0; c < N_COLUMNS; c++)
            json_number(&w, columns[c].key, v[c * epochs + e]);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
    json_finish(&w);
    free(v);
    return tool_out_commit(&out);
}
