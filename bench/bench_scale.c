/* bench_scale: one machine at the lastfm-360K scale (issue 16, part 2),
 * through the public API.  Not a test: run it by hand or with
 * `meson test --benchmark`.
 *
 *   bench_scale [--users N] [--artists N] [--per-user N] [--als-epochs N]
 *               [--bpr-epochs N] [--max-threads T] [--no-bpr] [--no-top]
 *               [--seed S]
 *
 * It synthesises a dataset in memory (lr_dataset_synthesize: default
 * 360,000 users x 160,000 artists, 48 artists per user on average, about
 * 17 M listens, the real lastfm-360K's shape) and prints, each with the
 * peak resident memory after it:
 *
 *  - the synthesis time and how long-tailed the artists' popularity is
 *    (share of the listens held by the top 1% of artists, share of the
 *    artists with one or two listeners), beside the same figures of the
 *    real HetRec 2K data when LASTREC_DATA names it;
 *  - ALS (64 factors, its defaults otherwise) at 1 .. T threads (T = 2 by
 *    default): seconds per iteration, wall clock and CPU time of the whole
 *    process, as the median over iterations 2 .. N (the first also builds
 *    the confidences and the start, so it is shown apart), against
 *    implicit 0.7.3's 8.77 s (1 thread) and 5.20 s (2 threads) per
 *    iteration on a 360K-shaped matrix (issue 16's anchor) as ratios;
 *  - BPR (its defaults, on T threads): seconds per epoch, the median;
 *  - the top 10 for every user (lr_query_recommend_all on T threads) from
 *    the ALS model: total time.
 *
 * A smaller shape runs in seconds: bench_scale --users 20000 --artists 9000
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bench_name[] = "bench_scale";

/* issue 16's anchor: implicit 0.7.3, 64 factors, seconds per iteration */
static const double anchor_s[] = {8.77, 5.20};

/* Times of each epoch as the progress callback hears them. */
#define MAX_EPOCHS 64
typedef struct clocks {
    int n;
    double wall[MAX_EPOCHS + 1], cpu[MAX_EPOCHS + 1];
} clocks;

static int on_epoch(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)total;
    clocks *c = user_data;
    if (strcmp(stage, "epoch") == 0 && done >= 1 && c->n <= MAX_EPOCHS) {
        c->wall[c->n] = bench_wall_s();
        c->cpu[c->n] = bench_cpu_s();
        c->n++;
    }
    return 0;
}

/* Median of the per-epoch differences from epoch `from` on (0-based:
 * the difference between callback e and e - 1; callback 0's is measured
 * from the start, c->wall[0] is set by the caller before the fit). */
static double epoch_median(const double *t, int n, int from)
{
    double d[MAX_EPOCHS];
    int m = 0;
    for (int e = from; e < n; e++)
        d[m++] = t[e + 1] - t[e];
    return m ? bench_median(d, m) : -1;
}

typedef struct fit_times {
    double first_wall, first_cpu; /* epoch 1, setup included */
    double wall, cpu;             /* median over epochs 2 .. */
    double total;
} fit_times;

/* Fits algo with `text` options on ds, timing each epoch. */
static int timed_fit(lr_model **out, int algo, const char *text, const lr_dataset *ds,
                     fit_times *t)
{
    lr_options *o = NULL;
    clocks c = {0};
    int rc = lr_options_new(&o);
    if (rc == LR_OK)
        rc = lr_options_set_string(o, text);
    if (rc != LR_OK) {
        lr_options_free(o);
        return bench_fail(text, rc);
    }
    lr_options_set_progress(o, on_epoch, &c);
    lr_model *m = NULL;
    if ((rc = lr_model_new(&m, algo, o)) != LR_OK) {
        lr_options_free(o);
        return bench_fail("lr_model_new", rc);
    }
    c.wall[0] = bench_wall_s();
    c.cpu[0] = bench_cpu_s();
    c.n = 1;
    rc = lr_model_fit(m, ds, NULL);
    lr_model_set_progress(m, NULL, NULL);
    lr_options_free(o);
    if (rc != LR_OK) {
        lr_model_free(m);
        return bench_fail(text, rc);
    }
    const int epochs = c.n - 1;
    t->first_wall = c.wall[1] - c.wall[0];
    t->first_cpu = c.cpu[1] - c.cpu[0];
    t->total = c.wall[epochs] - c.wall[0];
    t->wall = epochs > 1 ? epoch_median(c.wall, epochs, 1) : t->first_wall;
    t->cpu = epochs > 1 ? epoch_median(c.cpu, epochs, 1) : t->first_cpu;
    *out = m;
    return 0;
}

/* Popularity figures of one dataset: the share of all listens (rows)
 * held by the top 1% of artists by listeners, the share of play counts
 * they hold, and the share of artists (with a listener) that have one or
 * two listeners. */
typedef struct tail {
    double top_rows, top_plays, few;
    double max_fans;
} tail;

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

static int long_tail(const lr_dataset *ds, tail *t)
{
    size_t n = 0;
    int rc = lr_dataset_distribution(ds, LR_DIST_ARTIST_FANS, NULL, 0, &n);
    if (rc != LR_OK && rc != LR_E_BUFSIZE)
        return rc;
    double *fans = malloc((n ? n : 1) * sizeof *fans);
    double *plays = malloc((n ? n : 1) * sizeof *plays);
    double *pair = malloc((n ? n : 1) * 2 * sizeof *pair);
    if (!fans || !plays || !pair) {
        free(fans);
        free(plays);
        free(pair);
        return LR_E_NOMEM;
    }
    if ((rc = lr_dataset_distribution(ds, LR_DIST_ARTIST_FANS, fans, n, NULL)) == LR_OK)
        rc = lr_dataset_distribution(ds, LR_DIST_ARTIST_LISTENS, plays, n, NULL);
    if (rc == LR_OK) {
        /* sort (fans, plays) by fans, descending */
        for (size_t i = 0; i < n; i++) {
            pair[2 * i] = fans[i];
            pair[2 * i + 1] = plays[i];
        }
        qsort(pair, n, 2 * sizeof *pair, cmp_desc);
        double rows = 0, all_plays = 0, top_rows = 0, top_plays = 0;
        size_t heard = 0, few = 0;
        for (size_t i = 0; i < n; i++) {
            rows += pair[2 * i];
            all_plays += pair[2 * i + 1];
            heard += pair[2 * i] > 0;
            few += pair[2 * i] > 0 && pair[2 * i] <= 2;
        }
        const size_t top = (heard + 99) / 100;
        for (size_t i = 0; i < top; i++) {
            top_rows += pair[2 * i];
            top_plays += pair[2 * i + 1];
        }
        t->top_rows = rows > 0 ? top_rows / rows : 0;
        t->top_plays = all_plays > 0 ? top_plays / all_plays : 0;
        t->few = heard ? (double)few / (double)heard : 0;
        t->max_fans = n ? pair[0] : 0;
    }
    free(fans);
    free(plays);
    free(pair);
    return rc;
}

static void print_tail(const char *what, const lr_dataset *ds)
{
    tail t;
    int rc = long_tail(ds, &t);
    if (rc != LR_OK) {
        bench_fail("lr_dataset_distribution", rc);
        return;
    }
    printf("  %-22s top 1%% of artists: %.1f%% of listens (rows), %.1f%% of plays; "
           "artists with 1-2 listeners: %.1f%%; most listeners: %.0f of %lld users\n",
           what, 100 * t.top_rows, 100 * t.top_plays, 100 * t.few, t.max_fans,
           (long long)lr_dataset_count(ds, LR_COUNT_USERS));
}

static int arg_int(int argc, char **argv, int *i, long *v)
{
    if (*i + 1 >= argc)
        return 0;
    char *end;
    *v = strtol(argv[++*i], &end, 10);
    return *end == '\0' && *v > 0;
}

int main(int argc, char **argv)
{
    long users = 360000, artists = 160000, per_user = 48, als_epochs = 5, bpr_epochs = 3;
    long max_threads = 2, seed = 42;
    int bpr = 1, top = 1;
    for (int i = 1; i < argc; i++) {
        long *v = NULL;
        if (strcmp(argv[i], "--users") == 0)
            v = &users;
        else if (strcmp(argv[i], "--artists") == 0)
            v = &artists;
        else if (strcmp(argv[i], "--per-user") == 0)
            v = &per_user;
        else if (strcmp(argv[i], "--als-epochs") == 0)
            v = &als_epochs;
        else if (strcmp(argv[i], "--bpr-epochs") == 0)
            v = &bpr_epochs;
        else if (strcmp(argv[i], "--max-threads") == 0)
            v = &max_threads;
        else if (strcmp(argv[i], "--seed") == 0)
            v = &seed;
        else if (strcmp(argv[i], "--no-bpr") == 0) {
            bpr = 0;
            continue;
        } else if (strcmp(argv[i], "--no-top") == 0) {
            top = 0;
            continue;
        }
        if (!v || !arg_int(argc, argv, &i, v) || als_epochs > MAX_EPOCHS ||
            bpr_epochs > MAX_EPOCHS) {
            fprintf(stderr,
                    "usage: %s [--users N] [--artists N] [--per-user N] [--als-epochs N<=%d] "
                    "[--bpr-epochs N<=%d] [--max-threads T] [--no-bpr] [--no-top] [--seed S]\n",
                    argv[0], MAX_EPOCHS, MAX_EPOCHS);
            return 2;
        }
    }

    /* line by line into a file too: the run is long, and each line is a
     * finished stage */
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("%s: %ld users x %ld artists, %ld artists per user; %s\n", bench_name, users,
           artists, per_user, lr_build_info());

    /* synthesis */
    lr_options *so = NULL;
    char text[512];
    snprintf(text, sizeof text,
             "synth_users=%ld,synth_artists=%ld,synth_artists_per_user=%ld,seed=%ld", users,
             artists, per_user, seed);
    int rc = lr_options_new(&so);
    if (rc == LR_OK)
        rc = lr_options_set_string(so, text);
    if (rc != LR_OK)
        return bench_fail(text, rc);
    lr_dataset *ds = NULL;
    double t0 = bench_wall_s(), c0 = bench_cpu_s();
    rc = lr_dataset_synthesize(&ds, so);
    const double synth_s = bench_wall_s() - t0, synth_cpu = bench_cpu_s() - c0;
    lr_options_free(so);
    if (rc != LR_OK)
        return bench_fail("lr_dataset_synthesize", rc);
    printf("synth: %lld listens, %lld users, %lld artists in %.2f s (CPU %.2f s); "
           "peak RSS %.0f MB\n",
           (long long)lr_dataset_count(ds, LR_COUNT_LISTENS),
           (long long)lr_dataset_count(ds, LR_COUNT_USERS),
           (long long)lr_dataset_count(ds, LR_COUNT_ARTISTS), synth_s, synth_cpu,
           bench_peak_rss_mb());
    printf("popularity:\n");
    print_tail("synthetic:", ds);
    const char *real = getenv("LASTREC_DATA");
    if (real && *real) {
        lr_dataset *hr = NULL;
        if ((rc = lr_dataset_load(&hr, real, NULL)) == LR_OK)
            print_tail("HetRec 2K (real):", hr);
        else
            bench_fail(real, rc);
        lr_dataset_free(hr);
    }

    /* ALS */
    lr_model *als = NULL;
    for (long threads = 1; threads <= max_threads; threads++) {
        fit_times t;
        snprintf(text, sizeof text, "factors=64,epochs=%ld,threads=%ld,seed=%ld", als_epochs,
                 threads, seed);
        lr_model *m = NULL;
        if (timed_fit(&m, LR_ALGO_ALS, text, ds, &t) != 0) {
            lr_dataset_free(ds);
            return 1;
        }
        printf("als, %ld thread%s: %.2f s per iteration (median of iterations 2-%ld; the "
               "first, with setup: %.2f s), CPU %.2f s per iteration (first %.2f s); "
               "%ld iterations %.1f s; peak RSS %.0f MB\n",
               threads, threads > 1 ? "s" : "", t.wall, als_epochs, t.first_wall, t.cpu,
               t.first_cpu, als_epochs, t.total, bench_peak_rss_mb());
        if (threads <= 2)
            printf("  against implicit 0.7.3's %.2f s per iteration: wall %.2fx, "
                   "CPU per thread %.2fx\n",
                   anchor_s[threads - 1], t.wall / anchor_s[threads - 1],
                   t.cpu / (double)threads / anchor_s[threads - 1]);
        lr_model_free(als);
        als = m;
    }

    /* BPR */
    if (bpr) {
        fit_times t;
        lr_model *m = NULL;
        snprintf(text, sizeof text, "epochs=%ld,threads=%ld,seed=%ld", bpr_epochs, max_threads,
                 seed);
        if (timed_fit(&m, LR_ALGO_BPR, text, ds, &t) != 0) {
            lr_model_free(als);
            lr_dataset_free(ds);
            return 1;
        }
        double k = 0;
        lr_model_option(m, LR_OPT_FACTORS, &k);
        printf("bpr, %ld threads, %.0f factors: %.2f s per epoch (median of epochs 2-%ld; the "
               "first %.2f s), CPU %.2f s per epoch; peak RSS %.0f MB\n",
               max_threads, k, t.wall, bpr_epochs, t.first_wall, t.cpu, bench_peak_rss_mb());
        lr_model_free(m);
    }

    /* top 10 for every user */
    lr_query *q = NULL;
    if (!top) {
        lr_model_free(als);
        lr_dataset_free(ds);
        return 0;
    }
    if ((rc = lr_query_new(&q, als)) == LR_OK)
        rc = lr_query_set_int(q, LR_QUERY_K, 10);
    const size_t cap = (size_t)lr_dataset_count(ds, LR_COUNT_USERS) * 10;
    int32_t *ids = malloc(cap * sizeof *ids);
    float *scores = malloc(cap * sizeof *scores);
    lr_options *qo = NULL;
    if (rc == LR_OK && (!ids || !scores))
        rc = LR_E_NOMEM;
    if (rc == LR_OK && (rc = lr_options_new(&qo)) == LR_OK)
        rc = lr_options_set_int(qo, LR_OPT_THREADS, max_threads);
    if (rc == LR_OK) {
        size_t needed = 0;
        t0 = bench_wall_s();
        c0 = bench_cpu_s();
        rc = lr_query_recommend_all(q, qo, ids, scores, cap, &needed);
        if (rc == LR_OK)
            printf("top 10 for every user (%zu users), %ld threads: %.2f s (CPU %.2f s); "
                   "peak RSS %.0f MB\n",
                   needed / 10, max_threads, bench_wall_s() - t0, bench_cpu_s() - c0,
                   bench_peak_rss_mb());
    }
    if (rc != LR_OK)
        bench_fail("lr_query_recommend_all", rc);
    lr_options_free(qo);
    free(ids);
    free(scores);
    lr_query_free(q);
    lr_model_free(als);
    lr_dataset_free(ds);
    return rc == LR_OK ? 0 : 1;
}
