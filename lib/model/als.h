/* The pieces of implicit ALS (lib/model/als.c) that a fit over several
 * processes reuses.  SPDX-License-Identifier: MIT
 *
 * liblastrec-mpi (mpi/) runs the same per-row solvers, Gram matrices,
 * rotations and initial values as the single-process fit, on the rows of
 * its shard, so that its factors are the single-process fit's bit for bit.
 * It links liblastrec's static library, where these lr__ symbols stay
 * reachable; they are never exported from liblastrec.so.
 *
 * A side's rows are always the whole side (all users, or all artists), in
 * dense-index order, because factor rows are addressed by dense index.  A
 * process that holds only some rows' listens leaves the others empty; what
 * must reflect every row's listens (which rows are zero in the Gram matrix,
 * the rotation and the start) takes a side whose ptr has every row's count
 * (idx and conf may then be NULL: only ptr is read).
 */
#ifndef LR_MODEL_ALS_H
#define LR_MODEL_ALS_H

#include "lastrec.h"
#include "core/options.h"
#include "data/sparse.h"

#include <lapacke.h>
#include <stddef.h>
#include <stdint.h>

/* The rows of one side: its listened pairs (a CSR pattern) with
 * c - 1 = alpha t(w), the only per-pair number the solver needs. */
typedef struct lr__als_side {
    int32_t rows;
    const int64_t *ptr;   /* borrowed: [rows + 1] */
    const int32_t *idx;   /* borrowed: [ptr[rows]] the other side's rows */
    float *conf;          /* owned: c - 1 per stored pair */
    unsigned char *exact; /* owned: per row, 1 when Woodbury applies (1..WOODBURY_MAX pairs, all c > 1) */
    int32_t listened;     /* rows with a pair */
    int32_t warm;         /* listened rows CG must solve from their previous value */
    int diag;             /* solved in the fixed side's eigenbasis (set per fit) */
    int32_t *bounds;      /* owned: [chunks + 1] row ranges of about equal work */
    int32_t chunks;
} lr__als_side;

/* BM25 (as implicit's bm25_weight on the user x artist matrix): idf of
 * artist a from the number of users, length normalisation per user row. */
typedef struct lr__als_bm25 {
    double k1, b;
    double *idf;  /* owned: [artists] */
    double *norm; /* owned: [users] (1 - B) + B * row sum / mean row sum */
} lr__als_bm25;

/* Allocate z for nu users and na artists and read k1 and b from o. */
int lr__als_bm25_alloc(lr__als_bm25 *z, const lr_options *o, int32_t nu, int32_t na);
/* idf[a] from df, the number of users who listened to a, of n users. */
void lr__als_bm25_set_idf(lr__als_bm25 *z, int32_t a, double n, int64_t df);
/* On entry norm[u] holds user u's sum of listen counts (added in double,
 * in the row's order); on return the normalisation. */
void lr__als_bm25_normalise(lr__als_bm25 *z, int32_t nu);

/* The confidences of one orientation: rows of m are users when by_user,
 * artists otherwise; z is read only under the BM25 transform.  m is
 * borrowed by s (ptr, idx). */
int lr__als_make_side(lr__als_side *s, const lr__csr *m, int by_user, int t, float alpha,
                      const lr__als_bm25 *z);

/* Split rows [r0, r1) of s into contiguous chunks of about equal work,
 * threads * 16 of them at most; s solves only those rows. */
int lr__als_balance(lr__als_side *s, int threads, int k, int solver, int steps, int32_t r0,
                    int32_t r1);

/* The work space of a fit: Gram matrices, rotation, eigen solver,
 * per-thread scratch, per-row loss terms. */
/* The symmetric eigendecomposition of a k x k Gram matrix (als.c says
 * why it is done there and not by ssyevd).  Every pointer owned. */
typedef struct lr__als_eig {
    int k;
    double *A;     /* k x k row-major: the matrix being reduced */
    double *V;     /* row j: the Householder vector of step j */
    double *Z;     /* k x k column-major: Q, then the eigenvectors */
    double *d, *e; /* diagonal and off-diagonal of the tridiagonal matrix */
    double *beta, *p;
    double *work;
    lapack_int *iwork;
    lapack_int lwork, liwork;
} lr__als_eig;

typedef struct lr__als_work {
    lr__als_side su, sa;
    lr__als_bm25 z;
    float *G, *GX, *A0, *Dinv, *Q, *w, *scratch, *part;
    size_t scratch_len;
    int64_t gather_rows; /* as in lr__als_solve_job, set by lr__als_work_alloc */
    size_t gather_at;
    lr__als_eig eig;
    double *obs, *sq;
} lr__als_work;

/* Allocate w's matrices for k factors (after su and sa are made and their
 * diag set): Gram partials for up to max_rows rows, obs and sq for
 * obs_rows rows. */
int lr__als_work_alloc(lr__als_work *w, int k, int solver, int threads, size_t max_rows,
                       size_t obs_rows);
void lr__als_work_free(lr__als_work *w);

/* One half-sweep's row job. */
typedef struct lr__als_solve_job {
    int k, solver, cg_steps;
    const float *A0;   /* diag: the k entries of D = w + lambda; else k x k
                        * Y'Y + lambda I, both triangles */
    const float *Dinv; /* diag: 1 / D */
    const float *Q;    /* diag: the turn of this half-sweep, for CG rows */
    const lr__als_side *s;
    float *X;          /* [rows x k] solved in place */
    const float *Y;    /* the fixed side */
    float *scratch;    /* per thread */
    size_t scratch_len;
    /* When not NULL, per row after its solve: sum c (1 - s)^2 and sum s^2
     * over its listened pairs, s = x . y; the loss from them is a
     * sequential sum, so it too is independent of threads. */
    double *obs, *sq;
    /* CG rows of at most gather_rows pairs copy their fixed-side vectors
     * to the thread's scratch, gather_at floats in (0: never). */
    int64_t gather_rows;
    size_t gather_at;
} lr__als_solve_job;

/* Random start of the rows of F (shape from s: rows without listens are
 * 0), one RNG stream per row, stream0 + row: the start does not depend on
 * the thread count, nor on which process draws which row. */
int lr__als_init(float *F, const lr__als_side *s, int k, double scale, uint64_t seed,
                 uint64_t stream0, int threads);

/* G = F'F (k x k, both triangles) for F [s->rows x k] row-major, skipping
 * the rows s says are empty; part holds the fixed-size partials. */
int lr__als_gram(const float *F, const lr__als_side *s, int k, float *part, int threads,
                 float *G);

/* Solve the rows of side s that lr__als_balance gave it (factors X) given
 * the fixed side (factors F, shape fs, Gram matrix GF).  In the diagonal
 * basis (s->diag) every nonzero row of F is turned here and X's rows as
 * they are solved; the eigenvalues are left in w->w (F's Gram matrix in
 * the new basis is their diagonal). */
int lr__als_half_sweep(lr__als_work *w, lr__als_solve_job *job, const lr__als_side *s, float *X,
                       const lr__als_side *fs, float *F, const float *GF, float lambda,
                       int threads);

/* Whether a side is solved in its fixed side's eigenbasis under CG: the
 * basis pays for turning the fixed side's rows and the solved side's CG
 * rows (k^2 each) and saves k^2 per CG product.  Counts over all rows. */
static inline int lr__als_use_diag(int64_t fixed_listened, int64_t warm, int64_t listened,
                                   int steps)
{
    return fixed_listened + warm < (int64_t)(steps + 1) * listened;
}

#endif
