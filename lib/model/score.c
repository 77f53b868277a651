/* The one scoring routine every algorithm's recommendations go through.
 * SPDX-License-Identifier: MIT */
#include "model/model.h"
#include "model/vec.h"
#include "core/error.h"

#include <cblas.h>
#include <string.h>

static void score_factors(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    const int k = m->k, na = m->n_artists;
    /* out[n x na] = U[u0 : u0 + n] * V^T */
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, na, k, 1.0f,
                m->user_f + (size_t)u0 * (size_t)k, k, m->artist_f, k, 0.0f, out, na);
    if (m->artist_bias)
        for (int32_t i = 0; i < n; i++)
            cblas_saxpy(na, 1.0f, m->artist_bias, 1, out + (size_t)i * (size_t)na, 1);
}

/* EASE: the user's (transformed) row of X times B, over modelled artists;
 * artists outside the model score 0.  The sum runs over B's rows in item
 * order, contiguous and vectorised, in the first n_items slots of the
 * output row; one backward pass then moves slot q to its artist
 * items[q] >= q, which never overwrites a slot still to be moved. */
LR__HOT static void score_items(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    const int32_t na = m->n_artists, ni = m->n_items;
    const int t = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
    memset(out, 0, (size_t)n * (size_t)na * sizeof *out);
    for (int32_t i = 0; i < n; i++) {
        float *o = out + (size_t)i * (size_t)na;
        const int32_t *idx;
        const float *val;
        int64_t len = lr__csr_row(&m->train, u0 + i, &idx, &val);
        for (int64_t j = 0; j < len; j++) {
            int32_t p = m->item_pos[idx[j]];
            if (p >= 0)
                lr__vaxpy(lr__transform(t, val[j]), m->item_w + (size_t)p * (size_t)ni, o, ni);
        }
        for (int32_t q = ni - 1; q >= 0; q--) {
            const float v = o[q];
            o[q] = 0.0f;
            o[m->items[q]] = v;
        }
    }
}

int lr__model_score_users(const lr_model *m, int32_t u0, int32_t n, float *out)
{
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "the model is not fitted");
    if (u0 < 0 || n < 0 || u0 + n > m->n_users)
        return lr__fail(LR_E_INVALID, "users %d..%d outside the model's %d", u0, u0 + n, m->n_users);
    if (lr__model_has_factors(m)) {
        score_factors(m, u0, n, out);
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

float lr__model_predict(const lr_model *m, int32_t u, int32_t a)
{
    if (!lr__model_has_factors(m))
        return NAN;
    float s = cblas_sdot(m->k, m->user_f + (size_t)u * (size_t)m->k, 1,
                         m->artist_f + (size_t)a * (size_t)m->k, 1);
    return m->artist_bias ? s + m->artist_bias[a] : s;
}
