/* lastrec similar: the artists nearest one artist in the model's embedding
 * (for ease by its item weights, for blend by both, standardised).  SPDX-License-Identifier: MIT */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#define SHOW_CANDIDATES 10

static int run(const tool_args *a)
{
    const char *path = a->pos[0], *artist = a->pos[1];
    long long id_arg = 0;
    if (tool_flag(a, "id") && tool_parse_int(artist, INT32_MIN, INT32_MAX, &id_arg) != 0)
        return tool_usage_error(a->cmd, "similar: with --id, ARTIST is an artist ID, got '%s'",
                                artist);
    lr_model *m;
    lr_query *q;
    int rc = tool_query_open(a, path, &m, &q);
    if (rc != TOOL_OK)
        return rc;
    int32_t id = (int32_t)id_arg;
    int st = tool_flag(a, "id") ? lr_query_similar(q, id, NULL)
                                : lr_query_similar_name(q, artist, &id, NULL);
    size_t nc = 0;
    int32_t cand[SHOW_CANDIDATES + 1];
    if (!tool_flag(a, "id"))
        lr_query_candidates(q, cand, SHOW_CANDIDATES + 1, &nc);
    if (st == LR_E_NOTFOUND && !tool_flag(a, "id")) {
        rc = tool_query_name_failed(m, q, st, artist, artist);
    } else if (st != LR_OK) {
        rc = tool_fail(st, path);
    } else if (tool_flag(a, "json")) {
        json_writer w;
        json_init(&w, stdout);
        json_object_begin(&w, NULL);
        json_string(&w, "model", path);
        json_string(&w, "algorithm", lr_algorithm_name(lr_model_algorithm(m)));
        json_string(&w, "measure", tool_measure_name(q));
        json_string(&w, "score_meaning", tool_score_meaning(m, q, 1));
        json_string(&w, "query", artist);
        json_int(&w, "artist_id", id);
        json_string(&w, "name", lr_query_artist_name(q, id));
        /* every candidate the name matched, the chosen one first */
        json_array_begin(&w, "candidates");
        int32_t *all = NULL;
        if (nc > 0 && (all = malloc(nc * sizeof *all)) != NULL &&
            lr_query_candidates(q, all, nc, NULL) == LR_OK)
            for (size_t i = 0; i < nc; i++) {
                json_object_begin(&w, NULL);
                json_int(&w, "artist_id", all[i]);
                json_string(&w, "name", lr_query_artist_name(q, all[i]));
                json_object_end(&w);
            }
        free(all);
        json_array_end(&w);
        tool_query_json(&w, "results", q, 0);
        json_object_end(&w);
        json_finish(&w);
    } else {
        if (nc > 1) {
            /* as the notebook did: say what else the name matched */
            printf("'%s' matches %zu artists; using %s (%d).  Others:", artist, nc,
                   lr_query_artist_name(q, id), (int)id);
            const char *sep = " ";
            for (size_t i = 0; i < nc && i < SHOW_CANDIDATES + 1; i++)
                if (cand[i] != id) {
                    /* names hold commas, so the list is cut by semicolons */
                    printf("%s%s (%d)", sep, lr_query_artist_name(q, cand[i]), (int)cand[i]);
                    sep = "; ";
                }
            if (nc > SHOW_CANDIDATES + 1)
                printf("; and %zu more", nc - SHOW_CANDIDATES - 1);
            putchar('\n');
        }
        printf("artists similar to %s (%d) by %s (%s):\n", lr_query_artist_name(q, id), (int)id,
               lr_algorithm_name(lr_model_algorithm(m)), tool_measure_name(q));
        tool_query_print(q, 0);
        tool_score_note(m, q, 1);
    }
    lr_query_free(q);
    lr_model_free(m);
    return rc;
}

static const tool_opt opts[] = {
    {"id", NULL, "ARTIST is an artist ID, not a name"},
    TOOL_OPT_K,
    TOOL_OPT_MEASURE,
    TOOL_OPT_TAG,
    TOOL_OPT_JSON,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_similar = {
    .name = "similar",
    .args = "MODEL ARTIST",
    .npos = 2,
    .summary = "list the artists most similar to one artist",
    .details = "MODEL is a model file written by 'lastrec train'.  ARTIST is found\n"
               "ignoring case and accents; when several names match (\"Kanye\"), the\n"
               "exact one or else the best-known one is used and the others are\n"
               "listed.  Popularity models have no notion of similarity.  A note\n"
               "under the table says what a score is for the model; scores compare\n"
               "only within one model (docs/queries.md#scores).",
    .opts = opts,
    .run = run,
};
