/* SPDX-License-Identifier: MIT */
#include "core/file.h"
#include "core/alloc.h"
#include "core/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int lr__read_file(const char *path, char **data, size_t *len)
{
    *data = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return lr__fail(LR_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(fp);
        return lr__fail(LR_E_IO, "%s: not a regular file", path);
    }
    size_t size = (size_t)st.st_size;
    char *buf = lr__malloc(size + 1, 1);
    if (!buf) {
        fclose(fp);
        return lr__fail_oom();
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

/* Create a new, unique file beside path.  open(O_EXCL, 0666) lets the
 * kernel apply the umask; mkstemp makes 0600 and fixing that up needs the
 * umask, which can only be read by setting it, and for that moment every
 * file another thread creates would be world-writable. */
static int create_temp(char *tmp, size_t cap, const char *path)
{
    static atomic_uint counter;
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(tmp, cap, "%s.tmp-%ld-%u", path, (long)getpid(),
                 atomic_fetch_add(&counter, 1u));
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    return -1; /* errno is EEXIST: stale temporaries of an earlier process */
}

int lr__afile_open(lr__afile *f, const char *path)
{
    memset(f, 0, sizeof *f);
    size_t cap = strlen(path) + 32;
    f->path = lr__strdup(path);
    f->tmp = lr__malloc(cap, 1);
    if (!f->path || !f->tmp) {
        free(f->path);
        free(f->tmp);
        return lr__fail_oom();
    }
    int fd = create_temp(f->tmp, cap, path);
    if (fd < 0) {
        int e = errno;
        free(f->path);
        free(f->tmp);
        memset(f, 0, sizeof *f);
        return lr__fail(LR_E_IO, "%s: cannot create a temporary file beside it: %s", path,
                        strerror(e));
    }
    f->fp = fdopen(fd, "wb");
    if (!f->fp) {
        close(fd);
        lr__afile_abort(f);
        return lr__fail(LR_E_IO, "%s: cannot open for writing", path);
    }
    return LR_OK;
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
    free(f->tmp);
    free(f->path);
    memset(f, 0, sizeof *f);
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
    if (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0)
        rc = lr__fail(LR_E_IO, "%s: write failed: %s", f->path, strerror(errno));
    if (fclose(f->fp) != 0 && rc == LR_OK)
        rc = lr__fail(LR_E_IO, "%s: close failed: %s", f->path, strerror(errno));
    f->fp = NULL;
    if (rc == LR_OK && rename(f->tmp, f->path) != 0)
        rc = lr__fail(LR_E_IO, "%s: cannot rename the temporary file into place: %s",
                      f->path, strerror(errno));
    if (rc != LR_OK)
        unlink(f->tmp);
    else
        sync_parent_dir(f->path);
    free(f->tmp);
    free(f->path);
    memset(f, 0, sizeof *f);
    return rc;
}

int lr__is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}
