/* SPDX-License-Identifier: MIT */
#include "results.h"

#include <stdlib.h>
#include <string.h>

#define EXPLAIN_MAX 3

const char *tool_measure_name(const lr_query *q)
{
    int64_t v = LR_MEASURE_DOT;
    lr_query_get_int(q, LR_QUERY_MEASURE, &v);
    return v == LR_MEASURE_COSINE ? "cosine" : "dot";
}

const char *tool_score_meaning(const lr_model *m, const lr_query *q, int similar)
{
    int cosine = !strcmp(tool_measure_name(q), "cosine");
    double bias = 0;
    switch (lr_model_algorithm(m)) {
    case LR_ALGO_POP:
        return "the artist's fan count (its listeners in the training data)";
    case LR_ALGO_EASE:
        return similar ? "the item weight from the chosen artist to this one (a row of B)"
                       : "the item weights from each played artist to this one, times "
                         "the transformed plays, summed";
    case LR_ALGO_BLEND:
        /* the softmax part (softmax_weight > 0) is always a dot product */
        if (similar)
            return cosine ? "standardised item weight + blend_weight x standardised cosine "
                            "of the two artists' embeddings + softmax_weight x standardised "
                            "softmax score of a listener of the chosen artist alone"
                          : "standardised item weight + blend_weight x standardised dot "
                            "product of the two artists' embeddings + softmax_weight x "
                            "standardised softmax score of a listener of the chosen artist "
                            "alone";
        return cosine ? "standardised item score + blend_weight x standardised cosine of "
                        "the listener's and the artist's embeddings + softmax_weight x "
                        "standardised softmax score"
                      : "standardised item score + blend_weight x standardised dot product "
                        "of the listener's and the artist's embeddings + softmax_weight x "
                        "standardised softmax score";
    default:
        break;
    }
    if (similar)
        return cosine ? "cosine of the two artists' embeddings (-1 to 1)"
                      : "dot product of the two artists' embeddings";
    if (cosine)
        return "cosine of the listener's and the artist's embeddings (-1 to 1)";
    double mix = 0;
    if (lr_model_algorithm(m) == LR_ALGO_SOFTMAX &&
        lr_model_option(m, LR_OPT_COLD_MIX, &mix) == LR_OK && mix > 0)
        return "for an artist somebody played in training, its log-probability (the dot "
               "product of the listener's and the artist's embeddings less their logsumexp); "
               "for one nobody played, log(cold_mix x the listener's share of rare artists / "
               "its rank by tags, vector and name) (docs/models.md#cold-artists)";
    if (lr_model_algorithm(m) == LR_ALGO_BPR && lr_model_option(m, LR_OPT_ITEM_BIAS, &bias) == LR_OK &&
        bias != 0)
        return "dot product of the listener's and the artist's embeddings, plus the "
               "artist's bias";
    return "dot product of the listener's and the artist's embeddings";
}

void tool_score_note(const lr_model *m, const lr_query *q, int similar)
{
    char line[512];
    snprintf(line, sizeof line, "score (%s): %s.", lr_algorithm_name(lr_model_algorithm(m)),
             tool_score_meaning(m, q, similar));
    tool_wrap(stdout, line, 2);
    puts("Scores rank artists within one model and measure; they do not compare\n"
         "across models (docs/queries.md#scores).");
}

int tool_query_open(const tool_args *a, const char *path, lr_model **m, lr_query **q)
{
    long long k = 10;
    const char *kt = tool_value(a, "k");
    if (kt && tool_parse_int(kt, 1, 10000, &k) != 0)
        return tool_usage_error(a->cmd, "%s: -k must be a whole number from 1 to 10000, got '%s'",
                                a->cmd->name, kt);
    int measure = LR_MEASURE_DOT;
    const char *mt = tool_value(a, "measure");
    if (mt && !strcmp(mt, "cosine"))
        measure = LR_MEASURE_COSINE;
    else if (mt && strcmp(mt, "dot") != 0)
        return tool_usage_error(a->cmd, "%s: --measure is 'dot' or 'cosine', got '%s'",
                                a->cmd->name, mt);
    *m = NULL;
    *q = NULL;
    int st = lr_model_load(m, path);
    if (st != LR_OK)
        return tool_wrong_kind(a->cmd, path, 1) ? TOOL_BAD_INPUT : tool_fail(st, path);
    st = lr_query_new(q, *m);
    if (st == LR_OK)
        st = lr_query_set_int(*q, LR_QUERY_K, k);
    if (st == LR_OK)
        st = lr_query_set_int(*q, LR_QUERY_MEASURE, measure);
    const char *tag = tool_value(a, "tag");
    if (st == LR_OK && tag)
        st = lr_query_set_tag(*q, tag);
    if (st != LR_OK) {
        int rc = tool_fail(st, path);
        lr_query_free(*q);
        lr_model_free(*m);
        *q = NULL;
        *m = NULL;
        return rc;
    }
    return TOOL_OK;
}

/* A name nothing contains ("Radiohed"): the closest names of the model's
 * artists by edit distance, best known first among equals. */
static void near_names(const lr_model *m, const lr_query *q, const char *text)
{
    size_t n = 0;
    if (lr_model_ids(m, LR_IDS_ARTISTS, NULL, 0, &n) != LR_E_BUFSIZE || n == 0) {
        lr_clear_error();
        return;
    }
    lr_clear_error();
    int32_t *ids = malloc(n * sizeof *ids);
    if (!ids || lr_model_ids(m, LR_IDS_ARTISTS, ids, n, NULL) != LR_OK) {
        free(ids);
        return;
    }
    tool_near nr;
    tool_near_init(&nr, text);
    nr.part = 1;
    for (size_t i = 0; i < n; i++)
        tool_near_add(&nr, lr_query_artist_name(q, ids[i]), ids[i]);
    if (nr.n) {
        fputs("did you mean:\n", stderr);
        for (int i = 0; i < nr.n && nr.dist[i] == nr.dist[0]; i++)
            fprintf(stderr, "  %8d  %s\n", (int)nr.id[i], nr.name[i]);
    }
    fputs("Names are matched ignoring case and accents, as a part of the name:\n"
          "'lastrec similar MODEL PART --json' lists every artist whose name holds PART.\n",
          stderr);
    free(ids);
}

int tool_query_name_failed(const lr_model *m, lr_query *q, int status, const char *what,
                           const char *text)
{
    fprintf(stderr, "lastrec: %s: %s\n", what, lr_last_error());
    if (status == LR_E_NOTFOUND) {
        near_names(m, q, text);
        return TOOL_BAD_INPUT;
    }
    int32_t ids[20];
    size_t n = 0;
    if (status == LR_E_AMBIGUOUS && lr_query_candidates(q, ids, 20, &n) == LR_OK && n) {
        fputs("candidates:\n", stderr);
        for (size_t i = 0; i < n && i < 20; i++)
            fprintf(stderr, "  %8d  %s\n", (int)ids[i], lr_query_artist_name(q, ids[i]));
        if (n > 20)
            fprintf(stderr, "  ... and %zu more\n", n - 20);
    }
    return TOOL_BAD_INPUT;
}

/* Print s in a column of `width` characters (not bytes: names are UTF-8),
 * cut with "..." when longer. */
static void column(const char *s, int width)
{
    int chars = 0;
    const char *p = s, *cut = NULL;
    for (; *p; p++)
        if (((unsigned char)*p & 0xC0) != 0x80) {
            if (chars == width - 3)
                cut = p;
            chars++;
        }
    if (chars > width) {
        fwrite(s, 1, (size_t)(cut - s), stdout);
        fputs("...", stdout);
        return;
    }
    fputs(s, stdout);
    printf("%*s", width - chars, "");
}

void tool_query_print(const lr_query *q, int explain)
{
    size_t n = lr_query_result_count(q);
    printf("%4s  %-9s %-32s %9s  %-16s %6s%s\n", "rank", "id", "artist", "score", "top tag", "fans",
           explain ? "  because of" : "");
    for (size_t r = 0; r < n; r++) {
        int32_t id;
        double score;
        lr_query_result(q, r, &id, &score);
        printf("%4zu  %-9d ", r + 1, (int)id);
        column(lr_query_result_name(q, r), 32);
        printf(" %9.4f  ", score);
        const char *tag = lr_query_result_top_tag(q, r);
        column(*tag ? tag : "-", 16);
        char fans[32];
        printf(" %6s", tool_fmt(fans, sizeof fans, (double)lr_query_result_fans(q, r), 0));
        int32_t why[EXPLAIN_MAX];
        size_t nw = 0;
        if (explain && lr_query_result_explanation(q, r, why, NULL, EXPLAIN_MAX, &nw) == LR_OK)
            for (size_t i = 0; i < nw && i < EXPLAIN_MAX; i++)
                printf("%s%s", i ? ", " : "  ", lr_query_artist_name(q, why[i]));
        /* softmax: the tags of the liked artists that raised the score */
        const char *tags[EXPLAIN_MAX];
        size_t nt = 0;
        if (explain && lr_query_result_tag_explanation(q, r, tags, NULL, EXPLAIN_MAX, &nt) == LR_OK)
            for (size_t i = 0; i < nt && i < EXPLAIN_MAX; i++)
                printf("%s%s", i ? ", " : nw ? "; tags " : "  tags ", tags[i]);
        putchar('\n');
    }
    if (n == 0)
        puts("  (no artist qualifies)");
}

void tool_query_json(json_writer *w, const char *key, const lr_query *q, int explain)
{
    json_array_begin(w, key);
    for (size_t r = 0; r < lr_query_result_count(q); r++) {
        int32_t id;
        double score;
        lr_query_result(q, r, &id, &score);
        json_object_begin(w, NULL);
        json_int(w, "rank", (int64_t)r + 1);
        json_int(w, "artist_id", id);
        json_string(w, "name", lr_query_result_name(q, r));
        json_number(w, "score", score);
        json_string(w, "top_tag", lr_query_result_top_tag(q, r));
        json_int(w, "fans", lr_query_result_fans(q, r));
        const char *tags[5];
        int64_t counts[5];
        size_t nt = 0;
        lr_query_result_tags(q, r, tags, counts, 5, &nt);
        json_array_begin(w, "tags");
        for (size_t i = 0; i < nt; i++) {
            json_object_begin(w, NULL);
            json_string(w, "tag", tags[i]);
            json_int(w, "count", counts[i]);
            json_object_end(w);
        }
        json_array_end(w);
        if (explain) {
            int32_t why[EXPLAIN_MAX];
            double c[EXPLAIN_MAX];
            size_t nw = 0;
            lr_query_result_explanation(q, r, why, c, EXPLAIN_MAX, &nw);
            json_array_begin(w, "because_of");
            for (size_t i = 0; i < nw && i < EXPLAIN_MAX; i++) {
                json_object_begin(w, NULL);
                json_int(w, "artist_id", why[i]);
                json_string(w, "name", lr_query_artist_name(q, why[i]));
                json_number(w, "contribution", c[i]);
                json_object_end(w);
            }
            json_array_end(w);
            /* softmax's tags; empty for models that do not read tags */
            const char *tg[EXPLAIN_MAX];
            size_t ntg = 0;
            lr_query_result_tag_explanation(q, r, tg, c, EXPLAIN_MAX, &ntg);
            json_array_begin(w, "because_of_tags");
            for (size_t i = 0; i < ntg && i < EXPLAIN_MAX; i++) {
                json_object_begin(w, NULL);
                json_string(w, "tag", tg[i]);
                json_number(w, "contribution", c[i]);
                json_object_end(w);
            }
            json_array_end(w);
        }
        json_object_end(w);
    }
    json_array_end(w);
}
