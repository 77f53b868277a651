/* Case- and accent-insensitive substring search over artist names.
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_SEARCH_H
#define LR_DATA_SEARCH_H

#include "data/dataset.h"

#include <stddef.h>

/* Dense indices of the artists whose folded name (lr__utf8_fold) contains
 * the folded text, ranked: exact match, then names starting with the text,
 * then the rest; within each, more fans first, then lower ID.  The first
 * `capacity` go to idx; *found receives the number of all matches.  Empty
 * text matches every artist, which lists the catalogue by popularity.  The
 * text may hold invalid UTF-8 (a Latin-1 query): it is repaired first.
 * The dataset is only read, so concurrent searches are safe. */
int lr__find_artist(const lr_dataset *ds, const char *text, int32_t *idx,
                    size_t capacity, size_t *found);

#endif
