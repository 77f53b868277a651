/* lastrec snapshot: load and process once, save the result as one binary
 * file that later loads skip the parsing for.  SPDX-License-Identifier: MIT */
#include "util.h"

static int run(const tool_args *a)
{
    const char *path = a->pos[0], *out = a->pos[1];
    lr_dataset *ds = NULL;
    int rc = tool_load(a, path, &ds);
    if (rc != TOOL_OK)
        return rc;
    /* the library does not report saving: a step of the display's own */
    rc = tool_progress_step("write snapshot", 0, 1);
    if (rc != TOOL_OK) {
        tool_progress_done();
        lr_dataset_free(ds);
        return rc;
    }
    int st = lr_dataset_save(ds, out);
    tool_progress_step("write snapshot", 1, 1);
    tool_progress_done();
    if (st != LR_OK) {
        rc = tool_fail(st, out);
    } else {
        char u[32], ar[32], l[32];
        printf("%s: snapshot of %s, %s users, %s artists, %s user-artist pairs\n", out, path,
               tool_fmt(u, sizeof u, (double)lr_dataset_count(ds, LR_COUNT_USERS), 0),
               tool_fmt(ar, sizeof ar, (double)lr_dataset_count(ds, LR_COUNT_ARTISTS), 0),
               tool_fmt(l, sizeof l, (double)lr_dataset_count(ds, LR_COUNT_LISTENS), 0));
    }
    lr_dataset_free(ds);
    return rc;
}

static const tool_opt opts[] = {
    TOOL_OPT_OPT,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_snapshot = {
    .name = "snapshot",
    .args = "PATH OUT",
    .npos = 2,
    .summary = "load a data set and save it processed as one binary snapshot",
    .details = "PATH is a HetRec directory, a listens file or a snapshot.  OUT is\n"
               "written under a temporary name and renamed, so it is never left\n"
               "half-written; 'lastrec info OUT' then loads it without parsing.",
    .opts = opts,
    .run = run,
};
