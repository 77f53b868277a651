/* EASE (Steck 2019): an item-item linear autoencoder with a closed form.
 * SPDX-License-Identifier: MIT
 *
 *   minimise |X - X B|^2 + lambda |B|^2  subject to diag(B) = 0
 *
 * over the artists with at least min_listeners listeners (X: users x those
 * artists, binary or log1p).  With P = (X'X + lambda I)^-1 the minimiser is
 * B = I - P diag(1 / diag(P)), i.e. B_ij = -P_ij / P_jj, B_jj = 0.  A
 * user's scores are x_u B, so an artist outside the model scores 0.
 *
 * The cost is the n x n inverse (n = 5,987 on the dev split), by LAPACK
 * and BLAS on the calling thread, with as many threads as BLAS is set to
 * use, in one of two ways:
 *
 *  - primal: G = X'X + lambda I (a sum over users of the outer products of
 *    their modelled artists, cheap), Cholesky and its inverse (spotrf +
 *    spotri): n^3 multiply-adds;
 *  - dual, when there are fewer users m than artists (Last.fm: 1,892 users,
 *    5,987 artists) and lambda > 0: by Woodbury's identity
 *      (lambda I + X'X)^-1 = (I - X'(lambda I + X X')^-1 X) / lambda,
 *    so Cholesky of the m x m K = lambda I + X X' = U'U, Z = U'^-1 X
 *    (strsm) and P = (I - Z'Z) / lambda (ssyrk): m^2 n + n^2 m / 2
 *    multiply-adds, a quarter of the primal's on the dev split.  Both
 *    condition alike (the error of either grows with the largest
 *    eigenvalue of X'X over lambda); tests compare both with a dense
 *    double-precision inverse.
 */
#include "model/model.h"
#include "model/vec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The defaults of docs/models.md, chosen on the dev split (see there):
 * log1p keeps how much a user listened, which binary X throws away; its
 * entries are 5 to 10 times larger than binary ones, its lambda about 25
 * times (binary's best is near 100).  NDCG@10 is flat from 2000 to 3000. */
#define EASE_TRANSFORM LR_TRANSFORM_LOG1P
#define EASE_REGULARIZATION 2500.0

static void ease_defaults(lr_options *o)
{
    if (!lr__opt_is_set(o, LR_OPT_TRANSFORM))
        lr_options_set_int(o, LR_OPT_TRANSFORM, EASE_TRANSFORM);
    if (!lr__opt_is_set(o, LR_OPT_REGULARIZATION))
        lr_options_set_double(o, LR_OPT_REGULARIZATION, EASE_REGULARIZATION);
}

typedef struct ease_job {
    float *P;      /* n x n */
    int32_t n;
    double *sq;    /* [n] sum_i P_ij^2 */
    float *inv;    /* [n] -1 / P_jj */
} ease_job;

/* Tiles of the mirror copy: two 64 x 64 float tiles stay in L1. */
#define TILE 64

/* spotri leaves the column-major upper triangle, which read row-major is
 * the lower one: row i holds P_ij for j <= i.  Fill j > i from row j, a
 * tile at a time so that the column reads stay in cache.  A row block only
 * reads other blocks' lower parts, which nobody writes here, so blocks can
 * be filled in parallel. */
static int mirror_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const ease_job *j = ctx;
    const size_t n = (size_t)j->n;
    for (size_t ib = begin; ib < end; ib++) {
        const size_t r0 = ib * TILE, r1 = r0 + TILE < n ? r0 + TILE : n;
        for (size_t c0 = r0; c0 < n; c0 += TILE) {
            const size_t c1 = c0 + TILE < n ? c0 + TILE : n;
            for (size_t r = r0; r < r1; r++)
                for (size_t c = c0 > r + 1 ? c0 : r + 1; c < c1; c++)
                    j->P[r * n + c] = j->P[c * n + r];
        }
    }
    return LR_OK;
}

/* Row i: |P_i|^2 for the loss, then B_ij = -P_ij / P_jj (every row times
 * the same vector) and B_ii = 0. */
LR__HOT static int scale_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const ease_job *j = ctx;
    const int n = j->n;
    for (size_t i = begin; i < end; i++) {
        float *row = j->P + i * (size_t)n;
        double s = 0;
        for (int c = 0; c < n; c += 256) {
            const int len = n - c < 256 ? n - c : 256;
            s += lr__vdot(row + c, row + c, len);
        }
        j->sq[i] = s;
        lr__vmul(1.0f, j->inv, row, row, n);
        row[i] = 0.0f;
    }
    return LR_OK;
}

/* Users with at least one modelled artist: the rows of X. */
static int32_t x_rows(const lr_dataset *ds, const lr_model *m)
{
    int32_t rows = 0;
    for (int32_t u = 0; u < ds->n_users; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++)
            if (m->item_pos[ds->listens.idx[e]] >= 0) {
                rows++;
                break;
            }
    return rows;
}

static int dual_cheaper(const lr_dataset *ds, const lr_model *m, int32_t n, double lambda)
{
    const double rows = x_rows(ds, m), nd = n;
    return lambda > 0 && rows * rows * nd + rows * rows * rows / 3 + nd * nd * rows / 2 < nd * nd * nd;
}

static int not_pd(const char *what, lapack_int info, int32_t n, double lambda)
{
    return lr__fail(LR_E_NUMERIC,
                    "ease: %s is not positive definite (leading minor %d of %d); "
                    "raise regularization (now %g)",
                    what, (int)info, (int)n, lambda);
}

/* P = (X'X + lambda I)^-1 into G's column-major upper triangle (row-major:
 * the lower one), by Cholesky of the n x n matrix. */
static int inverse_primal(const lr_dataset *ds, const lr_model *m, int t, double lambda,
                          float *G, int32_t *pos, float *val)
{
    const int32_t n = m->n_items;
    /* G(r, c), r <= c, at r + c n.  A user's modelled positions ascend
     * with the artist index, so each pair (p, q), p <= q, is one row-major
     * store at q n + p. */
    for (int32_t u = 0; u < ds->n_users; u++) {
        int32_t len = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = m->item_pos[ds->listens.idx[e]];
            if (p >= 0) {
                pos[len] = p;
                val[len++] = lr__transform(t, ds->listens.val[e]);
            }
        }
        for (int32_t b = 0; b < len; b++) {
            float *col = G + (size_t)pos[b] * (size_t)n;
            for (int32_t a = 0; a <= b; a++)
                col[pos[a]] += val[a] * val[b];
        }
    }
    for (int32_t i = 0; i < n; i++)
        G[(size_t)i * (size_t)n + (size_t)i] += (float)lambda;
    lapack_int info = LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', n, G, n);
    if (info > 0)
        return not_pd("X'X + lambda I", info, n, lambda);
    if (info == 0)
        info = LAPACKE_spotri_work(LAPACK_COL_MAJOR, 'U', n, G, n);
    if (info != 0)
        return lr__fail(LR_E_NUMERIC, "ease: inverting X'X + lambda I failed (LAPACK info %d); "
                        "raise regularization (now %g)", (int)info, lambda);
    return LR_OK;
}

/* The same P by the dual form (see the top of the file). */
static int inverse_dual(const lr_dataset *ds, const lr_model *m, int t, double lambda, float *P,
                        int32_t *pos, float *val)
{
    const int32_t n = m->n_items, rows = x_rows(ds, m);
    size_t xn;
    if (lr__mul_overflows((size_t)rows, (size_t)n, &xn))
        return lr__fail_oom();
    float *X = lr__calloc(xn, sizeof *X); /* rows x n, column-major */
    float *K = lr__calloc((size_t)rows * (size_t)rows, sizeof *K);
    int32_t *row_of = lr__malloc((size_t)ds->n_users, sizeof *row_of);
    int rc = LR_OK;
    if (!X || !K || !row_of) {
        rc = lr__fail_oom();
        goto done;
    }
    int32_t r = 0;
    for (int32_t u = 0; u < ds->n_users; u++) {
        int any = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = m->item_pos[ds->listens.idx[e]];
            if (p >= 0) {
                X[(size_t)r + (size_t)p * (size_t)rows] = lr__transform(t, ds->listens.val[e]);
                any = 1;
            }
        }
        row_of[u] = any ? r : -1;
        r += any;
    }
    /* K = X X', upper triangle, as the primal's X'X but over each modelled
     * artist's listeners (ascending, so r <= c for every pair). */
    for (int32_t a = 0; a < ds->n_artists; a++) {
        if (m->item_pos[a] < 0)
            continue;
        int32_t len = 0;
        for (int64_t e = ds->by_artist.ptr[a]; e < ds->by_artist.ptr[a + 1]; e++) {
            pos[len] = row_of[ds->by_artist.idx[e]];
            val[len++] = lr__transform(t, ds->by_artist.val[e]);
        }
        for (int32_t b = 0; b < len; b++) {
            float *col = K + (size_t)pos[b] * (size_t)rows;
            for (int32_t q = 0; q <= b; q++)
                col[pos[q]] += val[q] * val[b];
        }
    }
    for (int32_t i = 0; i < rows; i++)
        K[(size_t)i * (size_t)rows + (size_t)i] += (float)lambda;
    lapack_int info = LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', rows, K, rows);
    if (info != 0) {
        rc = info > 0 ? not_pd("lambda I + X X'", info, rows, lambda)
                      : lr__fail(LR_E_NUMERIC, "ease: spotrf rejected argument %d", (int)-info);
        goto done;
    }
    cblas_strsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, rows, n, 1.0f, K,
                rows, X, rows);
    cblas_ssyrk(CblasColMajor, CblasUpper, CblasTrans, n, rows, (float)(-1.0 / lambda), X, rows,
                0.0f, P, n);
    for (int32_t i = 0; i < n; i++)
        P[(size_t)i * (size_t)n + (size_t)i] += (float)(1.0 / lambda);
done:
    free(X);
    free(K);
    free(row_of);
    return rc;
}

static int ease_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_dataset *ds = ctx->train;
    const lr_options *o = &m->opts;
    const int t = (int)lr__opt_int(o, LR_OPT_TRANSFORM);
    const int64_t min_listeners = lr__opt_int(o, LR_OPT_MIN_LISTENERS);
    const double lambda = lr__opt_double(o, LR_OPT_REGULARIZATION);
    const int threads = lr__opt_threads(o);
    const int32_t na = ds->n_artists;

    if (t != LR_TRANSFORM_BINARY && t != LR_TRANSFORM_LOG1P)
        return lr__fail(LR_E_INVALID, "ease: transform must be binary (%d) or log1p (%d), got %d",
                        LR_TRANSFORM_BINARY, LR_TRANSFORM_LOG1P, t);
    m->item_pos = lr__malloc((size_t)na, sizeof *m->item_pos);
    if (!m->item_pos)
        return lr__fail_oom();
    int32_t n = 0;
    for (int32_t a = 0; a < na; a++) {
        const int64_t fans = ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a];
        m->item_pos[a] = fans >= min_listeners ? n++ : -1;
    }
    if (n == 0)
        return lr__fail(LR_E_INVALID,
                        "ease: no artist has %lld or more listeners in the training data; "
                        "lower min_listeners",
                        (long long)min_listeners);
    size_t nn;
    if (lr__mul_overflows((size_t)n, (size_t)n, &nn) || n > 46340 /* lapack_int n*n */)
        return lr__fail(LR_E_NOMEM, "ease: %d artists would need a %d x %d matrix; raise min_listeners",
                        (int)n, (int)n, (int)n);
    m->n_items = n;
    m->items = lr__malloc((size_t)n, sizeof *m->items);
    m->item_w = lr__calloc(nn, sizeof *m->item_w);
    double *diag = lr__malloc((size_t)n, sizeof *diag);
    double *sq = lr__malloc((size_t)n, sizeof *sq);
    float *inv = lr__malloc((size_t)n, sizeof *inv);
    /* one user's modelled artists, or one artist's listeners */
    const size_t most = (size_t)(na > ds->n_users ? na : ds->n_users);
    int32_t *pos = lr__malloc(most, sizeof *pos);
    float *val = lr__malloc(most, sizeof *val);
    int rc = LR_OK;
    if (!m->items || !m->item_w || !diag || !sq || !inv || !pos || !val) {
        rc = lr__fail_oom();
        goto done;
    }
    for (int32_t a = 0; a < na; a++)
        if (m->item_pos[a] >= 0)
            m->items[m->item_pos[a]] = a;

    float *G = m->item_w;
    if ((rc = dual_cheaper(ds, m, n, lambda) ? inverse_dual(ds, m, t, lambda, G, pos, val)
                                             : inverse_primal(ds, m, t, lambda, G, pos, val)) != LR_OK)
        goto done;
    for (int32_t j = 0; j < n; j++) {
        diag[j] = G[(size_t)j * (size_t)n + (size_t)j];
        inv[j] = (float)(-1.0 / diag[j]);
    }
    ease_job job = {G, n, sq, inv};
    if ((rc = lr__parallel_for(threads, ((size_t)n + TILE - 1) / TILE, mirror_range, &job)) != LR_OK ||
        (rc = lr__parallel_for(threads, (size_t)n, scale_range, &job)) != LR_OK)
        goto done;
    /* From P alone (P G = I, G = X'X + lambda I, I - B = P D^-1):
     *   |X - X B|^2 = sum_j (P_jj - lambda |P_j|^2) / P_jj^2
     *   |B|^2       = sum_j (|P_j|^2 - P_jj^2) / P_jj^2 */
    double data = 0, l2 = 0;
    for (int32_t j = 0; j < n; j++) {
        const double d2 = diag[j] * diag[j];
        data += (diag[j] - lambda * sq[j]) / d2;
        l2 += (sq[j] - d2) / d2;
    }
    if ((rc = lr__check_finite(m->item_w, nn, "ease: item weights",
                               "raise regularization or min_listeners")) != LR_OK)
        goto done;

    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    row[LR_HISTORY_LOSS_OBSERVED - 1] = data;
    row[LR_HISTORY_LOSS_L2 - 1] = lambda * l2;
    row[LR_HISTORY_LOSS - 1] = data + lambda * l2;
    rc = lr__history_epoch(m, ctx, row, 1, 1);

done:
    free(diag);
    free(sq);
    free(inv);
    free(pos);
    free(val);
    return rc;
}

const lr__algo lr__algo_ease = {LR_ALGO_EASE, "ease", ease_defaults, ease_fit};
