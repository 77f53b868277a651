/* SPDX-License-Identifier: MIT */
#include "core/file.h"
#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Open first, then look at what was opened: a stat() before the open
 * would check one file and read another if the name changed in between.
 * O_NONBLOCK makes the open itself return at once on a FIFO without a
 * writer (which blocks forever otherwise) and on a device that waits for a
 * carrier; on a regular file it changes nothing, so it is left set.
 * O_NOCTTY: a terminal named by mistake never becomes ours. */
int lr__open_regular(const char *path, int *fd_out)
{
    *fd_out = -1;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return lr__fail(LR_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return lr__fail(LR_E_IO, "%s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return lr__fail(LR_E_IO, "%s: not a regular file", path);
    }
    *fd_out = fd;
    return LR_OK;
}

int lr__read_file(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    int fd;
    int rc = lr__open_regular(path, &fd);
    if (rc)
        return rc;
    struct stat st;
    FILE *fp = fstat(fd, &st) == 0 ? fdopen(fd, "rb") : NULL;
    if (!fp) {
        int e = errno;
        close(fd);
        return lr__fail(LR_E_IO, "%s: cannot open: %s", path, strerror(e));
    }
    size_t size = (size_t)st.st_size;
    char *buf = lr__malloc(size + 1, 1);
    if (!buf) {
        fclose(fp);
        return lr__fail_oom("the contents of %s", path);
    }
    size_t got = fread(buf, 1, size, fp);
    int err = ferror(fp);
    fclose(fp);
    if (err || got != size) {
        free(buf);
        return lr__fail(LR_E_IO, "%s: read error after %zu of %zu bytes", path, got, size);
    }
    buf[size] = '\0';
    *data = buf;
    *len = size;
    return LR_OK;
}

/* ------------------------------------------------------------ the target */

/* The name a dangling chain of symbolic links would create, into *out
 * (owned).  Only a dangling chain gets here: any other is resolved by
 * realpath, which also handles /proc's links to pipes. */
static int follow_dangling(const char *path, char **out)
{
    char *cur = lr__strdup(path);
    for (int hops = 0; cur && hops < 40; hops++) {
        struct stat st;
        if (lstat(cur, &st) != 0 || !S_ISLNK(st.st_mode)) {
            *out = cur;
            return LR_OK;
        }
        char link[PATH_MAX];
        ssize_t n = readlink(cur, link, sizeof link - 1);
        if (n < 0) {
            int rc = lr__fail(LR_E_IO, "%s: cannot read the symbolic link %s: %s", path, cur,
                              strerror(errno));
            free(cur);
            return rc;
        }
        link[n] = '\0';
        const char *slash = strrchr(cur, '/');
        size_t dir = link[0] == '/' || !slash ? 0 : (size_t)(slash - cur) + 1;
        char *next = lr__malloc(dir + (size_t)n + 1, 1);
        if (next) {
            memcpy(next, cur, dir);
            memcpy(next + dir, link, (size_t)n + 1);
        }
        free(cur);
        cur = next;
    }
    if (!cur)
        return lr__fail_oom("the name %s resolves to", path);
    free(cur);
    return lr__fail(LR_E_IO, "%s: too many levels of symbolic links", path);
}

/* Where a write to path lands, in f->dest (owned): the file itself, or
 * through symbolic links the file they name, so that the rename replaces
 * that file and the links stay links.  f->direct = 1 when path names an
 * existing file that is not regular (/dev/null, /dev/stdout, a FIFO): a
 * rename would replace the device node or the pipe's name with a regular
 * file, so such a target is written to directly, as any program's output
 * would be.  A directory is refused. */
static int resolve_target(lr__afile *f, const char *path)
{
    struct stat st, lst;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return lr__fail(LR_E_IO, "%s: is a directory", path);
        if (!S_ISREG(st.st_mode)) {
            f->direct = 1;
            f->dest = lr__strdup(path);
        } else if (lstat(path, &lst) == 0 && !S_ISLNK(lst.st_mode)) {
            f->dest = lr__strdup(path);
        } else if (!(f->dest = realpath(path, NULL)) && errno != ENOMEM) {
            return lr__fail(LR_E_IO, "%s: cannot resolve the symbolic link: %s", path,
                            strerror(errno));
        }
    } else if (errno == ENOENT) {
        int rc = follow_dangling(path, &f->dest);
        if (rc)
            return rc;
    } else if (errno == ELOOP) {
        return lr__fail(LR_E_IO, "%s: %s", path, strerror(errno));
    } else {
        f->dest = lr__strdup(path); /* creating the temporary says why */
    }
    if (!f->dest)
        return lr__fail_oom("the name %s resolves to", path);
    return LR_OK;
}

/* Create a new, unique file beside f->dest, named from at most the first
 * 32 bytes of its name (cut at a character boundary), ".lrtmp-", the
 * process ID and a counter: a target name near NAME_MAX still leaves room,
 * and a temporary left by a killed process shows whose it was.
 * open(O_EXCL, 0666) lets the kernel apply the umask; mkstemp makes 0600
 * and fixing that up needs the umask, which can only be read by setting
 * it, and for that moment every file another thread creates would be
 * world-writable. */
static int create_temp(lr__afile *f)
{
    static atomic_uint counter;
    const char *slash = strrchr(f->dest, '/');
    const size_t dir = slash ? (size_t)(slash - f->dest) + 1 : 0;
    const char *base = f->dest + dir;
    size_t keep = strlen(base);
    if (keep > 32) {
        keep = 32;
        while (keep > 0 && ((unsigned char)base[keep] & 0xC0) == 0x80)
            keep--;
    }
    const size_t cap = dir + keep + 48;
    if (!(f->tmp = lr__malloc(cap, 1))) {
        errno = ENOMEM;
        return -1;
    }
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(f->tmp, cap, "%.*s%.*s.lrtmp-%ld-%u", (int)dir, f->dest, (int)keep, base,
                 (long)getpid(), atomic_fetch_add(&counter, 1u));
        int fd = open(f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0)
            return fd;
        if (errno != EEXIST)
            break;
    }
    /* errno is EEXIST after 100 attempts: temporaries of an earlier
     * process with this one's ID */
    int e = errno;
    free(f->tmp);
    f->tmp = NULL;
    errno = e;
    return -1;
}

/* A FIFO without a reader would block the open until one comes: the open
 * does not wait (ENXIO then), and writes block as usual afterwards. */
static int open_direct(lr__afile *f)
{
    int fd = open(f->dest, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return lr__fail(LR_E_IO, "%s: cannot open for writing: %s", f->path,
                        errno == ENXIO ? "a FIFO nobody reads" : strerror(errno));
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    if (!(f->fp = fdopen(fd, "wb"))) {
        close(fd);
        return lr__fail(LR_E_IO, "%s: cannot open for writing", f->path);
    }
    return LR_OK;
}

static void afile_clear(lr__afile *f)
{
    free(f->tmp);
    free(f->dest);
    free(f->path);
    memset(f, 0, sizeof *f);
}

int lr__afile_open(lr__afile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    if (!(f->path = lr__strdup(path)))
        return lr__fail_oom("a copy of the name %s", path);
    int rc = resolve_target(f, path);
    if (rc == LR_OK && f->direct)
        rc = open_direct(f);
    else if (rc == LR_OK) {
        int fd = create_temp(f);
        if (fd < 0 && errno == ENOMEM)
            rc = lr__fail_oom("the name of a temporary file beside %s", path);
        else if (fd < 0)
            rc = lr__fail(LR_E_IO, "%s: cannot create a temporary file beside it: %s", path,
                          strerror(errno));
        else if (!(f->fp = fdopen(fd, "wb"))) {
            close(fd);
            unlink(f->tmp);
            rc = lr__fail(LR_E_IO, "%s: cannot open for writing", path);
        }
    }
    if (rc != LR_OK)
        afile_clear(f);
    return rc;
}

int lr__afile_write(lr__afile *f, const void *data, size_t len)
{
    if (len && fwrite(data, 1, len, f->fp) != len)
        return lr__fail(LR_E_IO, "%s: write failed: %s", f->path, strerror(errno));
    return LR_OK;
}

void lr__afile_abort(lr__afile *f)
{
    if (f->fp)
        fclose(f->fp);
    if (f->tmp)
        unlink(f->tmp);
    afile_clear(f);
}

/* The rename is atomic but lives in the directory's metadata: syncing the
 * directory makes the new name survive a power loss too.  Best effort: some
 * file systems refuse fsync on a directory, and the data is already safe. */
static void sync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? lr__strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : lr__strdup(".");
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    free(dir);
}

int lr__afile_commit(lr__afile *f)
{
    int rc = LR_OK;
    /* fsync only what is renamed: a pipe or a terminal refuses it */
    if (fflush(f->fp) != 0 || (!f->direct && fsync(fileno(f->fp)) != 0))
        rc = lr__fail(LR_E_IO, "%s: write failed: %s", f->path, strerror(errno));
    if (fclose(f->fp) != 0 && rc == LR_OK)
        rc = lr__fail(LR_E_IO, "%s: close failed: %s", f->path, strerror(errno));
    f->fp = NULL;
    if (!f->direct) {
        if (rc == LR_OK && rename(f->tmp, f->dest) != 0)
            rc = lr__fail(LR_E_IO, "%s: cannot rename the temporary file into place: %s",
                          f->path, strerror(errno));
        if (rc != LR_OK)
            unlink(f->tmp);
        else
            sync_parent_dir(f->dest);
    }
    afile_clear(f);
    return rc;
}

int lr__is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int lr__make_dirs(const char *dir)
{
    if (!*dir)
        return lr__fail(LR_E_INVALID, "the directory name is empty");
    char *p = lr__strdup(dir);
    if (!p)
        return lr__fail_oom("the directory's path %s", dir);
    int rc = LR_OK;
    for (char *s = p + 1; rc == LR_OK; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (!lr__is_dir(p) && mkdir(p, 0777) != 0 && !(errno == EEXIST && lr__is_dir(p))) {
            if (errno == EEXIST)
                rc = lr__fail(LR_E_IO,
                              "%s: cannot create directory: a file of that name is not a "
                              "directory (on the way to %s)",
                              p, dir);
            else
                rc = lr__fail(LR_E_IO, "%s: cannot create directory: %s", p, strerror(errno));
        }
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

int lr__out_open(lr__out *o, const char *dir, const char *name)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return o->rc = lr__fail(LR_E_INVALID, "%s: directory name too long", dir);
    o->rc = lr__afile_open(&o->f, path);
    return o->rc;
}

void lr__out_put(lr__out *o, const char *fmt, ...)
{
    if (o->rc)
        return;
    va_list ap;
    va_start(ap, fmt);
    int w = vfprintf(o->f.fp, fmt, ap);
    va_end(ap);
    if (w < 0)
        o->rc = lr__fail(LR_E_IO, "%s: write failed: %s", o->f.path, strerror(errno));
}

int lr__out_finish(lr__out *o)
{
    if (o->rc) {
        lr__afile_abort(&o->f);
        return o->rc;
    }
    return lr__afile_commit(&o->f);
}

char *lr__path_join(const char *dir, const char *name)
{
    size_t d = strlen(dir), n = strlen(name);
    while (d > 1 && dir[d - 1] == '/')
        d--;
    char *p = lr__malloc(d + n + 2, 1);
    if (!p)
        return NULL;
    memcpy(p, dir, d);
    p[d] = '/';
    memcpy(p + d + 1, name, n + 1);
    return p;
}
