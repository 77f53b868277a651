/* bench_util: what the benchmark programs share — clocks, medians, peak
 * memory, loading the real data's split, failure messages and the lines
 * the model benches print — so that each program holds only what it
 * measures, and a fix to any of it reaches them all.  Public API only, as
 * the programs themselves.  SPDX-License-Identifier: MIT */
#ifndef LASTREC_BENCH_UTIL_H
#define LASTREC_BENCH_UTIL_H

#include <lastrec/lastrec.h>

#include <stddef.h>

/* The exit status `meson test --benchmark` reads as "skipped": the data
 * are not in the repository, so a machine without them is not a failure. */
#define BENCH_SKIP 77

/* Each program defines it ("bench_als"): the helpers' messages start with
 * it, as the programs' own messages always have. */
extern const char bench_name[];

/* Wall-clock time (CLOCK_MONOTONIC, immune to clock changes) and the CPU
 * time of the whole process, all its threads (on a machine busy with other
 * work the wall clock grows while this does not); only differences mean
 * anything. */
double bench_wall_s(void);
double bench_cpu_s(void);
double bench_wall_ms(void);
double bench_cpu_ms(void);

/* The median of v[n], n >= 1: a busy machine adds outliers that would pull
 * a mean.  Sorts v in place, ascending, so v[0] is the minimum afterwards,
 * which the programs print beside it. */
double bench_median(double *v, int n);

/* The process's peak resident memory so far in MB, or -1 when the system
 * does not say. */
double bench_peak_rss_mb(void);

/* Prints "<bench_name>: <what>: <lr_strerror(rc)> (<lr_last_error()>)" on
 * stderr and returns 1, for `return bench_fail(...)` from main. */
int bench_fail(const char *what, int rc);

/* The real data: the HetRec catalogue and one split's two sides, read
 * through the catalogue so ids agree, as lr_dataset_load_split reads them
 * (the training side without the held-out pairs' tags).  The struct owns all three;
 * bench_data_free() frees them. */
typedef struct bench_data {
    lr_dataset *all;   /* the HetRec directory (DATA) */
    lr_dataset *train; /* SPLIT/train.dat */
    lr_dataset *test;  /* SPLIT/test.dat; NULL when not asked for */
    char path[4096];   /* what a failed load was reading, for its message */
} bench_data;

/* Loads DATA, then SPLIT/train.dat and, when with_test, SPLIT/test.dat.
 * Returns LR_OK, or the failing load's code with d->path naming what it
 * read and nothing left loaded; prints nothing, so each program words its
 * message as it always has. */
int bench_data_load(bench_data *d, const char *data, const char *split, int with_test);

/* Frees what d holds; safe on a failed d. */
void bench_data_free(bench_data *d);

/* The model benches' start, one command line for them all:
 *
 *   bench_x [DATA SPLIT] [RUNS] [OPTIONS]
 *
 * DATA and SPLIT default to $LASTREC_DATA and $LASTREC_SPLIT.  *runs holds
 * the default on entry and RUNS on return (the default when RUNS is absent
 * or below 1); *options, when options is not NULL, borrows OPTIONS from
 * argv or is "".  Returns only with all three sides loaded: it exits, after
 * saying why, with BENCH_SKIP when there are no data and with 1 when they
 * do not load, as nothing else is left to do. */
void bench_start(bench_data *d, int argc, char **argv, int *runs, const char **options);

/* The model benches' first line, so that a figure is never read apart from
 * the build that gave it: "<bench_name>: N training pairs<detail>; <build
 * info>", detail formatted as printf does. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void bench_print_head(const bench_data *d, const char *detail, ...);

/* The model benches' end, for `return bench_end(&d, status);` from main:
 * frees d and returns status, after the last line, the peak resident
 * memory, when status is 0 (a failure has said why already). */
int bench_end(bench_data *d, int status);

/* Fits `runs` fresh models of algo with o on train, timing each fit in
 * seconds: wall[r] and, unless cpu is NULL, cpu[r].  Returns 0 with the
 * first model in *first, the caller's to lr_model_free() (the programs
 * report its options and metrics), or 1 after saying what failed:
 * "lr_model_new", or fit_what for the fit itself. */
int bench_time_fits(lr_model **first, int algo, const lr_options *o, const lr_dataset *train,
                    int runs, const char *fit_what, double *wall, double *cpu);

/* Prints m's top-10 metrics on d's test side in one indented line (with
 * RMSE when with_rmse, for models that predict counts), or why lr_evaluate
 * could not give them. */
void bench_print_metrics(const lr_model *m, const bench_data *d, int with_rmse);

/* What one model bench's rows fit and show (see bench_fit_row). */
typedef struct bench_model {
    int algo;             /* LR_ALGO_* */
    const int *shown;     /* LR_OPT_* printed with each row, so it can be rerun */
    size_t n_shown;
    const char *fit_what; /* names a failed fit in its message; NULL: the options */
    int time_eval;        /* say how long lr_evaluate takes, after the metrics */
} bench_model;

/* One row of a model bench: `runs` fits of model->algo on d's training
 * side with the defaults as `options` ("key=value,...", "" for none)
 * changes them, then, after the line start `head`, "median W s, min W s
 * (CPU median C s)", the shown options as the first model uses them and its
 * metrics.  Returns 0, or 1 after saying what failed. */
int bench_fit_row(const bench_data *d, const bench_model *model, const char *options, int runs,
                  const char *head);

/* The whole of a one-model bench (ease, blend): the command line of
 * bench_start with RUNS defaulting to default_runs, the first line, the
 * peak memory with the data loaded, one row (on every core, LR_OPT_THREADS's
 * default, unless OPTIONS says otherwise) and the last line.  Returns
 * main's exit status. */
int bench_one_model(int argc, char **argv, const bench_model *model, int default_runs);

#endif
