/* P = (X'X + Lambda)^-1, the inverse behind the item-item models.
 * SPDX-License-Identifier: MIT
 *
 * ease and blend both weigh artists by B_ij = -P_ij c_j (B_jj = 0) for a
 * column factor c_j of P_jj; they differ in X's values, in the diagonal
 * Lambda and in c (item_inverse.h), not in which artists X covers or how P
 * is found, which is this file's job.  The cost is the n x n inverse
 * (n = 5,987 on the dev split), by LAPACK and BLAS on the calling thread,
 * with as many threads as BLAS is set to use, in one of two ways:
 *
 *  - primal: G = X'X + Lambda (a sum over users of the outer products of
 *    their modelled artists, cheap), Cholesky and its inverse (spotrf +
 *    spotri): n^3 multiply-adds;
 *  - dual, when there are fewer users m than artists (Last.fm: 1,892 users,
 *    5,987 artists) and every Lambda_jj > 0: with D = Lambda and
 *    Xd = X D^-1/2,
 *      X'X + D = D^1/2 (I + Xd'Xd) D^1/2
 *    and Woodbury's identity gives
 *      P = D^-1/2 (I - Xd' (I + Xd Xd')^-1 Xd) D^-1/2,
 *    so Cholesky of the m x m K = I + Xd Xd' = U'U, Z = U'^-1 Xd (strsm)
 *    and M = I - Z'Z (ssyrk): P_ij = M_ij / sqrt(D_i D_j), in m^2 n +
 *    n^2 m / 2 multiply-adds, a quarter of the primal's on the dev split.
 *    Taking D^-1/2 out on both sides keeps the form symmetric for any
 *    diagonal Lambda (ease's lambda I is one), so one ssyrk gives M and
 *    the scale waits for lr__item_weights' pass.  Both forms condition alike
 *    (the error of either grows with the largest eigenvalue of X'X over
 *    the smallest Lambda_jj); the tests of both models compare both forms
 *    with a dense double-precision inverse.
 *
 * Either way P arrives as one triangle of M with P_ij = rscale_i M_ij
 * rscale_j (rscale = 1 in the primal), in the buffer that becomes the
 * model's weights: at n = 5,987 a second n x n copy would be 143 MB.
 * lr__item_weights then mirrors and scales it in place.
 */
#include "model/item_inverse.h"
#include "model/vec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* OpenBLAS (0.3.21 as Debian ships it) takes a level-3 call's work buffer
 * (128 MB of address space on x86-64) from a pool it maps on first use and
 * keeps; when that mmap fails it retries forever, so under an address-space
 * limit (ulimit -v) a fit that had already allocated its big matrices hung
 * in spotrf or dgemm instead of failing.  So before a fit's big
 * allocations: if the limit leaves no room for the buffer, fail now with
 * LR_E_NOMEM saying so (a BLAS call would never return); otherwise a 1 x 1
 * Cholesky maps the buffer while there is room and gives it back to the
 * pool, and the allocations after it fail cleanly if the rest does not
 * fit.  Once a buffer is mapped the pool reuses it, so this checks once per
 * process.  OpenBLAS's own worker threads map theirs when the library
 * loads, out of lastrec's reach (docs/api.md, "Memory"). */
/* 128 MiB, and the 1 MiB of alignment OpenBLAS adds on a retry, rounded up */
#define BLAS_BUFFER_BYTES (136.0 * 1024 * 1024)

int lr__blas_reserve(const char *model)
{
    static atomic_int mapped;
    if (atomic_load(&mapped))
        return LR_OK;
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
        /* the process's address space now: statm's first field, in pages */
        unsigned long pages = 0;
        FILE *fp = fopen("/proc/self/statm", "r");
        int got = fp && fscanf(fp, "%lu", &pages) == 1;
        if (fp)
            fclose(fp);
        const double used = got ? (double)pages * (double)sysconf(_SC_PAGESIZE) : 0;
        const double left = (double)as.rlim_cur - used;
        if (got && left < BLAS_BUFFER_BYTES)
            return lr__fail(LR_E_NOMEM,
                            "%s: out of memory: OpenBLAS needs %.0f MB of address space for its "
                            "work buffer and the address-space limit (ulimit -v) leaves %.0f MB",
                            model, BLAS_BUFFER_BYTES / 1e6, left < 0 ? 0.0 : left / 1e6);
    }
    float one = 1.0f;
    (void)LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', 1, &one, 1);
    atomic_store(&mapped, 1);
    return LR_OK;
}

int lr__item_columns(lr_model *m, const lr_dataset *ds, int64_t min_listeners, const char *model)
{
    const int32_t na = ds->n_artists;
    m->item_pos = lr__malloc((size_t)na, sizeof *m->item_pos);
    if (!m->item_pos)
        return lr__fail_oom("the artists' item positions");
    int32_t n = 0;
    for (int32_t a = 0; a < na; a++) {
        const int64_t fans = ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a];
        m->item_pos[a] = fans >= min_listeners ? n++ : -1;
    }
    if (n == 0)
        return lr__fail(LR_E_INVALID,
                        "%s: no artist has %lld or more listeners in the training data; "
                        "lower min_listeners",
                        model, (long long)min_listeners);
    size_t nn;
    if (lr__mul_overflows((size_t)n, (size_t)n, &nn) || n > 46340 /* lapack_int n*n */)
        return lr__fail_oom_size((size_t)n, (size_t)n * sizeof *m->item_w,
                                 "%s's %d x %d item matrix of %d artists (LAPACK's limit "
                                 "is 46340); raise min_listeners",
                                 model, (int)n, (int)n, (int)n);
    m->n_items = n;
    m->items = lr__malloc((size_t)n, sizeof *m->items);
    m->item_w = lr__calloc(nn, sizeof *m->item_w);
    if (!m->items || !m->item_w)
        return lr__fail_oom("%s's %d x %d item matrix; raise min_listeners", model,
                            (int)n, (int)n);
    for (int32_t a = 0; a < na; a++)
        if (m->item_pos[a] >= 0)
            m->items[m->item_pos[a]] = a;
    return LR_OK;
}

static int not_pd(const lr__item_problem *pb, const char *what, lapack_int info, int32_t order)
{
    return lr__fail(LR_E_NUMERIC, "%s: %s is not positive definite (leading minor %d of %d); %s",
                    pb->model, what, (int)info, (int)order, pb->fix);
}

/* Users with at least one modelled artist are the rows of X: row_of[u] is
 * u's row or -1.  Returns the number of rows. */
static int32_t x_rows(const lr__item_problem *pb, int32_t *row_of)
{
    const lr_dataset *ds = pb->ds;
    int32_t rows = 0;
    for (int32_t u = 0; u < ds->n_users; u++) {
        int any = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1] && !any; e++)
            any = pb->item_pos[ds->listens.idx[e]] >= 0;
        row_of[u] = any ? rows : -1;
        rows += any;
    }
    return rows;
}

/* Multiply-adds as counted at the top of the file; the dual needs Lambda
 * > 0 for D^-1/2. */
static int dual_cheaper(const lr__item_problem *pb, int32_t rows)
{
    for (int32_t j = 0; j < pb->n; j++)
        if (!(pb->lam[j] > 0))
            return 0;
    const double r = rows, nd = pb->n;
    return r * r * nd + r * r * r / 3 + nd * nd * r / 2 < nd * nd * nd;
}

static int inverse_primal(const lr__item_problem *pb, float *G, float *rscale, double *pdiag)
{
    const lr_dataset *ds = pb->ds;
    const int32_t n = pb->n;
    /* one user's modelled artists */
    int32_t *pos = lr__malloc((size_t)ds->n_artists, sizeof *pos);
    float *val = lr__malloc((size_t)ds->n_artists, sizeof *val);
    if (!pos || !val) {
        free(pos);
        free(val);
        return lr__fail_oom("one user's artists");
    }
    for (int32_t u = 0; u < ds->n_users; u++) {
        int32_t len = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = pb->item_pos[ds->listens.idx[e]];
            if (p >= 0) {
                pos[len] = p;
                val[len++] = pb->val[e];
            }
        }
        /* positions ascend with the artist index: (a, b), a <= b, is the
         * column-major upper element at pos[a] + pos[b] n */
        for (int32_t b = 0; b < len; b++) {
            float *col = G + (size_t)pos[b] * (size_t)n;
            for (int32_t a = 0; a <= b; a++)
                col[pos[a]] += val[a] * val[b];
        }
    }
    free(pos);
    free(val);
    for (int32_t j = 0; j < n; j++)
        G[(size_t)j * (size_t)n + (size_t)j] += (float)pb->lam[j];
    lapack_int info = LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', n, G, n);
    if (info > 0)
        return not_pd(pb, "X'X + Lambda", info, n);
    if (info == 0)
        info = LAPACKE_spotri_work(LAPACK_COL_MAJOR, 'U', n, G, n);
    if (info != 0)
        return lr__fail(LR_E_NUMERIC, "%s: inverting X'X + Lambda failed (LAPACK info %d); %s",
                        pb->model, (int)info, pb->fix);
    for (int32_t j = 0; j < n; j++) {
        pdiag[j] = G[(size_t)j * (size_t)n + (size_t)j];
        rscale[j] = 1.0f;
    }
    return LR_OK;
}

static int inverse_dual(const lr__item_problem *pb, const int32_t *row_of, int32_t rows, float *M,
                        float *rscale, double *pdiag)
{
    const lr_dataset *ds = pb->ds;
    const int32_t n = pb->n, nu = ds->n_users;
    const size_t nnz = (size_t)(ds->listens.nnz > 0 ? ds->listens.nnz : 1);
    size_t xn;
    if (lr__mul_overflows((size_t)rows, (size_t)n, &xn))
        return lr__fail_oom_size((size_t)rows * sizeof(float), (size_t)n,
                                 "%s's %d x %d listens matrix", pb->model, (int)rows, (int)n);
    float *X = lr__calloc(xn, sizeof *X); /* rows x n, column-major */
    float *K = lr__calloc((size_t)rows * (size_t)rows, sizeof *K);
    int64_t *ptr = lr__calloc((size_t)n + 1, sizeof *ptr);
    int32_t *cnt = lr__calloc((size_t)n, sizeof *cnt);
    int32_t *who = lr__malloc(nnz, sizeof *who);
    float *val = lr__malloc(nnz, sizeof *val);
    int rc = LR_OK;
    if (!X || !K || !ptr || !cnt || !who || !val) {
        rc = lr__fail_oom("%s's %d x %d user kernel and %d x %d listens matrix",
                          pb->model, (int)rows, (int)rows, (int)rows, (int)n);
        goto done;
    }
    for (int32_t j = 0; j < n; j++)
        rscale[j] = (float)(1.0 / sqrt(pb->lam[j]));
    /* Xd, and its columns as lists of (row, value) with rows ascending,
     * since val comes in the users' order */
    for (int32_t u = 0; u < nu; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = pb->item_pos[ds->listens.idx[e]];
            if (p >= 0)
                ptr[p + 1]++;
        }
    for (int32_t j = 0; j < n; j++)
        ptr[j + 1] += ptr[j];
    for (int32_t u = 0; u < nu; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = pb->item_pos[ds->listens.idx[e]];
            if (p < 0)
                continue;
            const float v = pb->val[e] * rscale[p];
            X[(size_t)row_of[u] + (size_t)p * (size_t)rows] = v;
            const int64_t at = ptr[p] + cnt[p]++;
            who[at] = row_of[u];
            val[at] = v;
        }
    /* K = I + Xd Xd', upper triangle, as the primal's X'X but summed over
     * each artist's listeners */
    for (int32_t j = 0; j < n; j++)
        for (int64_t b = ptr[j]; b < ptr[j + 1]; b++) {
            float *col = K + (size_t)who[b] * (size_t)rows;
            for (int64_t a = ptr[j]; a <= b; a++)
                col[who[a]] += val[a] * val[b];
        }
    for (int32_t i = 0; i < rows; i++)
        K[(size_t)i * (size_t)rows + (size_t)i] += 1.0f;
    lapack_int info = LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', rows, K, rows);
    if (info != 0) {
        rc = info > 0 ? not_pd(pb, "I + X Lambda^-1 X'", info, rows)
                      : lr__fail(LR_E_NUMERIC, "%s: spotrf rejected argument %d", pb->model,
                                 (int)-info);
        goto done;
    }
    cblas_strsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, rows, n, 1.0f, K,
                rows, X, rows);
    cblas_ssyrk(CblasColMajor, CblasUpper, CblasTrans, n, rows, -1.0f, X, rows, 0.0f, M, n);
    for (int32_t j = 0; j < n; j++) {
        float *d = M + (size_t)j * (size_t)n + (size_t)j;
        *d += 1.0f;
        pdiag[j] = (double)*d / pb->lam[j];
    }
done:
    free(X);
    free(K);
    free(ptr);
    free(cnt);
    free(who);
    free(val);
    return rc;
}

/* The external ID of the artist at position j, for messages. */
static int32_t artist_id(const lr__item_problem *pb, int32_t j)
{
    for (int32_t a = 0; a < pb->ds->n_artists; a++)
        if (pb->item_pos[a] == j)
            return pb->ds->artist_ids[a];
    return -1;
}

int lr__item_inverse(const lr__item_problem *pb, float *M, float *rscale, double *pdiag)
{
    int32_t *row_of = lr__malloc((size_t)(pb->ds->n_users > 0 ? pb->ds->n_users : 1),
                                 sizeof *row_of);
    if (!row_of)
        return lr__fail_oom("the users' kernel rows");
    const int32_t rows = x_rows(pb, row_of);
    int rc = dual_cheaper(pb, rows) ? inverse_dual(pb, row_of, rows, M, rscale, pdiag)
                                    : inverse_primal(pb, M, rscale, pdiag);
    free(row_of);
    if (rc != LR_OK)
        return rc;
    /* P is positive definite, so P_jj <= 0 means float lost it (Lambda
     * tiny against X'X), and every B_ij of that column would be noise. */
    for (int32_t j = 0; j < pb->n; j++)
        if (!(pdiag[j] > 0) || !isfinite(pdiag[j]))
            return lr__fail(LR_E_NUMERIC,
                            "%s: the inverse of X'X + Lambda lost precision (P_jj = %g for "
                            "artist %d); %s",
                            pb->model, pdiag[j], (int)artist_id(pb, j), pb->fix);
    return LR_OK;
}

/* ------------------------------------------------------------- weights */

typedef struct weights_job {
    float *M;
    int32_t n;
    const float *rscale, *cscale;
    double *sq;
} weights_job;

/* Tiles of the mirror copy: two 64 x 64 float tiles stay in L1. */
#define TILE 64

/* spotri and ssyrk leave the column-major upper triangle, which read
 * row-major is the lower one: row i holds M_ij for j <= i.  Fill j > i
 * from row j, a tile at a time so that the column reads stay in cache.  A
 * row block only reads other blocks' lower parts, which nobody writes
 * here, so blocks can be filled in parallel. */
static int mirror_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const weights_job *j = ctx;
    const size_t n = (size_t)j->n;
    for (size_t ib = begin; ib < end; ib++) {
        const size_t r0 = ib * TILE, r1 = r0 + TILE < n ? r0 + TILE : n;
        for (size_t c0 = r0; c0 < n; c0 += TILE) {
            const size_t c1 = c0 + TILE < n ? c0 + TILE : n;
            for (size_t r = r0; r < r1; r++)
                for (size_t c = c0 > r + 1 ? c0 : r + 1; c < c1; c++)
                    j->M[r * n + c] = j->M[c * n + r];
        }
    }
    return LR_OK;
}

/* Row i: |P_i|^2 when asked (P_ij = rscale_i M_ij rscale_j, a chunk at a
 * time in L1), then every row times the same vector and the diagonal 0. */
LR__HOT static int scale_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const weights_job *j = ctx;
    const int n = j->n;
    float chunk[256];
    for (size_t i = begin; i < end; i++) {
        float *row = j->M + i * (size_t)n;
        if (j->sq) {
            double s = 0;
            for (int c = 0; c < n; c += 256) {
                const int len = n - c < 256 ? n - c : 256;
                lr__vmul(1.0f, j->rscale + c, row + c, chunk, len);
                s += lr__vdot(chunk, chunk, len);
            }
            j->sq[i] = s * j->rscale[i] * j->rscale[i];
        }
        lr__vmul(j->rscale[i], j->cscale, row, row, n);
        row[i] = 0.0f;
    }
    return LR_OK;
}

int lr__item_weights(float *M, int32_t n, const float *rscale, const float *cscale, double *sq,
                     int threads)
{
    weights_job job = {M, n, rscale, cscale, sq};
    int rc = lr__parallel_for(threads, ((size_t)n + TILE - 1) / TILE, mirror_range, &job);
    return rc != LR_OK ? rc : lr__parallel_for(threads, (size_t)n, scale_range, &job);
}
