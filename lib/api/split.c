/* lr_dataset_split: argument checks around lib/data/split.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "core/options.h"
#include "data/split.h"

int lr_dataset_split(const lr_dataset *ds, int method, const lr_options *opts,
                     lr_dataset **train, lr_dataset **test)
{
    if (train)
        *train = NULL;
    if (test)
        *test = NULL;
    if (!ds || !train || !test)
        return lr__fail(LR_E_INVALID, "lr_dataset_split: NULL argument");
    if (train == test)
        return lr__fail(LR_E_INVALID, "lr_dataset_split: train and test are the same pointer");
    return lr__split(ds, method, lr__opt_double(opts, LR_OPT_HOLDOUT_FRACTION),
                     (uint64_t)lr__opt_int(opts, LR_OPT_SEED), train, test);
}
