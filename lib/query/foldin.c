/* SPDX-License-Identifier: MIT */
#include "query/foldin.h"
#include "core/error.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

/* blend's factors are an als fit's, with als's options (lib/model/blend.c),
 * so its fold-in is als's. */
static int als_factors(const lr_model *m)
{
    return m->algo == LR_ALGO_ALS || m->algo == LR_ALGO_BLEND;
}

int lr__foldin_needs_gram(const lr_model *m)
{
    if (!lr__model_has_factors(m))
        return 0;
    return als_factors(m) ||
           (m->algo == LR_ALGO_MF && lr__opt_double(&m->opts, LR_OPT_GRAVITY) > 0);
}

float lr__foldin_bpr_target(const lr_model *m)
{
    const lr__csr *t = &m->train;
    const int k = m->k;
    double sum = 0;
    for (int32_t u = 0; u < t->rows; u++) {
        const float *x = m->user_f + (size_t)u * (size_t)k;
        for (int64_t e = t->ptr[u]; e < t->ptr[u + 1]; e++)
            sum += cblas_sdot(k, x, 1, m->artist_f + (size_t)t->idx[e] * (size_t)k, 1);
    }
    const double tau = t->nnz > 0 ? sum / (double)t->nnz : 1.0;
    /* a model whose users score their own artists below zero on average
     * has learnt nothing a positive target could match */
    return tau > 0 && isfinite(tau) ? (float)tau : 1.0f;
}

void lr__foldin_gram(const lr_model *m, float *gram)
{
    /* The row-major n x k factors are the column-major k x n matrix Y',
     * so Y'Y is one rank-n update of that. */
    cblas_ssyrk(CblasColMajor, CblasUpper, CblasNoTrans, m->k, m->n_artists, 1.0f,
                m->artist_f, m->k, 0.0f, gram, m->k);
}

/* BM25 weight of a listen count the way als weighted its training matrix
 * (lib/model/als.c): idf from the artist's training listeners, length
 * normalisation from the row's total against the training users' mean.
 * The new listener is one more row of that matrix, so the weight is
 * exact, not an approximation. */
static float bm25(const lr__foldin_ctx *c, int32_t a, float w, double row_sum)
{
    const lr_model *m = c->m;
    const double k1 = lr__opt_double(&m->opts, LR_OPT_BM25_K1);
    const double b = lr__opt_double(&m->opts, LR_OPT_BM25_B);
    const double idf = fmax(0.0, log((double)m->n_users) - log1p((double)c->fans[a]));
    const double norm = (1.0 - b) + b * (c->mean_row > 0 ? row_sum / c->mean_row : 1.0);
    return (float)((double)w * (k1 + 1.0) / (k1 * norm + (double)w) * idf);
}

/* Right-hand-side weights r_j and the data part of A for one model:
 *   als (and blend)  A = Y'Y + sum (c_j - 1) y_j y_j' + lambda I,  r_j = c_j = 1 + alpha t(w_j)
 *   mf   A = sum y_j y_j' + lambda_r |O|/N I + lambda_g |O|/(N M) Y'Y,
 *        r_j = t(w_j) - bias_j
 *   bpr (and softmax, for now)  A = sum y_j y_j' + lambda I,
 *        r_j = tau (lr__foldin_bpr_target)
 * (mf's scaling turns its mean-over-pairs objective into this user's
 * normal equations exactly; docs/queries.md derives it.) */
int lr__foldin_solve(const lr__foldin_ctx *c, const int32_t *idx, const float *w,
                     int64_t n, float *a, float *r, float *x)
{
    const lr_model *m = c->m;
    const int k = m->k;
    const int t = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
    const double lambda = lr__opt_double(&m->opts, LR_OPT_REGULARIZATION);
    double ridge = lambda;
    float gram_w = 0.0f;
    memset(a, 0, (size_t)k * (size_t)k * sizeof *a);
    memset(x, 0, (size_t)k * sizeof *x);

    if (als_factors(m)) {
        const float alpha = (float)lr__opt_double(&m->opts, LR_OPT_ALPHA);
        double row_sum = 0;
        for (int64_t j = 0; j < n; j++)
            row_sum += w[j];
        for (int64_t j = 0; j < n; j++) {
            float cm1 = t == LR_TRANSFORM_BM25 ? alpha * bm25(c, idx[j], w[j], row_sum)
                                               : alpha * lr__transform(t, w[j]);
            r[j] = 1.0f + cm1;
        }
        gram_w = 1.0f;
    } else if (m->algo == LR_ALGO_MF) {
        const double obs = (double)m->train.nnz, users = (double)m->n_users;
        ridge = lambda * obs / users;
        gram_w = (float)(lr__opt_double(&m->opts, LR_OPT_GRAVITY) * obs /
                         (users * (double)m->n_artists));
        for (int64_t j = 0; j < n; j++)
            r[j] = lr__transform(t, w[j]) - (m->artist_bias ? m->artist_bias[idx[j]] : 0.0f);
    } else {
        for (int64_t j = 0; j < n; j++)
            r[j] = c->bpr_target;
    }

    if (gram_w != 0.0f && c->gram)
        for (int col = 0; col < k; col++)
            for (int row = 0; row <= col; row++)
                a[(size_t)col * (size_t)k + (size_t)row] =
                    gram_w * c->gram[(size_t)col * (size_t)k + (size_t)row];
    for (int64_t j = 0; j < n; j++) {
        const float *y = m->artist_f + (size_t)idx[j] * (size_t)k;
        /* als already has every y_j y_j' once in Y'Y: only c_j - 1 is added */
        const float wj = als_factors(m) ? r[j] - 1.0f : 1.0f;
        if (wj != 0.0f)
            cblas_ssyr(CblasColMajor, CblasUpper, k, wj, y, 1, a, k);
        cblas_saxpy(k, r[j], y, 1, x, 1);
    }
    /* With fewer sources than factors and a tiny lambda the system is only
     * semi-definite; a ridge of 1e-4 of the mean diagonal keeps the solve
     * well posed without moving a well-conditioned one. */
    double diag = 0;
    for (int i = 0; i < k; i++)
        diag += a[(size_t)i * (size_t)k + (size_t)i];
    ridge = fmax(ridge, fmax(1e-4 * diag / k, 1e-12));
    for (int i = 0; i < k; i++)
        a[(size_t)i * (size_t)k + (size_t)i] += (float)ridge;

    lapack_int info = LAPACKE_sposv_work(LAPACK_COL_MAJOR, 'U', k, 1, a, k, x, k);
    if (info != 0)
        return lr__fail(LR_E_NUMERIC,
                        "fold-in: the %dx%d system is not positive definite (LAPACK info %d); "
                        "increase regularization",
                        k, k, (int)info);
    /* A factorisation does not always stop at a NaN; a vector that is not
     * finite would rank artists by noise. */
    for (int i = 0; i < k; i++)
        if (!isfinite(x[i]))
            return lr__fail(LR_E_NUMERIC,
                            "fold-in: the user vector is not finite (non-finite artist factors "
                            "or an ill-conditioned system); increase regularization");
    return LR_OK;
}

void lr__foldin_explain(const lr_model *m, const float *a, const int32_t *idx,
                        const float *r, int64_t n, int32_t t, float *z, float *out)
{
    const int k = m->k;
    memcpy(z, m->artist_f + (size_t)t * (size_t)k, (size_t)k * sizeof *z);
    /* a holds a valid factor (lr__foldin_solve succeeded), so this cannot
     * fail. */
    LAPACKE_spotrs_work(LAPACK_COL_MAJOR, 'U', k, 1, a, k, z, k);
    for (int64_t j = 0; j < n; j++)
        out[j] = r[j] * cblas_sdot(k, z, 1, m->artist_f + (size_t)idx[j] * (size_t)k, 1);
}

void lr__foldin_ease(const lr_model *m, const int32_t *idx, const float *w, int64_t n,
                     float *r, float *scores)
{
    const int t = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
    for (int64_t j = 0; j < n; j++)
        r[j] = lr__transform(t, w[j]);
    lr__item_scores(m, idx, r, n, -1, scores);
}

void lr__foldin_ease_explain(const lr_model *m, const int32_t *idx, const float *r,
                             int64_t n, int32_t t, float *out)
{
    const int32_t pt = m->item_pos[t];
    for (int64_t j = 0; j < n; j++) {
        const int32_t p = m->item_pos[idx[j]];
        out[j] = p < 0 || pt < 0 ? 0.0f
                                 : r[j] * m->item_w[(size_t)p * (size_t)m->n_items + (size_t)pt];
    }
}
