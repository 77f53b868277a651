/* What the embed suites check of a 2-D map.  SPDX-License-Identifier: MIT */
#ifndef LR_TEST_EMBED_KNN10_H
#define LR_TEST_EMBED_KNN10_H

#include "testutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Share of points whose 10 nearest map neighbours (brute force) vote
 * their own label by majority (ties to the lower label). */
static inline double knn10_accuracy(const double *y, const int32_t *label, int32_t n, int32_t c)
{
    int32_t right = 0;
    int32_t *votes = calloc((size_t)c, sizeof *votes);
    ck_assert_ptr_nonnull(votes);
    for (int32_t i = 0; i < n; i++) {
        double bd[10];
        int32_t bj[10], size = 0;
        for (int32_t j = 0; j < n; j++) {
            if (j == i)
                continue;
            const double dx = y[2 * i] - y[2 * j], dy = y[2 * i + 1] - y[2 * j + 1];
            const double d2 = dx * dx + dy * dy;
            if (size == 10 && d2 >= bd[9])
                continue;
            int32_t at = size < 10 ? size++ : 9;
            while (at > 0 && d2 < bd[at - 1]) {
                bd[at] = bd[at - 1];
                bj[at] = bj[at - 1];
                at--;
            }
            bd[at] = d2;
            bj[at] = j;
        }
        memset(votes, 0, (size_t)c * sizeof *votes);
        for (int32_t a = 0; a < size; a++)
            votes[label[bj[a]]]++;
        int32_t best = 0;
        for (int32_t g = 1; g < c; g++)
            if (votes[g] > votes[best])
                best = g;
        right += best == label[i];
    }
    free(votes);
    return (double)right / n;
}

#endif
