/* blend: the best model lastrec makes.  SPDX-License-Identifier: MIT
 *
 * Two models of different kinds, fitted on the same listens, whose scores
 * are added after standardising each per user (docs/models.md, "blend"):
 *
 *  - an item-item linear autoencoder on rank-weighted listens: in X a
 *    user's artists weigh 1 + s (1/2 - r / (n - 1)) by the rank r of their
 *    play count among the user's n artists (s = rank_spread: the most
 *    played 1.5, the least 0.5 at s = 1).  With
 *      P = (X'X + Lambda)^-1,  Lambda = lambda I + p/(1-p) diag(X'X)
 *    (lambda = item_regularization; the second term is the emphasised
 *    dropout of Steck 2020, "Autoencoders that don't overfit towards the
 *    identity", with dropout probability p = dropout), the weights are
 *      B_ij = -P_ij P_jj^-gamma,  B_jj = 0      (gamma = calibration).
 *    gamma = 1 is EASE's zero-diagonal solution, gamma = 0 ranks like
 *    plain ridge regression (the candidates' scores -(X P)_uj then differ
 *    from ridge's only by a factor per user); in between, 1/P_jj, which
 *    grows with the artist's listeners, pulls less towards popular
 *    artists.  Artists with fewer than min_listeners listeners are not
 *    modelled and score 0.
 *  - lastrec's implicit ALS (lib/model/als.c), fitted by its own fit on a
 *    view of this model with its own options and defaults (BM25
 *    confidence, 64 factors, 15 sweeps); its factors are the model's
 *    embeddings.
 *
 *  - with softmax_weight > 0, lastrec's softmax two-tower model (lib/model/
 *    softmax.c), likewise fitted by its own fit on a view, with its own
 *    options and defaults (part_options below); its user vectors, item
 *    vectors and user tower are the model's m->sm, never its embeddings.
 *
 * Scores: z(x_u B) + blend_weight z(U_u V') + softmax_weight z(s_u . item),
 * where z standardises over the artists the user has not listened to
 * (lib/model/score.c).  blend_weight 0 skips ALS, softmax_weight 0 skips
 * softmax; both 0: the item model alone.
 *
 * The item model's inverse is lib/model/item_inverse.c's (primal, or dual
 * by Woodbury when the users are fewer than the modelled artists), shared
 * with ease; this file chooses X's weights, Lambda and gamma.
 */
#include "model/model.h"
#include "model/item_inverse.h"
#include "model/panels.h"
#include "model/softmax_tower.h"
#include "model/vec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const lr__algo lr__algo_als, lr__algo_softmax;

/* The item model's defaults are the option table's own (only blend reads
 * those keys); the factor part takes als's defaults for what the caller
 * did not set. */
static void blend_defaults(lr_options *o) { lr__algo_als.defaults(o); }

/* ------------------------------------------------------------- item model */

/* The item model's objective at its weights, for the history:
 *   |X - X B|^2 (over the modelled artists) and sum_i Lambda_i |B_i|^2.
 * Per user x_u B costs what scoring the user does; per-row sums are
 * added in row order, so the result does not depend on the threads. */
typedef struct loss_job {
    const lr_dataset *ds;
    const lr_model *m;
    const float *wr;
    const double *lam;
    double *data;  /* [n_users] */
    double *l2;    /* [n_items] */
} loss_job;

static int loss_range(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const loss_job *j = ctx;
    const lr_model *m = j->m;
    const int32_t ni = m->n_items;
    const int32_t nu = j->ds->n_users;
    float *xb = lr__malloc((size_t)ni, sizeof *xb);
    if (!xb)
        return lr__fail_oom("the blend's loss row");
    /* items [0, ni) are rows of B for the L2 part, then users */
    for (size_t r = begin; r < end; r++) {
        if (r < (size_t)ni) {
            const float *b = m->item_w + r * (size_t)ni;
            double s = 0;
            for (int32_t q = 0; q < ni; q++)
                s += (double)b[q] * b[q];
            j->l2[r] = j->lam[r] * s;
            continue;
        }
        const int32_t u = (int32_t)(r - (size_t)ni);
        if (u >= nu)
            break;
        memset(xb, 0, (size_t)ni * sizeof *xb);
        const int64_t e0 = j->ds->listens.ptr[u], e1 = j->ds->listens.ptr[u + 1];
        double own = 0;
        for (int64_t e = e0; e < e1; e++) {
            const int32_t p = m->item_pos[j->ds->listens.idx[e]];
            if (p >= 0)
                lr__vaxpy(j->wr[e], m->item_w + (size_t)p * (size_t)ni, xb, ni);
        }
        /* |x - xB|^2 = |xB|^2 - 2 x.xB + |x|^2 over the user's listens */
        double sq = 0;
        for (int32_t q = 0; q < ni; q++)
            sq += (double)xb[q] * xb[q];
        for (int64_t e = e0; e < e1; e++) {
            const int32_t p = m->item_pos[j->ds->listens.idx[e]];
            if (p >= 0)
                own += (double)j->wr[e] * (j->wr[e] - 2.0 * xb[p]);
        }
        j->data[u] = sq + own;
    }
    free(xb);
    return LR_OK;
}

static int fit_items(lr_model *m, const lr_dataset *ds, int threads, double *loss_data,
                     double *loss_l2)
{
    const lr_options *o = &m->opts;
    const double lambda = lr__opt_double(o, LR_OPT_ITEM_REGULARIZATION);
    const double p = lr__opt_double(o, LR_OPT_DROPOUT);
    const double gamma = lr__opt_double(o, LR_OPT_CALIBRATION);
    const double spread = lr__opt_double(o, LR_OPT_RANK_SPREAD);
    const int64_t min_listeners = lr__opt_int(o, LR_OPT_MIN_LISTENERS);

    int rc = lr__item_columns(m, ds, min_listeners, "blend");
    if (rc != LR_OK)
        return rc;
    const int32_t n = m->n_items;
    const size_t nnz = (size_t)(ds->listens.nnz > 0 ? ds->listens.nnz : 1);
    float *wr = lr__malloc(nnz, sizeof *wr); /* rank weight of every listen (CSR order) */
    double *lam = lr__calloc((size_t)n, sizeof *lam);
    double *pdiag = lr__malloc((size_t)n, sizeof *pdiag);
    float *rscale = lr__malloc((size_t)n, sizeof *rscale);
    float *cscale = lr__malloc((size_t)n, sizeof *cscale);
    int64_t most = 1;
    for (int32_t u = 0; u < ds->n_users; u++) {
        const int64_t len = ds->listens.ptr[u + 1] - ds->listens.ptr[u];
        most = len > most ? len : most;
    }
    lr__ranked *pairs = lr__malloc((size_t)most, sizeof *pairs);
    if (!wr || !lam || !pdiag || !rscale || !cscale || !pairs) {
        rc = lr__fail_oom("the blend's per-artist weights");
        goto done;
    }

    /* rank weights, and Lambda from the diagonal of X'X */
    for (int32_t u = 0; u < ds->n_users; u++) {
        const int64_t b = ds->listens.ptr[u], len = ds->listens.ptr[u + 1] - b;
        lr__blend_rank_weights(ds->listens.val + b, len, spread, pairs, wr + b);
        for (int64_t e = b; e < b + len; e++) {
            const int32_t q = m->item_pos[ds->listens.idx[e]];
            if (q >= 0)
                lam[q] += (double)wr[e] * wr[e];
        }
    }
    for (int32_t j = 0; j < n; j++)
        lam[j] = lambda + p / (1.0 - p) * lam[j];

    char fix[80];
    snprintf(fix, sizeof fix, "raise item_regularization (now %g) or dropout", lambda);
    const lr__item_problem pb = {ds, m->item_pos, n, wr, lam, "blend", fix};
    if ((rc = lr__item_inverse(&pb, m->item_w, rscale, pdiag)) != LR_OK)
        goto done;
    for (int32_t j = 0; j < n; j++)
        cscale[j] = (float)(-(double)rscale[j] * pow(pdiag[j], -gamma));
    if ((rc = lr__item_weights(m->item_w, n, rscale, cscale, NULL, threads)) != LR_OK)
        goto done;
    if ((rc = lr__check_finite(m->item_w, (size_t)n * (size_t)n, "blend: item weights",
                               "raise item_regularization or min_listeners")) != LR_OK)
        goto done;
    {
        double *per = lr__calloc((size_t)ds->n_users + (size_t)n, sizeof *per);
        if (!per) {
            rc = lr__fail_oom("the blend's user and item scales");
            goto done;
        }
        loss_job lj = {ds, m, wr, lam, per, per + ds->n_users};
        rc = lr__parallel_for(threads, (size_t)n + (size_t)ds->n_users, loss_range, &lj);
        double data = 0, l2 = 0;
        for (int32_t u = 0; u < ds->n_users; u++)
            data += lj.data[u];
        for (int32_t q = 0; q < n; q++)
            l2 += lj.l2[q];
        free(per);
        *loss_data = data;
        *loss_l2 = l2;
    }
done:
    free(wr);
    free(lam);
    free(pdiag);
    free(rscale);
    free(cscale);
    free(pairs);
    return rc;
}

/* ----------------------------------------------------------- factor model */

/* A part reports its epochs e as epochs before + e of the blend's total. */
typedef struct sub_progress {
    const lr__progress *outer;
    uint64_t before, total;
} sub_progress;

/* After each als sweep the caller's hook (validation metrics) sees the
 * blend as it stands: the fitted item model with this sweep's factors. */
typedef struct sub_hook {
    const lr_model *blend;
    const lr__fit_ctx *outer;
} sub_hook;

static int sub_validate(const lr_model *sub, double *row, void *ctx)
{
    const sub_hook *h = ctx;
    lr_model view = *h->blend;
    view.k = sub->k;
    view.user_f = sub->user_f;
    view.artist_f = sub->artist_f;
    return h->outer->hook(&view, row, h->outer->hook_ctx);
}

static int sub_report(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)total;
    const sub_progress *s = user_data;
    return s->outer->fn ? s->outer->fn(stage, s->before + done, s->total, s->outer->user_data)
                        : 0;
}

/* als's own fit on a view of m (the catalogue shared, nothing else): its
 * factors and its history rows (one per sweep, with the blend's
 * validation metrics after that sweep) become m's. */
static int fit_factors(lr_model *m, const lr__fit_ctx *ctx, uint64_t total)
{
    lr_model sub = *m;
    sub.algo = LR_ALGO_ALS;
    sub.k = 0;
    sub.user_f = sub.artist_f = sub.artist_bias = NULL;
    sub.n_items = 0;
    sub.items = sub.item_pos = NULL;
    sub.item_w = sub.pop = NULL;
    memset(&sub.history, 0, sizeof sub.history);
    sub_progress sp = {ctx->progress, 0, total};
    lr__progress prog = {sub_report, &sp};
    lr__fit_ctx sc = *ctx;
    sub_hook sh = {m, ctx};
    sc.progress = &prog;
    sc.hook = ctx->hook ? sub_validate : NULL;
    sc.hook_ctx = &sh;
    int rc = lr__algo_als.fit(&sub, &sc);
    if (rc == LR_OK && (!sub.user_f || !sub.artist_f || sub.artist_bias))
        rc = lr__fail(LR_E_NUMERIC, "blend: als gave no factors"); /* cannot happen */
    if (rc != LR_OK) {
        free(sub.user_f);
        free(sub.artist_f);
        free(sub.artist_bias);
        lr__history_free(&sub.history);
        return rc;
    }
    m->k = sub.k;
    m->user_f = sub.user_f;
    m->artist_f = sub.artist_f;
    lr__history_free(&m->history);
    m->history = sub.history;
    return LR_OK;
}

/* ---------------------------------------------------------- softmax part */

/* The softmax part's options: softmax's own defaults, except the run's
 * threads, seed and validation cut-off, and the keys only softmax reads
 * (its network and its training schedule's softmax-only knobs), which
 * the caller may set on the blend.  The keys softmax shares with als
 * (factors, epochs, learning_rate, transform, ...) are als's in a blend,
 * so the part takes softmax's defaults for them. */
static void part_options(const lr_options *blend, lr_options *out)
{
    static const int passed[] = {
        LR_OPT_THREADS,      LR_OPT_SEED,           LR_OPT_EVAL_K,    LR_OPT_HIDDEN_LAYERS,
        LR_OPT_HIDDEN_WIDTH, LR_OPT_TAG_DIM,        LR_OPT_ITEM_TAGS, LR_OPT_LABEL_FRACTION,
        LR_OPT_AVERAGING,    LR_OPT_COLD_BOOST,     LR_OPT_EPSILON,   LR_OPT_SAMPLED_NEGATIVES,
    };
    lr__options_init(out);
    for (size_t i = 0; i < sizeof passed / sizeof passed[0]; i++)
        if (lr__opt_is_set(blend, passed[i])) {
            /* a value already checked against the key's bounds */
            int type = 0;
            lr_option_info(passed[i], NULL, &type, NULL, NULL, NULL);
            if (type == LR_OPTTYPE_INT)
                lr_options_set_int(out, passed[i], lr__opt_int(blend, passed[i]));
            else
                lr_options_set_double(out, passed[i], lr__opt_double(blend, passed[i]));
        }
    lr__algo_softmax.defaults(out);
}

/* After each softmax epoch the caller's hook sees the blend as it stands:
 * the item model, als's final factors and this epoch's softmax factors,
 * packed for this view alone. */
static int sub_validate_sm(const lr_model *sub, double *row, void *ctx)
{
    const sub_hook *h = ctx;
    lr_model view = *h->blend;
    view.sm.opts = sub->opts;
    view.sm.k = sub->k;
    view.sm.user_f = sub->user_f;
    view.sm.artist_f = sub->artist_f;
    view.sm.artist_bias = sub->artist_bias;
    view.sm.tower = NULL; /* scoring needs none */
    view.sm.artist_panels = NULL;
    int rc = lr__panels_build(sub->artist_f, sub->n_artists, sub->k, &view.sm.artist_panels);
    if (rc == LR_OK)
        rc = h->outer->hook(&view, row, h->outer->hook_ctx);
    free(view.sm.artist_panels);
    return rc;
}

/* softmax's own fit on a view of m (the catalogue shared, nothing else):
 * its factors, biases and tower become m->sm, its history rows (one per
 * epoch, with the blend's validation metrics after that epoch) follow
 * m's. */
static int fit_softmax(lr_model *m, const lr__fit_ctx *ctx, uint64_t before, uint64_t total)
{
    lr_model sub = *m;
    sub.algo = LR_ALGO_SOFTMAX;
    part_options(&m->opts, &sub.opts);
    sub.k = 0;
    sub.user_f = sub.artist_f = sub.artist_bias = sub.artist_panels = NULL;
    sub.n_items = 0;
    sub.items = sub.item_pos = NULL;
    sub.item_w = sub.pop = NULL;
    sub.tower = NULL;
    memset(&sub.sm, 0, sizeof sub.sm);
    memset(&sub.history, 0, sizeof sub.history);
    sub_progress sp = {ctx->progress, before, total};
    lr__progress prog = {sub_report, &sp};
    lr__fit_ctx sc = *ctx;
    sub_hook sh = {m, ctx};
    sc.progress = &prog;
    sc.hook = ctx->hook ? sub_validate_sm : NULL;
    sc.hook_ctx = &sh;
    int rc = lr__algo_softmax.fit(&sub, &sc);
    if (rc == LR_OK && (!sub.user_f || !sub.artist_f || !sub.tower))
        rc = lr__fail(LR_E_NUMERIC, "blend: softmax gave no factors"); /* cannot happen */
    lr__blend_softmax part = {sub.opts, sub.k, sub.user_f, sub.artist_f, sub.artist_bias, NULL,
                              sub.tower};
    if (rc == LR_OK)
        rc = lr__panels_build(part.artist_f, m->n_artists, part.k, &part.artist_panels);
    if (rc == LR_OK) {
        /* the part's rows after the blend's */
        for (size_t i = 0; i < sub.history.n && rc == LR_OK; i++) {
            void *p = m->history.rows;
            size_t cap = m->history.cap;
            rc = lr__grow(&p, &cap, m->history.n + 1, LR__HIST_FIELDS * sizeof(double));
            if (rc == LR_OK) {
                m->history.rows = p;
                m->history.cap = cap;
                memcpy(m->history.rows + m->history.n * LR__HIST_FIELDS,
                       sub.history.rows + i * LR__HIST_FIELDS, LR__HIST_FIELDS * sizeof(double));
                m->history.n++;
            }
        }
    }
    lr__history_free(&sub.history);
    if (rc != LR_OK) {
        lr__blend_softmax_free(&part);
        return rc;
    }
    lr__blend_softmax_free(&m->sm);
    m->sm = part;
    return LR_OK;
}

static int blend_fit(lr_model *m, const lr__fit_ctx *ctx)
{
    const lr_options *o = &m->opts;
    const double weight = lr__opt_double(o, LR_OPT_BLEND_WEIGHT);
    const double sm_weight = lr__opt_double(o, LR_OPT_SOFTMAX_WEIGHT);
    const uint64_t als_epochs = weight > 0 ? (uint64_t)lr__opt_int(o, LR_OPT_EPOCHS) : 0;
    uint64_t sm_epochs = 0;
    if (sm_weight > 0) {
        lr_options po;
        part_options(o, &po);
        sm_epochs = (uint64_t)lr__opt_int(&po, LR_OPT_EPOCHS);
    }
    const uint64_t total = als_epochs + sm_epochs + 1;
    double data = 0, l2 = 0;
    int rc = fit_items(m, ctx->train, lr__opt_threads(o), &data, &l2);
    if (rc == LR_OK && weight > 0)
        rc = fit_factors(m, ctx, total);
    if (rc == LR_OK && sm_weight > 0)
        rc = fit_softmax(m, ctx, als_epochs, total);
    if (rc != LR_OK)
        return rc;
    /* the last row: the item model's objective, and the validation
     * metrics of the whole blend */
    double row[LR__HIST_FIELDS];
    lr__history_row_init(row);
    row[LR_HISTORY_LOSS_OBSERVED - 1] = data;
    row[LR_HISTORY_LOSS_L2 - 1] = l2;
    row[LR_HISTORY_LOSS - 1] = data + l2;
    if (!isfinite(row[LR_HISTORY_LOSS - 1]))
        return lr__fail(LR_E_NUMERIC, "blend: the item model's loss overflowed; raise "
                        "item_regularization");
    return lr__history_epoch(m, ctx, row, total, total);
}

const lr__algo lr__algo_blend = {LR_ALGO_BLEND, "blend", blend_defaults, blend_fit};
