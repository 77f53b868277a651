/* lastfm-360K raw tables -> a dataset: the HetRec processing, then what
 * only this source has (user keys, merge counters).
 * SPDX-License-Identifier: MIT */
#include "data/build.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

int lr__build_lastfm360k(lr_dataset **out, lr__lastfm360k *r, const lr_options *opts)
{
    int rc = lr__build_hetrec(out, &r->h, opts);
    if (rc)
        return rc;
    lr_dataset *ds = *out;
    /* Users are numbered 1..N by first appearance and every one has a
     * listen, so dense index i is user ID i + 1, key i. */
    if (ds->n_users != r->n_users) {
        lr_dataset_free(ds);
        *out = NULL;
        return lr__fail(LR_E_INVALID, "%s: %d users built from %d keys", r->h.dir,
                        ds->n_users, r->n_users);
    }
    lr__strtab *k = &ds->user_keys;
    k->off = lr__malloc((size_t)r->n_users + 1, sizeof *k->off);
    if (!k->off) {
        lr_dataset_free(ds);
        *out = NULL;
        return lr__fail_oom("the users' keys");
    }
    for (int32_t u = 0; u <= r->n_users; u++)
        k->off[u] = (int64_t)u * LR_360K_KEY;
    k->blob = r->keys; /* moved: the dataset owns the keys now */
    r->keys = NULL;
    k->n = r->n_users;
    ds->report.rows_summed = r->rows_summed;
    ds->report.spellings_merged = r->spellings_merged;
    ds->report.bad_lines_skipped = r->bad_lines;
    ds->report.profiles = r->profiles;
    return LR_OK;
}
