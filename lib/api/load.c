/* lr_dataset_load, lr_dataset_load_listens, lr_dataset_load_split: argument
 * checks and the choice of reader.  SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "core/file.h"
#include "core/options.h"
#include "data/build.h"
#include "data/snapshot.h"
#include "data/split.h"
#include "ingest/hetrec.h"
#include "model/file.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The file's first 8 bytes into head (zeros where it is shorter); a file
 * that cannot be opened is left for the listens reader to report.
 * lr__open_regular, as the name may have become a FIFO since the stat. */
static void read_magic(const char *path, char head[8])
{
    memset(head, 0, 8);
    int fd;
    if (lr__open_regular(path, &fd) != LR_OK)
        return;
    ssize_t got = read(fd, head, 8);
    (void)got; /* a short or failed read leaves zeros, which match no magic */
    close(fd);
}

static int load_hetrec(lr_dataset **out, const char *dir, const lr_options *opts)
{
    lr__hetrec h;
    int rc = lr__hetrec_read(&h, dir, opts);
    if (rc)
        return rc;
    rc = lr__build_hetrec(out, &h, opts);
    lr__hetrec_free(&h);
    return rc;
}

static int load_lastfm360k(lr_dataset **out, const char *path, const lr_options *opts)
{
    lr__lastfm360k r;
    int rc = lr__lastfm360k_read(&r, path, opts);
    if (rc)
        return rc;
    rc = lr__build_lastfm360k(out, &r, opts);
    lr__lastfm360k_free(&r);
    return rc;
}

static int load_listens_file(lr_dataset **out, const char *path, const lr_dataset *catalogue,
                             const lr_options *opts)
{
    lr__raw_listens l;
    int rc = lr__hetrec_read_listens(&l, path, opts);
    if (rc)
        return rc;
    rc = catalogue ? lr__build_on_catalogue(out, &l, catalogue) : lr__build_listens(out, &l, opts);
    lr__raw_listens_free(&l);
    return rc;
}

static int stat_path(const char *path, struct stat *st)
{
    if (stat(path, st) != 0)
        return lr__fail(LR_E_IO, "%s: cannot open: %s", path, strerror(errno));
    return LR_OK;
}

int lr_dataset_load(lr_dataset **out, const char *path, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_dataset_load: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return lr__fail(LR_E_INVALID, "lr_dataset_load: path is NULL or empty");
    struct stat st;
    int rc = stat_path(path, &st);
    if (rc)
        return rc;
    if (S_ISDIR(st.st_mode))
        return lr__lastfm360k_dir(path) ? load_lastfm360k(out, path, opts)
                                       : load_hetrec(out, path, opts);
    /* Opening a FIFO or a device could block or never end. */
    if (!S_ISREG(st.st_mode))
        return lr__fail(LR_E_IO, "%s: neither a directory nor a regular file", path);
    char head[8];
    read_magic(path, head);
    if (memcmp(head, LR_SNAPSHOT_MAGIC, 8) == 0)
        return lr__snapshot_read_progress(out, path, lr__opt_progress(opts));
    /* Read as listens, a model file fails at its first NUL byte, which
     * tells the user nothing. */
    if (memcmp(head, LR_MODEL_MAGIC, 8) == 0)
        return lr__fail(LR_E_FORMAT, "%s: a lastrec model file, not a data set: lr_model_load "
                        "('lastrec recommend', 'lastrec similar') reads it", path);
    if (lr__lastfm360k_file(path))
        return load_lastfm360k(out, path, opts);
    return load_listens_file(out, path, NULL, opts);
}

int lr_dataset_load_listens(lr_dataset **out, const char *path, const lr_dataset *catalogue,
                            const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_dataset_load_listens: out is NULL");
    *out = NULL;
    if (!catalogue)
        return lr__fail(LR_E_INVALID, "lr_dataset_load_listens: catalogue is NULL");
    if (!path || !*path)
        return lr__fail(LR_E_INVALID, "lr_dataset_load_listens: path is NULL or empty");
    struct stat st;
    int rc = stat_path(path, &st);
    if (rc)
        return rc;
    if (!S_ISREG(st.st_mode))
        return lr__fail(LR_E_IO, "%s: not a regular file", path);
    return load_listens_file(out, path, catalogue, opts);
}

int lr_dataset_load_split(lr_dataset **train, lr_dataset **test, const char *train_path,
                          const char *test_path, const lr_dataset *catalogue,
                          const lr_options *opts)
{
    if (train)
        *train = NULL;
    if (test)
        *test = NULL;
    if (!train || !catalogue || !train_path)
        return lr__fail(LR_E_INVALID, "lr_dataset_load_split: NULL argument");
    if (!test != !test_path)
        return lr__fail(LR_E_INVALID, "lr_dataset_load_split: test and test_path go together "
                        "(both given or both NULL)");
    if (train == test)
        return lr__fail(LR_E_INVALID, "lr_dataset_load_split: train and test are the same pointer");
    lr_dataset *tr = NULL, *te = NULL;
    int rc = lr_dataset_load_listens(&tr, train_path, catalogue, opts);
    if (rc == LR_OK && test_path)
        rc = lr_dataset_load_listens(&te, test_path, catalogue, opts);
    /* With a test file its pairs are the held-out ones; without, whatever
     * of the catalogue's listens the training file lacks. */
    if (rc == LR_OK)
        rc = lr__split_drop_held_tags(tr, te ? &te->listens : NULL,
                                      te ? NULL : &catalogue->listens);
    if (rc) {
        lr_dataset_free(tr);
        lr_dataset_free(te);
        return rc;
    }
    *train = tr;
    if (test)
        *test = te;
    return LR_OK;
}
