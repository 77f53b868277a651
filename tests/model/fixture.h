/* Shared helpers of the model suites: options from text, fitting (and
 * failing to fit), the history, synthetic and real splits, precision
 * against popularity, the dense item-model references' building blocks
 * and the small "wide" fixture (fewer users than artists).
 * SPDX-License-Identifier: MIT */
#ifndef LR_TEST_MODEL_FIXTURE_H
#define LR_TEST_MODEL_FIXTURE_H

#include "testutil.h"
#include "../data/tiny.h"
#include "lastrec.h"
#include "data/sparse.h"
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Options from "key=value,..." text (NULL or "" for the defaults). */
static inline lr_options *mt_opts(const char *text)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    if (text && *text)
        ck_assert_lr_ok(lr_options_set_string(o, text));
    return o;
}

/* A model of algorithm algo with the options of text, fitted on train. */
static inline lr_model *mt_fit(int algo, const lr_dataset *train, const char *text)
{
    lr_options *o = mt_opts(text);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    return m;
}

/* Fitting algo with the options of text on train fails with status and
 * a message containing needle, and leaves the model unfitted. */
static inline void mt_fit_fails(int algo, const lr_dataset *train, const char *text, int status,
                                const char *needle)
{
    lr_options *o = mt_opts(text);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    ck_assert_lr_fail(lr_model_fit(m, train, NULL), status, needle);
    ck_assert_int_eq(lr_model_is_fitted(m), 0);
    lr_model_free(m);
    lr_options_free(o);
}

/* One field of the history, in a malloc'd array of *n values. */
/* Two fitted factor models hold the same user and artist factors, bit
 * for bit. */
static inline void mt_assert_same_factors(const lr_model *a, const lr_model *b)
{
    ck_assert_int_eq(a->k, b->k);
    ck_assert_int_eq(a->n_users, b->n_users);
    ck_assert_int_eq(a->n_artists, b->n_artists);
    const size_t nu = (size_t)a->n_users * (size_t)a->k, na = (size_t)a->n_artists * (size_t)a->k;
    ck_assert(memcmp(a->user_f, b->user_f, nu * sizeof(float)) == 0);
    ck_assert(memcmp(a->artist_f, b->artist_f, na * sizeof(float)) == 0);
}

static inline double *mt_history(const lr_model *m, int field, size_t *n)
{
    int rc = lr_model_history(m, field, NULL, 0, n); /* asks for the size */
    ck_assert(rc == LR_E_BUFSIZE || (rc == LR_OK && *n == 0));
    double *h = malloc((*n ? *n : 1) * sizeof *h);
    ck_assert_lr_ok(lr_model_history(m, field, h, *n, NULL));
    return h;
}

/* 300 synthetic users x 600 artists from seed, split per user. */
static inline void mt_synth_split(int seed, lr_dataset **train, lr_dataset **test)
{
    char text[96];
    snprintf(text, sizeof text, "synth_users=300,synth_artists=600,seed=%d", seed);
    lr_options *o = mt_opts(text);
    lr_dataset *all;
    ck_assert_lr_ok(lr_dataset_synthesize(&all, o));
    ck_assert_lr_ok(lr_dataset_split(all, LR_SPLIT_PER_USER, o, train, test));
    lr_dataset_free(all);
    lr_options_free(o);
}

/* Synthetic data in 8 clusters (users x artists, per_user artists each),
 * kept in *all and split per user. */
static inline void mt_clustered_split(int users, int artists, int per_user, lr_dataset **all,
                                      lr_dataset **train, lr_dataset **test)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, users));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, artists));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_CLUSTERS, 8));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS_PER_USER, per_user));
    ck_assert_lr_ok(lr_dataset_synthesize(all, o));
    ck_assert_lr_ok(lr_dataset_split(*all, LR_SPLIT_PER_USER, o, train, test));
    lr_options_free(o);
}

/* The HetRec catalogue and the dev split named by LASTREC_DATA and
 * LASTREC_SPLIT; returns 0, loading nothing, unless both are set. */
static inline int mt_real_split(lr_dataset **cat, lr_dataset **train, lr_dataset **test)
{
    const char *data = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    if (!data || !*data || !split || !*split)
        return 0;
    char tr[4096], te[4096];
    snprintf(tr, sizeof tr, "%s/train.dat", split);
    snprintf(te, sizeof te, "%s/test.dat", split);
    ck_assert_lr_ok(lr_dataset_load(cat, data, NULL));
    ck_assert_lr_ok(lr_dataset_load_listens(train, tr, *cat, NULL));
    ck_assert_lr_ok(lr_dataset_load_listens(test, te, *cat, NULL));
    return 1;
}

/* A metric at 10 by the library's evaluation (docs/evaluation.md). */
static inline double mt_evaluate_at_10(const lr_model *m, const lr_dataset *train,
                                       const lr_dataset *test, int metric)
{
    lr_evaluation *e;
    ck_assert_lr_ok(lr_evaluate(&e, m, train, test, 10, NULL));
    double v = lr_evaluation_metric(e, metric);
    lr_evaluation_free(e);
    return v;
}

/* Precision@10 as a user sees it, independently of lib/eval: every artist
 * scored (through the model's one scoring routine, biases included), the
 * user's training artists dropped, ties to the lower index (= lower
 * artist ID). */
static inline double mt_precision_at_10(const lr_model *m, const lr_dataset *train,
                                        const lr_dataset *test)
{
    const int32_t na = m->n_artists;
    float *s = malloc((size_t)na * sizeof *s);
    double sum = 0;
    int users = 0;
    for (int32_t u = 0; u < m->n_users; u++) {
        const int32_t *ti, *ri;
        int64_t nt = lr__csr_row(&test->listens, u, &ti, NULL);
        if (nt == 0)
            continue;
        ck_assert_lr_ok(lr__model_score_users(m, u, 1, s));
        int64_t nr = lr__csr_row(&train->listens, u, &ri, NULL);
        for (int64_t j = 0; j < nr; j++)
            s[ri[j]] = -INFINITY;
        int hits = 0;
        for (int r = 0; r < 10; r++) {
            int32_t best = -1;
            for (int32_t a = 0; a < na; a++)
                if (s[a] != -INFINITY && (best < 0 || s[a] > s[best]))
                    best = a;
            if (best < 0)
                break;
            for (int64_t j = 0; j < nt; j++)
                hits += ti[j] == best;
            s[best] = -INFINITY;
        }
        sum += hits / 10.0;
        users++;
    }
    free(s);
    return sum / users;
}

/* mt_precision_at_10 of a popularity model fitted on train. */
static inline double mt_pop_precision(const lr_dataset *train, const lr_dataset *test)
{
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, NULL));
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    double p = mt_precision_at_10(m, train, test);
    lr_model_free(m);
    return p;
}

/* The artists of ds with at least min listeners, ascending, into item;
 * returns how many. */
static inline int mt_items_with_listeners(const lr_dataset *ds, int min, int *item)
{
    int n = 0;
    for (int a = 0; a < ds->n_artists; a++)
        if (ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a] >= min)
            item[n++] = a;
    return n;
}

/* Gauss-Jordan with partial pivoting in double, independent of the
 * library: the n x 2n rows of G (row stride `stride`) hold a matrix and
 * the identity beside it; afterwards the right half holds the inverse. */
static inline void mt_gauss_jordan(double *G, int n, int stride)
{
    for (int c = 0; c < n; c++) {
        int p = c;
        for (int r = c + 1; r < n; r++)
            if (fabs(G[r * stride + c]) > fabs(G[p * stride + c]))
                p = r;
        for (int j = 0; j < 2 * n; j++) {
            double t = G[c * stride + j];
            G[c * stride + j] = G[p * stride + j];
            G[p * stride + j] = t;
        }
        double d = G[c * stride + c];
        for (int j = 0; j < 2 * n; j++)
            G[c * stride + j] /= d;
        for (int r = 0; r < n; r++)
            if (r != c) {
                double f = G[r * stride + c];
                for (int j = 0; j < 2 * n; j++)
                    G[r * stride + j] -= f * G[c * stride + j];
            }
    }
}

/* The wide fixture: 9 artists and the listens of users 1 to 4, fewer
 * users than artists, so that the item models take their dual
 * (user-side) form.  users lists the users' IDs, ascending, starting with
 * 1 to 4; any further ones have no listens. */
static inline lr_dataset *mt_wide_with(const int32_t *users, int32_t n_users)
{
    static const int32_t artists[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const char *const names[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I"};
    static const tiny_listen listens[] = {
        {1, 1, 3}, {1, 2, 12}, {1, 3, 1}, {1, 7, 2}, {1, 9, 5},
        {2, 1, 1}, {2, 2, 5}, {2, 4, 40}, {2, 8, 3},
        {3, 1, 7}, {3, 3, 2}, {3, 5, 9}, {3, 6, 1}, {3, 9, 2},
        {4, 4, 3}, {4, 5, 2}, {4, 6, 6}, {4, 7, 1}, {4, 8, 4},
    };
    tiny_spec w = {.users = users, .n_users = n_users, .artists = artists,
                   .artist_names = names, .n_artists = 9, .listens = listens,
                   .n_listens = TINY_N(listens)};
    return tiny_build(&w);
}

/* Four artists: 10 (tagged Jazz), 20 (Jazz, nobody listened to it),
 * 30 (Rock) and 40 (Rock), tags Jazz and "jazz" (two spellings of one
 * tag) and Rock. */
static inline lr_dataset *mt_jazz(void)
{
    static const int32_t users[] = {1, 2, 3};
    static const int32_t artists[] = {10, 20, 30, 40};
    static const char *const names[] = {"Miles", "Coltrane", "Slayer", "Exodus"};
    static const int32_t tags[] = {1, 2, 3};
    static const char *const tag_names[] = {"Jazz", "Rock", "jazz"};
    static const tiny_listen listens[] = {{1, 10, 5}, {1, 30, 2}, {2, 30, 9}, {2, 40, 4},
                                          {3, 10, 1}, {3, 40, 3}};
    static const tiny_use uses[] = {{1, 10, 1, 0}, {2, 20, 1, 0}, {3, 20, 3, 0},
                                    {1, 30, 2, 0}, {2, 40, 2, 0}};
    tiny_spec sp = {.users = users, .n_users = 3, .artists = artists, .artist_names = names,
                    .n_artists = 4, .tags = tags, .tag_names = tag_names, .n_tags = 3,
                    .listens = listens, .n_listens = TINY_N(listens), .uses = uses,
                    .n_uses = TINY_N(uses)};
    return tiny_build(&sp);
}

/* The wide fixture: 4 users x 9 artists. */
static inline lr_dataset *mt_wide(void)
{
    static const int32_t users[] = {1, 2, 3, 4};
    return mt_wide_with(users, 4);
}

#endif
