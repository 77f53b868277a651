/* Models for the query suites.  Until every algorithm can be fitted, factor
 * and item-item models are built by hand on a fitted popularity model's
 * catalogue: the query layer only reads the fields model.h documents, so a
 * hand-made model exercises it exactly as a trained one would.
 * SPDX-License-Identifier: MIT */
#ifndef LR_TEST_QUERY_FIXTURE_H
#define LR_TEST_QUERY_FIXTURE_H

#include "testutil.h"
#include "lastrec.h"
#include "core/options.h"
#include "model/model.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static inline uint64_t qf_next(uint64_t *s)
{
    /* splitmix64: good enough for test factors, and the same everywhere */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [-0.5, 0.5). */
static inline float qf_uniform(uint64_t *s)
{
    return (float)((double)(qf_next(s) >> 11) / 9007199254740992.0 - 0.5);
}

static inline lr_dataset *qf_synthetic(int users, int artists, int seed)
{
    lr_options *o;
    lr_dataset *ds;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, users));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, artists));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, seed));
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

static inline lr_model *qf_pop(const lr_dataset *ds)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, NULL));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    return m;
}

/* A factor model of algorithm `algo` with k random factors per user and
 * artist, on ds's catalogue.  The users' factors lean towards the mean of
 * their artists' factors, so recommendations follow taste as a trained
 * model's would. */
static inline lr_model *qf_factors(const lr_dataset *ds, int algo, int k, uint64_t seed)
{
    lr_model *m = qf_pop(ds);
    free(m->pop);
    m->pop = NULL;
    m->algo = algo;
    m->k = k;
    m->user_f = malloc((size_t)m->n_users * (size_t)k * sizeof(float));
    m->artist_f = malloc((size_t)m->n_artists * (size_t)k * sizeof(float));
    ck_assert(m->user_f && m->artist_f);
    for (size_t i = 0; i < (size_t)m->n_artists * (size_t)k; i++)
        m->artist_f[i] = qf_uniform(&seed);
    for (int32_t u = 0; u < m->n_users; u++) {
        float *x = m->user_f + (size_t)u * (size_t)k;
        for (int f = 0; f < k; f++)
            x[f] = 0.2f * qf_uniform(&seed);
        for (int64_t e = m->train.ptr[u]; e < m->train.ptr[u + 1]; e++)
            for (int f = 0; f < k; f++)
                x[f] += m->artist_f[(size_t)m->train.idx[e] * (size_t)k + (size_t)f];
    }
    ck_assert_lr_ok(lr__model_prepare(m)); /* as the end of a fit does */
    return m;
}

/* An EASE model: every `skip`-th artist (0 = none) left out of the item
 * set, random weights, zero diagonal. */
static inline lr_model *qf_ease(const lr_dataset *ds, int skip, uint64_t seed)
{
    lr_model *m = qf_pop(ds);
    free(m->pop);
    m->pop = NULL;
    m->algo = LR_ALGO_EASE;
    m->items = malloc((size_t)m->n_artists * sizeof *m->items);
    m->item_pos = malloc((size_t)m->n_artists * sizeof *m->item_pos);
    ck_assert(m->items && m->item_pos);
    m->n_items = 0;
    for (int32_t a = 0; a < m->n_artists; a++) {
        int out = skip > 0 && a % skip == skip - 1;
        m->item_pos[a] = out ? -1 : m->n_items;
        if (!out)
            m->items[m->n_items++] = a;
    }
    size_t ni = (size_t)m->n_items;
    m->item_w = malloc(ni * ni * sizeof *m->item_w);
    ck_assert_ptr_nonnull(m->item_w);
    for (size_t i = 0; i < ni; i++)
        for (size_t j = 0; j < ni; j++)
            m->item_w[i * ni + j] = i == j ? 0.0f : qf_uniform(&seed);
    return m;
}

/* A fitted blend (lib/model/blend.c) on ds: its item model on every
 * artist with a listener, and, unless weight is 0, a small als part. */
/* A small blend: weight = blend_weight, sm = softmax_weight (0: no
 * softmax part). */
static inline lr_model *qf_blend_sm(const lr_dataset *ds, double weight, double sm)
{
    lr_options *o;
    lr_model *m;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_BLEND_WEIGHT, weight));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_SOFTMAX_WEIGHT, sm));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_LISTENERS, 1));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_ITEM_REGULARIZATION, 10));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_FACTORS, 8));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_EPOCHS, 4));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    return m;
}

/* The item model and als alone (the blend before its softmax part). */
static inline lr_model *qf_blend(const lr_dataset *ds, double weight)
{
    return qf_blend_sm(ds, weight, 0);
}

/* Solve the symmetric positive definite n x n system a x = b in double by
 * Cholesky (a and b are overwritten; x in b).  Independent of LAPACK, so a
 * test can check the library's solve against it. */
static inline void qf_cholesky_solve(double *a, double *b, int n)
{
    for (int j = 0; j < n; j++) {
        double d = a[j * n + j];
        for (int p = 0; p < j; p++)
            d -= a[j * n + p] * a[j * n + p];
        ck_assert_msg(d > 0, "test system not positive definite");
        a[j * n + j] = sqrt(d);
        for (int i = j + 1; i < n; i++) {
            double s = a[i * n + j];
            for (int p = 0; p < j; p++)
                s -= a[i * n + p] * a[j * n + p];
            a[i * n + j] = s / a[j * n + j];
        }
    }
    for (int i = 0; i < n; i++) {
        double s = b[i];
        for (int p = 0; p < i; p++)
            s -= a[i * n + p] * b[p];
        b[i] = s / a[i * n + i];
    }
    for (int i = n - 1; i >= 0; i--) {
        double s = b[i];
        for (int p = i + 1; p < n; p++)
            s -= a[p * n + i] * b[p];
        b[i] = s / a[i * n + i];
    }
}

static inline void qf_set(lr_model *m, int key, double v)
{
    ck_assert_lr_ok(lr_options_set_double(&m->opts, key, v));
}

static inline lr_query *qf_query(const lr_model *m)
{
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    return q;
}

/* The external ID of the artist at rank r of q's results. */
static inline int32_t qf_id(const lr_query *q, size_t r)
{
    int32_t id = -1;
    ck_assert_lr_ok(lr_query_result(q, r, &id, NULL));
    return id;
}

static inline double qf_score(const lr_query *q, size_t r)
{
    double s = NAN;
    ck_assert_lr_ok(lr_query_result(q, r, NULL, &s));
    return s;
}

#endif
