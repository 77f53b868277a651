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
 * first fit on the test side.  With two threads bpr trains on blocks of
 * disjoint users and artists (docs/models.md), so a fit is reproducible:
 * after the timings the program fits once more with two threads and
 * prints whether the factors and the loss history are bit-identical to the
 * first fit's (exit status 1 if not).  At the end, the process's peak
 * resident memory.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bench_name[] = "bench_bpr";

/* 1 when a and b have bit-identical user and artist factors and loss
 * histories (the losses depend on the biases, which the API does not
 * expose). */
static int same_fit(const lr_model *a, const lr_model *b)
{
    for (int which = LR_EMBEDDING_USERS; which <= LR_EMBEDDING_ARTISTS; which++) {
        const float *x, *y;
        size_t rx, cx, ry, cy;
        if (lr_model_embeddings(a, which, &x, &rx, &cx) ||
            lr_model_embeddings(b, which, &y, &ry, &cy) || rx != ry || cx != cy ||
            memcmp(x, y, rx * cx * sizeof *x) != 0)
            return 0;
    }
    static const int fields[] = {LR_HISTORY_LOSS, LR_HISTORY_LOSS_OBSERVED, LR_HISTORY_LOSS_L2};
    for (size_t f = 0; f < sizeof fields / sizeof fields[0]; f++) {
        double ha[1000], hb[1000];
        size_t na, nb;
        if (lr_model_history(a, fields[f], ha, 1000, &na) ||
            lr_model_history(b, fields[f], hb, 1000, &nb) || na != nb ||
            memcmp(ha, hb, na * sizeof *ha) != 0)
            return 0;
    }
    return 1;
}

int main(int argc, char **argv)
{
    bench_data d;
    int runs = 5, rc, same = 0;
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
        if (threads == 2) {
            lr_model *again;
            if ((rc = lr_model_new(&again, LR_ALGO_BPR, o)) ||
                (rc = lr_model_fit(again, d.train, NULL)))
                return bench_fail(text, rc);
            same = same_fit(first, again);
            printf("    another fit with the same seed and 2 threads: %s\n",
                   same ? "bit-identical" : "DIFFERENT");
            lr_model_free(again);
        }
        lr_model_free(first);
        lr_options_free(o);
    }
    free(t);

    return bench_end(&d, same ? 0 : 1);
}
