/* bench_mf: the notebook's matrix factorisation on the real data's dev
 * split, through the public API.  Not a test: run it by hand or with
 * `meson test --benchmark`.
 *
 *   bench_mf [DATA SPLIT] [RUNS]
 *
 * DATA is the HetRec directory and SPLIT the directory of train.dat and
 * test.dat; they default to $LASTREC_DATA and $LASTREC_SPLIT, and without
 * them the program exits 77 (skipped).  It prints:
 *
 *  1. the time of one full-batch step (k = 35, all training pairs, L2 and
 *     gravity) with SGD and with Adagrad, on 1 thread and on all cores:
 *     each of RUNS (default 5) fits runs 200 steps, a run's figure is the
 *     mean step time read off the training history's clock, and the
 *     median and the minimum over the runs are printed;
 *  2. the default fit (log1p weights, gravity; docs/models.md): its time
 *     and its metrics on the test side;
 *  3. the notebook's own settings on raw counts (k 35, λ_r 0.1, λ_g 1, init
 *     sd 0.05, learning rate 0.1, 2,000 full-batch SGD steps): what
 *     happens, with its metrics or its error;
 *  4. the peak resident memory of the process.
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define SKIP 77
#define STEPS 200

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

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "bench_mf: %s: %s (%s)\n", what, lr_strerror(rc), lr_last_error());
    return 1;
}

static int fit(lr_model **m, const lr_dataset *train, const char *opts, double *seconds)
{
    lr_options *o;
    int rc = lr_options_new(&o);
    if (rc == LR_OK)
        rc = lr_options_set_string(o, opts);
    if (rc == LR_OK)
        rc = lr_model_new(m, LR_ALGO_MF, o);
    lr_options_free(o);
    if (rc)
        return rc;
    double t0 = now();
    rc = lr_model_fit(*m, train, NULL);
    *seconds = now() - t0;
    return rc;
}

/* Mean seconds per step of a fitted model, from its history clock (the
 * first step, which also sets things up, left out). */
static double step_seconds(const lr_model *m)
{
    size_t n = 0;
    lr_model_history(m, LR_HISTORY_SECONDS, NULL, 0, &n);
    double *t = malloc(n * sizeof *t);
    if (!t || n < 3 || lr_model_history(m, LR_HISTORY_SECONDS, t, n, NULL) != LR_OK) {
        free(t);
        return NAN;
    }
    double s = (t[n - 1] - t[0]) / (double)(n - 1);
    free(t);
    return s;
}

static void print_metrics(const lr_model *m, const lr_dataset *train, const lr_dataset *test)
{
    lr_evaluation *e;
    int rc = lr_evaluate(&e, m, train, test, 10, NULL);
    if (rc) {
        printf("    metrics unavailable: %s\n", lr_last_error());
        return;
    }
    printf("    P@10 %.4f  R@10 %.4f  NDCG@10 %.4f  MAP@10 %.4f  HR@10 %.4f  "
           "Coverage@10 %.4f  RMSE %.6g  (%d users)\n",
           lr_evaluation_metric(e, LR_METRIC_PRECISION), lr_evaluation_metric(e, LR_METRIC_RECALL),
           lr_evaluation_metric(e, LR_METRIC_NDCG), lr_evaluation_metric(e, LR_METRIC_MAP),
           lr_evaluation_metric(e, LR_METRIC_HITRATE), lr_evaluation_metric(e, LR_METRIC_COVERAGE),
           lr_evaluation_metric(e, LR_METRIC_RMSE), (int)lr_evaluation_metric(e, LR_METRIC_USERS));
    lr_evaluation_free(e);
}

static void print_loss(const lr_model *m)
{
    size_t n = 0;
    lr_model_history(m, LR_HISTORY_LOSS, NULL, 0, &n);
    double *h = malloc((n ? n : 1) * sizeof *h);
    if (h && n && lr_model_history(m, LR_HISTORY_LOSS, h, n, NULL) == LR_OK)
        printf("    objective %.6g after epoch 1, %.6g after epoch %zu\n", h[0], h[n - 1], n);
    free(h);
}

int main(int argc, char **argv)
{
    const char *data = argc > 2 ? argv[1] : getenv("LASTREC_DATA");
    const char *split = argc > 2 ? argv[2] : getenv("LASTREC_SPLIT");
    int runs = argc > 3 ? atoi(argv[3]) : 5;
    if (!data || !*data || !split || !*split) {
        fprintf(stderr, "bench_mf: no data (give DATA SPLIT or set LASTREC_DATA and "
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
    printf("bench_mf: %lld training pairs, %lld users x %lld artists; %s\n",
           (long long)lr_dataset_count(train, LR_COUNT_LISTENS),
           (long long)lr_dataset_count(train, LR_COUNT_USERS),
           (long long)lr_dataset_count(train, LR_COUNT_ARTISTS), lr_build_info());

    printf("one full-batch step, k = 35, %d steps per run, %d runs:\n", STEPS, runs);
    static const char *const step_opts[] = {
        "factors=35,regularization=0.1,gravity=1,init_scale=0.05,learning_rate=0.1,"
        "optimizer=1,batch_size=0,transform=0,epochs=200",
        "factors=35,regularization=0.1,gravity=1,init_scale=0.05,learning_rate=0.1,"
        "optimizer=2,batch_size=0,transform=1,epochs=200",
    };
    for (int o = 0; o < 2; o++)
        for (int threads = 1; threads >= 0; threads--) {
            double *v = malloc((size_t)runs * sizeof *v);
            char text[512];
            snprintf(text, sizeof text, "%s,threads=%d", step_opts[o], threads);
            for (int r = 0; r < runs; r++) {
                lr_model *m = NULL;
                double s;
                if ((rc = fit(&m, train, text, &s)))
                    return fail(text, rc);
                v[r] = step_seconds(m);
                lr_model_free(m);
            }
            double med = median(v, runs);
            printf("  %-7s %s: median %.3f ms, min %.3f ms\n", o ? "adagrad" : "sgd",
                   threads ? "1 thread " : "all cores", 1e3 * med, 1e3 * v[0]);
            free(v);
        }

    printf("default fit (log1p, gravity; see docs/models.md), %d runs:\n", runs);
    {
        double *v = malloc((size_t)runs * sizeof *v);
        lr_model *keep = NULL;
        for (int r = 0; r < runs; r++) {
            lr_model *m = NULL;
            if ((rc = fit(&m, train, "", &v[r])))
                return fail("default fit", rc);
            if (r == 0)
                keep = m;
            else
                lr_model_free(m);
        }
        double med = median(v, runs);
        double k, e, g, reg, lrate;
        lr_model_option(keep, LR_OPT_FACTORS, &k);
        lr_model_option(keep, LR_OPT_EPOCHS, &e);
        lr_model_option(keep, LR_OPT_GRAVITY, &g);
        lr_model_option(keep, LR_OPT_REGULARIZATION, &reg);
        lr_model_option(keep, LR_OPT_LEARNING_RATE, &lrate);
        printf("  factors=%g epochs=%g gravity=%g regularization=%g learning_rate=%g: "
               "median %.3f s, min %.3f s\n",
               k, e, g, reg, lrate, med, v[0]);
        print_loss(keep);
        print_metrics(keep, train, test);
        lr_model_free(keep);
        free(v);
    }

    printf("the notebook's settings on raw counts (2,000 full-batch SGD steps):\n");
    {
        lr_model *m = NULL;
        double s;
        rc = fit(&m, train,
                 "factors=35,regularization=0.1,gravity=1,init_scale=0.05,learning_rate=0.1,"
                 "optimizer=1,batch_size=0,transform=0,epochs=2000",
                 &s);
        if (rc == LR_E_NUMERIC) {
            printf("  stopped after %.2f s: %s\n", s, lr_last_error());
        } else if (rc) {
            return fail("notebook fit", rc);
        } else {
            printf("  finished in %.2f s\n", s);
            print_loss(m);
            print_metrics(m, train, test);
        }
        lr_model_free(m);
    }

    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak resident memory: %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    lr_dataset_free(test);
    lr_dataset_free(train);
    lr_dataset_free(cat);
    return 0;
}
