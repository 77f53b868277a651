/* All-or-nothing output files of the tool.  The tool uses the public API
 * only, so this repeats lib/core/file.c's rules for the files the library
 * does not write: the target resolved through symbolic links (the link
 * stays a link), a device or FIFO written directly (never renamed over),
 * a directory refused, a short temporary name "<32 bytes of the
 * name>.lrtmp-PID-N" (docs/formats.md, "what a crash leaves behind").
 * SPDX-License-Identifier: MIT */
#include "out.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(const tool_out *o, const char *what, int e)
{
    fprintf(stderr, "lastrec: %s: %s%s%s\n", o->path, what, e ? ": " : "", e ? strerror(e) : "");
    return TOOL_BAD_INPUT;
}

static void clear(tool_out *o)
{
    free(o->path);
    free(o->dest);
    free(o->tmp);
    memset(o, 0, sizeof *o);
}

/* The name a dangling chain of links would create, into o->dest. */
static int follow_dangling(tool_out *o)
{
    char *cur = strdup(o->path);
    for (int hops = 0; cur && hops < 40; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            o->dest = cur;
            return TOOL_OK;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            free(cur);
            return fail(o, "cannot read a symbolic link on the way", errno);
        }
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        size_t dir = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = malloc(dir + (size_t)n + 1);
        if (next) {
            memcpy(next, cur, dir);
            memcpy(next + dir, link, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    if (!cur)
        return tool_oom(o->path, 1, PATH_MAX, "the name it resolves to");
    free(cur);
    return fail(o, "too many levels of symbolic links", 0);
}

static int resolve(tool_out *o)
{
    struct stat st, lst;
    if (stat(o->path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return fail(o, "is a directory", 0);
        if (!S_ISREG(st.st_mode)) {
            o->direct = 1;
            o->dest = strdup(o->path);
        } else if (lstat(o->path, &lst) == 0 && !S_ISLNK(lst.st_mode)) {
            o->dest = strdup(o->path);
        } else if (!(o->dest = realpath(o->path, NULL)) && errno != ENOMEM) {
            return fail(o, "cannot resolve the symbolic link", errno);
        }
    } else if (errno == ENOENT) {
        return follow_dangling(o);
    } else if (errno == ELOOP) {
        return fail(o, "cannot write", ELOOP);
    } else {
        o->dest = strdup(o->path); /* creating the temporary says why */
    }
    return o->dest ? TOOL_OK : tool_oom(o->path, 1, PATH_MAX, "the name it resolves to");
}

static int open_temp(tool_out *o)
{
    const char *slash = strrchr(o->dest, '/');
    const size_t dir = slash ? (size_t)(slash - o->dest) + 1 : 0;
    const char *base = o->dest + dir;
    size_t keep = strlen(base);
    if (keep > 32) {
        keep = 32;
        while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
            keep--;
    }
    const size_t cap = dir + keep + 48;
    if (!(o->tmp = malloc(cap)))
        return tool_oom(o->path, 1, cap, "the temporary file's name");
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
        snprintf(o->tmp, cap, "%.*s%.*s.lrtmp-%ld-%d", (int)dir, o->dest, (int)keep, base,
                 (long)getpid(), attempt);
        /* O_EXCL and 0666: the umask applies, as to any other output */
        fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        int e = errno;
        free(o->tmp);
        o->tmp = NULL;
        return fail(o, "cannot create a temporary file beside it", e);
    }
    if (!(o->fp = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        unlink(o->tmp);
        return fail(o, "cannot open for writing", e);
    }
    return TOOL_OK;
}

/* Without O_NONBLOCK the open of a FIFO nobody reads would wait forever. */
static int open_direct(tool_out *o)
{
    int fd = open(o->dest, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENXIO ? fail(o, "cannot write: a FIFO nobody reads", 0)
                              : fail(o, "cannot open for writing", errno);
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (!(o->fp = fdopen(fd, "w"))) {
        int e = errno;
        close(fd);
        return fail(o, "cannot open for writing", e);
    }
    return TOOL_OK;
}

int tool_out_open(tool_out *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!(o->path = strdup(path)))
        return tool_oom(path, 1, strlen(path) + 1, "a copy of the name");
    int rc = resolve(o);
    if (rc == TOOL_OK)
        rc = o->direct ? open_direct(o) : open_temp(o);
    if (rc != TOOL_OK)
        tool_out_abort(o);
    return rc;
}

int tool_out_close(tool_out *o)
{
    if (!o->fp)
        return TOOL_OK;
    /* A full disk shows up only here, and a file cut short must not pass
     * for a written one.  fsync only what is renamed: a pipe refuses it. */
    int bad = ferror(o->fp) || fflush(o->fp) != 0 || (!o->direct && fsync(fileno(o->fp)) != 0);
    int e = errno;
    if (fclose(o->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->fp = NULL;
    return bad ? fail(o, "write failed", e ? e : EIO) : TOOL_OK;
}

int tool_out_publish(tool_out *o)
{
    int rc = TOOL_OK;
    if (o->tmp && rename(o->tmp, o->dest) != 0) {
        rc = fail(o, "cannot rename the temporary file into place", errno);
        unlink(o->tmp);
    } else if (o->tmp) {
        /* the new name survives a power loss once the directory is synced */
        const char *slash = strrchr(o->dest, '/');
        char *dir = slash ? strndup(o->dest, slash == o->dest ? 1 : (size_t)(slash - o->dest))
                          : strdup(".");
        int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (fd >= 0) {
            (void)fsync(fd); /* best effort: some file systems refuse it */
            close(fd);
        }
        free(dir);
    }
    clear(o);
    return rc;
}

int tool_out_commit(tool_out *o)
{
    if (tool_out_close(o) != TOOL_OK) {
        tool_out_abort(o);
        return TOOL_BAD_INPUT;
    }
    return tool_out_publish(o);
}

void tool_out_abort(tool_out *o)
{
    if (o->fp)
        fclose(o->fp);
    if (o->tmp)
        unlink(o->tmp);
    clear(o);
}
