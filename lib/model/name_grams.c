/* Artist names as character n-gram tf-idf vectors; lib/model/name_grams.h
 * has the contract.  SPDX-License-Identifier: MIT */
#include "model/name_grams.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { MIN_N = 2, MAX_N = 4 };

/* FNV-1a over the code points' four bytes each. */
static uint64_t hash_gram(const uint32_t *cp, int n)
{
    uint64_t h = 14695981039346656037ULL;
    for (int i = 0; i < n; i++)
        for (int b = 0; b < 4; b++) {
            h ^= (cp[i] >> (8 * b)) & 0xFF;
            h *= 1099511628211ULL;
        }
    return h;
}

/* The n-grams of one padded word w[len] into keys (NULL: count only), as
 * the header says; returns how many. */
static size_t word_grams(const uint32_t *w, size_t len, uint64_t *keys)
{
    size_t k = 0;
    for (int n = MIN_N; n <= MAX_N; n++) {
        if (len <= (size_t)n) {
            /* shorter than n, or exactly n: the word once, then no more */
            if (keys)
                keys[k] = hash_gram(w, (int)len);
            k++;
            break;
        }
        for (size_t off = 0; off + (size_t)n <= len; off++, k++)
            if (keys)
                keys[k] = hash_gram(w + off, n);
    }
    return k;
}

/* The n-grams of name s into keys (NULL: count only); w has room for the
 * name's bytes + 2 code points.  Returns how many. */
static size_t name_grams(const char *s, uint32_t *w, uint64_t *keys)
{
    const unsigned char *p = (const unsigned char *)s;
    const size_t n = strlen(s);
    size_t i = 0, k = 0, len = 0;
    for (;;) {
        uint32_t cp = 0;
        size_t step = 0;
        if (i < n) {
            step = lr__utf8_seq(p + i, n - i, &cp);
            if (step == 0) { /* not UTF-8: the byte as itself */
                cp = p[i];
                step = 1;
            }
        }
        if (i >= n || lr__cp_is_space(cp)) {
            if (len > 0) {
                w[0] = ' ';
                w[len + 1] = ' ';
                k += word_grams(w, len + 2, keys ? keys + k : NULL);
                len = 0;
            }
            if (i >= n)
                return k;
        } else {
            w[++len] = lr__cp_lower(cp);
        }
        i += step;
    }
}

static int u64_cmp(const void *a, const void *b)
{
    const uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Index of key in sorted uniq[n] (present by construction). */
static int64_t find(const uint64_t *uniq, int64_t n, uint64_t key)
{
    int64_t lo = 0, hi = n - 1;
    while (lo < hi) {
        const int64_t mid = lo + (hi - lo) / 2;
        if (uniq[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int lr__name_grams(lr__csr *out, const lr__strtab *names, int32_t n)
{
    memset(out, 0, sizeof *out);
    size_t longest = 0;
    for (int32_t a = 0; a < n; a++) {
        const size_t len = strlen(lr__strtab_get(names, a));
        longest = len > longest ? len : longest;
    }
    int64_t *ptr = lr__calloc((size_t)n + 1, sizeof *ptr);
    uint32_t *w = lr__malloc(longest + 2, sizeof *w);
    if (!ptr || !w) {
        free(ptr);
        free(w);
        return lr__fail_oom("the artist names' n-grams (%d names)", n);
    }
    for (int32_t a = 0; a < n; a++)
        ptr[a + 1] = ptr[a] + (int64_t)name_grams(lr__strtab_get(names, a), w, NULL);
    const int64_t total = ptr[n];
    uint64_t *keys = lr__malloc((size_t)total + 1, sizeof *keys);
    uint64_t *uniq = lr__malloc((size_t)total + 1, sizeof *uniq);
    int32_t *df = NULL, *fid = NULL;
    int rc = LR_OK;
    if (!keys || !uniq) {
        rc = lr__fail_oom("the artist names' n-grams (%lld)", (long long)total);
        goto done;
    }
    for (int32_t a = 0; a < n; a++) {
        name_grams(lr__strtab_get(names, a), w, keys + ptr[a]);
        qsort(keys + ptr[a], (size_t)(ptr[a + 1] - ptr[a]), sizeof *keys, u64_cmp);
    }
    memcpy(uniq, keys, (size_t)total * sizeof *keys);
    qsort(uniq, (size_t)total, sizeof *uniq, u64_cmp);
    int64_t nu = 0;
    for (int64_t i = 0; i < total; i++)
        if (nu == 0 || uniq[nu - 1] != uniq[i])
            uniq[nu++] = uniq[i];
    df = lr__calloc((size_t)nu + 1, sizeof *df);
    fid = lr__malloc((size_t)nu + 1, sizeof *fid);
    if (!df || !fid) {
        rc = lr__fail_oom("the artist names' n-gram counts (%lld)", (long long)nu);
        goto done;
    }
    int64_t nnz = 0;
    for (int32_t a = 0; a < n; a++)
        for (int64_t i = ptr[a]; i < ptr[a + 1]; i++)
            if (i == ptr[a] || keys[i] != keys[i - 1])
                df[find(uniq, nu, keys[i])]++;
    int32_t nf = 0;
    for (int64_t i = 0; i < nu; i++)
        fid[i] = df[i] >= 2 ? nf++ : -1;
    for (int32_t a = 0; a < n; a++)
        for (int64_t i = ptr[a]; i < ptr[a + 1]; i++)
            if ((i == ptr[a] || keys[i] != keys[i - 1]) && fid[find(uniq, nu, keys[i])] >= 0)
                nnz++;
    out->rows = n;
    out->cols = nf;
    out->nnz = nnz;
    out->ptr = lr__calloc((size_t)n + 1, sizeof *out->ptr);
    out->idx = lr__malloc((size_t)nnz + 1, sizeof *out->idx);
    out->val = lr__malloc((size_t)nnz + 1, sizeof *out->val);
    if (!out->ptr || !out->idx || !out->val) {
        lr__csr_free(out);
        rc = lr__fail_oom("the artist names' vectors (%lld entries)", (long long)nnz);
        goto done;
    }
    int64_t q = 0;
    for (int32_t a = 0; a < n; a++) {
        double ss = 0.0;
        const int64_t row0 = q;
        for (int64_t i = ptr[a]; i < ptr[a + 1];) {
            int64_t j = i + 1;
            while (j < ptr[a + 1] && keys[j] == keys[i])
                j++;
            const int64_t u = find(uniq, nu, keys[i]);
            if (fid[u] >= 0) {
                const double v = (1.0 + log((double)(j - i))) *
                                 (log((1.0 + n) / (1.0 + df[u])) + 1.0);
                out->idx[q] = fid[u];
                out->val[q++] = (float)v;
                ss += v * v;
            }
            i = j;
        }
        const double inv = ss > 0 ? 1.0 / sqrt(ss) : 0.0;
        for (int64_t i = row0; i < q; i++)
            out->val[i] = (float)(out->val[i] * inv);
        out->ptr[a + 1] = q;
    }
done:
    free(ptr);
    free(w);
    free(keys);
    free(uniq);
    free(df);
    free(fid);
    return rc;
}
