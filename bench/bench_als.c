/* bench_als: implicit ALS on the real data's dev split, through the public
 * API.  Not a test: run it by hand or with `meson test --benchmark`.
 *
 *   bench_als [DATA SPLIT] [RUNS] [OPTIONS]
 *
 * DATA is the HetRec directory and SPLIT the directory of train.dat and
 * test.dat; they default to $LASTREC_DATA and $LASTREC_SPLIT, and without
 * them the program exits 77 (skipped).  For 1 and 2 threads it times RUNS
 * (default 7) fits of 64 factors and 15 sweeps, the other options at als's
 * defaults or as OPTIONS ("key=value,..." as lr_options_set_string takes)
 * says, and prints the median and the minimum wall-clock time, the median
 * CPU time of the process (on a busy machine the wall clock says more about
 * the neighbours), the metrics of the first fit (every fit is the same, bit
 * for bit), and at the end the process's peak resident memory.
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <stdio.h>

const char bench_name[] = "bench_als";

static const int shown[] = {LR_OPT_FACTORS, LR_OPT_EPOCHS, LR_OPT_TRANSFORM, LR_OPT_ALPHA,
                            LR_OPT_REGULARIZATION, LR_OPT_SOLVER, LR_OPT_CG_STEPS,
                            LR_OPT_INIT_SCALE, LR_OPT_SEED};
/* A failed fit is named by its options: they differ by the thread count. */
static const bench_model als = {LR_ALGO_ALS, shown, sizeof shown / sizeof shown[0], NULL, 0};

int main(int argc, char **argv)
{
    bench_data d;
    int runs = 7;
    const char *extra;
    bench_start(&d, argc, argv, &runs, &extra);
    bench_print_head(&d, "; %d runs", runs);
    int rc = 0;
    for (int threads = 1; rc == 0 && threads <= 2; threads++) {
        char text[512], head[32];
        snprintf(text, sizeof text, "factors=64,epochs=15,threads=%d%s%s", threads,
                 *extra ? "," : "", extra);
        snprintf(head, sizeof head, "  %d thread%s: ", threads, threads > 1 ? "s" : " ");
        rc = bench_fit_row(&d, &als, text, runs, head);
    }
    return bench_end(&d, rc);
}
