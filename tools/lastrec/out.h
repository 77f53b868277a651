/* Files the tool writes itself (the --history JSON, split's sides), all or
 * nothing, as the library writes its own (lib/core/file.c): a temporary
 * beside the target, renamed over it once complete.  SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_OUT_H
#define LASTREC_TOOL_OUT_H

#include <stdio.h>

typedef struct tool_out {
    FILE *fp;
    char *path; /* as given, for messages (owned) */
    char *dest; /* what the rename replaces, symbolic links resolved (owned) */
    char *tmp;  /* the temporary's name; NULL when writing directly (owned) */
    int direct; /* the target is a device or FIFO: written to, never renamed over */
} tool_out;

/* Open path for writing.  TOOL_OK, or TOOL_BAD_INPUT after a message. */
int tool_out_open(tool_out *o, const char *path);
/* Flush, fsync and close (the data is on disk, not yet under its name);
 * TOOL_BAD_INPUT after a message when a write failed. */
int tool_out_close(tool_out *o);
/* Rename the closed temporary into place and free o. */
int tool_out_publish(tool_out *o);
/* tool_out_close then tool_out_publish; on failure the temporary goes. */
int tool_out_commit(tool_out *o);
/* Remove the temporary and free o (after a failure).  Safe when closed. */
void tool_out_abort(tool_out *o);

#endif
