/* The one scoring routine every algorithm's recommendations go through.
 * SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "model/panels.h"
#include "model/cold_mix.h"
#include "model/vec.h"
#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void score_factors(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    lr__panels_scores(m->artist_panels, m->artist_bias, m->n_artists, m->k,
                      m->user_f + (size_t)u0 * (size_t)m->k, (size_t)m->k, n, out,
                      (size_t)m->n_artists);
}

/* The sum runs over B's rows in item order, contiguous and vectorised, in
 * the first n_items slots of out; one backward pass then moves slot q to
 * its artist items[q] >= q, which never overwrites a slot still to be
 * moved. */
LR__HOT static void item_scores(const lr_model *m, const int32_t *idx, const float *w,
                                int64_t n, int t, float *out)
{
    const int32_t ni = m->n_items;
    memset(out, 0, (size_t)m->n_artists * sizeof *out);
    for (int64_t j = 0; j < n; j++) {
        const int32_t p = m->item_pos[idx[j]];
        if (p >= 0)
            lr__vaxpy(t < 0 ? w[j] : lr__transform(t, w[j]),
                      m->item_w + (size_t)p * (size_t)ni, out, ni);
    }
    for (int32_t q = ni - 1; q >= 0; q--) {
        const float v = out[q];
        out[q] = 0.0f;
        out[m->items[q]] = v;
    }
}

/* EASE: each user's (transformed) row of X times B. */
static void score_items(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    const int t = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
    for (int32_t i = 0; i < n; i++) {
        const int32_t *idx;
        const float *val;
        const int64_t len = lr__csr_row(&m->train, u0 + i, &idx, &val);
        item_scores(m, idx, val, len, t, out + (size_t)i * (size_t)m->n_artists);
    }
}

/* ------------------------------------------------------------------ blend
 * LR_ALGO_BLEND (lib/model/blend.c).  Its item model is scored like
 * ease's but on rank-weighted listens, and its scores are a blend: per
 * user, the item scores, the factor scores and the softmax part's scores
 * are each standardised over the user's candidate artists (those not
 * listened to) and added, the factor part times blend_weight, the softmax
 * part times softmax_weight.  Nothing above this section changes
 * for the other algorithms. */

void lr__blend_rank_weights(const float *w, int64_t n, double spread, lr__ranked *scratch,
                            float *out)
{
    for (int64_t j = 0; j < n; j++) {
        scratch[j].v = w[j];
        scratch[j].i = j;
    }
    qsort(scratch, (size_t)n, sizeof *scratch, lr__ranked_desc);
    const double step = n > 1 ? spread / (double)(n - 1) : 0.0;
    for (int64_t r = 0; r < n; r++)
        out[scratch[r].i] = (float)(1.0 + 0.5 * spread - step * (double)r);
}

/* The mean and inverse standard deviation of x over the artists not in
 * idx (ascending, n of them); inv = 0 for a part that does not vary (it
 * then adds 0).  Sums over every artist in double lanes, in a lane order
 * fixed here (so each clone of the caller gives the same bits), then the
 * user's own artists taken out: one vectorised pass instead of a branch
 * per artist, which was a fifth of a blend batch's time.  One part per
 * call: a part's sums are the same operations in the same order whatever
 * other parts the blend has, so a blend without a softmax part keeps its
 * bits. */
static inline __attribute__((always_inline)) void
candidate_stats(const float *x, int32_t na, const int32_t *idx, int64_t n, double *mean,
                double *inv)
{
    lr__vd8 sx = {0}, qx = {0};
    int32_t a = 0;
    for (; a + 8 <= na; a += 8) {
        lr__vf8 xf;
        memcpy(&xf, x + a, sizeof xf);
        const lr__vd8 xd = __builtin_convertvector(xf, lr__vd8);
        sx += xd;
        qx += xd * xd;
    }
    double sum = 0, sq = 0;
    for (int l = 0; l < 8; l++) {
        sum += sx[l];
        sq += qx[l];
    }
    for (; a < na; a++) {
        sum += x[a];
        sq += (double)x[a] * x[a];
    }
    int64_t cnt = na;
    for (int64_t j = 0; j < n; j++) {
        if (j > 0 && idx[j] == idx[j - 1])
            continue;
        const double xv = x[idx[j]];
        sum -= xv;
        sq -= xv * xv;
        cnt--;
    }
    *mean = cnt > 0 ? sum / (double)cnt : 0.0;
    const double var = cnt > 0 ? sq / (double)cnt - *mean * *mean : 0.0;
    /* a constant part leaves rounding residue: call it no spread */
    *inv = var > 1e-12 * (sq / (double)(cnt > 0 ? cnt : 1)) && var > 0 ? 1.0 / sqrt(var) : 0.0;
}

int lr__blend_scratch_init(lr__blend_scratch *s, const lr_model *m, int64_t most)
{
    if (most < 1)
        most = 1;
    s->item = lr__malloc((size_t)m->n_artists, sizeof *s->item);
    s->sm = m->sm.k > 0 ? lr__malloc((size_t)m->n_artists, sizeof *s->sm) : NULL;
    s->rw = lr__malloc((size_t)most, sizeof *s->rw);
    s->pairs = lr__malloc((size_t)most, sizeof *s->pairs);
    if (!s->item || !s->rw || !s->pairs || (m->sm.k > 0 && !s->sm)) {
        lr__blend_scratch_free(s);
        return lr__fail_oom("the blend's scoring scratch");
    }
    return LR_OK;
}

void lr__blend_scratch_free(lr__blend_scratch *s)
{
    free(s->item);
    free(s->sm);
    free(s->rw);
    free(s->pairs);
    s->item = s->sm = s->rw = NULL;
    s->pairs = NULL;
}

void lr__blend_sm_scores(const lr_model *m, const float *x, float *out)
{
    lr__panels_scores(m->sm.artist_panels, m->sm.artist_bias, m->n_artists, m->sm.k, x,
                      (size_t)m->sm.k, 1, out, (size_t)m->n_artists);
}

/* The item scores of the rank-weighted listens go to s->item, then out =
 * z(item) + blend_weight z(out) + softmax_weight z(s->sm) over the parts
 * the model has, or out = item when it has no other part (standardising
 * one part alone would not change the order).  The terms are added in
 * that order, in float vectors: the scores are a few dozen at most, so
 * float keeps them to about 1e-5. */
LR__HOT static void blend_row(const lr_model *m, const int32_t *idx, const float *w, int64_t n,
                              lr__blend_scratch *s, float *out, double scale[3])
{
    const int32_t na = m->n_artists;
    float *item = s->item, *rw = s->rw, *sm = m->sm.k > 0 ? s->sm : NULL;
    const int fac = lr__model_has_factors(m);
    lr__blend_rank_weights(w, n, lr__opt_double(&m->opts, LR_OPT_RANK_SPREAD), s->pairs, rw);
    item_scores(m, idx, rw, n, -1, item);
    scale[0] = 1.0;
    scale[1] = scale[2] = 0.0;
    if (!fac && !sm) {
        memcpy(out, item, (size_t)na * sizeof *out);
        return;
    }
    double mean[3] = {0, 0, 0}, inv[3] = {0, 0, 0};
    candidate_stats(item, na, idx, n, &mean[0], &inv[0]);
    if (fac) {
        candidate_stats(out, na, idx, n, &mean[1], &inv[1]);
        inv[1] *= lr__opt_double(&m->opts, LR_OPT_BLEND_WEIGHT);
    }
    if (sm) {
        candidate_stats(sm, na, idx, n, &mean[2], &inv[2]);
        inv[2] *= lr__opt_double(&m->opts, LR_OPT_SOFTMAX_WEIGHT);
    }
    const float a0 = (float)inv[0], a1 = (float)inv[1], a2 = (float)inv[2];
    int32_t a = 0;
    if (!sm) {
        /* item and factors: the blend as it was before the softmax part */
        const float c = (float)(-(mean[0] * inv[0] + mean[1] * inv[1]));
        for (; a + 16 <= na; a += 16) {
            lr__vf16 iv, fv;
            memcpy(&iv, item + a, sizeof iv);
            memcpy(&fv, out + a, sizeof fv);
            fv = (iv * a0 + fv * a1) + c;
            memcpy(out + a, &fv, sizeof fv);
        }
        for (; a < na; a++)
            out[a] = (item[a] * a0 + out[a] * a1) + c;
    } else if (!fac) {
        const float c = (float)(-(mean[0] * inv[0] + mean[2] * inv[2]));
        for (; a + 16 <= na; a += 16) {
            lr__vf16 iv, sv;
            memcpy(&iv, item + a, sizeof iv);
            memcpy(&sv, sm + a, sizeof sv);
            sv = (iv * a0 + sv * a2) + c;
            memcpy(out + a, &sv, sizeof sv);
        }
        for (; a < na; a++)
            out[a] = (item[a] * a0 + sm[a] * a2) + c;
    } else {
        const float c = (float)(-(mean[0] * inv[0] + mean[1] * inv[1] + mean[2] * inv[2]));
        for (; a + 16 <= na; a += 16) {
            lr__vf16 iv, fv, sv;
            memcpy(&iv, item + a, sizeof iv);
            memcpy(&fv, out + a, sizeof fv);
            memcpy(&sv, sm + a, sizeof sv);
            fv = ((iv * a0 + fv * a1) + sv * a2) + c;
            memcpy(out + a, &fv, sizeof fv);
        }
        for (; a < na; a++)
            out[a] = ((item[a] * a0 + out[a] * a1) + sm[a] * a2) + c;
    }
    scale[0] = inv[0];
    scale[1] = inv[1];
    scale[2] = inv[2];
}

/* The cross-file entry points are plain functions that call the clones:
 * clang 14 names the dispatcher of a target_clones function NAME.ifunc,
 * which only callers in the same file know, so callers in other files
 * found no NAME and the library did not link. */
void lr__item_scores(const lr_model *m, const int32_t *idx, const float *w, int64_t n, int t,
                     float *out)
{
    item_scores(m, idx, w, n, t, out);
}

void lr__blend_row(const lr_model *m, const int32_t *idx, const float *w, int64_t n,
                   lr__blend_scratch *s, float *out, double scale[3])
{
    blend_row(m, idx, w, n, s, out, scale);
}

int lr__blend_rows(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    const int32_t na = m->n_artists;
    int64_t most = 1;
    for (int32_t i = 0; i < n; i++) {
        const int64_t len = m->train.ptr[u0 + i + 1] - m->train.ptr[u0 + i];
        most = len > most ? len : most;
    }
    lr__blend_scratch s;
    if (lr__blend_scratch_init(&s, m, most) != LR_OK)
        return LR_E_NOMEM;
    for (int32_t i = 0; i < n; i++) {
        const int32_t *idx;
        const float *val;
        const int64_t len = lr__csr_row(&m->train, u0 + i, &idx, &val);
        double scale[3];
        if (m->sm.k > 0)
            lr__blend_sm_scores(m, m->sm.user_f + (size_t)(u0 + i) * (size_t)m->sm.k, s.sm);
        blend_row(m, idx, val, len, &s, out + (size_t)i * (size_t)na, scale);
    }
    lr__blend_scratch_free(&s);
    return LR_OK;
}

/* ------------------------------------------------------------ all models */

/* softmax: each user's logits into the cold-artist mixture, with the
 * user's training listens as the bag (lib/model/cold_mix.h). */
static int mix_cold(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    lr__cold_scratch s;
    int rc = lr__cold_scratch_init(&s, m->cold_mix);
    if (rc)
        return rc;
    for (int32_t i = 0; i < n; i++) {
        const int32_t *idx;
        const float *val;
        const int64_t len = lr__csr_row(&m->train, u0 + i, &idx, &val);
        lr__cold_mix_apply(m->cold_mix, idx, val, len, out + (size_t)i * (size_t)m->n_artists, &s);
    }
    lr__cold_scratch_free(&s);
    return LR_OK;
}

int lr__model_score_users(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "the model is not fitted");
    if (u0 < 0 || n < 0 || u0 + n > m->n_users)
        return lr__fail(LR_E_INVALID, "users %d..%d outside the model's %d", u0, u0 + n, m->n_users);
    if ((lr__model_has_factors(m) && !m->artist_panels) || (m->sm.k > 0 && !m->sm.artist_panels))
        return lr__fail(LR_E_INVALID, "the model's factors are not prepared for scoring "
                                      "(lr__model_prepare)");
    if (m->algo == LR_ALGO_BLEND) {
        if (lr__model_has_factors(m))
            score_factors(m, u0, n, out);
        return lr__blend_rows(m, u0, n, out);
    }
    if (lr__model_has_factors(m)) {
        score_factors(m, u0, n, out);
        if (m->cold_mix)
            return mix_cold(m, u0, n, out);
    } else if (m->item_w) {
        score_items(m, u0, n, out);
    } else if (m->pop) {
        for (int32_t i = 0; i < n; i++)
            memcpy(out + (size_t)i * (size_t)m->n_artists, m->pop,
                   (size_t)m->n_artists * sizeof *out);
    } else {
        return lr__fail(LR_E_UNSUPPORTED, "this model has nothing to score with");
    }
    return LR_OK;
}

/* The score's own order (panels.h), one term at a time, so that a
 * prediction equals the user's score of that artist. */
float lr__model_predict(const lr_model *m, int32_t u, int32_t a)
{
    if (!lr__model_has_factors(m))
        return NAN;
    const float *x = m->user_f + (size_t)u * (size_t)m->k;
    const float *v = m->artist_f + (size_t)a * (size_t)m->k;
    float s = 0.0f;
    for (int32_t f = 0; f < m->k; f++)
        s += x[f] * v[f];
    return m->artist_bias ? s + m->artist_bias[a] : s;
}
