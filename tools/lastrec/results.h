/* Query pieces shared by `lastrec recommend` and `lastrec similar`: loading
 * the model into a query with the command's settings, and printing the
 * results as a table or as JSON.  SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_RESULTS_H
#define LASTREC_TOOL_RESULTS_H

#include "json.h"
#include "util.h"

extern const tool_cmd tool_cmd_recommend, tool_cmd_similar;

/* The options both commands share, for their tables. */
#define TOOL_OPT_K {"k", "N", "number of artists to show (default 10)"}
#define TOOL_OPT_MEASURE                                                     \
    {"measure", "dot|cosine", "compare embeddings by dot product (the "      \
                              "model's score, the default) or by cosine"}
#define TOOL_OPT_TAG                                                         \
    {"tag", "TAG", "only artists carrying TAG (their top tag or one of "     \
                   "their five most used; case and spaces ignored)"}

/* Load the model file at @p path and make a query with -k, --measure and
 * --tag applied.  Prints the failure itself and returns TOOL_BAD_INPUT or
 * TOOL_USAGE. */
int tool_query_open(const tool_args *a, const char *path, lr_model **m, lr_query **q);

/* After a failed lookup of name @p text in model @p m: the library's
 * message and every candidate (up to 20) with its ID, on stderr; when no
 * name contains the text, the closest names ("did you mean").  Returns
 * TOOL_BAD_INPUT. */
int tool_query_name_failed(const lr_model *m, lr_query *q, int status, const char *what,
                           const char *text);

/* The results of the last query as a numbered table; with explanations
 * (a "because of" column) when @p explain. */
void tool_query_print(const lr_query *q, int explain);

/* The results of the last query as a JSON array under @p key. */
void tool_query_json(json_writer *w, const char *key, const lr_query *q, int explain);

/* What a score of this model and measure is, in one phrase ("dot product
 * of the listener's and the artist's embeddings"); @p similar: of
 * `similar` (artist to artist), else of `recommend`.  docs/queries.md#scores
 * has them all. */
const char *tool_score_meaning(const lr_model *m, const lr_query *q, int similar);

/* The footnote under a results table: the score's meaning, and that scores
 * compare only within one model. */
void tool_score_note(const lr_model *m, const lr_query *q, int similar);

/* "dot" or "cosine". */
const char *tool_measure_name(const lr_query *q);

#endif
