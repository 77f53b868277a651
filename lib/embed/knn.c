/* Exact nearest neighbours (see knn.h).  SPDX-License-Identifier: MIT */
#include "embed/knn.h"
#include "embed/tsne.h"
#include "core/alloc.h"
#include "core/ranked.h"
#include "core/error.h"
#include "core/hot.h"
#include "core/threads.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Query rows per sgemm block and reference rows per call: a block's
 * distances (QB x RB floats, 2 MB) stay in cache while the heaps read
 * them.  Fixed, so that the blocks, and the float distances sgemm gives,
 * are the same for any thread count. */
#define QB 128
#define RB 4096
/* Extra candidates kept on float distances before the double re-ranking:
 * float rounding (about 1e-7 of a squared norm) can swap near ties, never
 * lift a row over eight others. */
#define MARGIN 8

/* A candidate neighbour, ordered by key then index, so that the kc
 * smallest are the same set whatever the order they come in. */
typedef struct cand {
    float key;
    int32_t j;
} cand;

/* A row's candidates are gathered in a buffer of SLACK x kc; when it is
 * full the kc smallest are kept (select_k) and the largest of them is
 * the bar a newcomer must pass.  Cheaper than a heap: most entries cost
 * an append, and a selection over the buffer now and then. */
#define SLACK 4

static inline int cand_less(cand a, cand b)
{
    return a.key < b.key || (a.key == b.key && a.j < b.j);
}

static inline void cand_swap(cand *c, int32_t a, int32_t b)
{
    const cand t = c[a];
    c[a] = c[b];
    c[b] = t;
}

/* Reorder c[0..n) so that c[k] is its (k + 1)-th smallest, the smaller
 * before it and the larger after (quickselect, median-of-three pivot;
 * the entries are distinct). */
static void select_k(cand *c, int32_t n, int32_t k)
{
    int32_t lo = 0, hi = n - 1;
    while (hi > lo) {
        const int32_t mid = lo + (hi - lo) / 2;
        if (cand_less(c[mid], c[lo]))
            cand_swap(c, lo, mid);
        if (cand_less(c[hi], c[lo]))
            cand_swap(c, lo, hi);
        if (cand_less(c[hi], c[mid]))
            cand_swap(c, mid, hi);
        const cand pv = c[mid];
        int32_t i = lo, j = hi;
        while (i <= j) {
            while (cand_less(c[i], pv))
                i++;
            while (cand_less(pv, c[j]))
                j--;
            if (i <= j) {
                cand_swap(c, i, j);
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return;
    }
}

/* Keep the kc smallest of the buffer; the largest kept is the new bar. */
static void compact(cand *h, int32_t *size, cand *bar, int32_t kc)
{
    select_k(h, *size, kc - 1);
    *size = kc;
    *bar = h[kc - 1];
}

typedef struct knn_job {
    const float *x;      /* the rows sgemm reads: x itself, or unit rows for cosine */
    const float *sqn;    /* squared norms (euclidean), NULL for cosine */
    const double *xd;    /* rows in double for the re-ranking (unit rows for cosine) */
    const char *zero;    /* cosine: 1 for a zero row */
    int32_t n, d, k, kc;
    int metric;
    int32_t *idx;
    double *dist;
} knn_job;

/* Offer the rn keys of row (reference rows r0 ..., each plus sqn[c]
 * when sqn is not NULL) to the buffer h (*size of SLACK x kc, bar as
 * above) of query row self.  zero: NULL, or (cosine, self a zero row)
 * which rows are zero: those coincide with self. */
LR__HOT static void scan_row(const float *row, const float *sqn, int32_t rn, int32_t r0,
                             int32_t self, const char *zero, cand *h, int32_t *size, cand *bar,
                             int32_t kc)
{
    const int32_t cap = SLACK * kc;
    /* The bar's key, kept here so that the usual candidate, worse than
     * all kept, costs one compare; ties go to the full test (by index). */
    float worst = bar->key;
    int32_t c = 0;
    /* Most of a row cannot pass the bar: a vector test of 16 keys at a
     * time skips those, and the rare group with one that may goes key by
     * key.  Not for a zero row, whose keys the loop below changes. */
    if (!zero)
        for (; c + 16 <= rn; c += 16) {
            int hit = 0;
            if (sqn)
                for (int l = 0; l < 16; l++)
                    hit |= row[c + l] + sqn[c + l] <= worst;
            else
                for (int l = 0; l < 16; l++)
                    hit |= row[c + l] <= worst;
            if (!hit)
                continue;
            for (int l = 0; l < 16; l++) {
                const cand cd = {row[c + l] + (sqn ? sqn[c + l] : 0.0f), r0 + c + l};
                if (cd.key > worst || cd.j == self || !cand_less(cd, *bar))
                    continue;
                h[(*size)++] = cd;
                if (*size == cap) {
                    compact(h, size, bar, kc);
                    worst = bar->key;
                }
            }
        }
    for (; c < rn; c++) {
        cand cd = {row[c] + (sqn ? sqn[c] : 0.0f), r0 + c};
        if (zero && zero[cd.j])
            cd.key = -1.0f; /* two zero rows coincide: distance 0 */
        if (cd.key > worst || cd.j == self || !cand_less(cd, *bar))
            continue;
        h[(*size)++] = cd;
        if (*size == cap) {
            compact(h, size, bar, kc);
            worst = bar->key;
        }
    }
}

static int knn_blocks(void *ctx, int tid, size_t begin, size_t end)
{
    const knn_job *J = ctx;
    const int32_t n = J->n, d = J->d, kc = J->kc;
    float *buf = lr__malloc((size_t)QB * RB, sizeof *buf);
    cand *heaps = lr__malloc((size_t)QB * SLACK * (size_t)kc, sizeof *heaps);
    int32_t *sizes = lr__malloc(QB, sizeof *sizes);
    cand *bars = lr__malloc(QB, sizeof *bars);
    lr__ranked *pairs = lr__malloc((size_t)kc, sizeof *pairs);
    if (!buf || !heaps || !sizes || !bars || !pairs) {
        free(buf);
        free(heaps);
        free(sizes);
        free(bars);
        free(pairs);
        return lr__fail_oom("the neighbour search's heaps");
    }
    for (size_t b = begin; b < end; b++) {
        const int32_t q0 = (int32_t)(b * QB);
        const int32_t qn = n - q0 < QB ? n - q0 : QB;
        memset(sizes, 0, QB * sizeof *sizes);
        for (int32_t a = 0; a < QB; a++)
            bars[a] = (cand){INFINITY, INT32_MAX};
        for (int32_t r0 = 0; r0 < n; r0 += RB) {
            const int32_t rn = n - r0 < RB ? n - r0 : RB;
            /* key = |x_j|^2 - 2 x_i.x_j ranks like the squared distance
             * (|x_i|^2 is the row's constant); for unit rows, -x_i.x_j
             * ranks like 1 - cos. */
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, qn, rn, d,
                        J->sqn ? -2.0f : -1.0f, J->x + (size_t)q0 * d, d, J->x + (size_t)r0 * d,
                        d, 0.0f, buf, rn);
            for (int32_t a = 0; a < qn; a++) {
                const float *row = buf + (size_t)a * rn;
                cand *h = heaps + (size_t)a * SLACK * kc;
                const int32_t self = q0 + a;
                scan_row(row, J->sqn ? J->sqn + r0 : NULL, rn, r0, self,
                         J->zero && J->zero[self] ? J->zero : NULL, h, &sizes[a], &bars[a], kc);
            }
        }
        for (int32_t a = 0; a < qn; a++) {
            const int32_t i = q0 + a;
            const double *xi = J->xd + (size_t)i * d;
            cand *h = heaps + (size_t)a * SLACK * kc;
            if (sizes[a] > kc)
                compact(h, &sizes[a], &bars[a], kc);
            for (int32_t c = 0; c < sizes[a]; c++) {
                const double *xj = J->xd + (size_t)h[c].j * d;
                double s = 0.0;
                if (J->metric == LR__TSNE_COSINE) {
                    for (int32_t f = 0; f < d; f++)
                        s += xi[f] * xj[f];
                    s = J->zero[i] && J->zero[h[c].j] ? 0.0 : 1.0 - s;
                    /* rounding can leave a duplicate's distance a hair below 0 */
                    if (s < 0.0)
                        s = 0.0;
                } else {
                    for (int32_t f = 0; f < d; f++) {
                        double t = xi[f] - xj[f];
                        s += t * t;
                    }
                }
                pairs[c].v = s;
                pairs[c].i = h[c].j;
            }
            qsort(pairs, (size_t)sizes[a], sizeof *pairs, lr__ranked_asc);
            for (int32_t c = 0; c < J->k; c++) {
                J->idx[(size_t)i * J->k + c] = (int32_t)pairs[c].i;
                J->dist[(size_t)i * J->k + c] = pairs[c].v;
            }
        }
    }
    free(buf);
    free(heaps);
    free(sizes);
    free(bars);
    free(pairs);
    return LR_OK;
}

int lr__knn_exact(const float *x, int32_t n, int32_t d, int metric, int32_t k, int threads,
                  int32_t *idx, double *dist)
{
    const size_t nd = (size_t)n * (size_t)d;
    double *xd = lr__malloc(nd, sizeof *xd);
    float *xs = NULL, *sqn = NULL;
    if (!xd)
        return lr__fail_oom("the neighbour search's points");
    for (size_t e = 0; e < nd; e++)
        xd[e] = x[e];
    char *zero = NULL;
    knn_job J = {x, NULL, xd, NULL, n, d, k, k + MARGIN < n - 1 ? k + MARGIN : n - 1, metric,
                 idx, dist};
    if (metric == LR__TSNE_COSINE) {
        xs = lr__malloc(nd, sizeof *xs);
        zero = lr__calloc((size_t)n, 1);
        if (!xs || !zero) {
            free(xd);
            free(xs);
            free(zero);
            return lr__fail_oom("the neighbour search's single-precision points");
        }
        for (int32_t i = 0; i < n; i++) {
            double *r = xd + (size_t)i * d, s = 0.0;
            for (int32_t f = 0; f < d; f++)
                s += r[f] * r[f];
            /* A zero row stays zero (and is marked: see knn.h). */
            zero[i] = s == 0.0;
            const double inv = s > 0.0 ? 1.0 / sqrt(s) : 0.0;
            for (int32_t f = 0; f < d; f++) {
                r[f] *= inv;
                xs[(size_t)i * d + f] = (float)r[f];
            }
        }
        J.x = xs;
        J.zero = zero;
    } else {
        sqn = lr__malloc((size_t)n, sizeof *sqn);
        if (!sqn) {
            free(xd);
            return lr__fail_oom("the points' squared norms");
        }
        for (int32_t i = 0; i < n; i++) {
            double s = 0.0;
            for (int32_t f = 0; f < d; f++)
                s += xd[(size_t)i * d + f] * xd[(size_t)i * d + f];
            sqn[i] = (float)s;
        }
        J.sqn = sqn;
    }
    const size_t blocks = ((size_t)n + QB - 1) / QB;
    int rc = lr__parallel_for(threads, blocks, knn_blocks, &J);
    free(xd);
    free(xs);
    free(zero);
    free(sqn);
    return rc;
}

/* ------------------------------------------------------------ map kNN */

typedef struct map_job {
    const double *y;
    const int32_t *order; /* points ascending by (x, index) */
    const int32_t *rank;  /* a point's place in order */
    int32_t n, m;
    int32_t *idx;
} map_job;

typedef struct mcand {
    double d2;
    int32_t j;
} mcand;

static inline int mless(mcand a, mcand b)
{
    return a.d2 < b.d2 || (a.d2 == b.d2 && a.j < b.j);
}

/* Keep the m best in h[0..*size) sorted ascending; insertion is cheap at
 * m = 10. */
static void mins_push(mcand *h, int32_t *size, int32_t m, mcand c)
{
    if (*size == m && !mless(c, h[m - 1]))
        return;
    int32_t at = *size < m ? (*size)++ : m - 1;
    while (at > 0 && mless(c, h[at - 1])) {
        h[at] = h[at - 1];
        at--;
    }
    h[at] = c;
}

static int map_points(void *ctx, int tid, size_t begin, size_t end)
{
    const map_job *J = ctx;
    mcand *best = lr__malloc((size_t)J->m, sizeof *best);
    if (!best)
        return lr__fail_oom("the neighbour candidates");
    for (size_t ii = begin; ii < end; ii++) {
        const int32_t i = (int32_t)ii, p = J->rank[i], m = J->m;
        const double xi = J->y[2 * (size_t)i], yi = J->y[2 * (size_t)i + 1];
        int32_t size = 0, l = p - 1, r = p + 1;
        int lo = l >= 0, hi = r < J->n;
        /* Walk out from the point along x in both directions; a side
         * stops once its x gap alone exceeds the m-th best distance. */
        while (lo || hi) {
            for (int side = 0; side < 2; side++) {
                if (side == 0 ? !lo : !hi)
                    continue;
                const int32_t j = J->order[side == 0 ? l : r];
                const double dx = J->y[2 * (size_t)j] - xi, dy = J->y[2 * (size_t)j + 1] - yi;
                if (size == m && dx * dx > best[m - 1].d2) {
                    if (side == 0)
                        lo = 0;
                    else
                        hi = 0;
                    continue;
                }
                mins_push(best, &size, m, (mcand){dx * dx + dy * dy, j});
                if (side == 0)
                    lo = --l >= 0;
                else
                    hi = ++r < J->n;
            }
        }
        for (int32_t c = 0; c < m; c++)
            J->idx[(size_t)i * m + c] = best[c].j;
    }
    free(best);
    return LR_OK;
}

int lr__knn_map(const double *y, int32_t n, int32_t m, int threads, int32_t *idx)
{
    int32_t *order = lr__malloc((size_t)n, sizeof *order);
    int32_t *rank = lr__malloc((size_t)n, sizeof *rank);
    lr__ranked *xs = lr__malloc((size_t)n, sizeof *xs);
    if (!order || !rank || !xs) {
        free(order);
        free(rank);
        free(xs);
        return lr__fail_oom("the neighbour search's order");
    }
    /* Sorted as (x, index) pairs, so the order is total and qsort needs
     * no context. */
    for (int32_t i = 0; i < n; i++)
        xs[i] = (lr__ranked){y[2 * (size_t)i], i};
    qsort(xs, (size_t)n, sizeof *xs, lr__ranked_asc);
    for (int32_t p = 0; p < n; p++)
        order[p] = (int32_t)xs[p].i;
    free(xs);
    for (int32_t p = 0; p < n; p++)
        rank[order[p]] = p;
    map_job J = {y, order, rank, n, m, idx};
    int rc = lr__parallel_for(threads, (size_t)n, map_points, &J);
    free(order);
    free(rank);
    return rc;
}
