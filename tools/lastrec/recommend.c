/* lastrec recommend: artists for a user of the model, or for a new
 * listener described by --like preferences folded into the model.
 * SPDX-License-Identifier: MIT */
#include "results.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LIKES TOOL_MAX_REPEAT

typedef struct like {
    const char *text;  /* as given: "Chris Brown=4000" */
    char name[256];
    double listens;
    int32_t id;
} like;

/* "NAME=COUNT", split at the last '=' so a name may hold one. */
static int parse_like(const tool_cmd *cmd, const char *text, like *l)
{
    const char *eq = strrchr(text, '=');
    if (!eq || eq == text || (size_t)(eq - text) >= sizeof l->name)
        return tool_usage_error(cmd, "recommend: --like takes NAME=COUNT, got '%s'", text);
    char *end;
    errno = 0;
    double v = strtod(eq + 1, &end);
    if (!eq[1] || *end || errno || !isfinite(v) || v <= 0)
        return tool_usage_error(cmd, "recommend: --like '%s': the play count must be a number "
                                     "above 0",
                                text);
    memcpy(l->name, text, (size_t)(eq - text));
    l->name[eq - text] = '\0';
    l->text = text;
    l->listens = v;
    return TOOL_OK;
}

static void print_text(const lr_query *q, const lr_model *m, long long user, const like *likes,
                       int n_likes)
{
    const char *algo = lr_algorithm_name(lr_model_algorithm(m));
    if (n_likes == 0) {
        printf("recommendations for user %lld by %s (%s):\n", user, algo, tool_measure_name(q));
    } else {
        printf("recommendations by %s (%s) for a new listener who played:\n", algo,
               tool_measure_name(q));
        for (int i = 0; i < n_likes; i++) {
            char c[32];
            printf("  %12s x %s (%d)\n", tool_fmt(c, sizeof c, likes[i].listens, 0),
                   lr_query_artist_name(q, likes[i].id), (int)likes[i].id);
        }
    }
    tool_query_print(q, 1);
    tool_score_note(m, q, 0);
}

static void print_json(const lr_query *q, const lr_model *m, const char *path, long long user,
                       const like *likes, int n_likes)
{
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w, NULL);
    json_string(&w, "model", path);
    json_string(&w, "algorithm", lr_algorithm_name(lr_model_algorithm(m)));
    int64_t k = 0;
    lr_query_get_int(q, LR_QUERY_K, &k);
    json_int(&w, "k", k);
    json_string(&w, "measure", tool_measure_name(q));
    json_string(&w, "score_meaning", tool_score_meaning(m, q, 0));
    if (n_likes == 0) {
        json_int(&w, "user", user);
    } else {
        json_array_begin(&w, "preferences");
        for (int i = 0; i < n_likes; i++) {
            json_object_begin(&w, NULL);
            json_string(&w, "query", likes[i].name);
            json_int(&w, "artist_id", likes[i].id);
            json_string(&w, "name", lr_query_artist_name(q, likes[i].id));
            json_number(&w, "listens", likes[i].listens);
            json_object_end(&w);
        }
        json_array_end(&w);
    }
    tool_query_json(&w, "results", q, 1);
    json_object_end(&w);
    json_finish(&w);
}

static int run(const tool_args *a)
{
    const char *path = a->pos[0];
    const char *user_text = tool_value(a, "user");
    like likes[MAX_LIKES];
    int n_likes = 0;
    for (int i = 0; i < TOOL_MAX_OPTS && a->cmd->opts[i].name; i++)
        if (!strcmp(a->cmd->opts[i].name, "like"))
            for (int j = 0; j < a->nvalues[i]; j++) {
                int rc = parse_like(a->cmd, a->values[i][j], &likes[n_likes]);
                if (rc != TOOL_OK)
                    return rc;
                n_likes++;
            }
    if ((user_text != NULL) == (n_likes > 0))
        return tool_usage_error(a->cmd, "recommend: give either --user ID or --like NAME=COUNT");
    long long user = 0;
    if (user_text && tool_parse_int(user_text, INT32_MIN, INT32_MAX, &user) != 0)
        return tool_usage_error(a->cmd, "recommend: --user takes a user ID, got '%s'", user_text);

    lr_model *m;
    lr_query *q;
    int rc = tool_query_open(a, path, &m, &q);
    if (rc != TOOL_OK)
        return rc;
    int st = LR_OK;
    for (int i = 0; i < n_likes && rc == TOOL_OK; i++) {
        long long id;
        if (!strncmp(likes[i].name, "id:", 3) &&
            tool_parse_int(likes[i].name + 3, INT32_MIN, INT32_MAX, &id) == 0) {
            likes[i].id = (int32_t)id;
            st = lr_query_add_preference(q, likes[i].id, likes[i].listens);
        } else {
            st = lr_query_add_preference_name(q, likes[i].name, likes[i].listens,
                                              &likes[i].id);
        }
        if (st == LR_E_AMBIGUOUS || st == LR_E_NOTFOUND) {
            char what[300];
            snprintf(what, sizeof what, "--like '%s'", likes[i].text);
            rc = tool_query_name_failed(m, q, st, what, likes[i].name);
        } else if (st != LR_OK) {
            rc = tool_fail(st, NULL);
        }
    }
    if (rc == TOOL_OK) {
        st = n_likes ? lr_query_recommend_preferences(q, NULL)
                     : lr_query_recommend_user(q, (int32_t)user, NULL);
        if (st != LR_OK)
            rc = tool_fail(st, path);
    }
    if (rc == TOOL_OK) {
        if (tool_flag(a, "json"))
            print_json(q, m, path, user, likes, n_likes);
        else
            print_text(q, m, user, likes, n_likes);
    }
    lr_query_free(q);
    lr_model_free(m);
    return rc;
}

static const tool_opt opts[] = {
    {"user", "ID", "recommend for this user of the model's training data"},
    {"like", "NAME=COUNT",
     "a new listener played NAME COUNT times (COUNT is plays; repeatable); names are found "
     "ignoring case and accents, and must be exact or unique; id:ID=COUNT "
     "names the artist by ID"},
    TOOL_OPT_K,
    TOOL_OPT_MEASURE,
    TOOL_OPT_TAG,
    TOOL_OPT_JSON,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_recommend = {
    .name = "recommend",
    .args = "MODEL",
    .npos = 1,
    .summary = "recommend artists for a user or for a list of liked artists",
    .details = "MODEL is a model file written by 'lastrec train'.  With --user, the\n"
               "user's own artists are left out; with --like, the liked artists are\n"
               "folded into the model without retraining and left out.  Each artist\n"
               "comes with the liked (or listened) artists that contributed most,\n"
               "and for softmax models the tags of theirs that did (\"; tags ...\").\n"
               "An ambiguous or unknown name is an error (exit 1) listing the\n"
               "candidates.  A note under the table says what a score is for the\n"
               "model; scores compare only within one model (docs/queries.md#scores).",
    .opts = opts,
    .run = run,
};
