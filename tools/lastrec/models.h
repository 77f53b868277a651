/* Model pieces shared by `lastrec train` and `lastrec eval`: the --algo
 * list, the options a model used, its training history as JSON.
 * SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_MODELS_H
#define LASTREC_TOOL_MODELS_H

#include "json.h"
#include "util.h"

#define TOOL_MAX_ALGOS 8

/* Every --algo value (repeatable, each a name or a comma-separated list),
 * in order, each algorithm once.  TOOL_USAGE after printing why, when a
 * name is unknown or none is given. */
int tool_algorithms(const tool_args *a, int *algos, int *n);

/* The options that shape a model (the model keys, seed and threads) as
 * the model resolved them, as a JSON object under @p key. */
void tool_json_model_options(json_writer *w, const char *key, const lr_model *m);

/* The training history, one object per epoch with every column (NaN as
 * null), with the algorithm and its options; written to @p path.  Prints
 * the failure and returns TOOL_BAD_INPUT when the file cannot be written. */
int tool_write_history(const lr_model *m, const char *path);

#endif
