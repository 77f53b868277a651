/* The Barnes-Hut quadtree (see bhtree.h).  SPDX-License-Identifier: MIT */
#include "embed/bhtree.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/hot.h"

#include <math.h>
#include <stdlib.h>

/* Points a leaf may hold: summing a few directly (in lanes, below) is
 * cheaper than four more cells to visit, and exact. */
#define LEAF 32
/* Cells stop splitting at this depth: only coinciding points get there
 * (the root's side / 2^40 is below any map's resolution). */
#define MAX_DEPTH 40

void lr__bhtree_free(lr__bhtree *t)
{
    free(t->perm);
    free(t->where);
    free(t->px);
    free(t->py);
    free(t->nodes);
    free(t->scratch);
    *t = (lr__bhtree){0};
}

static int push_node(lr__bhtree *t, lr__bhnode nd)
{
    if (t->nnodes == t->cap) {
        size_t cap = (size_t)t->cap;
        void *p = t->nodes;
        if (lr__grow(&p, &cap, (size_t)t->nnodes + 1, sizeof *t->nodes) != 0)
            return -1;
        t->nodes = p;
        t->cap = (int32_t)cap;
    }
    t->nodes[t->nnodes++] = nd;
    return t->nnodes - 1;
}

/* The centre of each node's cell and its depth, kept beside the nodes
 * while building. */
typedef struct cell {
    double mx, my, half;
    int depth;
} cell;

int lr__bhtree_build(lr__bhtree *t, const double *y, int32_t n)
{
    if (t->n != n) {
        lr__bhtree_free(t);
        t->n = n;
        t->perm = lr__malloc((size_t)n, sizeof *t->perm);
        t->where = lr__malloc((size_t)n, sizeof *t->where);
        t->px = lr__malloc((size_t)n, sizeof *t->px);
        t->py = lr__malloc((size_t)n, sizeof *t->py);
        t->scratch = lr__malloc((size_t)n, sizeof *t->scratch);
        if (!t->perm || !t->where || !t->px || !t->py || !t->scratch) {
            lr__bhtree_free(t);
            return lr__fail_oom("the Barnes-Hut tree's points");
        }
    }
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int32_t i = 0; i < n; i++) {
        t->perm[i] = i;
        const double a = y[2 * (size_t)i], b = y[2 * (size_t)i + 1];
        x0 = a < x0 ? a : x0;
        x1 = a > x1 ? a : x1;
        y0 = b < y0 ? b : y0;
        y1 = b > y1 ? b : y1;
    }
    double half = 0.5 * fmax(x1 - x0, y1 - y0);
    /* A hair wider, so that the largest coordinates fall inside. */
    half = half * (1.0 + 1e-9) + 1e-300;
    t->nnodes = 0;
    cell *cells = lr__malloc((size_t)2 * n + 8, sizeof *cells);
    if (!cells)
        return lr__fail_oom("the Barnes-Hut tree's cells");
    size_t ccap = (size_t)2 * n + 8;
    if (push_node(t, (lr__bhnode){0, 0, 4 * half * half, n, 0, n, -1, 0}) < 0) {
        free(cells);
        return lr__fail_oom("the Barnes-Hut tree's nodes");
    }
    cells[0] = (cell){0.5 * (x0 + x1), 0.5 * (y0 + y1), half, 0};
    /* Breadth first: the node array is the queue, and each node's children
     * land contiguously at its end. */
    for (int32_t q = 0; q < t->nnodes; q++) {
        lr__bhnode *nd = &t->nodes[q];
        const cell c = cells[q];
        double sx = 0.0, sy = 0.0;
        double bx0 = INFINITY, bx1 = -INFINITY, by0 = INFINITY, by1 = -INFINITY;
        for (int32_t p = nd->begin; p < nd->end; p++) {
            const double a = y[2 * (size_t)t->perm[p]], b = y[2 * (size_t)t->perm[p] + 1];
            sx += a;
            sy += b;
            bx0 = a < bx0 ? a : bx0;
            bx1 = a > bx1 ? a : bx1;
            by0 = b < by0 ? b : by0;
            by1 = b > by1 ? b : by1;
        }
        const double cnt = (double)(nd->end - nd->begin);
        nd->cx = sx / cnt;
        nd->cy = sy / cnt;
        /* The criterion measures the extent of the cell's points, not the
         * cell: a cell whose points cluster in a corner is as good a
         * summary as a small cell, and accepting it saves visits. */
        const double ext = fmax(bx1 - bx0, by1 - by0);
        nd->side2 = ext * ext;
        if (nd->end - nd->begin <= LEAF || c.depth >= MAX_DEPTH)
            continue;
        /* Counting sort of the cell's points into its quadrants, stable,
         * so the order depends on the coordinates alone. */
        int32_t count[4] = {0, 0, 0, 0};
        for (int32_t p = nd->begin; p < nd->end; p++) {
            const int32_t i = t->perm[p];
            const int qd = (y[2 * (size_t)i] >= c.mx) + 2 * (y[2 * (size_t)i + 1] >= c.my);
            count[qd]++;
        }
        int32_t start[4], at[4];
        start[0] = nd->begin;
        for (int qd = 1; qd < 4; qd++)
            start[qd] = start[qd - 1] + count[qd - 1];
        for (int qd = 0; qd < 4; qd++)
            at[qd] = start[qd];
        for (int32_t p = nd->begin; p < nd->end; p++) {
            const int32_t i = t->perm[p];
            const int qd = (y[2 * (size_t)i] >= c.mx) + 2 * (y[2 * (size_t)i + 1] >= c.my);
            t->scratch[at[qd]++] = i;
        }
        for (int32_t p = nd->begin; p < nd->end; p++)
            t->perm[p] = t->scratch[p];
        const int32_t first = t->nnodes;
        int32_t made = 0;
        const double h = 0.5 * c.half;
        for (int qd = 0; qd < 4; qd++) {
            if (!count[qd])
                continue;
            if ((size_t)t->nnodes + 1 > ccap) {
                void *pc = cells;
                if (lr__grow(&pc, &ccap, (size_t)t->nnodes + 1, sizeof *cells) != 0) {
                    free(cells);
                    return lr__fail_oom("the Barnes-Hut tree's cells");
                }
                cells = pc;
            }
            if (push_node(t, (lr__bhnode){0, 0, 4 * h * h, count[qd], start[qd],
                                          start[qd] + count[qd], -1, 0}) < 0) {
                free(cells);
                return lr__fail_oom("the Barnes-Hut tree's nodes");
            }
            cells[t->nnodes - 1] = (cell){c.mx + (qd & 1 ? h : -h), c.my + (qd & 2 ? h : -h), h,
                                          c.depth + 1};
            made++;
        }
        /* push_node may have moved the array */
        t->nodes[q].child = first;
        t->nodes[q].nchild = made;
    }
    free(cells);
    for (int32_t p = 0; p < n; p++) {
        const int32_t i = t->perm[p];
        t->where[i] = p;
        t->px[p] = y[2 * (size_t)i];
        t->py[p] = y[2 * (size_t)i + 1];
    }
    return LR_OK;
}

LR__HOT static void repulse(const lr__bhtree *t, int32_t i, double theta2, double *repx,
                            double *repy, double *z)
{
    const int32_t me = t->where[i];
    const double xi = t->px[me], yi = t->py[me];
    double fx = 0.0, fy = 0.0, zs = 0.0;
    /* Depth-first with an explicit stack: at most 3 siblings wait per
     * level, MAX_DEPTH levels. */
    int32_t stack[4 * MAX_DEPTH + 8];
    int top = 0;
    stack[top++] = 0;
    while (top) {
        const lr__bhnode *nd = &t->nodes[stack[--top]];
        const double dx = xi - nd->cx, dy = yi - nd->cy, d2 = dx * dx + dy * dy;
        const int mine = me >= nd->begin && me < nd->end;
        if (!mine && nd->side2 < theta2 * d2) {
            const double w = 1.0 / (1.0 + d2), m = nd->mass;
            zs += m * w;
            fx += m * w * w * dx;
            fy += m * w * w * dy;
        } else if (nd->child < 0) {
            /* Four independent sums, combined in a fixed order below, so
             * that the divisions overlap; the point itself weighs 0. */
            double lz[4] = {0, 0, 0, 0}, lx[4] = {0, 0, 0, 0}, ly[4] = {0, 0, 0, 0};
            int32_t p = nd->begin;
            for (; p + 4 <= nd->end; p += 4)
                for (int l = 0; l < 4; l++) {
                    const double ex = xi - t->px[p + l], ey = yi - t->py[p + l];
                    const double w = p + l == me ? 0.0 : 1.0 / (1.0 + ex * ex + ey * ey);
                    lz[l] += w;
                    lx[l] += w * w * ex;
                    ly[l] += w * w * ey;
                }
            for (int l = 0; p < nd->end; p++, l++) {
                const double ex = xi - t->px[p], ey = yi - t->py[p];
                const double w = p == me ? 0.0 : 1.0 / (1.0 + ex * ex + ey * ey);
                lz[l] += w;
                lx[l] += w * w * ex;
                ly[l] += w * w * ey;
            }
            zs += (lz[0] + lz[1]) + (lz[2] + lz[3]);
            fx += (lx[0] + lx[1]) + (lx[2] + lx[3]);
            fy += (ly[0] + ly[1]) + (ly[2] + ly[3]);
        } else {
            /* pushed last-first, so the first child is visited first */
            for (int32_t c = nd->nchild - 1; c >= 0; c--)
                stack[top++] = nd->child + c;
        }
    }
    *repx = fx;
    *repy = fy;
    *z = zs;
}

/* A plain function around the clones: clang 14 names a target_clones
 * dispatcher NAME.ifunc, which a call from another file never finds
 * (lib/model/score.c has the same wrappers). */
void lr__bhtree_repulse(const lr__bhtree *t, int32_t i, double theta2, double *repx,
                        double *repy, double *z)
{
    repulse(t, i, theta2, repx, repy, z);
}
