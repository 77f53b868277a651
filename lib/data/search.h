/* Case- and accent-insensitive substring search over artist names.
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_SEARCH_H
#define LR_DATA_SEARCH_H

#include "data/dataset.h"

#include <stddef.h>

/* The fan count of name i, which ranks candidates of the same kind. */
typedef int64_t (*lr__fans_fn)(const void *ctx, int32_t i);

/* The search keys of names (each folded as the search folds it) into
 * *keys, which the caller frees with lr__strtab_free.  Folding 17,632
 * names is most of a search's time; a caller that searches repeatedly
 * (a query resolving a list of preferences) folds them once.  LR_OK or
 * LR_E_NOMEM (nothing left to free). */
int lr__search_keys(const lr__strtab *names, lr__strtab *keys);

/* The search itself, over any table of names: a dataset's artists or the
 * copy a model carries (so a model file alone resolves names).  keys, when
 * not NULL, are lr__search_keys(names), used instead of folding each name
 * again.  Ranking, capacity and *found as for lr__find_artist below;
 * *exact (may be NULL) receives how many candidates are exact matches
 * (they come first).  Only reads its inputs, so concurrent searches are
 * safe. */
int lr__search_names(const lr__strtab *names, const lr__strtab *keys, lr__fans_fn fans,
                     const void *ctx, const char *text, int32_t *idx, size_t capacity,
                     size_t *found, size_t *exact);

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
