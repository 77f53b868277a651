/* bench_util: the benchmark programs' shared parts (see bench_util.h).
 * SPDX-License-Identifier: MIT */
/* clock_gettime and its CPU clock, outside the project's _GNU_SOURCE too */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "bench_util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Milliseconds read straight off the clock rather than as 1e3 * clock_s(),
 * so the ms programs' figures round as they always have. */
static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double bench_wall_s(void) { return clock_s(CLOCK_MONOTONIC); }
double bench_cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }
double bench_wall_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
double bench_cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double bench_peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return -1;
    return (double)ru.ru_maxrss / 1024.0; /* Linux counts ru_maxrss in KiB */
}

int bench_fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s (%s)\n", bench_name, what, lr_strerror(rc), lr_last_error());
    return 1;
}

int bench_data_load(bench_data *d, const char *data, const char *split, int with_test)
{
    d->all = d->train = d->test = NULL;
    snprintf(d->path, sizeof d->path, "%s", data);
    int rc = lr_dataset_load(&d->all, data, NULL);
    /* as a split, so that the training side drops the tags of held-out
     * pairs (docs/evaluation.md), which a model that reads tags would
     * otherwise find its test through; without test.dat the held-out
     * pairs are the catalogue's that train.dat lacks, the same ones.  A
     * failure's message (lr_last_error) names the file it was reading. */
    if (rc == LR_OK) {
        char test[4096];
        snprintf(d->path, sizeof d->path, "%s/train.dat", split);
        snprintf(test, sizeof test, "%s/test.dat", split);
        rc = lr_dataset_load_split(&d->train, with_test ? &d->test : NULL, d->path,
                                   with_test ? test : NULL, d->all, NULL);
    }
    if (rc != LR_OK)
        bench_data_free(d); /* d->path survives it, for the message */
    return rc;
}

void bench_data_free(bench_data *d)
{
    lr_dataset_free(d->test);
    lr_dataset_free(d->train);
    lr_dataset_free(d->all);
    d->all = d->train = d->test = NULL;
}

void bench_start(bench_data *d, int argc, char **argv, int *runs, const char **options)
{
    const char *data = argc > 2 ? argv[1] : getenv("LASTREC_DATA");
    const char *split = argc > 2 ? argv[2] : getenv("LASTREC_SPLIT");
    const int fallback = *runs;
    if (argc > 3)
        *runs = atoi(argv[3]);
    if (options)
        *options = argc > 4 ? argv[4] : "";
    if (!data || !*data || !split || !*split) {
        fprintf(stderr, "%s: no data (give DATA SPLIT or set LASTREC_DATA and "
                        "LASTREC_SPLIT); skipped\n", bench_name);
        exit(BENCH_SKIP);
    }
    if (*runs < 1)
        *runs = fallback;
    int rc = bench_data_load(d, data, split, 1);
    if (rc)
        exit(bench_fail("loading the data", rc));
}

void bench_print_head(const bench_data *d, const char *detail, ...)
{
    va_list ap;
    printf("%s: %lld training pairs", bench_name,
           (long long)lr_dataset_count(d->train, LR_COUNT_LISTENS));
    va_start(ap, detail);
    vprintf(detail, ap);
    va_end(ap);
    printf("; %s\n", lr_build_info());
}

int bench_end(bench_data *d, int status)
{
    if (status == 0)
        printf("peak resident memory: %.1f MB\n", bench_peak_rss_mb());
    bench_data_free(d);
    return status;
}

int bench_time_fits(lr_model **first, int algo, const lr_options *o, const lr_dataset *train,
                    int runs, const char *fit_what, double *wall, double *cpu)
{
    *first = NULL;
    for (int r = 0; r < runs; r++) {
        lr_model *m;
        int rc = lr_model_new(&m, algo, o);
        if (rc)
            return bench_fail("lr_model_new", rc);
        double c0 = cpu ? bench_cpu_s() : 0, t0 = bench_wall_s();
        if ((rc = lr_model_fit(m, train, NULL))) {
            lr_model_free(m);
            return bench_fail(fit_what, rc);
        }
        wall[r] = bench_wall_s() - t0;
        if (cpu)
            cpu[r] = bench_cpu_s() - c0;
        if (r == 0)
            *first = m;
        else
            lr_model_free(m);
    }
    return 0;
}

void bench_print_metrics(const lr_model *m, const bench_data *d, int with_rmse)
{
    lr_evaluation *e;
    if (lr_evaluate(&e, m, d->train, d->test, 10, NULL) != LR_OK) {
        printf("    metrics unavailable: %s\n", lr_last_error());
        return;
    }
    printf("    P@10 %.4f  R@10 %.4f  NDCG@10 %.4f  MAP@10 %.4f  HR@10 %.4f  Coverage@10 %.4f",
           lr_evaluation_metric(e, LR_METRIC_PRECISION), lr_evaluation_metric(e, LR_METRIC_RECALL),
           lr_evaluation_metric(e, LR_METRIC_NDCG), lr_evaluation_metric(e, LR_METRIC_MAP),
           lr_evaluation_metric(e, LR_METRIC_HITRATE), lr_evaluation_metric(e, LR_METRIC_COVERAGE));
    if (with_rmse)
        printf("  RMSE %.6g", lr_evaluation_metric(e, LR_METRIC_RMSE));
    printf("  (%d users)\n", (int)lr_evaluation_metric(e, LR_METRIC_USERS));
    lr_evaluation_free(e);
}

static void print_options(const lr_model *m, const int *keys, size_t n)
{
    printf("    options:");
    for (size_t i = 0; i < n; i++) {
        const char *name;
        double v;
        lr_option_info(keys[i], &name, NULL, NULL, NULL, NULL);
        lr_model_option(m, keys[i], &v);
        printf("%s%s=%g", i ? "," : " ", name, v);
    }
    printf("\n");
}

int bench_fit_row(const bench_data *d, const bench_model *model, const char *options, int runs,
                  const char *head)
{
    lr_options *o = NULL;
    int rc = lr_options_new(&o);
    if (rc == LR_OK && *options)
        rc = lr_options_set_string(o, options);
    if (rc) {
        lr_options_free(o);
        return bench_fail(options, rc);
    }
    double *wall = malloc((size_t)runs * sizeof *wall), *cpu = malloc((size_t)runs * sizeof *cpu);
    lr_model *first = NULL;
    if (!wall || !cpu) {
        fprintf(stderr, "%s: out of memory\n", bench_name);
        rc = 1;
    } else {
        rc = bench_time_fits(&first, model->algo, o, d->train, runs,
                             model->fit_what ? model->fit_what : options, wall, cpu);
    }
    if (rc == 0) {
        double med = bench_median(wall, runs); /* before wall[0], the minimum once sorted */
        printf("%smedian %.3f s, min %.3f s (CPU median %.3f s)\n", head, med, wall[0],
               bench_median(cpu, runs));
        print_options(first, model->shown, model->n_shown);
        double e0 = bench_wall_s();
        bench_print_metrics(first, d, 0);
        if (model->time_eval)
            printf("    (lr_evaluate: %.3f s)\n", bench_wall_s() - e0);
    }
    lr_model_free(first);
    lr_options_free(o);
    free(wall);
    free(cpu);
    return rc;
}

int bench_one_model(int argc, char **argv, const bench_model *model, int default_runs)
{
    bench_data d;
    int runs = default_runs;
    const char *options;
    bench_start(&d, argc, argv, &runs, &options);
    bench_print_head(&d, "; %d runs", runs);
    printf("peak resident memory with the data loaded: %.1f MB\n", bench_peak_rss_mb());
    return bench_end(&d, bench_fit_row(&d, model, options, runs, "  "));
}
