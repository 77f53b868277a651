/* bench_builder: how long lr_dataset_builder takes to make the HetRec 2011
 * Last.fm 2K data set from rows already in memory (as a program holding
 * them in its own tables would), against lr_dataset_load reading the same
 * rows from the files.  Not a test: run it by hand or with `meson test
 * --benchmark`.
 *
 *   bench_builder [PATH] [RUNS]
 *
 * PATH defaults to $LASTREC_DATA; without either it exits 77 (skipped).
 * The rows are read once, untimed, with a plain parser of the files' tab-
 * separated lines; RUNS (default 11) builds and loads are timed and their
 * medians and minima printed.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bench_name[] = "bench_builder";

/* One file's data rows: up to 6 numeric columns and one text column. */
typedef struct table {
    size_t n, cap;
    int64_t *col[6];
    char **text;
} table;

static int grow(table *t, int ncols)
{
    if (t->n < t->cap)
        return 0;
    size_t cap = t->cap ? 2 * t->cap : 1024;
    for (int c = 0; c < ncols; c++) {
        int64_t *p = realloc(t->col[c], cap * sizeof *p);
        if (!p)
            return -1;
        t->col[c] = p;
    }
    char **s = realloc(t->text, cap * sizeof *s);
    if (!s)
        return -1;
    t->text = s;
    t->cap = cap;
    return 0;
}

/* Columns 0..ncols-1 as numbers, column text_col (or -1) kept as text. */
static int read_table(table *t, const char *dir, const char *name, int ncols, int text_col)
{
    char path[4096], line[65536];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int header = 1;
    while (fgets(line, sizeof line, f)) {
        if (header) {
            header = 0;
            continue;
        }
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || grow(t, ncols))
            continue;
        char *p = line;
        int c = 0, k = 0;
        t->text[t->n] = NULL;
        for (char *field = strsep(&p, "\t"); field; field = strsep(&p, "\t"), c++) {
            if (c == text_col)
                t->text[t->n] = strdup(field);
            else if (k < ncols)
                t->col[k++][t->n] = strtoll(field, NULL, 10);
        }
        t->n++;
    }
    fclose(f);
    return 0;
}

static void free_table(table *t)
{
    for (int c = 0; c < 6; c++)
        free(t->col[c]);
    for (size_t i = 0; t->text && i < t->n; i++)
        free(t->text[i]);
    free(t->text);
}

static int32_t *ids(const int64_t *v, size_t n)
{
    int32_t *out = malloc((n ? n : 1) * sizeof *out);
    for (size_t i = 0; out && i < n; i++)
        out[i] = (int32_t)v[i];
    return out;
}

typedef struct rows {
    table artists, tags, listens, friends, uses;
    int32_t *lu, *la, *tu, *ta, *tt, *fu, *ff;
    int64_t *times;
} rows;

static int64_t month_ms(int64_t year, int64_t month)
{
    /* days_from_civil for the first of the month, as the loader computes it */
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (era * 146097 + doe - 719468) * 86400000;
}

static int read_rows(rows *r, const char *dir)
{
    memset(r, 0, sizeof *r);
    if (read_table(&r->artists, dir, "artists.dat", 1, 1) ||
        read_table(&r->tags, dir, "tags.dat", 1, 1) ||
        read_table(&r->listens, dir, "user_artists.dat", 3, -1) ||
        read_table(&r->friends, dir, "user_friends.dat", 2, -1) ||
        read_table(&r->uses, dir, "user_taggedartists.dat", 6, -1))
        return -1;
    r->lu = ids(r->listens.col[0], r->listens.n);
    r->la = ids(r->listens.col[1], r->listens.n);
    r->fu = ids(r->friends.col[0], r->friends.n);
    r->ff = ids(r->friends.col[1], r->friends.n);
    r->tu = ids(r->uses.col[0], r->uses.n);
    r->ta = ids(r->uses.col[1], r->uses.n);
    r->tt = ids(r->uses.col[2], r->uses.n);
    r->times = malloc((r->uses.n + 1) * sizeof *r->times);
    if (!r->lu || !r->la || !r->fu || !r->ff || !r->tu || !r->ta || !r->tt || !r->times)
        return -1;
    for (size_t i = 0; i < r->uses.n; i++)
        r->times[i] = month_ms(r->uses.col[5][i], r->uses.col[4][i]);
    return 0;
}

static void free_rows(rows *r)
{
    free_table(&r->artists);
    free_table(&r->tags);
    free_table(&r->listens);
    free_table(&r->friends);
    free_table(&r->uses);
    free(r->lu);
    free(r->la);
    free(r->fu);
    free(r->ff);
    free(r->tu);
    free(r->ta);
    free(r->tt);
    free(r->times);
}

static int build(const rows *r, lr_dataset **out)
{
    lr_dataset_builder *b = NULL;
    int rc = lr_dataset_builder_new(&b, NULL);
    for (size_t i = 0; rc == LR_OK && i < r->artists.n; i++)
        rc = lr_dataset_builder_set_artist_name(b, (int32_t)r->artists.col[0][i],
                                                r->artists.text[i] ? r->artists.text[i] : "");
    for (size_t i = 0; rc == LR_OK && i < r->tags.n; i++)
        rc = lr_dataset_builder_set_tag_name(b, (int32_t)r->tags.col[0][i],
                                             r->tags.text[i] ? r->tags.text[i] : "");
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_listens(b, r->lu, r->la, r->listens.col[2], r->listens.n);
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_tag_uses(b, r->tu, r->ta, r->tt, r->times, r->uses.n);
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_friends(b, r->fu, r->ff, r->friends.n);
    if (rc == LR_OK)
        rc = lr_dataset_builder_finish(b, out);
    lr_dataset_builder_free(b);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : getenv("LASTREC_DATA");
    int runs = argc > 2 ? atoi(argv[2]) : 11;
    if (!path || !*path) {
        printf("%s: skipped: no data set (give PATH or set LASTREC_DATA)\n", bench_name);
        return 77;
    }
    if (runs < 1)
        runs = 1;
    rows r;
    if (read_rows(&r, path)) {
        fprintf(stderr, "%s: %s: cannot read the HetRec files\n", bench_name, path);
        free_rows(&r);
        return EXIT_FAILURE;
    }
    double *build_ms = malloc((size_t)runs * sizeof *build_ms);
    double *load_ms = malloc((size_t)runs * sizeof *load_ms);
    lr_dataset *built = NULL, *loaded = NULL;
    int rc = (build_ms && load_ms) ? LR_OK : LR_E_NOMEM;
    for (int i = 0; rc == LR_OK && i < runs; i++) {
        lr_dataset_free(built);
        lr_dataset_free(loaded);
        built = loaded = NULL;
        double t0 = bench_wall_ms();
        rc = build(&r, &built);
        build_ms[i] = bench_wall_ms() - t0;
        t0 = bench_wall_ms();
        if (rc == LR_OK)
            rc = lr_dataset_load(&loaded, path, NULL);
        load_ms[i] = bench_wall_ms() - t0;
    }
    if (rc != LR_OK) {
        fprintf(stderr, "%s: %s: %s\n", bench_name, lr_strerror(rc), lr_last_error());
    } else {
        /* The medians first: bench_median sorts, after which [0] is the minimum. */
        double build_med = bench_median(build_ms, runs), load_med = bench_median(load_ms, runs);
        printf("%s: %s, %d runs\n", bench_name, path, runs);
        printf("  rows in memory: %zu listens, %zu tag uses, %zu friend rows, %zu artists, "
               "%zu tags\n", r.listens.n, r.uses.n, r.friends.n, r.artists.n, r.tags.n);
        printf("  builder (add calls + finish): %8.1f ms median  %8.1f ms min\n",
               build_med, build_ms[0]);
        printf("  lr_dataset_load (files):      %8.1f ms median  %8.1f ms min\n",
               load_med, load_ms[0]);
        printf("  same counts: listens %lld/%lld, tag uses %lld/%lld, tags %lld/%lld\n",
               (long long)lr_dataset_count(built, LR_COUNT_LISTENS),
               (long long)lr_dataset_count(loaded, LR_COUNT_LISTENS),
               (long long)lr_dataset_count(built, LR_COUNT_TAG_USES),
               (long long)lr_dataset_count(loaded, LR_COUNT_TAG_USES),
               (long long)lr_dataset_count(built, LR_COUNT_TAGS),
               (long long)lr_dataset_count(loaded, LR_COUNT_TAGS));
    }
    lr_dataset_free(built);
    lr_dataset_free(loaded);
    free(build_ms);
    free(load_ms);
    free_rows(&r);
    return rc == LR_OK ? 0 : EXIT_FAILURE;
}
