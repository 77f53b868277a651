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

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>

const char bench_name[] = "bench_bpr";

int main(int argc, char **argv)
{
    bench_data d;
    int runs = 5, rc;
    bench_start(&d, argc, argv, &runs, NULL);
    bench_print_head(&d, "; 64 factors, 100 epochs, %d runs", runs);

    double *t = malloc((size_t)runs * sizeof *t);
    for (int threads = 1; threads <= 2; threads++) {
        lr_options *o;
        char text[128];
        snprintf(text, sizeof text, "factors=64,epochs=100,threads=%d", threads);
        if ((rc = lr_options_new(&o)) || (rc = lr_options_set_string(o, text)))
            return bench_fail(text, rc);
        lr_model *first;
        if ((rc = bench_time_fits(&first, LR_ALGO_BPR, o, d.train, runs, text, t, NULL)))
            return rc;
        double med = bench_median(t, runs);
        double lrate, reg;
        lr_model_option(first, LR_OPT_LEARNING_RATE, &lrate);
        lr_model_option(first, LR_OPT_REGULARIZATION, &reg);
        printf("  %d thread%s (learning_rate=%g regularization=%g): median %.3f s, min %.3f s\n",
               threads, threads > 1 ? "s" : " ", lrate, reg, med, t[0]);
        bench_print_metrics(first, &d, 0);
        lr_model_free(first);
        lr_options_free(o);
    }
    free(t);

    return bench_end(&d, 0);
}
