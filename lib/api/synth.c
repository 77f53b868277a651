/* lr_dataset_synthesize and lr_dataset_write_hetrec: argument checks
 * around lib/data/synth and lib/data/write_hetrec.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "data/synth.h"
#include "core/options.h"
#include "data/write_hetrec.h"
#include "data/write_lastfm360k.h"

int lr_dataset_synthesize(lr_dataset **out, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_dataset_synthesize: out is NULL");
    lr__synth_params p;
    lr__synth_params_from(&p, opts);
    return lr__synthesize(out, &p, NULL);
}

int lr_dataset_write_hetrec(const lr_dataset *ds, const char *dir)
{
    if (!ds || !dir)
        return lr__fail(LR_E_INVALID, "lr_dataset_write_hetrec: NULL argument");
    return lr__write_hetrec(ds, dir);
}

int lr_dataset_write_lastfm360k(const lr_dataset *ds, const char *dir, const lr_options *opts)
{
    if (!ds || !dir)
        return lr__fail(LR_E_INVALID, "lr_dataset_write_lastfm360k: NULL argument");
    lr__l360_params p = {
        .seed = (uint64_t)lr__opt_int(opts, LR_OPT_SEED),
        .quirks = (int)lr__opt_int(opts, LR_OPT_SYNTH_QUIRKS),
        .bad_lines = lr__opt_int(opts, LR_OPT_SYNTH_BAD_LINES),
    };
    return lr__write_lastfm360k(ds, dir, &p, NULL);
}
