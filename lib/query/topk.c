/* SPDX-License-Identifier: MIT */
#include "query/topk.h"

#include <math.h>

/* The heap keeps the worst of the best k at its root: the lower score, or
 * the same score and the higher index. */
static inline int worse(float sa, int32_t ia, float sb, int32_t ib)
{
    return sa < sb || (sa == sb && ia > ib);
}

static void sift_down(float *s, int32_t *ix, int32_t n, int32_t i)
{
    for (;;) {
        int32_t l = 2 * i + 1, w = i;
        if (l < n && worse(s[l], ix[l], s[w], ix[w]))
            w = l;
        if (l + 1 < n && worse(s[l + 1], ix[l + 1], s[w], ix[w]))
            w = l + 1;
        if (w == i)
            return;
        float ts = s[i];
        int32_t ti = ix[i];
        s[i] = s[w];
        ix[i] = ix[w];
        s[w] = ts;
        ix[w] = ti;
        i = w;
    }
}

static void sift_up(float *s, int32_t *ix, int32_t i)
{
    while (i > 0) {
        int32_t p = (i - 1) / 2;
        if (!worse(s[i], ix[i], s[p], ix[p]))
            return;
        float ts = s[i];
        int32_t ti = ix[i];
        s[i] = s[p];
        ix[i] = ix[p];
        s[p] = ts;
        ix[p] = ti;
        i = p;
    }
}

#define CHUNK 16

typedef struct heap {
    int32_t k, filled;
    float *s;
    int32_t *ix;
} heap;

static inline void take(heap *h, float s, int32_t i)
{
    h->s[0] = s;
    h->ix[0] = i;
    sift_down(h->s, h->ix, h->k, 0);
}

/* Offer scores[lo, hi) to the heap. */
static void offer(heap *h, const float *scores, const unsigned char *allow, int32_t lo,
                  int32_t hi)
{
    int32_t a = lo;
    for (; a < hi && h->filled < h->k; a++) {
        float s = scores[a];
        if (isnan(s) || (allow && !allow[a]))
            continue;
        h->s[h->filled] = s;
        h->ix[h->filled] = a;
        sift_up(h->s, h->ix, h->filled);
        h->filled++;
    }
    if (a >= hi)
        return;
    /* Scores arrive by ascending index, so every entry in the heap has a
     * lower index than the candidate: an equal score never displaces one,
     * and "strictly greater than the k-th best" is the whole tie rule.  A
     * NaN compares false and stays out. */
    float thr = h->s[0];
    if (allow) {
        for (; a + CHUNK <= hi; a += CHUNK) {
            int any = 0;
            for (int j = 0; j < CHUNK; j++)
                any |= (scores[a + j] > thr) & (allow[a + j] != 0);
            if (!any)
                continue;
            for (int j = 0; j < CHUNK; j++)
                if (scores[a + j] > thr && allow[a + j]) {
                    take(h, scores[a + j], a + j);
                    thr = h->s[0];
                }
        }
        for (; a < hi; a++)
            if (scores[a] > thr && allow[a]) {
                take(h, scores[a], a);
                thr = h->s[0];
            }
        return;
    }
    for (; a + CHUNK <= hi; a += CHUNK) {
        /* Most chunks hold nothing better than the k-th best; this test is
         * branch-free and vectorises, a per-score branch does not. */
        int any = 0;
        for (int j = 0; j < CHUNK; j++)
            any |= scores[a + j] > thr;
        if (!any)
            continue;
        for (int j = 0; j < CHUNK; j++)
            if (scores[a + j] > thr) {
                take(h, scores[a + j], a + j);
                thr = h->s[0];
            }
    }
    for (; a < hi; a++)
        if (scores[a] > thr) {
            take(h, scores[a], a);
            thr = h->s[0];
        }
}

int32_t lr__topk(int32_t k, const float *scores, int32_t n, const int32_t *skip,
                 int64_t n_skip, const unsigned char *allow, float *top_score,
                 int32_t *top_index)
{
    heap h = {k, 0, top_score, top_index};
    int32_t lo = 0;
    for (int64_t i = 0; i < n_skip; i++) {
        offer(&h, scores, allow, lo, skip[i]);
        lo = skip[i] + 1;
    }
    offer(&h, scores, allow, lo, n);
    /* In-place heap sort: the worst goes to the end each round, so the
     * arrays end up best first. */
    for (int32_t m = h.filled - 1; m > 0; m--) {
        float ts = top_score[0];
        int32_t ti = top_index[0];
        top_score[0] = top_score[m];
        top_index[0] = top_index[m];
        top_score[m] = ts;
        top_index[m] = ti;
        sift_down(top_score, top_index, m, 0);
    }
    return h.filled;
}
