/* A quadtree over a 2-D map, for t-SNE's repulsive forces by Barnes-Hut
 * (van der Maaten 2014).  SPDX-License-Identifier: MIT */
#ifndef LR_EMBED_BHTREE_H
#define LR_EMBED_BHTREE_H

#include <stdint.h>

typedef struct lr__bhnode {
    double cx, cy;      /* centre of mass of its points */
    double side2;       /* the squared extent of its points (the larger side
                           of their bounding box) */
    double mass;        /* its number of points */
    int32_t begin, end; /* its points: pos[begin..end) of the tree */
    int32_t child;      /* first child (its children are contiguous); -1: a leaf */
    int32_t nchild;
} lr__bhnode;

/* Built anew each iteration, its arrays kept from one build to the next.
 * Zero-initialise, build, and lr__bhtree_free at the end. */
typedef struct lr__bhtree {
    int32_t n;
    int32_t *perm;      /* [n] the points in tree order (a leaf's are contiguous) */
    int32_t *where;     /* [n] a point's place in perm */
    double *px, *py;    /* [n] coordinates in tree order, for locality */
    lr__bhnode *nodes;
    int32_t nnodes, cap;
    int32_t *scratch;   /* [n] partitioning buffer */
} lr__bhtree;

/* Build the tree of the n points of y (n x 2, row-major, borrowed for the
 * call).  Points are split in four by their cell's centre until at most a
 * few remain in a cell or the cell is too small to split (points that
 * coincide).  Depends only on y: no thread count, no timing.  LR_OK or
 * LR_E_NOMEM. */
int lr__bhtree_build(lr__bhtree *t, const double *y, int32_t n);

/* The repulsion on point i (0 <= i < n) from all others: rep = sum over
 * j != i of w_ij^2 (y_i - y_j) and *z = sum of w_ij, w_ij = 1 / (1 +
 * |y_i - y_j|^2), with a cell whose points span s (the larger side of
 * their bounding box) at distance r from y_i (to its centre of mass) taken
 * as one point of its mass when s^2 < theta2 r^2 and i is not in it.  Sums in the tree's fixed order, so the bits depend
 * on y alone.  Thread-safe: it only reads t. */
void lr__bhtree_repulse(const lr__bhtree *t, int32_t i, double theta2, double *repx,
                        double *repy, double *z);

void lr__bhtree_free(lr__bhtree *t);

#endif
