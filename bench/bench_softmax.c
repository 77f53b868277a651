/* bench_softmax: the softmax two-tower model through the public API, against
 * issue #11's targets (fit <= 5 s on 2 threads, NDCG@10 >= 0.245,
 * cold-artist Recall@10 > 0.05, a 5-artist fold-in query <= 1 ms).  Not a
 * test: run it by hand or with `meson test --benchmark`.
 *
 *   bench_softmax [DATA SPLIT] [RUNS] [OPTIONS] [--threads N] [--queries Q]
 *   bench_softmax --synth ARTISTS [--users U] [--threads N] [OPTIONS]
 *
 * On the real data's dev split (DATA is the HetRec directory, SPLIT the
 * directory of train.dat and test.dat; they default to $LASTREC_DATA and
 * $LASTREC_SPLIT, and without them the program exits 77, skipped) it fits
 * RUNS (default 5) models with softmax's defaults on N threads (default 2),
 * OPTIONS ("key=value,..." as lr_options_set_string takes) changing them,
 * and prints the median and minimum wall-clock fit time, the median CPU
 * time of the process, the epochs, the first model's metrics (every fit is
 * the same, bit for bit) with NDCG@10 and cold-artist Recall@10, and the
 * median and 90th percentile of Q (default 2000) preference queries
 * (lr_query_recommend_preferences, 5 artists in a fixed order, top 10),
 * each target marked met or MISSED.  The exit status is 0 either way:
 * the model is still being tuned towards them.
 *
 * With --synth it needs no data: a synthetic catalogue of ARTISTS artists
 * and U users (default 5000; lr_dataset_synthesize, seed 42, split per
 * user) shows what the sampled softmax (sampled_negatives) saves where the
 * full one is slow: for 0 (full), 1024, 4096 and 16384 draws per batch, one
 * fit of 3 epochs (OPTIONS may change it), the median seconds of an epoch
 * after the first (LR_HISTORY_SECONDS; the first also pays the setup) and
 * NDCG@10 on the held-out side.
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bench_name[] = "bench_softmax";

static const char *mark(int met) { return met ? "met" : "MISSED"; }

/* Fits and queries on the dev split. */
static int dev_split(int argc, char **argv, int threads, int queries)
{
    bench_data d;
    int runs = 5;
    const char *extra;
    bench_start(&d, argc, argv, &runs, &extra);
    bench_print_head(&d, "; %d runs, %d thread%s", runs, threads, threads > 1 ? "s" : "");
    char text[1024];
    snprintf(text, sizeof text, "threads=%d%s%s", threads, *extra ? "," : "", extra);
    lr_options *o = NULL;
    int rc = lr_options_new(&o);
    if (rc == LR_OK)
        rc = lr_options_set_string(o, text);
    if (rc) {
        lr_options_free(o);
        return bench_end(&d, bench_fail(text, rc));
    }
    double *wall = malloc((size_t)runs * sizeof *wall), *cpu = malloc((size_t)runs * sizeof *cpu);
    double *ms = malloc((size_t)(queries > 0 ? queries : 1) * sizeof *ms);
    lr_model *m = NULL;
    lr_query *q = NULL;
    lr_evaluation *e = NULL;
    int32_t *artists = NULL;
    if (!wall || !cpu || !ms) {
        fprintf(stderr, "%s: out of memory\n", bench_name);
        rc = 1;
        goto done;
    }
    if ((rc = bench_time_fits(&m, LR_ALGO_SOFTMAX, o, d.train, runs, text, wall, cpu)))
        goto done;
    const double fit = bench_median(wall, runs);
    double epochs, sampled;
    lr_model_option(m, LR_OPT_EPOCHS, &epochs);
    lr_model_option(m, LR_OPT_SAMPLED_NEGATIVES, &sampled);
    printf("  fit: median %.3f s, min %.3f s (CPU median %.3f s); %g epochs, "
           "sampled_negatives=%g; target <= 5 s: %s\n",
           fit, wall[0], bench_median(cpu, runs), epochs, sampled, mark(fit <= 5.0));
    if ((rc = lr_evaluate(&e, m, d.train, d.test, 10, NULL))) {
        rc = bench_fail("lr_evaluate", rc);
        goto done;
    }
    const double ndcg = lr_evaluation_metric(e, LR_METRIC_NDCG),
                 cold = lr_evaluation_metric(e, LR_METRIC_COLD_RECALL);
    printf("  NDCG@10 %.4f (target >= 0.245: %s)  cold-artist Recall@10 %.4f over %d pairs "
           "(target > 0.05: %s)\n",
           ndcg, mark(ndcg >= 0.245), cold, (int)lr_evaluation_metric(e, LR_METRIC_COLD_PAIRS),
           mark(cold > 0.05));
    bench_print_metrics(m, &d, 0);

    /* a preference list of 5 artists, spread over the catalogue in a fixed
     * order so that the runs are the same on every machine */
    size_t na;
    lr_model_ids(m, LR_IDS_ARTISTS, NULL, 0, &na);
    artists = malloc(na * sizeof *artists);
    if (!artists || (rc = lr_query_new(&q, m))) {
        rc = artists ? bench_fail("lr_query_new", rc) : 1;
        goto done;
    }
    lr_model_ids(m, LR_IDS_ARTISTS, artists, na, NULL);
    static const double listens[5] = {4000, 6000, 500, 100, 200};
    for (int i = 0; i < queries; i++) {
        const double t0 = bench_wall_ms();
        lr_query_clear_preferences(q);
        for (int j = 0; j < 5; j++)
            if ((rc = lr_query_add_preference(
                     q, artists[((size_t)i * 31 + (size_t)j * 977) % na], listens[j]))) {
                rc = bench_fail("lr_query_add_preference", rc);
                goto done;
            }
        if ((rc = lr_query_recommend_preferences(q, NULL))) {
            rc = bench_fail("lr_query_recommend_preferences", rc);
            goto done;
        }
        ms[i] = bench_wall_ms() - t0;
    }
    if (queries > 0) {
        const double med = bench_median(ms, queries);
        printf("  fold-in of 5 preferences, top 10: median %.3f ms, p90 %.3f ms over %d "
               "queries; target <= 1 ms: %s\n",
               med, ms[(size_t)(0.9 * (queries - 1))], queries, mark(med <= 1.0));
    }
done:
    lr_query_free(q);
    lr_evaluation_free(e);
    lr_model_free(m);
    lr_options_free(o);
    free(artists);
    free(wall);
    free(cpu);
    free(ms);
    return bench_end(&d, rc);
}

/* Full against sampled softmax on a large synthetic catalogue. */
static int synth(int artists, int users, int threads, const char *extra)
{
    lr_options *o = NULL;
    lr_dataset *all = NULL, *train = NULL, *test = NULL;
    int rc = lr_options_new(&o);
    if (rc == LR_OK)
        rc = lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, artists);
    if (rc == LR_OK)
        rc = lr_options_set_int(o, LR_OPT_SYNTH_USERS, users);
    if (rc == LR_OK)
        rc = lr_dataset_synthesize(&all, o);
    if (rc == LR_OK)
        rc = lr_dataset_split(all, LR_SPLIT_PER_USER, o, &train, &test);
    if (rc) {
        lr_options_free(o);
        lr_dataset_free(all);
        return bench_fail("synthetic data", rc);
    }
    printf("%s: synthetic, %d users x %d artists, %lld training pairs; %d thread%s; %s\n",
           bench_name, users, artists, (long long)lr_dataset_count(train, LR_COUNT_LISTENS),
           threads, threads > 1 ? "s" : "", lr_build_info());
    static const int draws[] = {0, 1024, 4096, 16384};
    for (size_t i = 0; rc == 0 && i < sizeof draws / sizeof draws[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "epochs=3,threads=%d,sampled_negatives=%d%s%s", threads,
                 draws[i], *extra ? "," : "", extra);
        lr_options *mo = NULL;
        lr_model *m = NULL;
        lr_evaluation *e = NULL;
        double *sec = NULL;
        size_t n = 0;
        double epochs = 0;
        if ((rc = lr_options_new(&mo)) || (rc = lr_options_set_string(mo, text)) ||
            (rc = lr_model_new(&m, LR_ALGO_SOFTMAX, mo)) ||
            (rc = lr_model_fit(m, train, NULL))) {
            rc = bench_fail(text, rc);
        } else if (lr_model_option(m, LR_OPT_EPOCHS, &epochs),
                   !(sec = malloc((size_t)epochs * sizeof *sec))) {
            fprintf(stderr, "%s: out of memory\n", bench_name);
            rc = 1;
        } else if ((rc = lr_model_history(m, LR_HISTORY_SECONDS, sec, (size_t)epochs, &n)) ||
                   (rc = lr_evaluate(&e, m, train, test, 10, NULL))) {
            rc = bench_fail(text, rc);
        } else {
            const double first = sec[0];
            for (size_t j = n - 1; j > 0; j--) /* each epoch's own seconds */
                sec[j] -= sec[j - 1];
            const double per = n > 1 ? bench_median(sec + 1, (int)(n - 1)) : first;
            printf("  sampled_negatives=%-6d %s: first epoch %.2f s, then median %.2f s per "
                   "epoch; NDCG@10 %.4f after %zu epochs\n",
                   draws[i],
                   draws[i] == 0            ? "full   "
                   : draws[i] >= artists    ? "full (N >= artists)"
                                            : "sampled",
                   first, per,
                   lr_evaluation_metric(e, LR_METRIC_NDCG), n);
            fflush(stdout);
        }
        free(sec);
        lr_evaluation_free(e);
        lr_model_free(m);
        lr_options_free(mo);
    }
    if (rc == 0)
        printf("peak resident memory: %.1f MB\n", bench_peak_rss_mb());
    lr_dataset_free(all);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_options_free(o);
    return rc;
}

int main(int argc, char **argv)
{
    /* the flags out of argv first, so that bench_start reads the positional
     * arguments as every model bench does */
    int threads = 2, queries = 2000, artists = 0, users = 5000, n = 1;
    char **rest = malloc(((size_t)argc + 1) * sizeof *rest);
    if (!rest)
        return 1;
    rest[0] = argv[0];
    for (int i = 1; i < argc; i++) {
        int *flag = !strcmp(argv[i], "--threads")   ? &threads
                    : !strcmp(argv[i], "--queries") ? &queries
                    : !strcmp(argv[i], "--synth")   ? &artists
                    : !strcmp(argv[i], "--users")   ? &users
                                                    : NULL;
        if (flag && i + 1 < argc)
            *flag = atoi(argv[++i]);
        else if (flag || !strncmp(argv[i], "--", 2)) {
            fprintf(stderr, "%s: %s needs a number, or is unknown; see the comment at the top "
                            "of bench/bench_softmax.c\n", bench_name, argv[i]);
            free(rest);
            return 2;
        } else
            rest[n++] = argv[i];
    }
    rest[n] = NULL;
    if (threads < 1 || queries < 0 || users < 2) {
        fprintf(stderr, "%s: --threads and --users take a positive number, --queries one >= 0\n",
                bench_name);
        free(rest);
        return 2;
    }
    int rc = artists > 0 ? synth(artists, users, threads, n > 1 ? rest[1] : "")
                         : dev_split(n, rest, threads, queries);
    free(rest);
    return rc;
}
