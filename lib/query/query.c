/* Queries on a fitted model: scoring a user, a set of preferences or an
 * artist, selecting the top k, explaining the choice.
 * SPDX-License-Identifier: MIT */
#include "query/query.h"
#include "query/foldin.h"
#include "query/topk.h"
#include "core/alloc.h"
#include "core/error.h"
#include "data/search.h"
#include "model/panels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- lifetime */

static int alloc_results(lr_query *q, int32_t k, int32_t explain)
{
    size_t ke = (size_t)k * (size_t)(explain > 0 ? explain : 1);
    int32_t *ri = lr__malloc((size_t)k, sizeof *ri);
    float *rs = lr__malloc((size_t)k, sizeof *rs);
    int32_t *en = lr__malloc((size_t)k, sizeof *en);
    int32_t *ei = lr__malloc(ke, sizeof *ei);
    float *ev = lr__malloc(ke, sizeof *ev);
    int32_t *tn = lr__calloc((size_t)k, sizeof *tn);
    int32_t *ti = lr__malloc(ke, sizeof *ti);
    float *tv = lr__malloc(ke, sizeof *tv);
    if (!ri || !rs || !en || !ei || !ev || !tn || !ti || !tv) {
        free(ri);
        free(rs);
        free(en);
        free(ei);
        free(ev);
        free(tn);
        free(ti);
        free(tv);
        return lr__fail_oom("the query's results and explanations");
    }
    free(q->res_idx);
    free(q->res_score);
    free(q->exp_n);
    free(q->exp_idx);
    free(q->exp_val);
    free(q->exp_tag_n);
    free(q->exp_tag_idx);
    free(q->exp_tag_val);
    q->res_idx = ri;
    q->res_score = rs;
    q->exp_n = en;
    q->exp_idx = ei;
    q->exp_val = ev;
    q->exp_tag_n = tn;
    q->exp_tag_idx = ti;
    q->exp_tag_val = tv;
    q->k = k;
    q->explain = explain;
    q->n_res = 0;
    q->kind = LR__RESULT_NONE;
    return LR_OK;
}

void lr__query_free(lr_query *q)
{
    if (!q)
        return;
    free(q->filter);
    free(q->tag);
    free(q->allow);
    free(q->fans);
    free(q->norm);
    free(q->gram);
    free(q->pref_idx);
    free(q->pref_w);
    lr__strtab_free(&q->keys);
    free(q->cand);
    free(q->scores);
    free(q->contrib);
    free(q->x);
    free(q->a);
    free(q->r);
    free(q->z);
    free(q->contrib2);
    free(q->contrib3);
    free(q->xs);
    lr__blend_scratch_free(&q->blend);
    lr__tower_scratch_free(&q->tower);
    lr__cold_scratch_free(&q->cold);
    free(q->cold_art);
    free(q->cold_tag_idx);
    free(q->cold_tag_val);
    free(q->gx);
    free(q->tag_id);
    free(q->tag_share);
    free(q->tag_mark);
    free(q->exp_tag_n);
    free(q->exp_tag_idx);
    free(q->exp_tag_val);
    free(q->res_idx);
    free(q->res_score);
    free(q->exp_n);
    free(q->exp_idx);
    free(q->exp_val);
    free(q);
}

/* The tower a query folds bags in through: softmax's own, or blend's
 * softmax part's; NULL for the other models. */
static const lr__softmax_tower *tower_of(const lr_model *m)
{
    return m->tower ? m->tower : m->sm.tower;
}

int lr__query_new(lr_query **out, const lr_model *m)
{
    if ((lr__model_has_factors(m) && !m->artist_panels) || (m->sm.k > 0 && !m->sm.artist_panels))
        return lr__fail(LR_E_INVALID, "the model's factors are not prepared for scoring "
                                      "(lr__model_prepare)");
    lr_query *q = lr__calloc(1, sizeof *q);
    if (!q)
        return lr__fail_oom("the query in lr_query_new");
    const size_t na = (size_t)m->n_artists;
    const size_t kf = lr__model_has_factors(m) ? (size_t)m->k : 0;
    q->m = m;
    q->na = m->n_artists;
    q->kf = (int32_t)kf;
    q->measure = LR_MEASURE_DOT;
    q->exclude = 1;
    q->fans = lr__calloc(na, sizeof *q->fans);
    q->allow = lr__malloc(na, 1);
    q->pref_idx = lr__malloc(na, sizeof *q->pref_idx);
    q->pref_w = lr__malloc(na, sizeof *q->pref_w);
    q->cand = lr__malloc(na, sizeof *q->cand);
    q->scores = lr__malloc(na, sizeof *q->scores);
    q->contrib = lr__malloc(na, sizeof *q->contrib);
    q->r = lr__malloc(na, sizeof *q->r);
    q->norm = lr__malloc(kf ? na : 0, sizeof *q->norm);
    q->x = lr__malloc(kf, sizeof *q->x);
    q->z = lr__malloc(kf, sizeof *q->z);
    q->a = lr__malloc(kf * kf, sizeof *q->a);
    /* gram stays NULL for models whose fold-in does not use Y'Y */
    q->gram = lr__foldin_needs_gram(m) ? lr__malloc(kf * kf, sizeof *q->gram) : NULL;
    if (m->algo == LR_ALGO_BLEND) {
        /* preferences can name every artist, so room for a row that long */
        q->contrib2 = lr__malloc(na, sizeof *q->contrib2);
        if (m->sm.k > 0) {
            q->contrib3 = lr__malloc(na, sizeof *q->contrib3);
            q->xs = lr__malloc((size_t)m->sm.k, sizeof *q->xs);
        }
        if (!q->contrib2 || (m->sm.k > 0 && (!q->contrib3 || !q->xs)) ||
            lr__blend_scratch_init(&q->blend, m, (int64_t)na) != LR_OK) {
            lr__query_free(q);
            return lr__fail_oom("the query's blend scratch");
        }
    }
    if (tower_of(m)) {
        /* a bag can hold every artist, as preferences can */
        const lr__softmax_net *net = &tower_of(m)->net;
        const size_t nt = net->nt > 0 ? (size_t)net->nt : 1;
        q->gx = lr__malloc((size_t)net->k + (size_t)net->dt, sizeof *q->gx);
        q->tag_id = lr__malloc(nt, sizeof *q->tag_id);
        q->tag_share = lr__malloc(nt, sizeof *q->tag_share);
        q->tag_mark = lr__malloc(nt, sizeof *q->tag_mark);
        if (!q->gx || !q->tag_id || !q->tag_share || !q->tag_mark ||
            lr__tower_scratch_init(&q->tower, tower_of(m), m->n_artists) != LR_OK) {
            lr__query_free(q);
            return lr__fail_oom("the query's tag scratch");
        }
        for (size_t i = 0; i < nt; i++)
            q->tag_mark[i] = -1;
    }
    if (m->cold_mix) {
        if (lr__cold_scratch_init(&q->cold, m->cold_mix) != LR_OK) {
            lr__query_free(q);
            return LR_E_NOMEM; /* its message says how much for what */
        }
        q->cold_art = lr__malloc(na, sizeof *q->cold_art);
        q->cold_tag_idx = lr__malloc((size_t)m->cold_mix->nt, sizeof *q->cold_tag_idx);
        q->cold_tag_val = lr__malloc((size_t)m->cold_mix->nt, sizeof *q->cold_tag_val);
        if (!q->cold_art || !q->cold_tag_idx || !q->cold_tag_val) {
            lr__query_free(q);
            return lr__fail_oom("the query's cold-artist explanations");
        }
    }
    if (!q->fans || !q->allow || !q->pref_idx || !q->pref_w || !q->cand || !q->scores ||
        !q->contrib || !q->r || !q->norm || !q->x || !q->z || !q->a ||
        (!q->gram && lr__foldin_needs_gram(m)) || alloc_results(q, 10, 3) != LR_OK) {
        lr__query_free(q);
        return lr__fail_oom("the query's scores and candidates");
    }
    /* Fan counts and norms are the model's, but caching them in the shared
     * model would make it mutable; each query counts its own (a pass over
     * the listens and one over the factors: well under a millisecond on
     * the real data). */
    for (int64_t e = 0; e < m->train.nnz; e++) {
        q->fans[m->train.idx[e]]++;
        q->mean_row += m->train.val[e];
    }
    q->mean_row /= m->n_users > 0 ? (double)m->n_users : 1.0;
    for (size_t a = 0; a < (kf ? na : 0); a++)
        q->norm[a] = lr__norm(m->artist_f + a * kf, (int32_t)kf);
    *out = q;
    return LR_OK;
}

/* ------------------------------------------------------------- settings */

int lr__query_set_k(lr_query *q, int32_t k) { return alloc_results(q, k, q->explain); }

int lr__query_set_explain(lr_query *q, int32_t explain)
{
    return alloc_results(q, q->k, explain);
}

int32_t lr__query_artist_index(const lr_query *q, int32_t id)
{
    return lr__index_of(q->m->artist_ids, q->na, id);
}

/* A tag's comparison key: ASCII letters lower-cased, separators dropped,
 * so "hip hop", "Hip-Hop" and the stored CamelCase "HipHop" agree. */
static int is_sep(char c) { return c == ' ' || c == '-' || c == '_' || c == '\t'; }

static char *tag_key(const char *s)
{
    char *k = lr__malloc(strlen(s) + 1, 1);
    if (!k)
        return NULL;
    size_t o = 0;
    for (; *s; s++)
        if (!is_sep(*s))
            k[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    k[o] = '\0';
    return k;
}

static int tag_matches(const char *name, const char *key)
{
    for (; *name; name++) {
        if (is_sep(*name))
            continue;
        char c = (char)(*name >= 'A' && *name <= 'Z' ? *name + 32 : *name);
        if (c != *key++)
            return 0;
    }
    return *key == '\0';
}

/* Whether artist a passes the tag filter (key); tag_hit[t] says whether
 * tag t of the model matches. */
static int artist_has_tag(const lr_model *m, int32_t a, const char *key,
                          const unsigned char *tag_hit)
{
    if (tag_matches(lr__strtab_get(&m->artist_top_tags, a), key))
        return 1;
    for (int i = 0; m->artist_tags && i < LR__TAGS_PER_ARTIST; i++) {
        int32_t t = m->artist_tags[(size_t)a * LR__TAGS_PER_ARTIST + (size_t)i];
        if (t >= 0 && tag_hit[t])
            return 1;
    }
    return 0;
}

/* Rebuild the allow mask from the filter list and tag; *hits receives the
 * number of artists the tag admits (before the list). */
static int rebuild_allow(lr_query *q, int mode, const int32_t *filter, int32_t n_filter,
                         const char *key, int32_t *hits, unsigned char *mask)
{
    const lr_model *m = q->m;
    *hits = 0;
    if (mode == LR_FILTER_NONE && !key)
        return LR_OK;
    memset(mask, mode == LR_FILTER_ALLOW ? 0 : 1, (size_t)q->na);
    for (int32_t i = 0; i < n_filter; i++)
        mask[filter[i]] = mode == LR_FILTER_ALLOW;
    if (!key)
        return LR_OK;
    unsigned char *tag_hit = lr__calloc((size_t)m->tag_names.n, 1);
    if (!tag_hit)
        return lr__fail_oom("the tag filter's marks");
    for (int32_t t = 0; t < m->tag_names.n; t++)
        tag_hit[t] = (unsigned char)tag_matches(lr__strtab_get(&m->tag_names, t), key);
    for (int32_t a = 0; a < q->na; a++) {
        int has = artist_has_tag(m, a, key, tag_hit);
        *hits += has;
        mask[a] &= (unsigned char)has;
    }
    free(tag_hit);
    return LR_OK;
}

static void drop_results(lr_query *q)
{
    q->n_res = 0;
    q->kind = LR__RESULT_NONE;
}

/* Install a new filter list and tag key (ownership passes to q on
 * success), rebuilding the mask into a fresh buffer so a failure leaves
 * everything as it was. */
static int install_filters(lr_query *q, int mode, int32_t *filter, int32_t n_filter,
                           char *key, const char *tag_text)
{
    unsigned char *mask = lr__malloc((size_t)q->na, 1);
    if (!mask)
        return lr__fail_oom("the query's filter mask");
    int32_t hits = 0;
    int rc = rebuild_allow(q, mode, filter, n_filter, key, &hits, mask);
    if (rc == LR_OK && key && hits == 0)
        rc = lr__fail(LR_E_NOTFOUND, "no artist of the model has the tag '%s'", tag_text);
    if (rc != LR_OK) {
        free(mask);
        return rc;
    }
    if (filter != q->filter)
        free(q->filter);
    if (key != q->tag)
        free(q->tag);
    free(q->allow);
    q->filter_mode = mode;
    q->filter = filter;
    q->n_filter = n_filter;
    q->tag = key;
    q->allow = mask;
    drop_results(q);
    return LR_OK;
}

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int lr__query_set_filter(lr_query *q, int mode, const int32_t *ids, size_t n)
{
    if (mode == LR_FILTER_NONE)
        n = 0;
    int32_t *f = lr__malloc(n, sizeof *f);
    if (!f)
        return lr__fail_oom("the query's filter list");
    for (size_t i = 0; i < n; i++) {
        f[i] = lr__query_artist_index(q, ids[i]);
        if (f[i] < 0) {
            free(f);
            return lr__fail(LR_E_NOTFOUND, "artist filter: the model has no artist ID %d (entry %zu)",
                            ids[i], i);
        }
    }
    qsort(f, n, sizeof *f, cmp_i32);
    int rc = install_filters(q, mode, f, (int32_t)n, q->tag, q->tag);
    if (rc != LR_OK)
        free(f);
    return rc;
}

int lr__query_set_tag(lr_query *q, const char *tag)
{
    char *key = NULL;
    if (tag && *tag) {
        key = tag_key(tag);
        if (!key)
            return lr__fail_oom("the filter's tag key");
    }
    int rc = install_filters(q, q->filter_mode, q->filter, q->n_filter, key, tag);
    if (rc != LR_OK)
        free(key);
    return rc;
}

/* ---------------------------------------------------------------- names */

static int64_t query_fans(const void *ctx, int32_t a)
{
    const lr_query *q = ctx;
    return q->fans[a];
}

/* "A (1), B (2), C (3) and 8 more" into buf. */
static void list_candidates(const lr_query *q, char *buf, size_t size)
{
    size_t o = 0;
    const size_t show = q->n_cand < 5 ? q->n_cand : 5;
    buf[0] = '\0';
    for (size_t i = 0; i < show && o < size; i++) {
        int w = snprintf(buf + o, size - o, "%s%s (%d)", i ? ", " : "",
                         lr__strtab_get(&q->m->artist_names, q->cand[i]),
                         q->m->artist_ids[q->cand[i]]);
        o += w > 0 ? (size_t)w : 0;
    }
    if (q->n_cand > show && o < size)
        snprintf(buf + o, size - o, " and %zu more", q->n_cand - show);
}

int lr__query_resolve(lr_query *q, const char *name, int strict, int32_t *idx)
{
    size_t found = 0, exact = 0;
    q->n_cand = 0;
    /* A preference list resolves one name after another: the keys are
     * folded once per query, not once per name. */
    if (!q->keys.off && lr__search_keys(&q->m->artist_names, &q->keys) != LR_OK)
        return LR_E_NOMEM;
    int rc = lr__search_names(&q->m->artist_names, &q->keys, query_fans, q, name, q->cand,
                              (size_t)q->na, &found, &exact);
    if (rc != LR_OK)
        return rc;
    q->n_cand = found;
    if (found == 0)
        return lr__fail(LR_E_NOTFOUND, "no artist name contains '%s'", name);
    if (exact > 0 || found == 1 || !strict) {
        *idx = q->cand[0];
        return LR_OK;
    }
    char list[640];
    list_candidates(q, list, sizeof list);
    return lr__fail(LR_E_AMBIGUOUS, "'%s' matches %zu artists: %s; give the full name or an artist ID",
                    name, found, list);
}

/* ---------------------------------------------------------- preferences */

int lr__query_add_pref(lr_query *q, int32_t idx, float listens)
{
    int32_t lo = 0, hi = q->n_pref;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (q->pref_idx[mid] < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < q->n_pref && q->pref_idx[lo] == idx) {
        q->pref_w[lo] = listens;
        return LR_OK;
    }
    memmove(q->pref_idx + lo + 1, q->pref_idx + lo, (size_t)(q->n_pref - lo) * sizeof *q->pref_idx);
    memmove(q->pref_w + lo + 1, q->pref_w + lo, (size_t)(q->n_pref - lo) * sizeof *q->pref_w);
    q->pref_idx[lo] = idx;
    q->pref_w[lo] = listens;
    q->n_pref++;
    return LR_OK;
}

/* -------------------------------------------------------------- scoring */

static lr__foldin_ctx foldin_ctx(lr_query *q)
{
    const lr_model *m = q->m;
    if (q->gram && !q->gram_ready) {
        /* Y'Y costs a few milliseconds, so it waits for the first fold-in
         * that needs it; it is this query's own copy. */
        lr__foldin_gram(m, q->gram);
        q->gram_ready = 1;
    }
    /* softmax without its tower (a model from a version 1 file) folds in
     * as bpr does: without a target its fold-in would be the zero vector */
    if ((m->algo == LR_ALGO_BPR || m->algo == LR_ALGO_SOFTMAX) && q->bpr_target == 0)
        q->bpr_target = lr__foldin_bpr_target(m); /* one pass over the listens */
    lr__foldin_ctx c = {m, q->fans, q->mean_row, q->gram, q->bpr_target};
    return c;
}

/* Turn dot products x·V_a into cosines in place: the one formula for
 * single queries and batches alike. */
float lr__query_cosines(const lr_query *q, const float *x, float *row)
{
    const float xn = lr__norm(x, q->m->k);
    const float inv = xn > 0 ? 1.0f / xn : 0.0f;
    /* A zero vector has no direction: its cosine with anything is taken
     * as 0 rather than NaN, so such an artist ranks last, not nowhere. */
    for (int32_t a = 0; a < q->na; a++)
        row[a] = q->norm[a] > 0 ? row[a] * inv / q->norm[a] : 0.0f;
    return inv;
}

/* scores = Y x (+ bias for the dot product), or the cosine of x with each
 * artist; returns the scale that turns a dot-product contribution into a
 * score (1, or 1 / |x| for cosine, to be divided by the artist's norm).
 * The product is the model's own (lib/model/panels.h), on the caller's
 * thread: not cblas_sgemv, whose OpenBLAS threads would contend for the
 * cores when many queries run at once (a mixed load of 8 query threads ran
 * 35 times slower with it), and whose sums follow its kernel's order. */
static float score_vector(lr_query *q, const float *x)
{
    const lr_model *m = q->m;
    const int dot = q->measure == LR_MEASURE_DOT;
    lr__panels_scores(m->artist_panels, dot ? m->artist_bias : NULL, q->na, m->k, x,
                      (size_t)m->k, 1, q->scores, (size_t)q->na);
    return dot ? 1.0f : lr__query_cosines(q, x, q->scores);
}

/* softmax's logits of the bag idx[n] into its cold-artist mixture
 * (lib/model/cold_mix.h), as lr__model_score_users does; cosines are
 * not probabilities and stay as they are. */
static void mix_cold(lr_query *q, const int32_t *idx, const float *w, int64_t n)
{
    if (q->m->cold_mix && q->measure == LR_MEASURE_DOT)
        lr__cold_mix_apply(q->m->cold_mix, idx, w, n, q->scores, &q->cold);
}

/* The factor models' contribution of each source to the score of artist
 * t into q->contrib, from the solve over the same sources; scale is
 * score_vector's. */
static void factor_shares(lr_query *q, const int32_t *src, int64_t n_src, int32_t t, float scale)
{
    lr__foldin_explain(q->m, q->a, src, q->r, n_src, t, q->z, q->contrib);
    const float s = q->measure == LR_MEASURE_DOT ? 1.0f
                    : q->norm[t] > 0               ? scale / q->norm[t]
                                                   : 0.0f;
    for (int64_t j = 0; j < n_src; j++)
        q->contrib[j] *= s;
}

/* Through a tower (softmax's, or blend's softmax part's, whose item
 * vectors are items[., k]): each source's share of the score of artist t
 * (its embedding term of gradient x input) into contrib, each tag's into
 * q->tag_share[0, returned count) for the tags q->tag_id, all times s;
 * the last lr__tower_forward on q->tower was over the same sources. */
static int32_t tower_shares(lr_query *q, const lr__softmax_tower *tw, const float *items,
                            int32_t k, const int32_t *src, int64_t n_src, int32_t t, float s,
                            float *contrib)
{
    lr__tower_input_grad(tw, &q->tower, items + (size_t)t * (size_t)k, q->gx);
    const int32_t nt = lr__tower_shares(tw, &q->tower, q->gx, src, n_src, contrib, q->tag_id,
                                        q->tag_share, q->tag_mark);
    for (int64_t j = 0; j < n_src; j++)
        contrib[j] *= s;
    for (int32_t i = 0; i < nt; i++)
        q->tag_share[i] *= s;
    return nt;
}

/* An artist nobody played, ranked by the cold-artist mixture: the shares
 * of its name and tag signals (lr__cold_mix_explain, already in
 * q->cold_art and q->cold_tag_*, n_cold_tags of them) added to the
 * logit's, each tag under its canonical spelling (the one lr__tower_shares
 * lists in q->tag_id, nt of them).  Returns the new count of tags. */
static int32_t add_cold_shares(lr_query *q, int64_t n_src, int32_t n_cold_tags, int32_t nt)
{
    const int32_t *canon = q->m->tower->tag_canon;
    for (int64_t j = 0; j < n_src; j++)
        q->contrib[j] += q->cold_art[j];
    for (int32_t c = 0; c < n_cold_tags; c++) {
        const int32_t t = canon ? canon[q->cold_tag_idx[c]] : q->cold_tag_idx[c];
        int32_t i = 0;
        while (i < nt && q->tag_id[i] != t)
            i++;
        if (i == nt) {
            q->tag_id[nt] = t;
            q->tag_share[nt++] = 0.0f;
        }
        q->tag_share[i] += q->cold_tag_val[c];
    }
    return nt;
}

/* Explanations for the current results from the sources (the user's
 * listens or the preferences): each result's contributions, the largest
 * positive ones kept.  Factor models need a and r from a solve over the
 * same sources; scale is score_vector's. */
static void explain(lr_query *q, const int32_t *src, const float *w, int64_t n_src, float scale)
{
    const lr_model *m = q->m;
    const int32_t e = q->explain;
    const int part = m->algo == LR_ALGO_BLEND && m->sm.k > 0;
    for (int32_t i = 0; i < q->n_res; i++) {
        const int32_t t = q->res_idx[i];
        const int fac = lr__model_has_factors(m);
        int32_t nt = -1; /* tag shares in q->tag_share, when a tower made them */
        if (m->tower) {
            /* cosine scores divide by |x| |item_t| (scale is 1 / |x|) */
            const float s = q->measure == LR_MEASURE_DOT ? 1.0f
                            : q->norm[t] > 0               ? scale / q->norm[t]
                                                           : 0.0f;
            /* an artist nobody played is ranked by the cold-artist
             * mixture's standardised sum, of which its logit is one part */
            const int cold = m->cold_mix && q->measure == LR_MEASURE_DOT && m->cold_mix->is_cold[t];
            double ls = 1.0;
            const int32_t n_cold_tags =
                cold ? lr__cold_mix_explain(m->cold_mix, t, src, w, n_src, &q->cold, &ls,
                                            q->cold_art, q->cold_tag_idx, q->cold_tag_val)
                     : 0;
            nt = tower_shares(q, m->tower, m->artist_f, m->k, src, n_src, t, (float)(s * ls),
                              q->contrib);
            if (cold)
                nt = add_cold_shares(q, n_src, n_cold_tags, nt);
        } else if (fac) {
            factor_shares(q, src, n_src, t, scale);
        }
        if (m->algo == LR_ALGO_BLEND) {
            /* The blend is linear in its parts (lr__blend_row): each
             * source's share is its item weight, its factor share and its
             * softmax share, each times its part's scale; the tags' shares
             * are the softmax part's, on its scale. */
            if (part)
                nt = tower_shares(q, m->sm.tower, m->sm.artist_f, m->sm.k, src, n_src, t,
                                  (float)q->blend_scale[2], q->contrib3);
            lr__foldin_ease_explain(m, src, q->blend.rw, n_src, t, q->contrib2);
            for (int64_t j = 0; j < n_src; j++)
                q->contrib[j] = (float)(q->blend_scale[0] * q->contrib2[j] +
                                        (fac ? q->blend_scale[1] * q->contrib[j] : 0.0) +
                                        (part ? (double)q->contrib3[j] : 0.0));
        } else if (!fac) {
            lr__foldin_ease_explain(m, src, q->r, n_src, t, q->contrib);
        }
        if (nt >= 0) {
            for (int32_t j = 0; j < nt; j++)
                if (!(q->tag_share[j] > 0))
                    q->tag_share[j] = NAN;
            int32_t *ti = q->exp_tag_idx + (size_t)i * (size_t)e;
            float *tv = q->exp_tag_val + (size_t)i * (size_t)e;
            const int32_t n = nt > 0 ? lr__topk(e, q->tag_share, nt, NULL, 0, NULL, tv, ti) : 0;
            for (int32_t j = 0; j < n; j++)
                ti[j] = q->tag_id[ti[j]];
            q->exp_tag_n[i] = n;
        }
        /* Only what pushed the score up explains it. */
        for (int64_t j = 0; j < n_src; j++)
            if (!(q->contrib[j] > 0))
                q->contrib[j] = NAN;
        int32_t *ei = q->exp_idx + (size_t)i * (size_t)e;
        float *ev = q->exp_val + (size_t)i * (size_t)e;
        int32_t n = lr__topk(e, q->contrib, (int32_t)n_src, NULL, 0, NULL, ev, ei);
        /* positions among the sources, which ascend with the artist
         * index, so equal contributions keep the artist-ID order */
        for (int32_t j = 0; j < n; j++)
            ei[j] = src[ei[j]];
        q->exp_n[i] = n;
    }
}

/* Popularity scores every user alike: nothing of theirs explains it. */
static int can_explain(const lr_model *m)
{
    return lr__model_has_factors(m) || m->item_w != NULL;
}

static void select_top(lr_query *q, const int32_t *skip, int64_t n_skip, int kind)
{
    q->n_res = lr__topk(q->k, q->scores, q->na, skip, n_skip,
                        q->filter_mode == LR_FILTER_NONE && !q->tag ? NULL : q->allow,
                        q->res_score, q->res_idx);
    memset(q->exp_n, 0, (size_t)q->k * sizeof *q->exp_n);
    memset(q->exp_tag_n, 0, (size_t)q->k * sizeof *q->exp_tag_n);
    q->kind = kind;
}

int lr__query_user(lr_query *q, int32_t u)
{
    const lr_model *m = q->m;
    drop_results(q);
    float scale = 1.0f;
    int rc;
    const int32_t *src;
    const float *w;
    const int64_t n_src = lr__csr_row(&m->train, u, &src, &w);
    if (lr__model_has_factors(m)) {
        /* the product lr__model_score_users takes, with the cosine when
         * asked: the user's row of any batch, bit for bit */
        scale = score_vector(q, m->user_f + (size_t)u * (size_t)m->k);
        mix_cold(q, src, w, n_src);
    } else if (m->algo != LR_ALGO_BLEND &&
               (rc = lr__model_score_users(m, u, 1, q->scores)) != LR_OK) {
        return rc;
    }
    if (m->algo == LR_ALGO_BLEND) {
        /* its item part, the factor scores and the softmax part's scores
         * standardised; the part's row of the user is what a batch scores */
        if (m->sm.k > 0)
            lr__blend_sm_scores(m, m->sm.user_f + (size_t)u * (size_t)m->sm.k, q->blend.sm);
        lr__blend_row(m, src, w, n_src, &q->blend, q->scores, q->blend_scale);
    }
    select_top(q, src, q->exclude ? n_src : 0, LR__RESULT_USER);
    if (q->explain == 0 || n_src == 0 || !can_explain(m))
        return LR_OK;
    if (m->tower) {
        /* the same pass that made the user's row of user_f, for its
         * activations: the explanation is of the score itself */
        lr__tower_forward(m->tower, (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM), src, w, n_src,
                          &q->tower, q->x);
    } else if (lr__model_has_factors(m)) {
        /* The model's own user vector came from training; the explanation
         * decomposes the fold-in of the same listens, which for als is the
         * exact least-squares row given the final artist factors. */
        lr__foldin_ctx c = foldin_ctx(q);
        rc = lr__foldin_solve(&c, src, w, n_src, q->a, q->r, q->x);
        if (rc != LR_OK) {
            drop_results(q);
            return rc;
        }
    } else {
        const int t = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
        for (int64_t j = 0; j < n_src; j++)
            q->r[j] = lr__transform(t, w[j]);
    }
    if (m->algo == LR_ALGO_BLEND && m->sm.k > 0)
        /* the part's pass of the user's listens, whose output is the
         * user's row of sm.user_f: the explanation is of the score itself */
        lr__tower_forward(m->sm.tower, (int)lr__opt_int(&m->sm.opts, LR_OPT_TRANSFORM), src, w,
                          n_src, &q->tower, q->xs);
    explain(q, src, w, n_src, scale);
    return LR_OK;
}

int lr__query_preferences(lr_query *q)
{
    const lr_model *m = q->m;
    drop_results(q);
    if (q->n_pref == 0)
        return lr__fail(LR_E_INVALID, "no preferences: add some with lr_query_add_preference");
    float scale = 1.0f;
    if (m->tower) {
        /* through the tower as a training user's bag goes: a list equal to
         * a training user's listens gives that user's scores bit for bit */
        lr__tower_forward(m->tower, (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM), q->pref_idx,
                          q->pref_w, q->n_pref, &q->tower, q->x);
        scale = score_vector(q, q->x);
        mix_cold(q, q->pref_idx, q->pref_w, q->n_pref);
    } else if (lr__model_has_factors(m)) {
        lr__foldin_ctx c = foldin_ctx(q);
        int rc = lr__foldin_solve(&c, q->pref_idx, q->pref_w, q->n_pref, q->a, q->r, q->x);
        if (rc != LR_OK)
            return rc;
        scale = score_vector(q, q->x);
    } else if (m->algo == LR_ALGO_BLEND) {
        /* the item part alone: lr__blend_row below */
    } else if (m->item_w) {
        lr__foldin_ease(m, q->pref_idx, q->pref_w, q->n_pref, q->r, q->scores);
    } else if (m->pop) {
        memcpy(q->scores, m->pop, (size_t)q->na * sizeof *q->scores);
    } else {
        return lr__fail(LR_E_UNSUPPORTED, "this model has nothing to score with");
    }
    if (m->algo == LR_ALGO_BLEND) {
        if (m->sm.k > 0) {
            /* the softmax part folds the list in through its tower */
            lr__tower_forward(m->sm.tower, (int)lr__opt_int(&m->sm.opts, LR_OPT_TRANSFORM),
                              q->pref_idx, q->pref_w, q->n_pref, &q->tower, q->xs);
            lr__blend_sm_scores(m, q->xs, q->blend.sm);
        }
        lr__blend_row(m, q->pref_idx, q->pref_w, q->n_pref, &q->blend, q->scores,
                      q->blend_scale);
    }
    select_top(q, q->pref_idx, q->exclude ? q->n_pref : 0, LR__RESULT_PREFERENCES);
    if (q->explain > 0 && can_explain(m))
        explain(q, q->pref_idx, q->pref_w, q->n_pref, scale);
    return LR_OK;
}

int lr__query_similar(lr_query *q, int32_t a)
{
    const lr_model *m = q->m;
    drop_results(q);
    const int fac = lr__model_has_factors(m);
    if (fac) {
        const int k = m->k;
        lr__panels_scores(m->artist_panels, NULL, q->na, k, m->artist_f + (size_t)a * (size_t)k,
                          (size_t)k, 1, q->scores, (size_t)q->na);
        if (q->measure == LR_MEASURE_COSINE) {
            const float na = q->norm[a];
            for (int32_t b = 0; b < q->na; b++)
                q->scores[b] = na > 0 && q->norm[b] > 0 ? q->scores[b] / (na * q->norm[b]) : 0.0f;
        }
    }
    if (m->algo == LR_ALGO_BLEND && (fac || m->sm.k > 0)) {
        /* as a listener of this one artist: z(B[a, :]) + weight z(the
         * factor scores) + softmax_weight z(the softmax part's scores of
         * the bag {a} through its tower), over every other artist */
        const float one = 1.0f;
        if (m->sm.k > 0) {
            lr__tower_forward(m->sm.tower, (int)lr__opt_int(&m->sm.opts, LR_OPT_TRANSFORM), &a,
                              &one, 1, &q->tower, q->xs);
            lr__blend_sm_scores(m, q->xs, q->blend.sm);
        }
        lr__blend_row(m, &a, &one, 1, &q->blend, q->scores, q->blend_scale);
    } else if (fac) {
        /* the factor scores above */
    } else if (m->item_w) {
        const int32_t p = m->item_pos[a];
        if (p < 0)
            return lr__fail(LR_E_UNSUPPORTED,
                            "artist %d is not in this ease model (fewer listeners than its "
                            "min_listeners)",
                            m->artist_ids[a]);
        /* Artists outside the model have no weight at all: NaN keeps them
         * out of the selection rather than ranking them as 0. */
        for (int32_t b = 0; b < q->na; b++)
            q->scores[b] = NAN;
        const float *row = m->item_w + (size_t)p * (size_t)m->n_items;
        for (int32_t i = 0; i < m->n_items; i++)
            q->scores[m->items[i]] = row[i];
    } else {
        return lr__fail(LR_E_UNSUPPORTED,
                        "similar artists need embeddings or item weights; a %s model has neither",
                        lr_algorithm_name(m->algo));
    }
    select_top(q, &a, 1, LR__RESULT_SIMILAR);
    return LR_OK;
}
