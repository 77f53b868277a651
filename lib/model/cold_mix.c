/* softmax's cold-artist mixture; lib/model/cold_mix.h has the contract.
 * SPDX-License-Identifier: MIT */
#include "model/cold_mix.h"
#include "model/softmax_tower.h"
#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* is_cold values */
enum { WARM = 0, COLD_UNTAGGED = 1, COLD_TAGGED = 2 };

typedef struct lr__cold_rank {
    double z;
    int32_t a;
} lr__cold_rank;

/* Higher z first; equal ones by the lower artist index, as every ranking
 * here breaks ties. */
static int rank_cmp(const void *pa, const void *pb)
{
    const lr__cold_rank *x = pa, *y = pb;
    if (x->z != y->z)
        return x->z > y->z ? -1 : 1;
    return (x->a > y->a) - (x->a < y->a);
}

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
    free(c);
}

int lr__cold_scratch_init(lr__cold_scratch *s, const lr__cold_mix *c)
{
    memset(s, 0, sizeof *s);
    s->ut = lr__calloc((size_t)c->nt, sizeof *s->ut);
    s->touched = lr__malloc((size_t)c->nt, sizeof *s->touched);
    s->rank = lr__malloc((size_t)c->n_cold, sizeof *s->rank);
    if (!s->ut || !s->touched || !s->rank) {
        lr__cold_scratch_free(s);
        return lr__fail_oom("the cold-artist mixture's scratch (%d tags, %d artists)", c->nt,
                            c->n_cold);
    }
    return LR_OK;
}

void lr__cold_scratch_free(lr__cold_scratch *s)
{
    free(s->ut);
    free(s->touched);
    free(s->rank);
    memset(s, 0, sizeof *s);
}

/* The bag's tag profile into s->ut (its listen weights of unit length
 * times the artists' profiles); returns how many tags it touched, listed
 * in s->touched.  A tag is listed when it first becomes non-zero, which
 * a sum of positive terms never undoes. */
static int32_t bag_profile(const lr__cold_mix *c, const int32_t *idx, const float *w, int64_t n,
                           lr__cold_scratch *s)
{
    double ss = 0.0;
    for (int64_t j = 0; j < n; j++) {
        const double t = lr__transform(c->transform, w[j]);
        ss += t * t;
    }
    if (!(ss > 0))
        return 0;
    const double inv = 1.0 / sqrt(ss);
    int32_t nt = 0;
    for (int64_t j = 0; j < n; j++) {
        const float wj = (float)(lr__transform(c->transform, w[j]) * inv);
        if (!(wj > 0))
            continue;
        for (int64_t q = c->prof.ptr[idx[j]]; q < c->prof.ptr[idx[j] + 1]; q++) {
            const int32_t t = c->prof.idx[q];
            if (c->prof.val[q] > 0 && s->ut[t] == 0.0f)
                s->touched[nt++] = t;
            s->ut[t] += wj * c->prof.val[q];
        }
    }
    return nt;
}

static void bag_clear(lr__cold_scratch *s, int32_t nt)
{
    for (int32_t i = 0; i < nt; i++)
        s->ut[s->touched[i]] = 0.0f;
}

static double cosine(const lr__cold_mix *c, const float *ut, int32_t a)
{
    double d = 0.0;
    for (int64_t q = c->prof.ptr[a]; q < c->prof.ptr[a + 1]; q++)
        d += (double)ut[c->prof.idx[q]] * c->prof.val[q];
    return d;
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

/* Each cold artist's cosine, its mean and spread over the training users
 * (every user with a listen), in user order. */
static int standardise(lr__cold_mix *c, const lr_model *m)
{
    double *sum = lr__calloc((size_t)c->n_cold, sizeof *sum);
    double *sq = lr__calloc((size_t)c->n_cold, sizeof *sq);
    lr__cold_scratch s;
    int rc = sum && sq ? lr__cold_scratch_init(&s, c)
                       : lr__fail_oom("the cold-artist mixture's statistics (%d artists)",
                                      c->n_cold);
    if (rc) {
        free(sum);
        free(sq);
        return rc;
    }
    int64_t users = 0;
    for (int32_t u = 0; u < m->n_users; u++) {
        const int32_t *idx;
        const float *w;
        const int64_t n = lr__csr_row(&m->train, u, &idx, &w);
        if (n == 0)
            continue;
        users++;
        const int32_t nt = bag_profile(c, idx, w, n, &s);
        for (int32_t i = 0; i < c->n_cold; i++) {
            const double d = nt ? cosine(c, s.ut, c->cold[i]) : 0.0;
            sum[i] += d;
            sq[i] += d * d;
        }
        bag_clear(&s, nt);
    }
    for (int32_t i = 0; i < c->n_cold; i++) {
        const double mu = users ? sum[i] / (double)users : 0.0;
        const double var = users ? sq[i] / (double)users - mu * mu : 0.0;
        c->mu[i] = (float)mu;
        /* an artist every user sees alike ranks by its index alone */
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
        c->is_cold[a] = c->fans[a] ? WARM : pf->ptr[a + 1] > pf->ptr[a] ? COLD_TAGGED : COLD_UNTAGGED;
        c->n_cold += c->is_cold[a] == COLD_TAGGED;
    }
    if (c->n_cold == 0) {
        lr__cold_mix_free(c);
        return LR_OK;
    }
    c->cold = lr__malloc((size_t)c->n_cold, sizeof *c->cold);
    c->mu = lr__malloc((size_t)c->n_cold, sizeof *c->mu);
    c->inv_sd = lr__malloc((size_t)c->n_cold, sizeof *c->inv_sd);
    if (!c->cold || !c->mu || !c->inv_sd) {
        const int32_t n_cold = c->n_cold;
        lr__cold_mix_free(c);
        return lr__fail_oom("the cold-artist mixture (%d cold artists)", n_cold);
    }
    for (int32_t a = 0, i = 0; a < m->n_artists; a++)
        if (c->is_cold[a] == COLD_TAGGED)
            c->cold[i++] = a;
    int rc = weigh_profiles(c, pf);
    if (rc == LR_OK)
        rc = standardise(c, m);
    if (rc) {
        lr__cold_mix_free(c);
        return rc;
    }
    *out = c;
    return LR_OK;
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
        if (c->is_cold[a] == WARM && row[a] > mx)
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
            if (c->is_cold[a] == WARM)
                sum += exp((double)row[a] - (double)mx);
        }
        lse = (double)mx + log(sum);
    }
    int64_t single = 0;
    for (int64_t j = 0; j < n; j++)
        single += c->fans[idx[j]] == 1;
    const double pi = ((double)single + 0.5) / ((double)n + 1.0);
    const double base = (double)c->log_kappa + log(pi);
    const int32_t nt = bag_profile(c, idx, w, n, s);
    if (nt > 0) {
        for (int32_t i = 0; i < c->n_cold; i++) {
            s->rank[i].z = (cosine(c, s->ut, c->cold[i]) - c->mu[i]) * c->inv_sd[i];
            s->rank[i].a = c->cold[i];
        }
        qsort(s->rank, (size_t)c->n_cold, sizeof *s->rank, rank_cmp);
        bag_clear(s, nt);
    }
    /* a bag without tags has no cold artist to prefer: they all rank
     * below every tagged rank, as the untagged ones always do */
    const float last = (float)(base - log((double)c->n_cold + 1.0));
    for (int32_t a = 0; a < c->n_artists; a++)
        row[a] = c->is_cold[a] == WARM ? (float)((double)row[a] - lse) : last;
    if (nt > 0)
        for (int32_t j = 0; j < c->n_cold; j++) {
            const int32_t a = s->rank[j].a;
            row[a] = (float)(base - log((double)j + 1.0) + (c->bias ? (double)c->bias[a] : 0.0));
        }
}
