/* bench_blend: the blend model (lib/model/blend.c) on the real data's dev
 * split, through the public API.  Not a test: run it by hand or with
 * `meson test --benchmark`.
 *
 *   bench_blend [DATA SPLIT] [RUNS] [OPTIONS]
 *
 * DATA is the HetRec directory and SPLIT the directory of train.dat and
 * test.dat; they default to $LASTREC_DATA and $LASTREC_SPLIT, and without
 * them the program exits 77 (skipped).  It times RUNS (default 5) fits with
 * blend's defaults, or as OPTIONS ("key=value,..." as lr_options_set_string
 * takes) says, on every core (LR_OPT_THREADS 0, which als's sweeps and the
 * item model's passes use; the LAPACK inverse uses as many threads as
 * OpenBLAS is set to), and prints the median and the minimum wall-clock
 * time, the median CPU time of the process, the options as the model uses
 * them, the metrics of the first fit (with the time lr_evaluate takes), and
 * the peak resident memory of the process before the first fit (the data)
 * and at the end.  SPDX-License-Identifier: MIT */
/* clock_gettime and its CPU clock, outside the project's _GNU_SOURCE too */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include <lastrec/lastrec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SKIP 77

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_blend: %s: %s (%s)\n", what, lr_strerror(rc), lr_last_error());
    return 1;
}

static void print_metrics(const lr_model *m, const lr_dataset *train, const lr_dataset *test)
{
    lr_evaluation *e;
    if (lr_evaluate(&e, m, train, test, 10, NULL) != LR_OK) {
        printf("    metrics unavailable: %s\n", lr_last_error());
        return;
    }
    printf("    P@10 %.4f  R@10 %.4f  NDCG@10 %.4f  MAP@10 %.4f  HR@10 %.4f  Coverage@10 %.4f"
           "  (%d users)\n",
           lr_evaluation_metric(e, LR_METRIC_PRECISION), lr_evaluation_metric(e, LR_METRIC_RECALL),
           lr_evaluation_metric(e, LR_METRIC_NDCG), lr_evaluation_metric(e, LR_METRIC_MAP),
           lr_evaluation_metric(e, LR_METRIC_HITRATE), lr_evaluation_metric(e, LR_METRIC_COVERAGE),
           (int)lr_evaluation_metric(e, LR_METRIC_USERS));
    lr_evaluation_free(e);
}

/* The options as the model uses them, so the printed row can be rerun. */
static void print_options(const lr_model *m)
{
    static const int keys[] = {LR_OPT_ITEM_REGULARIZATION, LR_OPT_DROPOUT, LR_OPT_CALIBRATION,
                               LR_OPT_RANK_SPREAD, LR_OPT_MIN_LISTENERS, LR_OPT_BLEND_WEIGHT,
                               LR_OPT_FACTORS, LR_OPT_EPOCHS, LR_OPT_TRANSFORM, LR_OPT_ALPHA,
                               LR_OPT_REGULARIZATION, LR_OPT_SEED};
    printf("    options:");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *name;
        double v;
        lr_option_info(keys[i], &name, NULL, NULL, NULL, NULL);
        lr_model_option(m, keys[i], &v);
        printf("%s%s=%g", i ? "," : " ", name, v);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    const char *data = argc > 2 ? argv[1] : getenv("LASTREC_DATA");
    const char *split = argc > 2 ? argv[2] : getenv("LASTREC_SPLIT");
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    const char *extra = argc > 4 ? argv[4] : "";
    if (!data || !*data || !split || !*split) {
        fprintf(stderr, "bench_blend: no data (give DATA SPLIT or set LASTREC_DATA and "
                        "LASTREC_SPLIT); skipped\n");
        return SKIP;
    }
    if (runs < 1)
        runs = 5;
    char tr[4096], te[4096];
    snprintf(tr, sizeof tr, "%s/train.dat", split);
    snprintf(te, sizeof te, "%s/test.dat", split);
    lr_dataset *cat = NULL, *train = NULL, *test = NULL;
    int rc = lr_dataset_load(&cat, data, NULL);
    if (rc == LR_OK)
        rc = lr_dataset_load_listens(&train, tr, cat, NULL);
    if (rc == LR_OK)
        rc = lr_dataset_load_listens(&test, te, cat, NULL);
    if (rc)
        return fail("loading the data", rc);
    printf("bench_blend: %lld training pairs; %d runs; %s\n",
           (long long)lr_dataset_count(train, LR_COUNT_LISTENS), runs, lr_build_info());

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory with the data loaded: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    double *wall = malloc((size_t)runs * sizeof *wall), *cpu = malloc((size_t)runs * sizeof *cpu);
    lr_options *o;
    if ((rc = lr_options_new(&o)) || (*extra && (rc = lr_options_set_string(o, extra))))
        return fail(extra, rc);
    lr_model *first = NULL;
    for (int r = 0; r < runs; r++) {
        lr_model *m;
        if ((rc = lr_model_new(&m, LR_ALGO_BLEND, o)))
            return fail("lr_model_new", rc);
        double c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_s(CLOCK_MONOTONIC);
        if ((rc = lr_model_fit(m, train, NULL)))
            return fail("lr_model_fit", rc);
        wall[r] = clock_s(CLOCK_MONOTONIC) - t0;
        cpu[r] = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        if (r == 0)
            first = m;
        else
            lr_model_free(m);
    }
    double med = median(wall, runs);
    printf("  median %.3f s, min %.3f s (CPU median %.3f s)\n", med, wall[0], median(cpu, runs));
    print_options(first);
    double e0 = clock_s(CLOCK_MONOTONIC);
    print_metrics(first, train, test);
    printf("    (lr_evaluate: %.3f s)\n", clock_s(CLOCK_MONOTONIC) - e0);
    lr_model_free(first);
    lr_options_free(o);
    free(wall);
    free(cpu);

    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    lr_dataset_free(test);
    lr_dataset_free(train);
    lr_dataset_free(cat);
    return 0;
}
