/* bench_bpr: Bayesian personalised ranking on the real data's dev split,
 * through the public API.  Not a test: run it by hand or with `meson test
 * --benchmark`.
 *
 *   bench_bpr [DATA SPLIT] [RUNS]
 *
 * DATA is the HetRec directory and SPLIT the directory of train.dat and
 * test.dat; they default to $LASTREC_DATA and $LASTREC_SPLIT, and without
 * them the program exits 77 (skipped).  For 1 and 2 threads it times RUNS
 * (default 5) fits of 64 factors and 100 epochs (the other options at bpr's
 * defaults) and prints the median and the minimum, then the metrics of the
 * first fit on the test side (with two threads the updates are lock-free,
 * so runs differ a little), and at the end the process's peak resident
 * memory.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SKIP 77

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_bpr: %s: %s (%s)\n", what, lr_strerror(rc), lr_last_error());
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

int main(int argc, char **argv)
{
    const char *data = argc > 2 ? argv[1] : getenv("LASTREC_DATA");
    const char *split = argc > 2 ? argv[2] : getenv("LASTREC_SPLIT");
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    if (!data || !*data || !split || !*split) {
        fprintf(stderr, "bench_bpr: no data (give DATA SPLIT or set LASTREC_DATA and "
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
    printf("bench_bpr: %lld training pairs; 64 factors, 100 epochs, %d runs; %s\n",
           (long long)lr_dataset_count(train, LR_COUNT_LISTENS), runs, lr_build_info());

    double *t = malloc((size_t)runs * sizeof *t);
    for (int threads = 1; threads <= 2; threads++) {
        lr_options *o;
        char text[128];
        snprintf(text, sizeof text, "factors=64,epochs=100,threads=%d", threads);
        if ((rc = lr_options_new(&o)) || (rc = lr_options_set_string(o, text)))
            return fail(text, rc);
        lr_model *first = NULL;
        for (int r = 0; r < runs; r++) {
            lr_model *m;
            if ((rc = lr_model_new(&m, LR_ALGO_BPR, o)))
                return fail("lr_model_new", rc);
            double t0 = now();
            if ((rc = lr_model_fit(m, train, NULL)))
                return fail(text, rc);
            t[r] = now() - t0;
            if (r == 0)
                first = m;
            else
                lr_model_free(m);
        }
        qsort(t, (size_t)runs, sizeof *t, cmp_double);
        double med = runs % 2 ? t[runs / 2] : 0.5 * (t[runs / 2 - 1] + t[runs / 2]);
        double lrate, reg;
        lr_model_option(first, LR_OPT_LEARNING_RATE, &lrate);
        lr_model_option(first, LR_OPT_REGULARIZATION, &reg);
        printf("  %d thread%s (learning_rate=%g regularization=%g): median %.3f s, min %.3f s\n",
               threads, threads > 1 ? "s" : " ", lrate, reg, med, t[0]);
        print_metrics(first, train, test);
        lr_model_free(first);
        lr_options_free(o);
    }
    free(t);

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    lr_dataset_free(test);
    lr_dataset_free(train);
    lr_dataset_free(cat);
    return 0;
}
