/* The report page: its sections, from the dataset, the split and the
 * models.  SPDX-License-Identifier: MIT
 *
 * Sections follow the notebook (docs/report.md): data, distributions,
 * tags, friends, models, embeddings, recommendations.  Each has a heading,
 * a one-line reading computed from its numbers, its charts (chart.c) and
 * the same numbers as tables.  Nothing here prints; long steps report
 * through the options' progress callback.
 */
#include "report/report.h"
#include "report/chart.h"
#include "report/html.h"
#include "report/report_assets.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/ranked.h"
#include "data/overlap.h"
#include "embed/map.h"
#include "embed/norms.h"
#include "eval/eval.h"
#include "query/query.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- numbers */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Values of a distribution, sorted ascending. */
typedef struct vec {
    double *v;
    size_t n;
} vec;

static int fetch(const lr_dataset *ds, int which, vec *out)
{
    int rc = lr__distribution(ds, which, &out->v, &out->n);
    if (rc != LR_OK)
        return rc;
    if (out->n > 1)
        qsort(out->v, out->n, sizeof *out->v, cmp_double);
    return LR_OK;
}

static double mean(const vec *x)
{
    if (x->n == 0)
        return NAN;
    double s = 0;
    for (size_t i = 0; i < x->n; i++)
        s += x->v[i];
    return s / (double)x->n;
}

/* Sample standard deviation (pandas' ddof = 1, as the notebook's). */
static double stdev(const vec *x)
{
    if (x->n < 2)
        return NAN;
    double m = mean(x), ss = 0;
    for (size_t i = 0; i < x->n; i++)
        ss += (x->v[i] - m) * (x->v[i] - m);
    return sqrt(ss / (double)(x->n - 1));
}

/* Linear interpolation between order statistics (pandas' default). */
static double quantile(const vec *x, double q)
{
    if (x->n == 0)
        return NAN;
    double h = q * (double)(x->n - 1);
    size_t lo = (size_t)floor(h);
    if (lo + 1 >= x->n)
        return x->v[x->n - 1];
    return x->v[lo] + (h - (double)lo) * (x->v[lo + 1] - x->v[lo]);
}

static size_t count_above(const vec *x, double cut)
{
    size_t k = 0;
    for (size_t i = 0; i < x->n; i++)
        k += x->v[i] > cut;
    return k;
}

static void drop_zeros(vec *x)
{
    size_t k = 0;
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i] != 0)
            x->v[k++] = x->v[i];
    x->n = k;
}

/* A histogram ready for lr__chart_histogram: nb bins, edges[nb + 1]. */
#define MAX_BINS 64
typedef struct hist {
    size_t nb;
    double edges[MAX_BINS + 1];
    double counts[MAX_BINS];
    size_t left_out; /* values outside the bins */
    int discrete;    /* integer values: bins labelled by the integers they hold */
} hist;

/* Bins of equal width from lo; values outside [lo, lo + nb * width) are
 * counted in left_out. */
static void hist_linear(const vec *x, double lo, double width, size_t nb, hist *h)
{
    memset(h, 0, sizeof *h);
    h->nb = nb;
    for (size_t i = 0; i <= nb; i++)
        h->edges[i] = lo + width * (double)i;
    for (size_t i = 0; i < x->n; i++) {
        double t = (x->v[i] - lo) / width;
        if (t >= 0 && t < (double)nb)
            h->counts[(size_t)t]++;
        else
            h->left_out++;
    }
}

/* Bins of equal width on a log10 axis, `per_decade` to a decade, from the
 * decade below the smallest positive value to the one above the largest.
 * Values <= 0 are left out. */
static void hist_log(const vec *x, int per_decade, hist *h)
{
    memset(h, 0, sizeof *h);
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i] > 0) {
            lo = x->v[i] < lo ? x->v[i] : lo;
            hi = x->v[i] > hi ? x->v[i] : hi;
        }
    if (lo == INFINITY) {
        h->left_out = x->n;
        return;
    }
    double e0 = floor(log10(lo)), e1 = floor(log10(hi)) + 1;
    size_t nb = (size_t)((e1 - e0) * per_decade);
    while (nb > MAX_BINS && per_decade > 1)
        nb = (size_t)((e1 - e0) * --per_decade);
    if (nb > MAX_BINS)
        nb = MAX_BINS;
    h->nb = nb;
    for (size_t i = 0; i <= nb; i++)
        h->edges[i] = pow(10, e0 + (double)i / per_decade);
    for (size_t i = 0; i < x->n; i++) {
        if (!(x->v[i] > 0)) {
            h->left_out++;
            continue;
        }
        double t = (log10(x->v[i]) - e0) * per_decade;
        size_t b = t < 0 ? 0 : (size_t)t;
        h->counts[b < nb ? b : nb - 1]++;
    }
}

/* Integer values 1, 2, ... as bars centred on them: bins of `width`
 * integers, as many as reach max (at most MAX_BINS / 2 of them, widening
 * the bins as needed), from `first`. */
static void hist_int(const vec *x, double first, double max, size_t want, hist *h)
{
    double span = max - first + 1;
    double width = ceil(span / (double)want);
    if (width < 1)
        width = 1;
    size_t nb = (size_t)ceil(span / width);
    if (nb < 1)
        nb = 1;
    hist_linear(x, first - 0.5, width, nb, h);
    h->discrete = 1;
}

static double max_of(const vec *x) { return x->n ? x->v[x->n - 1] : 0; }

static const double *one_series(const hist *h) { return h->counts; }

static void histogram(lr__buf *b, const lr__chart *c, const hist *h)
{
    const double *s[1] = {one_series(h)};
    lr__chart d = *c;
    d.discrete = h->discrete;
    lr__chart_histogram(b, &d, h->edges, h->nb, s, NULL, 1);
}

/* ------------------------------------------------------------- page bits */

static void heading(lr__buf *b, const char *id, const char *title)
{
    lr__buf_printf(b, "<section id=\"%s\">\n<h2>", id);
    lr__buf_html(b, title);
    lr__buf_puts(b, "</h2>\n");
}

static void reading_begin(lr__buf *b) { lr__buf_puts(b, "<p class=\"reading\">"); }
static void reading_end(lr__buf *b) { lr__buf_puts(b, "</p>\n"); }

static void note(lr__buf *b, const char *text)
{
    lr__buf_puts(b, "<p class=\"note\">");
    lr__buf_html(b, text);
    lr__buf_puts(b, "</p>\n");
}

static void td_num(lr__buf *b, double v, int dec)
{
    lr__buf_puts(b, "<td class=\"num\">");
    lr__buf_num(b, v, dec);
    lr__buf_puts(b, "</td>");
}

static void td_text(lr__buf *b, const char *s)
{
    lr__buf_puts(b, "<td>");
    lr__buf_html(b, s);
    lr__buf_puts(b, "</td>");
}

static void th_row(lr__buf *b, const char *const *cols, size_t n)
{
    lr__buf_puts(b, "<thead><tr>");
    for (size_t i = 0; i < n; i++) {
        lr__buf_puts(b, "<th>");
        lr__buf_html(b, cols[i]);
        lr__buf_puts(b, "</th>");
    }
    lr__buf_puts(b, "</tr></thead><tbody>\n");
}

/* A row "label | number | explanation" of a figures table. */
static void figure_row(lr__buf *b, const char *label, double v, int dec, const char *what)
{
    lr__buf_puts(b, "<tr>");
    td_text(b, label);
    td_num(b, v, dec);
    td_text(b, what);
    lr__buf_puts(b, "</tr>\n");
}

static void charts_begin(lr__buf *b) { lr__buf_puts(b, "<div class=\"charts\">\n"); }
static void charts_end(lr__buf *b) { lr__buf_puts(b, "</div>\n"); }

static lr__chart chart(const char *id, const char *title, const char *caption,
                       const char *xlabel, int xlog, const char *ylabel, int ylog)
{
    lr__chart c = {id, title, caption, {xlabel, xlog, NAN, NAN}, {ylabel, ylog, NAN, NAN}, 0, 0, 0};
    return c;
}

/* A caption built from numbers: the one-line readings of the charts. */
typedef struct caption {
    lr__buf b;
} caption;

static const char *cap(caption *c, const char *fmt, ...) LR__HTML_PRINTF(2, 3);
static const char *cap(caption *c, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->b.n = 0;
    lr__buf_puts(&c->b, text);
    return c->b.oom ? "" : c->b.p;
}

/* 12,345 into a small buffer, for captions. */
static const char *fmt_num(char *out, size_t size, double v, int dec)
{
    lr__buf t = {0};
    lr__buf_num(&t, v, dec);
    snprintf(out, size, "%s", t.oom || !t.p ? "?" : t.p);
    lr__buf_free(&t);
    return out;
}

/* ------------------------------------------------------------- 1. data */

static int64_t plays_total(const lr_dataset *ds)
{
    double s = 0;
    for (int32_t u = 0; u < ds->n_users; u++)
        s += ds->user_total[u];
    return (int64_t)s;
}

static void section_data(lr__buf *b, const lr_report *r, const vec *user_plays,
                         const vec *artist_plays, const vec *tagged, const vec *pairs_tags,
                         const vec *sessions, const vec *repeats)
{
    const lr_dataset *ds = r->ds;
    const lr__ds_report *p = &ds->report;
    char n1[32], n2[32], n3[32];
    heading(b, "data", "1. Data");
    reading_begin(b);
    char n4[32];
    lr__buf_printf(b, "%s users played %s artists in %s user-artist pairs (%s plays); ",
                   fmt_num(n1, sizeof n1, ds->n_users, 0), fmt_num(n2, sizeof n2, ds->n_artists, 0),
                   fmt_num(n3, sizeof n3, (double)ds->listens.nnz, 0),
                   fmt_num(n4, sizeof n4, (double)plays_total(ds), 0));
    lr__buf_printf(b, "loading kept %s of %s tag uses and dropped %s tags.",
                   fmt_num(n1, sizeof n1, (double)ds->n_tag_uses, 0),
                   fmt_num(n2, sizeof n2, (double)p->tag_uses_in_file, 0),
                   fmt_num(n3, sizeof n3, (double)p->tags_dropped, 0));
    reading_end(b);

    static const char *const cols[] = {"count", "value", "what it is"};
    lr__buf_puts(b, "<div class=\"tables\"><table class=\"figures\" id=\"data-counts\">"
                    "<caption>What was loaded, and what loading dropped</caption>");
    th_row(b, cols, 3);
    figure_row(b, "users", ds->n_users, 0, "users in the catalogue");
    figure_row(b, "artists", ds->n_artists, 0, "artists in the catalogue");
    figure_row(b, "user-artist pairs", (double)ds->listens.nnz, 0, "rows of user_artists.dat");
    figure_row(b, "plays", (double)plays_total(ds), 0, "their play counts summed");
    figure_row(b, "tags kept", ds->n_tags, 0, "tags used more than min_tag_uses times");
    figure_row(b, "tags in the file", (double)p->tags_in_file, 0, "rows of tags.dat");
    figure_row(b, "tags dropped", (double)p->tags_dropped, 0, "rare or never used");
    figure_row(b, "tag uses kept", (double)ds->n_tag_uses, 0, "(user, artist, tag) assignments");
    figure_row(b, "tag uses in the file", (double)p->tag_uses_in_file, 0,
               "rows of user_taggedartists.dat");
    figure_row(b, "dropped: unlistened", (double)p->tag_uses_unlistened, 0,
               "tag uses on artists nobody listened to");
    figure_row(b, "dropped: rare tags", (double)p->tag_uses_rare, 0,
               "tag uses of tags used at most min_tag_uses times");
    figure_row(b, "friend pairs", (double)ds->friends.nnz / 2, 0, "distinct unordered pairs");
    figure_row(b, "friend rows", (double)p->friend_rows, 0, "rows of user_friends.dat");
    figure_row(b, "one-way friend rows", (double)p->friend_rows_one_way, 0,
               "rows whose reverse row is missing");
    figure_row(b, "Latin-1 fixes", (double)p->latin1_fixes, 0,
               "bytes that are not UTF-8, read as Latin-1");
    lr__buf_puts(b, "</tbody></table>\n");

    static const char *const fcols[] = {"figure", "value", "over"};
    lr__buf_puts(b, "<table class=\"figures\" id=\"data-figures\">"
                    "<caption>The notebook's figures</caption>");
    th_row(b, fcols, 3);
    figure_row(b, "plays per user: mean", mean(user_plays), 2, "users");
    figure_row(b, "plays per user: std", stdev(user_plays), 2, "users (sample std)");
    figure_row(b, "plays per user: median", quantile(user_plays, 0.5), 1, "users");
    figure_row(b, "users above 150,000 plays", (double)count_above(user_plays, 150000), 0, "users");
    figure_row(b, "plays per artist: mean", mean(artist_plays), 2, "artists");
    figure_row(b, "plays per artist: std", stdev(artist_plays), 2, "artists (sample std)");
    figure_row(b, "plays per artist: median", quantile(artist_plays, 0.5), 1, "artists");
    figure_row(b, "artists above 15,000 plays", (double)count_above(artist_plays, 15000), 0,
               "artists");
    figure_row(b, "users who tag", (double)tagged->n, 0, "users with a kept tag use");
    figure_row(b, "artists tagged per user: mean", mean(tagged), 3, "users who tag");
    figure_row(b, "artists tagged per user: std", stdev(tagged), 3, "users who tag");
    figure_row(b, "tags per (user, artist): mean", mean(pairs_tags), 3, "tagged pairs");
    figure_row(b, "tags per (user, artist): std", stdev(pairs_tags), 3, "tagged pairs");
    figure_row(b, "tagging days per (user, artist): mean", mean(sessions), 3, "tagged pairs");
    figure_row(b, "repeated tags: mean share", mean(repeats), 3,
               "share of a user's tag uses whose tag they put on another artist before");
    lr__buf_puts(b, "</tbody></table></div>\n");

    /* What lastrec info lists as policies: the rules that shaped the counts. */
    lr__buf_puts(b, "<h3>How the files were processed</h3>\n<ul class=\"policies\">\n");
    if (ds->kind == LR_SOURCE_LISTENS) {
        lr__buf_puts(b, "<li>a single listens file: no names, tags or friends; artists are "
                        "named by ID</li>\n");
    } else {
        if (ds->kind == LR_SOURCE_SNAPSHOT)
            lr__buf_puts(b, "<li>a snapshot: processed before it was saved; the rules below "
                            "ran then</li>\n");
        lr__buf_puts(b, "<li>tag names in CamelCase (&quot;hip hop&quot; becomes "
                        "&quot;HipHop&quot;)</li>\n");
        lr__buf_printf(b, "<li>%s tag uses on %s artists nobody listened to dropped</li>\n",
                       fmt_num(n1, sizeof n1, (double)p->tag_uses_unlistened, 0),
                       fmt_num(n2, sizeof n2, (double)p->artists_unlistened, 0));
        lr__buf_printf(b, "<li>tags used at most %s times dropped: %s tags, %s uses</li>\n",
                       fmt_num(n1, sizeof n1, (double)p->min_tag_uses, 0),
                       fmt_num(n2, sizeof n2, (double)p->tags_dropped, 0),
                       fmt_num(n3, sizeof n3, (double)p->tag_uses_rare, 0));
        if (p->timestamps_merged > 0)
            lr__buf_printf(b, "<li>%s tag uses timed from user_taggedartists-timestamps.dat</li>\n",
                           fmt_num(n1, sizeof n1, (double)p->timestamps_merged, 0));
        lr__buf_printf(b, "<li>%s friend rows read as %s unordered pairs (%s rows lacked their "
                          "reverse)</li>\n",
                       fmt_num(n1, sizeof n1, (double)p->friend_rows, 0),
                       fmt_num(n2, sizeof n2, (double)ds->friends.nnz / 2, 0),
                       fmt_num(n3, sizeof n3, (double)p->friend_rows_one_way, 0));
        if (ds->kind != LR_SOURCE_SYNTHETIC)
            lr__buf_printf(b, "<li>%s bytes that are not UTF-8 read as Latin-1</li>\n",
                           fmt_num(n1, sizeof n1, (double)p->latin1_fixes, 0));
    }
    lr__buf_puts(b, "</ul>\n</section>\n");
}

/* ------------------------------------------------------ 2. distributions */

static void section_distributions(lr__buf *b, const vec *user_plays, const vec *artist_plays,
                                  const vec *tagged, const vec *pairs_tags)
{
    char n1[32], n2[32], n3[32], n4[32];
    caption c = {{0}};
    hist h;
    heading(b, "distributions", "2. Distributions");
    reading_begin(b);
    lr__buf_printf(b, "Plays are long-tailed: the median user played %s times but the mean is "
                      "%s, and the median artist %s against a mean of %s; the log axes show "
                      "the tails the cut-offs hide.",
                   fmt_num(n1, sizeof n1, quantile(user_plays, 0.5), 0),
                   fmt_num(n2, sizeof n2, mean(user_plays), 0),
                   fmt_num(n3, sizeof n3, quantile(artist_plays, 0.5), 0),
                   fmt_num(n4, sizeof n4, mean(artist_plays), 0));
    reading_end(b);
    charts_begin(b);

    hist_linear(user_plays, 0, 5000, 30, &h);
    lr__chart ch = chart("dist-user-plays", "Plays per user, below 150,000",
                         cap(&c, "%s of %s users played more than 150,000 times and are left out.",
                             fmt_num(n1, sizeof n1, (double)h.left_out, 0),
                             fmt_num(n2, sizeof n2, (double)user_plays->n, 0)),
                         "plays (play counts summed over the user's artists)", 0, "users", 0);
    histogram(b, &ch, &h);

    hist_linear(artist_plays, 0, 500, 30, &h);
    ch = chart("dist-artist-plays", "Plays per artist, below 15,000",
               cap(&c, "%s of %s artists were played more than 15,000 times and are left out.",
                   fmt_num(n1, sizeof n1, (double)h.left_out, 0),
                   fmt_num(n2, sizeof n2, (double)artist_plays->n, 0)),
               "plays (play counts summed over the artist's listeners)", 0, "artists", 0);
    histogram(b, &ch, &h);

    hist_log(user_plays, 4, &h);
    ch = chart("dist-user-plays-log", "Plays per user, log axes",
               cap(&c, "Every user: from %s to %s plays.",
                   fmt_num(n1, sizeof n1, user_plays->n ? user_plays->v[0] : NAN, 0),
                   fmt_num(n2, sizeof n2, max_of(user_plays), 0)),
               "plays (log scale)", 1, "users (log scale)", 1);
    histogram(b, &ch, &h);

    hist_log(artist_plays, 4, &h);
    ch = chart("dist-artist-plays-log", "Plays per artist, log axes",
               cap(&c, "Every artist: from %s to %s plays.",
                   fmt_num(n1, sizeof n1, artist_plays->n ? artist_plays->v[0] : NAN, 0),
                   fmt_num(n2, sizeof n2, max_of(artist_plays), 0)),
               "plays (log scale)", 1, "artists (log scale)", 1);
    histogram(b, &ch, &h);

    hist_int(tagged, 1, max_of(tagged), 30, &h);
    ch = chart("dist-tagged-artists", "Artists tagged per user",
               cap(&c, "%s users tagged at least one artist; mean %s, max %s.",
                   fmt_num(n1, sizeof n1, (double)tagged->n, 0),
                   fmt_num(n2, sizeof n2, mean(tagged), 2),
                   fmt_num(n3, sizeof n3, max_of(tagged), 0)),
               "artists tagged", 0, "users", 0);
    histogram(b, &ch, &h);

    hist_int(tagged, 1, 10, 10, &h);
    ch = chart("dist-tagged-artists-10", "Artists tagged per user, at most 10",
               cap(&c, "%s users tagged exactly one artist.",
                   fmt_num(n1, sizeof n1, h.counts[0], 0)),
               "artists tagged", 0, "users", 0);
    histogram(b, &ch, &h);

    hist_log(tagged, 5, &h);
    ch = chart("dist-tagged-artists-log", "Artists tagged per user, log axes",
               "The same counts on log axes: a few users tag hundreds of artists.",
               "artists tagged (log scale)", 1, "users (log scale)", 1);
    histogram(b, &ch, &h);

    hist_int(pairs_tags, 1, max_of(pairs_tags), 30, &h);
    ch = chart("dist-tags-per-pair", "Times a user tags the same artist",
               cap(&c, "Tags one user gave one artist: mean %s over %s tagged pairs.",
                   fmt_num(n1, sizeof n1, mean(pairs_tags), 2),
                   fmt_num(n2, sizeof n2, (double)pairs_tags->n, 0)),
               "tags given to the artist by the user", 0, "(user, artist) pairs (log scale)", 1);
    histogram(b, &ch, &h);

    charts_end(b);
    lr__buf_puts(b, "</section>\n");
    lr__buf_free(&c.b);
}

/* ------------------------------------------------------------- 3. tags */

#define TOP_TAGS 20

static int section_tags(lr__buf *b, const lr_dataset *ds)
{
    char n1[32], n2[32], n3[32];
    caption c = {{0}};
    heading(b, "tags", "3. Tags");
    if (ds->n_tags == 0) {
        note(b, "This data set has no kept tags.");
        lr__buf_puts(b, "</section>\n");
        return LR_OK;
    }
    /* Tags that display alike are one tag here, as in query results. */
    int32_t *canon = lr__malloc((size_t)ds->n_tags, sizeof *canon);
    lr__ranked *rk = lr__calloc((size_t)ds->n_tags, sizeof *rk);
    if (!canon || !rk || lr__tag_display_canon(ds, canon) != LR_OK) {
        free(canon);
        free(rk);
        return lr__fail_oom("the report's tag ranking");
    }
    for (int32_t t = 0; t < ds->n_tags; t++)
        rk[t].i = t;
    for (int64_t i = 0; i < ds->artist_tags.nnz; i++)
        rk[canon[ds->artist_tags.idx[i]]].v += ds->artist_tags.val[i];
    qsort(rk, (size_t)ds->n_tags, sizeof *rk, lr__ranked_desc);
    size_t n = 0;
    const char *labels[TOP_TAGS];
    double values[TOP_TAGS];
    while (n < TOP_TAGS && n < (size_t)ds->n_tags && rk[n].v > 0) {
        labels[n] = lr__strtab_get(&ds->tag_names, (int32_t)rk[n].i);
        values[n] = rk[n].v;
        n++;
    }
    vec per_artist = {lr__malloc((size_t)ds->n_artists + 1, sizeof(double)), 0};
    if (!per_artist.v) {
        free(canon);
        free(rk);
        return lr__fail_oom("the report's per-artist listens");
    }
    for (int32_t a = 0; a < ds->n_artists; a++) {
        int64_t k = ds->artist_tags.ptr[a + 1] - ds->artist_tags.ptr[a];
        if (k > 0)
            per_artist.v[per_artist.n++] = (double)k;
    }
    qsort(per_artist.v, per_artist.n, sizeof(double), cmp_double);
    reading_begin(b);
    lr__buf_puts(b, "The most used tag is ");
    lr__buf_html(b, n ? labels[0] : "");
    lr__buf_printf(b, " (%s uses); half of the %s tagged artists carry at most %s distinct tags.",
                   fmt_num(n1, sizeof n1, n ? values[0] : 0, 0),
                   fmt_num(n2, sizeof n2, (double)per_artist.n, 0),
                   fmt_num(n3, sizeof n3, quantile(&per_artist, 0.5), 0));
    reading_end(b);
    charts_begin(b);
    lr__chart ch = chart("tags-top", "The most used tags",
                         cap(&c, "Uses of the %zu most used tags (tags spelt alike counted as one).", n),
                         "uses (user, artist, tag assignments)", 0, "tag", 0);
    lr__chart_hbars(b, &ch, labels, values, n, NULL, NULL, 0);
    hist h;
    hist_int(&per_artist, 1, max_of(&per_artist), 30, &h);
    ch = chart("tags-per-artist", "Distinct tags per artist",
               cap(&c, "Over the %s artists with a kept tag; %s artists have none.",
                   fmt_num(n1, sizeof n1, (double)per_artist.n, 0),
                   fmt_num(n2, sizeof n2, (double)ds->n_artists - (double)per_artist.n, 0)),
               "distinct tags", 0, "artists (log scale)", 1);
    histogram(b, &ch, &h);
    charts_end(b);
    lr__buf_puts(b, "</section>\n");
    free(per_artist.v);
    free(canon);
    free(rk);
    lr__buf_free(&c.b);
    return LR_OK;
}

/* ------------------------------------------------------------- 4. friends */

static int section_friends(lr__buf *b, const lr_dataset *ds)
{
    char n1[32], n2[32], n3[32], n4[32];
    caption c = {{0}};
    heading(b, "friends", "4. Friends");
    if (ds->friends.nnz == 0) {
        note(b, "This data set has no friendships.");
        lr__buf_puts(b, "</section>\n");
        return LR_OK;
    }
    vec fr[3] = {{0}}, rnd[3] = {{0}};
    static const int fw[3] = {LR_DIST_FRIEND_JACCARD, LR_DIST_FRIEND_COSINE, LR_DIST_FRIEND_SHARED};
    static const int rw[3] = {LR_DIST_RANDOM_JACCARD, LR_DIST_RANDOM_COSINE, LR_DIST_RANDOM_SHARED};
    static const char *const mname[3] = {"Jaccard", "cosine of log plays", "shared artists"};
    int rc = LR_OK;
    for (int i = 0; i < 3 && rc == LR_OK; i++) {
        rc = fetch(ds, fw[i], &fr[i]);
        if (rc == LR_OK)
            rc = fetch(ds, rw[i], &rnd[i]);
    }
    vec friends = {lr__malloc((size_t)ds->n_users + 1, sizeof(double)), 0};
    if (rc == LR_OK && !friends.v)
        rc = lr__fail_oom("the report's friend counts");
    if (rc == LR_OK) {
        for (int32_t u = 0; u < ds->n_users; u++)
            friends.v[friends.n++] = (double)(ds->friends.ptr[u + 1] - ds->friends.ptr[u]);
        qsort(friends.v, friends.n, sizeof(double), cmp_double);
        reading_begin(b);
        lr__buf_printf(b, "Friends share more taste than strangers: mean Jaccard overlap %s for "
                          "%s friend pairs against %s for as many random pairs; the median user "
                          "has %s friends.",
                       fmt_num(n1, sizeof n1, mean(&fr[0]), 4),
                       fmt_num(n2, sizeof n2, (double)fr[0].n, 0),
                       fmt_num(n3, sizeof n3, mean(&rnd[0]), 4),
                       fmt_num(n4, sizeof n4, quantile(&friends, 0.5), 0));
        reading_end(b);
        charts_begin(b);
        hist h;
        hist_int(&friends, 0, max_of(&friends), 30, &h);
        lr__chart ch = chart("friends-count", "Friends per user",
                             cap(&c, "%s users; mean %s friends, max %s.",
                                 fmt_num(n1, sizeof n1, (double)friends.n, 0),
                                 fmt_num(n2, sizeof n2, mean(&friends), 2),
                                 fmt_num(n3, sizeof n3, max_of(&friends), 0)),
                             "friends", 0, "users", 0);
        histogram(b, &ch, &h);
        hist hf, hr;
        hist_linear(&fr[0], 0, 0.05, 20, &hf);
        hist_linear(&rnd[0], 0, 0.05, 20, &hr);
        /* A Jaccard of exactly 1 belongs to the last bin, not outside. */
        hf.counts[19] += (double)hf.left_out;
        hr.counts[19] += (double)hr.left_out;
        const double *s[2] = {hf.counts, hr.counts};
        static const char *const names[2] = {"friend pairs", "random pairs"};
        ch = chart("friends-overlap", "Taste overlap: friends against random pairs",
                   "Jaccard overlap of the artists two users listened to; random pairs are "
                   "users who are not friends, as many as there are friend pairs.",
                   "Jaccard overlap (shared artists / artists of either)", 0, "pairs (log scale)",
                   1);
        lr__chart_histogram(b, &ch, hf.edges, hf.nb, s, names, 2);
        charts_end(b);
        static const char *const cols[] = {"overlap", "friends: mean", "friends: median",
                                           "random: mean", "random: median"};
        lr__buf_puts(b, "<table class=\"figures\" id=\"friends-table\"><caption>Taste overlap "
                        "of friend pairs and random pairs</caption>");
        th_row(b, cols, 5);
        for (int i = 0; i < 3; i++) {
            int dec = i == 2 ? 2 : 4;
            lr__buf_puts(b, "<tr>");
            td_text(b, mname[i]);
            td_num(b, mean(&fr[i]), dec);
            td_num(b, quantile(&fr[i], 0.5), dec);
            td_num(b, mean(&rnd[i]), dec);
            td_num(b, quantile(&rnd[i], 0.5), dec);
            lr__buf_puts(b, "</tr>\n");
        }
        lr__buf_puts(b, "</tbody></table>\n");
    }
    lr__buf_puts(b, "</section>\n");
    for (int i = 0; i < 3; i++) {
        free(fr[i].v);
        free(rnd[i].v);
    }
    free(friends.v);
    lr__buf_free(&c.b);
    return rc;
}

/* ------------------------------------------------------------- 5. models */

static void evaluation_free(lr_evaluation *e)
{
    if (!e)
        return;
    free(e->user_ids);
    for (int i = 0; i <= LR__METRIC_MAX; i++)
        free(e->per_user[i]);
    free(e);
}

static void model_free(lr_model *m)
{
    if (m) {
        lr__model_clear(m);
        free(m);
    }
}

/* The popularity baseline fitted on the training side, as lr_model_fit
 * would (the api layer sits above this one). */
static int fit_pop(const lr_dataset *train, lr_model **out)
{
    static const lr__progress silent = {NULL, NULL};
    lr_model *m = lr__calloc(1, sizeof *m);
    if (!m)
        return lr__fail_oom("the report's popularity model");
    m->algo = LR_ALGO_POP;
    lr__options_init(&m->opts);
    const lr__algo *a = lr__algo_find(LR_ALGO_POP);
    a->defaults(&m->opts);
    lr__fit_ctx ctx = {.train = train, .progress = &silent, .t0 = lr__now()};
    int rc = lr__model_take_catalogue(m, train);
    if (rc == LR_OK)
        rc = a->fit(m, &ctx);
    if (rc == LR_OK)
        rc = lr__model_prepare(m);
    if (rc != LR_OK) {
        model_free(m);
        return rc;
    }
    m->fitted = 1;
    *out = m;
    return LR_OK;
}

/* Held-out pairs the model saw in training: a model trained on all the
 * data scores its own listens, which the protocol leaves out, so its
 * metrics would say nothing about unseen taste. */
static int64_t seen_test_pairs(const lr_model *m, const lr_dataset *test)
{
    int64_t seen = 0;
    for (int32_t u = 0; u < test->n_users && u < m->n_users; u++) {
        const int32_t *ti, *mi;
        int64_t nt = lr__csr_row(&test->listens, u, &ti, NULL);
        int64_t nm = lr__csr_row(&m->train, u, &mi, NULL);
        int64_t j = 0;
        for (int64_t i = 0; i < nt; i++) {
            while (j < nm && mi[j] < ti[i])
                j++;
            seen += j < nm && mi[j] == ti[i];
        }
    }
    return seen;
}

static const char *model_label(const lr_report *r, size_t i)
{
    return r->models[i].label;
}

static int history_has(const lr_model *m, int field)
{
    for (size_t e = 0; e < m->history.n; e++)
        if (isfinite(m->history.rows[e * LR__HIST_FIELDS + (size_t)(field - 1)]))
            return 1;
    return 0;
}

static int history_column(const lr_model *m, int field, double **out)
{
    size_t n = m->history.n;
    double *v = lr__malloc(n ? n : 1, sizeof *v);
    if (!v)
        return lr__fail_oom("a training history column");
    for (size_t e = 0; e < n; e++)
        v[e] = m->history.rows[e * LR__HIST_FIELDS + (size_t)(field - 1)];
    *out = v;
    return LR_OK;
}

static int curves(lr__buf *b, const lr_report *r, size_t i)
{
    const lr_model *m = r->models[i].m;
    caption c = {{0}};
    char id[64];
    size_t n = m->history.n;
    if (!history_has(m, LR_HISTORY_LOSS) && !history_has(m, LR_HISTORY_VAL_NDCG)) {
        lr__buf_puts(b, "<p class=\"note\">");
        lr__buf_html(b, model_label(r, i));
        lr__buf_printf(b, " (%s) has no training curve: it is fitted in closed form or "
                          "its history recorded no loss.</p>\n",
                       lr__algo_find(m->algo)->name);
        return LR_OK;
    }
    double *x = NULL, *loss = NULL, *ndcg = NULL;
    int rc = history_column(m, LR_HISTORY_LOSS, &loss);
    if (rc == LR_OK)
        rc = history_column(m, LR_HISTORY_VAL_NDCG, &ndcg);
    if (rc == LR_OK && !(x = lr__malloc(n ? n : 1, sizeof *x)))
        rc = lr__fail_oom("the training curve");
    if (rc == LR_OK) {
        for (size_t e = 0; e < n; e++)
            x[e] = (double)(e + 1);
        charts_begin(b);
        const char *lab = model_label(r, i);
        if (history_has(m, LR_HISTORY_LOSS)) {
            snprintf(id, sizeof id, "curve-loss-%zu", i);
            const double *s[1] = {loss};
            lr__chart ch = chart(id, cap(&c, "%s: training loss per epoch", lab),
                                 "The training objective (data term and penalties) after each "
                                 "epoch.", "epoch", 0, "training loss", 0);
            lr__chart_lines(b, &ch, x, n, s, NULL, 1);
        }
        if (history_has(m, LR_HISTORY_VAL_NDCG)) {
            snprintf(id, sizeof id, "curve-ndcg-%zu", i);
            const double *s[1] = {ndcg};
            double k = 10;
            lr_options_get_double(&m->opts, LR_OPT_EVAL_K, &k);
            char ttl[256], yl[64];
            snprintf(ttl, sizeof ttl, "%s: validation NDCG@%.0f per epoch", lab, k);
            snprintf(yl, sizeof yl, "NDCG@%.0f on the validation set", k);
            lr__chart ch = chart(id, ttl, "Ranking quality on the held-out listens after each "
                                          "epoch (measured when the model was trained with a "
                                          "validation set).", "epoch", 0, yl, 0);
            lr__chart_lines(b, &ch, x, n, s, NULL, 1);
        } else {
            lr__buf_puts(b, "<p class=\"note\">");
            lr__buf_html(b, lab);
            lr__buf_puts(b, " recorded no validation NDCG: it was trained without a "
                            "validation set (lastrec train --validation).</p>\n");
        }
        charts_end(b);
    }
    free(x);
    free(loss);
    free(ndcg);
    lr__buf_free(&c.b);
    return rc;
}

static const int metric_cols[] = {LR_METRIC_PRECISION, LR_METRIC_RECALL, LR_METRIC_NDCG,
                                  LR_METRIC_MAP, LR_METRIC_HITRATE, LR_METRIC_COVERAGE};
#define N_METRIC_COLS (sizeof metric_cols / sizeof metric_cols[0])

static int section_models(lr__buf *b, const lr_report *r)
{
    heading(b, "models", "5. Models");
    if (r->n_models == 0) {
        note(b, "No model was given (lastrec report DATA --model FILE.lrmodel ...): there is "
                "nothing to evaluate.");
        lr__buf_puts(b, "</section>\n");
        return LR_OK;
    }
    const lr__progress *pr = lr__opt_progress(&r->opts);
    int threads = lr__opt_threads(&r->opts);
    int rc = LR_OK;
    size_t nrow = r->n_models + 1;
    double (*val)[N_METRIC_COLS + 1] = lr__calloc(nrow, sizeof *val);
    int64_t *seen = lr__calloc(nrow, sizeof *seen);
    if (!val || !seen) {
        free(val);
        free(seen);
        return lr__fail_oom("the report's metrics table");
    }
    if (r->train && r->test) {
        lr_model *pop = NULL;
        for (size_t i = 0; i < nrow && rc == LR_OK; i++) {
            const lr_model *m;
            if (i == 0) {
                rc = fit_pop(r->train, &pop);
                m = pop;
            } else {
                m = r->models[i - 1].m;
            }
            char stage[96];
            snprintf(stage, sizeof stage, "report: evaluate %s",
                     i == 0 ? "pop" : model_label(r, i - 1));
            if (rc == LR_OK)
                rc = lr__progress_report(pr, stage, i, nrow);
            lr_evaluation *e = NULL;
            if (rc == LR_OK)
                rc = lr__evaluate(&e, m, r->train, r->test, r->k, threads, pr);
            if (rc == LR_OK) {
                for (size_t j = 0; j < N_METRIC_COLS; j++)
                    val[i][j] = e->metric[metric_cols[j]];
                val[i][N_METRIC_COLS] = e->metric[LR_METRIC_USERS];
                seen[i] = seen_test_pairs(m, r->test);
            } else {
                lr__error_prefix(i == 0 ? "evaluating popularity" : model_label(r, i - 1));
            }
            evaluation_free(e);
        }
        model_free(pop);
    }
    if (rc != LR_OK) {
        free(val);
        free(seen);
        return rc;
    }
    char n1[32], n2[32], n3[32];
    reading_begin(b);
    if (r->train && r->test) {
        size_t best = 1;
        for (size_t i = 1; i < nrow; i++)
            if (val[i][2] > val[best][2])
                best = i;
        lr__buf_puts(b, "The best NDCG@");
        lr__buf_printf(b, "%d is ", r->k);
        lr__buf_html(b, model_label(r, best - 1));
        lr__buf_printf(b, "'s, %s, against %s for popularity, on %s users with held-out "
                          "artists.",
                       fmt_num(n1, sizeof n1, val[best][2], 4), fmt_num(n2, sizeof n2, val[0][2], 4),
                       fmt_num(n3, sizeof n3, val[0][N_METRIC_COLS], 0));
    } else {
        lr__buf_puts(b, "No split was given (--split DIR or --holdout F), so there are no "
                        "held-out listens to evaluate on: the training curves only.");
    }
    reading_end(b);
    if (r->train && r->test) {
        if (r->split_desc) {
            lr__buf_puts(b, "<p class=\"note\">Held-out listens: ");
            lr__buf_html(b, r->split_desc);
            lr__buf_printf(b, "; %s training and %s held-out user-artist pairs "
                              "(docs/evaluation.md).</p>\n",
                           fmt_num(n1, sizeof n1, (double)r->train->listens.nnz, 0),
                           fmt_num(n2, sizeof n2, (double)r->test->listens.nnz, 0));
        }
        char cols[N_METRIC_COLS + 3][32];
        const char *colp[N_METRIC_COLS + 3];
        static const char *const mn[] = {"P", "R", "NDCG", "MAP", "HR", "Coverage"};
        snprintf(cols[0], sizeof cols[0], "model");
        snprintf(cols[1], sizeof cols[1], "algorithm");
        for (size_t j = 0; j < N_METRIC_COLS; j++)
            snprintf(cols[j + 2], sizeof cols[j + 2], "%s@%d", mn[j], r->k);
        snprintf(cols[N_METRIC_COLS + 2], sizeof cols[0], "users");
        for (size_t j = 0; j < N_METRIC_COLS + 3; j++)
            colp[j] = cols[j];
        lr__buf_puts(b, "<table class=\"figures metrics\" id=\"models-table\"><caption>Ranking "
                        "metrics on the held-out listens</caption>");
        th_row(b, colp, N_METRIC_COLS + 3);
        for (size_t i = 0; i < nrow; i++) {
            lr__buf_printf(b, "<tr%s>", i == 0 ? " class=\"baseline\"" : "");
            td_text(b, i == 0 ? "popularity (baseline)" : model_label(r, i - 1));
            td_text(b, lr__algo_find(i == 0 ? LR_ALGO_POP : r->models[i - 1].m->algo)->name);
            for (size_t j = 0; j < N_METRIC_COLS; j++)
                td_num(b, val[i][j], 4);
            td_num(b, val[i][N_METRIC_COLS], 0);
            lr__buf_puts(b, "</tr>\n");
        }
        lr__buf_puts(b, "</tbody></table>\n");
        for (size_t i = 1; i < nrow; i++)
            if (seen[i] > 0) {
                lr__buf_puts(b, "<p class=\"warning\">");
                lr__buf_html(b, model_label(r, i - 1));
                lr__buf_printf(b, " was trained on %s of the %s held-out pairs: its metrics "
                                  "are not on unseen listens.  Train it on the training side "
                                  "of the split.</p>\n",
                               fmt_num(n1, sizeof n1, (double)seen[i], 0),
                               fmt_num(n2, sizeof n2, (double)r->test->listens.nnz, 0));
            }
        /* The table as a chart: NDCG per model, the baseline first. */
        const char **labels = lr__calloc(nrow, sizeof *labels);
        double *nd = lr__calloc(nrow, sizeof *nd);
        if (!labels || !nd) {
            rc = lr__fail_oom("the report's NDCG chart");
        } else {
            for (size_t i = 0; i < nrow; i++) {
                labels[i] = i == 0 ? "popularity" : model_label(r, i - 1);
                nd[i] = isfinite(val[i][2]) ? val[i][2] : 0;
            }
            char ttl[64], xl[64];
            snprintf(ttl, sizeof ttl, "NDCG@%d by model", r->k);
            snprintf(xl, sizeof xl, "NDCG@%d (higher is better)", r->k);
            charts_begin(b);
            lr__chart ch = chart("models-ndcg", ttl, "The table's NDCG column, popularity first.",
                                 xl, 0, "model", 0);
            ch.height = 102 + 30 * (double)(nrow < 4 ? 4 : nrow);
            lr__chart_hbars(b, &ch, labels, nd, nrow, NULL, NULL, 0);
            charts_end(b);
        }
        free(labels);
        free(nd);
    }
    lr__buf_puts(b, "<h3>Training curves</h3>\n");
    for (size_t i = 0; i < r->n_models && rc == LR_OK; i++)
        rc = curves(b, r, i);
    lr__buf_puts(b, "</section>\n");
    free(val);
    free(seen);
    return rc;
}

/* ------------------------------------------------------ 7. recommendations */

/* The notebook's new listener (its preference list), as scripts/demo
 * asks it too. */
static const struct {
    const char *name;
    float plays;
} notebook_prefs[] = {
    {"Chris Brown", 4000}, {"Justin Timberlake", 6000}, {"David Guetta", 500},
    {"Kanye West", 100},   {"Drake", 200},
};
#define N_PREFS (sizeof notebook_prefs / sizeof notebook_prefs[0])

static void results_table(lr__buf *b, const lr_query *q, const char *id, const char *what)
{
    const lr_model *m = q->m;
    static const char *const cols[] = {"rank", "artist", "score", "top tag", "listeners",
                                       "because of"};
    int explained = q->kind != LR__RESULT_SIMILAR && q->explain > 0;
    lr__buf_printf(b, "<table class=\"figures recs\" id=\"%s\"><caption>", id);
    lr__buf_html(b, what);
    lr__buf_puts(b, "</caption>");
    th_row(b, cols, explained ? 6 : 5);
    for (int32_t r = 0; r < q->n_res; r++) {
        int32_t a = q->res_idx[r];
        lr__buf_puts(b, "<tr>");
        td_num(b, r + 1, 0);
        td_text(b, lr__strtab_get(&m->artist_names, a));
        td_num(b, q->res_score[r], 4);
        td_text(b, lr__strtab_get(&m->artist_top_tags, a));
        td_num(b, q->fans[a], 0);
        if (explained) {
            lr__buf_puts(b, "<td>");
            for (int32_t j = 0; j < q->exp_n[r]; j++) {
                if (j)
                    lr__buf_puts(b, ", ");
                lr__buf_html(b, lr__strtab_get(&m->artist_names,
                                               q->exp_idx[(size_t)r * (size_t)q->explain + (size_t)j]));
            }
            lr__buf_puts(b, "</td>");
        }
        lr__buf_puts(b, "</tr>\n");
    }
    lr__buf_puts(b, "</tbody></table>\n");
}

static int most_fans(const lr_query *q)
{
    int32_t best = 0;
    for (int32_t a = 1; a < q->na; a++)
        if (q->fans[a] > q->fans[best])
            best = a;
    return best;
}

static int section_recs(lr__buf *b, const lr_report *r)
{
    heading(b, "recommendations", "7. Recommendations");
    if (r->n_models == 0) {
        note(b, "No model was given: there is nothing to ask.");
        lr__buf_puts(b, "</section>\n");
        return LR_OK;
    }
    const lr_model *m = r->models[0].m;
    const char *label = model_label(r, 0);
    lr_query *q = NULL;
    int rc = lr__query_new(&q, m);
    if (rc == LR_OK)
        rc = lr__query_set_k(q, r->k);
    if (rc == LR_OK)
        rc = lr__query_set_explain(q, 3);
    if (rc != LR_OK) {
        lr__query_free(q);
        return rc;
    }
    reading_begin(b);
    lr__buf_puts(b, "The notebook's three questions, answered by ");
    lr__buf_html(b, label);
    lr__buf_printf(b, " (%s): a user's top %d, a new listener's, and the artists most "
                      "similar to one artist.", lr__algo_find(m->algo)->name, r->k);
    reading_end(b);

    /* A user of the model: the one asked for, or the lowest ID. */
    int32_t uid = r->user >= 0 ? (int32_t)r->user : (m->n_users ? m->user_ids[0] : -1);
    int32_t u = m->n_users ? lr__index_of(m->user_ids, m->n_users, uid) : -1;
    lr__buf_printf(b, "<h3>User %d</h3>\n", (int)uid);
    if (u < 0) {
        note(b, "The model has no such user.");
    } else {
        /* What the user listened to most, so the recommendations can be
         * read against it. */
        const int32_t *idx;
        const float *w;
        int64_t nl = lr__csr_row(&m->train, u, &idx, &w);
        lr__ranked top[5];
        size_t nt = 0;
        for (int64_t i = 0; i < nl; i++) {
            lr__ranked x = {w[i], idx[i]};
            size_t j;
            if (nt < 5)
                j = nt++;
            else if (lr__ranked_desc(&x, &top[4]) < 0)
                j = 4;
            else
                continue;
            while (j > 0 && lr__ranked_desc(&x, &top[j - 1]) < 0) {
                top[j] = top[j - 1];
                j--;
            }
            top[j] = x;
        }
        lr__buf_printf(b, "<p>Listened to %lld artists in training; most played: ", (long long)nl);
        for (size_t i = 0; i < nt; i++) {
            if (i)
                lr__buf_puts(b, ", ");
            lr__buf_html(b, lr__strtab_get(&m->artist_names, (int32_t)top[i].i));
            lr__buf_puts(b, " (");
            lr__buf_num(b, top[i].v, 0);
            lr__buf_puts(b, ")");
        }
        lr__buf_puts(b, ".</p>\n");
        rc = lr__query_user(q, u);
        if (rc == LR_OK) {
            char what[96];
            snprintf(what, sizeof what, "Top %d for user %d, with the artists behind each", r->k,
                     (int)uid);
            results_table(b, q, "recs-user", what);
        }
    }

    /* The notebook's new listener: its names where this catalogue has
     * them; otherwise (the synthetic set) the most followed artists. */
    if (rc == LR_OK) {
        lr__buf_puts(b, "<h3>A new listener</h3>\n<p>Preferences: ");
        size_t added = 0;
        for (size_t i = 0; i < N_PREFS && rc == LR_OK; i++) {
            int32_t a;
            if (lr__query_resolve(q, notebook_prefs[i].name, 1, &a) != LR_OK)
                continue;
            rc = lr__query_add_pref(q, a, notebook_prefs[i].plays);
            if (added++)
                lr__buf_puts(b, ", ");
            lr__buf_html(b, lr__strtab_get(&m->artist_names, a));
            lr__buf_printf(b, " = %.0f", (double)notebook_prefs[i].plays);
        }
        if (added == 0 && rc == LR_OK && q->na > 0) {
            int32_t a = most_fans(q);
            rc = lr__query_add_pref(q, a, 1000);
            lr__buf_html(b, lr__strtab_get(&m->artist_names, a));
            lr__buf_puts(b, " = 1000 (none of the notebook's artists, Chris Brown, Justin "
                            "Timberlake, David Guetta, Kanye West and Drake, is in this "
                            "catalogue: the artist with the most listeners stands in)");
        }
        lr__buf_puts(b, ".</p>\n");
        if (rc == LR_OK)
            rc = lr__query_preferences(q);
        if (rc == LR_OK)
            results_table(b, q, "recs-prefs", "Recommendations for these preferences, folded in "
                                              "without retraining");
    }

    /* Similar to "Kanye". */
    if (rc == LR_OK) {
        int32_t a;
        int found = lr__query_resolve(q, "Kanye", 0, &a) == LR_OK;
        if (!found && q->na > 0)
            a = most_fans(q);
        lr__buf_puts(b, "<h3>Similar to ");
        lr__buf_html(b, q->na ? lr__strtab_get(&m->artist_names, a) : "");
        lr__buf_puts(b, "</h3>\n");
        if (!found)
            note(b, "No artist is called \"Kanye\" here: the artist with the most listeners "
                    "stands in.");
        int st = q->na ? lr__query_similar(q, a) : LR_E_NOTFOUND;
        if (st == LR_OK)
            results_table(b, q, "recs-similar", "The most similar artists by the model's vectors");
        else if (st == LR_E_UNSUPPORTED || st == LR_E_NOTFOUND)
            note(b, "This model has no artist vectors or item weights to compare artists "
                    "with.");
        else
            rc = st;
    }
    lr__buf_puts(b, "</section>\n");
    lr__query_free(q);
    return rc;
}

/* ------------------------------------------------------- 6. embeddings */

/* The artists' names and top tags, once for every plot of the page:
 * top[a] indexes tags[], the top tags that occur (tags spelt alike as
 * one), or is -1. */
typedef struct toptags {
    int32_t *top;   /* [n_artists] */
    int32_t *tag;   /* [n] dataset tag index of each entry of tags[] */
    int32_t n;
} toptags;

static void toptags_free(toptags *t)
{
    free(t->top);
    free(t->tag);
}

static int toptags_make(const lr_dataset *ds, toptags *t)
{
    memset(t, 0, sizeof *t);
    int32_t nt = ds->n_tags;
    int32_t *canon = lr__malloc(nt ? (size_t)nt : 1, sizeof *canon);
    int32_t *slot = lr__malloc(nt ? (size_t)nt : 1, sizeof *slot);
    t->top = lr__malloc(ds->n_artists ? (size_t)ds->n_artists : 1, sizeof *t->top);
    t->tag = lr__malloc(nt ? (size_t)nt : 1, sizeof *t->tag);
    int rc = !canon || !slot || !t->top || !t->tag ? lr__fail_oom("the report's top tags") : LR_OK;
    if (rc == LR_OK && nt)
        rc = lr__tag_display_canon(ds, canon);
    if (rc == LR_OK) {
        for (int32_t i = 0; i < nt; i++)
            slot[i] = -1;
        for (int32_t a = 0; a < ds->n_artists; a++) {
            int32_t g = ds->artist_top_tag[a];
            if (g < 0) {
                t->top[a] = -1;
                continue;
            }
            g = canon[g];
            if (slot[g] < 0) {
                slot[g] = t->n;
                t->tag[t->n++] = g;
            }
            t->top[a] = slot[g];
        }
    }
    free(canon);
    free(slot);
    if (rc != LR_OK)
        toptags_free(t);
    return rc;
}

static void json_artists(lr__buf *b, const lr_dataset *ds, const toptags *t)
{
    lr__buf_puts(b, "<script type=\"application/json\" id=\"lr-artists\">{\"names\":[");
    for (int32_t a = 0; a < ds->n_artists; a++) {
        if (a)
            lr__buf_puts(b, ",");
        lr__buf_json_str(b, lr__strtab_get(&ds->artist_names, a));
    }
    lr__buf_puts(b, "],\"top\":[");
    for (int32_t a = 0; a < ds->n_artists; a++)
        lr__buf_printf(b, a ? ",%d" : "%d", (int)t->top[a]);
    lr__buf_puts(b, "],\"tags\":[");
    for (int32_t i = 0; i < t->n; i++) {
        if (i)
            lr__buf_puts(b, ",");
        lr__buf_json_str(b, lr__strtab_get(&ds->tag_names, t->tag[i]));
    }
    lr__buf_puts(b, "]}</script>\n");
}

static void json_numbers(lr__buf *b, const char *key, const double *v, const int32_t *sel,
                         int32_t n, int digits)
{
    lr__buf_printf(b, "\"%s\":[", key);
    for (int32_t i = 0; i < n; i++) {
        if (i)
            lr__buf_puts(b, ",");
        lr__buf_json_num(b, v[sel ? sel[i] : i], digits);
    }
    lr__buf_puts(b, "]");
}

static void json_ints(lr__buf *b, const char *key, const int32_t *v, int32_t n)
{
    lr__buf_printf(b, "\"%s\":[", key);
    for (int32_t i = 0; i < n; i++)
        lr__buf_printf(b, i ? ",%d" : "%d", (int)v[i]);
    lr__buf_puts(b, "]");
}

/* One model's norms against listeners: the canvas plot, its correlations
 * and, as its table, the median norm by band of listeners. */
static int norms_plot(lr__buf *b, const lr_report *r, size_t mi, char *reading, size_t rsize)
{
    const lr_model *m = r->models[mi].m;
    const char *lab = model_label(r, mi);
    int32_t na = m->n_artists;
    double *norm = lr__malloc((size_t)na + 1, sizeof *norm);
    double *fans = lr__malloc((size_t)na + 1, sizeof *fans);
    int32_t *sel = lr__malloc((size_t)na + 1, sizeof *sel);
    int rc = !norm || !fans || !sel ? lr__fail_oom("the report's artist norms") : LR_OK;
    lr__norm_corr corr;
    if (rc == LR_OK && (rc = lr__artist_norms(m, norm, fans, NULL, &corr)) != LR_OK) {
        /* A model whose vectors cannot be read (non-finite) is named and
         * skipped; the rest of the page stands. */
        lr__buf_puts(b, "<p class=\"warning\">");
        lr__buf_html(b, lab);
        lr__buf_puts(b, ": ");
        lr__buf_html(b, lr_last_error());
        lr__buf_puts(b, "</p>\n");
        rc = rc == LR_E_NOMEM ? rc : LR_OK;
        goto done;
    }
    if (rc != LR_OK)
        goto done;
    int32_t n = 0;
    double fmax = 1, nmax = 0;
    for (int32_t a = 0; a < na; a++)
        if (fans[a] > 0 && norm[a] > 0) {
            sel[n++] = a;
            fmax = fans[a] > fmax ? fans[a] : fmax;
            nmax = norm[a] > nmax ? norm[a] : nmax;
        }
    char id[48], src[48], ttl[300], capt[300];
    snprintf(id, sizeof id, "norms-%zu", mi);
    snprintf(src, sizeof src, "norms-%zu-data", mi);
    lr__buf_printf(b, "<script type=\"application/json\" id=\"%s\">{\"kind\":\"scatter\","
                      "\"color\":\"%s\",", src, lr__series_color(0));
    json_numbers(b, "x", fans, sel, n, 6);
    lr__buf_puts(b, ",");
    json_numbers(b, "y", norm, sel, n, 4);
    lr__buf_puts(b, ",");
    json_ints(b, "a", sel, n);
    lr__buf_puts(b, "}</script>\n");
    snprintf(ttl, sizeof ttl, "%s: artist vector norm against listeners", lab);
    snprintf(capt, sizeof capt, "Pearson r %.3f (norm against log(1 + listeners)), Spearman "
                                "rho %.3f, over %lld artists; %lld zero vectors left out.  "
                                "Drag to select artists.",
             corr.pearson, corr.spearman, (long long)corr.used, (long long)corr.zero);
    snprintf(reading, rsize, "%s: Spearman rho %.2f", lab, corr.spearman);
    lr__chart ch = chart(id, ttl, capt, "listeners in training (log scale)", 1,
                         "norm of the artist's vector", 0);
    ch.x.lo = 0.8;
    ch.x.hi = fmax * 1.25;
    ch.y.lo = 0;
    ch.y.hi = nmax > 0 ? nmax * 1.05 : 1;
    lr__chart_canvas(b, &ch, "scatter", src, (size_t)n);
    lr__buf_puts(b, "<p class=\"selection\"></p>\n");
    /* The plot's numbers: median norm by band of listeners. */
    static const double band[] = {1, 2, 4, 10, 32, 100, 316, 1000, INFINITY};
    lr__buf_puts(b, "<details><summary>The numbers</summary><table><thead><tr><th>listeners"
                    "</th><th>artists</th><th>median norm</th></tr></thead><tbody>\n");
    vec v = {lr__malloc((size_t)n + 1, sizeof(double)), 0};
    if (!v.v) {
        rc = lr__fail_oom("the report's norm bands");
        goto done;
    }
    for (size_t k = 0; k + 1 < sizeof band / sizeof band[0]; k++) {
        v.n = 0;
        for (int32_t i = 0; i < n; i++)
            if (fans[sel[i]] >= band[k] && fans[sel[i]] < band[k + 1])
                v.v[v.n++] = norm[sel[i]];
        if (!v.n)
            continue;
        qsort(v.v, v.n, sizeof(double), cmp_double);
        lr__buf_puts(b, "<tr><td>");
        lr__buf_num(b, band[k], 0);
        if (isfinite(band[k + 1]) && band[k + 1] - 1 > band[k]) {
            lr__buf_puts(b, " \xE2\x80\x93 ");
            lr__buf_num(b, band[k + 1] - 1, 0);
        } else if (!isfinite(band[k + 1])) {
            lr__buf_puts(b, " or more");
        }
        lr__buf_puts(b, "</td>");
        td_num(b, (double)v.n, 0);
        td_num(b, quantile(&v, 0.5), 4);
        lr__buf_puts(b, "</tr>\n");
    }
    free(v.v);
    lr__buf_puts(b, "</tbody></table></details>\n");
    lr__chart_end(b);
done:
    free(norm);
    free(fans);
    free(sel);
    return rc;
}

#define MAP_BARS 20

/* The map of the first model with artist vectors, coloured by top tag,
 * beside the bar chart of top tags that filters it. */
static int artist_map(lr__buf *b, const lr_report *r, size_t mi, const toptags *tt)
{
    const lr_model *m = r->models[mi].m;
    const lr_dataset *ds = r->ds;
    lr_map *map = NULL;
    int rc;
    if (r->map == LR_REPORT_MAP_PCA)
        rc = lr__map_pca(&map, m, 2, lr__opt_int(&r->opts, LR_OPT_MAP_MIN_FANS));
    else
        rc = lr__map_tsne(&map, m, &r->opts);
    if (rc != LR_OK) {
        lr__error_prefix(r->map == LR_REPORT_MAP_PCA ? "the PCA map" : "the t-SNE map");
        return rc;
    }
    int32_t n = map->rows;
    int32_t *a = lr__malloc((size_t)n + 1, sizeof *a), *c = lr__malloc((size_t)n + 1, sizeof *c);
    double *x = lr__malloc((size_t)n + 1, sizeof *x), *y = lr__malloc((size_t)n + 1, sizeof *y);
    lr__ranked *rk = lr__calloc((size_t)tt->n + 1, sizeof *rk);
    int32_t *key = lr__malloc((size_t)tt->n + 1, sizeof *key);
    if (!a || !c || !x || !y || !rk || !key) {
        rc = lr__fail_oom("the report's artist map");
        goto done;
    }
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int32_t i = 0; i < tt->n; i++)
        rk[i].i = i;
    for (int32_t i = 0; i < n; i++) {
        a[i] = lr__artist_index(ds, map->ids[i]);
        x[i] = map->coords[2 * (size_t)i];
        y[i] = map->coords[2 * (size_t)i + 1];
        x0 = x[i] < x0 ? x[i] : x0;
        x1 = x[i] > x1 ? x[i] : x1;
        y0 = y[i] < y0 ? y[i] : y0;
        y1 = y[i] > y1 ? y[i] : y1;
        if (a[i] >= 0 && tt->top[a[i]] >= 0)
            rk[tt->top[a[i]]].v++;
    }
    /* Categories: the most common top tags among the mapped artists. */
    qsort(rk, (size_t)tt->n, sizeof *rk, lr__ranked_desc);
    for (int32_t i = 0; i < tt->n; i++)
        key[rk[i].i] = i < MAP_BARS && rk[i].v > 0 ? i : -1;
    for (int32_t i = 0; i < n; i++)
        c[i] = a[i] >= 0 && tt->top[a[i]] >= 0 ? key[tt->top[a[i]]] : -1;
    const int tsne = map->kind == LR__MAP_TSNE;
    lr__buf_puts(b, "<script type=\"application/json\" id=\"map-data\">{\"kind\":\"map\","
                    "\"colors\":[");
    for (int i = 0; i < r->map_tags; i++)
        lr__buf_printf(b, i ? ",\"%s\"" : "\"%s\"", lr__category_color((size_t)i));
    lr__buf_printf(b, "],\"grey\":\"%s\",", LR__COLOR_GREY);
    json_numbers(b, "x", x, NULL, n, 5);
    lr__buf_puts(b, ",");
    json_numbers(b, "y", y, NULL, n, 5);
    lr__buf_puts(b, ",");
    json_ints(b, "a", a, n);
    lr__buf_puts(b, ",");
    json_ints(b, "c", c, n);
    lr__buf_puts(b, "}</script>\n");

    char ttl[300], capt[400];
    snprintf(ttl, sizeof ttl, "%s of %s's artist vectors, coloured by top tag",
             tsne ? "t-SNE map" : "PCA map", model_label(r, mi));
    if (tsne)
        snprintf(capt, sizeof capt, "%d artists; KL divergence %.3f after %d iterations; %.0f%% "
                                    "of each artist's 10 nearest vectors are among its 10 "
                                    "nearest on the map.  Hover for names.",
                 (int)n, map->kl, (int)map->iterations, 100 * map->nn);
    else
        snprintf(capt, sizeof capt, "%d artists on the first two principal components of "
                                    "their vectors.  Hover for names.", (int)n);
    double px = (x1 - x0) * 0.03 + 1e-9, py = (y1 - y0) * 0.03 + 1e-9;
    charts_begin(b);
    lr__chart ch = chart("map", ttl, capt, tsne ? "t-SNE dimension 1" : "principal component 1",
                         0, tsne ? "t-SNE dimension 2" : "principal component 2", 0);
    ch.x.lo = x0 - px;
    ch.x.hi = x1 + px;
    ch.y.lo = y0 - py;
    ch.y.hi = y1 + py;
    ch.height = 560;
    lr__chart_canvas(b, &ch, "map", "map-data", (size_t)n);
    lr__buf_puts(b, "<p class=\"controls\"><button class=\"showall\" type=\"button\">Show all "
                    "artists</button></p>\n");
    lr__chart_end(b);
    const char *labels[MAP_BARS];
    double values[MAP_BARS];
    int keys[MAP_BARS];
    size_t nb = 0;
    while (nb < MAP_BARS && nb < (size_t)tt->n && rk[nb].v > 0) {
        labels[nb] = lr__strtab_get(&ds->tag_names, tt->tag[rk[nb].i]);
        values[nb] = rk[nb].v;
        keys[nb] = (int)nb;
        nb++;
    }
    lr__chart bc = chart("map-tags", "Top tags of the mapped artists: click one to filter the map",
                         "Artists whose most used tag it is; coloured as on the map (the "
                         "first ones), grey beyond.", "artists with this top tag", 0,
                         "top tag", 0);
    bc.height = 560;
    lr__chart_hbars(b, &bc, labels, values, nb, "tagbar", keys, (size_t)r->map_tags);
    charts_end(b);
done:
    free(a);
    free(c);
    free(x);
    free(y);
    free(rk);
    free(key);
    lr__map_free(map);
    return rc;
}

static int section_embeddings(lr__buf *b, const lr_report *r)
{
    heading(b, "embeddings", "6. Embeddings");
    size_t with = 0, first = 0;
    for (size_t i = 0; i < r->n_models; i++)
        if (r->models[i].m->artist_f) {
            if (!with++)
                first = i;
        }
    if (with == 0) {
        note(b, r->n_models ? "No model here has artist vectors (pop and ease models have no "
                              "artist vectors): this section is skipped."
                            : "No model was given: there are no embeddings to show.");
        lr__buf_puts(b, "</section>\n");
        return LR_OK;
    }
    toptags tt;
    int rc = toptags_make(r->ds, &tt);
    if (rc != LR_OK)
        return rc;
    json_artists(b, r->ds, &tt);
    lr__buf inner = {0};
    char reading[512] = "", one[160];
    for (size_t i = 0; i < r->n_models && rc == LR_OK; i++) {
        if (!r->models[i].m->artist_f) {
            lr__buf_puts(&inner, "<p class=\"note\">");
            lr__buf_html(&inner, model_label(r, i));
            lr__buf_printf(&inner, " (%s) has no artist vectors: skipped.</p>\n",
                           lr__algo_find(r->models[i].m->algo)->name);
        }
    }
    charts_begin(&inner);
    for (size_t i = 0; i < r->n_models && rc == LR_OK; i++) {
        if (!r->models[i].m->artist_f)
            continue;
        one[0] = '\0';
        rc = norms_plot(&inner, r, i, one, sizeof one);
        if (one[0] && strlen(reading) + strlen(one) + 4 < sizeof reading) {
            if (reading[0])
                strcat(reading, "; ");
            strcat(reading, one);
        }
    }
    charts_end(&inner);
    reading_begin(b);
    lr__buf_puts(b, "Popular artists get longer vectors: the correlation of vector norm and "
                    "listeners (");
    lr__buf_html(b, reading);
    lr__buf_puts(b, ").  The map places artists with similar vectors together; colours are "
                    "their top tags.");
    reading_end(b);
    if (inner.p)
        lr__buf_put(b, inner.p, inner.n);
    if (inner.oom)
        b->oom = 1;
    lr__buf_free(&inner);
    if (rc == LR_OK && r->map != LR_REPORT_MAP_NONE) {
        lr__buf_puts(b, "<h3>The map of the artists</h3>\n");
        rc = artist_map(b, r, first, &tt);
    }
    lr__buf_puts(b, "</section>\n");
    toptags_free(&tt);
    return rc;
}

/* ------------------------------------------------------------- the page */

int lr__report_same_catalogue(const lr_model *m, const lr_dataset *ds)
{
    return m->n_users == ds->n_users && m->n_artists == ds->n_artists &&
           memcmp(m->user_ids, ds->user_ids, (size_t)m->n_users * sizeof(int32_t)) == 0 &&
           memcmp(m->artist_ids, ds->artist_ids, (size_t)m->n_artists * sizeof(int32_t)) == 0;
}

static const char *source_name(int kind)
{
    switch (kind) {
    case LR_SOURCE_HETREC: return "HetRec directory";
    case LR_SOURCE_LISTENS: return "listens file";
    case LR_SOURCE_SNAPSHOT: return "snapshot";
    case LR_SOURCE_SYNTHETIC: return "synthetic data set";
    case LR_SOURCE_SPLIT: return "one side of a split";
    case LR_SOURCE_BUILDER: return "built in memory";
    default: return "data set";
    }
}

static void page_head(lr__buf *b, const lr_report *r)
{
    lr__buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    /* The page may fetch nothing at all: everything it needs
                     * is inline, and the policy makes the browser refuse any
                     * request a name or a bug could cause. */
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta name=\"generator\" content=\"lastrec ");
    lr__buf_puts(b, lr_version_string());
    lr__buf_puts(b, "\">\n<title>lastrec report: ");
    lr__buf_html(b, r->ds->source);
    lr__buf_puts(b, "</title>\n<style>\n");
    lr__buf_put(b, (const char *)lr__report_css, sizeof lr__report_css);
    lr__buf_puts(b, "</style>\n</head>\n<body>\n<header>\n<h1>lastrec report</h1>\n<p>");
    lr__buf_html(b, source_name(r->ds->kind));
    lr__buf_puts(b, " <code>");
    lr__buf_html(b, r->ds->source);
    lr__buf_printf(b, "</code>, %zu model%s, written by lastrec ", r->n_models,
                   r->n_models == 1 ? "" : "s");
    lr__buf_puts(b, lr_version_string());
    lr__buf_puts(b, ".  Every chart's numbers are in the table under it (&ldquo;The "
                    "numbers&rdquo;); hover over a mark for its value.</p>\n<nav><a href=\"#data\">"
                    "1. Data</a> <a href=\"#distributions\">2. Distributions</a> <a href=\"#tags\">"
                    "3. Tags</a> <a href=\"#friends\">4. Friends</a> <a href=\"#models\">5. Models"
                    "</a> <a href=\"#embeddings\">6. Embeddings</a> <a href=\"#recommendations\">"
                    "7. Recommendations</a></nav>\n</header>\n<main>\n");
}

static void page_tail(lr__buf *b)
{
    lr__buf_puts(b, "</main>\n<footer><p>Made by <code>lastrec report</code>; docs/report.md "
                    "says what each section shows.  The page works offline: it loads nothing."
                    "</p><pre id=\"selftest\" hidden></pre></footer>\n<script>\n");
    lr__buf_put(b, (const char *)lr__report_js, sizeof lr__report_js);
    lr__buf_puts(b, "</script>\n</body>\n</html>\n");
}

int lr__report_build(const lr_report *r, char **html, size_t *len)
{
    *html = NULL;
    *len = 0;
    const lr_dataset *ds = r->ds;
    const lr__progress *pr = lr__opt_progress(&r->opts);
    lr__buf b = {0};
    vec up = {0}, ap = {0}, tagged = {0}, pairs = {0}, sess = {0}, rep = {0};
    int rc = lr__progress_report(pr, "report: data", 0, 7);
    if (rc == LR_OK)
        rc = fetch(ds, LR_DIST_USER_LISTENS, &up);
    if (rc == LR_OK)
        rc = fetch(ds, LR_DIST_ARTIST_LISTENS, &ap);
    if (rc == LR_OK)
        rc = fetch(ds, LR_DIST_USER_TAGGED_ARTISTS, &tagged);
    if (rc == LR_OK)
        rc = fetch(ds, LR_DIST_TAGS_PER_USER_ARTIST, &pairs);
    if (rc == LR_OK)
        rc = fetch(ds, LR_DIST_TAG_SESSIONS, &sess);
    if (rc == LR_OK)
        rc = fetch(ds, LR_DIST_USER_TAG_REPEATS, &rep);
    if (rc == LR_OK) {
        /* The notebook counts the users who tag. */
        drop_zeros(&tagged);
        page_head(&b, r);
        section_data(&b, r, &up, &ap, &tagged, &pairs, &sess, &rep);
        section_distributions(&b, &up, &ap, &tagged, &pairs);
        rc = lr__progress_report(pr, "report: tags and friends", 2, 7);
    }
    if (rc == LR_OK)
        rc = section_tags(&b, ds);
    if (rc == LR_OK)
        rc = section_friends(&b, ds);
    if (rc == LR_OK)
        rc = lr__progress_report(pr, "report: models", 4, 7);
    if (rc == LR_OK)
        rc = section_models(&b, r);
    if (rc == LR_OK)
        rc = lr__progress_report(pr, "report: embeddings", 5, 7);
    if (rc == LR_OK)
        rc = section_embeddings(&b, r);
    if (rc == LR_OK)
        rc = lr__progress_report(pr, "report: recommendations", 6, 7);
    if (rc == LR_OK)
        rc = section_recs(&b, r);
    if (rc == LR_OK) {
        page_tail(&b);
        rc = lr__progress_report(pr, "report: done", 7, 7);
    }
    if (rc == LR_OK && b.oom)
        rc = lr__fail_oom("the report page");
    free(up.v);
    free(ap.v);
    free(tagged.v);
    free(pairs.v);
    free(sess.v);
    free(rep.v);
    if (rc != LR_OK) {
        lr__buf_free(&b);
        return rc;
    }
    *html = b.p;
    *len = b.n;
    return LR_OK;
}
