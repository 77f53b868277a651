/* softmax's user tower on the model: one bag at a time, in one fixed
 * order.  SPDX-License-Identifier: MIT
 *
 * lib/model/softmax_tower.h has the contract.  The training batch runs
 * its layers through cblas_sgemm, whose kernel and blocking OpenBLAS
 * picks by shape (a one-row product may go to sgemv), so a user's vector
 * from a batch of 128 and from a batch of one need not have the same
 * bits.  Here every output unit is one lr__kdot (fixed lanes, fixed
 * combination, lib/model/kernels.h) plus its bias, so the same bag gives
 * the same vector in the fit, in a query, on any thread.
 */
#include "model/softmax_tower.h"
#include "model/kernels.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------- lifetime */

static int is_sep(char c) { return c == ' ' || c == '-' || c == '_' || c == '\t'; }

/* The comparison key of a tag name: ASCII letters lower-cased, separators
 * dropped (the rule lib/query matches tag filters by). */
static void fold(const char *s, char *out)
{
    size_t o = 0;
    for (; *s; s++)
        if (!is_sep(*s))
            out[o++] = (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s);
    out[o] = '\0';
}

typedef struct key_ref {
    const char *key;
    int32_t t;
} key_ref;

static int cmp_key(const void *pa, const void *pb)
{
    const key_ref *a = pa, *b = pb;
    int c = strcmp(a->key, b->key);
    return c ? c : (a->t > b->t) - (a->t < b->t);
}

/* canon[t] = the lowest index among the tags whose keys equal t's. */
static int derive_canon(const lr__strtab *names, int32_t nt, int32_t *canon)
{
    for (int32_t t = 0; t < nt; t++)
        canon[t] = t;
    if (names->n != nt || nt == 0)
        return LR_OK; /* no names to compare: each tag stands for itself */
    size_t bytes = 0;
    for (int32_t t = 0; t < nt; t++)
        bytes += strlen(lr__strtab_get(names, t)) + 1;
    char *blob = lr__malloc(bytes, 1);
    key_ref *refs = lr__malloc((size_t)nt, sizeof *refs);
    if (!blob || !refs) {
        free(blob);
        free(refs);
        return lr__fail_oom("the softmax tower's tag keys");
    }
    char *at = blob;
    for (int32_t t = 0; t < nt; t++) {
        const char *name = lr__strtab_get(names, t);
        fold(name, at);
        refs[t] = (key_ref){at, t};
        at += strlen(name) + 1;
    }
    qsort(refs, (size_t)nt, sizeof *refs, cmp_key);
    for (int32_t i = 1; i < nt; i++)
        if (strcmp(refs[i].key, refs[i - 1].key) == 0)
            canon[refs[i].t] = canon[refs[i - 1].t];
    free(blob);
    free(refs);
    return LR_OK;
}

int lr__softmax_tower_new(lr__softmax_tower **out, const lr_model *m, lr__softmax_net *net)
{
    *out = NULL;
    lr__softmax_tower *t = lr__calloc(1, sizeof *t);
    if (!t) {
        lr__softmax_net_free(net);
        return lr__fail_oom("the softmax tower");
    }
    t->net = *net;
    memset(net, 0, sizeof *net);
    free(t->net.l2);
    free(t->net.cold);
    t->net.l2 = NULL;
    t->net.cold = NULL;
    int rc = LR_OK;
    if (t->net.nt > 0) {
        t->tag_canon = lr__malloc((size_t)t->net.nt, sizeof *t->tag_canon);
        rc = t->tag_canon ? derive_canon(&m->tag_names, t->net.nt, t->tag_canon)
                          : lr__fail_oom("the softmax tower's tag map");
    }
    if (rc) {
        lr__softmax_tower_free(t);
        return rc;
    }
    *out = t;
    return LR_OK;
}

void lr__softmax_tower_free(lr__softmax_tower *t)
{
    if (!t)
        return;
    lr__softmax_net_free(&t->net);
    free(t->tag_canon);
    free(t);
}

int lr__tower_scratch_init(lr__tower_scratch *s, const lr__softmax_tower *t, int32_t most)
{
    const lr__softmax_net *net = &t->net;
    memset(s, 0, sizeof *s);
    const size_t NI = (size_t)net->k + (size_t)net->dt, H = (size_t)net->width;
    const size_t D = NI > H ? NI : H, nt = (size_t)net->nt;
    int ok = 1;
    for (int l = 0; l < net->layers; l++)
        ok &= (s->act[l] = lr__malloc(H, sizeof(float))) != NULL;
    s->x = lr__malloc(NI, sizeof *s->x);
    s->d0 = lr__malloc(D, sizeof *s->d0);
    s->d1 = lr__malloc(D, sizeof *s->d1);
    s->c = lr__malloc(most > 0 ? (size_t)most : 1, sizeof *s->c);
    s->tag_w = lr__calloc(nt ? nt : 1, sizeof *s->tag_w);
    s->tags = lr__malloc(nt ? nt : 1, sizeof *s->tags);
    s->most = most;
    if (!ok || !s->x || !s->d0 || !s->d1 || !s->c || !s->tag_w || !s->tags) {
        lr__tower_scratch_free(s);
        return lr__fail_oom("the softmax tower's scratch");
    }
    return LR_OK;
}

void lr__tower_scratch_free(lr__tower_scratch *s)
{
    for (int l = 0; l < LR__SOFTMAX_MAX_LAYERS; l++)
        free(s->act[l]);
    free(s->x);
    free(s->d0);
    free(s->d1);
    free(s->c);
    free(s->tag_w);
    free(s->tags);
    memset(s, 0, sizeof *s);
}

/* --------------------------------------------------------------- forward */

void lr__tower_forward(const lr__softmax_tower *t, int transform, const int32_t *idx,
                       const float *w, int64_t n, lr__tower_scratch *s, float *out)
{
    const lr__softmax_net *net = &t->net;
    const int32_t K = net->k, DT = net->dt, NI = K + DT, H = net->width;
    const float *E = net->theta + net->off_e, *T = net->theta + net->off_t;
    for (int32_t i = 0; i < s->n_tags; i++)
        s->tag_w[s->tags[i]] = 0.0f;
    s->n_tags = 0;
    /* The input row exactly as the training batch builds it (softmax.c,
     * input_rows): the bag's total in double, each weight divided by it
     * and rounded to float, then one axpy per artist and per tag use. */
    float *x = s->x;
    memset(x, 0, (size_t)NI * sizeof *x);
    double W = 0;
    for (int64_t j = 0; j < n; j++)
        W += lr__transform(transform, w[j]);
    for (int64_t j = 0; j < n; j++) {
        const int32_t a = idx[j];
        const float c1 = W > 0 ? (float)(lr__transform(transform, w[j]) / W) : 0.0f;
        s->c[j] = c1;
        if (!(W > 0))
            continue;
        lr__kaxpy(x, c1, E + (size_t)a * (size_t)K, K);
        if (!net->prof.ptr)
            continue;
        for (int64_t i = net->prof.ptr[a]; i < net->prof.ptr[a + 1]; i++) {
            const int32_t g = net->prof.idx[i];
            const float cw = c1 * net->prof.val[i];
            lr__kaxpy(x + K, cw, T + (size_t)g * (size_t)DT, DT);
            if (s->tag_w[g] == 0.0f && cw != 0.0f)
                s->tags[s->n_tags++] = g;
            s->tag_w[g] += cw;
        }
    }
    const float *in = x;
    int32_t fan = NI;
    for (int l = 0; l < net->layers; l++) {
        const float *Wl = net->theta + net->off_w[l], *b = net->theta + net->off_b[l];
        float *o = s->act[l];
        for (int32_t j = 0; j < H; j++) {
            const float z = lr__kdot(Wl + (size_t)j * (size_t)fan, in, fan) + b[j];
            o[j] = z < 0 ? 0.0f : z;
        }
        in = o;
        fan = H;
    }
    const float *Wo = net->theta + net->off_w[net->layers], *bo = net->theta + net->off_b[net->layers];
    for (int32_t j = 0; j < K; j++)
        out[j] = lr__kdot(Wo + (size_t)j * (size_t)fan, in, fan) + bo[j];
}

void lr__tower_input_grad(const lr__softmax_tower *t, lr__tower_scratch *s, const float *item,
                          float *g)
{
    const lr__softmax_net *net = &t->net;
    const int32_t NI = net->k + net->dt, H = net->width;
    const float *cur = item;
    int32_t cols = net->k;
    float *bufs[2] = {s->d0, s->d1};
    for (int l = net->layers; l >= 0; l--) {
        const int32_t fan = l ? H : NI;
        const float *Wl = net->theta + net->off_w[l];
        float *prev = l ? bufs[l & 1] : g;
        memset(prev, 0, (size_t)fan * sizeof *prev);
        for (int32_t j = 0; j < cols; j++)
            if (cur[j] != 0.0f) /* a unit the ReLU switched off passes nothing back */
                lr__kaxpy(prev, cur[j], Wl + (size_t)j * (size_t)fan, fan);
        if (l > 0) {
            const float *a = s->act[l - 1];
            for (int32_t i = 0; i < fan; i++)
                if (!(a[i] > 0))
                    prev[i] = 0.0f;
        }
        cur = prev;
        cols = fan;
    }
}

int32_t lr__tower_shares(const lr__softmax_tower *t, const lr__tower_scratch *s, const float *g,
                         const int32_t *idx, int64_t n, float *art, int32_t *tag_id,
                         float *tag_share, int32_t *mark)
{
    const lr__softmax_net *net = &t->net;
    const int32_t K = net->k, DT = net->dt;
    const float *E = net->theta + net->off_e, *T = net->theta + net->off_t;
    for (int64_t j = 0; j < n; j++)
        art[j] = s->c[j] * lr__kdot(E + (size_t)idx[j] * (size_t)K, g, K);
    int32_t cnt = 0;
    for (int32_t i = 0; i < s->n_tags; i++) {
        const int32_t tg = s->tags[i];
        const int32_t cg = t->tag_canon ? t->tag_canon[tg] : tg;
        const float v = s->tag_w[tg] * lr__kdot(T + (size_t)tg * (size_t)DT, g + K, DT);
        if (mark[cg] < 0) {
            mark[cg] = cnt;
            tag_id[cnt] = cg;
            tag_share[cnt++] = 0.0f;
        }
        tag_share[mark[cg]] += v;
    }
    for (int32_t i = 0; i < cnt; i++)
        mark[tag_id[i]] = -1;
    return cnt;
}

/* ------------------------------------------------------------ the fit's end */

typedef struct users_ctx {
    lr_model *m;
    const lr__softmax_tower *t;
    lr__tower_scratch *s; /* one per thread */
    int transform;
} users_ctx;

static int users_range(void *vctx, int tid, size_t lo, size_t hi)
{
    users_ctx *c = vctx;
    const lr__csr *x = &c->m->train;
    const size_t K = (size_t)c->t->net.k;
    for (size_t u = lo; u < hi; u++)
        lr__tower_forward(c->t, c->transform, x->idx + x->ptr[u], x->val + x->ptr[u],
                          x->ptr[u + 1] - x->ptr[u], &c->s[tid], c->m->user_f + u * K);
    return LR_OK;
}

int lr__softmax_tower_keep(lr_model *m, lr__softmax_net *net)
{
    lr__softmax_tower *t;
    int rc = lr__softmax_tower_new(&t, m, net);
    if (rc)
        return rc;
    const lr__csr *x = &m->train;
    int64_t most = 1;
    for (int32_t u = 0; u < m->n_users; u++)
        if (x->ptr[u + 1] - x->ptr[u] > most)
            most = x->ptr[u + 1] - x->ptr[u];
    int threads = lr__opt_threads(&m->opts);
    if (threads > m->n_users)
        threads = m->n_users > 0 ? m->n_users : 1;
    lr__tower_scratch *s = lr__calloc((size_t)threads, sizeof *s);
    if (!s)
        rc = lr__fail_oom("the softmax tower's per-thread scratch");
    for (int i = 0; rc == LR_OK && i < threads; i++)
        rc = lr__tower_scratch_init(&s[i], t, (int32_t)most);
    users_ctx c = {m, t, s, (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM)};
    /* each user's pass is the same arithmetic on any thread */
    if (rc == LR_OK)
        rc = lr__parallel_for(threads, (size_t)m->n_users, users_range, &c);
    for (int i = 0; s && i < threads; i++)
        lr__tower_scratch_free(&s[i]);
    free(s);
    if (rc == LR_OK)
        rc = lr__check_finite(m->user_f, (size_t)m->n_users * (size_t)m->k,
                              "softmax: the user vectors", "lower learning_rate");
    if (rc) {
        lr__softmax_tower_free(t);
        return rc;
    }
    lr__softmax_tower_free(m->tower);
    m->tower = t;
    return LR_OK;
}
