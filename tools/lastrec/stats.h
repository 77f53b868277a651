/* Descriptive statistics the way pandas computes them, so the tool's numbers
 * match the notebook's.  SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_STATS_H
#define LASTREC_TOOL_STATS_H

#include <stddef.h>

/* NaN when n == 0. */
double stats_mean(const double *v, size_t n);
/* Sample standard deviation (ddof = 1, pandas' default); NaN when n < 2. */
double stats_std(const double *v, size_t n);
void stats_sort(double *v, size_t n);
/* Quantile of sorted values by linear interpolation (pandas' default);
 * NaN when n == 0. */
double stats_quantile(const double *sorted, size_t n, double q);
/* Values equal to @p x. */
size_t stats_count_equal(const double *v, size_t n, double x);
/* Count values in [lo, hi) into @p bins equal-width bins. */
void stats_histogram(const double *v, size_t n, double lo, double hi,
                     size_t bins, size_t *counts);

#endif
