/* Serving export (docs/formats.md, "Serving export"): the vectors that
 * lr_model_embeddings() hands out, as NumPy files any ANN index reads,
 * with TSV maps from a row back to the external ID and name.
 * SPDX-License-Identifier: MIT */
#include "model/export.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

size_t lr__npy_header(char *buf, size_t cap, size_t rows, size_t cols)
{
    char dict[96];
    int n = cols ? snprintf(dict, sizeof dict,
                            "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu, %zu), }",
                            rows, cols)
                 : snprintf(dict, sizeof dict,
                            "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu,), }", rows);
    if (n < 0 || (size_t)n >= sizeof dict)
        return 0;
    /* magic (6) + version (2) + header length (2) + dict + '\n', rounded
     * up to numpy's ARRAY_ALIGN so the data can be memory-mapped aligned */
    const size_t total = (10 + (size_t)n + 1 + 63) / 64 * 64;
    if (total > cap)
        return 0;
    const size_t hlen = total - 10;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)(hlen & 0xFF);
    buf[9] = (char)(hlen >> 8);
    memcpy(buf + 10, dict, (size_t)n);
    memset(buf + 10 + n, ' ', total - 10 - (size_t)n - 1);
    buf[total - 1] = '\n';
    return total;
}

/* The data of the file is little-endian whatever the host. */
static int put_f32le(lr__afile *f, const float *x, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return lr__afile_write(f, x, n * sizeof *x);
#else
    unsigned char b[4096];
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v;
        memcpy(&v, x + i, 4);
        for (int j = 0; j < 4; j++)
            b[used++] = (unsigned char)(v >> (8 * j));
        if (used == sizeof b || i + 1 == n) {
            int rc = lr__afile_write(f, b, used);
            if (rc)
                return rc;
            used = 0;
        }
    }
    return LR_OK;
#endif
}

static int put_npy(lr__afile *f, const float *x, size_t rows, size_t cols)
{
    char h[128];
    size_t len = lr__npy_header(h, sizeof h, rows, cols);
    int rc = lr__afile_write(f, h, len);
    return rc ? rc : put_f32le(f, x, rows * (cols ? cols : 1));
}

/* A name as one TSV field: tabs and line breaks become spaces, as every
 * TSV lastrec writes has them (docs/formats.md), so a row stays one line
 * of fields. */
static void put_field(FILE *fp, const char *s)
{
    for (; *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

static int put_users_tsv(lr__afile *f, const lr_model *m)
{
    fputs("row\tuser_id\n", f->fp);
    for (int32_t u = 0; u < m->n_users; u++)
        fprintf(f->fp, "%" PRId32 "\t%" PRId32 "\n", u, m->user_ids[u]);
    return ferror(f->fp) ? lr__fail(LR_E_IO, "%s: write failed: %s", f->path, strerror(errno))
                         : LR_OK;
}

static int put_artists_tsv(lr__afile *f, const lr_model *m)
{
    fputs("row\tartist_id\tname\n", f->fp);
    for (int32_t a = 0; a < m->n_artists; a++) {
        fprintf(f->fp, "%" PRId32 "\t%" PRId32 "\t", a, m->artist_ids[a]);
        put_field(f->fp, lr__strtab_get(&m->artist_names, a));
        fputc('\n', f->fp);
    }
    return ferror(f->fp) ? lr__fail(LR_E_IO, "%s: write failed: %s", f->path, strerror(errno))
                         : LR_OK;
}

enum { F_USERS, F_ARTISTS, F_USERS_TSV, F_ARTISTS_TSV, F_BIAS, F_COUNT };

static const char *const names[F_COUNT] = {
    LR__EXPORT_USERS_NPY, LR__EXPORT_ARTISTS_NPY, LR__EXPORT_USERS_TSV,
    LR__EXPORT_ARTISTS_TSV, LR__EXPORT_BIAS_NPY,
};

static int write_one(lr__afile *f, int which, const lr_model *m)
{
    const size_t k = (size_t)m->k;
    switch (which) {
    case F_USERS: return put_npy(f, m->user_f, (size_t)m->n_users, k);
    case F_ARTISTS: return put_npy(f, m->artist_f, (size_t)m->n_artists, k);
    case F_USERS_TSV: return put_users_tsv(f, m);
    case F_ARTISTS_TSV: return put_artists_tsv(f, m);
    default: return put_npy(f, m->artist_bias, (size_t)m->n_artists, 0);
    }
}

/* Flushed and synced before any rename, so that a full disk or a failing
 * device stops the export while nothing of it is in place yet. */
static int sync_one(lr__afile *f)
{
    if (fflush(f->fp) != 0 || (!f->direct && fsync(fileno(f->fp)) != 0))
        return lr__fail(LR_E_IO, "%s: write failed: %s", f->path, strerror(errno));
    return LR_OK;
}

int lr__model_export_npy(const lr_model *m, const char *dir)
{
    int rc = lr__make_dirs(dir);
    if (rc)
        return rc;
    const int nfiles = m->artist_bias ? F_COUNT : F_BIAS;
    /* zeroed, so that aborting one never opened is a no-op */
    lr__afile f[F_COUNT];
    memset(f, 0, sizeof f);
    for (int i = 0; rc == LR_OK && i < nfiles; i++) {
        char *path = lr__path_join(dir, names[i]);
        if (!path) {
            rc = lr__fail_oom("the name of %s in %s", names[i], dir);
            break;
        }
        rc = lr__afile_open(&f[i], path);
        free(path);
        if (rc == LR_OK)
            rc = write_one(&f[i], i, m);
        if (rc == LR_OK)
            rc = sync_one(&f[i]);
    }
    if (rc) {
        for (int i = 0; i < nfiles; i++)
            lr__afile_abort(&f[i]);
        return rc;
    }
    /* after a failed rename the rest stay temporaries, removed: fewer
     * files of this export beside an earlier one's */
    for (int i = 0; i < nfiles; i++) {
        if (rc == LR_OK)
            rc = lr__afile_commit(&f[i]);
        else
            lr__afile_abort(&f[i]);
    }
    if (rc == LR_OK && !m->artist_bias) {
        /* a bias left by an earlier export would add to these vectors'
         * scores what belongs to other ones */
        char *path = lr__path_join(dir, LR__EXPORT_BIAS_NPY);
        if (!path)
            return lr__fail_oom("the name of %s in %s", LR__EXPORT_BIAS_NPY, dir);
        if (unlink(path) != 0 && errno != ENOENT)
            rc = lr__fail(LR_E_IO, "%s: cannot remove the artist biases of an earlier export: %s",
                          path, strerror(errno));
        free(path);
    }
    return rc;
}
