/* SPDX-License-Identifier: MIT */
#include "data/overlap.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)

/* Squared norm of user u's log1p listen vector. */
static double norm2(const lr_dataset *ds, int32_t u)
{
    const int32_t *idx;
    const float *val;
    int64_t n = lr__csr_row(&ds->listens, u, &idx, &val);
    double s = 0;
    for (int64_t i = 0; i < n; i++)
        s += log1p(val[i]) * log1p(val[i]);
    return s;
}

/* The overlap given both squared norms, which distributions compute once
 * per user rather than once per pair. */
static void overlap_normed(const lr_dataset *ds, int32_t u, int32_t v, double su, double sv,
                           double out[3])
{
    const int32_t *ia, *ib;
    const float *va, *vb;
    int64_t na = lr__csr_row(&ds->listens, u, &ia, &va);
    int64_t nb = lr__csr_row(&ds->listens, v, &ib, &vb);
    double dot = 0;
    int64_t shared = 0;
    for (int64_t i = 0, j = 0; i < na && j < nb;) {
        if (ia[i] < ib[j]) {
            i++;
        } else if (ia[i] > ib[j]) {
            j++;
        } else {
            dot += log1p(va[i]) * log1p(vb[j]);
            shared++;
            i++;
            j++;
        }
    }
    int64_t either = na + nb - shared;
    out[0] = (double)shared;
    out[1] = either ? (double)shared / (double)either : 0;
    out[2] = su > 0 && sv > 0 ? dot / (sqrt(su) * sqrt(sv)) : 0;
}

void lr__overlap(const lr_dataset *ds, int32_t u, int32_t v, double out[3])
{
    overlap_normed(ds, u, v, norm2(ds, u), norm2(ds, v), out);
}

static int are_friends(const lr_dataset *ds, int32_t u, int32_t v)
{
    return lr__csr_find(&ds->friends, u, v) >= 0;
}

/* Every non-friend pair, for graphs so dense that rejection would mostly
 * reject.  There are fewer of them than friend pairs, so memory stays
 * within what the friend matrix already takes. */
static int list_nonfriends(const lr_dataset *ds, int32_t **list, size_t *n)
{
    size_t count = 0, cap = 0;
    *list = NULL;
    for (int32_t u = 0; u < ds->n_users; u++)
        for (int32_t v = u + 1; v < ds->n_users; v++) {
            if (are_friends(ds, u, v))
                continue;
            if (lr__grow((void **)list, &cap, 2 * (count + 1), sizeof **list)) {
                free(*list);
                *list = NULL;
                return LR_E_NOMEM;
            }
            (*list)[2 * count] = u;
            (*list)[2 * count + 1] = v;
            count++;
        }
    *n = count;
    return LR_OK;
}

int lr__random_nonfriend_pairs(const lr_dataset *ds, uint64_t seed, size_t want,
                               int32_t *pairs, size_t *got)
{
    *got = 0;
    double users = ds->n_users;
    double all = users * (users - 1) / 2;
    double nonfriend = all - (double)(ds->friends.nnz / 2);
    if (want == 0 || nonfriend < 1)
        return LR_OK;
    lr__rng rng;
    lr__rng_seed(&rng, seed);
    if (nonfriend * 4 < all) {
        int32_t *list;
        size_t n;
        if (list_nonfriends(ds, &list, &n))
            return LR_E_NOMEM;
        for (size_t i = 0; i < want; i++) {
            size_t k = (size_t)lr__rng_below(&rng, n);
            pairs[2 * i] = list[2 * k];
            pairs[2 * i + 1] = list[2 * k + 1];
        }
        free(list);
        *got = want;
        return LR_OK;
    }
    /* At least a quarter of all pairs qualify: a few draws each. */
    for (size_t i = 0; i < want;) {
        int32_t u = (int32_t)lr__rng_below(&rng, (uint64_t)ds->n_users);
        int32_t v = (int32_t)lr__rng_below(&rng, (uint64_t)ds->n_users - 1);
        v += v >= u;
        if (are_friends(ds, u, v))
            continue;
        pairs[2 * i] = u < v ? u : v;
        pairs[2 * i + 1] = u < v ? v : u;
        i++;
    }
    *got = want;
    return LR_OK;
}

/* ------------------------------------------------------- distributions */

typedef struct dist {
    double *v;
    size_t n, cap;
} dist;

static int push(dist *d, double x)
{
    if (lr__grow((void **)&d->v, &d->cap, d->n + 1, sizeof *d->v))
        return LR_E_NOMEM;
    d->v[d->n++] = x;
    return LR_OK;
}

static int row_lengths(dist *d, const lr__csr *m)
{
    for (int32_t r = 0; r < m->rows; r++)
        if (push(d, (double)(m->ptr[r + 1] - m->ptr[r])))
            return LR_E_NOMEM;
    return LR_OK;
}

static int totals(dist *d, const double *t, int32_t n)
{
    for (int32_t i = 0; i < n; i++)
        if (push(d, t[i]))
            return LR_E_NOMEM;
    return LR_OK;
}

static int tag_use_counts(dist *d, const lr_dataset *ds)
{
    d->v = lr__calloc((size_t)ds->n_tags, sizeof *d->v);
    if (!d->v)
        return LR_E_NOMEM;
    d->n = d->cap = (size_t)ds->n_tags;
    for (int64_t i = 0; i < ds->n_tag_uses; i++)
        d->v[ds->tag_uses[i].tag] += 1;
    return LR_OK;
}

static double *all_norms(const lr_dataset *ds)
{
    double *n = lr__malloc((size_t)ds->n_users, sizeof *n);
    for (int32_t u = 0; n && u < ds->n_users; u++)
        n[u] = norm2(ds, u);
    return n;
}

static int friend_pairs(dist *d, const lr_dataset *ds, int measure)
{
    const lr__csr *f = &ds->friends;
    double *norm = all_norms(ds);
    int rc = norm ? LR_OK : LR_E_NOMEM;
    for (int32_t u = 0; rc == LR_OK && u < f->rows; u++)
        for (int64_t i = f->ptr[u]; rc == LR_OK && i < f->ptr[u + 1]; i++) {
            int32_t v = f->idx[i];
            if (v <= u)
                continue;
            double o[3];
            overlap_normed(ds, u, v, norm[u], norm[v], o);
            rc = push(d, o[measure]);
        }
    free(norm);
    return rc;
}

static int random_pairs(dist *d, const lr_dataset *ds, int measure)
{
    size_t want = (size_t)(ds->friends.nnz / 2), got = 0;
    int32_t *pairs = lr__malloc(2 * want, sizeof *pairs);
    double *norm = all_norms(ds);
    int rc = (!pairs || !norm) ? LR_E_NOMEM : LR_OK;
    if (rc == LR_OK)
        rc = lr__random_nonfriend_pairs(ds, (uint64_t)lr__opt_int(NULL, LR_OPT_SEED), want,
                                        pairs, &got);
    for (size_t i = 0; rc == LR_OK && i < got; i++) {
        int32_t u = pairs[2 * i], v = pairs[2 * i + 1];
        double o[3];
        overlap_normed(ds, u, v, norm[u], norm[v], o);
        rc = push(d, o[measure]);
    }
    free(pairs);
    free(norm);
    return rc;
}

static int64_t day_of(int64_t ms)
{
    int64_t d = ms / MS_PER_DAY;
    return (ms % MS_PER_DAY < 0) ? d - 1 : d;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Per tagged (user, artist): distinct days (sessions) or distinct tags.
 * Uses are sorted by (user, artist, tag, time), so a pair's uses are one
 * run and its distinct tags are the tag changes within the run. */
static int per_user_artist(dist *d, const lr_dataset *ds, int sessions)
{
    int64_t *days = NULL;
    size_t cap = 0;
    int rc = LR_OK;
    for (int64_t b = 0, e; rc == LR_OK && b < ds->n_tag_uses; b = e) {
        const lr__tag_use *t = ds->tag_uses;
        int64_t distinct = 1;
        for (e = b + 1; e < ds->n_tag_uses && t[e].user == t[b].user &&
                        t[e].artist == t[b].artist; e++)
            distinct += t[e].tag != t[e - 1].tag;
        if (sessions) {
            if (lr__grow((void **)&days, &cap, (size_t)(e - b), sizeof *days)) {
                rc = LR_E_NOMEM;
                break;
            }
            for (int64_t i = b; i < e; i++)
                days[i - b] = day_of(t[i].time_ms);
            qsort(days, (size_t)(e - b), sizeof *days, cmp_i64);
            distinct = 1;
            for (int64_t i = 1; i < e - b; i++)
                distinct += days[i] != days[i - 1];
        }
        rc = push(d, (double)distinct);
    }
    free(days);
    return rc;
}

static int user_tagged_artists(dist *d, const lr_dataset *ds)
{
    d->v = lr__calloc((size_t)ds->n_users, sizeof *d->v);
    if (!d->v)
        return LR_E_NOMEM;
    d->n = d->cap = (size_t)ds->n_users;
    const lr__tag_use *t = ds->tag_uses;
    for (int64_t i = 0; i < ds->n_tag_uses; i++)
        if (i == 0 || t[i].user != t[i - 1].user || t[i].artist != t[i - 1].artist)
            d->v[t[i].user] += 1;
    return LR_OK;
}

static int time_order(const void *pa, const void *pb)
{
    const lr__tag_use *a = pa, *b = pb;
    if (a->time_ms != b->time_ms)
        return a->time_ms < b->time_ms ? -1 : 1;
    if (a->artist != b->artist)
        return a->artist < b->artist ? -1 : 1;
    return (a->tag > b->tag) - (a->tag < b->tag);
}

/* Repeats among one user's uses u[0..n) (already in time order).
 * first[t] is the first artist the user gave tag t (-1: not yet), multi[t]
 * says a second artist got it too; both are reset before returning. */
static int64_t count_repeats(const lr__tag_use *u, int64_t n, int32_t *first, uint8_t *multi)
{
    int64_t repeats = 0;
    for (int64_t i = 0; i < n; i++) {
        int32_t t = u[i].tag, a = u[i].artist;
        if (multi[t] || (first[t] >= 0 && first[t] != a))
            repeats++;
        if (first[t] < 0)
            first[t] = a;
        else if (first[t] != a)
            multi[t] = 1;
    }
    for (int64_t i = 0; i < n; i++) {
        first[u[i].tag] = -1;
        multi[u[i].tag] = 0;
    }
    return repeats;
}

static int user_tag_repeats(dist *d, const lr_dataset *ds)
{
    int32_t *first = lr__malloc((size_t)ds->n_tags, sizeof *first);
    uint8_t *multi = lr__calloc((size_t)ds->n_tags, 1);
    lr__tag_use *buf = lr__malloc((size_t)ds->n_tag_uses, sizeof *buf);
    int rc = (!first || !multi || !buf) ? LR_E_NOMEM : LR_OK;
    for (int32_t t = 0; first && t < ds->n_tags; t++)
        first[t] = -1;
    for (int64_t b = 0, e; rc == LR_OK && b < ds->n_tag_uses; b = e) {
        for (e = b; e < ds->n_tag_uses && ds->tag_uses[e].user == ds->tag_uses[b].user; e++)
            ;
        memcpy(buf, ds->tag_uses + b, (size_t)(e - b) * sizeof *buf);
        qsort(buf, (size_t)(e - b), sizeof *buf, time_order);
        int64_t r = count_repeats(buf, e - b, first, multi);
        rc = push(d, (double)r / (double)(e - b));
    }
    free(first);
    free(multi);
    free(buf);
    return rc;
}

enum { SHARED = 0, JACCARD = 1, COSINE = 2 };

static int fill(dist *d, const lr_dataset *ds, int which)
{
    switch (which) {
    case LR_DIST_USER_LISTENS: return totals(d, ds->user_total, ds->n_users);
    case LR_DIST_ARTIST_LISTENS: return totals(d, ds->artist_total, ds->n_artists);
    case LR_DIST_USER_ARTISTS: return row_lengths(d, &ds->listens);
    case LR_DIST_ARTIST_FANS: return row_lengths(d, &ds->by_artist);
    case LR_DIST_USER_TAGGED_ARTISTS: return user_tagged_artists(d, ds);
    case LR_DIST_TAG_SESSIONS: return per_user_artist(d, ds, 1);
    case LR_DIST_TAGS_PER_USER_ARTIST: return per_user_artist(d, ds, 0);
    case LR_DIST_FRIEND_JACCARD: return friend_pairs(d, ds, JACCARD);
    case LR_DIST_RANDOM_JACCARD: return random_pairs(d, ds, JACCARD);
    case LR_DIST_FRIEND_COSINE: return friend_pairs(d, ds, COSINE);
    case LR_DIST_RANDOM_COSINE: return random_pairs(d, ds, COSINE);
    case LR_DIST_FRIEND_SHARED: return friend_pairs(d, ds, SHARED);
    case LR_DIST_RANDOM_SHARED: return random_pairs(d, ds, SHARED);
    case LR_DIST_TAG_USES: return tag_use_counts(d, ds);
    case LR_DIST_USER_TAG_REPEATS: return user_tag_repeats(d, ds);
    default: return LR_E_INVALID;
    }
}

int lr__distribution(const lr_dataset *ds, int which, double **out, size_t *n)
{
    dist d = {0};
    *out = NULL;
    *n = 0;
    int rc = fill(&d, ds, which);
    if (rc == LR_E_INVALID)
        return lr__fail(rc, "unknown distribution %d", which);
    if (rc) {
        free(d.v);
        return lr__fail_oom("the distribution");
    }
    /* An empty distribution still hands out a pointer, so NULL means failure. */
    if (!d.v && !(d.v = lr__malloc(0, sizeof *d.v)))
        return lr__fail_oom("the distribution");
    *out = d.v;
    *n = d.n;
    return LR_OK;
}
