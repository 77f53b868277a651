/* Artist vector norms against popularity.  SPDX-License-Identifier: MIT
 *
 * The notebook plotted each artist's embedding norm against its fan count
 * and saw popularity shape every model but softmax.  This unit gives the
 * numbers behind such a plot: per artist the norm, fans and listens, and
 * over the artists a model could have learned anything about (at least one
 * training listener, a vector that is not exactly zero) two correlations:
 * Pearson against log(1 + fans), since fan counts span four orders of
 * magnitude and a few stars would otherwise decide the linear fit, and
 * Spearman, which needs no transform at all.
 */
#include "embed/norms.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/ranked.h"

#include <math.h>
#include <stdlib.h>

void lr__row_norms(const float *x, int32_t n, int32_t d, double *norm)
{
    for (int32_t i = 0; i < n; i++) {
        const float *row = x + (size_t)i * (size_t)d;
        double s = 0;
        for (int32_t j = 0; j < d; j++)
            s += (double)row[j] * (double)row[j];
        norm[i] = sqrt(s);
    }
}

/* Pearson's r of a[n] and b[n] in two passes (means first: the one-pass
 * formula cancels badly when the means are large).  NaN when n < 2 or
 * either column is constant. */
static double pearson(const double *a, const double *b, int64_t n)
{
    if (n < 2)
        return NAN;
    double ma = 0, mb = 0;
    for (int64_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (int64_t i = 0; i < n; i++) {
        const double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if (saa <= 0 || sbb <= 0)
        return NAN;
    double r = sab / sqrt(saa * sbb);
    /* rounding can step just past +-1 */
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

/* 1-based ranks of v[n] into rank[n], tied values sharing the mean of the
 * ranks they span.  s has room for n. */
static void average_ranks(const double *v, int64_t n, lr__ranked *s, double *rank)
{
    for (int64_t i = 0; i < n; i++) {
        s[i].v = v[i];
        s[i].i = i;
    }
    qsort(s, (size_t)n, sizeof *s, lr__ranked_asc);
    for (int64_t lo = 0; lo < n;) {
        int64_t hi = lo + 1;
        while (hi < n && s[hi].v == s[lo].v)
            hi++;
        /* positions lo..hi-1 are ranks lo+1..hi; their mean */
        const double r = 0.5 * (double)(lo + 1 + hi);
        for (int64_t k = lo; k < hi; k++)
            rank[s[k].i] = r;
        lo = hi;
    }
}

int lr__norm_correlations(const double *norm, const double *fans, int32_t n,
                          lr__norm_corr *out)
{
    if (!norm || !fans || !out || n < 0)
        return lr__fail(LR_E_INVALID, "norm correlations: NULL argument or negative count");
    out->pearson = out->spearman = NAN;
    out->used = out->zero = out->zero_listened = 0;
    int64_t used = 0;
    for (int32_t i = 0; i < n; i++) {
        if (!isfinite(norm[i]) || norm[i] < 0)
            return lr__fail(LR_E_INVALID, "norm correlations: artist %d: norm %g", (int)i,
                            norm[i]);
        if (!isfinite(fans[i]) || fans[i] < 0)
            return lr__fail(LR_E_INVALID, "norm correlations: artist %d: fan count %g", (int)i,
                            fans[i]);
        if (norm[i] == 0) {
            out->zero++;
            out->zero_listened += fans[i] >= 1;
        } else if (fans[i] >= 1) {
            used++;
        }
    }
    out->used = used;
    /* a, b: the used artists' columns; ra, rb: their ranks */
    double *a = lr__malloc((size_t)used, sizeof *a), *b = lr__malloc((size_t)used, sizeof *b);
    double *ra = lr__malloc((size_t)used, sizeof *ra), *rb = lr__malloc((size_t)used, sizeof *rb);
    lr__ranked *s = lr__malloc((size_t)used, sizeof *s);
    int rc = LR_OK;
    if (!a || !b || !ra || !rb || !s) {
        rc = lr__fail_oom("the norm correlation's ranks");
        goto out;
    }
    int64_t k = 0;
    for (int32_t i = 0; i < n; i++)
        if (norm[i] > 0 && fans[i] >= 1) {
            a[k] = norm[i];
            b[k++] = fans[i];
        }
    /* ranks first, while b still holds the fan counts themselves */
    average_ranks(a, used, s, ra);
    average_ranks(b, used, s, rb);
    out->spearman = pearson(ra, rb, used);
    for (int64_t j = 0; j < used; j++)
        b[j] = log1p(b[j]);
    out->pearson = pearson(a, b, used);
out:
    free(a);
    free(b);
    free(ra);
    free(rb);
    free(s);
    return rc;
}

int lr__artist_norms(const lr_model *m, double *norm, double *fans, double *listens,
                     lr__norm_corr *corr)
{
    if (!m)
        return lr__fail(LR_E_INVALID, "model is NULL");
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "the model is not fitted");
    if (!m->artist_f || m->k < 1)
        return lr__fail(LR_E_INVALID,
                        "%s models have no artist vectors (mf, als, bpr, blend "
                        "with blend_weight > 0 and softmax have)",
                        lr_algorithm_name(m->algo));
    const int32_t na = m->n_artists;
    const size_t nk = (size_t)na * (size_t)m->k;
    for (size_t i = 0; i < nk; i++)
        if (!isfinite(m->artist_f[i]))
            return lr__fail(LR_E_INVALID, "artist %d's vector is not finite (%g)",
                            (int)m->artist_ids[i / (size_t)m->k], (double)m->artist_f[i]);
    double *nrm = norm ? norm : lr__malloc((size_t)na, sizeof *nrm);
    double *f = lr__calloc((size_t)na, sizeof *f);
    int rc = LR_OK;
    if (!nrm || !f) {
        rc = lr__fail_oom("the artists' norms");
        goto out;
    }
    lr__row_norms(m->artist_f, na, m->k, nrm);
    if (listens)
        for (int32_t a = 0; a < na; a++)
            listens[a] = 0;
    /* the training listens are by user: one pass counts both, in user
     * order, so the listen sums have fixed bits */
    const lr__csr *t = &m->train;
    for (int32_t u = 0; u < t->rows; u++)
        for (int64_t e = t->ptr[u]; e < t->ptr[u + 1]; e++) {
            const int32_t a = t->idx[e];
            f[a] += 1;
            if (listens)
                listens[a] += t->val ? (double)t->val[e] : 1.0;
        }
    if (fans)
        lr__copy(fans, f, (size_t)na, sizeof *f);
    if (corr)
        rc = lr__norm_correlations(nrm, f, na, corr);
out:
    if (nrm != norm)
        free(nrm);
    free(f);
    return rc;
}
