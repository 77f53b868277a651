/* Exact nearest neighbours, for t-SNE: of the input rows (blocked sgemm)
 * and of the 2-D map (a sweep along x).  SPDX-License-Identifier: MIT
 *
 * Exact search costs n^2 d multiply-adds: at the catalogue's 17,632 x 64
 * that is 20 GFlop, about a second on two cores.  Beyond ~10^5 points
 * (~10^12 flops and more) one would switch to an approximate graph —
 * random projection trees with neighbour descent (Annoy, pynndescent) or
 * HNSW — as openTSNE and FIt-SNE do; t-SNE's affinities barely change
 * when a few of the 3 x perplexity neighbours are slightly wrong.
 */
#ifndef LR_EMBED_KNN_H
#define LR_EMBED_KNN_H

#include <stdint.h>

/* The k nearest other rows of each of the n rows of x (n x d, row-major,
 * borrowed), for metric LR__TSNE_EUCLIDEAN (dist: the squared Euclidean
 * distance) or LR__TSNE_COSINE (dist: 1 - cos, the cosine distance).  A
 * zero row has no direction: it is at distance 1 from every non-zero row
 * (cos 0, as in scikit-learn's cosine_distances) and at 0 from every other
 * zero row, so that zero rows (artists ALS never saw) are one another's
 * neighbours rather than all choosing the same lowest-numbered rows on a
 * tie, as a neighbour search that puts them at 1 from everything does.  idx[n x k] and dist[n x k] (the
 * caller's): row i ascending by (dist, index), never i itself.  Candidates
 * are chosen on sgemm's float distances, with a margin, then ranked on
 * distances recomputed in double, so the result is exact unless float
 * rounding moves a row past the margin.  The sgemm blocks do not depend on
 * the thread count, so neither do the bits.  1 <= k <= n - 1, threads >= 1.
 * LR_OK or LR_E_NOMEM. */
int lr__knn_exact(const float *x, int32_t n, int32_t d, int metric, int32_t k, int threads,
                  int32_t *idx, double *dist);

/* The m nearest other points of each of the n points of y (n x 2,
 * row-major, borrowed) by Euclidean distance, ties by lower index:
 * idx[n x m] (the caller's), each row nearest first.  1 <= m <= n - 1.
 * LR_OK or LR_E_NOMEM. */
int lr__knn_map(const double *y, int32_t n, int32_t m, int threads, int32_t *idx);

#endif
