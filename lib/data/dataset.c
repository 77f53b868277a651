/* SPDX-License-Identifier: MIT */
#include "data/dataset.h"
#include "core/alloc.h"
#include "core/error.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

lr_dataset *lr__dataset_alloc(int kind, const char *source)
{
    lr_dataset *ds = lr__calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    ds->kind = kind;
    ds->source = lr__strdup(source ? source : "");
    if (!ds->source) {
        free(ds);
        return NULL;
    }
    return ds;
}

static void free_derived(lr_dataset *ds)
{
    lr__csr_free(&ds->by_artist);
    lr__csr_free(&ds->artist_tags);
    lr__csr_free(&ds->user_tags);
    free(ds->user_total);
    free(ds->artist_total);
    free(ds->artist_top_tag);
    free(ds->user_top_tag);
    ds->user_total = ds->artist_total = NULL;
    ds->artist_top_tag = ds->user_top_tag = NULL;
}

void lr_dataset_free(lr_dataset *ds)
{
    if (!ds)
        return;
    free_derived(ds);
    free(ds->source);
    free(ds->user_ids);
    free(ds->artist_ids);
    free(ds->tag_ids);
    lr__strtab_free(&ds->artist_names);
    lr__strtab_free(&ds->tag_names);
    lr__strtab_free(&ds->user_keys);
    lr__csr_free(&ds->listens);
    free(ds->tag_uses);
    lr__csr_free(&ds->friends);
    free(ds);
}

/* Most used column of each row; ties go to the lower index, which is the
 * lower external ID because indices follow ID order. */
static int32_t *row_argmax(const lr__csr *m)
{
    int32_t *top = lr__malloc((size_t)m->rows, sizeof *top);
    if (!top)
        return NULL;
    for (int32_t r = 0; r < m->rows; r++) {
        int32_t best = -1;
        float bv = 0;
        for (int64_t i = m->ptr[r]; i < m->ptr[r + 1]; i++)
            if (m->val[i] > bv) {
                bv = m->val[i];
                best = m->idx[i];
            }
        top[r] = best;
    }
    return top;
}

int lr__dataset_derive(lr_dataset *ds)
{
    free_derived(ds);
    int rc = lr__csr_transpose(&ds->by_artist, &ds->listens);
    if (rc)
        return rc;
    ds->user_total = lr__calloc((size_t)ds->n_users, sizeof *ds->user_total);
    ds->artist_total = lr__calloc((size_t)ds->n_artists, sizeof *ds->artist_total);
    size_t n = (size_t)ds->n_tag_uses;
    int32_t *rows = lr__malloc(n, sizeof *rows);
    int32_t *cols = lr__malloc(n, sizeof *cols);
    if (!ds->user_total || !ds->artist_total || !rows || !cols) {
        free(rows);
        free(cols);
        free_derived(ds);
        return lr__fail_oom("the dataset's statistics and matrices");
    }
    /* Sums in double: the real data's totals exceed float's exact range. */
    for (int32_t u = 0; u < ds->n_users; u++)
        for (int64_t i = ds->listens.ptr[u]; i < ds->listens.ptr[u + 1]; i++) {
            double w = ds->listens.val[i];
            ds->user_total[u] += w;
            ds->artist_total[ds->listens.idx[i]] += w;
        }
    for (size_t i = 0; i < n; i++) {
        rows[i] = ds->tag_uses[i].artist;
        cols[i] = ds->tag_uses[i].tag;
    }
    rc = lr__csr_count_pairs(&ds->artist_tags, ds->n_artists, ds->n_tags, rows, cols, n);
    if (rc == LR_OK) {
        for (size_t i = 0; i < n; i++)
            rows[i] = ds->tag_uses[i].user;
        rc = lr__csr_count_pairs(&ds->user_tags, ds->n_users, ds->n_tags, rows, cols, n);
    }
    free(rows);
    free(cols);
    if (rc == LR_OK) {
        ds->artist_top_tag = row_argmax(&ds->artist_tags);
        ds->user_top_tag = row_argmax(&ds->user_tags);
        if (!ds->artist_top_tag || !ds->user_top_tag)
            rc = lr__fail_oom("the top tags");
    }
    if (rc)
        free_derived(ds);
    return rc;
}

int lr__dataset_copy_catalogue(lr_dataset **out, const lr_dataset *src, int kind,
                               const char *source)
{
    *out = NULL;
    lr_dataset *ds = lr__dataset_alloc(kind, source);
    if (!ds)
        return lr__fail_oom("the dataset");
    ds->n_users = src->n_users;
    ds->n_artists = src->n_artists;
    ds->n_tags = src->n_tags;
    ds->report = src->report;
    ds->n_tag_uses = src->n_tag_uses;
    ds->user_ids = lr__malloc((size_t)src->n_users, sizeof(int32_t));
    ds->artist_ids = lr__malloc((size_t)src->n_artists, sizeof(int32_t));
    ds->tag_ids = lr__malloc((size_t)src->n_tags, sizeof(int32_t));
    ds->tag_uses = lr__malloc((size_t)src->n_tag_uses, sizeof(lr__tag_use));
    int rc = LR_OK;
    if (!ds->user_ids || !ds->artist_ids || !ds->tag_ids || !ds->tag_uses)
        rc = lr__fail_oom("the dataset's IDs and tag uses");
    if (rc == LR_OK) {
        lr__copy(ds->user_ids, src->user_ids, (size_t)src->n_users, sizeof(int32_t));
        lr__copy(ds->artist_ids, src->artist_ids, (size_t)src->n_artists, sizeof(int32_t));
        lr__copy(ds->tag_ids, src->tag_ids, (size_t)src->n_tags, sizeof(int32_t));
        lr__copy(ds->tag_uses, src->tag_uses, (size_t)src->n_tag_uses, sizeof(lr__tag_use));
        rc = lr__strtab_copy(&ds->artist_names, &src->artist_names);
    }
    if (rc == LR_OK)
        rc = lr__strtab_copy(&ds->tag_names, &src->tag_names);
    if (rc == LR_OK && src->user_keys.n)
        rc = lr__strtab_copy(&ds->user_keys, &src->user_keys);
    if (rc == LR_OK)
        rc = lr__csr_copy(&ds->friends, &src->friends);
    if (rc) {
        lr_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return LR_OK;
}

int32_t lr__index_of(const int32_t *ids, int32_t n, int32_t id)
{
    int32_t lo = 0, hi = n;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < n && ids[lo] == id) ? lo : -1;
}

static int ua_cmp(const lr__tag_use *x, int32_t u, int32_t a)
{
    if (x->user != u)
        return x->user < u ? -1 : 1;
    if (x->artist != a)
        return x->artist < a ? -1 : 1;
    return 0;
}

int lr__tag_use_cmp(const void *pa, const void *pb)
{
    const lr__tag_use *a = pa, *b = pb;
    if (a->user != b->user)
        return a->user < b->user ? -1 : 1;
    if (a->artist != b->artist)
        return a->artist < b->artist ? -1 : 1;
    if (a->tag != b->tag)
        return a->tag < b->tag ? -1 : 1;
    return (a->time_ms > b->time_ms) - (a->time_ms < b->time_ms);
}

int64_t lr__dataset_ua_tags(const lr_dataset *ds, int32_t u, int32_t a,
                            const lr__tag_use **first)
{
    int64_t lo = 0, hi = ds->n_tag_uses;
    while (lo < hi) { /* first use not below (u, a) */
        int64_t mid = lo + (hi - lo) / 2;
        if (ua_cmp(&ds->tag_uses[mid], u, a) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    int64_t e = lo;
    while (e < ds->n_tag_uses && ua_cmp(&ds->tag_uses[e], u, a) == 0)
        e++;
    *first = ds->tag_uses + lo;
    return e - lo;
}

int lr__strtab_from_array(lr__strtab *t, char *const *strs, int32_t n)
{
    memset(t, 0, sizeof *t);
    size_t total = 0;
    for (int32_t i = 0; i < n; i++)
        total += strlen(strs[i]) + 1;
    t->off = lr__malloc((size_t)n + 1, sizeof *t->off);
    t->blob = lr__malloc(total, 1);
    if (!t->off || !t->blob) {
        lr__strtab_free(t);
        return lr__fail_oom("a string table");
    }
    t->n = n;
    size_t o = 0;
    for (int32_t i = 0; i < n; i++) {
        size_t l = strlen(strs[i]) + 1;
        t->off[i] = (int64_t)o;
        memcpy(t->blob + o, strs[i], l);
        o += l;
    }
    t->off[n] = (int64_t)o;
    return LR_OK;
}

int lr__strtab_copy(lr__strtab *out, const lr__strtab *t)
{
    memset(out, 0, sizeof *out);
    size_t bytes = t->off ? (size_t)t->off[t->n] : 0;
    out->off = lr__malloc((size_t)t->n + 1, sizeof *out->off);
    out->blob = lr__malloc(bytes, 1);
    if (!out->off || !out->blob) {
        lr__strtab_free(out);
        return lr__fail_oom("a copy of a string table");
    }
    out->n = t->n;
    if (t->off)
        memcpy(out->off, t->off, ((size_t)t->n + 1) * sizeof *out->off);
    else
        out->off[0] = 0;
    if (bytes)
        memcpy(out->blob, t->blob, bytes);
    return LR_OK;
}

void lr__strtab_free(lr__strtab *t)
{
    free(t->off);
    free(t->blob);
    memset(t, 0, sizeof *t);
}

typedef struct tag_key {
    const char *name;
    int32_t idx;
} tag_key;

static int tag_key_cmp(const void *pa, const void *pb)
{
    const tag_key *a = pa, *b = pb;
    int c = strcasecmp(a->name, b->name);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

int lr__tag_display_canon(const lr_dataset *ds, int32_t *canon)
{
    const int32_t n = ds->n_tags;
    if (n <= 0)
        return LR_OK;
    tag_key *keys = lr__malloc((size_t)n, sizeof *keys);
    double *uses = lr__calloc((size_t)n, sizeof *uses);
    if (!keys || !uses) {
        free(keys);
        free(uses);
        return lr__fail_oom("the tag statistics");
    }
    const lr__csr *at = &ds->artist_tags;
    for (int64_t i = 0; at->ptr && at->val && i < at->nnz; i++)
        uses[at->idx[i]] += at->val[i];
    for (int32_t t = 0; t < n; t++)
        keys[t] = (tag_key){lr__strtab_get(&ds->tag_names, t), t};
    qsort(keys, (size_t)n, sizeof *keys, tag_key_cmp);
    for (int32_t i = 0; i < n;) {
        int32_t j = i, best = keys[i].idx;
        /* a group is in index order, so a later member wins only by more uses */
        while (j < n && !strcasecmp(keys[j].name, keys[i].name)) {
            if (uses[keys[j].idx] > uses[best])
                best = keys[j].idx;
            j++;
        }
        for (int32_t g = i; g < j; g++)
            canon[keys[g].idx] = best;
        i = j;
    }
    free(keys);
    free(uses);
    return LR_OK;
}

char *lr__camel_case(const char *name)
{
    size_t n = strlen(name);
    char *out = lr__malloc(n + 1, 1);
    if (!out)
        return NULL;
    size_t o = 0;
    int start = 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c == ' ' || c == '\t' || c == '-' || c == '_') {
            start = 1;
            continue;
        }
        if (c < 0x80 && isalpha(c))
            out[o++] = (char)(start ? toupper(c) : tolower(c));
        else
            out[o++] = (char)c;
        start = 0;
    }
    out[o] = '\0';
    /* A name of separators only ("-") keeps its text rather than vanish. */
    if (o == 0) {
        memcpy(out, name, n + 1);
    }
    return out;
}
