/* bench_ease: EASE on the real data's dev split, through the public API.
 * Not a test: run it by hand or with `meson test --benchmark`.
 *
 *   bench_ease [DATA SPLIT] [RUNS] [OPTIONS]
 *
 * DATA is the HetRec directory and SPLIT the directory of train.dat and
 * test.dat; they default to $LASTREC_DATA and $LASTREC_SPLIT, and without
 * them the program exits 77 (skipped).  It times RUNS (default 5) fits with
 * ease's defaults, or as OPTIONS ("key=value,..." as lr_options_set_string
 * takes) says, on every core (LR_OPT_THREADS 0; the LAPACK inverse uses as
 * many threads as OpenBLAS is set to), and prints the median and the
 * minimum wall-clock time, the median CPU time of the process, the metrics
 * of the first fit, and the peak resident memory of the process before the
 * first fit (the data) and at the end.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

const char bench_name[] = "bench_ease";

static const int shown[] = {LR_OPT_TRANSFORM, LR_OPT_REGULARIZATION, LR_OPT_MIN_LISTENERS};
static const bench_model ease = {LR_ALGO_EASE, shown, sizeof shown / sizeof shown[0],
                                 "lr_model_fit", 0};

int main(int argc, char **argv)
{
    return bench_one_model(argc, argv, &ease, 5);
}
