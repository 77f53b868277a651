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

#include "bench_util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define STEPS 200

const char bench_name[] = "bench_mf";

static int fit(lr_model **m, const lr_dataset *train, const char *opts, double *seconds)
{
    *seconds = 0; /* the notebook fit's failure line prints it, whatever failed */
    lr_options *o;
    int rc = lr_options_new(&o);
    if (rc == LR_OK)
        rc = lr_options_set_string(o, opts);
    if (rc == LR_OK)
        rc = lr_model_new(m, LR_ALGO_MF, o);
    lr_options_free(o);
    if (rc)
        return rc;
    double t0 = bench_wall_s();
    rc = lr_model_fit(*m, train, NULL);
    *seconds = bench_wall_s() - t0;
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
    bench_data d;
    int runs = 5, rc;
    bench_start(&d, argc, argv, &runs, NULL);
    bench_print_head(&d, ", %lld users x %lld artists",
                     (long long)lr_dataset_count(d.train, LR_COUNT_USERS),
                     (long long)lr_dataset_count(d.train, LR_COUNT_ARTISTS));

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
                if ((rc = fit(&m, d.train, text, &s)))
                    return bench_fail(text, rc);
                v[r] = step_seconds(m);
                lr_model_free(m);
            }
            double med = bench_median(v, runs);
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
            if ((rc = fit(&m, d.train, "", &v[r])))
                return bench_fail("default fit", rc);
            if (r == 0)
                keep = m;
            else
                lr_model_free(m);
        }
        double med = bench_median(v, runs);
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
        bench_print_metrics(keep, &d, 1);
        lr_model_free(keep);
        free(v);
    }

    printf("the notebook's settings on raw counts (2,000 full-batch SGD steps):\n");
    {
        lr_model *m = NULL;
        double s;
        rc = fit(&m, d.train,
                 "factors=35,regularization=0.1,gravity=1,init_scale=0.05,learning_rate=0.1,"
                 "optimizer=1,batch_size=0,transform=0,epochs=2000",
                 &s);
        if (rc == LR_E_NUMERIC) {
            printf("  stopped after %.2f s: %s\n", s, lr_last_error());
        } else if (rc) {
            return bench_fail("notebook fit", rc);
        } else {
            printf("  finished in %.2f s\n", s);
            print_loss(m);
            bench_print_metrics(m, &d, 1);
        }
        lr_model_free(m);
    }

    return bench_end(&d, 0);
}
