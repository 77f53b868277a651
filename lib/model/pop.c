/* Popularity: every user gets the artists with the most fans in training.
 * The baseline in every results table.  SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "core/alloc.h"
#include "core/error.h"

static void pop_defaults(lr_options *o) { (void)o; }

static int pop_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_dataset *ds = ctx->train;
    m->pop = lr__malloc((size_t)ds->n_artists, sizeof *m->pop);
    if (!m->pop)
        return lr__fail_oom("the artists' popularity");
    /* Fan counts are small integers, exact in float; ties are broken by
     * artist ID at selection time. */
    for (int32_t a = 0; a < ds->n_artists; a++)
        m->pop[a] = (float)(ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a]);
    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    return lr__history_epoch(m, ctx, row, 1, 1);
}

const lr__algo lr__algo_pop = {LR_ALGO_POP, "pop", pop_defaults, pop_fit};
