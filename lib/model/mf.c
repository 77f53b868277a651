/* Matrix factorisation on observed weights with L2 and gravity: the
 * notebook's first two models, trained by full-batch gradient descent (as
 * the notebook did) or mini-batch SGD, with SGD or Adagrad steps.
 * SPDX-License-Identifier: MIT
 *
 * The objective (docs/models.md has the derivation):
 *
 *   F(U, V) = 1/|Ω| Σ_(u,a)∈Ω (U_u·V_a − t(w_ua))²          observed
 *           + λ_r (‖U‖²/N + ‖V‖²/M)                           L2
 *           + λ_g/(N·M) Σ_kl (UᵀU)_kl (VᵀV)_kl                gravity
 *
 * The observed part is the MEAN over observed pairs, as the notebook's
 * tf.losses.mean_squared_error; gravity equals λ_g times the mean squared
 * prediction over all N·M pairs (‖UVᵀ‖²_F / NM), computed through the two
 * k × k Gram matrices in O((N + M) k²).  Its gradient is
 * 2λ_g/(NM) · U (VᵀV) for U and 2λ_g/(NM) · V (UᵀU) for V.
 *
 * A full pass is one sweep over the CSR rows (residuals, user gradients) and
 * one over the artists' columns (artist gradients from the stored
 * residuals), so every gradient row is summed by one thread in a fixed
 * order: the model is bit-identical for any LR_OPT_THREADS, not only for
 * the same one.
 */
#include "model/mf.h"
#include "model/kernels.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "optim/optim.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mf_state {
    int32_t n, m, k;
    int64_t nnz;
    const lr__csr *x;    /* training listens, CSR by user */
    float *t;            /* [nnz] transformed targets, CSR order */
    int64_t *cptr;       /* [m + 1] the same pairs by artist */
    int32_t *cuser;      /* [nnz] user of each by-artist entry */
    int64_t *cpos;       /* [nnz] by-artist position of each CSR entry */
    float *U, *V;        /* the model's factors */
    float *gU, *gV;      /* gradients */
    float *err;          /* [nnz] d(observed)/d(prediction) per pair, CSR order */
    float *errc;         /* [nnz] the same by artist */
    double *uerr;        /* [n] squared error of each user's pairs */
    double *usq, *asq;   /* [n], [m] squared row norms */
    float *GU, *GV;      /* k x k Gram matrices */
    double l2u, l2v;     /* λ_r / N, λ_r / M */
    double gw;           /* λ_g / (N M) */
    int grad;            /* this pass also computes the gradient */
    int threads;
    lr__optim opt;
} mf_state;

/* The objective's parts at the current factors. */
typedef struct mf_loss {
    double observed, l2, gravity;
} mf_loss;

/* Chosen on the dev split (docs/models.md): log1p weights; enough gravity
 * to push the scores of unlistened artists down (without it mf ranks
 * barely above popularity); λ_r = 1 where 0.1 overfits the ~40 artists of
 * a user and 3 underfits; Adagrad, so that one learning rate suits rows
 * with one listener and with hundreds.  The ranking no longer improves
 * after about 200 full-batch steps. */
static void mf_defaults(lr_options *o)
{
    lr__opt_default_int(o, LR_OPT_FACTORS, 64);
    lr__opt_default_int(o, LR_OPT_EPOCHS, 200);
    lr__opt_default_double(o, LR_OPT_LEARNING_RATE, 0.1);
    lr__opt_default_int(o, LR_OPT_OPTIMIZER, LR_OPTIMIZER_ADAGRAD);
    lr__opt_default_double(o, LR_OPT_REGULARIZATION, 1.0);
    lr__opt_default_double(o, LR_OPT_GRAVITY, 5.0);
    lr__opt_default_double(o, LR_OPT_INIT_SCALE, 0.05);
    lr__opt_default_int(o, LR_OPT_TRANSFORM, LR_TRANSFORM_LOG1P);
    lr__opt_default_int(o, LR_OPT_BATCH_SIZE, 0);
}

/* g += Σ_q w[q] · X[rows[q]] over the k columns, q in [q0, q1).  Column
 * block by column block, the block's partial sum stays in a register for
 * all q instead of going through memory once per q; each element still
 * adds its terms in q order, so the result is that of one lr__kaxpy per q. */
LR__KINLINE void gather_axpy(float *restrict g, const float *restrict X, int32_t k, int64_t q0,
                             int64_t q1, const int32_t *rows, const float *w)
{
    int32_t f = 0;
#ifdef LR__KVEC
    for (; f + 16 <= k; f += 16) {
        lr__k16 acc, x;
        memcpy(&acc, g + f, sizeof acc);
        for (int64_t q = q0; q < q1; q++) {
            memcpy(&x, X + (size_t)rows[q] * (size_t)k + (size_t)f, sizeof x);
            acc += w[q] * x;
        }
        memcpy(g + f, &acc, sizeof acc);
    }
    for (; f + 4 <= k; f += 4) {
        lr__k4 acc, x;
        memcpy(&acc, g + f, sizeof acc);
        for (int64_t q = q0; q < q1; q++) {
            memcpy(&x, X + (size_t)rows[q] * (size_t)k + (size_t)f, sizeof x);
            acc += w[q] * x;
        }
        memcpy(g + f, &acc, sizeof acc);
    }
#endif
    for (; f < k; f++) {
        float acc = g[f];
        for (int64_t q = q0; q < q1; q++)
            acc += w[q] * X[(size_t)rows[q] * (size_t)k + (size_t)f];
        g[f] = acc;
    }
}

/* Users [b, e): residuals, squared errors, row norms, and (grad) the user
 * gradient rows: data part + L2 part. */
LR__HOT static int user_pass(void *ctx, int tid, size_t b, size_t e)
{
    (void)tid;
    mf_state *s = ctx;
    const int32_t k = s->k;
    const float cl2 = (float)(2.0 * s->l2u);
    const float cerr = (float)(2.0 / (double)s->nnz);
    const int64_t *ptr = s->x->ptr;
    const int32_t *idx = s->x->idx;
    for (int32_t u = (int32_t)b; u < (int32_t)e; u++) {
        const float *uu = s->U + (size_t)u * (size_t)k;
        double se = 0;
        for (int64_t p = ptr[u]; p < ptr[u + 1]; p++) {
            float r = lr__kdot(uu, s->V + (size_t)idx[p] * (size_t)k, k) - s->t[p];
            se += (double)r * (double)r;
            s->err[p] = s->errc[s->cpos[p]] = cerr * r;
        }
        if (s->grad) {
            float *g = s->gU + (size_t)u * (size_t)k;
            lr__kscale(g, cl2, uu, k);
            gather_axpy(g, s->V, k, ptr[u], ptr[u + 1], idx, s->err);
        }
        s->uerr[u] = se;
        s->usq[u] = (double)lr__kdot(uu, uu, k);
    }
    return LR_OK;
}

/* Artists [b, e): row norms and (grad) the artist gradient rows from the
 * residuals the user pass stored (by artist, so they are read in order). */
LR__HOT static int artist_pass(void *ctx, int tid, size_t b, size_t e)
{
    (void)tid;
    mf_state *s = ctx;
    const int32_t k = s->k;
    const float cl2 = (float)(2.0 * s->l2v);
    for (int32_t a = (int32_t)b; a < (int32_t)e; a++) {
        const float *va = s->V + (size_t)a * (size_t)k;
        if (s->grad) {
            float *g = s->gV + (size_t)a * (size_t)k;
            lr__kscale(g, cl2, va, k);
            gather_axpy(g, s->U, k, s->cptr[a], s->cptr[a + 1], s->cuser, s->errc);
        }
        s->asq[a] = (double)lr__kdot(va, va, k);
    }
    return LR_OK;
}

/* G = AᵀA for A [rows x k] row-major, both triangles filled. */
static void gram(float *G, const float *A, int32_t rows, int32_t k)
{
    cblas_ssyrk(CblasRowMajor, CblasUpper, CblasTrans, k, rows, 1.0f, A, k, 0.0f, G, k);
    for (int32_t i = 0; i < k; i++)
        for (int32_t j = 0; j < i; j++)
            G[(size_t)i * (size_t)k + (size_t)j] = G[(size_t)j * (size_t)k + (size_t)i];
}

/* The gravity value and (grad) its gradient added into gU and gV. */
static double gravity(mf_state *s)
{
    const int32_t k = s->k;
    if (s->gw == 0)
        return 0;
    gram(s->GU, s->U, s->n, k);
    gram(s->GV, s->V, s->m, k);
    double sum = 0;
    for (size_t i = 0; i < (size_t)k * (size_t)k; i++)
        sum += (double)s->GU[i] * (double)s->GV[i];
    if (s->grad) {
        const float c = (float)(2.0 * s->gw);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->n, k, k, c, s->U, k,
                    s->GV, k, 1.0f, s->gU, k);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, s->m, k, k, c, s->V, k,
                    s->GU, k, 1.0f, s->gV, k);
    }
    return s->gw * sum;
}

/* The objective at the current factors, and with grad its full gradient. */
static int full_pass(mf_state *s, int grad, mf_loss *out)
{
    s->grad = grad;
    int rc = lr__parallel_for(s->threads, (size_t)s->n, user_pass, s);
    if (rc == LR_OK)
        rc = lr__parallel_for(s->threads, (size_t)s->m, artist_pass, s);
    if (rc)
        return rc;
    double se = 0, su = 0, sa = 0;
    for (int32_t u = 0; u < s->n; u++) {
        se += s->uerr[u];
        su += s->usq[u];
    }
    for (int32_t a = 0; a < s->m; a++)
        sa += s->asq[a];
    out->observed = se / (double)s->nnz;
    out->l2 = s->l2u * su + s->l2v * sa;
    out->gravity = gravity(s);
    return LR_OK;
}

/* Rows [b, e) of the stacked parameters (users, then artists) take an
 * optimiser step; the optimiser is element-wise, so any split gives the same
 * result. */
static int step_rows(void *ctx, int tid, size_t b, size_t e)
{
    (void)tid;
    mf_state *s = ctx;
    const size_t k = (size_t)s->k, n = (size_t)s->n;
    if (b < n) {
        size_t ue = e < n ? e : n;
        lr__optim_step(&s->opt, s->U + b * k, s->gU + b * k, b * k, (ue - b) * k);
    }
    if (e > n) {
        size_t vb = b > n ? b - n : 0, ve = e - n;
        lr__optim_step(&s->opt, s->V + vb * k, s->gV + vb * k, (n + vb) * k, (ve - vb) * k);
    }
    return LR_OK;
}

static int step(mf_state *s)
{
    return lr__parallel_for(s->threads, (size_t)s->n + (size_t)s->m, step_rows, s);
}

/* One mini-batch step on pairs order[b0, b1) (CSR positions): the exact
 * L2 and gravity gradient plus the batch's mean-squared-error gradient,
 * an unbiased estimate of the observed part's. */
LR__HOT static int batch_step(mf_state *s, const int32_t *order, const int32_t *user_of,
                                 size_t b0, size_t b1)
{
    const int32_t k = s->k;
    const size_t nk = (size_t)s->n * (size_t)k, mk = (size_t)s->m * (size_t)k;
    const float cu = (float)(2.0 * s->l2u), cv = (float)(2.0 * s->l2v);
    for (size_t i = 0; i < nk; i++)
        s->gU[i] = cu * s->U[i];
    for (size_t i = 0; i < mk; i++)
        s->gV[i] = cv * s->V[i];
    s->grad = 1;
    gravity(s);
    const float cerr = (float)(2.0 / (double)(b1 - b0));
    for (size_t i = b0; i < b1; i++) {
        const int64_t p = order[i];
        const int32_t u = user_of[p], a = s->x->idx[p];
        const float *uu = s->U + (size_t)u * (size_t)k, *va = s->V + (size_t)a * (size_t)k;
        const float c = cerr * (lr__kdot(uu, va, k) - s->t[p]);
        lr__kaxpy(s->gU + (size_t)u * (size_t)k, c, va, k);
        lr__kaxpy(s->gV + (size_t)a * (size_t)k, c, uu, k);
    }
    return step(s);
}

static const char *advice(int transform)
{
    if (transform == LR_TRANSFORM_RAW)
        return "lower learning_rate (raw listen counts reach hundreds of thousands, so steps "
               "that suit log1p weights overshoot) or use transform=log1p";
    return "lower learning_rate or raise regularization";
}

/* LR_E_NUMERIC when the factors or the objective stopped being finite. */
static int check(const mf_state *s, const mf_loss *l, uint64_t epoch, int transform)
{
    if (isfinite(l->observed + l->l2 + l->gravity))
        return LR_OK;
    char what[64];
    snprintf(what, sizeof what, "mf: the user factors after epoch %llu", (unsigned long long)epoch);
    int rc = lr__check_finite(s->U, (size_t)s->n * (size_t)s->k, what, advice(transform));
    if (rc)
        return rc;
    snprintf(what, sizeof what, "mf: the artist factors after epoch %llu", (unsigned long long)epoch);
    rc = lr__check_finite(s->V, (size_t)s->m * (size_t)s->k, what, advice(transform));
    if (rc)
        return rc;
    return lr__fail(LR_E_NUMERIC,
                    "mf: the training loss overflowed after epoch %llu (factors beyond float "
                    "range when squared); %s",
                    (unsigned long long)epoch, advice(transform));
}

static int record(lr_model *m, const lr__fit_ctx *ctx, const mf_state *s, const mf_loss *l,
                  uint64_t epoch, uint64_t total, int transform)
{
    int rc = check(s, l, epoch, transform);
    if (rc)
        return rc;
    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    row[LR_HISTORY_LOSS - 1] = l->observed + l->l2 + l->gravity;
    row[LR_HISTORY_LOSS_OBSERVED - 1] = l->observed;
    row[LR_HISTORY_LOSS_L2 - 1] = l->l2;
    row[LR_HISTORY_LOSS_GRAVITY - 1] = l->gravity;
    return lr__history_epoch(m, ctx, row, epoch, total);
}

/* The pairs by artist: offsets, users (ascending), and for each pair in
 * CSR order its position by artist. */
static void by_artist(mf_state *s)
{
    const lr__csr *x = s->x;
    memset(s->cptr, 0, ((size_t)s->m + 1) * sizeof *s->cptr);
    for (int64_t p = 0; p < s->nnz; p++)
        s->cptr[x->idx[p] + 1]++;
    for (int32_t a = 0; a < s->m; a++)
        s->cptr[a + 1] += s->cptr[a];
    /* cptr[a] serves as artist a's fill cursor, which leaves it at the
     * start of artist a + 1: shift back afterwards. */
    for (int32_t u = 0; u < s->n; u++)
        for (int64_t p = x->ptr[u]; p < x->ptr[u + 1]; p++) {
            int64_t q = s->cptr[x->idx[p]]++;
            s->cuser[q] = u;
            s->cpos[p] = q;
        }
    for (int32_t a = s->m; a > 0; a--)
        s->cptr[a] = s->cptr[a - 1];
    s->cptr[0] = 0;
}

static void state_free(mf_state *s)
{
    free(s->t);
    free(s->cptr);
    free(s->cuser);
    free(s->cpos);
    free(s->gU);
    free(s->gV);
    free(s->err);
    free(s->errc);
    free(s->uerr);
    free(s->usq);
    free(s->asq);
    free(s->GU);
    free(s->GV);
    lr__optim_free(&s->opt);
}

/* Everything a pass needs besides the factors: targets, the pairs by
 * artist, gradient and scratch buffers. */
static int state_init(mf_state *s, const lr__csr *x, int transform, int32_t k, double reg,
                      double grav, int threads)
{
    memset(s, 0, sizeof *s);
    s->n = x->rows;
    s->m = x->cols;
    s->k = k;
    s->nnz = x->nnz;
    s->x = x;
    s->threads = threads;
    s->l2u = reg / (double)s->n;
    s->l2v = reg / (double)s->m;
    s->gw = grav / ((double)s->n * (double)s->m);
    if (x->nnz > INT32_MAX)
        return lr__fail(LR_E_INVALID, "mf: more than 2^31 listens");
    if (transform == LR_TRANSFORM_BM25)
        return lr__fail(LR_E_INVALID, "mf: transform bm25 is for als; use raw, log1p or binary");
    const size_t nk = (size_t)s->n * (size_t)k, mk = (size_t)s->m * (size_t)k;
    const size_t kk = (size_t)k * (size_t)k, nnz = (size_t)s->nnz;
    s->gU = lr__malloc(nk, sizeof(float));
    s->gV = lr__malloc(mk, sizeof(float));
    s->t = lr__malloc(nnz, sizeof(float));
    s->err = lr__malloc(nnz, sizeof(float));
    s->errc = lr__malloc(nnz, sizeof(float));
    s->cptr = lr__malloc((size_t)s->m + 1, sizeof(int64_t));
    s->cuser = lr__malloc(nnz, sizeof(int32_t));
    s->cpos = lr__malloc(nnz, sizeof(int64_t));
    s->uerr = lr__malloc((size_t)s->n, sizeof(double));
    s->usq = lr__malloc((size_t)s->n, sizeof(double));
    s->asq = lr__malloc((size_t)s->m, sizeof(double));
    s->GU = lr__malloc(kk, sizeof(float));
    s->GV = lr__malloc(kk, sizeof(float));
    if (!s->gU || !s->gV || !s->t || !s->err || !s->errc || !s->cptr || !s->cuser || !s->cpos || !s->uerr ||
        !s->usq || !s->asq || !s->GU || !s->GV)
        return lr__fail_oom("mf's gradients and residuals");
    for (size_t p = 0; p < nnz; p++)
        s->t[p] = lr__transform(transform, x->val[p]);
    by_artist(s);
    return LR_OK;
}

int lr__mf_objective(const lr__csr *x, int transform, int32_t k, double reg, double grav,
                     const float *U, const float *V, float *gU, float *gV, double parts[3],
                     int threads)
{
    mf_state s;
    int rc = state_init(&s, x, transform, k, reg, grav, threads);
    mf_loss l = {0, 0, 0};
    if (rc == LR_OK) {
        /* the passes only read the factors */
        s.U = (float *)U;
        s.V = (float *)V;
        rc = full_pass(&s, 1, &l);
    }
    if (rc == LR_OK) {
        memcpy(gU, s.gU, (size_t)s.n * (size_t)k * sizeof(float));
        memcpy(gV, s.gV, (size_t)s.m * (size_t)k * sizeof(float));
        parts[0] = l.observed;
        parts[1] = l.l2;
        parts[2] = l.gravity;
    }
    state_free(&s);
    return rc;
}

static int train(lr_model *m, const lr__fit_ctx *ctx, mf_state *s)
{
    const lr_options *o = &m->opts;
    const int transform = (int)lr__opt_int(o, LR_OPT_TRANSFORM);
    const uint64_t epochs = (uint64_t)lr__opt_int(o, LR_OPT_EPOCHS);
    const int64_t batch = lr__opt_int(o, LR_OPT_BATCH_SIZE);
    const double init = lr__opt_double(o, LR_OPT_INIT_SCALE);
    const uint64_t seed = (uint64_t)lr__opt_int(o, LR_OPT_SEED);

    if (!(init > 0))
        return lr__fail(LR_E_INVALID,
                        "mf: init_scale must be positive (all-zero factors have a zero gradient "
                        "and never move)");
    int rc = state_init(s, &m->train, transform, m->k, lr__opt_double(o, LR_OPT_REGULARIZATION),
                        lr__opt_double(o, LR_OPT_GRAVITY), lr__opt_threads(o));
    if (rc)
        return rc;
    const size_t nk = (size_t)s->n * (size_t)s->k, mk = (size_t)s->m * (size_t)s->k;
    const size_t nnz = (size_t)s->nnz;
    m->user_f = s->U = lr__malloc(nk, sizeof(float));
    m->artist_f = s->V = lr__malloc(mk, sizeof(float));
    if (!s->U || !s->V)
        return lr__fail_oom("the user and artist factors");
    /* Adagrad's accumulators start near zero, not at the usual 0.1: the
     * gradients of a mean over |Ω| pairs are around 1e-5, and a 0.1 start
     * would swamp them and turn Adagrad into slow SGD.  1e-30 only keeps a
     * zero gradient's step at 0 when epsilon is 0. */
    rc = lr__optim_init(&s->opt, (int)lr__opt_int(o, LR_OPT_OPTIMIZER),
                        (float)lr__opt_double(o, LR_OPT_LEARNING_RATE),
                        (float)lr__opt_double(o, LR_OPT_EPSILON), 1e-30f, nk + mk);
    if (rc) {
        lr__error_prefix("mf");
        return rc;
    }

    lr__rng rng;
    lr__rng_seed(&rng, seed);
    for (size_t i = 0; i < nk; i++)
        s->U[i] = (float)(init * lr__rng_normal(&rng));
    for (size_t i = 0; i < mk; i++)
        s->V[i] = (float)(init * lr__rng_normal(&rng));

    mf_loss l;
    if (batch <= 0 || (uint64_t)batch >= nnz) {
        /* Full batch: the pass that computes epoch e's gradient also gives
         * the objective after epoch e - 1, so each epoch is recorded when
         * the next one starts, with the factors that produced it. */
        for (uint64_t e = 1; e <= epochs; e++) {
            if ((rc = full_pass(s, 1, &l)))
                return rc;
            if (e > 1 && (rc = record(m, ctx, s, &l, e - 1, epochs, transform)))
                return rc;
            if (e == 1 && (rc = check(s, &l, 0, transform)))
                return rc;
            if ((rc = step(s)))
                return rc;
        }
        if ((rc = full_pass(s, 0, &l)))
            return rc;
        return record(m, ctx, s, &l, epochs, epochs, transform);
    }

    /* Mini-batches over pairs shuffled each epoch. */
    int32_t *order = lr__malloc(nnz, sizeof(int32_t));
    int32_t *user_of = lr__malloc(nnz, sizeof(int32_t));
    if (!order || !user_of) {
        free(order);
        free(user_of);
        return lr__fail_oom("mf's shuffled pairs");
    }
    for (int32_t u = 0; u < s->n; u++)
        for (int64_t p = s->x->ptr[u]; p < s->x->ptr[u + 1]; p++)
            user_of[p] = u;
    for (size_t p = 0; p < nnz; p++)
        order[p] = (int32_t)p;
    for (uint64_t e = 1; e <= epochs && rc == LR_OK; e++) {
        lr__rng_shuffle_i32(&rng, order, nnz);
        for (size_t b0 = 0; b0 < nnz && rc == LR_OK; b0 += (size_t)batch) {
            size_t b1 = b0 + (size_t)batch < nnz ? b0 + (size_t)batch : nnz;
            rc = batch_step(s, order, user_of, b0, b1);
        }
        if (rc == LR_OK)
            rc = full_pass(s, 0, &l);
        if (rc == LR_OK)
            rc = record(m, ctx, s, &l, e, epochs, transform);
    }
    free(order);
    free(user_of);
    return rc;
}

static int mf_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    /* mini-batches update only their pairs' rows: Adam's moments of the rows no pair
     * touched would go stale (its sparse variants are another algorithm) */
    if (lr__opt_int(&m->opts, LR_OPT_OPTIMIZER) == LR_OPTIMIZER_ADAM)
        return lr__fail(LR_E_INVALID, "mf: optimizer adam is softmax's; use sgd or adagrad");
    mf_state s;
    memset(&s, 0, sizeof s);
    m->k = (int32_t)lr__opt_int(&m->opts, LR_OPT_FACTORS);
    int rc = train(m, ctx, &s);
    state_free(&s);
    return rc;
}

const lr__algo lr__algo_mf = {LR_ALGO_MF, "mf", mf_defaults, mf_fit};
