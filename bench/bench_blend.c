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
#include <lastrec/lastrec.h>

#include "bench_util.h"

const char bench_name[] = "bench_blend";

static const int shown[] = {LR_OPT_ITEM_REGULARIZATION, LR_OPT_DROPOUT, LR_OPT_CALIBRATION,
                            LR_OPT_RANK_SPREAD, LR_OPT_MIN_LISTENERS, LR_OPT_BLEND_WEIGHT,
                            LR_OPT_FACTORS, LR_OPT_EPOCHS, LR_OPT_TRANSFORM, LR_OPT_ALPHA,
                            LR_OPT_REGULARIZATION, LR_OPT_SEED};
static const bench_model blend = {LR_ALGO_BLEND, shown, sizeof shown / sizeof shown[0],
                                  "lr_model_fit", 1};

int main(int argc, char **argv)
{
    return bench_one_model(argc, argv, &blend, 5);
}
