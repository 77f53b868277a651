/* blend: the best model lastrec makes.  SPDX-License-Identifier: MIT
 *
 * Two models of different kinds, fitted on the same listens, whose scores
 * are added after standardising each per user (docs/models.md, "blend"):
 *
 *  - an item-item linear autoencoder on rank-weighted listens: in X a
 *    user's artists weigh 1 + s (1/2 - r / (n - 1)) by the rank r of their
 *    play count among the user's n artists (s = rank_spread: the most
 *    played 1.5, the least 0.5 at s = 1).  With
 *      P = (X'X + Lambda)^-1,  Lambda = lambda I + p/(1-p) diag(X'X)
 *    (lambda = item_regularization; the second term is the emphasised
 *    dropout of Steck 2020, "Autoencoders that don't overfit towards the
 *    identity", with dropout probability p = dropout), the weights are
 *      B_ij = -P_ij P_jj^-gamma,  B_jj = 0      (gamma = calibration).
 *    gamma = 1 is EASE's zero-diagonal solution, gamma = 0 ranks like
 *    plain ridge regression (the candidates' scores -(X P)_uj then differ
 *    from ridge's only by a factor per user); in between, 1/P_jj, which
 *    grows with the artist's listeners, pulls less towards popular
 *    artists.  Artists with fewer than min_listeners listeners are not
 *    modelled and score 0.
 *  - lastrec's implicit ALS (lib/model/als.c), fitted by its own fit on a
 *    view of this model with its own options and defaults (BM25
 *    confidence, 64 factors, 15 sweeps); its factors are the model's
 *    embeddings.
 *
 * Scores: z(x_u B) + blend_weight z(U_u V'), where z standardises over the
 * artists the user has not listened to (lib/model/score.c).  blend_weight
 * 0 skips ALS: the item model alone.
 *
 * The inverse is taken as in ease.c, primal (Cholesky of the n x n matrix,
 * n^3) or, when the users are fewer than the modelled artists, dual: with
 * D = Lambda and Xd = X D^-1/2, Woodbury gives
 *   P = D^-1/2 (I - Xd' (I + Xd Xd')^-1 Xd) D^-1/2,
 * so Cholesky of the m x m K = I + Xd Xd' = U'U, Z = U'^-1 Xd (strsm) and
 * M = I - Z'Z (ssyrk): P_ij = M_ij / sqrt(D_i D_j).
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

extern const lr__algo lr__algo_als;

/* The item model's defaults are the option table's own (only blend reads
 * those keys); the factor part takes als's defaults for what the caller
 * did not set. */
static void blend_defaults(lr_options *o) { lr__algo_als.defaults(o); }

/* ------------------------------------------------------------- item model */

typedef struct item_fit {
    const lr_dataset *ds;
    lr_model *m;
    int32_t n;          /* modelled artists */
    float *wr;          /* [nnz] rank weight of every training listen (CSR order) */
    double *lam;        /* [n] Lambda_jj */
    double *pdiag;      /* [n] P_jj */
    float *rscale;      /* [n] row factor of B */
    float *cscale;      /* [n] column factor of B */
} item_fit;

static int not_pd(const char *what, lapack_int info, int32_t n, double lambda)
{
    return lr__fail(LR_E_NUMERIC,
                    "blend: %s is not positive definite (leading minor %d of %d); "
                    "raise item_regularization (now %g) or dropout",
                    what, (int)info, (int)n, lambda);
}

/* Users with at least one modelled artist: the rows of X. */
static int32_t x_rows(const item_fit *f, int32_t *row_of)
{
    const lr_dataset *ds = f->ds;
    int32_t rows = 0;
    for (int32_t u = 0; u < ds->n_users; u++) {
        int any = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1] && !any; e++)
            any = f->m->item_pos[ds->listens.idx[e]] >= 0;
        if (row_of)
            row_of[u] = any ? rows : -1;
        rows += any;
    }
    return rows;
}

/* P = (X'X + Lambda)^-1 into G (column-major upper = row-major lower), by
 * Cholesky of the n x n matrix. */
static int inverse_primal(item_fit *f, double lambda, float *G)
{
    const lr_dataset *ds = f->ds;
    const int32_t n = f->n;
    int32_t *pos = lr__malloc((size_t)ds->n_artists, sizeof *pos);
    float *val = lr__malloc((size_t)ds->n_artists, sizeof *val);
    if (!pos || !val) {
        free(pos);
        free(val);
        return lr__fail_oom();
    }
    for (int32_t u = 0; u < ds->n_users; u++) {
        int32_t len = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = f->m->item_pos[ds->listens.idx[e]];
            if (p >= 0) {
                pos[len] = p;
                val[len++] = f->wr[e];
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
        G[(size_t)j * (size_t)n + (size_t)j] += (float)f->lam[j];
    lapack_int info = LAPACKE_spotrf_work(LAPACK_COL_MAJOR, 'U', n, G, n);
    if (info > 0)
        return not_pd("X'X + Lambda", info, n, lambda);
    if (info == 0)
        info = LAPACKE_spotri_work(LAPACK_COL_MAJOR, 'U', n, G, n);
    if (info != 0)
        return lr__fail(LR_E_NUMERIC, "blend: inverting X'X + Lambda failed (LAPACK info %d); "
                        "raise item_regularization (now %g)", (int)info, lambda);
    for (int32_t j = 0; j < n; j++) {
        f->pdiag[j] = G[(size_t)j * (size_t)n + (size_t)j];
        f->rscale[j] = 1.0f;
    }
    return LR_OK;
}

/* The same P by the dual form (top of the file), as M with P_ij =
 * rscale_i M_ij rscale_j, M in G's column-major upper triangle. */
static int inverse_dual(item_fit *f, double lambda, float *G)
{
    const lr_dataset *ds = f->ds;
    const int32_t n = f->n, nu = ds->n_users;
    int32_t *row_of = lr__malloc((size_t)nu, sizeof *row_of);
    if (!row_of)
        return lr__fail_oom();
    const int32_t rows = x_rows(f, row_of);
    size_t xn;
    float *X = NULL, *K = NULL, *val = NULL;
    int32_t *cnt = NULL, *who = NULL;
    int64_t *ptr = NULL;
    int rc = LR_OK;
    if (lr__mul_overflows((size_t)rows, (size_t)n, &xn)) {
        rc = lr__fail_oom();
        goto done;
    }
    X = lr__calloc(xn, sizeof *X); /* rows x n, column-major */
    K = lr__calloc((size_t)rows * (size_t)rows, sizeof *K);
    ptr = lr__calloc((size_t)n + 1, sizeof *ptr);
    cnt = lr__calloc((size_t)n, sizeof *cnt);
    who = lr__malloc((size_t)(ds->listens.nnz > 0 ? ds->listens.nnz : 1), sizeof *who);
    val = lr__malloc((size_t)(ds->listens.nnz > 0 ? ds->listens.nnz : 1), sizeof *val);
    if (!X || !K || !ptr || !cnt || !who || !val) {
        rc = lr__fail_oom();
        goto done;
    }
    for (int32_t j = 0; j < n; j++)
        f->rscale[j] = (float)(1.0 / sqrt(f->lam[j]));
    /* Xd and its columns as lists of (row, value), rows ascending */
    for (int32_t u = 0; u < nu; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = f->m->item_pos[ds->listens.idx[e]];
            if (p >= 0)
                ptr[p + 1]++;
        }
    for (int32_t j = 0; j < n; j++)
        ptr[j + 1] += ptr[j];
    for (int32_t u = 0; u < nu; u++)
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++) {
            const int32_t p = f->m->item_pos[ds->listens.idx[e]];
            if (p < 0)
                continue;
            const float v = f->wr[e] * f->rscale[p];
            X[(size_t)row_of[u] + (size_t)p * (size_t)rows] = v;
            const int64_t at = ptr[p] + cnt[p]++;
            who[at] = row_of[u];
            val[at] = v;
        }
    /* K = I + Xd Xd', upper triangle, summed over each artist's listeners */
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
        rc = info > 0 ? not_pd("I + X Lambda^-1 X'", info, rows, lambda)
                      : lr__fail(LR_E_NUMERIC, "blend: spotrf rejected argument %d", (int)-info);
        goto done;
    }
    cblas_strsm(CblasColMajor, CblasLeft, CblasUpper, CblasTrans, CblasNonUnit, rows, n, 1.0f, K,
                rows, X, rows);
    cblas_ssyrk(CblasColMajor, CblasUpper, CblasTrans, n, rows, -1.0f, X, rows, 0.0f, G, n);
    for (int32_t j = 0; j < n; j++) {
        float *d = G + (size_t)j * (size_t)n + (size_t)j;
        *d += 1.0f;
        f->pdiag[j] = (double)*d / f->lam[j];
    }
done:
    free(row_of);
    free(X);
    free(K);
    free(ptr);
    free(cnt);
    free(who);
    free(val);
    return rc;
}

/* Tiles of the mirror copy, as in ease.c. */
#define TILE 64

typedef struct fill_job {
    float *G;
    int32_t n;
    const float *rscale, *cscale;
} fill_job;

/* Row-major lower triangle (column-major upper) to the full matrix. */
static int mirror_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const fill_job *j = ctx;
    const size_t n = (size_t)j->n;
    for (size_t ib = begin; ib < end; ib++) {
        const size_t r0 = ib * TILE, r1 = r0 + TILE < n ? r0 + TILE : n;
        for (size_t c0 = r0; c0 < n; c0 += TILE) {
            const size_t c1 = c0 + TILE < n ? c0 + TILE : n;
            for (size_t r = r0; r < r1; r++)
                for (size_t c = c0 > r + 1 ? c0 : r + 1; c < c1; c++)
                    j->G[r * n + c] = j->G[c * n + r];
        }
    }
    return LR_OK;
}

/* B_ij = rscale_i M_ij cscale_j, B_ii = 0. */
LR__HOT static int scale_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const fill_job *j = ctx;
    const int n = j->n;
    for (size_t i = begin; i < end; i++) {
        float *row = j->G + i * (size_t)n;
        lr__vmul(j->rscale[i], j->cscale, row, row, n);
        row[i] = 0.0f;
    }
    return LR_OK;
}

/* The item model's objective at its weights, for the history:
 *   |X - X B|^2 (over the modelled artists) and sum_i Lambda_i |B_i|^2.
 * Per user x_u B costs what scoring the user does; per-row sums are
 * added in row order, so the result does not depend on the threads. */
typedef struct loss_job {
    const lr_dataset *ds;
    const lr_model *m;
    const float *wr;
    const double *lam;
    double *data;  /* [n_users] */
    double *l2;    /* [n_items] */
} loss_job;

static int loss_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const loss_job *j = ctx;
    const lr_model *m = j->m;
    const int32_t ni = m->n_items;
    const int32_t nu = j->ds->n_users;
    float *xb = lr__malloc((size_t)ni, sizeof *xb);
    if (!xb)
        return lr__fail_oom();
    /* items [0, ni) are rows of B for the L2 part, then users */
    for (size_t r = begin; r < end; r++) {
        if (r < (size_t)ni) {
            const float *b = m->item_w + r * (size_t)ni;
            double s = 0;
            for (int32_t q = 0; q < ni; q++)
                s += (double)b[q] * b[q];
            j->l2[r] = j->lam[r] * s;
            continue;
        }
        const int32_t u = (int32_t)(r - (size_t)ni);
        if (u >= nu)
            break;
        memset(xb, 0, (size_t)ni * sizeof *xb);
        const int64_t e0 = j->ds->listens.ptr[u], e1 = j->ds->listens.ptr[u + 1];
        double own = 0;
        for (int64_t e = e0; e < e1; e++) {
            const int32_t p = m->item_pos[j->ds->listens.idx[e]];
            if (p >= 0)
                lr__vaxpy(j->wr[e], m->item_w + (size_t)p * (size_t)ni, xb, ni);
        }
        /* |x - xB|^2 = |xB|^2 - 2 x.xB + |x|^2 over the user's listens */
        double sq = 0;
        for (int32_t q = 0; q < ni; q++)
            sq += (double)xb[q] * xb[q];
        for (int64_t e = e0; e < e1; e++) {
            const int32_t p = m->item_pos[j->ds->listens.idx[e]];
            if (p >= 0)
                own += (double)j->wr[e] * (j->wr[e] - 2.0 * xb[p]);
        }
        j->data[u] = sq + own;
    }
    free(xb);
    return LR_OK;
}

static int dual_cheaper(int32_t rows, int32_t n)
{
    const double r = rows, nd = n;
    return r * r * nd + r * r * r / 3 + nd * nd * r / 2 < nd * nd * nd;
}

static int fit_items(lr_model *m, const lr_dataset *ds, int threads, double *loss_data,
                     double *loss_l2)
{
    const lr_options *o = &m->opts;
    const double lambda = lr__opt_double(o, LR_OPT_ITEM_REGULARIZATION);
    const double p = lr__opt_double(o, LR_OPT_DROPOUT);
    const double gamma = lr__opt_double(o, LR_OPT_CALIBRATION);
    const double spread = lr__opt_double(o, LR_OPT_RANK_SPREAD);
    const int64_t min_listeners = lr__opt_int(o, LR_OPT_MIN_LISTENERS);
    const int32_t na = ds->n_artists;

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
                        "blend: no artist has %lld or more listeners in the training data; "
                        "lower min_listeners",
                        (long long)min_listeners);
    size_t nn;
    if (lr__mul_overflows((size_t)n, (size_t)n, &nn) || n > 46340 /* lapack_int n*n */)
        return lr__fail(LR_E_NOMEM,
                        "blend: %d artists would need a %d x %d matrix; raise min_listeners",
                        (int)n, (int)n, (int)n);
    m->n_items = n;
    m->items = lr__malloc((size_t)n, sizeof *m->items);
    m->item_w = lr__calloc(nn, sizeof *m->item_w);
    item_fit f = {ds, m, n, NULL, NULL, NULL, NULL, NULL};
    f.wr = lr__malloc((size_t)(ds->listens.nnz > 0 ? ds->listens.nnz : 1), sizeof *f.wr);
    f.lam = lr__calloc((size_t)n, sizeof *f.lam);
    f.pdiag = lr__malloc((size_t)n, sizeof *f.pdiag);
    f.rscale = lr__malloc((size_t)n, sizeof *f.rscale);
    f.cscale = lr__malloc((size_t)n, sizeof *f.cscale);
    int64_t most = 1;
    for (int32_t u = 0; u < ds->n_users; u++) {
        const int64_t len = ds->listens.ptr[u + 1] - ds->listens.ptr[u];
        most = len > most ? len : most;
    }
    lr__rank_pair *pairs = lr__malloc((size_t)most, sizeof *pairs);
    int rc = LR_OK;
    if (!m->items || !m->item_w || !f.wr || !f.lam || !f.pdiag || !f.rscale || !f.cscale ||
        !pairs) {
        rc = lr__fail_oom();
        goto done;
    }
    for (int32_t a = 0; a < na; a++)
        if (m->item_pos[a] >= 0)
            m->items[m->item_pos[a]] = a;

    /* rank weights, and Lambda from the diagonal of X'X */
    for (int32_t u = 0; u < ds->n_users; u++) {
        const int64_t b = ds->listens.ptr[u], len = ds->listens.ptr[u + 1] - b;
        lr__blend_rank_weights(ds->listens.val + b, len, spread, pairs, f.wr + b);
        for (int64_t e = b; e < b + len; e++) {
            const int32_t q = m->item_pos[ds->listens.idx[e]];
            if (q >= 0)
                f.lam[q] += (double)f.wr[e] * f.wr[e];
        }
    }
    int all_positive = 1;
    for (int32_t j = 0; j < n; j++) {
        f.lam[j] = lambda + p / (1.0 - p) * f.lam[j];
        all_positive &= f.lam[j] > 0;
    }
    const int32_t rows = x_rows(&f, NULL);
    if ((rc = all_positive && dual_cheaper(rows, n) ? inverse_dual(&f, lambda, m->item_w)
                                                    : inverse_primal(&f, lambda, m->item_w)) !=
        LR_OK)
        goto done;
    for (int32_t j = 0; j < n; j++) {
        if (!(f.pdiag[j] > 0) || !isfinite(f.pdiag[j])) {
            rc = lr__fail(LR_E_NUMERIC,
                          "blend: the item model's inverse lost precision (P_jj = %g for artist "
                          "%d); raise item_regularization (now %g) or dropout",
                          f.pdiag[j], (int)m->artist_ids[m->items[j]], lambda);
            goto done;
        }
        f.cscale[j] = (float)(-(double)f.rscale[j] * pow(f.pdiag[j], -gamma));
    }
    fill_job job = {m->item_w, n, f.rscale, f.cscale};
    if ((rc = lr__parallel_for(threads, ((size_t)n + TILE - 1) / TILE, mirror_range, &job)) !=
            LR_OK ||
        (rc = lr__parallel_for(threads, (size_t)n, scale_range, &job)) != LR_OK)
        goto done;
    if ((rc = lr__check_finite(m->item_w, nn, "blend: item weights",
                               "raise item_regularization or min_listeners")) != LR_OK)
        goto done;
    {
        double *per = lr__calloc((size_t)ds->n_users + (size_t)n, sizeof *per);
        if (!per) {
            rc = lr__fail_oom();
            goto done;
        }
        loss_job lj = {ds, m, f.wr, f.lam, per, per + ds->n_users};
        rc = lr__parallel_for(threads, (size_t)n + (size_t)ds->n_users, loss_range, &lj);
        double data = 0, l2 = 0;
        for (int32_t u = 0; u < ds->n_users; u++)
            data += lj.data[u];
        for (int32_t q = 0; q < n; q++)
            l2 += lj.l2[q];
        free(per);
        *loss_data = data;
        *loss_l2 = l2;
    }
done:
    free(f.wr);
    free(f.lam);
    free(f.pdiag);
    free(f.rscale);
    free(f.cscale);
    free(pairs);
    return rc;
}

/* ----------------------------------------------------------- factor model */

/* als reports its sweeps as epochs e of the blend's total. */
typedef struct sub_progress {
    const lr__progress *outer;
    uint64_t total;
} sub_progress;

/* After each als sweep the caller's hook (validation metrics) sees the
 * blend as it stands: the fitted item model with this sweep's factors. */
typedef struct sub_hook {
    const lr_model *blend;
    const lr__fit_ctx *outer;
} sub_hook;

static int sub_validate(const lr_model *sub, double *row, void *ctx)
{
    const sub_hook *h = ctx;
    lr_model view = *h->blend;
    view.k = sub->k;
    view.user_f = sub->user_f;
    view.artist_f = sub->artist_f;
    return h->outer->hook(&view, row, h->outer->hook_ctx);
}

static int sub_report(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)total;
    const sub_progress *s = user_data;
    return s->outer->fn ? s->outer->fn(stage, done, s->total, s->outer->user_data) : 0;
}

/* als's own fit on a view of m (the catalogue shared, nothing else): its
 * factors and its history rows (one per sweep, with the blend's
 * validation metrics after that sweep) become m's. */
static int fit_factors(lr_model *m, const lr__fit_ctx *ctx, uint64_t total)
{
    lr_model sub = *m;
    sub.algo = LR_ALGO_ALS;
    sub.k = 0;
    sub.user_f = sub.artist_f = sub.artist_bias = NULL;
    sub.n_items = 0;
    sub.items = sub.item_pos = NULL;
    sub.item_w = sub.pop = NULL;
    memset(&sub.history, 0, sizeof sub.history);
    sub_progress sp = {ctx->progress, total};
    lr__progress prog = {sub_report, &sp};
    lr__fit_ctx sc = *ctx;
    sub_hook sh = {m, ctx};
    sc.progress = &prog;
    sc.hook = ctx->hook ? sub_validate : NULL;
    sc.hook_ctx = &sh;
    int rc = lr__algo_als.fit(&sub, &sc);
    if (rc == LR_OK && (!sub.user_f || !sub.artist_f || sub.artist_bias))
        rc = lr__fail(LR_E_NUMERIC, "blend: als gave no factors"); /* cannot happen */
    if (rc != LR_OK) {
        free(sub.user_f);
        free(sub.artist_f);
        free(sub.artist_bias);
        lr__history_free(&sub.history);
        return rc;
    }
    m->k = sub.k;
    m->user_f = sub.user_f;
    m->artist_f = sub.artist_f;
    lr__history_free(&m->history);
    m->history = sub.history;
    return LR_OK;
}

static int blend_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_options *o = &m->opts;
    const double weight = lr__opt_double(o, LR_OPT_BLEND_WEIGHT);
    const uint64_t total = weight > 0 ? (uint64_t)lr__opt_int(o, LR_OPT_EPOCHS) + 1 : 1;
    double data = 0, l2 = 0;
    int rc = fit_items(m, ctx->train, lr__opt_threads(o), &data, &l2);
    if (rc == LR_OK && weight > 0)
        rc = fit_factors(m, ctx, total);
    if (rc != LR_OK)
        return rc;
    /* the last row: the item model's objective, and the validation
     * metrics of the whole blend */
    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    row[LR_HISTORY_LOSS_OBSERVED - 1] = data;
    row[LR_HISTORY_LOSS_L2 - 1] = l2;
    row[LR_HISTORY_LOSS - 1] = data + l2;
    if (!isfinite(row[LR_HISTORY_LOSS - 1]))
        return lr__fail(LR_E_NUMERIC, "blend: the item model's loss overflowed; raise "
                        "item_regularization");
    return lr__history_epoch(m, ctx, row, total, total);
}

const lr__algo lr__algo_blend = {LR_ALGO_BLEND, "blend", blend_defaults, blend_fit};
