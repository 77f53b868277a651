/* Dataset snapshots.  SPDX-License-Identifier: MIT
 *
 * docs/formats.md is the byte-by-byte specification; this file follows it.
 * The framing (header, section table, checksums, padding), the
 * little-endian helpers and the shared primitives (ID arrays, string
 * tables, CSR matrices) live in data/secfile.c, which model files use too;
 * this file says what a snapshot's sections hold.  Only the
 * primary data are stored: statistics are derived again on load, which keeps
 * the file small and means a snapshot can never disagree with its own
 * statistics.
 *
 * The reader treats the file as hostile: it checks the header checksum, that
 * the sections tile the file exactly, each section's checksum, each length
 * against the counts it must hold, and every invariant the rest of the
 * library relies on (ascending IDs, string tables, CSR structure, index
 * ranges, sort order, symmetric friends) before a single value is used.
 */
#include "data/snapshot.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/log.h"
#include "core/utf8.h"
#include "data/secfile.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ layout */

#define META_BYTES 48
#define TAG_USE_BYTES 20  /* user 4, artist 4, tag 4, time 8 */

enum section_id {
    S_META = 1,
    S_SOURCE,
    S_REPORT,
    S_USER_IDS,
    S_ARTIST_IDS,
    S_TAG_IDS,
    S_ARTIST_NAMES,
    S_TAG_NAMES,
    S_LISTENS,
    S_TAG_USES,
    S_FRIENDS,
    S_USER_KEYS, /* since version 2 */
    S_LAST = S_USER_KEYS
};

/* The last section of version 1, every one of which is required there. */
#define S_LAST_V1 S_FRIENDS

static const char *const section_names[S_LAST + 1] = {
    [S_META] = "meta",
    [S_SOURCE] = "source",
    [S_REPORT] = "report",
    [S_USER_IDS] = "user ids",
    [S_ARTIST_IDS] = "artist ids",
    [S_TAG_IDS] = "tag ids",
    [S_ARTIST_NAMES] = "artist names",
    [S_TAG_NAMES] = "tag names",
    [S_LISTENS] = "listens",
    [S_TAG_USES] = "tag uses",
    [S_FRIENDS] = "friends",
    [S_USER_KEYS] = "user keys",
};

/* The report's counters in file order: version 1 has the first
 * REPORT_FIELDS_V1; appending one needs a new version. */
static const struct {
    size_t offset;
    const char *name;
} report_fields[] = {
    {offsetof(lr__ds_report, tags_in_file), "tags_in_file"},
    {offsetof(lr__ds_report, tags_dropped), "tags_dropped"},
    {offsetof(lr__ds_report, tag_uses_in_file), "tag_uses_in_file"},
    {offsetof(lr__ds_report, tag_uses_unlistened), "tag_uses_unlistened"},
    {offsetof(lr__ds_report, artists_unlistened), "artists_unlistened"},
    {offsetof(lr__ds_report, tag_uses_rare), "tag_uses_rare"},
    {offsetof(lr__ds_report, friend_rows), "friend_rows"},
    {offsetof(lr__ds_report, friend_rows_one_way), "friend_rows_one_way"},
    {offsetof(lr__ds_report, latin1_fixes), "latin1_fixes"},
    {offsetof(lr__ds_report, timestamps_merged), "timestamps_merged"},
    {offsetof(lr__ds_report, min_tag_uses), "min_tag_uses"},
    {offsetof(lr__ds_report, rows_summed), "rows_summed"},
    {offsetof(lr__ds_report, spellings_merged), "spellings_merged"},
    {offsetof(lr__ds_report, bad_lines_skipped), "bad_lines_skipped"},
    {offsetof(lr__ds_report, profiles), "profiles"},
};
#define REPORT_FIELDS (sizeof report_fields / sizeof report_fields[0])
#define REPORT_FIELDS_V1 11

static int64_t *report_at(lr__ds_report *r, size_t i)
{
    return (int64_t *)((char *)r + report_fields[i].offset);
}

/* ------------------------------------------------------------------ writer */

static void put_meta(lr__secw *w, const lr_dataset *ds)
{
    lr__secw_u32(w, (uint32_t)ds->kind);
    lr__secw_u32(w, LR_VERSION_NUMBER);
    lr__secw_u32(w, (uint32_t)ds->n_users);
    lr__secw_u32(w, (uint32_t)ds->n_artists);
    lr__secw_u32(w, (uint32_t)ds->n_tags);
    lr__secw_u32(w, 0);
    lr__secw_u64(w, (uint64_t)ds->listens.nnz);
    lr__secw_u64(w, (uint64_t)ds->n_tag_uses);
    lr__secw_u64(w, (uint64_t)ds->friends.nnz);
}

static void put_report(lr__secw *w, const lr_dataset *ds)
{
    lr__ds_report r = ds->report;
    for (size_t i = 0; i < REPORT_FIELDS; i++)
        lr__secw_u64(w, (uint64_t)*report_at(&r, i));
}

static void put_tag_uses(lr__secw *w, const lr_dataset *ds)
{
    for (int64_t i = 0; i < ds->n_tag_uses; i++) {
        const lr__tag_use *u = &ds->tag_uses[i];
        lr__secw_u32(w, (uint32_t)u->user);
        lr__secw_u32(w, (uint32_t)u->artist);
        lr__secw_u32(w, (uint32_t)u->tag);
        lr__secw_u64(w, (uint64_t)u->time_ms);
    }
}

static void put_section(lr__secw *w, const lr_dataset *ds, const char *source, int id)
{
    lr__secw_begin(w, (uint32_t)id);
    switch (id) {
    case S_META: put_meta(w, ds); break;
    case S_SOURCE: lr__secw_bytes(w, source, strlen(source) + 1); break;
    case S_REPORT: put_report(w, ds); break;
    case S_USER_IDS: lr__secw_i32s(w, ds->user_ids, (size_t)ds->n_users); break;
    case S_ARTIST_IDS: lr__secw_i32s(w, ds->artist_ids, (size_t)ds->n_artists); break;
    case S_TAG_IDS: lr__secw_i32s(w, ds->tag_ids, (size_t)ds->n_tags); break;
    case S_ARTIST_NAMES: lr__secw_strtab(w, &ds->artist_names); break;
    case S_TAG_NAMES: lr__secw_strtab(w, &ds->tag_names); break;
    case S_LISTENS: lr__secw_csr(w, &ds->listens, 1); break;
    case S_TAG_USES: put_tag_uses(w, ds); break;
    case S_FRIENDS: lr__secw_csr(w, &ds->friends, 0); break;
    case S_USER_KEYS: lr__secw_strtab(w, &ds->user_keys); break;
    default: break;
    }
    lr__secw_end(w);
}

static int csr_shape_ok(const lr__csr *m, int32_t rows, int32_t cols, int with_values)
{
    return m->rows == rows && m->cols == cols && m->ptr && m->nnz >= 0 &&
           (m->nnz == 0 || (m->idx && (!with_values || m->val)));
}

static int strtab_shape_ok(const lr__strtab *t, int32_t n)
{
    return t->n == n && (n == 0 || (t->off && t->blob));
}

/* The writer trusts the dataset's values (tests rely on that to build bad
 * snapshots) but not shapes that would make it read out of bounds. */
static int check_writable(const lr_dataset *ds)
{
    if (ds->n_users < 0 || ds->n_artists < 0 || ds->n_tags < 0 || ds->n_tag_uses < 0 ||
        (ds->n_users && !ds->user_ids) || (ds->n_artists && !ds->artist_ids) ||
        (ds->n_tags && !ds->tag_ids) || (ds->n_tag_uses && !ds->tag_uses) ||
        !strtab_shape_ok(&ds->artist_names, ds->n_artists) ||
        !strtab_shape_ok(&ds->tag_names, ds->n_tags) ||
        (ds->user_keys.n != 0 && !strtab_shape_ok(&ds->user_keys, ds->n_users)) ||
        !csr_shape_ok(&ds->listens, ds->n_users, ds->n_artists, 1) ||
        !csr_shape_ok(&ds->friends, ds->n_users, ds->n_users, 0))
        return lr__fail(LR_E_INVALID,
                        "dataset '%s': its arrays do not match its counts; not saved",
                        ds->source ? ds->source : "");
    return LR_OK;
}

int lr__snapshot_write(const lr_dataset *ds, const char *path)
{
    int rc = check_writable(ds);
    if (rc)
        return rc;
    /* A source path may hold any bytes; the file holds only UTF-8 text. */
    const char *src = ds->source ? ds->source : "";
    char *source = lr__utf8_repair(src, strlen(src), NULL);
    if (!source)
        return lr__fail_oom("the snapshot's source path");
    lr__secw w;
    rc = lr__secw_open(&w, path, LR_SNAPSHOT_MAGIC, LR_SNAPSHOT_VERSION, S_LAST);
    if (rc == LR_OK) {
        for (int id = 1; id <= S_LAST; id++)
            put_section(&w, ds, source, id);
        rc = lr__secw_finish(&w);
    }
    free(source);
    return rc;
}

/* ------------------------------------------------------------------ reader */

/* What the meta section says the other sections hold. */
typedef struct counts {
    uint32_t kind, writer;
    int32_t users, artists, tags;
    int64_t listens, tag_uses, friends;
} counts;

/* Every section of the file's version is required. */
static int check_present(const lr__secr *r)
{
    const uint32_t last = r->version == 1 ? S_LAST_V1 : S_LAST;
    for (uint32_t id = 1; id <= last; id++)
        if (!r->sec[id].present)
            return lr__secr_fail(r, "section '%s' is missing", section_names[id]);
    return LR_OK;
}

static int read_count32(const lr__secr *r, const uint8_t *p, const char *what, int32_t *out)
{
    uint32_t v = lr__le_get32(p);
    if (v > INT32_MAX)
        return lr__secr_fail_sec(r, S_META, "%s count %u exceeds 2^31 - 1", what, v);
    *out = (int32_t)v;
    return LR_OK;
}

static int read_count64(const lr__secr *r, const uint8_t *p, const char *what, int64_t *out)
{
    uint64_t v = lr__le_get64(p);
    if (v > INT64_MAX)
        return lr__secr_fail_sec(r, S_META, "%s count %llu exceeds 2^63 - 1", what,
                                 (unsigned long long)v);
    *out = (int64_t)v;
    return LR_OK;
}

static int read_meta(const lr__secr *r, counts *c)
{
    if (r->sec[S_META].len != META_BYTES)
        return lr__secr_fail_sec(r, S_META, "%llu bytes, expected %d",
                                 (unsigned long long)r->sec[S_META].len, META_BYTES);
    int rc;
    const uint8_t *p = r->sec[S_META].p;
    c->kind = lr__le_get32(p);
    c->writer = lr__le_get32(p + 4);
    /* lastrec 0.1.0 wrote version 1 files of kind 7 too: they load, without
     * the keys and counters version 2 added */
    if (c->kind < LR_SOURCE_HETREC || c->kind > LR_SOURCE_LASTFM360K)
        return lr__secr_fail_sec(r, S_META, "unknown source kind %u", c->kind);
    if (lr__le_get32(p + 20) != 0)
        return lr__secr_fail_sec(r, S_META, "reserved field is 0x%08x, not 0",
                                 lr__le_get32(p + 20));
    if ((rc = read_count32(r, p + 8, "user", &c->users)) ||
        (rc = read_count32(r, p + 12, "artist", &c->artists)) ||
        (rc = read_count32(r, p + 16, "tag", &c->tags)) ||
        (rc = read_count64(r, p + 24, "listen", &c->listens)) ||
        (rc = read_count64(r, p + 32, "tag use", &c->tag_uses)) ||
        (rc = read_count64(r, p + 40, "friend entry", &c->friends)))
        return rc;
    return LR_OK;
}

static int read_source(const lr__secr *r, const char **source)
{
    const lr__secr_part *s = &r->sec[S_SOURCE];
    const char *why = lr__secr_string_problem(s->p, s->len);
    if (why)
        return lr__secr_fail_sec(r, S_SOURCE, "the text %s", why);
    *source = (const char *)s->p;
    return LR_OK;
}

static int read_report(const lr__secr *r, lr__ds_report *rep)
{
    const size_t n = r->version == 1 ? REPORT_FIELDS_V1 : REPORT_FIELDS;
    int rc = lr__secr_expect_len(r, S_REPORT, 0, n, 8, "counters");
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++) {
        int64_t v = (int64_t)lr__le_get64(r->sec[S_REPORT].p + 8 * i);
        if (v < 0)
            return lr__secr_fail_sec(r, S_REPORT, "counter '%s' is negative (%lld)",
                                     report_fields[i].name, (long long)v);
        *report_at(rep, i) = v;
    }
    return LR_OK;
}

static int check_listen_counts(const lr__secr *r, const lr__csr *m)
{
    for (int64_t i = 0; i < m->nnz; i++)
        if (!isfinite(m->val[i]) || m->val[i] <= 0)
            return lr__secr_fail_sec(r, S_LISTENS,
                                     "entry %lld: listen count %g is not a positive number",
                                     (long long)i, (double)m->val[i]);
    return LR_OK;
}

static int check_friends(const lr__secr *r, const lr_dataset *ds)
{
    const lr__csr *m = &ds->friends;
    for (int32_t u = 0; u < m->rows; u++)
        for (int64_t i = m->ptr[u]; i < m->ptr[u + 1]; i++) {
            int32_t v = m->idx[i];
            if (v == u)
                return lr__secr_fail_sec(r, S_FRIENDS, "user %d is listed as their own friend",
                                         ds->user_ids[u]);
            if (lr__csr_find(m, v, u) < 0)
                return lr__secr_fail_sec(r, S_FRIENDS,
                                         "user %d lists %d as a friend, but not the reverse",
                                         ds->user_ids[u], ds->user_ids[v]);
        }
    return LR_OK;
}

static int read_tag_uses(const lr__secr *r, const counts *c, lr_dataset *ds)
{
    int rc = lr__secr_expect_len(r, S_TAG_USES, 0, (uint64_t)c->tag_uses, TAG_USE_BYTES,
                                 "tag uses");
    if (rc)
        return rc;
    ds->tag_uses = lr__malloc((size_t)c->tag_uses, sizeof *ds->tag_uses);
    if (!ds->tag_uses)
        return lr__fail_oom("the snapshot's tag uses");
    ds->n_tag_uses = c->tag_uses;
    const uint8_t *p = r->sec[S_TAG_USES].p;
    for (int64_t i = 0; i < c->tag_uses; i++, p += TAG_USE_BYTES) {
        lr__tag_use *u = &ds->tag_uses[i];
        u->user = (int32_t)lr__le_get32(p);
        u->artist = (int32_t)lr__le_get32(p + 4);
        u->tag = (int32_t)lr__le_get32(p + 8);
        u->time_ms = (int64_t)lr__le_get64(p + 12);
        if (u->user < 0 || u->user >= c->users || u->artist < 0 || u->artist >= c->artists ||
            u->tag < 0 || u->tag >= c->tags)
            return lr__secr_fail_sec(r, S_TAG_USES,
                                     "use %lld: (user %d, artist %d, tag %d) outside %d x %d x %d",
                                     (long long)i, u->user, u->artist, u->tag, c->users, c->artists,
                                     c->tags);
        if (i > 0 && lr__tag_use_cmp(u - 1, u) > 0)
            return lr__secr_fail_sec(r, S_TAG_USES,
                                     "use %lld is out of (user, artist, tag, time) order",
                                     (long long)i);
    }
    return LR_OK;
}

/* A table of no strings when the users have no keys (8 bytes: its one
 * offset), else of one per user. */
static int read_user_keys(const lr__secr *r, const counts *c, lr_dataset *ds)
{
    const int32_t n = r->sec[S_USER_KEYS].len == 8 ? 0 : c->users;
    return lr__secr_strtab(r, S_USER_KEYS, n, &ds->user_keys);
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case LR_SOURCE_HETREC: return "HetRec directory";
    case LR_SOURCE_LISTENS: return "listens file";
    case LR_SOURCE_SNAPSHOT: return "snapshot";
    case LR_SOURCE_SYNTHETIC: return "synthetic data";
    case LR_SOURCE_BUILDER: return "built in memory";
    case LR_SOURCE_LASTFM360K: return "lastfm-360K file";
    default: return "split";
    }
}

/* Everything after the table, in dependency order: counts first, since
 * every other length is checked against them. */
static int read_sections(const lr__secr *r, lr_dataset *ds)
{
    counts c = {0};
    const char *source = "";
    int rc = read_meta(r, &c);
    if (rc == LR_OK) rc = read_source(r, &source);
    if (rc == LR_OK) rc = read_report(r, &ds->report);
    if (rc == LR_OK) {
        ds->n_users = c.users;
        ds->n_artists = c.artists;
        ds->n_tags = c.tags;
        rc = lr__secr_ids(r, S_USER_IDS, c.users, &ds->user_ids);
    }
    if (rc == LR_OK) rc = lr__secr_ids(r, S_ARTIST_IDS, c.artists, &ds->artist_ids);
    if (rc == LR_OK) rc = lr__secr_ids(r, S_TAG_IDS, c.tags, &ds->tag_ids);
    if (rc == LR_OK) rc = lr__secr_strtab(r, S_ARTIST_NAMES, c.artists, &ds->artist_names);
    if (rc == LR_OK) rc = lr__secr_strtab(r, S_TAG_NAMES, c.tags, &ds->tag_names);
    if (rc == LR_OK)
        rc = lr__secr_csr(r, S_LISTENS, c.users, c.artists, c.listens, 1, &ds->listens);
    if (rc == LR_OK) rc = check_listen_counts(r, &ds->listens);
    if (rc == LR_OK) rc = read_tag_uses(r, &c, ds);
    if (rc == LR_OK) rc = lr__secr_csr(r, S_FRIENDS, c.users, c.users, c.friends, 0, &ds->friends);
    if (rc == LR_OK) rc = check_friends(r, ds);
    if (rc == LR_OK && r->version >= 2) rc = read_user_keys(r, &c, ds);
    if (rc == LR_OK)
        lr__log(LR_LOG_INFO, "%s: snapshot of %s '%s', saved by lastrec %u.%u.%u", r->path,
                kind_name(c.kind), source, c.writer / 10000, c.writer / 100 % 100,
                c.writer % 100);
    return rc;
}

int lr__snapshot_read(lr_dataset **out, const char *path)
{
    return lr__snapshot_read_progress(out, path, NULL);
}

int lr__snapshot_read_progress(lr_dataset **out, const char *path,
                               const lr__progress *progress)
{
    *out = NULL;
    char *data;
    size_t size;
    int rc = lr__progress_report(progress, "load snapshot", 0, 1);
    if (rc)
        return rc;
    rc = lr__read_file(path, &data, &size);
    if (rc)
        return rc;
    lr__secr r = {.path = path, .noun = "snapshot", .names = section_names,
                  .n_known = S_LAST, .oldest = 1, .buf = (const uint8_t *)data, .size = size};
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_SNAPSHOT, path);
    if (!ds)
        rc = lr__fail_oom("the dataset");
    if (rc == LR_OK) rc = lr__secr_check(&r, LR_SNAPSHOT_MAGIC, LR_SNAPSHOT_VERSION);
    if (rc == LR_OK) rc = check_present(&r);
    if (rc == LR_OK) rc = read_sections(&r, ds);
    free(data);
    if (rc == LR_OK) rc = lr__progress_report(progress, "load snapshot", 1, 1);
    if (rc == LR_OK) rc = lr__progress_report(progress, "process data", 0, 1);
    if (rc == LR_OK) rc = lr__dataset_derive(ds);
    if (rc == LR_OK) rc = lr__progress_report(progress, "process data", 1, 1);
    if (rc) {
        lr_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return LR_OK;
}
