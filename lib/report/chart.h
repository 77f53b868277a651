/* Charts as inline SVG, written by the library: histograms, bars, lines,
 * and the axes of the canvas plots that the page's script fills.
 * SPDX-License-Identifier: MIT
 *
 * Each chart is a <figure class="chart"> holding an <svg> with a title,
 * two axes (ticks, tick labels, axis label), its marks (class "mark", one
 * per bar, line or point, counted in data-marks), a legend when there is
 * more than one series, a caption and the same numbers as a table, so the
 * page reads without the picture and a test can count what was drawn.
 * docs/report.md says why SVG.
 */
#ifndef LR_REPORT_CHART_H
#define LR_REPORT_CHART_H

#include "report/html.h"

#include <stddef.h>

/* Okabe & Ito's colour-blind-safe palette, for series. */
#define LR__COLOR_BLUE "#0072B2"
#define LR__COLOR_ORANGE "#E69F00"
#define LR__COLOR_GREEN "#009E73"
#define LR__COLOR_VERMILLION "#D55E00"
#define LR__COLOR_SKY "#56B4E9"
#define LR__COLOR_PURPLE "#CC79A7"
#define LR__COLOR_GREY "#BBBBBB"

/* The i-th series colour (cycles through six). */
const char *lr__series_color(size_t i);

/* Categories of the map: Paul Tol's "muted" scheme and Okabe-Ito orange,
 * ten hues that stay apart under the common colour-vision deficiencies. */
#define LR__CATEGORY_COLORS 10
const char *lr__category_color(size_t i);

typedef struct lr__axis {
    const char *label; /* with its unit */
    int log;           /* 1: log10 scale (values <= 0 are clipped to lo) */
    double lo, hi;     /* the domain; NaN for "from the data" */
} lr__axis;

typedef struct lr__chart {
    const char *id;      /* element id, unique in the page: letters, digits, '-' */
    const char *title;
    const char *caption; /* the one-line reading of what it shows, or NULL */
    lr__axis x, y;
    int wide;            /* 1: the full width of the page (two per row otherwise) */
    double height;       /* of the picture, 0 for the usual 380 (of 640 wide) */
    int discrete;        /* histograms of integers: bins [k - 0.5, k + w - 0.5) are
                            labelled "k" or "k – k + w - 1" */
} lr__chart;

/* A histogram: bins [edges[i], edges[i+1]) for i < nb, ns series of
 * counts[s][0..nb), bars of a bin side by side.  names[s] label the
 * series (legend and table; may be NULL when ns is 1). */
void lr__chart_histogram(lr__buf *b, const lr__chart *c, const double *edges, size_t nb,
                         const double *const *counts, const char *const *names, size_t ns);

/* Horizontal bars, one per label, first at the top.  When keys is not
 * NULL each bar carries bar_class and data-key="keys[i]" (for the page's
 * script: the map's tag filter), and is drawn in category colour keys[i]
 * when keys[i] < colored, grey otherwise. */
void lr__chart_hbars(lr__buf *b, const lr__chart *c, const char *const *labels,
                     const double *values, size_t n, const char *bar_class, const int *keys,
                     size_t colored);

/* Lines: ns series over x[0..n); a NaN y breaks its line and is not a
 * point.  Marks are the lines and their points. */
void lr__chart_lines(lr__buf *b, const lr__chart *c, const double *x, size_t n,
                     const double *const *y, const char *const *names, size_t ns);

/* A plot the page's script draws on a <canvas> over these axes: the
 * figure, the axes, and a canvas carrying the scales in data-* attributes
 * and data-src, the id of the <script type="application/json"> holding
 * its points.  `points` is the number of marks the script must draw
 * (data-marks).  Both axes need finite domains.  The caller closes the
 * figure with lr__chart_end after any controls, table and notes. */
void lr__chart_canvas(lr__buf *b, const lr__chart *c, const char *kind, const char *data_src,
                      size_t points);
void lr__chart_end(lr__buf *b);

/* Nice ticks of a domain: up to max ticks into t, their count returned. */
size_t lr__ticks(const lr__axis *a, double lo, double hi, double *t, size_t max);

/* A tick label: 1,000 / 0.25 / 1e-05. */
void lr__tick_label(lr__buf *b, double v);

#endif
