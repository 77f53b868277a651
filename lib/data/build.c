/* SPDX-License-Identifier: MIT
 *
 * Everything that relates rows to other rows or other files: duplicate
 * rows and IDs, unknown IDs, the tag policies and the friend symmetry.
 * docs/data.md is the policy; this file is its implementation.  Row i of a
 * raw table is line lr__tsv_row_line(i) of its file.
 */
#include "data/build.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "core/options.h"
#include "core/progress.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Row i of a raw table is line lr__tsv_row_line(i) of its file, or, from
 * the in-memory builder (elements set), element i of its calls; `path` is
 * then the call ("lr_dataset_builder_finish: listens"). */
static int row_fail(int status, const char *path, int elements, size_t row,
                    const char *field, const char *fmt, ...) LR_PRINTF(6, 7);

static int row_fail(int status, const char *path, int elements, size_t row,
                    const char *field, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!elements)
        return lr__fail_at(status, path, lr__tsv_row_line(row), field, "%s", msg);
    if (field)
        return lr__fail(status, "%s: element %zu: field '%s': %s", path, row, field, msg);
    return lr__fail(status, "%s: element %zu: %s", path, row, msg);
}

/* "line 7" or "element 5", for messages that name a second row. */
typedef struct rowname {
    char s[40];
} rowname;

static rowname row_name(int elements, size_t row)
{
    rowname r;
    if (elements)
        snprintf(r.s, sizeof r.s, "element %zu", row);
    else
        snprintf(r.s, sizeof r.s, "line %llu", (unsigned long long)lr__tsv_row_line(row));
    return r;
}

/* ------------------------------------------------------------ row order */

static int row_less(const int32_t *const *keys, int nkeys, size_t a, size_t b)
{
    for (int k = 0; k < nkeys; k++)
        if (keys[k][a] != keys[k][b])
            return keys[k][a] < keys[k][b];
    return 0;
}

static int rows_in_order(const int32_t *const *keys, int nkeys, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (row_less(keys, nkeys, i, i - 1))
            return 0;
    return 1;
}

#define RADIX 65536

/* One stable counting-sort pass over a 16-bit digit of the key.  Returns 0
 * without moving anything when all rows share the digit, which for small
 * IDs skips every high-half pass. */
static int radix_pass(size_t *dst, const size_t *src, size_t n, const int32_t *key,
                      int shift, size_t *cnt)
{
    memset(cnt, 0, (RADIX + 1) * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[(((uint32_t)key[src[i]] >> shift) & 0xffff) + 1]++;
    for (size_t d = 1; d <= RADIX; d++)
        if (cnt[d] == n)
            return 0;
    for (size_t d = 0; d < RADIX; d++)
        cnt[d + 1] += cnt[d];
    for (size_t i = 0; i < n; i++)
        dst[cnt[((uint32_t)key[src[i]] >> shift) & 0xffff]++] = src[i];
    return 1;
}

/* Rows 0..n-1 ordered by non-negative key columns (most significant
 * first), equal rows in file order, so of two equal rows the earlier line
 * comes first.  LSD radix sort: O(n) per key, none at all for files
 * already in order, as the HetRec files are. */
static int order_rows(size_t **out, size_t n, const int32_t *const *keys, int nkeys)
{
    size_t *perm = lr__malloc(n, sizeof *perm);
    *out = NULL;
    if (!perm)
        return lr__fail_oom("the ID sort's permutation");
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    if (!rows_in_order(keys, nkeys, n)) {
        size_t *tmp = lr__malloc(n, sizeof *tmp);
        size_t *cnt = lr__malloc(RADIX + 1, sizeof *cnt);
        if (!tmp || !cnt) {
            free(tmp);
            free(cnt);
            free(perm);
            return lr__fail_oom("the ID sort's buckets");
        }
        for (int k = nkeys - 1; k >= 0; k--)
            for (int shift = 0; shift < 32; shift += 16)
                if (radix_pass(tmp, perm, n, keys[k], shift, cnt)) {
                    size_t *s = perm;
                    perm = tmp;
                    tmp = s;
                }
        free(tmp);
        free(cnt);
    }
    *out = perm;
    return LR_OK;
}

/* The distinct values of a column, ascending. */
static int distinct_ids(const int32_t *col, size_t n, int32_t **ids, int32_t *count,
                        const char *path)
{
    const int32_t *keys[1] = {col};
    size_t *perm;
    *ids = NULL;
    int rc = order_rows(&perm, n, keys, 1);
    if (rc)
        return rc;
    int32_t *v = lr__malloc(n, sizeof *v);
    if (!v) {
        free(perm);
        return lr__fail_oom("the sorted IDs");
    }
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (m == 0 || v[m - 1] != col[perm[k]])
            v[m++] = col[perm[k]];
    free(perm);
    if (m > INT32_MAX) {
        free(v);
        return lr__fail_at(LR_E_RANGE, path, 0, NULL, "more than %d distinct IDs", INT32_MAX);
    }
    *ids = v;
    *count = (int32_t)m;
    return LR_OK;
}

/* ------------------------------------------------------------ ID lookup */

/* External ID -> dense index: a direct table when the IDs are dense enough
 * (HetRec IDs are), a binary search otherwise. */
typedef struct idmap {
    const int32_t *ids;
    int32_t n;
    int32_t *direct;
    int64_t span;
} idmap;

static int idmap_init(idmap *m, const int32_t *ids, int32_t n)
{
    memset(m, 0, sizeof *m);
    m->ids = ids;
    m->n = n;
    if (n == 0)
        return LR_OK;
    int64_t span = (int64_t)ids[n - 1] + 1;
    if (span > 16 * (int64_t)n + 65536)
        return LR_OK;
    m->direct = lr__malloc((size_t)span, sizeof *m->direct);
    if (!m->direct)
        return lr__fail_oom("the ID lookup table");
    memset(m->direct, 0xff, (size_t)span * sizeof *m->direct); /* all -1 */
    for (int32_t i = 0; i < n; i++)
        m->direct[ids[i]] = i;
    m->span = span;
    return LR_OK;
}

static inline int32_t idmap_get(const idmap *m, int32_t id)
{
    if (m->direct)
        return (id >= 0 && id < m->span) ? m->direct[id] : -1;
    return lr__index_of(m->ids, m->n, id);
}

static void idmap_free(idmap *m)
{
    free(m->direct);
    memset(m, 0, sizeof *m);
}

/* ----------------------------------------------------- shared pieces */

static int listen_duplicate(const lr__raw_listens *l, size_t later)
{
    size_t first = 0;
    while (first < later &&
           (l->user[first] != l->user[later] || l->artist[first] != l->artist[later]))
        first++;
    return row_fail(LR_E_DUPLICATE, l->path, l->elements, later, NULL,
                       "user %d and artist %d repeat %s", l->user[later],
                       l->artist[later], row_name(l->elements, first).s);
}

/* Listens as CSR over the users and artists of the maps; `where` names
 * what an unknown ID is missing from. */
static int listens_csr(lr__csr *m, const lr__raw_listens *l, const idmap *users,
                       const idmap *artists, const char *where)
{
    lr__triplet *t = lr__malloc(l->n, sizeof *t);
    if (!t)
        return lr__fail_oom("the listens' triplets");
    int rc = LR_OK;
    for (size_t i = 0; i < l->n && rc == LR_OK; i++) {
        t[i].row = idmap_get(users, l->user[i]);
        t[i].col = idmap_get(artists, l->artist[i]);
        t[i].val = (float)l->weight[i];
        if (t[i].row < 0)
            rc = row_fail(LR_E_NOTFOUND, l->path, l->elements, i, "userID",
                             "user %d is not in %s", l->user[i], where);
        else if (t[i].col < 0)
            rc = row_fail(LR_E_NOTFOUND, l->path, l->elements, i, "artistID",
                             "artist %d is not in %s", l->artist[i], where);
    }
    if (rc == LR_OK) {
        size_t dup = 0;
        rc = lr__csr_from_triplets(m, users->n, artists->n, t, l->n, 1, &dup);
        if (rc == LR_E_DUPLICATE)
            rc = listen_duplicate(l, dup);
    }
    free(t);
    return rc;
}

static int empty_extras(lr_dataset *ds)
{
    ds->tag_uses = lr__malloc(0, sizeof *ds->tag_uses);
    if (!ds->tag_uses)
        return lr__fail_oom("the dataset's (empty) tag uses");
    int rc = lr__strtab_from_array(&ds->tag_names, NULL, 0);
    if (rc == LR_OK)
        rc = lr__csr_from_triplets(&ds->friends, ds->n_users, ds->n_users, NULL, 0, 0, NULL);
    return rc;
}

static int finish(lr_dataset **out, lr_dataset *ds, int rc)
{
    if (rc == LR_OK)
        rc = lr__dataset_derive(ds);
    if (rc) {
        lr_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return LR_OK;
}

/* ------------------------------------------------------ listens alone */

static int names_from_ids(lr__strtab *t, const int32_t *ids, int32_t n)
{
    memset(t, 0, sizeof *t);
    t->off = lr__malloc((size_t)n + 1, sizeof *t->off);
    t->blob = lr__malloc((size_t)n, 12); /* "2147483647" and a NUL */
    if (!t->off || !t->blob) {
        lr__strtab_free(t);
        return lr__fail_oom("the user names");
    }
    t->n = n;
    int64_t o = 0;
    for (int32_t i = 0; i < n; i++) {
        t->off[i] = o;
        o += snprintf(t->blob + o, 12, "%d", ids[i]) + 1;
    }
    t->off[n] = o;
    return LR_OK;
}

static int listens_alone(lr_dataset *ds, const lr__raw_listens *l)
{
    idmap users = {0}, artists = {0};
    int rc = distinct_ids(l->user, l->n, &ds->user_ids, &ds->n_users, l->path);
    if (rc == LR_OK)
        rc = distinct_ids(l->artist, l->n, &ds->artist_ids, &ds->n_artists, l->path);
    if (rc == LR_OK)
        rc = names_from_ids(&ds->artist_names, ds->artist_ids, ds->n_artists);
    if (rc)
        return rc;
    rc = idmap_init(&users, ds->user_ids, ds->n_users);
    if (rc == LR_OK)
        rc = idmap_init(&artists, ds->artist_ids, ds->n_artists);
    if (rc == LR_OK)
        rc = listens_csr(&ds->listens, l, &users, &artists, "the file");
    idmap_free(&users);
    idmap_free(&artists);
    return rc;
}

int lr__build_listens(lr_dataset **out, const lr__raw_listens *l, const lr_options *opts)
{
    *out = NULL;
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_LISTENS, l->path);
    if (!ds)
        return lr__fail_oom("the dataset");
    ds->report.min_tag_uses = lr__opt_int(opts, LR_OPT_MIN_TAG_USES);
    int rc = listens_alone(ds, l);
    if (rc == LR_OK)
        rc = empty_extras(ds);
    return finish(out, ds, rc);
}

/* -------------------------------------------------- listens on a catalogue */

int lr__build_on_catalogue(lr_dataset **out, const lr__raw_listens *l,
                           const lr_dataset *catalogue)
{
    lr_dataset *ds;
    *out = NULL;
    int rc = lr__dataset_copy_catalogue(&ds, catalogue, LR_SOURCE_SPLIT, l->path);
    if (rc)
        return rc;
    idmap users = {0}, artists = {0};
    rc = idmap_init(&users, ds->user_ids, ds->n_users);
    if (rc == LR_OK)
        rc = idmap_init(&artists, ds->artist_ids, ds->n_artists);
    if (rc == LR_OK)
        rc = listens_csr(&ds->listens, l, &users, &artists, "the catalogue");
    idmap_free(&users);
    idmap_free(&artists);
    return finish(out, ds, rc);
}

/* --------------------------------------------------------- HetRec */

/* What users of friends and tag uses must appear in. */
static const char *listens_name(const lr__hetrec *h)
{
    return h->listens_name ? h->listens_name : LR_HETREC_LISTENS;
}

typedef struct hbuild {
    const lr__hetrec *h;
    lr_dataset *ds;
    int64_t min_tag_uses;
    size_t *tag_perm;       /* tags.dat rows in ID order */
    int32_t *tag_file_ids;  /* [tags.n] ascending */
    idmap users, artists, tags;
    int32_t *fans;          /* per artist: listeners */
    int32_t *du, *dt, *da;  /* per tag use: user, tag position, artist or -1 (unlistened) */
    size_t *use_order;      /* tag uses in (user, artist, tag) order */
    int64_t *time;          /* per tag use, after the timestamps merge */
    int32_t *tag_new;       /* per tag position: kept tag index or -1 */
} hbuild;

static void hbuild_free(hbuild *b)
{
    free(b->tag_perm);
    free(b->tag_file_ids);
    idmap_free(&b->users);
    idmap_free(&b->artists);
    idmap_free(&b->tags);
    free(b->fans);
    free(b->du);
    free(b->dt);
    free(b->da);
    free(b->use_order);
    free(b->time);
    free(b->tag_new);
}

/* Rows of artists.dat or tags.dat in ID order; a repeated ID is an error
 * naming both lines. */
static int sort_named(const lr__raw_named *r, const char *field, const char *what,
                      size_t **perm, int32_t **ids)
{
    *perm = NULL;
    *ids = NULL;
    if (r->n > INT32_MAX)
        return lr__fail_at(LR_E_RANGE, r->path, 0, NULL, "more than %d rows", INT32_MAX);
    const int32_t *keys[1] = {r->id};
    int rc = order_rows(perm, r->n, keys, 1);
    if (rc)
        return rc;
    *ids = lr__malloc(r->n, sizeof **ids);
    if (!*ids)
        return lr__fail_oom("the file's IDs");
    for (size_t k = 0; k < r->n; k++) {
        size_t i = (*perm)[k];
        (*ids)[k] = r->id[i];
        if (k > 0 && (*ids)[k - 1] == r->id[i])
            return row_fail(LR_E_DUPLICATE, r->path, r->elements, i, field,
                               "%s %d repeats %s", what, r->id[i],
                               row_name(r->elements, (*perm)[k - 1]).s);
    }
    return LR_OK;
}

static int names_in_order(lr__strtab *t, const lr__raw_named *r, const size_t *perm)
{
    memset(t, 0, sizeof *t);
    t->off = lr__malloc(r->n + 1, sizeof *t->off);
    t->blob = lr__malloc(r->names.len, 1);
    if (!t->off || !t->blob) {
        lr__strtab_free(t);
        return lr__fail_oom("the artist names");
    }
    t->n = (int32_t)r->n;
    int64_t o = 0;
    for (size_t k = 0; k < r->n; k++) {
        const char *s = r->names.data + r->name[perm[k]];
        size_t l = strlen(s) + 1;
        t->off[k] = o;
        memcpy(t->blob + o, s, l);
        o += (int64_t)l;
    }
    t->off[r->n] = o;
    return LR_OK;
}

static int build_catalogue(hbuild *b)
{
    const lr__hetrec *h = b->h;
    lr_dataset *ds = b->ds;
    size_t *artist_perm;
    int rc = sort_named(&h->artists, "id", "artist", &artist_perm, &ds->artist_ids);
    if (rc == LR_OK) {
        ds->n_artists = (int32_t)h->artists.n;
        rc = names_in_order(&ds->artist_names, &h->artists, artist_perm);
    }
    free(artist_perm);
    if (rc == LR_OK)
        rc = sort_named(&h->tags, "tagID", "tag", &b->tag_perm, &b->tag_file_ids);
    if (rc == LR_OK)
        rc = distinct_ids(h->listens.user, h->listens.n, &ds->user_ids, &ds->n_users,
                          h->listens.path);
    if (rc == LR_OK)
        rc = idmap_init(&b->users, ds->user_ids, ds->n_users);
    if (rc == LR_OK)
        rc = idmap_init(&b->artists, ds->artist_ids, ds->n_artists);
    if (rc == LR_OK)
        rc = idmap_init(&b->tags, b->tag_file_ids, (int32_t)h->tags.n);
    return rc;
}

static int build_listens(hbuild *b)
{
    lr_dataset *ds = b->ds;
    int rc = listens_csr(&ds->listens, &b->h->listens, &b->users, &b->artists,
                         LR_HETREC_ARTISTS);
    if (rc)
        return rc;
    b->fans = lr__calloc((size_t)ds->n_artists, sizeof *b->fans);
    if (!b->fans)
        return lr__fail_oom("the artists' fan counts");
    for (int64_t i = 0; i < ds->listens.nnz; i++)
        b->fans[ds->listens.idx[i]]++;
    return LR_OK;
}

/* ------------------------------------------------------------ friends */

static int friend_triplets(const lr__raw_friends *f, const idmap *users, lr__triplet *t,
                           const char *where)
{
    for (size_t i = 0; i < f->n; i++) {
        t[i].row = idmap_get(users, f->user[i]);
        t[i].col = idmap_get(users, f->friend_id[i]);
        t[i].val = 1;
        if (t[i].row < 0)
            return row_fail(LR_E_NOTFOUND, f->path, f->elements, i, "userID",
                               "user %d is not in %s", f->user[i], where);
        if (t[i].col < 0)
            return row_fail(LR_E_NOTFOUND, f->path, f->elements, i, "friendID",
                               "user %d is not in %s", f->friend_id[i], where);
    }
    return LR_OK;
}

static int friend_duplicate(const lr__raw_friends *f, size_t later)
{
    size_t first = 0;
    while (first < later && (f->user[first] != f->user[later] ||
                             f->friend_id[first] != f->friend_id[later]))
        first++;
    return row_fail(LR_E_DUPLICATE, f->path, f->elements, later, NULL,
                       "user %d and friend %d repeat %s", f->user[later],
                       f->friend_id[later], row_name(f->elements, first).s);
}

/* The file lists each friendship in both directions; a row without its
 * reverse is counted and completed so the pattern stays symmetric. */
static int build_friends(hbuild *b)
{
    const lr__raw_friends *f = &b->h->friends;
    lr_dataset *ds = b->ds;
    lr__triplet *t = lr__malloc(f->n, 2 * sizeof *t);
    if (!t)
        return lr__fail_oom("the friendships' triplets");
    lr__csr dir = {0};
    size_t dup = 0, n = f->n;
    int rc = friend_triplets(f, &b->users, t, listens_name(b->h));
    if (rc == LR_OK) {
        rc = lr__csr_from_triplets(&dir, ds->n_users, ds->n_users, t, n, 0, &dup);
        if (rc == LR_E_DUPLICATE)
            rc = friend_duplicate(f, dup);
    }
    if (rc == LR_OK) {
        for (size_t i = 0; i < f->n; i++)
            if (lr__csr_find(&dir, t[i].col, t[i].row) < 0)
                t[n++] = (lr__triplet){t[i].col, t[i].row, 1};
        ds->report.friend_rows = (int64_t)f->n;
        ds->report.friend_rows_one_way = (int64_t)(n - f->n);
        if (n == f->n) {
            ds->friends = dir;
            dir = (lr__csr){0};
        } else {
            rc = lr__csr_from_triplets(&ds->friends, ds->n_users, ds->n_users, t, n, 0, NULL);
        }
    }
    lr__csr_free(&dir);
    free(t);
    return rc;
}

/* ----------------------------------------------------------- tag uses */

/* In file order, so the first bad line is the one named. */
static int map_uses(hbuild *b)
{
    const lr__raw_uses *u = &b->h->uses;
    b->du = lr__malloc(u->n, sizeof *b->du);
    b->dt = lr__malloc(u->n, sizeof *b->dt);
    b->da = lr__malloc(u->n, sizeof *b->da);
    if (!b->du || !b->dt || !b->da)
        return lr__fail_oom("the tag assignments' indices");
    for (size_t i = 0; i < u->n; i++) {
        b->du[i] = idmap_get(&b->users, u->user[i]);
        b->dt[i] = idmap_get(&b->tags, u->tag[i]);
        int32_t a = idmap_get(&b->artists, u->artist[i]);
        b->da[i] = (a >= 0 && b->fans[a] > 0) ? a : -1;
        if (b->du[i] < 0)
            return row_fail(LR_E_NOTFOUND, u->path, u->elements, i, "userID",
                               "user %d is not in %s", u->user[i], listens_name(b->h));
        if (b->dt[i] < 0)
            return row_fail(LR_E_NOTFOUND, u->path, u->elements, i, "tagID",
                               "tag %d is not in %s", u->tag[i],
                            b->h->tags_name ? b->h->tags_name : LR_HETREC_TAGS);
    }
    return LR_OK;
}

static int use_cmp(const lr__raw_uses *x, size_t i, const lr__raw_uses *y, size_t j)
{
    if (x->user[i] != y->user[j])
        return x->user[i] < y->user[j] ? -1 : 1;
    if (x->artist[i] != y->artist[j])
        return x->artist[i] < y->artist[j] ? -1 : 1;
    if (x->tag[i] != y->tag[j])
        return x->tag[i] < y->tag[j] ? -1 : 1;
    return 0;
}

/* Order by (user, artist, tag); the key is what the timestamps merge
 * joins on, so it must be unique. */
static int order_uses(const lr__raw_uses *u, size_t **order)
{
    const int32_t *keys[3] = {u->user, u->artist, u->tag};
    int rc = order_rows(order, u->n, keys, 3);
    for (size_t k = 1; rc == LR_OK && k < u->n; k++) {
        size_t i = (*order)[k], p = (*order)[k - 1];
        if (use_cmp(u, i, u, p) == 0)
            rc = row_fail(LR_E_DUPLICATE, u->path, u->elements, i, NULL,
                             "user %d, artist %d and tag %d repeat %s", u->user[i],
                             u->artist[i], u->tag[i], row_name(u->elements, p).s);
    }
    return rc;
}

static int merge_join(hbuild *b, const size_t *tord)
{
    const lr__raw_uses *u = &b->h->uses, *t = &b->h->times;
    size_t j = 0, unmatched = SIZE_MAX;
    int64_t merged = 0;
    for (size_t k = 0; k < u->n; k++) {
        size_t i = b->use_order[k];
        for (; j < t->n && use_cmp(t, tord[j], u, i) < 0; j++)
            if (tord[j] < unmatched)
                unmatched = tord[j];
        if (j < t->n && use_cmp(t, tord[j], u, i) == 0) {
            b->time[i] = t->time_ms[tord[j++]];
            merged++;
        }
    }
    for (; j < t->n; j++)
        if (tord[j] < unmatched)
            unmatched = tord[j];
    if (unmatched != SIZE_MAX)
        return row_fail(LR_E_NOTFOUND, t->path, t->elements, unmatched, NULL,
                           "user %d, artist %d and tag %d have no row in " LR_HETREC_USES,
                           t->user[unmatched], t->artist[unmatched], t->tag[unmatched]);
    b->ds->report.timestamps_merged = merged;
    return LR_OK;
}

/* Times from the timestamps file where it has the use, else the first of
 * the month the reader already computed. */
static int merge_times(hbuild *b)
{
    const lr__raw_uses *u = &b->h->uses;
    b->time = lr__malloc(u->n, sizeof *b->time);
    if (!b->time)
        return lr__fail_oom("the tag assignments' times");
    memcpy(b->time, u->time_ms, u->n * sizeof *b->time);
    if (!b->h->times.path)
        return LR_OK;
    size_t *tord;
    int rc = order_uses(&b->h->times, &tord);
    if (rc == LR_OK)
        rc = merge_join(b, tord);
    free(tord);
    return rc;
}

/* Uses on unlistened artists go first, then tags with too few uses among
 * the rest (docs/data.md). */
static int choose_tags(hbuild *b, int64_t *listened)
{
    const lr__hetrec *h = b->h;
    size_t nt = h->tags.n;
    int64_t *count = lr__calloc(nt, sizeof *count);
    int32_t *gone = lr__malloc(h->uses.n, sizeof *gone);
    b->tag_new = lr__malloc(nt, sizeof *b->tag_new);
    if (!count || !gone || !b->tag_new) {
        free(count);
        free(gone);
        return lr__fail_oom("the tags' counts");
    }
    size_t ngone = 0;
    for (size_t i = 0; i < h->uses.n; i++) {
        if (b->da[i] < 0)
            gone[ngone++] = h->uses.artist[i];
        else
            count[b->dt[i]]++;
    }
    int32_t kept = 0;
    for (size_t p = 0; p < nt; p++)
        b->tag_new[p] = count[p] > b->min_tag_uses ? kept++ : -1;
    free(count);
    int32_t *gone_ids = NULL, n_gone_ids = 0;
    int rc = distinct_ids(gone, ngone, &gone_ids, &n_gone_ids, h->uses.path);
    free(gone);
    free(gone_ids);
    b->ds->n_tags = kept;
    b->ds->report.tag_uses_unlistened = (int64_t)ngone;
    b->ds->report.artists_unlistened = n_gone_ids;
    *listened = (int64_t)(h->uses.n - ngone);
    return rc;
}

static int kept_tag_names(hbuild *b)
{
    const lr__raw_named *tags = &b->h->tags;
    lr_dataset *ds = b->ds;
    char **names = lr__calloc((size_t)ds->n_tags, sizeof *names);
    ds->tag_ids = lr__malloc((size_t)ds->n_tags, sizeof *ds->tag_ids);
    if (!names || !ds->tag_ids) {
        free(names);
        return lr__fail_oom("the tag names");
    }
    int rc = LR_OK;
    for (size_t p = 0; p < tags->n && rc == LR_OK; p++) {
        int32_t k = b->tag_new[p];
        if (k < 0)
            continue;
        ds->tag_ids[k] = b->tag_file_ids[p];
        names[k] = lr__camel_case(tags->names.data + tags->name[b->tag_perm[p]]);
        if (!names[k])
            rc = lr__fail_oom("a tag name");
    }
    if (rc == LR_OK)
        rc = lr__strtab_from_array(&ds->tag_names, names, ds->n_tags);
    for (int32_t k = 0; k < ds->n_tags; k++)
        free(names[k]);
    free(names);
    return rc;
}

static int keep_uses(hbuild *b, int64_t listened)
{
    const lr__raw_uses *u = &b->h->uses;
    lr_dataset *ds = b->ds;
    ds->tag_uses = lr__malloc((size_t)listened, sizeof *ds->tag_uses);
    if (!ds->tag_uses)
        return lr__fail_oom("the dataset's tag uses");
    int64_t n = 0;
    /* Dense indices follow ID order, so (user, artist, tag) order of the
     * external IDs is the order the dataset wants. */
    for (size_t k = 0; k < u->n; k++) {
        size_t i = b->use_order[k];
        if (b->da[i] < 0 || b->tag_new[b->dt[i]] < 0)
            continue;
        ds->tag_uses[n++] = (lr__tag_use){b->du[i], b->da[i], b->tag_new[b->dt[i]], b->time[i]};
    }
    ds->n_tag_uses = n;
    ds->report.tag_uses_rare = listened - n;
    return LR_OK;
}

static int build_tags(hbuild *b)
{
    int64_t listened = 0;
    int rc = map_uses(b);
    if (rc == LR_OK)
        rc = order_uses(&b->h->uses, &b->use_order);
    if (rc == LR_OK)
        rc = merge_times(b);
    if (rc == LR_OK)
        rc = choose_tags(b, &listened);
    if (rc == LR_OK)
        rc = kept_tag_names(b);
    if (rc == LR_OK)
        rc = keep_uses(b, listened);
    return rc;
}

static void fill_report(hbuild *b)
{
    lr__ds_report *r = &b->ds->report;
    r->tags_in_file = (int64_t)b->h->tags.n;
    r->tags_dropped = r->tags_in_file - b->ds->n_tags;
    r->tag_uses_in_file = (int64_t)b->h->uses.n;
    r->latin1_fixes = (int64_t)b->h->latin1_fixes;
    r->min_tag_uses = b->min_tag_uses;
    lr__log(LR_LOG_INFO,
            "%s: dropped %lld tag uses on %lld artists nobody listened to, %lld uses of "
            "%lld tags used at most %lld times; kept %d tags, %lld uses",
            b->h->dir, (long long)r->tag_uses_unlistened, (long long)r->artists_unlistened,
            (long long)r->tag_uses_rare, (long long)r->tags_dropped,
            (long long)r->min_tag_uses, b->ds->n_tags, (long long)b->ds->n_tag_uses);
    if (r->friend_rows_one_way)
        lr__log(LR_LOG_WARNING, "%s: %lld friend rows lack their reverse row; completed",
                b->h->friends.path, (long long)r->friend_rows_one_way);
    if (r->latin1_fixes)
        lr__log(LR_LOG_INFO, "%s: %lld bytes of invalid UTF-8 read as Latin-1", b->h->dir,
                (long long)r->latin1_fixes);
}

int lr__build_hetrec(lr_dataset **out, const lr__hetrec *h, const lr_options *opts)
{
    *out = NULL;
    hbuild b = {.h = h, .min_tag_uses = lr__opt_int(opts, LR_OPT_MIN_TAG_USES)};
    b.ds = lr__dataset_alloc(h->kind ? h->kind : LR_SOURCE_HETREC, h->dir);
    if (!b.ds)
        return lr__fail_oom("the dataset");
    const lr__progress *p = lr__opt_progress(opts);
    int rc = lr__progress_report(p, "process data", 0, 1);
    if (rc == LR_OK)
        rc = build_catalogue(&b);
    if (rc == LR_OK)
        rc = build_listens(&b);
    if (rc == LR_OK)
        rc = build_friends(&b);
    if (rc == LR_OK)
        rc = build_tags(&b);
    if (rc == LR_OK)
        fill_report(&b);
    hbuild_free(&b);
    if (rc == LR_OK)
        rc = lr__dataset_derive(b.ds);
    if (rc == LR_OK)
        rc = lr__progress_report(p, "process data", 1, 1);
    if (rc) {
        lr_dataset_free(b.ds);
        return rc;
    }
    *out = b.ds;
    return LR_OK;
}
