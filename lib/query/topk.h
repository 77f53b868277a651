/* Partial selection of the k best scores: the one top-k routine of the
 * library (queries, the batch recommender, evaluation).
 * SPDX-License-Identifier: MIT */
#ifndef LR_QUERY_TOPK_H
#define LR_QUERY_TOPK_H

#include <stdint.h>

/* The best k of scores[0, n), best first, into top_score[k] and
 * top_index[k] (both required: they are the heap while selecting, so the
 * routine allocates nothing).  Order: higher score first, equal scores by
 * the lower index (dense index order is artist-ID order, so results are
 * deterministic).  Left out, never selected even to fill k:
 *   - the indices skip[0, n_skip), ascending, each in [0, n) (a user's own
 *     artists straight from a CSR row; may be NULL when n_skip is 0);
 *   - indices i with allow[i] == 0 when allow is not NULL (filters);
 *   - NaN scores (a score that does not exist, e.g. an artist outside an
 *     EASE model).
 * Returns how many were written: k, or fewer when fewer qualify.  k >= 1.
 * Cost: one comparison per score against the current k-th best, done 16
 * at a time without branches; only the few scores that beat it touch the
 * heap. */
int32_t lr__topk(int32_t k, const float *scores, int32_t n, const int32_t *skip,
                 int64_t n_skip, const unsigned char *allow, float *top_score,
                 int32_t *top_index);

#endif
