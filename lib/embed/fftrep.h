/* t-SNE's repulsive forces by FFT-accelerated interpolation (Linderman et
 * al. 2019, "FIt-SNE"), in 2-D.  SPDX-License-Identifier: MIT
 *
 * The map's bounding square is cut into nb x nb boxes with p = 3
 * equispaced Lagrange nodes per box and side, one uniform grid of m = 3 nb
 * nodes a side.  Each point spreads four charges (1, x, y, x^2 + y^2; x
 * and y relative to the square's centre) onto the nine nodes of its box
 * by the Lagrange weights of its position; the kernel K(d) = 1 / (1 +
 * d^2)^2 between all pairs of nodes is applied as a convolution by FFT on
 * an L x L grid (L a power of two, L >= 2m - 1, so nothing wraps); each
 * point reads its four potentials phi_c back by the same weights.  Then,
 * with w_ij = 1 / (1 + d_ij^2) and K_ij = w_ij^2,
 *
 *   sum_j K_ij (y_i - y_j) = (x_i phi_1 - phi_2, y_i phi_1 - phi_3),
 *   sum_{j != i} w_ij = sum_j K_ij (1 + |y_i - y_j|^2) - 1
 *                     = (1 + |y_i|^2) phi_1 - 2 (x_i phi_2 + y_i phi_3) + phi_4 - 1,
 *
 * one kernel for both the forces and Z (the self term, K_ii = 1, adds 0
 * to the force and 1 to the sum, taken off).  The error is the
 * interpolation's: the kernel's variation over a box, so the box side is
 * held at most LR__FFTREP_BOX (map units) and the grid grows with the map.
 * A map too wide for the largest grid (LR__FFTREP_MAX_L) is refused:
 * lr__fftrep_prepare returns 1 and the caller uses Barnes-Hut for that
 * step.  Everything is double and in a fixed order, so the result depends
 * on the map alone (not the threads, not the CPU's vector width: no fused
 * multiply-adds under -std=c11, hot.h). */
#ifndef LR_EMBED_FFTREP_H
#define LR_EMBED_FFTREP_H

#include <stdint.h>

/* The largest box side, in map units (FIt-SNE's default is 1; 1.25 keeps
 * the 15,000-point maps of the dev split, about 47 units wide, on a
 * 256-point grid at a gradient error near 1e-3: tests/embed). */
#define LR__FFTREP_BOX 1.25
/* The largest FFT grid side: 1024^2 points, 16 MB a grid. */
#define LR__FFTREP_MAX_L 1024

/* Zero-initialise; its arrays are kept from one step to the next and
 * freed by lr__fftrep_free. */
typedef struct lr__fftrep {
    int32_t n;
    int32_t L;            /* FFT side, a power of two; 0 before the first step */
    int32_t nb;           /* boxes a side */
    double cx, cy;        /* the square's centre: charges are relative to it */
    double delta;         /* the nodes' spacing */
    int32_t *node;        /* [n] the first of the point's nine nodes, gx * L + gy */
    double *wx, *wy;      /* [3n] the point's Lagrange weights per axis */
    double *q;            /* [2n] the point relative to the centre */
    double *gr[2], *gi[2]; /* [L * L] two charge grids, two real charges each
                              (re + i im), then their potentials */
    double *kr, *ki;      /* [L * L] the kernel grid, then its transform */
    double *twr, *twi;    /* [L / 2] exp(-2 pi i k / L) */
    int32_t *rev;         /* [L] bit reversal */
} lr__fftrep;

/* A step, in three stages.  lr__fftrep_prepare places the n points of y
 * (n x 2, row-major, borrowed for the call) in their boxes and sizes the
 * grid; it returns LR_OK, 1 when the map needs a grid side above max_l
 * or LR__FFTREP_MAX_L (nothing done: use another method), or
 * LR_E_NOMEM.  Then
 * lr__fftrep_forward for each task 0 .. LR__FFTREP_FORWARD_TASKS - 1 (the
 * kernel's transform, and each charge grid spread and transformed), then
 * lr__fftrep_inverse for each grid 0 .. LR__FFTREP_GRIDS - 1 (the
 * product with the kernel, transformed back): the tasks of a stage touch
 * disjoint arrays, so they may run on different threads, in any order,
 * with the same result; a stage must have finished before the next
 * starts.  Then lr__fftrep_point gives each point's sums. */
#define LR__FFTREP_FORWARD_TASKS 3
#define LR__FFTREP_GRIDS 2
int lr__fftrep_prepare(lr__fftrep *f, const double *y, int32_t n, int32_t max_l);
void lr__fftrep_forward(lr__fftrep *f, int task);
void lr__fftrep_inverse(lr__fftrep *f, int grid);

/* Point i's repulsion sum_{j != i} w_ij^2 (y_i - y_j) into *repx, *repy
 * and sum_{j != i} w_ij into *z, after the three stages.  Thread-safe: it
 * only reads f. */
void lr__fftrep_point(const lr__fftrep *f, int32_t i, double *repx, double *repy, double *z);

void lr__fftrep_free(lr__fftrep *f);

#endif
