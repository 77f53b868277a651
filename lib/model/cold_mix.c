/* softmax's cold-artist mixture; lib/model/cold_mix.h has the contract.
 * SPDX-License-Identifier: MIT */
#include "model/cold_mix.h"
#include "model/softmax_tower.h"
#include "model/name_grams.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/ranked.h"
#include "data/dataset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Each signal's weight in the rank's sum (tuned on the dev split,
 * docs/models.md "Cold artists") */
static const double signal_weight[LR__COLD_SIGNALS] = {1.0, 1.0, 0.8};

void lr__cold_mix_free(lr__cold_mix *c)
{
    if (!c)
        return;
    free(c->cold);
    free(c->mu);
    free(c->inv_sd);
    free(c->fans);
    free(c->is_cold);
    free(c->prof.val); /* ptr and idx are the tower's */
    lr__csr_free(&c->names);
    free(c);
}

int lr__cold_scratch_init(lr__cold_scratch *s, const lr__cold_mix *c)
{
    memset(s, 0, sizeof *s);
    const size_t nf = c->names.cols > 0 ? (size_t)c->names.cols : 1;
    s->ut = lr__calloc((size_t)c->nt, sizeof *s->ut);
    s->t_touched = lr__malloc((size_t)c->nt, sizeof *s->t_touched);
    s->un = lr__calloc(nf, sizeof *s->un);
    s->n_touched = lr__malloc(nf, sizeof *s->n_touched);
    s->rank = lr__malloc((size_t)c->n_cold + 1, sizeof *s->rank);
    if (!s->ut || !s->t_touched || !s->un || !s->n_touched || !s->rank) {
        lr__cold_scratch_free(s);
        return lr__fail_oom("the cold-artist mixture's scratch (%d tags, %d name n-grams, "
                            "%d artists)",
                            c->nt, c->names.cols, c->n_cold);
    }
    return LR_OK;
}

void lr__cold_scratch_free(lr__cold_scratch *s)
{
    free(s->ut);
    free(s->t_touched);
    free(s->un);
    free(s->n_touched);
    free(s->rank);
    memset(s, 0, sizeof *s);
}

/* acc += wj x row a of x (values > 0), listing each entry of acc when it
 * becomes non-zero, which a sum of positive terms never undoes: each
 * entry is listed once, however small a term (one that rounds to 0 lists
 * nothing). */
static void add_row(const lr__csr *x, int32_t a, float wj, float *acc, int32_t *touched,
                    int32_t *n_set)
{
    for (int64_t q = x->ptr[a]; q < x->ptr[a + 1]; q++) {
        const int32_t t = x->idx[q];
        const float before = acc[t];
        acc[t] += wj * x->val[q];
        if (before == 0.0f && acc[t] != 0.0f)
            touched[(*n_set)++] = t;
    }
}

/* The bag's two profiles into s: tags, the artists' profiles weighted by
 * transformed listens over fans, the weights of unit length; names, the
 * artists' name vectors weighted by transformed listens, the sum then of
 * unit length (s->un_inv). */
static void bag_profiles(const lr__cold_mix *c, const int32_t *idx, const float *w, int64_t n,
                         lr__cold_scratch *s)
{
    s->nt_set = s->nn_set = 0;
    s->un_inv = 0.0;
    double ss = 0.0;
    for (int64_t j = 0; j < n; j++) {
        const double t = lr__transform(c->transform, w[j]) /
                         (double)(c->fans[idx[j]] > 1 ? c->fans[idx[j]] : 1);
        ss += t * t;
    }
    if (!(ss > 0))
        return;
    const double inv = 1.0 / sqrt(ss);
    for (int64_t j = 0; j < n; j++) {
        const float t = lr__transform(c->transform, w[j]);
        const float wt =
            (float)(t / (double)(c->fans[idx[j]] > 1 ? c->fans[idx[j]] : 1) * inv);
        if (wt > 0)
            add_row(&c->prof, idx[j], wt, s->ut, s->t_touched, &s->nt_set);
        if (t > 0 && c->names.cols > 0)
            add_row(&c->names, idx[j], t, s->un, s->n_touched, &s->nn_set);
    }
    double nn = 0.0;
    for (int32_t i = 0; i < s->nn_set; i++)
        nn += (double)s->un[s->n_touched[i]] * s->un[s->n_touched[i]];
    s->un_inv = nn > 0 ? 1.0 / sqrt(nn) : 0.0;
}

static void bag_clear(lr__cold_scratch *s)
{
    for (int32_t i = 0; i < s->nt_set; i++)
        s->ut[s->t_touched[i]] = 0.0f;
    for (int32_t i = 0; i < s->nn_set; i++)
        s->un[s->n_touched[i]] = 0.0f;
    s->nt_set = s->nn_set = 0;
}

static double dot_row(const lr__csr *x, const float *acc, int32_t a)
{
    double d = 0.0;
    for (int64_t q = x->ptr[a]; q < x->ptr[a + 1]; q++)
        d += (double)acc[x->idx[q]] * x->val[q];
    return d;
}

/* The signals of cold artist a for the bag in s, its logit given. */
static void signals(const lr__cold_mix *c, const lr__cold_scratch *s, int32_t a, double logit,
                    double out[LR__COLD_SIGNALS])
{
    out[LR__COLD_TAGS] = s->nt_set ? dot_row(&c->prof, s->ut, a) : 0.0;
    out[LR__COLD_LOGIT] = logit;
    out[LR__COLD_NAME] = s->nn_set ? dot_row(&c->names, s->un, a) * s->un_inv : 0.0;
}

/* The tower's profiles (each artist's tag uses over its total), times
 * each tag's idf, each row scaled to unit length: the usual tf-idf cosine,
 * under which a tag on every other artist says little. */
static int weigh_profiles(lr__cold_mix *c, const lr__csr *pf)
{
    double *idf = lr__calloc((size_t)c->nt, sizeof *idf);
    c->prof = *pf;
    c->prof.val = lr__malloc((size_t)pf->nnz + 1, sizeof(float));
    if (!idf || !c->prof.val) {
        free(idf);
        return lr__fail_oom("the cold-artist mixture's tag profiles (%lld uses)",
                            (long long)pf->nnz);
    }
    for (int64_t q = 0; q < pf->nnz; q++)
        idf[pf->idx[q]] += 1.0;
    for (int32_t t = 0; t < c->nt; t++) {
        const double v = log((double)c->n_artists / (1.0 + idf[t]));
        idf[t] = v > 0 ? v : 0.0;
    }
    for (int32_t a = 0; a < c->n_artists; a++) {
        double ss = 0.0;
        for (int64_t q = pf->ptr[a]; q < pf->ptr[a + 1]; q++) {
            const double v = (double)pf->val[q] * idf[pf->idx[q]];
            ss += v * v;
        }
        const double inv = ss > 0 ? 1.0 / sqrt(ss) : 0.0;
        for (int64_t q = pf->ptr[a]; q < pf->ptr[a + 1]; q++)
            c->prof.val[q] = (float)((double)pf->val[q] * idf[pf->idx[q]] * inv);
    }
    free(idf);
    return LR_OK;
}

/* At most this many training users measure the signals' spread: a
 * sample that size pins a mean and a standard deviation down to a few
 * percent, and keeps the cost (users x cold artists) bounded on large
 * catalogues. */
#define STAT_USERS 4096

/* Each cold artist's signals, their mean and spread over the training
 * users with a listen (all of them, or STAT_USERS evenly spaced), in user
 * order.  The logit here is the double-precision dot product of the
 * user's and the artist's vectors, the scores' own up to rounding. */
static int standardise(lr__cold_mix *c, const lr_model *m)
{
    const size_t n = (size_t)LR__COLD_SIGNALS * (size_t)c->n_cold;
    double *sum = lr__calloc(n + 1, sizeof *sum);
    double *sq = lr__calloc(n + 1, sizeof *sq);
    lr__cold_scratch s;
    int rc = sum && sq ? lr__cold_scratch_init(&s, c)
                       : lr__fail_oom("the cold-artist mixture's statistics (%d artists)",
                                      c->n_cold);
    if (rc) {
        free(sum);
        free(sq);
        return rc;
    }
    const size_t k = (size_t)m->k;
    int64_t users = 0;
    const int64_t step = m->n_users > STAT_USERS ? (m->n_users + STAT_USERS - 1) / STAT_USERS : 1;
    for (int32_t u = 0; u < m->n_users; u += (int32_t)step) {
        const int32_t *idx;
        const float *w;
        const int64_t len = lr__csr_row(&m->train, u, &idx, &w);
        if (len == 0)
            continue;
        users++;
        bag_profiles(c, idx, w, len, &s);
        const float *x = m->user_f + (size_t)u * k;
        for (int32_t i = 0; i < c->n_cold; i++) {
            const float *v = m->artist_f + (size_t)c->cold[i] * k;
            double logit = 0.0, z[LR__COLD_SIGNALS];
            for (size_t f = 0; f < k; f++)
                logit += (double)x[f] * v[f];
            signals(c, &s, c->cold[i], logit, z);
            for (int g = 0; g < LR__COLD_SIGNALS; g++) {
                sum[(size_t)g * (size_t)c->n_cold + (size_t)i] += z[g];
                sq[(size_t)g * (size_t)c->n_cold + (size_t)i] += z[g] * z[g];
            }
        }
        bag_clear(&s);
    }
    for (size_t i = 0; i < n; i++) {
        const double mu = users ? sum[i] / (double)users : 0.0;
        const double var = users ? sq[i] / (double)users - mu * mu : 0.0;
        c->mu[i] = (float)mu;
        /* a signal every user sees alike says nothing of the user */
        c->inv_sd[i] = var > 1e-20 ? (float)(1.0 / sqrt(var)) : 0.0f;
    }
    lr__cold_scratch_free(&s);
    free(sum);
    free(sq);
    return LR_OK;
}

int lr__cold_mix_new(lr__cold_mix **out, const lr_model *m)
{
    *out = NULL;
    const double kappa = lr__opt_double(&m->opts, LR_OPT_COLD_MIX);
    if (m->algo != LR_ALGO_SOFTMAX || !m->tower || !(kappa > 0))
        return LR_OK;
    const lr__csr *pf = &m->tower->net.prof;
    if (m->tower->net.nt <= 0 || !pf->ptr || pf->nnz == 0)
        return LR_OK;
    lr__cold_mix *c = lr__calloc(1, sizeof *c);
    if (!c)
        return lr__fail_oom("the cold-artist mixture");
    c->log_kappa = (float)log(kappa);
    c->bias = m->artist_bias;
    c->transform = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
    c->n_artists = m->n_artists;
    c->nt = m->tower->net.nt;
    c->fans = lr__calloc((size_t)m->n_artists, sizeof *c->fans);
    c->is_cold = lr__malloc((size_t)m->n_artists, 1);
    if (!c->fans || !c->is_cold) {
        lr__cold_mix_free(c);
        return lr__fail_oom("the cold-artist mixture's fan counts (%d artists)", m->n_artists);
    }
    for (int64_t p = 0; p < m->train.nnz; p++)
        c->fans[m->train.idx[p]]++;
    for (int32_t a = 0; a < m->n_artists; a++) {
        c->is_cold[a] = c->fans[a] == 0;
        c->n_cold += c->is_cold[a];
    }
    /* with no artist to let in, the played artists still score their
     * log-probabilities: what a score means does not hang on whether the
     * catalogue happens to hold an unplayed artist */
    const size_t nc = (size_t)c->n_cold + 1;
    c->cold = lr__malloc(nc, sizeof *c->cold);
    c->mu = lr__malloc((size_t)LR__COLD_SIGNALS * nc, sizeof *c->mu);
    c->inv_sd = lr__malloc((size_t)LR__COLD_SIGNALS * nc, sizeof *c->inv_sd);
    if (!c->cold || !c->mu || !c->inv_sd) {
        const int32_t n_cold = c->n_cold;
        lr__cold_mix_free(c);
        return lr__fail_oom("the cold-artist mixture (%d cold artists)", n_cold);
    }
    for (int32_t a = 0, i = 0; a < m->n_artists; a++)
        if (c->is_cold[a])
            c->cold[i++] = a;
    int rc = weigh_profiles(c, pf);
    if (rc == LR_OK && c->n_cold > 0)
        rc = lr__name_grams(&c->names, &m->artist_names, m->n_artists);
    if (rc == LR_OK && c->n_cold > 0)
        rc = standardise(c, m);
    if (rc) {
        lr__cold_mix_free(c);
        return rc;
    }
    *out = c;
    return LR_OK;
}

int32_t lr__cold_mix_explain(const lr__cold_mix *c, int32_t a, const int32_t *idx, const float *w,
                             int64_t n, lr__cold_scratch *s, double *logit_scale, float *art,
                             int32_t *tag_idx, float *tag_val)
{
    const size_t nc = (size_t)c->n_cold, i = (size_t)lr__index_of(c->cold, c->n_cold, a);
    const double tag_k = signal_weight[LR__COLD_TAGS] * c->inv_sd[LR__COLD_TAGS * nc + i];
    const double name_k = signal_weight[LR__COLD_NAME] * c->inv_sd[LR__COLD_NAME * nc + i];
    *logit_scale = signal_weight[LR__COLD_LOGIT] * c->inv_sd[LR__COLD_LOGIT * nc + i];
    bag_profiles(c, idx, w, n, s);
    for (int64_t j = 0; j < n; j++)
        art[j] = s->nn_set ? (float)(name_k * lr__transform(c->transform, w[j]) * s->un_inv *
                                     lr__csr_rows_dot(&c->names, idx[j], a))
                           : 0.0f;
    int32_t nt = 0;
    for (int64_t q = c->prof.ptr[a]; q < c->prof.ptr[a + 1]; q++)
        if (s->ut[c->prof.idx[q]] != 0.0f) {
            tag_idx[nt] = c->prof.idx[q];
            tag_val[nt++] = (float)(tag_k * s->ut[c->prof.idx[q]] * c->prof.val[q]);
        }
    bag_clear(s);
    return nt;
}

void lr__cold_mix_apply(const lr__cold_mix *c, const int32_t *idx, const float *w, int64_t n,
                        float *row, lr__cold_scratch *s)
{
    /* logsumexp over the warm artists the user could be shown (not the
     * bag's own), in artist order */
    float mx = -INFINITY;
    for (int32_t a = 0, p = 0; a < c->n_artists; a++) {
        if (p < n && idx[p] == a) {
            p++;
            continue;
        }
        if (!c->is_cold[a] && row[a] > mx)
            mx = row[a];
    }
    double lse = 0.0;
    if (isfinite(mx)) {
        double sum = 0.0;
        for (int32_t a = 0, p = 0; a < c->n_artists; a++) {
            if (p < n && idx[p] == a) {
                p++;
                continue;
            }
            if (!c->is_cold[a])
                sum += exp((double)row[a] - (double)mx);
        }
        lse = (double)mx + log(sum);
    }
    if (c->n_cold == 0) {
        for (int32_t a = 0; a < c->n_artists; a++)
            row[a] = (float)((double)row[a] - lse);
        return;
    }
    int64_t single = 0;
    for (int64_t j = 0; j < n; j++)
        single += c->fans[idx[j]] == 1;
    const double pi = ((double)single + 0.5) / ((double)n + 1.0);
    const double base = (double)c->log_kappa + log(pi);
    bag_profiles(c, idx, w, n, s);
    const size_t nc = (size_t)c->n_cold;
    for (int32_t i = 0; i < c->n_cold; i++) {
        const int32_t a = c->cold[i];
        double v[LR__COLD_SIGNALS], z = 0.0;
        signals(c, s, a, (double)row[a] - (c->bias ? (double)c->bias[a] : 0.0), v);
        for (int g = 0; g < LR__COLD_SIGNALS; g++)
            z += signal_weight[g] * (v[g] - c->mu[(size_t)g * nc + (size_t)i]) *
                 c->inv_sd[(size_t)g * nc + (size_t)i];
        s->rank[i].v = z;
        s->rank[i].i = a;
    }
    bag_clear(s);
    qsort(s->rank, nc, sizeof *s->rank, lr__ranked_desc);
    for (int32_t a = 0; a < c->n_artists; a++)
        if (!c->is_cold[a])
            row[a] = (float)((double)row[a] - lse);
    for (int32_t j = 0; j < c->n_cold; j++) {
        const int32_t a = (int32_t)s->rank[j].i;
        row[a] = (float)(base - log((double)j + 1.0) + (c->bias ? (double)c->bias[a] : 0.0));
    }
}
