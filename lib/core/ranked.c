/* (value, index) pairs in one total order; lib/core/ranked.h.
 * SPDX-License-Identifier: MIT */
#include "core/ranked.h"

static int by_index(const lr__ranked *x, const lr__ranked *y)
{
    return (x->i > y->i) - (x->i < y->i);
}

int lr__ranked_asc(const void *a, const void *b)
{
    const lr__ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return by_index(x, y);
}

int lr__ranked_desc(const void *a, const void *b)
{
    const lr__ranked *x = a, *y = b;
    if (x->v != y->v)
        return x->v > y->v ? -1 : 1;
    return by_index(x, y);
}
