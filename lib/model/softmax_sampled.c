/* softmax's sampled loss: a shared sample of artists per batch with the
 * log-Q correction, for catalogues too large for a softmax over every
 * artist at every step (softmax.h has the estimator, docs/models.md the
 * measurements).  SPDX-License-Identifier: MIT
 *
 * Only the logits change: the user tower, the item side, the artists
 * without listens and L2 are the full softmax's (lr__softmax_loss_grad in
 * softmax.c), and a test checks that a "sample" holding every artist once
 * under a uniform proposal gives that function's loss and gradient.
 *
 * Determinism: the draws come from the sampler's own stream of the seed,
 * the candidates are kept in the order first drawn, the per-user rows are
 * split between threads by user with each user's arithmetic fixed, and the
 * sparse gradients are added serially in candidate or label order: the
 * same seed gives the same model for any LR_OPT_THREADS, as the full
 * softmax does.
 */
#include "model/softmax.h"
#include "model/kernels.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The proposal q_a ∝ (fans_a + 1)^SM_Q_POWER, fans_a the training users
 * who listened to artist a.  A label is one of a user's artists, so the
 * fan count is the labels' own distribution, the q that makes the
 * estimate's variance small for a model that ranks by popularity; the
 * power below 1 (word2vec's) draws the long tail more often, where the
 * model's scores for a user spread out from popularity; the + 1 keeps
 * every artist's q above 0, which the estimate needs to stay unbiased
 * (an artist with tags but no listens has a score too).  docs/models.md
 * has the dev split's figures for 1, 0.75 and 0.5. */
#define SM_Q_POWER 0.75

int32_t lr__softmax_sampled_draws(int64_t opt, int32_t m)
{
    if (opt < 0)
        return m > LR__SOFTMAX_SAMPLED_ABOVE ? LR__SOFTMAX_SAMPLED_AUTO : 0;
    return opt >= m ? 0 : (int32_t)opt;
}

void lr__softmax_sampler_free(lr__softmax_sampler *s)
{
    free(s->q);
    free(s->alias_p);
    free(s->alias_i);
    free(s->cand);
    free(s->cnt);
    free(s->corr);
    free(s->pos);
    free(s->lab_pos);
    free(s->lab_raw);
    free(s->gitem);
    free(s->draws);
    memset(s, 0, sizeof *s);
}

/* Vose's alias method: O(1) per draw, so a large sample of a large
 * catalogue costs no search.  The small/large stacks are filled and
 * emptied in index order, so the table is the same on every run. */
static int build_alias(lr__softmax_sampler *s)
{
    const int32_t m = s->m;
    int32_t *small = lr__malloc((size_t)m, sizeof(int32_t));
    int32_t *large = lr__malloc((size_t)m, sizeof(int32_t));
    if (!small || !large) {
        free(small);
        free(large);
        return lr__fail_oom("the sampler's alias table");
    }
    int32_t ns = 0, nl = 0;
    for (int32_t a = 0; a < m; a++) {
        s->alias_p[a] = s->q[a] * (double)m;
        s->alias_i[a] = a;
        if (s->alias_p[a] < 1.0)
            small[ns++] = a;
        else
            large[nl++] = a;
    }
    while (ns > 0 && nl > 0) {
        const int32_t lo = small[--ns], hi = large[nl - 1];
        s->alias_i[lo] = hi;
        s->alias_p[hi] -= 1.0 - s->alias_p[lo];
        if (s->alias_p[hi] < 1.0) {
            nl--;
            small[ns++] = hi;
        }
    }
    /* what rounding leaves on either stack is a column of its own */
    while (nl > 0)
        s->alias_p[large[--nl]] = 1.0;
    while (ns > 0)
        s->alias_p[small[--ns]] = 1.0;
    free(small);
    free(large);
    return LR_OK;
}

int lr__softmax_sampler_init(lr__softmax_sampler *s, int64_t opt, int32_t m,
                             const lr__csr *train, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->n = lr__softmax_sampled_draws(opt, m);
    if (s->n == 0)
        return LR_OK;
    s->m = m;
    /* stream 3: softmax.c's epoch order and label split are streams 1 and 2 */
    lr__rng_seed_stream(&s->rng, seed, 3);
    const size_t M = (size_t)m;
    s->q = lr__calloc(M, sizeof(double));
    s->alias_p = lr__malloc(M, sizeof(double));
    s->alias_i = lr__malloc(M, sizeof(int32_t));
    s->cand = lr__malloc(M, sizeof(int32_t));
    s->cnt = lr__malloc(M, sizeof(int32_t));
    s->corr = lr__malloc(M, sizeof(float));
    s->pos = lr__malloc(M, sizeof(int32_t));
    s->draws = lr__malloc((size_t)s->n, sizeof(int32_t));
    if (!s->draws || !s->q || !s->alias_p || !s->alias_i || !s->cand || !s->cnt || !s->corr ||
        !s->pos) {
        lr__softmax_sampler_free(s);
        return lr__fail_oom("the sampled softmax's candidates");
    }
    for (int32_t a = 0; a < m; a++)
        s->pos[a] = -1;
    if (train && train->idx)
        for (int64_t p = 0; p < train->nnz; p++)
            if (train->idx[p] >= 0 && train->idx[p] < m)
                s->q[train->idx[p]] += 1.0;
    double total = 0;
    for (int32_t a = 0; a < m; a++) {
        s->q[a] = train ? pow(s->q[a] + 1.0, SM_Q_POWER) : 1.0;
        total += s->q[a];
    }
    for (int32_t a = 0; a < m; a++)
        s->q[a] /= total;
    int rc = build_alias(s);
    if (rc)
        lr__softmax_sampler_free(s);
    return rc;
}

/* Room for what the batch b needs beyond the m-sized arrays. */
static int grow_labels(lr__softmax_sampler *s, int64_t labels)
{
    if (labels <= s->lab_cap)
        return LR_OK;
    int32_t *lp = lr__realloc(s->lab_pos, (size_t)labels, sizeof *lp);
    if (!lp)
        return lr__fail_oom("the sampled softmax's label positions");
    s->lab_pos = lp;
    float *lr = lr__realloc(s->lab_raw, (size_t)labels, sizeof *lr);
    if (!lr)
        return lr__fail_oom("the sampled softmax's labels");
    s->lab_raw = lr;
    s->lab_cap = labels;
    return LR_OK;
}

int lr__softmax_sample_set(lr__softmax_sampler *s, const lr__softmax_batch *b,
                           const int32_t *draws, int32_t n_draws)
{
    if (!s->pos || n_draws < 1)
        return lr__fail(LR_E_INVALID, "softmax: a sample needs a sampler and at least one draw");
    const int64_t labels = b->lab_ptr ? b->lab_ptr[b->n] : 0;
    int rc = grow_labels(s, labels);
    if (rc)
        return rc;
    for (int32_t c = 0; c < s->n_cand; c++) /* the last batch's marks */
        s->pos[s->cand[c]] = -1;
    s->n_cand = 0;
    for (int32_t i = 0; i < n_draws; i++) {
        const int32_t a = draws[i];
        if (a < 0 || a >= s->m)
            return lr__fail(LR_E_INVALID, "softmax: draw %d is artist %d of %d", i, a, s->m);
        if (s->pos[a] < 0) {
            s->pos[a] = s->n_cand;
            s->cand[s->n_cand] = a;
            s->cnt[s->n_cand++] = 0;
        }
        s->cnt[s->pos[a]]++;
    }
    for (int64_t j = 0; j < labels; j++) {
        const int32_t a = b->lab_idx[j];
        if (s->pos[a] < 0) {
            s->pos[a] = s->n_cand;
            s->cand[s->n_cand] = a;
            s->cnt[s->n_cand++] = 0;
        }
        s->lab_pos[j] = s->pos[a];
    }
    for (int32_t c = 0; c < s->n_cand; c++)
        s->corr[c] = s->cnt[c] > 0
                         ? (float)log((double)s->cnt[c] / ((double)n_draws * s->q[s->cand[c]]))
                         : -INFINITY;
    return LR_OK;
}

int lr__softmax_sample_draw(lr__softmax_sampler *s, const lr__softmax_batch *b)
{
    for (int32_t i = 0; i < s->n; i++) {
        const int32_t a = (int32_t)lr__rng_below(&s->rng, (uint64_t)s->m);
        s->draws[i] = lr__rng_uniform(&s->rng) < s->alias_p[a] ? a : s->alias_i[a];
    }
    return lr__softmax_sample_set(s, b, s->draws, s->n);
}

/* ------------------------------------------------------------ the loss */

typedef struct rows_ctx {
    lr__softmax_work *w;
    lr__softmax_sampler *s;
    const lr__softmax_batch *b;
} rows_ctx;

/* Rows of users [lo, hi) of the n x n_cand logits: each corrected, its
 * cross-entropy into w->loss[u], and the row replaced by dL/dz, the
 * gradient of the batch mean. */
static int sampled_rows(void *vctx, int tid, size_t lo, size_t hi)
{
    (void)tid;
    const rows_ctx *c = vctx;
    const lr__softmax_batch *b = c->b;
    const lr__softmax_sampler *s = c->s;
    const int32_t C = s->n_cand;
    const float inv_n = 1.0f / (float)b->n;
    for (size_t u = lo; u < hi; u++) {
        float *z = c->w->logit + u * (size_t)C;
        const int64_t l0 = b->lab_ptr[u], l1 = b->lab_ptr[u + 1];
        double Y = 0;
        for (int64_t j = l0; j < l1; j++)
            Y += b->lab_w[j];
        if (!(Y > 0)) { /* nothing to predict: no loss, no gradient */
            c->w->loss[u] = 0;
            memset(z, 0, (size_t)C * sizeof *z);
            continue;
        }
        /* the user's own labels count exactly, whether drawn or not: the
         * draws estimate only the rest of the catalogue */
        for (int64_t j = l0; j < l1; j++)
            s->lab_raw[j] = z[s->lab_pos[j]];
        for (int32_t a = 0; a < C; a++)
            z[a] += s->corr[a];
        for (int64_t j = l0; j < l1; j++)
            z[s->lab_pos[j]] = s->lab_raw[j];
        /* the user's input artists that are candidates leave its sum, as
         * in the full softmax (labels are never in the input) */
        if (c->w->mask_input)
            for (int64_t j = b->in_ptr[u]; j < b->in_ptr[u + 1]; j++)
                if (s->pos[b->in_idx[j]] >= 0)
                    z[s->pos[b->in_idx[j]]] = -INFINITY;
        float mx = z[s->lab_pos[l0]];
        for (int32_t a = 0; a < C; a++)
            mx = z[a] > mx ? z[a] : mx;
        double ce = 0;
        for (int64_t j = l0; j < l1; j++)
            ce -= b->lab_w[j] / Y * (double)(z[s->lab_pos[j]] - mx);
        double sum = 0;
        for (int32_t a = 0; a < C; a++) {
            z[a] = expf(z[a] - mx);
            sum += (double)z[a];
        }
        c->w->loss[u] = ce + log(sum);
        const float scale = (float)(1.0 / sum) * inv_n;
        for (int32_t a = 0; a < C; a++)
            z[a] *= scale;
        for (int64_t j = l0; j < l1; j++)
            z[s->lab_pos[j]] -= (float)(b->lab_w[j] / Y) * inv_n;
    }
    return LR_OK;
}

int lr__softmax_sampled_loss_grad(const lr__softmax_net *net, lr__softmax_work *w,
                                  lr__softmax_sampler *s, const lr__softmax_batch *b, double reg,
                                  float *grad, double *loss, double *ce_out, double *l2_out)
{
    const int32_t n = b->n, K = net->k, C = s->n_cand;
    const size_t Kz = (size_t)K;
    if (C < 1 || !b->lab_ptr || n > w->cap)
        return lr__fail(LR_E_INVALID, "softmax: the sampled loss needs a drawn sample and labels");
    if ((size_t)C * Kz > s->gi_cap) {
        float *g = lr__realloc(s->gitem, (size_t)C * Kz, sizeof *g);
        if (!g)
            return lr__fail_oom("the sampled softmax's item gradients");
        s->gitem = g;
        s->gi_cap = (size_t)C * Kz;
    }
    memset(grad, 0, net->n_params * sizeof *grad);
    int rc = lr__softmax_users(net, w, b);
    if (rc)
        return rc;
    /* the candidates' item vectors, V_a (+ Q' prof_a), in w->item's first
     * rows: C <= m, and the rest of the catalogue is not needed */
    const float *V = net->theta + net->off_v, *Q = net->theta + net->off_q;
    const int tags = net->item_tags && net->prof.ptr;
    for (int32_t c = 0; c < C; c++) {
        const int32_t a = s->cand[c];
        float *it = w->item + (size_t)c * Kz;
        memcpy(it, V + (size_t)a * Kz, Kz * sizeof *it);
        for (int64_t i = tags ? net->prof.ptr[a] : 0; tags && i < net->prof.ptr[a + 1]; i++)
            lr__kaxpy(it, net->prof.val[i], Q + (size_t)net->prof.idx[i] * Kz, K);
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, C, K, 1.0f, w->s, K, w->item, K, 0.0f,
                w->logit, C);
    rows_ctx ctx = {w, s, b};
    if ((rc = lr__parallel_for(w->threads, (size_t)n, sampled_rows, &ctx)))
        return rc;
    double ce = 0;
    for (int32_t u = 0; u < n; u++)
        ce += w->loss[u];
    ce /= n;
    /* dS = G item_C; dItem_C = G' S, scattered to the candidates' V rows
     * (distinct artists) and through their profiles to Q */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, K, C, 1.0f, w->logit, C, w->item, K,
                0.0f, w->ds, K);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, C, K, n, 1.0f, w->logit, C, w->s, K, 0.0f,
                s->gitem, K);
    float *gV = grad + net->off_v, *gQ = grad + net->off_q;
    for (int32_t c = 0; c < C; c++) {
        const int32_t a = s->cand[c];
        const float *gi = s->gitem + (size_t)c * Kz;
        for (int64_t i = tags ? net->prof.ptr[a] : 0; tags && i < net->prof.ptr[a + 1]; i++)
            lr__kaxpy(gQ + (size_t)net->prof.idx[i] * Kz, net->prof.val[i], gi, K);
        /* an artist without training listens keeps V_a = 0 (softmax.c) */
        if (!(net->cold && net->cold[a]))
            memcpy(gV + (size_t)a * Kz, gi, Kz * sizeof *gV);
    }
    const double l2 = lr__softmax_backward(net, w, b, reg, grad);
    *loss = ce + l2;
    if (ce_out)
        *ce_out = ce;
    if (l2_out)
        *l2_out = l2;
    return LR_OK;
}
