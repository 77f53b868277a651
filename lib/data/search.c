/* SPDX-License-Identifier: MIT */
#include "data/search.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/utf8.h"

#include <stdlib.h>
#include <string.h>

typedef struct match {
    int32_t artist;
    int32_t rank; /* 0 exact, 1 prefix, 2 inside */
    int64_t fans;
} match;

static int match_cmp(const void *pa, const void *pb)
{
    const match *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    if (a->fans != b->fans)
        return a->fans > b->fans ? -1 : 1;
    /* Indices follow external IDs, so this is "lower ID first". */
    return (a->artist > b->artist) - (a->artist < b->artist);
}

/* A name's search key in *buf (grown as needed).  Most names are ASCII,
 * whose key is just the lower-case copy; folding them in place spares the
 * allocation lr__utf8_fold makes, which keeps a scan of the real
 * catalogue well under a millisecond. */
static const char *fold_name(const char *name, char **buf, size_t *cap)
{
    size_t n = 0;
    int ascii = 1;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++, n++)
        ascii &= *p < 0x80;
    if (!ascii)
        return lr__utf8_fold(name); /* caller frees when it is not *buf */
    if (lr__grow((void **)buf, cap, n + 1, 1))
        return NULL;
    for (size_t i = 0; i <= n; i++) {
        char c = name[i];
        (*buf)[i] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    return *buf;
}

static char *fold_query(const char *text)
{
    char *fixed = lr__utf8_repair(text, strlen(text), NULL);
    if (!fixed)
        return NULL;
    char *key = lr__utf8_fold(fixed);
    free(fixed);
    return key;
}

int lr__search_keys(const lr__strtab *names, lr__strtab *keys)
{
    memset(keys, 0, sizeof *keys);
    size_t cap = 0, used = 0, bcap = 0;
    char *buf = NULL;
    keys->off = lr__malloc((size_t)names->n + 1, sizeof *keys->off);
    if (!keys->off)
        return lr__fail_oom("the search keys' offsets");
    for (int32_t a = 0; a < names->n; a++) {
        const char *name = fold_name(lr__strtab_get(names, a), &buf, &bcap);
        const size_t len = name ? strlen(name) + 1 : 0;
        if (!name || lr__grow((void **)&keys->blob, &cap, used + len, 1)) {
            if (name && name != buf)
                free((void *)name);
            free(buf);
            lr__strtab_free(keys);
            return lr__fail_oom("the search keys");
        }
        keys->off[a] = (int64_t)used;
        memcpy(keys->blob + used, name, len);
        used += len;
        if (name != buf)
            free((void *)name);
    }
    free(buf);
    keys->off[names->n] = (int64_t)used;
    keys->n = names->n;
    return LR_OK;
}

/* Append every matching name to m (room for all names). */
static int collect(const lr__strtab *names, const lr__strtab *keys, lr__fans_fn fans,
                   const void *ctx, const char *key, match *m, size_t *nm)
{
    size_t klen = strlen(key), cap = 0, n = 0;
    char *buf = NULL;
    int rc = LR_OK;
    for (int32_t a = 0; a < names->n; a++) {
        const char *name = keys ? lr__strtab_get(keys, a)
                                : fold_name(lr__strtab_get(names, a), &buf, &cap);
        if (!name) {
            rc = lr__fail_oom("a folded artist name");
            break;
        }
        const char *at = strstr(name, key);
        if (at) {
            m[n].artist = a;
            m[n].rank = at != name ? 2 : name[klen] ? 1 : 0;
            m[n].fans = fans(ctx, a);
            n++;
        }
        if (!keys && name != buf)
            free((void *)name);
    }
    free(buf);
    *nm = n;
    return rc;
}

int lr__search_names(const lr__strtab *names, const lr__strtab *keys, lr__fans_fn fans,
                     const void *ctx, const char *text, int32_t *idx, size_t capacity,
                     size_t *found, size_t *exact)
{
    *found = 0;
    if (exact)
        *exact = 0;
    char *key = fold_query(text);
    match *m = lr__malloc((size_t)names->n, sizeof *m);
    if (!key || !m) {
        free(key);
        free(m);
        return lr__fail_oom("the search's matches");
    }
    size_t n;
    int rc = collect(names, keys, fans, ctx, key, m, &n);
    free(key);
    if (rc == LR_OK) {
        qsort(m, n, sizeof *m, match_cmp);
        for (size_t i = 0; i < n && i < capacity; i++)
            idx[i] = m[i].artist;
        *found = n;
        for (size_t i = 0; exact && i < n && m[i].rank == 0; i++)
            ++*exact;
    }
    free(m);
    return rc;
}

static int64_t dataset_fans(const void *ctx, int32_t a)
{
    const lr_dataset *ds = ctx;
    return ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a];
}

int lr__find_artist(const lr_dataset *ds, const char *text, int32_t *idx,
                    size_t capacity, size_t *found)
{
    return lr__search_names(&ds->artist_names, NULL, dataset_fans, ds, text, idx, capacity,
                            found, NULL);
}
