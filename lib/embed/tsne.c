/* t-SNE (see tsne.h).  SPDX-License-Identifier: MIT
 *
 * What it computes (for docs/embed.md):
 *
 * Input distances.  "euclidean": the squared Euclidean distance |x_i -
 * x_j|^2.  "cosine": the rows are normalised, the cosine distance is 1 -
 * cos(x_i, x_j) (a zero row, which has no direction, is at 1 from every
 * non-zero row and at 0 from the other zero rows: knn.h), and the
 * affinities use its square, (1 - cos)^2: scikit-learn's
 * TSNE(metric="cosine") squares the distances its neighbour search gives
 * for every metric (since 1.1), and so do we, so the two compute the same
 * P.  On unit rows |u_i - u_j|^2 = 2 - 2 cos, so the neighbours are those
 * of the Euclidean metric on the normalised rows.
 *
 * Neighbours.  k = min(n - 1, floor(3 perplexity + 1)) exact nearest
 * neighbours per point (knn.h: blocked sgemm, then distances recomputed in
 * double; beyond ~10^5 points one would use an approximate graph, knn.h
 * says which).
 *
 * Affinities.  Per point, bisection (with Newton steps inside the
 * bracket) on the Gaussian precision beta_i until
 * the entropy of p_{j|i} ~ exp(-beta_i d_ij) over its k neighbours is
 * log(perplexity) within 1e-5; then P = (C + C') / (2n), sparse.  A point
 * whose nearest distances all tie (under cosine, the zero vectors ALS
 * leaves for artists without training listens) cannot reach the target:
 * it spreads its mass uniformly over the ties.
 *
 * Optimisation (as scikit-learn 1.2 and van der Maaten 2014): gradient
 * 4 (alpha sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z),
 * w_ij = 1 / (1 + |y_i - y_j|^2), Z = sum_{i != j} w_ij, alpha = the early
 * exaggeration for the first exaggeration_iters iterations and 1 after;
 * momentum 0.5 during exaggeration, 0.8 after; per-coordinate gains (+0.2
 * when the gradient changes sign against the last step, x0.8 otherwise,
 * at least 0.01); learning rate "auto" = max(n / exaggeration / 4, 50)
 * (scikit-learn 1.2; openTSNE's n / exaggeration without the factor 4 in
 * the gradient is the same step).  The attractive sum runs over P's
 * nonzeros (in float: point_forces says why that is enough); the
 * repulsive one by method: FFT-accelerated interpolation (fftrep.h; a map
 * too wide for its largest grid takes Barnes-Hut for that iteration) or
 * Barnes-Hut on a quadtree (bhtree.h; a cell whose points span s at
 * distance r stands for them when s < theta r: their extent rather than
 * the cell's side, a tighter test than scikit-learn's that visits fewer
 * cells for the same accuracy), or over all pairs when theta = 0 (either
 * method).  Each point's forces are summed in a fixed order and Z's
 * per-point parts are added in index order, so the map is the same bit
 * for bit for any number of threads.
 *
 * KL divergence.  Every 50 iterations (to the progress callback, stage
 * "tsne kl=<value>", done = iterations so far, and for the tolerance) the
 * KL of the map before that iteration's step, over P's nonzeros, with the
 * method's estimate of Z from the same gradient pass, and always against
 * the true P (not the exaggerated one).  The final KL (lr__tsne_out.kl) is
 * exact: over P's nonzeros with Z summed over all pairs (n^2 / 2 kernel
 * evaluations, a fraction of a second at 17,632 points), for n up to
 * 100,000; beyond, Z is the method's estimate.  The KL tolerance stops
 * the run at a check after the exaggeration when the KL fell by less than
 * it since the previous check.
 *
 * Comparing with scikit-learn.  scikit-learn's kl_divergence_ (method
 * "barnes_hut") is not this KL: it sums p log((p + 1e-6) / (q + 1e-6)) in
 * float32 with its Barnes-Hut Z, and at 17,632 points, where most p and q
 * are below 1e-6, that reads far low (1.94 for a map whose exact KL under
 * its own P is 3.41).  Compare maps under one P with one formula:
 * bench/bench_tsne_sklearn.py computes scikit-learn's P and both maps' KL
 * under it, exactly and by scikit-learn's formula.
 *
 * Neighbourhood preservation: the mean over points of |N10_input(i) ∩
 * N10_map(i)| / 10, N10 the 10 nearest other points (by the input distance
 * above, ties by lower index; exact on the map, knn.h), min(10, n - 1)
 * when there are fewer points.
 *
 * Initial map: the caller's (tsne.h).  Current practice (scikit-learn 1.2,
 * openTSNE) is the first two principal components scaled so that the
 * first has standard deviation 1e-4.
 */
#include "embed/tsne.h"
#include "embed/bhtree.h"
#include "embed/fftrep.h"
#include "embed/knn.h"
#include "embed/tsne_impl.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/hot.h"
#include "core/team.h"
#include "core/threads.h"

#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Iterations between KL checks (progress, tolerance). */
#define CHECK_EVERY 50
/* Above this many points the final KL's Z is the method's estimate. */
#define EXACT_KL_MAX 100000
/* Points per chunk a thread takes in a gradient pass. */
#define CHUNK 256
/* Lanes of the attractive sums (point_forces). */
#define ALANES 16
/* Under LR__TSNE_FFT, the most grid cells per point (forces_pass). */
#define FFT_CELLS 32
/* Lanes of the exact Z (z_row). */
#define ZLANES 8
/* The entropy tolerance of the search and its step cap. */
#define ENTROPY_TOL 1e-5
#define BISECT_STEPS 200

void lr__tsne_p_free(lr__tsne_p *P)
{
    free(P->rowptr);
    free(P->col);
    free(P->val);
    *P = (lr__tsne_p){0};
}

/* ---------------------------------------------------------- affinities */

typedef struct cond_job {
    const double *dist;
    int32_t k;
    double target;
    double *p, *beta;
} cond_job;

static int cond_rows(void *ctx, int tid, size_t begin, size_t end)
{
    const cond_job *J = ctx;
    const int32_t k = J->k;
    /* A copy of the row, so that p may be dist itself. */
    double *d = lr__malloc((size_t)k, sizeof *d);
    if (!d)
        return lr__fail_oom("a t-SNE row's distances");
    for (size_t i = begin; i < end; i++) {
        lr__copy(d, J->dist + i * (size_t)k, (size_t)k, sizeof *d);
        double *p = J->p + i * (size_t)k;
        /* Distances relative to the nearest: the same distribution, and
         * exp never underflows for all of them at once. */
        double dmin = d[0], mean = 0.0;
        for (int32_t c = 1; c < k; c++)
            dmin = d[c] < dmin ? d[c] : dmin;
        for (int32_t c = 0; c < k; c++)
            mean += d[c] - dmin;
        mean /= k;
        double beta = mean > 0.0 ? 1.0 / mean : 1.0, lo = 0.0, hi = INFINITY;
        for (int step = 0; step < BISECT_STEPS; step++) {
            double s = 0.0, sd = 0.0, sdd = 0.0;
            for (int32_t c = 0; c < k; c++) {
                const double dc = d[c] - dmin, e = exp(-beta * dc);
                p[c] = e;
                s += e;
                sd += e * dc;
                sdd += e * dc * dc;
            }
            const double mu = sd / s, h = log(s) + beta * mu;
            for (int32_t c = 0; c < k; c++)
                p[c] /= s;
            const double diff = h - J->target;
            if (fabs(diff) < ENTROPY_TOL)
                break;
            if (step == BISECT_STEPS - 1)
                break; /* keep the last p: as close as it gets */
            if (diff > 0.0)
                lo = beta;
            else
                hi = beta;
            /* Newton's step (dH/dbeta = -beta Var(d)) while it stays inside
             * the bracket, which it does near the root in a few steps;
             * otherwise double or bisect. */
            const double var = sdd / s - mu * mu;
            const double nb = var > 0.0 ? beta + diff / (beta * var) : NAN;
            if (nb > lo && nb < hi)
                beta = nb;
            else if (diff > 0.0)
                beta = isinf(hi) ? 2.0 * beta : 0.5 * (beta + hi);
            else
                beta = 0.5 * (beta + lo);
        }
        if (J->beta)
            J->beta[i] = beta;
    }
    free(d);
    return LR_OK;
}

int lr__tsne_conditional(const double *dist, int32_t n, int32_t k, double perplexity,
                         int threads, double *p, double *beta)
{
    cond_job J = {dist, k, log(perplexity), p, beta};
    return lr__parallel_for(threads, (size_t)n, cond_rows, &J);
}

typedef struct entry {
    int32_t col;
    double val;
} entry;

static int entry_cmp(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return (x->col > y->col) - (x->col < y->col);
}

int lr__tsne_symmetrize(const int32_t *idx, const double *p, int32_t n, int32_t k,
                        lr__tsne_p *P)
{
    *P = (lr__tsne_p){0};
    const size_t nk = (size_t)n * (size_t)k;
    int64_t *start = lr__calloc((size_t)n + 1, sizeof *start);
    int64_t *fill = lr__malloc((size_t)n, sizeof *fill);
    entry *e = lr__malloc(2 * nk, sizeof *e);
    P->rowptr = lr__malloc((size_t)n + 1, sizeof *P->rowptr);
    if (!start || !fill || !e || !P->rowptr) {
        free(start);
        free(fill);
        free(e);
        lr__tsne_p_free(P);
        return lr__fail_oom("t-SNE's affinities");
    }
    P->n = n;
    /* Row i holds its own k entries and one for each point that has i
     * among its neighbours. */
    for (size_t t = 0; t < nk; t++) {
        start[t / (size_t)k + 1]++;
        start[idx[t] + 1]++;
    }
    for (int32_t i = 0; i < n; i++)
        start[i + 1] += start[i];
    for (int32_t i = 0; i < n; i++)
        fill[i] = start[i];
    for (size_t t = 0; t < nk; t++) {
        const int32_t i = (int32_t)(t / (size_t)k), j = idx[t];
        e[fill[i]++] = (entry){j, p[t]};
        e[fill[j]++] = (entry){i, p[t]};
    }
    /* Sort each row by column and merge the pairs that both points hold:
     * a sum of two, the same in any order. */
    int64_t nnz = 0;
    for (int32_t i = 0; i < n; i++) {
        entry *r = e + start[i];
        const int64_t len = start[i + 1] - start[i];
        qsort(r, (size_t)len, sizeof *r, entry_cmp);
        P->rowptr[i] = nnz;
        for (int64_t a = 0; a < len; a++) {
            if (a > 0 && r[a].col == e[nnz - 1].col && nnz > P->rowptr[i])
                e[nnz - 1].val += r[a].val;
            else
                e[nnz++] = r[a];
        }
    }
    P->rowptr[n] = nnz;
    free(start);
    free(fill);
    P->col = lr__malloc((size_t)nnz, sizeof *P->col);
    P->val = lr__malloc((size_t)nnz, sizeof *P->val);
    if (!P->col || !P->val) {
        free(e);
        lr__tsne_p_free(P);
        return lr__fail_oom("t-SNE's symmetric affinities");
    }
    const double scale = 1.0 / (2.0 * (double)n);
    for (int64_t t = 0; t < nnz; t++) {
        P->col[t] = e[t].col;
        P->val[t] = e[t].val * scale;
    }
    free(e);
    return LR_OK;
}

/* ------------------------------------------------------------ gradient */

typedef struct grad_ws {
    const lr__tsne_p *P;
    const double *y;
    int32_t n;
    double theta2;
    int exact;            /* theta = 0: every pair */
    int method;           /* LR__TSNE_BARNES_HUT or LR__TSNE_FFT */
    int use_fft;          /* this pass's repulsion is by FFT (a map too wide
                             for the grid falls back to the tree) */
    int want_kl;          /* this pass also sums p log(1 + d^2) per point */
    lr__bhtree tree;
    lr__fftrep fft;
    double *attr, *rep;   /* [2n] per point */
    double *zi, *lw;      /* [n] per point: its part of Z, of sum p log(1 + d^2) */
    float *xf, *yf;       /* [n] the map's coordinates in float, per axis, for
                             the attractive sums */
    float *pf;            /* P's values in float for the attractive sums: the pass
                             streams P whole, and memory, not arithmetic, bounds it */
    atomic_int next;      /* the next chunk to take */
    atomic_int fft_done;  /* the FFT's grid is ready to read */
    int chunks;
} grad_ws;

LR__HOT static void point_forces(grad_ws *w, int32_t i)
{
    const double *y = w->y;
    const double yx = y[2 * (size_t)i], yy = y[2 * (size_t)i + 1];
    const lr__tsne_p *P = w->P;
    /* In float, in ALANES lanes (one AVX-512 vector, two AVX2 ones) that
     * the compiler keeps as vectors with gathers of the coordinates; each
     * lane sums a fixed share of the row, and the lanes are combined in
     * double in lane order, so the bits do not depend on the vector width
     * the machine has (no fused multiply-adds under -std=c11: hot.h).  A
     * row has about 3 x perplexity terms, so float's rounding stays near
     * 1e-6 of the force, far below what the repulsion's approximation
     * leaves. */
    const float *restrict xf = w->xf, *restrict yf = w->yf, *restrict pf = w->pf;
    const int32_t *restrict col = P->col;
    const float fx = xf[i], fy = yf[i];
    float lx[ALANES], ly[ALANES];
    for (int l = 0; l < ALANES; l++)
        lx[l] = ly[l] = 0.0f;
    const int64_t end = P->rowptr[i + 1];
    int64_t t = P->rowptr[i];
    for (; t + ALANES <= end; t += ALANES)
        for (int l = 0; l < ALANES; l++) {
            const int32_t j = col[t + l];
            const float dx = fx - xf[j], dy = fy - yf[j];
            const float pq = pf[t + l] / (1.0f + dx * dx + dy * dy);
            lx[l] += pq * dx;
            ly[l] += pq * dy;
        }
    for (int l = 0; t < end; t++, l++) {
        const int32_t j = col[t];
        const float dx = fx - xf[j], dy = fy - yf[j];
        const float pq = pf[t] / (1.0f + dx * dx + dy * dy);
        lx[l] += pq * dx;
        ly[l] += pq * dy;
    }
    double ax = 0.0, ay = 0.0;
    for (int l = 0; l < ALANES; l++) {
        ax += lx[l];
        ay += ly[l];
    }
    double lw = 0.0;
    /* sum p log(1 + d^2) for the KL: only at checks */
    if (w->want_kl)
        for (t = P->rowptr[i]; t < end; t++) {
            const int32_t j = P->col[t];
            const double dx = yx - y[2 * (size_t)j], dy = yy - y[2 * (size_t)j + 1];
            lw += P->val[t] * log1p(dx * dx + dy * dy);
        }
    w->attr[2 * (size_t)i] = ax;
    w->attr[2 * (size_t)i + 1] = ay;
    w->lw[i] = lw;
    /* The FFT's sums come from their own tasks (forces_member). */
    if (w->use_fft)
        return;
    double rx = 0.0, ry = 0.0, z = 0.0;
    if (w->exact) {
        for (int32_t j = 0; j < w->n; j++) {
            if (j == i)
                continue;
            const double dx = yx - y[2 * (size_t)j], dy = yy - y[2 * (size_t)j + 1];
            const double q = 1.0 / (1.0 + dx * dx + dy * dy);
            z += q;
            rx += q * q * dx;
            ry += q * q * dy;
        }
    } else {
        lr__bhtree_repulse(&w->tree, i, w->theta2, &rx, &ry, &z);
    }
    w->rep[2 * (size_t)i] = rx;
    w->rep[2 * (size_t)i + 1] = ry;
    w->zi[i] = z;
}

/* A member's part of a pass: tasks taken in turn from a shared counter,
 * so a slow thread takes fewer; each task's result does not depend on who
 * runs it.  The tasks are chunks of points, in tree order under
 * Barnes-Hut, so neighbours in a chunk walk the same cells.  Under the
 * FFT the first task is the grid's work (all its stages, on one member:
 * a meeting of all members between stages costs more than it saves on a
 * busy machine), the next ones the chunks' attractive sums, which do not
 * need it, and the last ones the chunks' reads from the grid, which wait
 * for it (rarely: it was taken first). */
static void forces_member(lr__team *team, void *ctx, int tid)
{
    grad_ws *w = ctx;
    const int tasks = w->use_fft ? 1 + 2 * w->chunks : w->chunks;
    for (;;) {
        int c = atomic_fetch_add(&w->next, 1);
        if (c >= tasks)
            return;
        if (w->use_fft && c == 0) {
            for (int t = 0; t < LR__FFTREP_FORWARD_TASKS; t++)
                lr__fftrep_forward(&w->fft, t);
            for (int g = 0; g < LR__FFTREP_GRIDS; g++)
                lr__fftrep_inverse(&w->fft, g);
            atomic_store_explicit(&w->fft_done, 1, memory_order_release);
            continue;
        }
        if (w->use_fft && c > w->chunks) {
            c -= w->chunks + 1;
            while (!atomic_load_explicit(&w->fft_done, memory_order_acquire))
                sched_yield();
            const int32_t b = c * CHUNK, e = b + CHUNK < w->n ? b + CHUNK : w->n;
            for (int32_t i = b; i < e; i++) {
                double rx, ry, z;
                lr__fftrep_point(&w->fft, i, &rx, &ry, &z);
                w->rep[2 * (size_t)i] = rx;
                w->rep[2 * (size_t)i + 1] = ry;
                w->zi[i] = z;
            }
            continue;
        }
        if (w->use_fft)
            c -= 1;
        const int32_t b = c * CHUNK, e = b + CHUNK < w->n ? b + CHUNK : w->n;
        for (int32_t pos = b; pos < e; pos++)
            point_forces(w, w->exact || w->use_fft ? pos : w->tree.perm[pos]);
    }
}

/* P's values into w->pf, after P changed (renumber). */
static void ws_set_p(grad_ws *w)
{
    for (int64_t t = 0; t < w->P->rowptr[w->P->n]; t++)
        w->pf[t] = (float)w->P->val[t];
}

static int ws_init(grad_ws *w, const lr__tsne_p *P, double theta, int method)
{
    memset(w, 0, sizeof *w);
    w->P = P;
    w->method = method;
    w->n = P->n;
    w->theta2 = theta * theta;
    w->exact = theta == 0.0;
    w->chunks = (P->n + CHUNK - 1) / CHUNK;
    w->attr = lr__malloc(2 * (size_t)P->n, sizeof *w->attr);
    w->rep = lr__malloc(2 * (size_t)P->n, sizeof *w->rep);
    w->zi = lr__malloc((size_t)P->n, sizeof *w->zi);
    w->lw = lr__malloc((size_t)P->n, sizeof *w->lw);
    w->pf = lr__malloc((size_t)P->rowptr[P->n], sizeof *w->pf);
    w->xf = lr__malloc((size_t)P->n, sizeof *w->xf);
    w->yf = lr__malloc((size_t)P->n, sizeof *w->yf);
    if (!w->attr || !w->rep || !w->zi || !w->lw || !w->pf || !w->xf || !w->yf)
        return lr__fail_oom("t-SNE's gradient work space");
    ws_set_p(w);
    return LR_OK;
}

static void ws_free(grad_ws *w)
{
    lr__bhtree_free(&w->tree);
    lr__fftrep_free(&w->fft);
    free(w->attr);
    free(w->rep);
    free(w->zi);
    free(w->lw);
    free(w->pf);
    free(w->xf);
    free(w->yf);
}

/* One pass at y: per-point forces into w, Z (summed in index order) into
 * *z.  team may be NULL (one thread). */
static int forces_pass(grad_ws *w, lr__team *team, const double *y, int want_kl, double *z)
{
    w->y = y;
    w->want_kl = want_kl;
    for (int32_t i = 0; i < w->n; i++) {
        w->xf[i] = (float)y[2 * (size_t)i];
        w->yf[i] = (float)y[2 * (size_t)i + 1];
    }
    w->use_fft = 0;
    if (!w->exact && w->method != LR__TSNE_BARNES_HUT) {
        /* The grid's work grows with L^2 log L whatever n, the tree's with
         * n log n: under LR__TSNE_FFT a small map whose grid would hold
         * more than FFT_CELLS cells a point takes the tree (on the dev
         * split's map the grid's 256^2 cost what the tree does for about
         * 1,500 points). */
        int32_t max_l = LR__FFTREP_MAX_L;
        if (w->method == LR__TSNE_FFT)
            while (max_l > 1 && (double)max_l * max_l > FFT_CELLS * (double)w->n)
                max_l /= 2;
        int rc = lr__fftrep_prepare(&w->fft, y, w->n, max_l);
        if (rc < 0)
            return rc;
        w->use_fft = rc == LR_OK;
    }
    if (!w->exact && !w->use_fft) {
        int rc = lr__bhtree_build(&w->tree, y, w->n);
        if (rc != LR_OK)
            return rc;
    }
    atomic_store(&w->next, 0);
    atomic_store(&w->fft_done, 0);
    if (team)
        lr__team_round(team);
    else
        forces_member(NULL, w, 0);
    double s = 0.0;
    for (int32_t i = 0; i < w->n; i++)
        s += w->zi[i];
    *z = s;
    return LR_OK;
}

int lr__tsne_gradient(const lr__tsne_p *P, const double *y, double exaggeration, double theta,
                      int method, int threads, double *grad, double *z)
{
    grad_ws w;
    int rc = ws_init(&w, P, theta, method);
    lr__team *team = rc == LR_OK && threads > 1 ? lr__team_start(threads, forces_member, &w)
                                                : NULL;
    double zz = 0.0;
    if (rc == LR_OK)
        rc = forces_pass(&w, team, y, 0, &zz);
    lr__team_stop(team);
    if (rc == LR_OK) {
        for (size_t t = 0; t < 2 * (size_t)P->n; t++)
            grad[t] = 4.0 * (exaggeration * w.attr[t] - w.rep[t] / zz);
        if (z)
            *z = zz;
    }
    ws_free(&w);
    return rc;
}

/* sum over P's nonzeros of p log p, and of p (1 up to rounding) */
static void p_entropy_terms(const lr__tsne_p *P, double *plogp, double *psum)
{
    double a = 0.0, b = 0.0;
    for (int64_t t = 0; t < P->rowptr[P->n]; t++) {
        const double v = P->val[t];
        if (v > 0.0)
            a += v * log(v);
        b += v;
    }
    *plogp = a;
    *psum = b;
}

/* KL = sum p log(p / q), q = w / Z: sum p log p + sum p log(1 + d^2) +
 * (sum p) log Z. */
static double kl_from(const lr__tsne_p *P, const grad_ws *w, double z)
{
    double plogp, psum, lw = 0.0;
    p_entropy_terms(P, &plogp, &psum);
    for (int32_t i = 0; i < P->n; i++)
        lw += w->lw[i];
    return plogp + lw + psum * log(z);
}

typedef struct z_job {
    const double *y;
    int32_t n;
    double *part; /* [ceil(n / 2)] */
} z_job;

/* sum over j in [from, n) of 1 / (1 + |y_i - y_j|^2), in ZLANES lanes
 * combined in lane order: vectors of any width give the same bits. */
LR__HOT static double z_row(const double *y, int32_t n, int32_t i, int32_t from)
{
    const double yx = y[2 * (size_t)i], yy = y[2 * (size_t)i + 1];
    double l[ZLANES];
    for (int k = 0; k < ZLANES; k++)
        l[k] = 0.0;
    int32_t j = from;
    for (; j + ZLANES <= n; j += ZLANES)
        for (int k = 0; k < ZLANES; k++) {
            const double dx = yx - y[2 * (size_t)(j + k)], dy = yy - y[2 * (size_t)(j + k) + 1];
            l[k] += 1.0 / (1.0 + dx * dx + dy * dy);
        }
    for (int k = 0; j < n; j++, k++) {
        const double dx = yx - y[2 * (size_t)j], dy = yy - y[2 * (size_t)j + 1];
        l[k] += 1.0 / (1.0 + dx * dx + dy * dy);
    }
    double s = 0.0;
    for (int k = 0; k < ZLANES; k++)
        s += l[k];
    return s;
}

/* Item t sums rows t and n - 1 - t over the points after each, so every
 * item has n - 1 terms and static ranges balance. */
static int z_rows(void *ctx, int tid, size_t begin, size_t end)
{
    const z_job *J = ctx;
    for (size_t t = begin; t < end; t++) {
        const int32_t a = (int32_t)t, b = J->n - 1 - (int32_t)t;
        double s = z_row(J->y, J->n, a, a + 1);
        if (b != a)
            s += z_row(J->y, J->n, b, b + 1);
        J->part[t] = s;
    }
    return LR_OK;
}

static int z_exact(const double *y, int32_t n, int threads, double *z)
{
    const size_t items = ((size_t)n + 1) / 2;
    z_job J = {y, n, lr__malloc(items, sizeof(double))};
    if (!J.part)
        return lr__fail_oom("t-SNE's normaliser parts");
    int rc = lr__parallel_for(threads, items, z_rows, &J);
    double s = 0.0;
    for (size_t t = 0; t < items; t++)
        s += J.part[t];
    *z = 2.0 * s;
    free(J.part);
    return rc;
}

int lr__tsne_kl_exact(const lr__tsne_p *P, const double *y, int threads, double *kl)
{
    double z = 0.0, plogp, psum, lw = 0.0;
    int rc = z_exact(y, P->n, threads, &z);
    if (rc != LR_OK)
        return rc;
    p_entropy_terms(P, &plogp, &psum);
    for (int32_t i = 0; i < P->n; i++)
        for (int64_t t = P->rowptr[i]; t < P->rowptr[i + 1]; t++) {
            const int32_t j = P->col[t];
            const double dx = y[2 * (size_t)i] - y[2 * (size_t)j];
            const double dy = y[2 * (size_t)i + 1] - y[2 * (size_t)j + 1];
            lw += P->val[t] * log1p(dx * dx + dy * dy);
        }
    *kl = plogp + lw + psum * log(z);
    return LR_OK;
}

/* ------------------------------------------------------------ the run */

/* Renumber the points in order[] (order[new] = current index): P's rows
 * and columns, the map and the optimiser's state, and perm (new -> the
 * caller's index).  The optimiser renumbers in the quadtree's order, so
 * that a point's neighbours in P, mostly near it on the map, are near it
 * in memory: the attractive sums read their coordinates from cache
 * instead of all over the map (a third of the time, before).  Depends on
 * the map alone, so the bits still do not depend on the threads.
 * LR_OK or LR_E_NOMEM. */
static int renumber(lr__tsne_p *P, const int32_t *order, double **state, int nstate,
                    int32_t *perm)
{
    const int32_t n = P->n;
    const int64_t nnz = P->rowptr[n];
    int32_t *inv = lr__malloc((size_t)n, sizeof *inv);
    int32_t *perm2 = lr__malloc((size_t)n, sizeof *perm2);
    lr__tsne_p Q = {n, lr__malloc((size_t)n + 1, sizeof *Q.rowptr),
                    lr__malloc((size_t)nnz, sizeof *Q.col), lr__malloc((size_t)nnz, sizeof *Q.val)};
    entry *row = lr__malloc((size_t)n, sizeof *row);
    double *tmp = lr__malloc(2 * (size_t)n, sizeof *tmp);
    if (!inv || !perm2 || !Q.rowptr || !Q.col || !Q.val || !row || !tmp) {
        free(inv);
        free(perm2);
        free(row);
        free(tmp);
        lr__tsne_p_free(&Q);
        return lr__fail_oom("t-SNE's neighbour lists");
    }
    for (int32_t a = 0; a < n; a++)
        inv[order[a]] = a;
    int64_t at = 0;
    for (int32_t a = 0; a < n; a++) {
        const int32_t i = order[a];
        const int64_t b = P->rowptr[i], len = P->rowptr[i + 1] - b;
        for (int64_t t = 0; t < len; t++)
            row[t] = (entry){inv[P->col[b + t]], P->val[b + t]};
        qsort(row, (size_t)len, sizeof *row, entry_cmp);
        Q.rowptr[a] = at;
        for (int64_t t = 0; t < len; t++, at++) {
            Q.col[at] = row[t].col;
            Q.val[at] = row[t].val;
        }
    }
    Q.rowptr[n] = at;
    lr__tsne_p_free(P);
    *P = Q;
    for (int s = 0; s < nstate; s++) {
        for (int32_t a = 0; a < n; a++) {
            tmp[2 * (size_t)a] = state[s][2 * (size_t)order[a]];
            tmp[2 * (size_t)a + 1] = state[s][2 * (size_t)order[a] + 1];
        }
        memcpy(state[s], tmp, 2 * (size_t)n * sizeof *tmp);
    }
    for (int32_t a = 0; a < n; a++)
        perm2[a] = perm[order[a]];
    memcpy(perm, perm2, (size_t)n * sizeof *perm);
    free(inv);
    free(perm2);
    free(row);
    free(tmp);
    return LR_OK;
}


static int check_input(const float *x, int32_t n, int32_t d, const lr__tsne_opts *o,
                       const double *y, const lr__tsne_out *out)
{
    if (!x || !o || !y || !out)
        return lr__fail(LR_E_INVALID, "t-SNE: NULL %s", !x ? "vectors" : !o ? "options"
                                                         : !y ? "map" : "output");
    if (n < 4)
        return lr__fail(LR_E_INVALID, "t-SNE: %d points; at least 4 are needed", (int)n);
    if (d < 1)
        return lr__fail(LR_E_INVALID, "t-SNE: %d dimensions; at least 1 is needed", (int)d);
    size_t nd;
    if (lr__mul_overflows((size_t)n, (size_t)d, &nd) || nd > SIZE_MAX / sizeof(double))
        return lr__fail(LR_E_INVALID, "t-SNE: %d x %d vectors are too many", (int)n, (int)d);
    if (o->metric != LR__TSNE_EUCLIDEAN && o->metric != LR__TSNE_COSINE)
        return lr__fail(LR_E_INVALID, "t-SNE: unknown metric %d", o->metric);
    const double pmax = (double)(n - 1) / 3.0;
    if (!(o->perplexity > 0.0) || !(o->perplexity < pmax))
        return lr__fail(LR_E_INVALID,
                        "t-SNE: perplexity %g out of range: it must be > 0 and < (n - 1) / 3 = "
                        "%g for %d points",
                        o->perplexity, pmax, (int)n);
    if (!(o->exaggeration >= 1.0) || !isfinite(o->exaggeration))
        return lr__fail(LR_E_INVALID, "t-SNE: early exaggeration %g must be finite and >= 1",
                        o->exaggeration);
    if (o->iterations < 0 || o->exaggeration_iters < 0 ||
        o->exaggeration_iters > o->iterations)
        return lr__fail(LR_E_INVALID,
                        "t-SNE: %d iterations with %d exaggerated: both must be >= 0, the "
                        "exaggerated ones at most all",
                        (int)o->iterations, (int)o->exaggeration_iters);
    if (!isfinite(o->learning_rate))
        return lr__fail(LR_E_INVALID, "t-SNE: learning rate %g is not finite",
                        o->learning_rate);
    if (!(o->kl_tolerance >= 0.0) || !isfinite(o->kl_tolerance))
        return lr__fail(LR_E_INVALID, "t-SNE: KL tolerance %g must be finite and >= 0",
                        o->kl_tolerance);
    if (o->method != LR__TSNE_BARNES_HUT && o->method != LR__TSNE_FFT &&
        o->method != LR__TSNE_FFT_ONLY)
        return lr__fail(LR_E_INVALID, "t-SNE: unknown method %d", o->method);
    if (!(o->theta >= 0.0 && o->theta <= 1.0))
        return lr__fail(LR_E_INVALID, "t-SNE: theta %g out of range [0, 1]", o->theta);
    if (o->threads < 1)
        return lr__fail(LR_E_INVALID, "t-SNE: %d threads; at least 1 is needed", o->threads);
    for (size_t e = 0; e < nd; e++)
        if (!isfinite(x[e]))
            return lr__fail(LR_E_INVALID, "t-SNE: vector %zu, component %zu is %s: vectors "
                            "must be finite", e / (size_t)d, e % (size_t)d,
                            isnan(x[e]) ? "NaN" : "infinite");
    for (size_t e = 0; e < 2 * (size_t)n; e++)
        if (!isfinite(y[e]))
            return lr__fail(LR_E_INVALID, "t-SNE: initial map point %zu is not finite", e / 2);
    return LR_OK;
}

/* Mean share of each point's m input neighbours among its m map ones. */
static int preservation(const int32_t *in_nn, int32_t kin, const double *y, int32_t n,
                        int32_t m, int threads, double *share)
{
    int32_t *map_nn = lr__malloc((size_t)n * (size_t)m, sizeof *map_nn);
    if (!map_nn)
        return lr__fail_oom("the map's neighbours");
    int rc = lr__knn_map(y, n, m, threads, map_nn);
    if (rc == LR_OK) {
        double s = 0.0;
        for (int32_t i = 0; i < n; i++) {
            int32_t hit = 0;
            for (int32_t a = 0; a < m; a++)
                for (int32_t b = 0; b < m; b++)
                    hit += in_nn[(size_t)i * kin + a] == map_nn[(size_t)i * m + b];
            s += (double)hit / m;
        }
        *share = s / n;
    }
    free(map_nn);
    return rc;
}

/* The affinities and each point's m nearest input neighbours (nn[n x kk],
 * owned by the caller, kk into *kk_out: the first m of a row are its m
 * nearest). */
static int affinities(const float *x, int32_t n, int32_t d, const lr__tsne_opts *o, int32_t m,
                      lr__tsne_p *P, int32_t **nn, int32_t *kk_out)
{
    const int32_t k = (int32_t)fmin((double)(n - 1), floor(3.0 * o->perplexity + 1.0));
    const int32_t kk = k > m ? k : m;
    int32_t *idx = lr__malloc((size_t)n * (size_t)kk, sizeof *idx);
    double *dist = lr__malloc((size_t)n * (size_t)kk, sizeof *dist);
    double *dk = lr__malloc((size_t)n * (size_t)k, sizeof *dk);
    int32_t *ik = lr__malloc((size_t)n * (size_t)k, sizeof *ik);
    int rc = idx && dist && dk && ik ? LR_OK : lr__fail_oom("t-SNE's nearest neighbours");
    if (rc == LR_OK)
        rc = lr__knn_exact(x, n, d, o->metric, kk, o->threads, idx, dist);
    if (rc == LR_OK) {
        for (int32_t i = 0; i < n; i++)
            for (int32_t c = 0; c < k; c++) {
                const double v = dist[(size_t)i * kk + c];
                /* scikit-learn squares the neighbour search's distance:
                 * Euclidean comes squared already, cosine does not */
                dk[(size_t)i * k + c] = o->metric == LR__TSNE_COSINE ? v * v : v;
                ik[(size_t)i * k + c] = idx[(size_t)i * kk + c];
            }
        free(dist);
        dist = NULL;
        /* the conditional rows replace the distances */
        rc = lr__tsne_conditional(dk, n, k, o->perplexity, o->threads, dk, NULL);
    }
    if (rc == LR_OK)
        rc = lr__tsne_symmetrize(ik, dk, n, k, P);
    free(dist);
    free(dk);
    free(ik);
    if (rc != LR_OK) {
        free(idx);
        return rc;
    }
    *nn = idx;
    *kk_out = kk;
    return LR_OK;
}

int lr__tsne(const float *x, int32_t n, int32_t d, const lr__tsne_opts *o, double *y,
             lr__tsne_out *out)
{
    int rc = check_input(x, n, d, o, y, out);
    if (rc != LR_OK)
        return rc;
    *out = (lr__tsne_out){NAN, 0, NAN};
    const int32_t m = n - 1 < 10 ? n - 1 : 10;
    lr__tsne_p P = {0};
    int32_t *nn = NULL, kk = 0;
    rc = affinities(x, n, d, o, m, &P, &nn, &kk);
    if (rc != LR_OK)
        return rc;

    grad_ws w;
    double *upd = lr__calloc(2 * (size_t)n, sizeof *upd);
    double *gain = lr__malloc(2 * (size_t)n, sizeof *gain);
    /* The map in the optimiser's numbering; perm[its index] = the caller's. */
    double *ym = lr__malloc(2 * (size_t)n, sizeof *ym);
    int32_t *perm = lr__malloc((size_t)n, sizeof *perm);
    rc = ws_init(&w, &P, o->theta, o->method);
    if (rc == LR_OK && (!upd || !gain || !ym || !perm))
        rc = lr__fail_oom("t-SNE's coordinates and gains");
    lr__team *team = rc == LR_OK && o->threads > 1
                         ? lr__team_start(o->threads, forces_member, &w)
                         : NULL;
    const double lr = o->learning_rate > 0.0 ? o->learning_rate
                                             : fmax((double)n / o->exaggeration / 4.0, 50.0);
    double prev_kl = NAN;
    int32_t it = 0;
    if (rc == LR_OK) {
        for (size_t t = 0; t < 2 * (size_t)n; t++)
            gain[t] = 1.0;
        memcpy(ym, y, 2 * (size_t)n * sizeof *ym);
        for (int32_t i = 0; i < n; i++)
            perm[i] = i;
    }
    double *state[3] = {ym, upd, gain};
    for (; rc == LR_OK && it < o->iterations; it++) {
        const int early = it < o->exaggeration_iters;
        /* Renumber at the start, on the initial map, and when the
         * exaggeration ends and the clusters have moved apart. */
        if (it == 0 || it == o->exaggeration_iters) {
            rc = lr__bhtree_build(&w.tree, ym, n);
            if (rc == LR_OK)
                rc = renumber(&P, w.tree.perm, state, 3, perm);
            if (rc != LR_OK)
                break;
            ws_set_p(&w);
        }
        const double alpha = early ? o->exaggeration : 1.0, mom = early ? 0.5 : 0.8;
        const int check = (it + 1) % CHECK_EVERY == 0;
        double z;
        rc = forces_pass(&w, team, ym, check, &z);
        if (rc != LR_OK)
            break;
        const double inv_z = 1.0 / z;
        for (size_t t = 0; t < 2 * (size_t)n; t++) {
            const double g = 4.0 * (alpha * w.attr[t] - w.rep[t] * inv_z);
            gain[t] = upd[t] * g < 0.0 ? gain[t] + 0.2 : gain[t] * 0.8;
            if (gain[t] < 0.01)
                gain[t] = 0.01;
            upd[t] = mom * upd[t] - lr * gain[t] * g;
            ym[t] += upd[t];
        }
        if (check) {
            const double kl = kl_from(&P, &w, z);
            out->kl = kl;
            char stage[64];
            snprintf(stage, sizeof stage, "tsne kl=%.6f", kl);
            rc = lr__progress_report(o->progress, stage, (uint64_t)it + 1,
                                     (uint64_t)o->iterations);
            if (rc != LR_OK) {
                it++;
                break;
            }
            if (!early) {
                if (o->kl_tolerance > 0.0 && prev_kl - kl < o->kl_tolerance) {
                    it++;
                    break;
                }
                prev_kl = kl;
            }
        }
    }
    /* The map goes back in the caller's numbering, also when cancelled. */
    if (ym && perm && (rc == LR_OK || rc == LR_E_CANCELLED))
        for (int32_t a = 0; a < n; a++) {
            y[2 * (size_t)perm[a]] = ym[2 * (size_t)a];
            y[2 * (size_t)perm[a] + 1] = ym[2 * (size_t)a + 1];
        }
    lr__team_stop(team);
    out->iterations = it;
    if (rc == LR_OK) {
        if (n <= EXACT_KL_MAX) {
            rc = lr__tsne_kl_exact(&P, ym, o->threads, &out->kl);
        } else {
            double z;
            rc = forces_pass(&w, NULL, ym, 1, &z);
            if (rc == LR_OK)
                out->kl = kl_from(&P, &w, z);
        }
    }
    if (rc == LR_OK)
        rc = preservation(nn, kk, y, n, m, o->threads, &out->nn_preservation);
    ws_free(&w);
    free(upd);
    free(gain);
    free(ym);
    free(perm);
    free(nn);
    lr__tsne_p_free(&P);
    return rc;
}
