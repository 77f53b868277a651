/* Implicit-feedback alternating least squares (Hu, Koren & Volinsky 2008).
 * SPDX-License-Identifier: MIT
 *
 * Every (user, artist) pair has preference p = 1 when listened, else 0, and
 * confidence c = 1 + alpha * t(w) when listened, else 1.  The objective
 *
 *   sum over ALL pairs c (p - x_u . y_a)^2 + lambda (|X|^2 + |Y|^2)
 *
 * is minimised by alternating row updates: with Y fixed each user row
 * solves (Y'Y + Y'(C_u - I)Y + lambda I) x = Y'C_u p, then the same for the
 * artists with X fixed.  Y'Y is one k x k matrix per half-sweep; the rest
 * of a row's system touches only that row's listened pairs, so nothing
 * costs O(users x artists).
 *
 * Solvers.  Cholesky forms each row's k x k matrix and calls sposv.  CG
 * takes cg_steps conjugate-gradient steps from the row's previous value,
 * with A p = Y'Y p + lambda p + sum (c - 1)(y.p) y, never forming A (as
 * the implicit library does).  Two things make CG cheap here:
 *
 *  - The objective is unchanged when X and Y are rotated together (scores
 *    and norms are).  In the eigenbasis of the fixed side's Gram matrix,
 *    Y'Y + lambda I is a diagonal D, so Y'Y p costs k instead of k^2 per
 *    step.  A half-sweep turns to that basis when rotating the fixed side
 *    (k^2 per row) is cheaper than the k^2 products it saves: on Last.fm,
 *    for the artists (15k rows, mostly one or two listeners) given the
 *    users (2k rows), not the other way round.  CG is rotation-invariant,
 *    so its iterates are those of the unrotated CG, turned.
 *  - In that basis a row with few listened pairs (at most WOODBURY_MAX) is
 *    solved exactly by the Woodbury identity in O(n^2 k), which is cheaper
 *    than even turning its previous value into the new basis for CG.
 *
 * The Gram matrices, rotations and the small eigendecomposition are this
 * file's own loops on lastrec's threads rather than BLAS: with k = 64 they
 * are small, and OpenBLAS threads even a 64 x 64 ssymv and leaves its
 * workers spinning after each threaded call, on the cores the row solves
 * need (measured: a third more CPU time per fit).  Done here, the fit's
 * speed and its bits do not depend on how BLAS is threaded.
 *
 * Rows are independent given the other side, so each is solved by exactly
 * one worker with its own scratch and no shared accumulator, and the Gram
 * matrices are sums of fixed blocks in a fixed order: the factors do not
 * depend on how many threads there are, let alone on timing.  That frees
 * the workers to take chunks of rows as they go (run_chunks) instead of a
 * fixed share each: on a machine where another process holds a core, the
 * thread sharing it simply takes fewer chunks.
 *
 * Memory.  At the lastfm-360K scale (360K users x 160K artists, 17 M
 * pairs) the fixed side is 40-90 MB and a row reads it where its listened
 * pairs point: with the per-pair arithmetic as it was, most of a sweep
 * waited for those reads.  So a row's first pass prefetches its pairs'
 * vectors a few pairs ahead and copies them to per-thread scratch, the
 * CG steps and the loss then read that copy contiguously, the factor
 * matrices ask for transparent huge pages (fewer TLB misses), four pairs
 * are taken at a time (independent dots, added in pair order), and the
 * row solvers are compiled with k = 64 as a constant.  None of it changes
 * an operation or its order: the factors are bit for bit those of the
 * plain loops (issue 16; docs/scale.md has the figures).
 */
#include "model/model.h"
#include "model/als.h"
#include "model/vec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"
#include "core/threads.h"

#include <lapacke.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* The defaults of docs/models.md, chosen on the dev split (see there).
 * BM25 weights of Last.fm counts run to the hundreds, hence the small
 * alpha; lambda sits at about 1000 alpha, well below the ratio (about
 * 3000) past which every factor collapses towards zero. */
#define ALS_FACTORS 64
#define ALS_EPOCHS 15
#define ALS_TRANSFORM LR_TRANSFORM_BM25
#define ALS_ALPHA 0.015
#define ALS_REGULARIZATION 15.0
#define ALS_INIT_SCALE 0.01

/* The residual below which a row's CG stops: the row is solved to float
 * precision and further steps would only divide rounding noise. */
#define CG_EPS 1e-20f

/* Rows with at most this many listened pairs are solved exactly in the
 * diagonal basis: n^2 k / 2 for the Woodbury matrix against k^2 to turn
 * the row's previous value plus (cg_steps + 1) 2 n k for CG. */
#define WOODBURY_MAX 16

/* Chunks of rows per thread in a parallel pass (see run_chunks). */
#define CHUNKS_PER_THREAD 16

/* Pairs ahead of the one being read whose vectors are prefetched. */
#ifndef PREFETCH_AHEAD
#define PREFETCH_AHEAD 8
#endif
#ifndef PF_LOC
#define PF_LOC 3
#endif

/* The most a thread's copy of one row's fixed-side vectors may take: a
 * longer row (only the most popular artists at 360K scale, with 10^5
 * listeners) reads the fixed side where it is, prefetching. */
#define GATHER_BYTES ((size_t)64 << 20)

/* Rows per chunk of a pass whose rows all cost about the same. */
#define ROWS_PER_CHUNK 256

/* Rows per partial Gram matrix.  The partials are fixed by the data, not
 * by the thread count, and summed in order: the same bits on any number
 * of threads. */
#define GRAM_ROWS 256

static const char advice[] =
    "lower alpha (or use the log1p or bm25 transform) or raise regularization";

static void als_defaults(lr_options *o)
{
    lr__opt_default_int(o, LR_OPT_FACTORS, ALS_FACTORS);
    lr__opt_default_int(o, LR_OPT_EPOCHS, ALS_EPOCHS);
    lr__opt_default_int(o, LR_OPT_TRANSFORM, ALS_TRANSFORM);
    lr__opt_default_double(o, LR_OPT_ALPHA, ALS_ALPHA);
    lr__opt_default_double(o, LR_OPT_REGULARIZATION, ALS_REGULARIZATION);
    lr__opt_default_double(o, LR_OPT_INIT_SCALE, ALS_INIT_SCALE);
}

/* ------------------------------------------------------ parallel passes */

/* fn over chunks [0, n): each worker takes the next chunk until none is
 * left.  Which worker runs a chunk depends on timing, so fn must give the
 * same result whoever runs it (per-thread scratch by tid only). */
typedef struct chunk_run {
    lr__range_fn fn;
    void *ctx;
    size_t n;
    atomic_size_t next;
    atomic_int failed;
} chunk_run;

static int chunk_worker(void *ctx, int tid, size_t begin, size_t end)
{
    (void)begin;
    (void)end;
    chunk_run *c = ctx;
    for (;;) {
        const size_t i = atomic_fetch_add(&c->next, 1);
        if (i >= c->n || atomic_load(&c->failed))
            return LR_OK;
        int rc = c->fn(c->ctx, tid, i, i + 1);
        if (rc != LR_OK) {
            atomic_store(&c->failed, 1);
            return rc;
        }
    }
}

static int run_chunks(int threads, size_t n, lr__range_fn fn, void *ctx)
{
    chunk_run c = {fn, ctx, n, 0, 0};
    return lr__parallel_for(threads, (size_t)threads, chunk_worker, &c);
}

/* ----------------------------------------------------------- one side */

/* lr__als_side (model/als.h). */
typedef lr__als_side side;

typedef lr__als_bm25 bm25;

int lr__als_bm25_alloc(bm25 *z, const lr_options *o, int32_t nu, int32_t na)
{
    z->k1 = lr__opt_double(o, LR_OPT_BM25_K1);
    z->b = lr__opt_double(o, LR_OPT_BM25_B);
    z->idf = lr__malloc((size_t)na, sizeof *z->idf);
    z->norm = lr__malloc((size_t)nu, sizeof *z->norm);
    if (!z->idf || !z->norm)
        return lr__fail_oom("BM25's weights");
    return LR_OK;
}

void lr__als_bm25_set_idf(bm25 *z, int32_t a, double n, int64_t df)
{
    /* An artist every user listened to tells nothing apart; implicit
     * would give it a negative weight, which as a confidence would
     * mean "certainly not", so it is held at 0 instead. */
    z->idf[a] = fmax(0.0, log(n) - log1p((double)df));
}

void lr__als_bm25_normalise(bm25 *z, int32_t nu)
{
    double mean = 0;
    for (int32_t u = 0; u < nu; u++)
        mean += z->norm[u];
    mean /= (double)nu;
    for (int32_t u = 0; u < nu; u++)
        z->norm[u] = (1.0 - z->b) + z->b * z->norm[u] / mean;
}

static int bm25_init(bm25 *z, const lr_dataset *ds, const lr_options *o)
{
    int rc = lr__als_bm25_alloc(z, o, ds->n_users, ds->n_artists);
    if (rc)
        return rc;
    const double n = (double)ds->n_users;
    for (int32_t a = 0; a < ds->n_artists; a++)
        lr__als_bm25_set_idf(z, a, n, ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a]);
    for (int32_t u = 0; u < ds->n_users; u++) {
        double sum = 0;
        for (int64_t e = ds->listens.ptr[u]; e < ds->listens.ptr[u + 1]; e++)
            sum += ds->listens.val[e];
        z->norm[u] = sum;
    }
    lr__als_bm25_normalise(z, ds->n_users);
    return LR_OK;
}

/* c - 1 of one pair: the same expression for both orientations, so that
 * a pair's confidence is the same float whichever side is being solved. */
static inline float conf_of(int t, float alpha, const bm25 *z, int32_t u, int32_t a, float w)
{
    if (t == LR_TRANSFORM_BM25) {
        const double bw = (double)w * (z->k1 + 1.0) / (z->k1 * z->norm[u] + (double)w) * z->idf[a];
        return (float)(alpha * bw);
    }
    return alpha * lr__transform(t, w);
}

/* The confidences of one orientation: rows of `m` are users when
 * by_user, artists otherwise. */
int lr__als_make_side(side *s, const lr__csr *m, int by_user, int t, float alpha, const bm25 *z)
{
    s->rows = m->rows;
    s->ptr = m->ptr;
    s->idx = m->idx;
    s->conf = lr__malloc((size_t)m->nnz, sizeof *s->conf);
    s->exact = lr__malloc((size_t)m->rows, sizeof *s->exact);
    if (!s->conf || !s->exact)
        return lr__fail_oom("als's confidences");
    for (int32_t r = 0; r < m->rows; r++) {
        const int64_t n = m->ptr[r + 1] - m->ptr[r];
        int positive = 1;
        for (int64_t e = m->ptr[r]; e < m->ptr[r + 1]; e++) {
            const int32_t u = by_user ? r : m->idx[e], a = by_user ? m->idx[e] : r;
            const float c = conf_of(t, alpha, z, u, a, m->val[e]);
            if (!isfinite(c) || c < 0)
                return lr__fail(LR_E_NUMERIC,
                                "als: the confidence 1 + alpha * t(w) of a listen count %g is %g; "
                                "lower alpha or use the log1p or bm25 transform",
                                (double)m->val[e], 1.0 + (double)c);
            s->conf[e] = c;
            positive &= c > 0;
        }
        s->exact[r] = n > 0 && n <= WOODBURY_MAX && positive;
        s->listened += n > 0;
        s->warm += n > 0 && !s->exact[r];
    }
    return LR_OK;
}

/* The cost of a row in multiply-adds, to balance the threads' ranges. */
static double row_cost(const side *s, int32_t r, int k, int solver, int steps)
{
    const double n = (double)(s->ptr[r + 1] - s->ptr[r]), kd = k;
    if (n == 0)
        return kd;
    if (solver == LR_SOLVER_CHOLESKY)
        return kd * kd * kd / 3 + n * kd * kd / 2;
    if (!s->diag)
        return (steps + 1) * (kd * kd + 2 * n * kd);
    if (s->exact[r])
        return n * n * kd / 2 + 2 * n * kd;
    return kd * kd + (steps + 1) * (2 * n * kd + 6 * kd);
}

/* Split the rows into contiguous chunks of about equal work: artists are
 * mostly rows with one or two listeners, users rows with dozens, so equal
 * row counts would not balance.  Which rows a chunk holds changes nothing
 * in the result. */
int lr__als_balance(side *s, int threads, int k, int solver, int steps, int32_t r0, int32_t r1)
{
    int32_t chunks = threads * CHUNKS_PER_THREAD;
    if (chunks > r1 - r0)
        chunks = r1 > r0 ? r1 - r0 : 1;
    s->chunks = chunks;
    s->bounds = lr__malloc((size_t)chunks + 1, sizeof *s->bounds);
    if (!s->bounds)
        return lr__fail_oom("als's row chunks");
    double total = 0;
    for (int32_t r = r0; r < r1; r++)
        total += row_cost(s, r, k, solver, steps);
    s->bounds[0] = r0;
    double acc = 0;
    int32_t t = 1;
    for (int32_t r = r0; r < r1 && t < chunks; r++) {
        acc += row_cost(s, r, k, solver, steps);
        while (t < chunks && acc >= total * t / chunks)
            s->bounds[t++] = r + 1;
    }
    while (t <= chunks)
        s->bounds[t++] = r1;
    return LR_OK;
}

/* ------------------------------------------------------------- start */

typedef struct init_job {
    float *f;
    const side *s;
    int k;
    double scale;
    uint64_t seed, stream0;
} init_job;

/* One RNG stream per row: the start does not depend on the thread count.
 * A row without listens starts at its exact solution, 0, and stays there
 * (so the Gram matrices and rotations can skip it). */
static int init_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const init_job *j = ctx;
    const size_t r1 = end * ROWS_PER_CHUNK < (size_t)j->s->rows ? end * ROWS_PER_CHUNK
                                                                 : (size_t)j->s->rows;
    for (size_t r = begin * ROWS_PER_CHUNK; r < r1; r++) {
        float *x = j->f + r * (size_t)j->k;
        if (j->s->ptr[r + 1] == j->s->ptr[r]) {
            memset(x, 0, (size_t)j->k * sizeof *x);
            continue;
        }
        lr__rng rng;
        lr__rng_seed_stream(&rng, j->seed, j->stream0 + r);
        for (int i = 0; i < j->k; i++)
            x[i] = (float)(j->scale * lr__rng_normal(&rng));
    }
    return LR_OK;
}

int lr__als_init(float *F, const side *s, int k, double scale, uint64_t seed, uint64_t stream0,
                 int threads)
{
    init_job j = {F, s, k, scale, seed, stream0};
    return run_chunks(threads, ((size_t)s->rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK,
                      init_range, &j);
}

/* ---------------------------------------------------- Gram, rotations */

typedef struct gram_job {
    const float *F;  /* [n x k] */
    const side *s;   /* F's rows: those without listens are 0 */
    int k;
    float *part;     /* [blocks x k x k], upper triangles */
} gram_job;

/* G_b = sum of f f' over block b's rows, four rows per pass over G so
 * that each row of G is loaded and stored once per four rank-1 updates.
 * Row i needs columns i.. only; it starts at the multiple of 16 below i,
 * which keeps the vector loop free of scalar tails at k = 64. */
LR__HOT static int gram_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const gram_job *j = ctx;
    const int k = j->k;
    for (size_t b = begin; b < end; b++) {
        float *G = j->part + b * (size_t)k * (size_t)k;
        memset(G, 0, (size_t)k * (size_t)k * sizeof *G);
        const int32_t r0 = (int32_t)(b * GRAM_ROWS);
        const int32_t r1 = r0 + GRAM_ROWS < j->s->rows ? r0 + GRAM_ROWS : j->s->rows;
        const float *f[4];
        int nf = 0;
        for (int32_t r = r0; r <= r1; r++) {
            if (r < r1) {
                if (j->s->ptr[r + 1] == j->s->ptr[r])
                    continue;
                f[nf++] = j->F + (size_t)r * (size_t)k;
                if (nf < 4)
                    continue;
            }
            for (int i = 0; i < k; i++) {
                const int c = i & ~15;
                float *g = G + (size_t)i * (size_t)k + (size_t)c;
                if (nf == 4)
                    lr__vaxpy4(f[0][i], f[0] + c, f[1][i], f[1] + c, f[2][i], f[2] + c, f[3][i],
                               f[3] + c, g, k - c);
                else
                    for (int q = 0; q < nf; q++)
                        lr__vaxpy(f[q][i], f[q] + c, g, k - c);
            }
            nf = 0;
        }
    }
    return LR_OK;
}

/* G = F'F (k x k, both triangles) for F [rows x k] row-major. */
int lr__als_gram(const float *F, const side *s, int k, float *part, int threads, float *G)
{
    const size_t blocks = ((size_t)s->rows + GRAM_ROWS - 1) / GRAM_ROWS;
    const size_t kk = (size_t)k * (size_t)k;
    gram_job j = {F, s, k, part};
    int rc = run_chunks(threads, blocks, gram_range, &j);
    if (rc)
        return rc;
    for (int i = 0; i < k; i++)
        for (int c = i; c < k; c++) {
            const size_t at = (size_t)i * (size_t)k + (size_t)c;
            double sum = 0;
            for (size_t b = 0; b < blocks; b++)
                sum += part[b * kk + at];
            G[at] = G[(size_t)c * (size_t)k + (size_t)i] = (float)sum;
        }
    return LR_OK;
}

/* out = x Q: the sum of x_i times row i of Q (row i of Q holds the new
 * coordinates of the old axis i). */
__attribute__((always_inline)) static inline void turn(const float *Q, const float *x, float *out,
                                                       int k)
{
    memset(out, 0, (size_t)k * sizeof *out);
    int i = 0;
    for (; i + 4 <= k; i += 4)
        lr__vaxpy4(x[i], Q + (size_t)i * (size_t)k, x[i + 1], Q + (size_t)(i + 1) * (size_t)k,
                   x[i + 2], Q + (size_t)(i + 2) * (size_t)k, x[i + 3],
                   Q + (size_t)(i + 3) * (size_t)k, out, k);
    for (; i < k; i++)
        lr__vaxpy(x[i], Q + (size_t)i * (size_t)k, out, k);
}

typedef struct turn_job {
    const float *Q;
    float *F;        /* turned in place, row by row */
    const side *s;
    int k;
    float *scratch;  /* k per thread, scratch_len apart */
    size_t scratch_len;
} turn_job;

LR__HOT static int turn_range(void *ctx, int tid, size_t begin, size_t end)
{
    const turn_job *j = ctx;
    const int k = j->k;
    float *tmp = j->scratch + (size_t)tid * j->scratch_len;
    const size_t r1 = end * ROWS_PER_CHUNK < (size_t)j->s->rows ? end * ROWS_PER_CHUNK
                                                                 : (size_t)j->s->rows;
    for (size_t r = begin * ROWS_PER_CHUNK; r < r1; r++) {
        if (j->s->ptr[r + 1] == j->s->ptr[r])
            continue; /* 0 in any basis */
        float *x = j->F + r * (size_t)k;
        turn(j->Q, x, tmp, k);
        memcpy(x, tmp, (size_t)k * sizeof *x);
    }
    return LR_OK;
}

/* The symmetric eigendecomposition of a k x k Gram matrix, in double.
 * LAPACK's ssyevd would do, but its tridiagonal reduction calls ssymv
 * once per column and OpenBLAS threads even a 64 x 64 ssymv, waking its
 * workers twice a sweep to spin beside the row solves.  So the reduction
 * (Householder, Golub & Van Loan 8.3.1) is done here; the tridiagonal
 * problem goes to LAPACK's dstedc, whose only BLAS calls are k x k dgemms
 * that OpenBLAS keeps on one thread. */
typedef lr__als_eig eig_work;

static void eig_free(eig_work *w)
{
    free(w->A);
    free(w->V);
    free(w->Z);
    free(w->d);
    free(w->e);
    free(w->beta);
    free(w->p);
    free(w->work);
    free(w->iwork);
}

static int eig_init(eig_work *w, int k)
{
    const size_t kk = (size_t)k * (size_t)k;
    w->k = k;
    w->A = lr__malloc(kk, sizeof *w->A);
    w->V = lr__malloc(kk, sizeof *w->V);
    w->Z = lr__malloc(kk, sizeof *w->Z);
    w->d = lr__malloc((size_t)k, sizeof *w->d);
    w->e = lr__malloc((size_t)k, sizeof *w->e);
    w->beta = lr__malloc((size_t)k, sizeof *w->beta);
    w->p = lr__malloc((size_t)k, sizeof *w->p);
    if (!w->A || !w->V || !w->Z || !w->d || !w->e || !w->beta || !w->p)
        return lr__fail_oom("als's eigen solver");
    double q = 0;
    lapack_int qi = 0;
    lapack_int info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'V', k, w->d, w->e, w->Z, k, &q, -1,
                                          &qi, -1);
    if (info != 0)
        return lr__fail(LR_E_NUMERIC, "als: the dstedc workspace query failed (info %d)",
                        (int)info);
    w->lwork = (lapack_int)q;
    w->liwork = qi;
    w->work = lr__malloc((size_t)w->lwork, sizeof *w->work);
    w->iwork = lr__malloc((size_t)w->liwork, sizeof *w->iwork);
    if (!w->work || !w->iwork)
        return lr__fail_oom("LAPACK's work space");
    return LR_OK;
}

/* Eigenvalues (ascending, into vals) and eigenvectors (Q[i k + j]: entry
 * i of eigenvector j) of the symmetric k x k matrix G, both triangles. */
LR__HOT static int eig_sym(eig_work *w, const float *G, float *vals, float *Q)
{
    const int n = w->k;
    double *A = w->A, *Z = w->Z, *p = w->p;
    for (size_t i = 0; i < (size_t)n * (size_t)n; i++)
        A[i] = G[i];
    /* Step j: H = I - b v v' maps column j below the diagonal, x, to
     * alpha e1, with alpha of the sign that avoids cancellation in
     * v = x - alpha e1, and b = 2 / |v|^2 = 1 / (s - alpha x0). */
    for (int j = 0; j + 2 < n; j++) {
        const int m = n - j - 1;
        double *v = w->V + (size_t)j * (size_t)n;
        double s = 0;
        for (int i = 0; i < m; i++) {
            v[i] = A[(size_t)(j + 1 + i) * (size_t)n + (size_t)j];
            s += v[i] * v[i];
        }
        if (s == 0) {
            w->beta[j] = 0;
            w->e[j] = 0;
            continue;
        }
        const double alpha = v[0] > 0 ? -sqrt(s) : sqrt(s);
        const double b = 1.0 / (s - alpha * v[0]);
        v[0] -= alpha;
        /* A22 <- H A22 H = A22 - v q' - q v', q = p - (b/2)(p'v) v, p = b A22 v */
        double pv = 0;
        for (int r = 0; r < m; r++) {
            p[r] = b * lr__vddot(A + (size_t)(j + 1 + r) * (size_t)n + (size_t)(j + 1), v, m);
            pv += p[r] * v[r];
        }
        lr__vdaxpy(-0.5 * b * pv, v, p, m);
        for (int r = 0; r < m; r++) {
            double *row = A + (size_t)(j + 1 + r) * (size_t)n + (size_t)(j + 1);
            lr__vdaxpy(-v[r], p, row, m);
            lr__vdaxpy(-p[r], v, row, m);
        }
        w->beta[j] = b;
        w->e[j] = alpha;
    }
    for (int j = 0; j < n; j++)
        w->d[j] = A[(size_t)j * (size_t)n + (size_t)j];
    if (n >= 2)
        w->e[n - 2] = A[(size_t)(n - 1) * (size_t)n + (size_t)(n - 2)];
    /* Q = H_0 H_1 ... H_{n-3}, accumulated from the right end: H_j
     * touches rows j + 1.. of the columns j + 1.. only. */
    memset(Z, 0, (size_t)n * (size_t)n * sizeof *Z);
    for (int i = 0; i < n; i++)
        Z[(size_t)i * (size_t)n + (size_t)i] = 1;
    for (int j = n - 3; j >= 0; j--) {
        if (w->beta[j] == 0)
            continue;
        const int m = n - j - 1;
        const double *v = w->V + (size_t)j * (size_t)n;
        for (int c = j + 1; c < n; c++) {
            double *col = Z + (size_t)c * (size_t)n + (size_t)(j + 1);
            lr__vdaxpy(-w->beta[j] * lr__vddot(v, col, m), v, col, m);
        }
    }
    lapack_int info = LAPACKE_dstedc_work(LAPACK_COL_MAJOR, 'V', n, w->d, w->e, Z, n, w->work,
                                          w->lwork, w->iwork, w->liwork);
    if (info != 0)
        return lr__fail(LR_E_NUMERIC, "als: the eigendecomposition of a %dx%d Gram matrix "
                        "failed (dstedc info %d); raise regularization", n, n, (int)info);
    for (int j = 0; j < n; j++) {
        vals[j] = (float)w->d[j];
        for (int i = 0; i < n; i++)
            Q[(size_t)i * (size_t)n + (size_t)j] = (float)Z[(size_t)i + (size_t)j * (size_t)n];
    }
    return LR_OK;
}

/* -------------------------------------------------------- row solvers */

typedef lr__als_solve_job solve_job;

/* out = A0 p for the full k x k A0 (both triangles): the sum of p_i times
 * row i, four rows per pass over out. */
__attribute__((always_inline)) static inline void a0_times(const float *A0, const float *p, float *out, int k)
{
    turn(A0, p, out, k);
}

/* The fixed-side vector of a row's pair e: row ix[e] of Y, or row e of a
 * gathered copy when ix is NULL. */
__attribute__((always_inline)) static inline const float *pair_y(const float *Y,
                                                                 const int32_t *ix, int64_t e,
                                                                 int k)
{
    return Y + (size_t)(ix ? ix[e] : e) * (size_t)k;
}

/* Ask for pair e's vector PREFETCH_AHEAD pairs before it is read: the
 * fixed side (tens of MB at 360K scale) is read in the order of a row's
 * listened pairs, which no hardware prefetcher predicts, and those misses
 * were most of a sweep's time. */
__attribute__((always_inline)) static inline void prefetch_y(const float *Y, const int32_t *ix,
                                                             int64_t e, int64_t n, int k)
{
    if (!ix || e >= n)
        return;
    const char *p = (const char *)(Y + (size_t)ix[e] * (size_t)k);
    for (size_t b = 0; b < (size_t)k * sizeof(float); b += 64)
        __builtin_prefetch(p + b, 0, PF_LOC);
}

/* d[q] = lr__vdot(a[q], b, n) for q < 4, bit for bit (the same lanes
 * summed in the same order), as four independent chains that the core
 * overlaps, with b loaded once for all four. */
__attribute__((always_inline)) static inline void vdot4(const float *const a[4], const float *b,
                                                        int n, float d[4])
{
    lr__vf16 s0 = {0}, s1 = {0}, s2 = {0}, s3 = {0};
    lr__vf4 t0 = {0}, t1 = {0}, t2 = {0}, t3 = {0};
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 y, x0, x1, x2, x3;
        memcpy(&y, b + i, sizeof y);
        memcpy(&x0, a[0] + i, sizeof x0);
        memcpy(&x1, a[1] + i, sizeof x1);
        memcpy(&x2, a[2] + i, sizeof x2);
        memcpy(&x3, a[3] + i, sizeof x3);
        s0 += x0 * y;
        s1 += x1 * y;
        s2 += x2 * y;
        s3 += x3 * y;
    }
    for (; i + 4 <= n; i += 4) {
        lr__vf4 y, x0, x1, x2, x3;
        memcpy(&y, b + i, sizeof y);
        memcpy(&x0, a[0] + i, sizeof x0);
        memcpy(&x1, a[1] + i, sizeof x1);
        memcpy(&x2, a[2] + i, sizeof x2);
        memcpy(&x3, a[3] + i, sizeof x3);
        t0 += x0 * y;
        t1 += x1 * y;
        t2 += x2 * y;
        t3 += x3 * y;
    }
    float r0 = 0, r1 = 0, r2 = 0, r3 = 0;
    for (; i < n; i++) {
        r0 += a[0][i] * b[i];
        r1 += a[1][i] * b[i];
        r2 += a[2][i] * b[i];
        r3 += a[3][i] * b[i];
    }
    for (int l = 0; l < 4; l++) {
        t0[l] += (s0[l] + s0[l + 4]) + (s0[l + 8] + s0[l + 12]);
        t1[l] += (s1[l] + s1[l + 4]) + (s1[l + 8] + s1[l + 12]);
        t2[l] += (s2[l] + s2[l + 4]) + (s2[l + 8] + s2[l + 12]);
        t3[l] += (s3[l] + s3[l + 4]) + (s3[l + 8] + s3[l + 12]);
    }
    d[0] = r0 + ((t0[0] + t0[2]) + (t0[1] + t0[3]));
    d[1] = r1 + ((t1[0] + t1[2]) + (t1[1] + t1[3]));
    d[2] = r2 + ((t2[0] + t2[2]) + (t2[1] + t2[3]));
    d[3] = r3 + ((t3[0] + t3[2]) + (t3[1] + t3[3]));
}

/* y += a[0] x[0], then a[1] x[1], a[2] x[2], a[3] x[3]: bit for bit four
 * lr__vaxpy calls in that order, with y loaded and stored once. */
__attribute__((always_inline)) static inline void vaxpy4_seq(const float a[4],
                                                             const float *const x[4], float *y,
                                                             int n)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 v0, v1, v2, v3, yv;
        memcpy(&v0, x[0] + i, sizeof v0);
        memcpy(&v1, x[1] + i, sizeof v1);
        memcpy(&v2, x[2] + i, sizeof v2);
        memcpy(&v3, x[3] + i, sizeof v3);
        memcpy(&yv, y + i, sizeof yv);
        yv += a[0] * v0;
        yv += a[1] * v1;
        yv += a[2] * v2;
        yv += a[3] * v3;
        memcpy(y + i, &yv, sizeof yv);
    }
    for (; i < n; i++) {
        y[i] += a[0] * x[0][i];
        y[i] += a[1] * x[1][i];
        y[i] += a[2] * x[2][i];
        y[i] += a[3] * x[3][i];
    }
}

/* Row r by conjugate gradient on A x = b, A = A0 + sum conf y y',
 * b = sum (1 + conf) y (k = j->k), from the row's previous value (turned into this
 * half-sweep's basis first when there is one).  A p is never formed: A0 p
 * (k or k^2) plus one dot and one axpy per listened pair.  The pass that
 * forms the residual copies the row's fixed-side vectors into `gath`
 * (when not NULL: room for the row's n vectors) as it reads them, so
 * that the cg_steps passes after it read one contiguous block instead of
 * n scattered rows; the arithmetic, and so every bit, is the same. */
__attribute__((always_inline)) static inline void solve_cg(const solve_job *j, int32_t r,
                                                           float *work, float *gath, const int k)
{
    const int diag = j->s->diag;
    const int64_t b0 = j->s->ptr[r], n = j->s->ptr[r + 1] - b0;
    const int32_t *idx = j->s->idx + b0;
    const float *conf = j->s->conf + b0;
    float *x = j->X + (size_t)r * (size_t)k;
    float *res = work, *p = work + k, *Ap = work + 2 * k;

    if (diag) {
        turn(j->Q, x, res, k);
        memcpy(x, res, (size_t)k * sizeof *x);
        lr__vmul(-1.0f, j->A0, x, res, k);
    } else {
        a0_times(j->A0, x, res, k);
        for (int i = 0; i < k; i++)
            res[i] = -res[i];
    }
    /* res = b - A x */
    int64_t e = 0;
    for (; e < PREFETCH_AHEAD && e < n; e++)
        prefetch_y(j->Y, idx, e, n, k);
    /* Four pairs at a time: their dots are independent, and adding their
     * terms to res in pair order keeps the bits of one at a time. */
    for (e = 0; e + 4 <= n; e += 4) {
        const float *y4[4];
        float d[4], a[4];
        for (int q = 0; q < 4; q++) {
            prefetch_y(j->Y, idx, e + q + PREFETCH_AHEAD, n, k);
            y4[q] = pair_y(j->Y, idx, e + q, k);
        }
        vdot4(y4, x, k, d);
        for (int q = 0; q < 4; q++) {
            const float c1 = conf[e + q];
            a[q] = 1.0f + c1 - c1 * d[q];
            if (gath)
                memcpy(gath + (size_t)(e + q) * (size_t)k, y4[q], (size_t)k * sizeof(float));
        }
        vaxpy4_seq(a, y4, res, k);
    }
    for (; e < n; e++) {
        prefetch_y(j->Y, idx, e + PREFETCH_AHEAD, n, k);
        const float *y = pair_y(j->Y, idx, e, k);
        if (gath)
            memcpy(gath + (size_t)e * (size_t)k, y, (size_t)k * sizeof *y);
        const float c1 = conf[e];
        lr__vaxpy(1.0f + c1 - c1 * lr__vdot(y, x, k), y, res, k);
    }
    const float *Y = gath ? gath : j->Y;
    const int32_t *ix = gath ? NULL : idx;
    memcpy(p, res, (size_t)k * sizeof *p);
    float rs_old = lr__vdot(res, res, k);
    for (int it = 0; it < j->cg_steps && rs_old >= CG_EPS; it++) {
        if (diag)
            lr__vmul(1.0f, j->A0, p, Ap, k);
        else
            a0_times(j->A0, p, Ap, k);
        for (e = 0; e < PREFETCH_AHEAD && e < n; e++)
            prefetch_y(Y, ix, e, n, k);
        for (e = 0; e + 4 <= n; e += 4) {
            const float *y4[4];
            float d[4], a[4];
            for (int q = 0; q < 4; q++) {
                prefetch_y(Y, ix, e + q + PREFETCH_AHEAD, n, k);
                y4[q] = pair_y(Y, ix, e + q, k);
            }
            vdot4(y4, p, k, d);
            for (int q = 0; q < 4; q++)
                a[q] = conf[e + q] * d[q];
            vaxpy4_seq(a, y4, Ap, k);
        }
        for (; e < n; e++) {
            prefetch_y(Y, ix, e + PREFETCH_AHEAD, n, k);
            const float *y = pair_y(Y, ix, e, k);
            lr__vaxpy(conf[e] * lr__vdot(y, p, k), y, Ap, k);
        }
        const float a = rs_old / lr__vdot(p, Ap, k);
        lr__vaxpy(a, p, x, k);
        lr__vaxpy(-a, Ap, res, k);
        const float rs_new = lr__vdot(res, res, k);
        if (it + 1 < j->cg_steps)
            lr__vxpby(res, rs_new / rs_old, p, k);
        rs_old = rs_new;
    }
}

/* Row r exactly in the diagonal basis, n = its listened pairs, U their
 * n x k rows, C their c - 1 (all > 0): with z_i = D^-1 y_i and
 * K = U D^-1 U' (K_ij = y_i . z_j), Woodbury's identity gives
 *   x = (D + U'CU)^-1 U'(1 + c) = sum_i ((1 + c_i) - w_i) z_i,
 *   (C^-1 + K) w = K (1 + c),
 * an n x n positive definite system solved in double by Cholesky. */
__attribute__((always_inline)) static inline void solve_woodbury(const solve_job *j, int32_t r,
                                                                 float *work, const int k)
{
    const int64_t b0 = j->s->ptr[r];
    const int n = (int)(j->s->ptr[r + 1] - b0);
    const float *conf = j->s->conf + b0;
    const int32_t *idx = j->s->idx + b0;
    float *z = work; /* n x k */
    double S[WOODBURY_MAX][WOODBURY_MAX], w[WOODBURY_MAX];
    for (int i = 0; i < n; i++)
        prefetch_y(j->Y, idx, i, n, k);
    for (int i = 0; i < n; i++)
        lr__vmul(1.0f, j->Dinv, j->Y + (size_t)idx[i] * (size_t)k, z + (size_t)i * (size_t)k, k);
    for (int i = 0; i < n; i++)
        for (int q = 0; q <= i; q++)
            S[i][q] = S[q][i] =
                lr__vdot(j->Y + (size_t)idx[i] * (size_t)k, z + (size_t)q * (size_t)k, k);
    for (int i = 0; i < n; i++) {
        double t = 0;
        for (int q = 0; q < n; q++)
            t += S[i][q] * (1.0 + conf[q]);
        w[i] = t;
    }
    for (int i = 0; i < n; i++)
        S[i][i] += 1.0 / conf[i];
    /* S = L L' in place (lower), then L L' w = t */
    for (int c = 0; c < n; c++) {
        double d = S[c][c];
        for (int q = 0; q < c; q++)
            d -= S[c][q] * S[c][q];
        d = sqrt(d);
        S[c][c] = d;
        for (int i = c + 1; i < n; i++) {
            double v = S[i][c];
            for (int q = 0; q < c; q++)
                v -= S[i][q] * S[c][q];
            S[i][c] = v / d;
        }
    }
    for (int i = 0; i < n; i++) {
        for (int q = 0; q < i; q++)
            w[i] -= S[i][q] * w[q];
        w[i] /= S[i][i];
    }
    for (int i = n - 1; i >= 0; i--) {
        for (int q = i + 1; q < n; q++)
            w[i] -= S[q][i] * w[q];
        w[i] /= S[i][i];
    }
    float *x = j->X + (size_t)r * (size_t)k;
    memset(x, 0, (size_t)k * sizeof *x);
    for (int i = 0; i < n; i++)
        lr__vaxpy((float)(1.0 + conf[i] - w[i]), z + (size_t)i * (size_t)k, x, k);
}

/* Row r exactly: form A and b, then sposv.  sposv reads the column-major
 * upper triangle, which is row i's first i + 1 entries read row-major:
 * only those are updated. */
__attribute__((always_inline)) static inline int solve_cholesky(const solve_job *j, int32_t r,
                                                                float *work)
{
    const int k = j->k;
    const int64_t b0 = j->s->ptr[r], b1 = j->s->ptr[r + 1];
    float *A = work, *b = work + (size_t)k * (size_t)k;
    memcpy(A, j->A0, (size_t)k * (size_t)k * sizeof *A);
    memset(b, 0, (size_t)k * sizeof *b);
    for (int64_t e = b0; e < b1; e++) {
        const float *y = j->Y + (size_t)j->s->idx[e] * (size_t)k;
        const float c1 = j->s->conf[e];
        for (int i = 0; i < k; i++)
            lr__vaxpy(c1 * y[i], y, A + (size_t)i * (size_t)k, i + 1);
        lr__vaxpy(1.0f + c1, y, b, k);
    }
    lapack_int info = LAPACKE_sposv_work(LAPACK_COL_MAJOR, 'U', k, 1, A, k, b, k);
    if (info > 0)
        return lr__fail(LR_E_NUMERIC,
                        "als: the system of row %d is not positive definite (leading minor %d); "
                        "increase regularization",
                        (int)r, (int)info);
    if (info < 0)
        return lr__fail(LR_E_NUMERIC, "als: sposv rejected argument %d", (int)-info);
    memcpy(j->X + (size_t)r * (size_t)k, b, (size_t)k * sizeof *b);
    return LR_OK;
}

__attribute__((always_inline)) static inline int solve_rows(const solve_job *j, int tid,
                                                           size_t begin, size_t end, const int k)
{
    float *work = j->scratch + (size_t)tid * j->scratch_len;
    float *gbuf = j->gather_rows ? work + j->gather_at : NULL;
    for (size_t t = begin; t < end; t++) { /* chunks of rows */
        for (int32_t r = j->s->bounds[t]; r < j->s->bounds[t + 1]; r++) {
            const int64_t b0 = j->s->ptr[r], b1 = j->s->ptr[r + 1];
            float *x = j->X + (size_t)r * (size_t)k;
            if (b0 == b1) {
                /* Nothing listened: the right-hand side is 0, so is the
                 * exact solution. */
                memset(x, 0, (size_t)k * sizeof *x);
                continue;
            }
            /* the row's fixed-side vectors, once gathered by CG */
            float *gath = b1 - b0 <= j->gather_rows ? gbuf : NULL;
            if (j->solver == LR_SOLVER_CHOLESKY) {
                int rc = solve_cholesky(j, r, work);
                if (rc)
                    return rc;
                gath = NULL;
            } else if (j->s->diag && j->s->exact[r]) {
                solve_woodbury(j, r, work, k);
                gath = NULL;
            } else {
                solve_cg(j, r, work, gath, k);
            }
            if (j->obs) {
                const int32_t *ix = gath ? NULL : j->s->idx + b0;
                const float *Y = gath ? gath : j->Y;
                const int64_t n = b1 - b0;
                double o = 0, q = 0;
                for (int64_t e = 0; e < PREFETCH_AHEAD && e < n; e++)
                    prefetch_y(Y, ix, e, n, k);
                int64_t e = 0;
                for (; e + 4 <= n; e += 4) {
                    const float *y4[4];
                    float d[4];
                    for (int i = 0; i < 4; i++) {
                        prefetch_y(Y, ix, e + i + PREFETCH_AHEAD, n, k);
                        y4[i] = pair_y(Y, ix, e + i, k);
                    }
                    vdot4(y4, x, k, d);
                    for (int i = 0; i < 4; i++) {
                        const double s = d[i];
                        o += (1.0 + j->s->conf[b0 + e + i]) * (1.0 - s) * (1.0 - s);
                        q += s * s;
                    }
                }
                for (; e < n; e++) {
                    prefetch_y(Y, ix, e + PREFETCH_AHEAD, n, k);
                    const double s = lr__vdot(pair_y(Y, ix, e, k), x, k);
                    o += (1.0 + j->s->conf[b0 + e]) * (1.0 - s) * (1.0 - s);
                    q += s * s;
                }
                j->obs[r] = o;
                j->sq[r] = q;
            }
        }
    }
    return LR_OK;
}

/* k = 64, the default, as a constant: the compiler then unrolls the
 * k-loops of the row solvers and keeps vectors in registers (a fifth
 * less time per sweep), with the same operations in the same order. */
LR__HOT static int solve_range(void *ctx, int tid, size_t begin, size_t end)
{
    const solve_job *j = ctx;
    if (j->k == 64)
        return solve_rows(j, tid, begin, end, 64);
    return solve_rows(j, tid, begin, end, j->k);
}

/* ---------------------------------------------------------------- fit */

typedef lr__als_work als_work;

void lr__als_work_free(als_work *w)
{
    side *sides[] = {&w->su, &w->sa};
    for (int i = 0; i < 2; i++) {
        free(sides[i]->conf);
        free(sides[i]->exact);
        free(sides[i]->bounds);
    }
    free(w->z.idf);
    free(w->z.norm);
    free(w->G);
    free(w->GX);
    free(w->A0);
    free(w->Dinv);
    free(w->Q);
    free(w->w);
    free(w->scratch);
    free(w->part);
    eig_free(&w->eig);
    free(w->obs);
    free(w->sq);
}

/* A Gram matrix of non-finite values means a factor went non-finite:
 * name it (lr__check_finite says which matrix and where). */
static int finite_or_fail(const lr_model *m, const float *G, int k, int sweep)
{
    for (size_t i = 0; i < (size_t)k * (size_t)k; i++)
        if (!isfinite(G[i])) {
            int rc = lr__check_finite(m->user_f, (size_t)m->n_users * (size_t)k,
                                      "als: user factors", advice);
            if (rc == LR_OK)
                rc = lr__check_finite(m->artist_f, (size_t)m->n_artists * (size_t)k,
                                      "als: artist factors", advice);
            if (rc == LR_OK) /* finite, but their squares overflow */
                rc = lr__fail(LR_E_NUMERIC, "als: the factors overflowed in sweep %d; %s",
                              sweep, advice);
            return rc;
        }
    return LR_OK;
}

/* Solve every row of side s (factors X) given the fixed side (factors F,
 * rows fs, Gram matrix GF).  In the diagonal basis F is turned here and
 * X's rows as they are solved; the eigenvalues are left in w->w (F's Gram
 * matrix in the new basis is their diagonal). */
int lr__als_half_sweep(als_work *w, solve_job *job, const side *s, float *X, const side *fs,
                       float *F, const float *GF, float lambda, int threads)
{
    const int k = job->k;
    int rc;
    if (s->diag) {
        if ((rc = eig_sym(&w->eig, GF, w->w, w->Q)) != LR_OK)
            return rc;
        turn_job tj = {w->Q, F, fs, k, w->scratch, w->scratch_len};
        if ((rc = run_chunks(threads, ((size_t)fs->rows + ROWS_PER_CHUNK - 1) / ROWS_PER_CHUNK,
                             turn_range, &tj)) != LR_OK)
            return rc;
        for (int i = 0; i < k; i++) {
            w->A0[i] = w->w[i] + lambda;
            w->Dinv[i] = 1.0f / w->A0[i];
        }
    } else {
        memcpy(w->A0, GF, (size_t)k * (size_t)k * sizeof *w->A0);
        for (int i = 0; i < k; i++)
            w->A0[(size_t)i * (size_t)k + (size_t)i] += lambda;
    }
    job->s = s;
    job->X = X;
    job->Y = F;
    return run_chunks(threads, (size_t)s->chunks, solve_range, job);
}

int lr__als_work_alloc(als_work *w, int k, int solver, int threads, size_t max_rows,
                       size_t obs_rows)
{
    const size_t kk = (size_t)k * (size_t)k;
    w->G = lr__malloc(kk, sizeof *w->G);
    w->GX = lr__malloc(kk, sizeof *w->GX);
    w->A0 = lr__malloc(kk, sizeof *w->A0);
    w->Dinv = lr__malloc((size_t)k, sizeof *w->Dinv);
    w->Q = lr__malloc(kk, sizeof *w->Q);
    w->w = lr__malloc((size_t)k, sizeof *w->w);
    w->scratch_len = solver == LR_SOLVER_CHOLESKY ? kk + (size_t)k
                                                  : (size_t)k * (WOODBURY_MAX > 3 ? WOODBURY_MAX : 3);
    w->gather_rows = 0;
    if (solver == LR_SOLVER_CG) {
        /* room for the longest row's vectors, within GATHER_BYTES */
        const side *sides[] = {&w->su, &w->sa};
        for (int i = 0; i < 2; i++)
            for (int32_t r = 0; r < sides[i]->rows; r++)
                if (sides[i]->ptr[r + 1] - sides[i]->ptr[r] > w->gather_rows)
                    w->gather_rows = sides[i]->ptr[r + 1] - sides[i]->ptr[r];
        const int64_t cap = (int64_t)(GATHER_BYTES / ((size_t)k * sizeof(float)));
        if (w->gather_rows > cap)
            w->gather_rows = cap;
    }
    w->gather_at = w->scratch_len;
    w->scratch_len += (size_t)w->gather_rows * (size_t)k;
    w->scratch = lr__malloc((size_t)threads * w->scratch_len, sizeof *w->scratch);
    w->part = lr__malloc((max_rows + GRAM_ROWS - 1) / GRAM_ROWS * kk, sizeof *w->part);
    w->obs = lr__malloc(obs_rows, sizeof *w->obs);
    w->sq = lr__malloc(obs_rows, sizeof *w->sq);
    if (!w->G || !w->GX || !w->A0 || !w->Dinv || !w->Q || !w->w || !w->scratch || !w->part ||
        !w->obs || !w->sq)
        return lr__fail_oom("als's factors and Gram matrices");
    if (w->su.diag || w->sa.diag)
        return eig_init(&w->eig, k);
    return LR_OK;
}

static int als_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_dataset *ds = ctx->train;
    const lr_options *o = &m->opts;
    const int k = (int)lr__opt_int(o, LR_OPT_FACTORS);
    const int epochs = (int)lr__opt_int(o, LR_OPT_EPOCHS);
    const int t = (int)lr__opt_int(o, LR_OPT_TRANSFORM);
    const int solver = (int)lr__opt_int(o, LR_OPT_SOLVER);
    const int steps = (int)lr__opt_int(o, LR_OPT_CG_STEPS);
    const float alpha = (float)lr__opt_double(o, LR_OPT_ALPHA);
    const float lambda = (float)lr__opt_double(o, LR_OPT_REGULARIZATION);
    const int threads = lr__opt_threads(o);
    const int32_t nu = ds->n_users, na = ds->n_artists;
    const size_t kk = (size_t)k * (size_t)k;

    als_work w = {0};
    int rc = LR_OK;
    if (t == LR_TRANSFORM_BM25 && (rc = bm25_init(&w.z, ds, o)) != LR_OK)
        goto done;
    if ((rc = lr__als_make_side(&w.su, &ds->listens, 1, t, alpha, &w.z)) != LR_OK ||
        (rc = lr__als_make_side(&w.sa, &ds->by_artist, 0, t, alpha, &w.z)) != LR_OK)
        goto done;
    if (solver == LR_SOLVER_CG) {
        w.su.diag = lr__als_use_diag(w.sa.listened, w.su.warm, w.su.listened, steps);
        w.sa.diag = lr__als_use_diag(w.su.listened, w.sa.warm, w.sa.listened, steps);
    }
    if ((rc = lr__als_balance(&w.su, threads, k, solver, steps, 0, nu)) != LR_OK ||
        (rc = lr__als_balance(&w.sa, threads, k, solver, steps, 0, na)) != LR_OK)
        goto done;

    m->k = k;
    m->user_f = lr__malloc((size_t)nu * (size_t)k, sizeof(float));
    m->artist_f = lr__malloc((size_t)na * (size_t)k, sizeof(float));
    if (!m->user_f || !m->artist_f) {
        rc = lr__fail_oom("als's factors and Gram matrices");
        goto done;
    }
    if ((rc = lr__als_work_alloc(&w, k, solver, threads, (size_t)(nu > na ? nu : na),
                                 (size_t)na)) != LR_OK)
        goto done;
    /* read at random rows: see the header's "Memory" */
    lr__advise_huge(m->user_f, (size_t)nu * (size_t)k * sizeof(float));
    lr__advise_huge(m->artist_f, (size_t)na * (size_t)k * sizeof(float));

    const uint64_t seed = (uint64_t)lr__opt_int(o, LR_OPT_SEED);
    const double scale = lr__opt_double(o, LR_OPT_INIT_SCALE);
    if ((rc = lr__als_init(m->user_f, &w.su, k, scale, seed, 0, threads)) != LR_OK ||
        (rc = lr__als_init(m->artist_f, &w.sa, k, scale, seed, (uint64_t)nu, threads)) != LR_OK)
        goto done;

    solve_job job = {k, solver, steps, w.A0, w.Dinv, w.Q, NULL, NULL, NULL,
                     w.scratch, w.scratch_len, NULL, NULL, w.gather_rows, w.gather_at};
    if ((rc = lr__als_gram(m->artist_f, &w.sa, k, w.part, threads, w.G)) != LR_OK)
        goto done;
    for (int ep = 0; ep < epochs; ep++) {
        /* users, given the artists */
        if ((rc = finite_or_fail(m, w.G, k, ep + 1)) != LR_OK)
            goto done;
        job.obs = job.sq = NULL;
        if ((rc = lr__als_half_sweep(&w, &job, &w.su, m->user_f, &w.sa, m->artist_f, w.G, lambda,
                             threads)) != LR_OK)
            goto done;

        /* artists, given the users */
        if ((rc = lr__als_gram(m->user_f, &w.su, k, w.part, threads, w.GX)) != LR_OK ||
            (rc = finite_or_fail(m, w.GX, k, ep + 1)) != LR_OK)
            goto done;
        job.obs = w.obs;
        job.sq = w.sq;
        if ((rc = lr__als_half_sweep(&w, &job, &w.sa, m->artist_f, &w.su, m->user_f, w.GX, lambda,
                             threads)) != LR_OK)
            goto done;
        if (w.sa.diag) { /* X'X in the new basis is diag(w) (to rounding) */
            memset(w.GX, 0, kk * sizeof *w.GX);
            for (int i = 0; i < k; i++)
                w.GX[(size_t)i * (size_t)k + (size_t)i] = w.w[i];
        }
        /* the next sweep's Y'Y, and the loss's */
        if ((rc = lr__als_gram(m->artist_f, &w.sa, k, w.part, threads, w.G)) != LR_OK ||
            (rc = finite_or_fail(m, w.G, k, ep + 1)) != LR_OK)
            goto done;

        /* sum over all pairs of (x.y)^2 = <X'X, Y'Y> (Frobenius), so the
         * loss needs only the listened pairs explicitly:
         * sum_all c (p - s)^2 = sum_listened [c (1 - s)^2 - s^2] + <X'X, Y'Y> */
        double all_sq = 0, nx = 0, ny = 0, o_sum = 0, sq_sum = 0;
        for (size_t i = 0; i < kk; i++)
            all_sq += (double)w.GX[i] * (double)w.G[i];
        for (int i = 0; i < k; i++) {
            nx += w.GX[(size_t)i * (size_t)k + (size_t)i];
            ny += w.G[(size_t)i * (size_t)k + (size_t)i];
        }
        for (int32_t a = 0; a < na; a++)
            if (w.sa.ptr[a + 1] > w.sa.ptr[a]) {
                o_sum += w.obs[a];
                sq_sum += w.sq[a];
            }
        double row[LR__HIST_FIELDS];
        lr__history_row_init(row);
        row[LR_HISTORY_LOSS_OBSERVED - 1] = o_sum;
        row[LR_HISTORY_LOSS_L2 - 1] = (double)lambda * (nx + ny);
        row[LR_HISTORY_LOSS - 1] = o_sum - sq_sum + all_sq + (double)lambda * (nx + ny);
        if (!isfinite(row[LR_HISTORY_LOSS - 1])) {
            rc = lr__fail(LR_E_NUMERIC, "als: the training loss overflowed in sweep %d; %s",
                          ep + 1, advice);
            goto done;
        }
        if ((rc = lr__history_epoch(m, ctx, row, (uint64_t)ep + 1, (uint64_t)epochs)) != LR_OK)
            goto done;
    }

done:
    lr__als_work_free(&w);
    return rc;
}

const lr__algo lr__algo_als = {LR_ALGO_ALS, "als", als_defaults, als_fit};
