/* The input as the argument of `lastrec recommend MODEL --like TEXT`,
 * through the tool's own parser and command (tools/lastrec/recommend.c:
 * NAME=COUNT split at the last '=', the name searched in the model).
 * Run with -close_fd_mask=3 (scripts/fuzz): the command prints.
 * SPDX-License-Identifier: MIT */
#include "fuzz.h"
#include "results.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *model;
    if (!model)
        model = fuzz_model_file(LR_ALGO_ALS, "like.lrmodel");
    char *argv[] = {(char *)model, "--like", (char *)fuzz_text(data, size), "-k", "3", NULL};
    tool_args args;
    if (tool_parse(&tool_cmd_recommend, 5, argv, &args) == TOOL_OK)
        tool_cmd_recommend.run(&args);
    return 0;
}
