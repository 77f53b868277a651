/* SPDX-License-Identifier: MIT
 *
 * The builder fills lr__hetrec's tables as the reader would from files and
 * lets lr__build_hetrec() do the rest: one code path for duplicates,
 * unknown users, tag names, min_tag_uses, friends' symmetry and the
 * counters that `lastrec info` shows.  Only what the reader checks per row
 * is checked here, per element, and named by the call and the index.
 */
#include "data/builder.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "core/utf8.h"
#include "data/build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALL_LISTENS "lr_dataset_builder_add_listens"
#define CALL_NAME "lr_dataset_builder_set_artist_name"
#define CALL_TAG "lr_dataset_builder_set_tag_name"
#define CALL_USES "lr_dataset_builder_add_tag_uses"
#define CALL_USES_BY_NAME "lr_dataset_builder_add_tag_uses_by_name"
#define CALL_FRIENDS "lr_dataset_builder_add_friends"

/* What the processing names in its messages: the finish call and the kind
 * of element, whose index counts every element of that kind added. */
#define FINISH "lr_dataset_builder_finish: "

static int set_paths(lr__hetrec *h)
{
    h->dir = lr__strdup("lr_dataset_builder");
    h->artists.path = lr__strdup(FINISH "artist names");
    h->tags.path = lr__strdup(FINISH "tag names");
    h->listens.path = lr__strdup(FINISH "listens");
    h->friends.path = lr__strdup(FINISH "friends");
    h->uses.path = lr__strdup(FINISH "tag uses");
    if (!h->dir || !h->artists.path || !h->tags.path || !h->listens.path ||
        !h->friends.path || !h->uses.path)
        return lr__fail_oom("the builder's source names");
    h->artists.elements = h->tags.elements = h->listens.elements = 1;
    h->friends.elements = h->uses.elements = 1;
    h->kind = LR_SOURCE_BUILDER;
    h->listens_name = "the listens";
    h->tags_name = "the tag names (lr_dataset_builder_set_tag_name)";
    return LR_OK;
}

int lr__builder_new(lr_dataset_builder **out, const lr_options *opts)
{
    *out = NULL;
    lr_dataset_builder *b = lr__calloc(1, sizeof *b);
    if (!b)
        return lr__fail_oom("the dataset builder");
    if (opts)
        b->opts = *opts;
    else
        lr__options_init(&b->opts);
    b->next_tag_id = 1; /* HetRec's tag IDs start at 1 */
    int rc = set_paths(&b->h);
    if (rc) {
        lr__builder_free(b);
        return rc;
    }
    *out = b;
    return LR_OK;
}

void lr__builder_free(lr_dataset_builder *b)
{
    if (!b)
        return;
    lr__hetrec_free(&b->h);
    free(b->tag_slot);
    free(b);
}

/* An allocation failed with some tables grown and others not: rather than
 * undo, the builder refuses further use (documented in lastrec.h). */
static int broken(lr_dataset_builder *b, int rc)
{
    if (rc == LR_E_NOMEM)
        b->state = LR__BUILDER_BROKEN;
    return rc;
}

static int check_id(const char *call, size_t i, const char *what, int32_t id)
{
    if (id < 0)
        return lr__fail(LR_E_INVALID, "%s: element %zu: %s ID %d is negative", call, i, what,
                        (int)id);
    return LR_OK;
}

/* ------------------------------------------------------------ listens */

/* As the reader's: a whole number of plays, at least 1, in the int32
 * field of the file format. */
static int check_count(size_t i, int64_t c)
{
    if (c < 0)
        return lr__fail(LR_E_INVALID, CALL_LISTENS ": element %zu: count %lld is negative", i,
                        (long long)c);
    if (c == 0)
        return lr__fail(LR_E_INVALID,
                        CALL_LISTENS ": element %zu: count 0 (a listened artist has at "
                        "least 1 play)", i);
    if (c > INT32_MAX)
        return lr__fail(LR_E_INVALID, CALL_LISTENS ": element %zu: count %lld is above %d", i,
                        (long long)c, INT32_MAX);
    return LR_OK;
}

int lr__builder_add_listens(lr_dataset_builder *b, const int32_t *users,
                            const int32_t *artists, const int64_t *counts, size_t n)
{
    size_t rounded = 0, first = 0;
    for (size_t i = 0; i < n; i++) {
        int rc = check_id(CALL_LISTENS, i, "user", users[i]);
        if (rc == LR_OK)
            rc = check_id(CALL_LISTENS, i, "artist", artists[i]);
        if (rc == LR_OK)
            rc = check_count(i, counts[i]);
        if (rc)
            return rc;
        if ((double)(float)counts[i] != (double)counts[i] && !rounded++)
            first = i;
    }
    lr__raw_listens *l = &b->h.listens;
    size_t cap = b->cap_listens, need = l->n + n;
    /* Each array grows from the same capacity; the last one records it. */
    int rc = lr__grow((void **)&l->user, &cap, need, sizeof *l->user);
    cap = b->cap_listens;
    if (rc == LR_OK)
        rc = lr__grow((void **)&l->artist, &cap, need, sizeof *l->artist);
    cap = b->cap_listens;
    if (rc == LR_OK)
        rc = lr__grow((void **)&l->weight, &cap, need, sizeof *l->weight);
    if (rc)
        return broken(b, rc);
    b->cap_listens = cap;
    for (size_t i = 0; i < n; i++) {
        l->user[l->n + i] = users[i];
        l->artist[l->n + i] = artists[i];
        l->weight[l->n + i] = (int32_t)counts[i];
    }
    l->n = need;
    /* The reader's warning, per call instead of per file. */
    if (rounded)
        lr__log(LR_LOG_WARNING,
                CALL_LISTENS ": element %zu: %lld plays is stored as %.0f (listen counts "
                "above 16,777,216 keep float precision); %zu such element%s in the call",
                first, (long long)counts[first], (double)(float)counts[first], rounded,
                rounded == 1 ? "" : "s");
    return LR_OK;
}

/* ------------------------------------------------------------- names */

/* Append a name to a raw table's blob, invalid UTF-8 read as Latin-1 and
 * counted, as lr__tsv_text does for a file's field. */
static int append_text(lr__blob *blob, const char *s, int64_t *off, uint64_t *fixes)
{
    size_t n = strlen(s);
    char *fixed = NULL;
    if (!lr__utf8_valid(s, n)) {
        fixed = lr__utf8_repair(s, n, fixes);
        if (!fixed)
            return lr__fail_oom("a repaired name");
        s = fixed;
        n = strlen(fixed);
    }
    int rc = lr__grow((void **)&blob->data, &blob->cap, blob->len + n + 1, 1);
    if (rc == LR_OK) {
        *off = (int64_t)blob->len;
        memcpy(blob->data + blob->len, s, n + 1);
        blob->len += n + 1;
    } else {
        rc = lr__fail_oom("the builder's names");
    }
    free(fixed);
    return rc;
}

/* One more row of a named table (artists or tags), growing both columns. */
static int named_append(lr__raw_named *r, size_t *cap, int32_t id, const char *name,
                        uint64_t *fixes)
{
    size_t c = *cap;
    int rc = lr__grow((void **)&r->id, &c, r->n + 1, sizeof *r->id);
    c = *cap;
    if (rc == LR_OK)
        rc = lr__grow((void **)&r->name, &c, r->n + 1, sizeof *r->name);
    if (rc)
        return lr__fail_oom("the builder's artist or tag rows");
    *cap = c;
    rc = append_text(&r->names, name, &r->name[r->n], fixes);
    if (rc)
        return rc;
    r->id[r->n++] = id;
    return LR_OK;
}

int lr__builder_set_artist_name(lr_dataset_builder *b, int32_t artist, const char *name)
{
    if (artist < 0)
        return lr__fail(LR_E_INVALID, CALL_NAME ": artist ID %d is negative", (int)artist);
    int rc = named_append(&b->h.artists, &b->cap_artists, artist, name, &b->h.latin1_fixes);
    return broken(b, rc);
}

/* -------------------------------------------------------------- tags */

static uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static const char *tag_text(const lr__raw_named *t, int32_t row)
{
    return t->names.data + t->name[row];
}

/* The slot of name: its row, or the empty slot where it would go. */
static size_t tag_probe(const lr_dataset_builder *b, const char *name)
{
    size_t mask = b->tag_slots - 1, s = (size_t)hash_text(name) & mask;
    while (b->tag_slot[s] >= 0 && strcmp(tag_text(&b->h.tags, b->tag_slot[s]), name) != 0)
        s = (s + 1) & mask;
    return s;
}

/* Room for `more` new tags at a load of at most a half. */
static int tag_reserve(lr_dataset_builder *b, size_t more)
{
    size_t need = 2 * (b->h.tags.n + more), slots = b->tag_slots ? b->tag_slots : 64;
    if (need <= b->tag_slots)
        return LR_OK;
    while (slots < need) {
        if (slots > SIZE_MAX / 4)
            return lr__fail_oom_size(need, sizeof(int32_t), "the builder's tag table");
        slots *= 2;
    }
    int32_t *t = lr__malloc(slots, sizeof *t);
    if (!t)
        return lr__fail_oom("the builder's tag table");
    free(b->tag_slot);
    b->tag_slot = t;
    b->tag_slots = slots;
    memset(t, 0xff, slots * sizeof *t); /* all -1 */
    for (size_t r = 0; r < b->h.tags.n; r++) {
        size_t at = tag_probe(b, tag_text(&b->h.tags, (int32_t)r));
        if (t[at] < 0) /* of tags named alike, the first stands for the name */
            t[at] = (int32_t)r;
    }
    return LR_OK;
}

/* A new row of the tag table, findable by name unless an earlier row has
 * the name; the name is repaired already. */
static int tag_add(lr_dataset_builder *b, int32_t id, const char *name, size_t slot,
                   uint64_t *fixes)
{
    lr__raw_named *t = &b->h.tags;
    int rc = named_append(t, &b->cap_tags, id, name, fixes);
    if (rc)
        return rc;
    if (b->tag_slot[slot] < 0)
        b->tag_slot[slot] = (int32_t)t->n - 1;
    if (id >= b->next_tag_id)
        b->next_tag_id = id < INT32_MAX ? id + 1 : INT32_MAX;
    return LR_OK;
}

/* name, or its repair into *fixed when it is not valid UTF-8. */
static int repaired(const char *name, char **fixed, uint64_t *fixes, const char **out)
{
    *fixed = NULL;
    *out = name;
    if (lr__utf8_valid(name, strlen(name)))
        return LR_OK;
    *fixed = lr__utf8_repair(name, strlen(name), fixes);
    if (!*fixed)
        return lr__fail_oom("a repaired name");
    *out = *fixed;
    return LR_OK;
}

int lr__builder_set_tag_name(lr_dataset_builder *b, int32_t tag, const char *name)
{
    if (tag < 0)
        return lr__fail(LR_E_INVALID, CALL_TAG ": tag ID %d is negative", (int)tag);
    char *fixed = NULL;
    int rc = tag_reserve(b, 1);
    if (rc == LR_OK)
        rc = repaired(name, &fixed, &b->h.latin1_fixes, &name);
    if (rc == LR_OK)
        rc = tag_add(b, tag, name, tag_probe(b, name), &b->h.latin1_fixes);
    free(fixed);
    return broken(b, rc);
}

/* The tag ID of a name: the first tag named so, else a new tag numbered
 * above every ID so far.  Names are compared as given (after UTF-8
 * repair), before CamelCase, as tags.dat's rows are distinct tags even
 * where they read alike. */
static int tag_id(lr_dataset_builder *b, const char *name, int32_t *id)
{
    char *fixed;
    uint64_t fixes = 0;
    int rc = repaired(name, &fixed, &fixes, &name);
    if (rc)
        return rc;
    size_t s = tag_probe(b, name);
    if (b->tag_slot[s] < 0) {
        if (b->next_tag_id == INT32_MAX)
            rc = lr__fail(LR_E_RANGE, CALL_USES_BY_NAME ": no tag ID left above %d",
                          INT32_MAX - 1);
        else
            rc = tag_add(b, b->next_tag_id, name, s, &fixes);
        if (rc == LR_OK)
            b->h.latin1_fixes += fixes;
    }
    if (rc == LR_OK)
        *id = b->h.tags.id[b->tag_slot[s]];
    free(fixed);
    return rc;
}

int lr__builder_add_tag_uses(lr_dataset_builder *b, const int32_t *users,
                             const int32_t *artists, const int32_t *tag_ids,
                             const char *const *tags, const int64_t *times_ms, size_t n)
{
    const char *call = tags ? CALL_USES_BY_NAME : CALL_USES;
    for (size_t i = 0; i < n; i++) {
        int rc = check_id(call, i, "user", users[i]);
        if (rc == LR_OK)
            rc = check_id(call, i, "artist", artists[i]);
        if (rc == LR_OK && tag_ids)
            rc = check_id(call, i, "tag", tag_ids[i]);
        if (rc == LR_OK && tags && !tags[i])
            rc = lr__fail(LR_E_INVALID, "%s: element %zu: tag name is NULL", call, i);
        if (rc)
            return rc;
    }
    lr__raw_uses *u = &b->h.uses;
    size_t need = u->n + n, cap;
    int rc = LR_OK;
    void **cols[4] = {(void **)&u->user, (void **)&u->artist, (void **)&u->tag,
                      (void **)&u->time_ms};
    size_t sizes[4] = {sizeof *u->user, sizeof *u->artist, sizeof *u->tag, sizeof *u->time_ms};
    for (int c = 0; c < 4 && rc == LR_OK; c++) {
        cap = b->cap_uses;
        rc = lr__grow(cols[c], &cap, need, sizes[c]);
    }
    if (rc == LR_OK && tags)
        rc = tag_reserve(b, n);
    if (rc)
        return broken(b, lr__fail_oom("the builder's rows"));
    b->cap_uses = cap;
    for (size_t i = 0; i < n; i++) {
        if (tags) {
            rc = tag_id(b, tags[i], &u->tag[u->n + i]);
            if (rc)
                return broken(b, rc);
        } else {
            u->tag[u->n + i] = tag_ids[i];
        }
        u->user[u->n + i] = users[i];
        u->artist[u->n + i] = artists[i];
        u->time_ms[u->n + i] = times_ms ? times_ms[i] : 0;
    }
    u->n = need;
    if (times_ms)
        b->timed_uses += (int64_t)n;
    return LR_OK;
}

/* ----------------------------------------------------------- friends */

int lr__builder_add_friends(lr_dataset_builder *b, const int32_t *users,
                            const int32_t *friends, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int rc = check_id(CALL_FRIENDS, i, "user", users[i]);
        if (rc == LR_OK)
            rc = check_id(CALL_FRIENDS, i, "friend", friends[i]);
        /* As the reader: a loop would count a pair of one. */
        if (rc == LR_OK && users[i] == friends[i])
            rc = lr__fail(LR_E_INVALID,
                          CALL_FRIENDS ": element %zu: user %d is listed as their own friend", i,
                          (int)users[i]);
        if (rc)
            return rc;
    }
    lr__raw_friends *f = &b->h.friends;
    size_t cap = b->cap_friends, need = f->n + n;
    int rc = lr__grow((void **)&f->user, &cap, need, sizeof *f->user);
    cap = b->cap_friends;
    if (rc == LR_OK)
        rc = lr__grow((void **)&f->friend_id, &cap, need, sizeof *f->friend_id);
    if (rc)
        return broken(b, lr__fail_oom("the builder's friendships"));
    b->cap_friends = cap;
    lr__copy(f->user + f->n, users, n, sizeof *users);
    lr__copy(f->friend_id + f->n, friends, n, sizeof *friends);
    f->n = need;
    return LR_OK;
}

/* ------------------------------------------------------------ finish */

static int cmp_i32(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* Sorted distinct values of n IDs into a new array. */
static int32_t *sorted_distinct(const int32_t *v, size_t n, size_t *m)
{
    int32_t *s = lr__malloc(n, sizeof *s);
    if (!s)
        return NULL;
    lr__copy(s, v, n, sizeof *s);
    qsort(s, n, sizeof *s, cmp_i32);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || s[k - 1] != s[i])
            s[k++] = s[i];
    *m = k;
    return s;
}

/* artists.dat's part: listened artists that were never named join the
 * catalogue named by their ID, as the listens-file loader names them.
 * Named artists nobody listened to stay, as artists.dat's rows do. */
static int complete_artists(lr_dataset_builder *b)
{
    size_t nl = 0, nn = 0;
    int32_t *listened = sorted_distinct(b->h.listens.artist, b->h.listens.n, &nl);
    int32_t *named = sorted_distinct(b->h.artists.id, b->h.artists.n, &nn);
    int rc = (listened && named) ? LR_OK : lr__fail_oom("the builder's artist lists");
    uint64_t no_fixes = 0;
    for (size_t i = 0, j = 0; rc == LR_OK && i < nl; i++) {
        while (j < nn && named[j] < listened[i])
            j++;
        if (j < nn && named[j] == listened[i])
            continue;
        char id[16];
        snprintf(id, sizeof id, "%d", (int)listened[i]);
        rc = named_append(&b->h.artists, &b->cap_artists, listened[i], id, &no_fixes);
    }
    free(listened);
    free(named);
    return rc;
}

/* The reader allocates every column, empty or not, and the processing
 * copies from them; a kind never added has NULL columns here. */
static int allocated(void **col, size_t size)
{
    if (!*col)
        *col = lr__malloc(1, size);
    return *col ? LR_OK : lr__fail_oom("an empty column");
}

static int all_columns(lr__hetrec *h)
{
    void **cols[] = {(void **)&h->artists.id, (void **)&h->artists.name,
                     (void **)&h->tags.id, (void **)&h->tags.name,
                     (void **)&h->listens.user, (void **)&h->listens.artist,
                     (void **)&h->listens.weight, (void **)&h->friends.user,
                     (void **)&h->friends.friend_id, (void **)&h->uses.user,
                     (void **)&h->uses.artist, (void **)&h->uses.tag,
                     (void **)&h->uses.time_ms};
    int rc = LR_OK;
    /* 8 bytes covers every column's element. */
    for (size_t i = 0; i < sizeof cols / sizeof cols[0] && rc == LR_OK; i++)
        rc = allocated(cols[i], 8);
    return rc;
}

int lr__builder_finish(lr_dataset_builder *b, lr_dataset **out)
{
    *out = NULL;
    b->state = LR__BUILDER_FINISHED;
    int rc = all_columns(&b->h);
    if (rc == LR_OK)
        rc = complete_artists(b);
    if (rc == LR_OK)
        rc = lr__build_hetrec(out, &b->h, &b->opts);
    /* The one counter the files' path cannot know: uses with their own
     * time, which from files come from the timestamps file. */
    if (rc == LR_OK)
        (*out)->report.timestamps_merged = b->timed_uses;
    lr__hetrec_free(&b->h);
    free(b->tag_slot);
    b->tag_slot = NULL;
    b->tag_slots = 0;
    return rc;
}
