/* SPDX-License-Identifier: MIT */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double stats_mean(const double *v, size_t n)
{
    if (n == 0)
        return NAN;
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += v[i];
    return sum / (double)n;
}

double stats_std(const double *v, size_t n)
{
    if (n < 2)
        return NAN;
    /* Two passes: one-pass sums of squares lose digits on listen totals in
     * the millions. */
    double mean = stats_mean(v, n), ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - mean) * (v[i] - mean);
    return sqrt(ss / (double)(n - 1));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void stats_sort(double *v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_double);
}

double stats_quantile(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    double h = q * (double)(n - 1);
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= n)
        return sorted[n - 1];
    return sorted[lo] + (h - (double)lo) * (sorted[lo + 1] - sorted[lo]);
}

size_t stats_count_equal(const double *v, size_t n, double x)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += v[i] == x;
    return c;
}

void stats_histogram(const double *v, size_t n, double lo, double hi,
                     size_t bins, size_t *counts)
{
    memset(counts, 0, bins * sizeof *counts);
    double width = (hi - lo) / (double)bins;
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] >= lo && v[i] < hi))
            continue;
        size_t b = (size_t)((v[i] - lo) / width);
        counts[b < bins ? b : bins - 1]++;
    }
}
