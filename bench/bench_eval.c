/* bench_eval: how long lr_evaluate() takes on the real data's dev split —
 * every user with a held-out artist ranked against all 17,632 artists, top
 * 10, all metrics — for popularity and for a 64-factor ALS model, on 1 and
 * 2 threads.  Not a test: run it by hand or with `meson test --benchmark`.
 *
 *   bench_eval [DATA SPLIT] [RUNS]
 *
 * DATA and SPLIT default to $LASTREC_DATA and $LASTREC_SPLIT (the directory
 * holding train.dat and test.dat); without them it exits 77 (skipped).
 * RUNS (default 11, at least 5) evaluations are timed per case after one
 * untimed warm-up; the median, because a busy machine adds outliers, and
 * the minimum, the best the code can do.  The target: all users'
 * top-10 for a 64-factor model within 100 ms on 2 threads.
 *
 * Scoring calls no BLAS (lib/model/panels.c), so the evaluation runs on
 * exactly its lastrec threads; the OPENBLAS_NUM_THREADS line printed
 * below matters only to the fits.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MIN_RUNS 5

const char bench_name[] = "bench_eval";

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s: %s\n", bench_name, what, lr_strerror(rc), lr_last_error());
    return EXIT_FAILURE;
}

/* Time `runs` evaluations of m at k = 10 on `threads` threads; prints one
 * line.  *median_ms receives the median. */
static int time_eval(const char *name, const lr_model *m, const bench_data *s, int threads,
                     int runs, double *median_ms)
{
    lr_options *o;
    if (lr_options_new(&o) || lr_options_set_int(o, LR_OPT_THREADS, threads))
        return fail("options", LR_E_NOMEM);
    double *ms = calloc((size_t)runs, sizeof *ms);
    lr_evaluation *e = NULL;
    int rc = ms ? lr_evaluate(&e, m, s->train, s->test, 10, o) : LR_E_NOMEM; /* warm-up */
    for (int i = 0; rc == LR_OK && i < runs; i++) {
        lr_evaluation_free(e);
        e = NULL;
        double t0 = bench_wall_ms();
        rc = lr_evaluate(&e, m, s->train, s->test, 10, o);
        ms[i] = bench_wall_ms() - t0;
    }
    lr_options_free(o);
    if (rc != LR_OK) {
        free(ms);
        lr_evaluation_free(e);
        return fail(name, rc);
    }
    double med = bench_median(ms, runs);
    double users = lr_evaluation_metric(e, LR_METRIC_USERS);
    printf("%-5s %d thread%s  median %8.2f ms  min %8.2f ms  (%d runs; %.0f users, "
           "%.1f µs/user)  NDCG@10 %.4f  P@10 %.4f\n",
           name, threads, threads == 1 ? " " : "s", med, ms[0], runs, users,
           1e3 * med / users, lr_evaluation_metric(e, LR_METRIC_NDCG),
           lr_evaluation_metric(e, LR_METRIC_PRECISION));
    *median_ms = med;
    free(ms);
    lr_evaluation_free(e);
    return 0;
}

/* Fit one model with its defaults (factors 64 for als); a model the
 * library cannot fit yet is skipped with the library's reason. */
static lr_model *fit(int algo, const bench_data *s)
{
    lr_options *o;
    lr_model *m = NULL;
    if (lr_options_new(&o))
        return NULL;
    lr_options_set_int(o, LR_OPT_FACTORS, 64);
    int rc = lr_model_new(&m, algo, o);
    lr_options_free(o);
    double t0 = bench_wall_ms();
    if (rc == LR_OK)
        rc = lr_model_fit(m, s->train, NULL);
    if (rc != LR_OK) {
        printf("%-5s skipped: cannot fit: %s\n", lr_algorithm_name(algo), lr_last_error());
        lr_model_free(m);
        return NULL;
    }
    printf("%-5s fitted in %.0f ms (not part of the timings)\n", lr_algorithm_name(algo),
           bench_wall_ms() - t0);
    return m;
}

int main(int argc, char **argv)
{
    const char *data = argc > 2 ? argv[1] : getenv("LASTREC_DATA");
    const char *split = argc > 2 ? argv[2] : getenv("LASTREC_SPLIT");
    int runs = argc == 2 ? atoi(argv[1]) : argc == 4 ? atoi(argv[3]) : 11;
    if (argc > 4 || runs < MIN_RUNS) {
        fprintf(stderr, "usage: bench_eval [DATA SPLIT] [RUNS >= %d]\n", MIN_RUNS);
        return 2;
    }
    char probe[4096];
    snprintf(probe, sizeof probe, "%s/test.dat", split ? split : "");
    if (!data || !*data || !split || !*split || access(data, R_OK) || access(probe, R_OK)) {
        printf("bench_eval: skipped: no data (pass DATA and SPLIT, or set LASTREC_DATA and "
               "LASTREC_SPLIT)\n");
        return BENCH_SKIP;
    }
    printf("%s\n", lr_build_info());
    const char *ob = getenv("OPENBLAS_NUM_THREADS");
    printf("OPENBLAS_NUM_THREADS=%s\n", ob ? ob : "(unset: OpenBLAS picks)");
    bench_data s;
    int rc = bench_data_load(&s, data, split, 1);
    if (rc)
        rc = fail(s.path, rc);
    const int algos[] = {LR_ALGO_POP, LR_ALGO_ALS};
    double als_two = NAN;
    for (size_t i = 0; rc == 0 && i < sizeof algos / sizeof algos[0]; i++) {
        lr_model *m = fit(algos[i], &s);
        for (int threads = 1; m && rc == 0 && threads <= 2; threads++) {
            double med;
            rc = time_eval(lr_algorithm_name(algos[i]), m, &s, threads, runs, &med);
            if (rc == 0 && algos[i] == LR_ALGO_ALS && threads == 2)
                als_two = med;
        }
        lr_model_free(m);
    }
    if (rc == 0 && !isnan(als_two))
        printf("target: all users' top-10, 64 factors, 2 threads, within 100 ms: %s "
               "(median %.1f ms)\n", als_two <= 100 ? "met" : "NOT met", als_two);
    bench_data_free(&s);
    return rc;
}
