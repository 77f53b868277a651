/* Whole-file reads and all-or-nothing writes. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_FILE_H
#define LR_CORE_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

/* Read a whole regular file into a new buffer with a NUL after the last
 * byte (not counted in *len).  LR_E_IO with "path: reason" on failure. */
int lr__read_file(const char *path, char **data, size_t *len);

/* Open a regular file for reading without ever blocking on a FIFO or a
 * device: the descriptor (owned by the caller) in *fd, or LR_E_IO with
 * "path: not a regular file" and *fd = -1. */
int lr__open_regular(const char *path, int *fd);

/* A file written under a temporary name in the target's directory and
 * renamed over it by lr__afile_commit, so readers never see half a file.
 * The temporary is named "<first 32 bytes of the name>.lrtmp-<pid>-<n>";
 * a process killed while writing leaves it behind, nothing else.
 * Through a symbolic link the file the link names is replaced (the link
 * stays); a target that exists and is not a regular file (a device, a
 * FIFO) is written directly; a directory is refused. */
typedef struct lr__afile {
    FILE *fp;
    char *path; /* as the caller named it, for messages (owned) */
    char *dest; /* what the rename replaces, links resolved (owned) */
    char *tmp;  /* the temporary's name, NULL when direct (owned) */
    int direct; /* 1: writing straight into a device or FIFO */
} lr__afile;

int lr__afile_open(lr__afile *f, const char *path);
/* Flush, fsync and rename; on any failure the temporary is removed. */
int lr__afile_commit(lr__afile *f);
/* Remove the temporary (after a failed write).  Safe on a closed file. */
void lr__afile_abort(lr__afile *f);
/* fwrite that records LR_E_IO on failure. */
int lr__afile_write(lr__afile *f, const void *data, size_t len);

/* An lr__afile at DIR/NAME that remembers its first error, so the row
 * loops of text writers stay free of error plumbing: after a failed
 * write every later lr__out_put does nothing, and lr__out_finish removes
 * the temporary and returns that error instead of renaming. */
typedef struct lr__out {
    lr__afile f;
    int rc;
} lr__out;

/* LR_E_INVALID when DIR/NAME does not fit a path, else lr__afile_open's. */
int lr__out_open(lr__out *o, const char *dir, const char *name);
void lr__out_put(lr__out *o, const char *fmt, ...) LR_PRINTF(2, 3);
int lr__out_finish(lr__out *o);

/* "dir/name" in a new string owned by the caller (trailing slashes of dir
 * dropped, "/" kept), or NULL when out of memory. */
char *lr__path_join(const char *dir, const char *name);

/* 1 when path names a directory. */
int lr__is_dir(const char *path);

/* mkdir -p: every missing directory of @p dir, mode 0777 less the umask.
 * LR_E_IO naming the first one that cannot be made, and why. */
int lr__make_dirs(const char *dir);

#endif
