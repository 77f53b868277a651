/* (value, index) pairs sorted in one total order.  SPDX-License-Identifier: MIT
 *
 * qsort is not stable, so every ranking in the library that sorts values
 * breaks ties by the lower index, which makes its order (and so its
 * results) the same on every machine and every run.  One pair type and
 * two comparators serve them all.
 */
#ifndef LR_CORE_RANKED_H
#define LR_CORE_RANKED_H

#include <stdint.h>

typedef struct lr__ranked {
    double v;
    int64_t i;
} lr__ranked;

/* qsort comparators over lr__ranked: values ascending / descending, equal
 * values by the lower index either way. */
int lr__ranked_asc(const void *a, const void *b);
int lr__ranked_desc(const void *a, const void *b);

#endif
