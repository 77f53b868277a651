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
 * Threads: the same seed and thread count T give the same model bit for
 * bit, with SGD or Adagrad.  Default threads=0 (all cores) therefore ties
 * the model to the machine's core count; set threads for a model that is
 * reproducible anywhere.  With T = 1 the fit is the sampler above, and its
 * two RNG streams are those it has always used: the model is bit for bit
 * the one of earlier versions.  With T > 1 it is a stratified SGD (DSGD,
 * Gemulla et al. 2011; LIBMF's blocks) instead of the earlier lock-free
 * updates of shared rows (Hogwild), which depended on thread timing and,
 * with every bias line written by both threads, made two threads slower
 * than one:
 *
 * - users are cut once into T contiguous shards of about nnz / T listens;
 *   worker t always owns user shard t;
 * - every epoch the artists are shuffled afresh (stream 0 of the seed, so
 *   that any two artists can meet as positive and negative) and cut into T
 *   shards of about nnz / T listens;
 * - an epoch is T sub-epochs; in sub-epoch s worker t runs block (user
 *   shard t, artist shard (t + s) mod T): as many draws as the block has
 *   pairs, (u, i) uniform over them, j uniform over the shard's artists u
 *   has not listened to (a user who listened to all of them is skipped);
 * - workers of a sub-epoch never touch the same user row, artist row, bias
 *   or Adagrad accumulator, so nothing is locked and no update is lost;
 * - each block has two RNG streams seeded from (seed, block) that run on
 *   from epoch to epoch (a block runs once an epoch at a fixed place in
 *   the schedule, so this is as independent of timing as streams drawn
 *   from (seed, epoch, block), and T = 1 keeps its streams), and its own
 *   loss sum; the sums are added in block order.
 *
 * How the threads meet, and what keeps them off each other's cache lines,
 * is said where it is done (lib/core/team.h, biases_to_positions,
 * aligned_floats).
 */
#include "model/bpr.h"
#include "model/kernels.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/team.h"
#include "core/threads.h"
#include "optim/optim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct bpr_pair { int32_t u, i; } bpr_pair;

typedef struct bpr_state {
    int32_t n, m, k;
    int64_t nnz;
    const lr__csr *x;
    bpr_pair *pairs;    /* [nnz] (user, artist) in CSR order, one load per draw */
    float *U, *V, *b;   /* b NULL without item bias */
    float *bw;          /* b by position in perm during an epoch (= b when T = 1) */
    float *tmp;         /* [m] for permuting the biases and their accumulators */
    float lr, reg;
    int negatives;
    int adagrad;
    lr__optim opt;      /* Adagrad state: U, then V, then b */
    int threads;        /* T: T user shards, T artist shards, T x T blocks */
    int sub;            /* the sub-epoch, for the fork-join fallback */
    int32_t *ushard;    /* [T + 1] first user of each user shard */
    int32_t *ashard;    /* [T + 1] first position in perm of each artist shard */
    int32_t *perm;      /* [m] the artists, shard by shard (the identity when T = 1) */
    uint16_t *shard_of; /* [m] an artist's shard this epoch (T <= 1024: fits, and stays in L1) */
    int32_t *pos;       /* [m] an artist's position in perm */
    int32_t *fans;      /* [m] an artist's training listeners, for balancing */
    bpr_pair *block;    /* [nnz] the pairs block by block (= pairs when T = 1) */
    int64_t *boff;      /* [T x (T + 1)] the bounds of worker t's blocks in block, from t(T + 1) */
    lr__rng shuffle;    /* draws each epoch's artist shards */
    lr__rng *rng;       /* [2 x T^2] position and negative streams per block */
    double *loss;       /* [T^2] −log σ summed over the block's triplets */
    double *asq, *usq;  /* [m], [n] ‖V_a‖² + b_a², ‖U_u‖² at the end of the epoch */
    uint64_t *drawn;    /* [T^2] triplets of the block */
    int32_t *negs;      /* [T x BPR_DEPTH x 2 negatives] drawn negatives and positions */
    float *scratch;     /* [T x 3k] Adagrad gradients */
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

/* The index in artists[0 .. count) of a uniformly drawn artist that u has
 * not listened to; the caller makes sure one exists.  With the whole
 * catalogue in order (one thread) the draw is the plain below(M) the fit
 * always made. */
LR__KINLINE int32_t draw_negative(const lr__csr *x, lr__rng *r, int32_t u,
                                  const int32_t *artists, int32_t count)
{
    for (;;) {
        const int32_t at = (int32_t)lr__rng_below(r, (uint64_t)count);
        if (!listened(x, u, artists[at]))
            return at;
    }
}

/* How many of u's listens fall in artist shard a. */
static int64_t listens_in_shard(const bpr_state *s, int32_t u, int32_t a)
{
    int64_t c = 0;
    for (int64_t p = s->x->ptr[u]; p < s->x->ptr[u + 1]; p++)
        c += s->shard_of[s->x->idx[p]] == a;
    return c;
}

/* 1 when shard a has an artist u has not listened to.  A HetRec user has
 * at most 50 listens and a shard thousands of artists, so the count is
 * almost never needed. */
static inline int has_negative(const bpr_state *s, int32_t u, int32_t a)
{
    const int64_t size = s->ashard[a + 1] - s->ashard[a];
    const int64_t nu = s->x->ptr[u + 1] - s->x->ptr[u];
    return nu < size || listens_in_shard(s, u, a) < size;
}

int32_t lr__bpr_draw_negative_in(const lr__csr *x, lr__rng *r, int32_t u, const int32_t *artists,
                                 int32_t count)
{
    const int32_t *row = x->idx + x->ptr[u];
    const int64_t nu = x->ptr[u + 1] - x->ptr[u];
    int32_t free_artists = 0;
    for (int32_t q = 0; q < count && free_artists == 0; q++) {
        int32_t lo = 0, hi = (int32_t)nu;
        while (lo < hi) {
            const int32_t mid = lo + (hi - lo) / 2;
            if (row[mid] < artists[q])
                lo = mid + 1;
            else
                hi = mid;
        }
        free_artists += lo == nu || row[lo] != artists[q];
    }
    if (free_artists == 0)
        return -1;
    return artists[draw_negative(x, r, u, artists, count)];
}

int32_t lr__bpr_draw_negative(const lr__csr *x, lr__rng *r, int32_t u)
{
    if (x->ptr[u + 1] - x->ptr[u] >= x->cols)
        return -1;
    for (;;) {
        int32_t j = (int32_t)lr__rng_below(r, (uint64_t)x->cols);
        if (!listened(x, u, j))
            return j;
    }
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
                         int32_t j, int32_t pi, int32_t pj)
{
    float *b = s->b ? s->bw : NULL; /* artist a's bias is b[pos[a]] */
    const int32_t k = s->k;
    float *uu = s->U + (size_t)u * (size_t)k;
    float *vi = s->V + (size_t)i * (size_t)k;
    float *vj = s->V + (size_t)j * (size_t)k;
    float x = lr__kdot_diff(uu, vi, vj, k);
    if (b)
        x += b[pi] - b[pj];
    /* z = σ(−x) = −d(−log σ(x))/dx; one exp serves both it and the loss */
    const float ex = expf(-fabsf(x));
    const float z = x >= 0 ? ex / (1.0f + ex) : 1.0f / (1.0f + ex);
    loss_add(acc, x, ex);
    if (!s->adagrad) {
        sgd_rows(uu, vi, vj, z, s->lr, s->reg, k);
        if (b) {
            b[pi] -= s->lr * (s->reg * b[pi] - z);
            b[pj] -= s->lr * (s->reg * b[pj] + z);
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
    if (b) {
        float gb[2] = {s->reg * b[pi] - z, s->reg * b[pj] + z};
        lr__optim_step(&s->opt, b + pi, gb, nk + mk + (size_t)pi, 1);
        lr__optim_step(&s->opt, b + pj, gb + 1, nk + mk + (size_t)pj, 1);
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

/* A pair on its way through the pipeline of run_block. */
typedef struct slot {
    int64_t p;  /* position of the pair */
    int32_t u, i, pi; /* pi: i's position in perm */
    int ok;     /* 0 when u listened to every artist of the shard */
    int32_t *j; /* [2 x negatives] the negatives, then their positions */
} slot;

/* Iterations between the stages of a pair (see run_block): enough for a
 * fetch from memory to land while other pairs are worked on. */
#define BPR_LAG 2
#define BPR_DEPTH (3 * BPR_LAG + 1)

/* Worker tid runs block (tid, a): as many draws as the block has pairs.
 * The rows a triplet touches are scattered over matrices larger than the
 * cache, so each pair goes through four stages, BPR_LAG iterations apart,
 * and every stage prefetches what the next one reads: draw the position
 * (fetch the pair), read the pair (fetch the user row, the artist row and
 * the user's listens), draw the negatives (fetch their rows), update.  The
 * positions and the negatives come from the block's two RNG streams, so
 * the triplets depend neither on the pipeline's depth nor on which thread
 * runs the block when. */
LR__HOT static void run_block(bpr_state *s, int tid, int32_t a)
{
    const int T = s->threads;
    const size_t blk = (size_t)tid * (size_t)T + (size_t)a;
    const int64_t *bounds = s->boff + (size_t)tid * (size_t)(T + 1) + a;
    const bpr_pair *pairs = s->block + bounds[0];
    const uint64_t share = (uint64_t)(bounds[1] - bounds[0]);
    const int32_t *artists = s->perm + s->ashard[a];
    const int32_t count = s->ashard[a + 1] - s->ashard[a];
    /* the streams live on this thread's stack while it works: in the
     * shared array, two blocks' states can share a cache line, and every
     * draw writes its state */
    lr__rng pos_rng = s->rng[2 * blk], neg_rng = s->rng[2 * blk + 1];
    lr__rng *rp = &pos_rng, *rn = &neg_rng;
    const int32_t k = s->k;
    float *scratch = s->scratch ? s->scratch + (size_t)tid * 3 * (size_t)k : NULL;
    slot ring[BPR_DEPTH];
    for (int d = 0; d < BPR_DEPTH; d++)
        ring[d].j = s->negs + ((size_t)tid * BPR_DEPTH + (size_t)d) * 2 * (size_t)s->negatives;
    loss_acc acc = {0, 0, 1.0, 0};
    uint64_t drawn = 0;
    for (uint64_t t = 0; t < share + 3 * BPR_LAG; t++) {
        if (t < share) {
            slot *c = &ring[t % BPR_DEPTH];
            c->p = (int64_t)lr__rng_below(rp, share);
            prefetch(&pairs[c->p]);
        }
        if (t >= BPR_LAG && t - BPR_LAG < share) {
            slot *c = &ring[(t - BPR_LAG) % BPR_DEPTH];
            c->u = pairs[c->p].u;
            c->i = pairs[c->p].i;
            c->pi = s->pos[c->i];
            const int64_t r0 = s->x->ptr[c->u], r1 = s->x->ptr[c->u + 1];
            c->ok = has_negative(s, c->u, a);
            for (int64_t q = r0; q < r1; q += 16)
                prefetch(s->x->idx + q);
            prefetch_row(s->U + (size_t)c->u * (size_t)k, k);
            prefetch_row(s->V + (size_t)c->i * (size_t)k, k);
        }
        if (t >= 2 * BPR_LAG && t - 2 * BPR_LAG < share) {
            slot *c = &ring[(t - 2 * BPR_LAG) % BPR_DEPTH];
            for (int q = 0; c->ok && q < s->negatives; q++) {
                const int32_t at = draw_negative(s->x, rn, c->u, artists, count);
                c->j[q] = artists[at];
                c->j[s->negatives + q] = s->ashard[a] + at;
                prefetch_row(s->V + (size_t)c->j[q] * (size_t)k, k);
            }
        }
        if (t >= 3 * BPR_LAG) {
            const slot *c = &ring[(t - 3 * BPR_LAG) % BPR_DEPTH];
            if (!c->ok)
                continue;
            for (int q = 0; q < s->negatives; q++)
                triplet(s, scratch, &acc, c->u, c->i, c->j[q], c->pi,
                        c->j[s->negatives + q]);
            drawn += (uint64_t)s->negatives;
        }
    }
    s->rng[2 * blk] = pos_rng;
    s->rng[2 * blk + 1] = neg_rng;
    s->loss[blk] = loss_total(&acc);
    s->drawn[blk] = drawn;
}

/* Worker tid's pairs (those of its user shard, a contiguous range in CSR
 * order) sorted by this epoch's artist shard, in CSR order within a block,
 * with the blocks' bounds. */
static void sort_into_blocks(bpr_state *s, int tid)
{
    const int T = s->threads;
    const int64_t first = s->x->ptr[s->ushard[tid]], last = s->x->ptr[s->ushard[tid + 1]];
    int64_t *off = s->boff + (size_t)tid * (size_t)(T + 1);
    for (int a = 0; a < T; a++)
        off[a] = 0;
    for (int64_t p = first; p < last; p++)
        off[s->shard_of[s->pairs[p].i]]++;
    int64_t at = first;
    for (int a = 0; a < T; a++) {
        const int64_t c = off[a];
        off[a] = at;
        at += c;
    }
    for (int64_t p = first; p < last; p++)
        s->block[off[s->shard_of[s->pairs[p].i]]++] = s->pairs[p];
    for (int a = T - 1; a > 0; a--)
        off[a] = off[a - 1];
    off[0] = first;
    off[T] = last;
}

/* The squared norms l2_sum needs, of the rows of block (tid, a) in the
 * last sub-epoch: no later block of the epoch changes them, and so the
 * O((N + M)k) part of the epoch's L2 term is spread over the workers. */
LR__HOT static void block_squares(bpr_state *s, int tid, int32_t a)
{
    const int32_t k = s->k;
    for (int32_t q = s->ashard[a]; q < s->ashard[a + 1]; q++) {
        const int32_t art = s->perm[q];
        const float *v = s->V + (size_t)art * (size_t)k;
        s->asq[art] = (double)lr__kdot(v, v, k) + (s->b ? (double)s->bw[q] * s->bw[q] : 0.0);
    }
    for (int32_t u = s->ushard[tid]; u < s->ushard[tid + 1]; u++) {
        const float *uu = s->U + (size_t)u * (size_t)k;
        s->usq[u] = (double)lr__kdot(uu, uu, k);
    }
}

/* Sub-epoch sub: worker tid owns user shard tid and takes artist shard
 * (tid + sub) mod T, so no two workers write the same user row, artist
 * row, bias or Adagrad accumulator. */
static void sub_epoch(bpr_state *s, int tid, int sub)
{
    if (sub == 0 && s->threads > 1)
        sort_into_blocks(s, tid);
    const int32_t a = (int32_t)((tid + sub) % s->threads);
    run_block(s, tid, a);
    if (sub == s->threads - 1)
        block_squares(s, tid, a);
}

/* The fork-join fallback when the team below cannot start. */
static int sub_epoch_worker(void *ctx, int tid, size_t begin, size_t end)
{
    (void)begin;
    (void)end;
    bpr_state *s = ctx;
    sub_epoch(s, tid, s->sub);
    return LR_OK;
}

/* An epoch as member tid of the team (lib/core/team.h): the T sub-epochs
 * with a meeting between each two (the round's end closes the last). */
static void team_epoch(lr__team *t, void *ctx, int tid)
{
    bpr_state *s = ctx;
    for (int sub = 0; sub < s->threads; sub++) {
        sub_epoch(s, tid, sub);
        if (sub + 1 < s->threads)
            lr__team_barrier(t);
    }
}

/* This epoch's artist shards: a fresh shuffle (so that over the epochs any
 * two artists meet as positive and negative), cut into T runs of about
 * nnz / T listens each, so that the blocks of a sub-epoch are about equal
 * work. */
static void draw_artist_shards(bpr_state *s)
{
    const int T = s->threads;
    lr__rng_shuffle_i32(&s->shuffle, s->perm, (size_t)s->m);
    int64_t cum = 0;
    int a = 0;
    s->ashard[0] = 0;
    for (int32_t q = 0; q < s->m; q++) {
        while (a + 1 < T && cum * T >= s->nnz * (a + 1))
            s->ashard[++a] = q;
        s->shard_of[s->perm[q]] = (uint16_t)a;
        s->pos[s->perm[q]] = q;
        cum += s->fans[s->perm[q]];
    }
    while (a + 1 < T)
        s->ashard[++a] = s->m;
    s->ashard[T] = s->m;
}

/* The expected L2 term of a triplet under the sampling distribution (u, i
 * uniform over pairs, j uniform over u's unlistened artists; on several
 * threads j stays in i's artist shard, which averaged over the random
 * shards is nearly the same distribution), before λ/2. */
static double l2_sum(const bpr_state *s)
{
    const double w = 1.0 / (double)s->nnz;
    const double *asq = s->asq;
    double total = 0, all = 0;
    for (int32_t a = 0; a < s->m; a++)
        all += asq[a];
    for (int32_t u = 0; u < s->n; u++) {
        const int64_t nu = s->x->ptr[u + 1] - s->x->ptr[u];
        if (nu == 0 || nu >= s->m)
            continue;
        double pos = 0;
        for (int64_t p = s->x->ptr[u]; p < s->x->ptr[u + 1]; p++)
            pos += asq[s->x->idx[p]];
        total += (double)nu * w *
                 (s->usq[u] + pos / (double)nu + (all - pos) / (double)(s->m - nu));
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

/* The fixed partition: T user shards of about nnz / T listens each, in
 * user order (so a shard's pairs are contiguous in CSR order); artist
 * shards start as one run of all artists in order, which the one-thread
 * fit keeps. */
static void split_users(bpr_state *s)
{
    const int T = s->threads;
    int32_t u = 0;
    s->ushard[0] = 0;
    for (int t = 1; t < T; t++) {
        while (u < s->n && s->x->ptr[u] * T < s->nnz * t)
            u++;
        s->ushard[t] = u;
    }
    s->ushard[T] = s->n;
    for (int32_t a = 0; a < s->m; a++) {
        s->perm[a] = a;
        s->pos[a] = a;
        s->shard_of[a] = 0;
        s->fans[a] = 0;
    }
    for (int64_t p = 0; p < s->nnz; p++)
        s->fans[s->x->idx[p]]++;
    s->ashard[0] = 0;
    for (int a = 1; a <= T; a++)
        s->ashard[a] = s->m;
    s->boff[0] = 0;
    s->boff[1] = s->nnz;
}

/* Rows start on a cache line when k is a multiple of 16 (the default 64
 * is): no 16-float vector of the kernels straddles two lines, and two
 * threads updating neighbouring rows never share one.  (malloc's large
 * blocks start 16 bytes past a page; on the dev split the aligned rows
 * made one thread 8 % faster and two threads 17 %.) */
static float *aligned_floats(size_t n)
{
    return lr__aligned(64, n, sizeof(float));
}

static int alloc_state(lr_model *m, bpr_state *s)
{
    const size_t T = (size_t)s->threads, nk = (size_t)s->n * (size_t)s->k,
                 mk = (size_t)s->m * (size_t)s->k, nnz = (size_t)s->nnz, mm = (size_t)s->m;
    m->user_f = s->U = aligned_floats(nk);
    m->artist_f = s->V = aligned_floats(mk);
    const int want_b = lr__opt_int(&m->opts, LR_OPT_ITEM_BIAS) != 0;
    if (want_b) {
        m->artist_bias = s->b = lr__calloc(mm, sizeof(float));
        s->bw = T > 1 ? lr__malloc(mm, sizeof(float)) : s->b;
        s->tmp = lr__malloc(mm, sizeof(float));
    }
    s->pos = lr__malloc(mm, sizeof(int32_t));
    s->pairs = lr__malloc(nnz, sizeof *s->pairs);
    s->block = T > 1 ? lr__malloc(nnz, sizeof *s->block) : s->pairs;
    s->ushard = lr__malloc(T + 1, sizeof(int32_t));
    s->ashard = lr__malloc(T + 1, sizeof(int32_t));
    s->perm = lr__malloc(mm, sizeof(int32_t));
    s->shard_of = lr__malloc(mm, sizeof *s->shard_of);
    s->fans = lr__malloc(mm, sizeof(int32_t));
    s->boff = lr__malloc(T * (T + 1), sizeof(int64_t));
    s->rng = lr__malloc(T * T * 2, sizeof(lr__rng));
    s->loss = lr__calloc(T * T, sizeof(double));
    s->drawn = lr__calloc(T * T, sizeof(uint64_t));
    s->asq = lr__malloc(mm, sizeof(double));
    s->usq = lr__malloc((size_t)s->n, sizeof(double));
    s->negs = lr__malloc(T * BPR_DEPTH, 2 * (size_t)s->negatives * sizeof(int32_t));
    if (s->adagrad)
        s->scratch = lr__malloc(T * 3, (size_t)s->k * sizeof(float));
    if (!s->U || !s->V || (want_b && (!s->b || !s->bw || !s->tmp)) || !s->pos || !s->pairs ||
        !s->block || !s->ushard || !s->ashard || !s->perm || !s->shard_of || !s->fans ||
        !s->boff || !s->rng || !s->loss || !s->drawn || !s->asq || !s->usq || !s->negs ||
        (s->adagrad && !s->scratch))
        return lr__fail_oom("bpr's factors, shards and samples");
    return LR_OK;
}

/* The biases, and their Adagrad accumulators, move into perm's order for
 * an epoch on several threads: in artist order, the biases of two shards
 * share every cache line, and two threads writing one line make it bounce
 * between the cores (false sharing; about 4 % of a two-thread fit on the
 * dev split). */
static float *bias_acc(const bpr_state *s)
{
    return s->adagrad ? s->opt.acc + (size_t)(s->n + s->m) * (size_t)s->k : NULL;
}

static void biases_to_positions(bpr_state *s)
{
    float *acc = bias_acc(s);
    for (int32_t a = 0; a < s->m; a++)
        s->bw[s->pos[a]] = s->b[a];
    if (acc) {
        for (int32_t a = 0; a < s->m; a++)
            s->tmp[s->pos[a]] = acc[a];
        memcpy(acc, s->tmp, (size_t)s->m * sizeof *acc);
    }
}

static void biases_to_artists(bpr_state *s)
{
    float *acc = bias_acc(s);
    for (int32_t a = 0; a < s->m; a++)
        s->b[a] = s->bw[s->pos[a]];
    if (acc) {
        for (int32_t a = 0; a < s->m; a++)
            s->tmp[a] = acc[s->pos[a]];
        memcpy(acc, s->tmp, (size_t)s->m * sizeof *acc);
    }
}

/* One epoch: T sub-epochs, each T blocks at once, run by the team when
 * there is one; the losses are then summed in block order, whatever order
 * the blocks ran in. */
static int epoch(bpr_state *s, lr__team *team, double *loss, uint64_t *drawn)
{
    const int T = s->threads;
    const int permute = T > 1 && s->b;
    if (T > 1)
        draw_artist_shards(s);
    if (permute)
        biases_to_positions(s);
    int rc = LR_OK;
    if (T == 1) {
        sub_epoch(s, 0, 0);
    } else if (team) {
        lr__team_round(team);
    } else {
        for (s->sub = 0; s->sub < T && rc == LR_OK; s->sub++)
            rc = lr__parallel_for(T, (size_t)T, sub_epoch_worker, s);
    }
    if (permute)
        biases_to_artists(s);
    if (rc)
        return rc;
    *loss = 0;
    *drawn = 0;
    for (size_t b = 0; b < (size_t)T * (size_t)T; b++) {
        *loss += s->loss[b];
        *drawn += s->drawn[b];
    }
    return LR_OK;
}

static int train(lr_model *m, const lr__fit_ctx *ctx, bpr_state *s)
{
    const lr_options *o = &m->opts;
    const uint64_t epochs = (uint64_t)lr__opt_int(o, LR_OPT_EPOCHS);
    const double init = lr__opt_double(o, LR_OPT_INIT_SCALE);
    const uint64_t seed = (uint64_t)lr__opt_int(o, LR_OPT_SEED);
    const size_t nk = (size_t)s->n * (size_t)s->k, mk = (size_t)s->m * (size_t)s->k;
    const int T = s->threads;

    if (!(init > 0))
        return lr__fail(LR_E_INVALID,
                        "bpr: init_scale must be positive (all-zero factors have a zero gradient "
                        "and never move)");
    int rc = alloc_state(m, s);
    if (rc)
        return rc;
    if (s->adagrad) {
        rc = lr__optim_init(&s->opt, LR_OPTIMIZER_ADAGRAD, s->lr,
                            (float)lr__opt_double(o, LR_OPT_EPSILON), 0.1f,
                            nk + mk + (s->b ? (size_t)s->m : 0));
        if (rc) {
            lr__error_prefix("bpr");
            return rc;
        }
        /* the accumulators' rows on cache lines too, like the factors' */
        float *acc = aligned_floats(s->opt.n);
        if (!acc)
            return lr__fail_oom("bpr's Adagrad accumulators");
        memcpy(acc, s->opt.acc, s->opt.n * sizeof *acc);
        free(s->opt.acc);
        s->opt.acc = acc;
    }

    lr__rng rng;
    lr__rng_seed(&rng, seed);
    for (size_t i = 0; i < nk; i++)
        s->U[i] = (float)(init * lr__rng_normal(&rng));
    for (size_t i = 0; i < mk; i++)
        s->V[i] = (float)(init * lr__rng_normal(&rng));
    /* Streams 1.. so that no block repeats the initialisation's numbers;
     * a block's streams run on from epoch to epoch (one thread: the one
     * block's are the two streams the fit has always used), and stream 0
     * shuffles the artists. */
    for (size_t t = 0; t < 2 * (size_t)T * (size_t)T; t++)
        lr__rng_seed_stream(&s->rng[t], seed, (uint64_t)t + 1);
    lr__rng_seed_stream(&s->shuffle, seed, 0);
    for (int32_t u = 0; u < s->n; u++)
        for (int64_t p = s->x->ptr[u]; p < s->x->ptr[u + 1]; p++) {
            s->pairs[p].u = u;
            s->pairs[p].i = s->x->idx[p];
        }
    split_users(s);

    /* NULL on one thread, or when threads cannot be had: then epoch()
     * forks and joins per sub-epoch, which fits the same model */
    lr__team *team = lr__team_start(T, team_epoch, s);
    for (uint64_t e = 1; e <= epochs && rc == LR_OK; e++) {
        double loss;
        uint64_t drawn;
        if ((rc = epoch(s, team, &loss, &drawn)))
            break;
        const double l2sum = l2_sum(s);
        if ((rc = check(s, loss + l2sum, e)))
            break;
        double row[LR__HIST_FIELDS];
        lr__history_row_init(row);
        row[LR_HISTORY_LOSS_OBSERVED - 1] = drawn ? loss / (double)drawn : 0.0;
        row[LR_HISTORY_LOSS_L2 - 1] = 0.5 * (double)s->reg * l2sum;
        row[LR_HISTORY_LOSS - 1] = row[LR_HISTORY_LOSS_OBSERVED - 1] + row[LR_HISTORY_LOSS_L2 - 1];
        rc = lr__history_epoch(m, ctx, row, e, epochs);
    }
    lr__team_stop(team);
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
    if (lr__opt_int(o, LR_OPT_OPTIMIZER) == LR_OPTIMIZER_ADAM)
        return lr__fail(LR_E_INVALID, "bpr: optimizer adam is softmax's; use sgd or adagrad");
    /* more shards than users or artists would only leave blocks empty */
    int64_t threads = lr__opt_threads(o);
    if (threads > x->nnz)
        threads = x->nnz;
    if (threads > s.n)
        threads = s.n;
    if (threads > s.m)
        threads = s.m;
    s.threads = threads < 1 ? 1 : (int)threads;
    int rc = train(m, ctx, &s);
    if (s.block != s.pairs)
        free(s.block);
    free(s.pairs);
    free(s.ushard);
    free(s.ashard);
    free(s.perm);
    free(s.shard_of);
    free(s.pos);
    if (s.bw != s.b)
        free(s.bw);
    free(s.tmp);
    free(s.fans);
    free(s.boff);
    free(s.rng);
    free(s.loss);
    free(s.asq);
    free(s.usq);
    free(s.drawn);
    free(s.negs);
    free(s.scratch);
    lr__optim_free(&s.opt);
    return rc;
}

const lr__algo lr__algo_bpr = {LR_ALGO_BPR, "bpr", bpr_defaults, bpr_fit};
