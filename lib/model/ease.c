/* EASE (Steck 2019): an item-item linear autoencoder with a closed form.
 * SPDX-License-Identifier: MIT
 *
 *   minimise |X - X B|^2 + lambda |B|^2  subject to diag(B) = 0
 *
 * over the artists with at least min_listeners listeners (X: users x those
 * artists, binary or log1p).  With P = (X'X + lambda I)^-1 the minimiser is
 * B = I - P diag(1 / diag(P)), i.e. B_ij = -P_ij / P_jj, B_jj = 0.  A
 * user's scores are x_u B, so an artist outside the model scores 0.
 *
 * This file chooses X and lambda, and reports the objective at B; the
 * inverse (primal, or dual by Woodbury when the users are fewer than the
 * artists) is lib/model/item_inverse.c's, which blend shares.
 */
#include "model/model.h"
#include "model/item_inverse.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>

/* The defaults of docs/models.md, chosen on the dev split (see there):
 * log1p keeps how much a user listened, which binary X throws away; its
 * entries are 5 to 10 times larger than binary ones, its lambda about 25
 * times (binary's best is near 100).  NDCG@10 is flat from 2000 to 3000. */
#define EASE_TRANSFORM LR_TRANSFORM_LOG1P
#define EASE_REGULARIZATION 2500.0

static void ease_defaults(lr_options *o)
{
    lr__opt_default_int(o, LR_OPT_TRANSFORM, EASE_TRANSFORM);
    lr__opt_default_double(o, LR_OPT_REGULARIZATION, EASE_REGULARIZATION);
}

static int ease_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_dataset *ds = ctx->train;
    const lr_options *o = &m->opts;
    const int t = (int)lr__opt_int(o, LR_OPT_TRANSFORM);
    const int64_t min_listeners = lr__opt_int(o, LR_OPT_MIN_LISTENERS);
    const double lambda = lr__opt_double(o, LR_OPT_REGULARIZATION);
    const int threads = lr__opt_threads(o);

    if (t != LR_TRANSFORM_BINARY && t != LR_TRANSFORM_LOG1P)
        return lr__fail(LR_E_INVALID, "ease: transform must be binary (%d) or log1p (%d), got %d",
                        LR_TRANSFORM_BINARY, LR_TRANSFORM_LOG1P, t);
    int rc = lr__item_columns(m, ds, min_listeners, "ease");
    if (rc != LR_OK)
        return rc;
    const int32_t n = m->n_items;
    double *pdiag = lr__malloc((size_t)n, sizeof *pdiag);
    double *lam = lr__malloc((size_t)n, sizeof *lam);
    double *sq = lr__malloc((size_t)n, sizeof *sq);
    float *rscale = lr__malloc((size_t)n, sizeof *rscale);
    float *cscale = lr__malloc((size_t)n, sizeof *cscale);
    float *x = lr__malloc((size_t)(ds->listens.nnz > 0 ? ds->listens.nnz : 1), sizeof *x);
    if (!pdiag || !lam || !sq || !rscale || !cscale || !x) {
        rc = lr__fail_oom("ease's per-artist scales");
        goto done;
    }
    for (int64_t e = 0; e < ds->listens.nnz; e++)
        x[e] = lr__transform(t, ds->listens.val[e]);
    for (int32_t j = 0; j < n; j++)
        lam[j] = lambda;

    char fix[64];
    snprintf(fix, sizeof fix, "raise regularization (now %g)", lambda);
    const lr__item_problem pb = {ds, m->item_pos, n, x, lam, "ease", fix};
    if ((rc = lr__item_inverse(&pb, m->item_w, rscale, pdiag)) != LR_OK)
        goto done;
    for (int32_t j = 0; j < n; j++)
        cscale[j] = (float)(-(double)rscale[j] / pdiag[j]);
    if ((rc = lr__item_weights(m->item_w, n, rscale, cscale, sq, threads)) != LR_OK)
        goto done;
    /* From P alone (P G = I, G = X'X + lambda I, I - B = P diag(P)^-1):
     *   |X - X B|^2 = sum_j (P_jj - lambda |P_j|^2) / P_jj^2
     *   |B|^2       = sum_j (|P_j|^2 - P_jj^2) / P_jj^2 */
    double data = 0, l2 = 0;
    for (int32_t j = 0; j < n; j++) {
        const double d2 = pdiag[j] * pdiag[j];
        data += (pdiag[j] - lambda * sq[j]) / d2;
        l2 += (sq[j] - d2) / d2;
    }
    if ((rc = lr__check_finite(m->item_w, (size_t)n * (size_t)n, "ease: item weights",
                               "raise regularization or min_listeners")) != LR_OK)
        goto done;

    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    row[LR_HISTORY_LOSS_OBSERVED - 1] = data;
    row[LR_HISTORY_LOSS_L2 - 1] = lambda * l2;
    row[LR_HISTORY_LOSS - 1] = data + lambda * l2;
    rc = lr__history_epoch(m, ctx, row, 1, 1);

done:
    free(pdiag);
    free(lam);
    free(sq);
    free(rscale);
    free(cscale);
    free(x);
    return rc;
}

const lr__algo lr__algo_ease = {LR_ALGO_EASE, "ease", ease_defaults, ease_fit};
