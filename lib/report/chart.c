/* SPDX-License-Identifier: MIT */
#include "report/chart.h"

#include <math.h>
#include <string.h>

#define W 640.0
/* The picture's height: 380 unless the chart asks for more (the map).
 * Thread-local because every drawing helper reads it and two threads may
 * write reports at once. */
static _Thread_local double H = 380.0;
#define MT 44.0 /* title */
#define MR 24.0
#define MB 58.0 /* tick labels and the x label */
#define ML 80.0 /* tick labels and the y label */
#define ML_BARS 150.0 /* category names */
#define MAX_TICKS 12

static const char *const series_colors[] = {
    LR__COLOR_BLUE, LR__COLOR_ORANGE, LR__COLOR_GREEN,
    LR__COLOR_VERMILLION, LR__COLOR_SKY, LR__COLOR_PURPLE,
};

const char *lr__series_color(size_t i)
{
    return series_colors[i % (sizeof series_colors / sizeof series_colors[0])];
}

static const char *const category_colors[LR__CATEGORY_COLORS] = {
    "#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
    "#DDCC77", "#CC6677", "#882255", "#AA4499", "#E69F00",
};

const char *lr__category_color(size_t i)
{
    return i < LR__CATEGORY_COLORS ? category_colors[i] : LR__COLOR_GREY;
}

/* ------------------------------------------------------------- scales */

typedef struct scale {
    int log;
    double lo, hi;   /* domain (log10 of it on a log scale) */
    double p0, p1;   /* pixels: p0 at lo, p1 at hi */
} scale;

static double fwd(const scale *s, double v)
{
    if (s->log)
        v = v > 0 ? log10(v) : s->lo;
    double t = s->hi > s->lo ? (v - s->lo) / (s->hi - s->lo) : 0.5;
    if (t < 0)
        t = 0;
    if (t > 1)
        t = 1;
    return s->p0 + t * (s->p1 - s->p0);
}

static scale make_scale(const lr__axis *a, double lo, double hi, double p0, double p1)
{
    scale s = {a->log, lo, hi, p0, p1};
    if (a->log) {
        s.lo = log10(lo > 0 ? lo : 1e-12);
        s.hi = log10(hi > 0 ? hi : 1e-12);
    }
    return s;
}

static double nice_step(double range, size_t want)
{
    double raw = range / (double)want;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
}

size_t lr__ticks(const lr__axis *a, double lo, double hi, double *t, size_t max)
{
    size_t n = 0;
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return 0;
    if (a->log && lo > 0) {
        double e0 = ceil(log10(lo) - 1e-9), e1 = floor(log10(hi) + 1e-9);
        /* Whole decades, thinned so that at most `max` show. */
        double every = ceil((e1 - e0 + 1) / (double)max);
        if (every < 1)
            every = 1;
        for (double e = e0; e <= e1 && n < max; e += every)
            t[n++] = pow(10, e);
        if (n >= 2)
            return n;
        n = 0; /* less than a decade: linear ticks read better */
    }
    double step = nice_step(hi - lo, 5);
    for (double v = ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9 && n < max; v += step)
        t[n++] = fabs(v) < step * 1e-9 ? 0 : v;
    return n;
}

void lr__tick_label(lr__buf *b, double v)
{
    double a = fabs(v);
    if (a != 0 && (a < 1e-3 || a >= 1e9)) {
        lr__buf_printf(b, "%.0e", v);
        return;
    }
    /* Enough decimals for the tick's own digits, no more. */
    int dec = 0;
    while (dec < 4 && fabs(v * pow(10, dec) - round(v * pow(10, dec))) > 1e-6 * pow(10, dec))
        dec++;
    lr__buf_num(b, v, dec);
}

/* ------------------------------------------------------------- pieces */

static void set_height(const lr__chart *c) { H = c->height > 0 ? c->height : 380.0; }

static void begin_framed(lr__buf *b, const lr__chart *c, const char *kind, size_t marks,
                         int frame)
{
    lr__buf_printf(b, "<figure class=\"chart%s\" id=\"%s\" data-kind=\"%s\" data-marks=\"%zu\">\n%s",
                   c->wide ? " wide" : "", c->id, kind, marks,
                   frame ? "<div class=\"frame\">" : "");
    lr__buf_printf(b, "<svg viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"%s-t\">"
                   "<title id=\"%s-t\">", W, H, c->id, c->id);
    lr__buf_html(b, c->title);
    lr__buf_puts(b, "</title>\n<text class=\"title\" x=\"12\" y=\"24\">");
    lr__buf_html(b, c->title);
    lr__buf_puts(b, "</text>\n");
}

static void begin(lr__buf *b, const lr__chart *c, const char *kind, size_t marks)
{
    begin_framed(b, c, kind, marks, 0);
}

static void end_svg(lr__buf *b, const lr__chart *c)
{
    lr__buf_puts(b, "</svg>\n");
    if (c->caption) {
        lr__buf_puts(b, "<figcaption>");
        lr__buf_html(b, c->caption);
        lr__buf_puts(b, "</figcaption>\n");
    }
}

void lr__chart_end(lr__buf *b) { lr__buf_puts(b, "</figure>\n"); }

static void x_axis(lr__buf *b, const lr__chart *c, const scale *sx, double lo, double hi)
{
    double t[MAX_TICKS];
    size_t nt = lr__ticks(&c->x, lo, hi, t, 8);
    double y = H - MB;
    lr__buf_printf(b, "<g class=\"axis x\"><line class=\"domain\" x1=\"%.1f\" x2=\"%.1f\" "
                   "y1=\"%.1f\" y2=\"%.1f\"/>", sx->p0, sx->p1, y, y);
    for (size_t i = 0; i < nt; i++) {
        double px = fwd(sx, t[i]);
        /* A long label at the right end is pulled inside the picture. */
        lr__buf tl = {0};
        lr__tick_label(&tl, t[i]);
        double half = 3.4 * (double)tl.n, tx = px;
        if (tx + half > W - 2)
            tx = W - 2 - half;
        lr__buf_printf(b, "<g class=\"tick\"><line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" "
                       "y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                       px, px, y, y + 5, tx, y + 19);
        if (tl.p)
            lr__buf_put(b, tl.p, tl.n);
        lr__buf_free(&tl);
        lr__buf_puts(b, "</text></g>");
    }
    lr__buf_printf(b, "<text class=\"label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">",
                   (sx->p0 + sx->p1) / 2, H - 14);
    lr__buf_html(b, c->x.label);
    lr__buf_puts(b, "</text></g>\n");
}

static void y_axis(lr__buf *b, const lr__chart *c, const scale *sy, double lo, double hi,
                   double left)
{
    double t[MAX_TICKS];
    size_t nt = lr__ticks(&c->y, lo, hi, t, 7);
    lr__buf_printf(b, "<g class=\"axis y\"><line class=\"domain\" x1=\"%.1f\" x2=\"%.1f\" "
                   "y1=\"%.1f\" y2=\"%.1f\"/>", left, left, sy->p0, sy->p1);
    for (size_t i = 0; i < nt; i++) {
        double py = fwd(sy, t[i]);
        lr__buf_printf(b, "<g class=\"tick\"><line class=\"grid\" x1=\"%.1f\" x2=\"%.1f\" "
                       "y1=\"%.1f\" y2=\"%.1f\"/><text x=\"%.1f\" y=\"%.1f\" "
                       "text-anchor=\"end\">", left - 5, W - MR, py, py, left - 8, py + 4);
        lr__tick_label(b, t[i]);
        lr__buf_puts(b, "</text></g>");
    }
    double mid = (sy->p0 + sy->p1) / 2;
    lr__buf_printf(b, "<text class=\"label\" transform=\"translate(16 %.1f) rotate(-90)\" "
                   "text-anchor=\"middle\">", mid);
    lr__buf_html(b, c->y.label);
    lr__buf_puts(b, "</text></g>\n");
}

static void legend(lr__buf *b, const char *const *names, size_t ns)
{
    if (ns < 2 || !names)
        return;
    lr__buf_puts(b, "<g class=\"legend\">");
    double x = W - MR - 170;
    for (size_t s = 0; s < ns; s++) {
        double y = 14 + 16.0 * (double)s;
        lr__buf_printf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"12\" height=\"12\" fill=\"%s\"/>"
                       "<text x=\"%.1f\" y=\"%.1f\">", x, y, lr__series_color(s), x + 17, y + 10);
        lr__buf_html(b, names[s]);
        lr__buf_puts(b, "</text>");
    }
    lr__buf_puts(b, "</g>\n");
}

/* A domain from data when the axis has none: [0, max] on a linear count
 * axis, [min/1.5, max*1.5] on a log one. */
static void domain(const lr__axis *a, double dmin, double dmax, double *lo, double *hi)
{
    *lo = a->lo;
    *hi = a->hi;
    if (isnan(*lo))
        *lo = a->log ? (dmin > 0 ? dmin / 1.5 : 0.5) : (dmin < 0 ? dmin : 0);
    if (isnan(*hi))
        *hi = a->log ? (dmax > 0 ? dmax * 1.5 : 10) : (dmax > *lo ? dmax * 1.05 : *lo + 1);
    if (!(*hi > *lo))
        *hi = *lo + 1;
}

static void table_begin(lr__buf *b, const char *first, const char *const *cols, size_t nc)
{
    lr__buf_puts(b, "<details><summary>The numbers</summary><table><thead><tr><th>");
    lr__buf_html(b, first);
    lr__buf_puts(b, "</th>");
    for (size_t i = 0; i < nc; i++) {
        lr__buf_puts(b, "<th>");
        lr__buf_html(b, cols[i]);
        lr__buf_puts(b, "</th>");
    }
    lr__buf_puts(b, "</tr></thead><tbody>\n");
}

static void table_end(lr__buf *b) { lr__buf_puts(b, "</tbody></table></details>\n"); }

/* A number with as many decimals as it has (up to 4), for tables. */
static void cell_num(lr__buf *b, double v)
{
    if (v == floor(v) || !isfinite(v))
        lr__buf_num(b, v, 0);
    else
        lr__buf_num(b, v, fabs(v) >= 100 ? 1 : 4);
}

/* A histogram bin's label: its range, or the integers it holds. */
static void bin_label(lr__buf *b, const lr__chart *c, double lo, double hi)
{
    if (c->discrete) {
        double a = lo + 0.5, z = hi - 0.5;
        cell_num(b, a);
        if (z > a) {
            lr__buf_puts(b, " \xE2\x80\x93 ");
            cell_num(b, z);
        }
        return;
    }
    cell_num(b, lo);
    lr__buf_puts(b, " \xE2\x80\x93 ");
    cell_num(b, hi);
}

/* ------------------------------------------------------------- charts */

void lr__chart_histogram(lr__buf *b, const lr__chart *c, const double *edges, size_t nb,
                         const double *const *counts, const char *const *names, size_t ns)
{
    set_height(c);
    double cmax = 0, cmin = INFINITY;
    for (size_t s = 0; s < ns; s++)
        for (size_t i = 0; i < nb; i++) {
            cmax = counts[s][i] > cmax ? counts[s][i] : cmax;
            if (counts[s][i] > 0 && counts[s][i] < cmin)
                cmin = counts[s][i];
        }
    double xlo, xhi, ylo, yhi;
    domain(&c->x, nb ? edges[0] : 0, nb ? edges[nb] : 1, &xlo, &xhi);
    if (isnan(c->x.lo) && nb)
        xlo = edges[0];
    if (isnan(c->x.hi) && nb)
        xhi = edges[nb];
    domain(&c->y, cmin == INFINITY ? 1 : cmin, cmax, &ylo, &yhi);
    if (c->y.log && isnan(c->y.lo))
        ylo = 0.5; /* a bin of one still shows */
    scale sx = make_scale(&c->x, xlo, xhi, ML, W - MR);
    scale sy = make_scale(&c->y, ylo, yhi, H - MB, MT);
    begin(b, c, "histogram", nb * ns);
    y_axis(b, c, &sy, ylo, yhi, ML);
    x_axis(b, c, &sx, xlo, xhi);
    lr__buf_puts(b, "<g class=\"marks\">");
    for (size_t i = 0; i < nb; i++) {
        double x0 = fwd(&sx, edges[i]), x1 = fwd(&sx, edges[i + 1]);
        double gap = (x1 - x0) > 6 ? 1 : 0, w = (x1 - x0 - gap) / (double)ns;
        for (size_t s = 0; s < ns; s++) {
            double v = counts[s][i];
            double top = v > 0 ? fwd(&sy, v) : H - MB;
            lr__buf_printf(b, "<rect class=\"mark bar\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" "
                           "height=\"%.2f\" fill=\"%s\"><title>",
                           x0 + gap / 2 + w * (double)s, top, w > 0.3 ? w : 0.3,
                           H - MB - top, lr__series_color(s));
            if (ns > 1 && names) {
                lr__buf_html(b, names[s]);
                lr__buf_puts(b, ": ");
            }
            bin_label(b, c, edges[i], edges[i + 1]);
            lr__buf_puts(b, ": ");
            cell_num(b, v);
            lr__buf_puts(b, "</title></rect>");
        }
    }
    lr__buf_puts(b, "</g>\n");
    legend(b, names, ns);
    end_svg(b, c);
    const char *one = "count";
    table_begin(b, c->x.label, ns > 1 && names ? names : &one, ns > 1 && names ? ns : 1);
    for (size_t i = 0; i < nb; i++) {
        lr__buf_puts(b, "<tr><td>");
        bin_label(b, c, edges[i], edges[i + 1]);
        lr__buf_puts(b, "</td>");
        for (size_t s = 0; s < ns; s++) {
            lr__buf_puts(b, "<td>");
            cell_num(b, counts[s][i]);
            lr__buf_puts(b, "</td>");
        }
        lr__buf_puts(b, "</tr>\n");
    }
    table_end(b);
    lr__chart_end(b);
}

void lr__chart_hbars(lr__buf *b, const lr__chart *c, const char *const *labels,
                     const double *values, size_t n, const char *bar_class, const int *keys,
                     size_t colored)
{
    set_height(c);
    double vmax = 0;
    for (size_t i = 0; i < n; i++)
        vmax = values[i] > vmax ? values[i] : vmax;
    double xlo, xhi;
    domain(&c->x, 0, vmax, &xlo, &xhi);
    scale sx = make_scale(&c->x, xlo, xhi, ML_BARS, W - MR - 40);
    double band = n ? (H - MB - MT) / (double)n : 1;
    begin(b, c, "bars", n);
    /* The category axis: names instead of ticks. */
    lr__buf_printf(b, "<g class=\"axis y\"><line class=\"domain\" x1=\"%.1f\" x2=\"%.1f\" "
                   "y1=\"%.1f\" y2=\"%.1f\"/>", ML_BARS, ML_BARS, MT, H - MB);
    for (size_t i = 0; i < n; i++) {
        double y = MT + band * ((double)i + 0.5);
        lr__buf_printf(b, "<g class=\"tick\"><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                       ML_BARS - 6, y + 4);
        lr__buf_html(b, labels[i]);
        lr__buf_puts(b, "</text></g>");
    }
    lr__buf_printf(b, "<text class=\"label\" transform=\"translate(14 %.1f) rotate(-90)\" "
                   "text-anchor=\"middle\">", (MT + H - MB) / 2);
    lr__buf_html(b, c->y.label);
    lr__buf_puts(b, "</text></g>\n");
    x_axis(b, c, &sx, xlo, xhi);
    lr__buf_puts(b, "<g class=\"marks\">");
    for (size_t i = 0; i < n; i++) {
        double y = MT + band * (double)i + band * 0.12, x1 = fwd(&sx, values[i]);
        lr__buf_printf(b, "<g class=\"mark bar%s%s\"", keys && bar_class ? " " : "",
                       keys && bar_class ? bar_class : "");
        if (keys)
            lr__buf_printf(b, " data-key=\"%d\" data-count=\"%.0f\" tabindex=\"0\" "
                           "role=\"button\"", keys[i], values[i]);
        lr__buf_printf(b, "><rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" "
                       "fill=\"%s\"/><text class=\"value\" x=\"%.1f\" y=\"%.1f\">",
                       ML_BARS, y, x1 - ML_BARS, band * 0.76,
                       !keys ? LR__COLOR_BLUE
                       : (size_t)keys[i] < colored ? lr__category_color((size_t)keys[i])
                                                   : LR__COLOR_GREY,
                       x1 + 4, y + band * 0.38 + 4);
        cell_num(b, values[i]);
        lr__buf_puts(b, "</text><title>");
        lr__buf_html(b, labels[i]);
        lr__buf_puts(b, ": ");
        cell_num(b, values[i]);
        lr__buf_puts(b, "</title></g>");
    }
    lr__buf_puts(b, "</g>\n");
    end_svg(b, c);
    const char *col = c->x.label;
    table_begin(b, c->y.label, &col, 1);
    for (size_t i = 0; i < n; i++) {
        lr__buf_puts(b, "<tr><td>");
        lr__buf_html(b, labels[i]);
        lr__buf_puts(b, "</td><td>");
        cell_num(b, values[i]);
        lr__buf_puts(b, "</td></tr>\n");
    }
    table_end(b);
    lr__chart_end(b);
}

void lr__chart_lines(lr__buf *b, const lr__chart *c, const double *x, size_t n,
                     const double *const *y, const char *const *names, size_t ns)
{
    set_height(c);
    double ymin = INFINITY, ymax = -INFINITY, xmin = INFINITY, xmax = -INFINITY;
    size_t marks = 0;
    for (size_t i = 0; i < n; i++) {
        xmin = x[i] < xmin ? x[i] : xmin;
        xmax = x[i] > xmax ? x[i] : xmax;
    }
    for (size_t s = 0; s < ns; s++) {
        size_t pts = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(y[s][i])) {
                ymin = y[s][i] < ymin ? y[s][i] : ymin;
                ymax = y[s][i] > ymax ? y[s][i] : ymax;
                pts++;
            }
        marks += pts + (pts > 0); /* the points and the line */
    }
    if (ymin == INFINITY)
        ymin = 0, ymax = 1;
    if (xmin == INFINITY)
        xmin = 0, xmax = 1;
    double xlo = isnan(c->x.lo) ? xmin : c->x.lo, xhi = isnan(c->x.hi) ? xmax : c->x.hi;
    if (!(xhi > xlo))
        xhi = xlo + 1;
    double pad = (ymax - ymin) * 0.08;
    if (pad == 0)
        pad = fabs(ymax) > 0 ? fabs(ymax) * 0.1 : 1;
    double ylo = isnan(c->y.lo) ? ymin - pad : c->y.lo, yhi = isnan(c->y.hi) ? ymax + pad : c->y.hi;
    if (c->y.log && isnan(c->y.lo))
        ylo = ymin / 1.2, yhi = ymax * 1.2;
    scale sx = make_scale(&c->x, xlo, xhi, ML + 8, W - MR - 8);
    scale sy = make_scale(&c->y, ylo, yhi, H - MB, MT);
    begin(b, c, "lines", marks);
    y_axis(b, c, &sy, ylo, yhi, ML);
    x_axis(b, c, &sx, xlo, xhi);
    lr__buf_puts(b, "<g class=\"marks\">");
    for (size_t s = 0; s < ns; s++) {
        const char *col = lr__series_color(s);
        int open = 0, any = 0;
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(y[s][i])) {
                open = 0;
                continue;
            }
            if (!any)
                lr__buf_printf(b, "<path class=\"mark line\" fill=\"none\" stroke=\"%s\" "
                               "stroke-width=\"2\" d=\"", col);
            lr__buf_printf(b, "%s%.1f %.1f", open ? "L" : "M", fwd(&sx, x[i]), fwd(&sy, y[s][i]));
            open = any = 1;
        }
        if (any)
            lr__buf_puts(b, "\"/>");
        for (size_t i = 0; i < n; i++) {
            if (!isfinite(y[s][i]))
                continue;
            lr__buf_printf(b, "<circle class=\"mark point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
                           "fill=\"%s\"><title>", fwd(&sx, x[i]), fwd(&sy, y[s][i]), col);
            if (names && ns > 1) {
                lr__buf_html(b, names[s]);
                lr__buf_puts(b, ", ");
            }
            lr__buf_html(b, c->x.label);
            lr__buf_puts(b, " ");
            cell_num(b, x[i]);
            lr__buf_puts(b, ": ");
            cell_num(b, y[s][i]);
            lr__buf_puts(b, "</title></circle>");
        }
    }
    lr__buf_puts(b, "</g>\n");
    legend(b, names, ns);
    end_svg(b, c);
    const char *one = c->y.label;
    table_begin(b, c->x.label, ns > 1 && names ? names : &one, ns > 1 && names ? ns : 1);
    for (size_t i = 0; i < n; i++) {
        lr__buf_puts(b, "<tr><td>");
        cell_num(b, x[i]);
        lr__buf_puts(b, "</td>");
        for (size_t s = 0; s < ns; s++) {
            lr__buf_puts(b, "<td>");
            cell_num(b, y[s][i]);
            lr__buf_puts(b, "</td>");
        }
        lr__buf_puts(b, "</tr>\n");
    }
    table_end(b);
    lr__chart_end(b);
}

void lr__chart_canvas(lr__buf *b, const lr__chart *c, const char *kind, const char *data_src,
                      size_t points)
{
    set_height(c);
    double xlo = c->x.lo, xhi = c->x.hi, ylo = c->y.lo, yhi = c->y.hi;
    scale sx = make_scale(&c->x, xlo, xhi, ML, W - MR);
    scale sy = make_scale(&c->y, ylo, yhi, H - MB, MT);
    begin_framed(b, c, kind, points, 1);
    y_axis(b, c, &sy, ylo, yhi, ML);
    x_axis(b, c, &sx, xlo, xhi);
    lr__buf_puts(b, "</svg>\n");
    /* The canvas covers the plot area exactly, in shares of the figure, so
     * it scales with the SVG whatever width the page gives the figure. */
    lr__buf_printf(b, "<canvas class=\"plot\" data-src=\"%s\" data-marks=\"%zu\" "
                   "data-x0=\"%.17g\" data-x1=\"%.17g\" data-logx=\"%d\" "
                   "data-y0=\"%.17g\" data-y1=\"%.17g\" data-logy=\"%d\" "
                   "style=\"left:%.4f%%;top:%.4f%%;width:%.4f%%;height:%.4f%%\"></canvas>"
                   "<div class=\"tip\" hidden></div></div>\n",
                   data_src, points, xlo, xhi, c->x.log, ylo, yhi, c->y.log,
                   100 * ML / W, 100 * MT / H, 100 * (W - MR - ML) / W, 100 * (H - MB - MT) / H);
    if (c->caption) {
        lr__buf_puts(b, "<figcaption>");
        lr__buf_html(b, c->caption);
        lr__buf_puts(b, "</figcaption>\n");
    }
}
