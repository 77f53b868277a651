/* Bayesian personalised ranking (Rendle et al. 2009) by SGD or Adagrad over
 * sampled (user, listened artist, unlistened artist) triplets.
 * SPDX-License-Identifier: MIT
 *
 * Per triplet (u, i, j) with x = U_u·(V_i − V_j) + b_i − b_j the loss is
 *
 *   −log σ(x) + λ/2 (‖U_u‖² + ‖V_i‖² + ‖V_j‖² + b_i² + b_j²)
 *
 * (so λ is the coefficient of the usual "− λθ" in each update); b exists
 * only with LR_OPT_ITEM_BIAS.  (u, i) is drawn uniformly from the training
 * pairs and j uniformly from the artists u has not listened to (a draw that
 * hits a listened artist is redrawn), LR_OPT_NEGATIVES times per pair; an
 * epoch draws as many pairs as there are in training.
 *
 * Threads: with one thread the fit is deterministic.  With T > 1 each
 * thread draws from its own contiguous share of the pairs (so, users being
 * contiguous in CSR order, it owns its users' rows) with its own RNG
 * stream, and all threads update the shared artist rows without locks
 * (Hogwild, Recht et al. 2011): rare lost updates on an artist row cost
 * nothing measurable, but the result then depends on thread timing.
 */
#include "model/bpr.h"
#include "model/kernels.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"
#include "optim/optim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bpr_state {
    int32_t n, m, k;
    int64_t nnz;
    const lr__csr *x;   /* training listens, CSR by user */
    struct { int32_t u, i; } *pairs; /* [nnz] (user, artist), one load per draw */
    float *U, *V, *b;   /* b NULL without item bias */
    float lr, reg;
    int negatives;
    int adagrad;
    lr__optim opt;      /* Adagrad state: U, then V, then b */
    lr__rng *rng;       /* [2 x threads] position and negative streams per worker */
    double *loss;       /* [threads] −log σ summed over the epoch */
    uint64_t *drawn;    /* [threads] triplets of the epoch */
    int32_t *negs;      /* [threads x BPR_DEPTH x negatives] drawn negatives */
    float *scratch;     /* [threads x 3k] Adagrad gradients */
} bpr_state;

/* Chosen on the dev split (docs/models.md). */
static void bpr_defaults(lr_options *o)
{
    lr__opt_default_int(o, LR_OPT_FACTORS, 64);
    lr__opt_default_int(o, LR_OPT_EPOCHS, 100);
    lr__opt_default_double(o, LR_OPT_LEARNING_RATE, 0.05);
    lr__opt_default_int(o, LR_OPT_OPTIMIZER, LR_OPTIMIZER_SGD);
    lr__opt_default_double(o, LR_OPT_REGULARIZATION, 0.01);
    lr__opt_default_double(o, LR_OPT_INIT_SCALE, 0.01);
    lr__opt_default_int(o, LR_OPT_NEGATIVES, 1);
    lr__opt_default_int(o, LR_OPT_ITEM_BIAS, 1);
}

/* The SGD step θ −= lr·g on the three rows, fused with the gradient.  The
 * arithmetic is lr__optim_step's (p -= lr * g), written here because a
 * call per row per triplet would cost as much as the rest of the triplet;
 * the rows are distinct (i is listened, j is not), hence restrict.  The
 * update is element-wise, so vectorising it does not change the result. */
LR__KINLINE void sgd_rows(float *restrict u, float *restrict vi, float *restrict vj,
                            float z, float lr, float reg, int32_t k)
{
    int32_t f = 0;
#ifdef LR__KVEC
    for (; f + 16 <= k; f += 16) {
        lr__k16 uf, a, b;
        memcpy(&uf, u + f, sizeof uf);
        memcpy(&a, vi + f, sizeof a);
        memcpy(&b, vj + f, sizeof b);
        const lr__k16 nu = uf - lr * (reg * uf - z * (a - b));
        const lr__k16 na = a - lr * (reg * a - z * uf);
        const lr__k16 nb = b - lr * (reg * b + z * uf);
        memcpy(u + f, &nu, sizeof nu);
        memcpy(vi + f, &na, sizeof na);
        memcpy(vj + f, &nb, sizeof nb);
    }
    for (; f + 4 <= k; f += 4) {
        lr__k4 uf, a, b;
        memcpy(&uf, u + f, sizeof uf);
        memcpy(&a, vi + f, sizeof a);
        memcpy(&b, vj + f, sizeof b);
        const lr__k4 nu = uf - lr * (reg * uf - z * (a - b));
        const lr__k4 na = a - lr * (reg * a - z * uf);
        const lr__k4 nb = b - lr * (reg * b + z * uf);
        memcpy(u + f, &nu, sizeof nu);
        memcpy(vi + f, &na, sizeof na);
        memcpy(vj + f, &nb, sizeof nb);
    }
#endif
    for (; f < k; f++) {
        const float uf = u[f], a = vi[f], b = vj[f];
        u[f] = uf - lr * (reg * uf - z * (a - b));
        vi[f] = a - lr * (reg * a - z * uf);
        vj[f] = b - lr * (reg * b + z * uf);
    }
}

/* 1 when u listened to j.  A draw is a listened artist only about once in
 * 400 times on HetRec, so this is nearly always a full search of u's
 * sorted row (prefetched by the pipeline).  Rows of up to 256 listens
 * (all of HetRec's, which keeps a user's 50 top artists) are compared 16
 * at a time, the last block overlapping the one before, with no chain of
 * dependent loads; longer rows are binary-searched. */
LR__KINLINE int listened(const lr__csr *x, int32_t u, int32_t j)
{
    const int32_t *row = x->idx + x->ptr[u];
    int64_t n = x->ptr[u + 1] - x->ptr[u];
#ifdef LR__KVEC
    typedef int32_t i16 __attribute__((vector_size(64)));
    if (n >= 16 && n <= 256) {
        i16 hit = {0}, r;
        int64_t f = 0;
        for (; f + 16 <= n; f += 16) {
            memcpy(&r, row + f, sizeof r);
            hit |= r == j;
        }
        if (f < n) {
            memcpy(&r, row + n - 16, sizeof r);
            hit |= r == j;
        }
        int any = 0;
        for (int l = 0; l < 16; l++)
            any |= hit[l];
        return any != 0;
    }
#endif
    if (n == 0)
        return 0;
    while (n > 1) {
        const int64_t half = n / 2;
        row = row[half] <= j ? row + half : row;
        n -= half;
    }
    return *row == j;
}

/* A uniformly drawn artist that u has not listened to; the caller makes sure
 * one exists. */
LR__KINLINE int32_t draw_negative(const lr__csr *x, lr__rng *r, int32_t u)
{
    for (;;) {
        int32_t j = (int32_t)lr__rng_below(r, (uint64_t)x->cols);
        if (!listened(x, u, j))
            return j;
    }
}

int32_t lr__bpr_draw_negative(const lr__csr *x, lr__rng *r, int32_t u)
{
    if (x->ptr[u + 1] - x->ptr[u] >= x->cols)
        return -1;
    return draw_negative(x, r, u);
}

/* The epoch's Σ −log σ(x) = Σ max(−x, 0) + Σ log(1 + e^−|x|): the second
 * sum is taken as the log of a product, one log per BPR_LOG_CHUNK triplets
 * instead of one per triplet (each factor is in (1, 2], so the product of
 * 512 stays far inside double range). */
#define BPR_LOG_CHUNK 512

typedef struct loss_acc {
    double hinge, logs, prod;
    int n;
} loss_acc;

static inline void loss_add(loss_acc *a, float x, float ex)
{
    a->hinge += x >= 0 ? 0.0 : -(double)x;
    a->prod *= 1.0 + (double)ex;
    if (++a->n == BPR_LOG_CHUNK) {
        a->logs += log(a->prod);
        a->prod = 1.0;
        a->n = 0;
    }
}

static inline double loss_total(const loss_acc *a)
{
    return a->hinge + a->logs + log(a->prod);
}

/* One triplet; its −log σ(x) at the parameters before the step goes to acc. */
LR__KINLINE void triplet(bpr_state *s, float *scratch, loss_acc *acc, int32_t u, int32_t i,
                         int32_t j)
{
    const int32_t k = s->k;
    float *uu = s->U + (size_t)u * (size_t)k;
    float *vi = s->V + (size_t)i * (size_t)k;
    float *vj = s->V + (size_t)j * (size_t)k;
    float x = lr__kdot_diff(uu, vi, vj, k);
    if (s->b)
        x += s->b[i] - s->b[j];
    /* z = σ(−x) = −d(−log σ(x))/dx; one exp serves both it and the loss */
    const float ex = expf(-fabsf(x));
    const float z = x >= 0 ? ex / (1.0f + ex) : 1.0f / (1.0f + ex);
    loss_add(acc, x, ex);
    if (!s->adagrad) {
        sgd_rows(uu, vi, vj, z, s->lr, s->reg, k);
        if (s->b) {
            s->b[i] -= s->lr * (s->reg * s->b[i] - z);
            s->b[j] -= s->lr * (s->reg * s->b[j] + z);
        }
        return;
    }
    float *gu = scratch, *gi = scratch + k, *gj = scratch + 2 * k;
    for (int32_t f = 0; f < k; f++) {
        gu[f] = s->reg * uu[f] - z * (vi[f] - vj[f]);
        gi[f] = s->reg * vi[f] - z * uu[f];
        gj[f] = s->reg * vj[f] + z * uu[f];
    }
    const size_t nk = (size_t)s->n * (size_t)k, mk = (size_t)s->m * (size_t)k;
    lr__optim_step(&s->opt, uu, gu, (size_t)u * (size_t)k, (size_t)k);
    lr__optim_step(&s->opt, vi, gi, nk + (size_t)i * (size_t)k, (size_t)k);
    lr__optim_step(&s->opt, vj, gj, nk + (size_t)j * (size_t)k, (size_t)k);
    if (s->b) {
        float gb[2] = {s->reg * s->b[i] - z, s->reg * s->b[j] + z};
        lr__optim_step(&s->opt, s->b + i, gb, nk + mk + (size_t)i, 1);
        lr__optim_step(&s->opt, s->b + j, gb + 1, nk + mk + (size_t)j, 1);
    }
}

static inline void prefetch(const void *p)
{
#if defined(__GNUC__)
    __builtin_prefetch(p);
#else
    (void)p;
#endif
}

static inline void prefetch_row(const float *p, int32_t k)
{
    for (int32_t f = 0; f < k; f += 16)
        prefetch(p + f);
}

/* A pair on its way through the pipeline of epoch_worker. */
typedef struct slot {
    int64_t p;  /* position of the pair */
    int32_t u, i;
    int ok;     /* 0 when u listened to every artist: no negative exists */
    int32_t *j; /* [negatives] */
} slot;

/* Iterations between the stages of a pair (see epoch_worker): enough for
 * a fetch from memory to land while other pairs are worked on. */
#define BPR_LAG 2
#define BPR_DEPTH (3 * BPR_LAG + 1)

/* Worker tid draws (end − begin) pairs from its share [begin, end).  The
 * rows a triplet touches are scattered over matrices larger than the
 * cache, so each pair goes through four stages, BPR_LAG iterations apart,
 * and every stage prefetches what the next one reads: draw the position
 * (fetch the pair), read the pair (fetch the user row, the artist row and
 * the user's listens), draw the negatives (fetch their rows), update.  The
 * positions and the negatives come from two RNG streams of their own, so
 * the triplets do not depend on the pipeline's depth. */
LR__HOT static int epoch_worker(void *ctx, int tid, size_t begin, size_t end)
{
    bpr_state *s = ctx;
    /* the streams live on this thread's stack while it works: in the
     * shared array, two workers' states can share a cache line, and every
     * draw writes its state */
    lr__rng pos_rng = s->rng[2 * tid], neg_rng = s->rng[2 * tid + 1];
    lr__rng *rp = &pos_rng, *rn = &neg_rng;
    const int32_t k = s->k;
    float *scratch = s->scratch ? s->scratch + (size_t)tid * 3 * (size_t)k : NULL;
    slot ring[BPR_DEPTH];
    for (int d = 0; d < BPR_DEPTH; d++)
        ring[d].j = s->negs + ((size_t)tid * BPR_DEPTH + (size_t)d) * (size_t)s->negatives;
    const uint64_t share = end - begin;
    loss_acc acc = {0, 0, 1.0, 0};
    uint64_t drawn = 0;
    for (uint64_t t = 0; t < share + 3 * BPR_LAG; t++) {
        if (t < share) {
            slot *a = &ring[t % BPR_DEPTH];
            a->p = (int64_t)begin + (int64_t)lr__rng_below(rp, share);
            prefetch(&s->pairs[a->p]);
        }
        if (t >= BPR_LAG && t - BPR_LAG < share) {
            slot *b = &ring[(t - BPR_LAG) % BPR_DEPTH];
            b->u = s->pairs[b->p].u;
            b->i = s->pairs[b->p].i;
            const int64_t r0 = s->x->ptr[b->u], r1 = s->x->ptr[b->u + 1];
            b->ok = r1 - r0 < s->m;
            for (int64_t q = r0; q < r1; q += 16)
                prefetch(s->x->idx + q);
            prefetch_row(s->U + (size_t)b->u * (size_t)k, k);
            prefetch_row(s->V + (size_t)b->i * (size_t)k, k);
        }
        if (t >= 2 * BPR_LAG && t - 2 * BPR_LAG < share) {
            slot *c = &ring[(t - 2 * BPR_LAG) % BPR_DEPTH];
            for (int q = 0; c->ok && q < s->negatives; q++) {
                c->j[q] = draw_negative(s->x, rn, c->u);
                prefetch_row(s->V + (size_t)c->j[q] * (size_t)k, k);
            }
        }
        if (t >= 3 * BPR_LAG) {
            const slot *d = &ring[(t - 3 * BPR_LAG) % BPR_DEPTH];
            if (!d->ok)
                continue;
            for (int q = 0; q < s->negatives; q++)
                triplet(s, scratch, &acc, d->u, d->i, d->j[q]);
            drawn += (uint64_t)s->negatives;
        }
    }
    s->rng[2 * tid] = pos_rng;
    s->rng[2 * tid + 1] = neg_rng;
    s->loss[tid] = loss_total(&acc);
    s->drawn[tid] = drawn;
    return LR_OK;
}

/* The expected L2 term of a triplet under the sampling distribution (u, i
 * uniform over pairs, j uniform over u's unlistened artists), before λ/2. */
static double l2_sum(const bpr_state *s, double *asq)
{
    const int32_t k = s->k;
    const double w = 1.0 / (double)s->nnz;
    double total = 0, all = 0;
    for (int32_t a = 0; a < s->m; a++) {
        const float *v = s->V + (size_t)a * (size_t)k;
        asq[a] = (double)lr__kdot(v, v, k) + (s->b ? (double)s->b[a] * s->b[a] : 0.0);
        all += asq[a];
    }
    for (int32_t u = 0; u < s->n; u++) {
        const int64_t nu = s->x->ptr[u + 1] - s->x->ptr[u];
        if (nu == 0 || nu >= s->m)
            continue;
        const float *uu = s->U + (size_t)u * (size_t)k;
        double pos = 0;
        for (int64_t p = s->x->ptr[u]; p < s->x->ptr[u + 1]; p++)
            pos += asq[s->x->idx[p]];
        total += (double)nu * w *
                 ((double)lr__kdot(uu, uu, k) + pos / (double)nu + (all - pos) / (double)(s->m - nu));
    }
    return total;
}

static int check(const bpr_state *s, double value, uint64_t epoch)
{
    if (isfinite(value))
        return LR_OK;
    static const char advice[] = "lower learning_rate or raise regularization";
    char what[64];
    snprintf(what, sizeof what, "bpr: the user factors after epoch %llu", (unsigned long long)epoch);
    int rc = lr__check_finite(s->U, (size_t)s->n * (size_t)s->k, what, advice);
    if (rc == LR_OK) {
        snprintf(what, sizeof what, "bpr: the artist factors after epoch %llu",
                 (unsigned long long)epoch);
        rc = lr__check_finite(s->V, (size_t)s->m * (size_t)s->k, what, advice);
    }
    if (rc == LR_OK && s->b) {
        snprintf(what, sizeof what, "bpr: the artist biases after epoch %llu",
                 (unsigned long long)epoch);
        rc = lr__check_finite(s->b, (size_t)s->m, what, advice);
    }
    if (rc == LR_OK)
        rc = lr__fail(LR_E_NUMERIC, "bpr: the training loss overflowed after epoch %llu; %s",
                      (unsigned long long)epoch, advice);
    return rc;
}

static int train(lr_model *m, const lr__fit_ctx *ctx, bpr_state *s, int threads)
{
    const lr_options *o = &m->opts;
    const uint64_t epochs = (uint64_t)lr__opt_int(o, LR_OPT_EPOCHS);
    const double init = lr__opt_double(o, LR_OPT_INIT_SCALE);
    const uint64_t seed = (uint64_t)lr__opt_int(o, LR_OPT_SEED);
    const size_t nk = (size_t)s->n * (size_t)s->k, mk = (size_t)s->m * (size_t)s->k;
    const size_t nnz = (size_t)s->nnz;

    if (!(init > 0))
        return lr__fail(LR_E_INVALID,
                        "bpr: init_scale must be positive (all-zero factors have a zero gradient "
                        "and never move)");
    m->user_f = s->U = lr__malloc(nk, sizeof(float));
    m->artist_f = s->V = lr__malloc(mk, sizeof(float));
    if (lr__opt_int(o, LR_OPT_ITEM_BIAS))
        m->artist_bias = s->b = lr__calloc((size_t)s->m, sizeof(float));
    s->pairs = lr__malloc(nnz, sizeof *s->pairs);
    s->rng = lr__malloc((size_t)threads * 2, sizeof(lr__rng));
    s->loss = lr__calloc((size_t)threads, sizeof(double));
    s->drawn = lr__calloc((size_t)threads, sizeof(uint64_t));
    s->negs = lr__malloc((size_t)threads * BPR_DEPTH, (size_t)s->negatives * sizeof(int32_t));
    double *asq = lr__malloc((size_t)s->m, sizeof(double));
    if (!s->U || !s->V || (lr__opt_int(o, LR_OPT_ITEM_BIAS) && !s->b) || !s->pairs || !s->rng ||
        !s->loss || !s->drawn || !s->negs || !asq) {
        free(asq);
        return lr__fail_oom();
    }
    int rc = LR_OK;
    if (s->adagrad) {
        s->scratch = lr__malloc((size_t)threads * 3, (size_t)s->k * sizeof(float));
        if (!s->scratch) {
            free(asq);
            return lr__fail_oom();
        }
        rc = lr__optim_init(&s->opt, LR_OPTIMIZER_ADAGRAD, s->lr,
                            (float)lr__opt_double(o, LR_OPT_EPSILON), 0.1f,
                            nk + mk + (s->b ? (size_t)s->m : 0));
        if (rc) {
            lr__error_prefix("bpr");
            free(asq);
            return rc;
        }
    }

    lr__rng rng;
    lr__rng_seed(&rng, seed);
    for (size_t i = 0; i < nk; i++)
        s->U[i] = (float)(init * lr__rng_normal(&rng));
    for (size_t i = 0; i < mk; i++)
        s->V[i] = (float)(init * lr__rng_normal(&rng));
    /* streams 1.. so that no worker repeats the initialisation's numbers */
    for (int t = 0; t < 2 * threads; t++)
        lr__rng_seed_stream(&s->rng[t], seed, (uint64_t)t + 1);
    for (int32_t u = 0; u < s->n; u++)
        for (int64_t p = s->x->ptr[u]; p < s->x->ptr[u + 1]; p++) {
            s->pairs[p].u = u;
            s->pairs[p].i = s->x->idx[p];
        }

    for (uint64_t e = 1; e <= epochs && rc == LR_OK; e++) {
        rc = lr__parallel_for(threads, nnz, epoch_worker, s);
        if (rc)
            break;
        double loss = 0;
        uint64_t drawn = 0;
        for (int t = 0; t < threads; t++) {
            loss += s->loss[t];
            drawn += s->drawn[t];
        }
        const double l2sum = l2_sum(s, asq);
        if ((rc = check(s, loss + l2sum, e)))
            break;
        double row[LR__HIST_FIELDS];
        lr__history_row_init(row);
        row[LR_HISTORY_LOSS_OBSERVED - 1] = drawn ? loss / (double)drawn : 0.0;
        row[LR_HISTORY_LOSS_L2 - 1] = 0.5 * (double)s->reg * l2sum;
        row[LR_HISTORY_LOSS - 1] = row[LR_HISTORY_LOSS_OBSERVED - 1] + row[LR_HISTORY_LOSS_L2 - 1];
        rc = lr__history_epoch(m, ctx, row, e, epochs);
    }
    free(asq);
    return rc;
}

static int bpr_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr__csr *x = &m->train;
    const lr_options *o = &m->opts;
    bpr_state s = {
        .n = m->n_users,
        .m = m->n_artists,
        .k = (int32_t)lr__opt_int(o, LR_OPT_FACTORS),
        .nnz = x->nnz,
        .x = x,
        .lr = (float)lr__opt_double(o, LR_OPT_LEARNING_RATE),
        .reg = (float)lr__opt_double(o, LR_OPT_REGULARIZATION),
        .negatives = (int)lr__opt_int(o, LR_OPT_NEGATIVES),
        .adagrad = lr__opt_int(o, LR_OPT_OPTIMIZER) == LR_OPTIMIZER_ADAGRAD,
    };
    m->k = s.k;
    if (s.m < 2)
        return lr__fail(LR_E_INVALID, "bpr: needs at least two artists to rank");
    int threads = lr__opt_threads(o);
    if ((int64_t)threads > x->nnz)
        threads = (int)x->nnz;
    int rc = train(m, ctx, &s, threads);
    free(s.pairs);
    free(s.rng);
    free(s.loss);
    free(s.drawn);
    free(s.negs);
    free(s.scratch);
    lr__optim_free(&s.opt);
    return rc;
}

const lr__algo lr__algo_bpr = {LR_ALGO_BPR, "bpr", bpr_defaults, bpr_fit};
