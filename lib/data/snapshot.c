/* Dataset snapshots.  SPDX-License-Identifier: MIT
 *
 * docs/formats.md is the byte-by-byte specification; this file follows it.
 * Every multi-byte value goes through put/get helpers that spell out the
 * little-endian order, so a snapshot reads the same on any host.  Only the
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
#include "core/checksum.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "core/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ layout */

#define HEADER_BYTES 24   /* magic 8, version 4, flags 4, count 4, crc 4 */
#define ENTRY_BYTES 24    /* id 4, crc 4, offset 8, length 8 */
#define HEADER_CRC_AT 20
#define MAX_SECTIONS 1024 /* far above any version's need; bounds the table */
#define OPTIONAL_BIT 0x80000000u /* readers may skip unknown optional sections */
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
    S_LAST = S_FRIENDS
};

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
};

/* The report's counters in file order; appending one needs a new version. */
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
};
#define REPORT_FIELDS (sizeof report_fields / sizeof report_fields[0])

static int64_t *report_at(lr__ds_report *r, size_t i)
{
    return (int64_t *)((char *)r + report_fields[i].offset);
}

/* ------------------------------------------------------ little-endian bytes */

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

static uint32_t float_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static float bits_float(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

/* ------------------------------------------------------------------ writer */

/* A section's payload size.  Offsets of string tables are recomputed from
 * the strings, so the file is canonical even for a loosely packed table. */
static uint64_t strtab_bytes(const lr__strtab *t)
{
    uint64_t n = 8 * ((uint64_t)t->n + 1);
    for (int32_t i = 0; i < t->n; i++)
        n += strlen(lr__strtab_get(t, i)) + 1;
    return n;
}

static uint64_t section_bytes(const lr_dataset *ds, const char *source, int id)
{
    uint64_t rows = (uint64_t)ds->n_users + 1;
    switch (id) {
    case S_META: return META_BYTES;
    case S_SOURCE: return strlen(source) + 1;
    case S_REPORT: return 8 * REPORT_FIELDS;
    case S_USER_IDS: return 4 * (uint64_t)ds->n_users;
    case S_ARTIST_IDS: return 4 * (uint64_t)ds->n_artists;
    case S_TAG_IDS: return 4 * (uint64_t)ds->n_tags;
    case S_ARTIST_NAMES: return strtab_bytes(&ds->artist_names);
    case S_TAG_NAMES: return strtab_bytes(&ds->tag_names);
    case S_LISTENS: return 8 * rows + 8 * (uint64_t)ds->listens.nnz;
    case S_TAG_USES: return TAG_USE_BYTES * (uint64_t)ds->n_tag_uses;
    case S_FRIENDS: return 8 * rows + 4 * (uint64_t)ds->friends.nnz;
    default: return 0;
    }
}

static uint8_t *enc_ids(uint8_t *p, const int32_t *ids, int32_t n)
{
    for (int32_t i = 0; i < n; i++, p += 4)
        put32(p, (uint32_t)ids[i]);
    return p;
}

static uint8_t *enc_strtab(uint8_t *p, const lr__strtab *t)
{
    uint64_t off = 0;
    for (int32_t i = 0; i < t->n; i++, p += 8) {
        put64(p, off);
        off += strlen(lr__strtab_get(t, i)) + 1;
    }
    put64(p, off);
    p += 8;
    for (int32_t i = 0; i < t->n; i++) {
        const char *s = lr__strtab_get(t, i);
        size_t l = strlen(s) + 1;
        memcpy(p, s, l);
        p += l;
    }
    return p;
}

static uint8_t *enc_csr(uint8_t *p, const lr__csr *m, int with_values)
{
    for (int32_t r = 0; r <= m->rows; r++, p += 8)
        put64(p, (uint64_t)m->ptr[r]);
    for (int64_t i = 0; i < m->nnz; i++, p += 4)
        put32(p, (uint32_t)m->idx[i]);
    if (with_values)
        for (int64_t i = 0; i < m->nnz; i++, p += 4)
            put32(p, float_bits(m->val[i]));
    return p;
}

static uint8_t *enc_meta(uint8_t *p, const lr_dataset *ds)
{
    put32(p, (uint32_t)ds->kind);
    put32(p + 4, LR_VERSION_NUMBER);
    put32(p + 8, (uint32_t)ds->n_users);
    put32(p + 12, (uint32_t)ds->n_artists);
    put32(p + 16, (uint32_t)ds->n_tags);
    put32(p + 20, 0);
    put64(p + 24, (uint64_t)ds->listens.nnz);
    put64(p + 32, (uint64_t)ds->n_tag_uses);
    put64(p + 40, (uint64_t)ds->friends.nnz);
    return p + META_BYTES;
}

static uint8_t *enc_report(uint8_t *p, const lr_dataset *ds)
{
    lr__ds_report r = ds->report;
    for (size_t i = 0; i < REPORT_FIELDS; i++, p += 8)
        put64(p, (uint64_t)*report_at(&r, i));
    return p;
}

static uint8_t *enc_tag_uses(uint8_t *p, const lr_dataset *ds)
{
    for (int64_t i = 0; i < ds->n_tag_uses; i++, p += TAG_USE_BYTES) {
        const lr__tag_use *u = &ds->tag_uses[i];
        put32(p, (uint32_t)u->user);
        put32(p + 4, (uint32_t)u->artist);
        put32(p + 8, (uint32_t)u->tag);
        put64(p + 12, (uint64_t)u->time_ms);
    }
    return p;
}

static uint8_t *enc_section(uint8_t *p, const lr_dataset *ds, const char *source, int id)
{
    switch (id) {
    case S_META: return enc_meta(p, ds);
    case S_SOURCE: {
        size_t l = strlen(source) + 1;
        memcpy(p, source, l);
        return p + l;
    }
    case S_REPORT: return enc_report(p, ds);
    case S_USER_IDS: return enc_ids(p, ds->user_ids, ds->n_users);
    case S_ARTIST_IDS: return enc_ids(p, ds->artist_ids, ds->n_artists);
    case S_TAG_IDS: return enc_ids(p, ds->tag_ids, ds->n_tags);
    case S_ARTIST_NAMES: return enc_strtab(p, &ds->artist_names);
    case S_TAG_NAMES: return enc_strtab(p, &ds->tag_names);
    case S_LISTENS: return enc_csr(p, &ds->listens, 1);
    case S_TAG_USES: return enc_tag_uses(p, ds);
    case S_FRIENDS: return enc_csr(p, &ds->friends, 0);
    default: return p;
    }
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
        !csr_shape_ok(&ds->listens, ds->n_users, ds->n_artists, 1) ||
        !csr_shape_ok(&ds->friends, ds->n_users, ds->n_users, 0))
        return lr__fail(LR_E_INVALID,
                        "dataset '%s': its arrays do not match its counts; not saved",
                        ds->source ? ds->source : "");
    return LR_OK;
}

/* The whole file in memory: header, table, then each payload at the next
 * 8-byte boundary with zero padding (so a later version may map arrays). */
static int encode(const lr_dataset *ds, const char *source, uint8_t **out, size_t *size)
{
    uint64_t offs[S_LAST + 1], lens[S_LAST + 1];
    uint64_t end = HEADER_BYTES + (uint64_t)ENTRY_BYTES * S_LAST;
    for (int id = 1; id <= S_LAST; id++) {
        offs[id] = align8(end);
        lens[id] = section_bytes(ds, source, id);
        end = offs[id] + lens[id];
    }
    if (end > SIZE_MAX)
        return lr__fail_oom();
    uint8_t *buf = calloc(1, (size_t)end);
    if (!buf)
        return lr__fail_oom();
    memcpy(buf, LR_SNAPSHOT_MAGIC, sizeof LR_SNAPSHOT_MAGIC);
    put32(buf + 8, LR_SNAPSHOT_VERSION);
    put32(buf + 12, 0);
    put32(buf + 16, S_LAST);
    for (int id = 1; id <= S_LAST; id++) {
        uint8_t *e = buf + HEADER_BYTES + (size_t)ENTRY_BYTES * (size_t)(id - 1);
        uint8_t *p = buf + offs[id];
        uint8_t *q = enc_section(p, ds, source, id);
        if ((uint64_t)(q - p) != lens[id]) { /* a sizing bug, never bad input */
            free(buf);
            return lr__fail(LR_E_INVALID, "snapshot: section '%s' encoded %td bytes, sized %llu",
                            section_names[id], q - p, (unsigned long long)lens[id]);
        }
        put32(e, (uint32_t)id);
        put32(e + 4, lr__crc32c(0, p, (size_t)lens[id]));
        put64(e + 8, offs[id]);
        put64(e + 16, lens[id]);
    }
    uint32_t crc = lr__crc32c(0, buf, HEADER_CRC_AT);
    crc = lr__crc32c(crc, buf + HEADER_BYTES, (size_t)ENTRY_BYTES * S_LAST);
    put32(buf + HEADER_CRC_AT, crc);
    *out = buf;
    *size = (size_t)end;
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
        return lr__fail_oom();
    uint8_t *buf = NULL;
    size_t size = 0;
    rc = encode(ds, source, &buf, &size);
    free(source);
    if (rc)
        return rc;
    lr__afile f;
    rc = lr__afile_open(&f, path);
    if (rc == LR_OK) {
        rc = lr__afile_write(&f, buf, size);
        if (rc == LR_OK)
            rc = lr__afile_commit(&f);
        else
            lr__afile_abort(&f);
    }
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------ reader */

typedef struct section {
    const uint8_t *p;
    uint64_t len;
    int present;
} section;

typedef struct reader {
    const char *path;
    const uint8_t *buf;
    size_t size;
    section sec[S_LAST + 1];
} reader;

/* What the meta section says the other sections hold. */
typedef struct counts {
    uint32_t kind, writer;
    int32_t users, artists, tags;
    int64_t listens, tag_uses, friends;
} counts;

static int fail_file(const reader *r, const char *fmt, ...) LR_PRINTF(2, 3);
static int fail_file(const reader *r, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return lr__fail(LR_E_FORMAT, "%s: %s", r->path, what);
}

static int fail_sec(const reader *r, uint32_t id, const char *fmt, ...) LR_PRINTF(3, 4);
static int fail_sec(const reader *r, uint32_t id, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    if (id >= 1 && id <= S_LAST)
        return lr__fail(LR_E_FORMAT, "%s: section '%s': %s", r->path, section_names[id], what);
    return lr__fail(LR_E_FORMAT, "%s: section %u: %s", r->path, id, what);
}

static int check_header(const reader *r, uint32_t *count)
{
    if (r->size < sizeof LR_SNAPSHOT_MAGIC ||
        memcmp(r->buf, LR_SNAPSHOT_MAGIC, sizeof LR_SNAPSHOT_MAGIC) != 0)
        return fail_file(r, "not a lastrec snapshot (it does not start with \"%s\")",
                         LR_SNAPSHOT_MAGIC);
    if (r->size < HEADER_BYTES)
        return fail_file(r, "truncated: %zu bytes, the header alone takes %d", r->size,
                         HEADER_BYTES);
    /* Before the checksum: a later version may lay out its header otherwise. */
    uint32_t version = get32(r->buf + 8);
    if (version != LR_SNAPSHOT_VERSION)
        return fail_file(r, "snapshot format version %u; this build of lastrec reads version %u",
                         version, LR_SNAPSHOT_VERSION);
    *count = get32(r->buf + 16);
    if (*count > MAX_SECTIONS)
        return fail_file(r, "header: %u sections (at most %d are plausible)", *count, MAX_SECTIONS);
    size_t table = (size_t)ENTRY_BYTES * *count;
    if (r->size - HEADER_BYTES < table)
        return fail_file(r, "truncated: the section table needs %zu bytes, the file has %zu",
                         HEADER_BYTES + table, r->size);
    uint32_t crc = lr__crc32c(0, r->buf, HEADER_CRC_AT);
    crc = lr__crc32c(crc, r->buf + HEADER_BYTES, table);
    uint32_t stored = get32(r->buf + HEADER_CRC_AT);
    if (crc != stored)
        return fail_file(r, "header or section table is corrupt (checksum 0x%08x, stored 0x%08x)",
                         crc, stored);
    uint32_t flags = get32(r->buf + 12);
    if (flags != 0)
        return fail_file(r, "header: unknown flags 0x%08x", flags);
    return LR_OK;
}

/* One table entry: where its payload must start (right after the previous
 * one, 8-byte aligned, zero padding), that it fits, and its checksum. */
static int check_entry(reader *r, const uint8_t *e, uint64_t *end)
{
    uint32_t id = get32(e), crc = get32(e + 4);
    uint64_t off = get64(e + 8), len = get64(e + 16);
    uint64_t want = align8(*end);
    if (want > r->size)
        return fail_sec(r, id, "truncated: the file ends at byte %zu, before the section",
                        r->size);
    if (off != want)
        return fail_sec(r, id, "offset %llu, expected %llu (sections follow each other)",
                        (unsigned long long)off, (unsigned long long)want);
    for (uint64_t i = *end; i < want; i++)
        if (r->buf[i] != 0)
            return fail_sec(r, id, "non-zero padding byte at %llu", (unsigned long long)i);
    if (len > r->size - off)
        return fail_sec(r, id, "truncated: %llu bytes at offset %llu, the file has %zu",
                        (unsigned long long)len, (unsigned long long)off, r->size);
    uint32_t got = lr__crc32c(0, r->buf + off, (size_t)len);
    if (got != crc)
        return fail_sec(r, id, "corrupt payload (checksum 0x%08x, stored 0x%08x)", got, crc);
    if (id >= 1 && id <= S_LAST) {
        r->sec[id] = (section){r->buf + off, len, 1};
    } else if (!(id & OPTIONAL_BIT)) {
        return fail_sec(r, id, "unknown required section (written by a newer lastrec?)");
    }
    *end = off + len;
    return LR_OK;
}

static int check_table(reader *r, uint32_t count)
{
    uint64_t end = HEADER_BYTES + (uint64_t)ENTRY_BYTES * count;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = r->buf + HEADER_BYTES + (size_t)ENTRY_BYTES * i;
        if (i > 0 && get32(e) <= prev)
            return fail_file(r, "section table: id %u follows id %u (ids must ascend)",
                             get32(e), prev);
        prev = get32(e);
        int rc = check_entry(r, e, &end);
        if (rc)
            return rc;
    }
    if (end != r->size)
        return fail_file(r, "%llu bytes after the last section",
                         (unsigned long long)(r->size - end));
    for (uint32_t id = 1; id <= S_LAST; id++)
        if (!r->sec[id].present)
            return fail_file(r, "section '%s' is missing", section_names[id]);
    return LR_OK;
}

/* Section length must be base + count * elem, computed without overflow. */
static int expect_len(const reader *r, uint32_t id, uint64_t base, uint64_t count,
                      uint64_t elem, const char *what)
{
    uint64_t need;
    if (__builtin_mul_overflow(count, elem, &need) || __builtin_add_overflow(need, base, &need))
        return fail_sec(r, id, "%llu %s cannot fit in a file", (unsigned long long)count, what);
    if (need != r->sec[id].len)
        return fail_sec(r, id, "%llu bytes, but %llu %s take %llu",
                        (unsigned long long)r->sec[id].len, (unsigned long long)count, what,
                        (unsigned long long)need);
    return LR_OK;
}

static int read_count32(const reader *r, const uint8_t *p, const char *what, int32_t *out)
{
    uint32_t v = get32(p);
    if (v > INT32_MAX)
        return fail_sec(r, S_META, "%s count %u exceeds 2^31 - 1", what, v);
    *out = (int32_t)v;
    return LR_OK;
}

static int read_count64(const reader *r, const uint8_t *p, const char *what, int64_t *out)
{
    uint64_t v = get64(p);
    if (v > INT64_MAX)
        return fail_sec(r, S_META, "%s count %llu exceeds 2^63 - 1", what,
                        (unsigned long long)v);
    *out = (int64_t)v;
    return LR_OK;
}

static int read_meta(const reader *r, counts *c)
{
    if (r->sec[S_META].len != META_BYTES)
        return fail_sec(r, S_META, "%llu bytes, expected %d",
                        (unsigned long long)r->sec[S_META].len, META_BYTES);
    int rc;
    const uint8_t *p = r->sec[S_META].p;
    c->kind = get32(p);
    c->writer = get32(p + 4);
    if (c->kind < LR_SOURCE_HETREC || c->kind > LR_SOURCE_SPLIT)
        return fail_sec(r, S_META, "unknown source kind %u", c->kind);
    if (get32(p + 20) != 0)
        return fail_sec(r, S_META, "reserved field is 0x%08x, not 0", get32(p + 20));
    if ((rc = read_count32(r, p + 8, "user", &c->users)) ||
        (rc = read_count32(r, p + 12, "artist", &c->artists)) ||
        (rc = read_count32(r, p + 16, "tag", &c->tags)) ||
        (rc = read_count64(r, p + 24, "listen", &c->listens)) ||
        (rc = read_count64(r, p + 32, "tag use", &c->tag_uses)) ||
        (rc = read_count64(r, p + 40, "friend entry", &c->friends)))
        return rc;
    return LR_OK;
}

/* A NUL-terminated UTF-8 string filling bytes [0, len) of p. */
static const char *string_problem(const uint8_t *p, uint64_t len)
{
    if (len == 0 || p[len - 1] != 0)
        return "is not NUL-terminated";
    if (memchr(p, 0, (size_t)len - 1))
        return "holds a NUL byte before its end";
    if (!lr__utf8_valid((const char *)p, (size_t)len - 1))
        return "is not valid UTF-8";
    return NULL;
}

static int read_source(const reader *r, const char **source)
{
    const section *s = &r->sec[S_SOURCE];
    const char *why = string_problem(s->p, s->len);
    if (why)
        return fail_sec(r, S_SOURCE, "the text %s", why);
    *source = (const char *)s->p;
    return LR_OK;
}

static int read_report(const reader *r, lr__ds_report *rep)
{
    int rc = expect_len(r, S_REPORT, 0, REPORT_FIELDS, 8, "counters");
    if (rc)
        return rc;
    for (size_t i = 0; i < REPORT_FIELDS; i++) {
        int64_t v = (int64_t)get64(r->sec[S_REPORT].p + 8 * i);
        if (v < 0)
            return fail_sec(r, S_REPORT, "counter '%s' is negative (%lld)",
                            report_fields[i].name, (long long)v);
        *report_at(rep, i) = v;
    }
    return LR_OK;
}

static int read_ids(const reader *r, uint32_t id, int32_t n, int32_t **out)
{
    int rc = expect_len(r, id, 0, (uint64_t)n, 4, "IDs");
    if (rc)
        return rc;
    int32_t *ids = lr__malloc((size_t)n, sizeof *ids);
    if (!ids)
        return lr__fail_oom();
    *out = ids;
    const uint8_t *p = r->sec[id].p;
    for (int32_t i = 0; i < n; i++) {
        ids[i] = (int32_t)get32(p + 4 * (size_t)i);
        if (i > 0 && ids[i] <= ids[i - 1])
            return fail_sec(r, id, "ID %d at index %d does not ascend from %d", ids[i], i,
                            ids[i - 1]);
    }
    return LR_OK;
}

static int read_offsets(const reader *r, uint32_t id, lr__strtab *t, uint64_t blob)
{
    const uint8_t *p = r->sec[id].p;
    if (get64(p) != 0)
        return fail_sec(r, id, "the first string starts at %llu, not 0",
                        (unsigned long long)get64(p));
    t->off[0] = 0;
    for (int32_t i = 0; i < t->n; i++) {
        uint64_t next = get64(p + 8 * ((size_t)i + 1));
        if (next <= (uint64_t)t->off[i] || next > blob)
            return fail_sec(r, id, "string %d ends at offset %llu, outside (%lld, %llu]", i,
                            (unsigned long long)next, (long long)t->off[i],
                            (unsigned long long)blob);
        t->off[i + 1] = (int64_t)next;
    }
    if ((uint64_t)t->off[t->n] != blob)
        return fail_sec(r, id, "the strings take %lld bytes, the section holds %llu",
                        (long long)t->off[t->n], (unsigned long long)blob);
    return LR_OK;
}

static int read_strtab(const reader *r, uint32_t id, int32_t n, lr__strtab *t)
{
    uint64_t head = 8 * ((uint64_t)n + 1), len = r->sec[id].len;
    if (len < head)
        return fail_sec(r, id, "%llu bytes cannot hold the offsets of %d strings",
                        (unsigned long long)len, n);
    uint64_t blob = len - head;
    t->off = lr__malloc((size_t)n + 1, sizeof *t->off);
    t->blob = lr__malloc((size_t)blob, 1);
    if (!t->off || !t->blob)
        return lr__fail_oom();
    t->n = n;
    int rc = read_offsets(r, id, t, blob);
    if (rc)
        return rc;
    memcpy(t->blob, r->sec[id].p + head, (size_t)blob);
    for (int32_t i = 0; i < n; i++) {
        const uint8_t *s = (const uint8_t *)t->blob + t->off[i];
        const char *why = string_problem(s, (uint64_t)(t->off[i + 1] - t->off[i]));
        if (why)
            return fail_sec(r, id, "string %d %s", i, why);
    }
    return LR_OK;
}

/* Says what lr__csr_valid found wrong, for the message. */
static void describe_csr(const lr__csr *m, char *why, size_t size)
{
    if (m->ptr[0] != 0) {
        snprintf(why, size, "row pointers start at %lld, not 0", (long long)m->ptr[0]);
        return;
    }
    for (int32_t r = 0; r < m->rows; r++)
        if (m->ptr[r + 1] < m->ptr[r] || m->ptr[r + 1] > m->nnz) {
            snprintf(why, size, "row pointer %d is %lld, outside [%lld, %lld]", r + 1,
                     (long long)m->ptr[r + 1], (long long)m->ptr[r], (long long)m->nnz);
            return;
        }
    if (m->ptr[m->rows] != m->nnz) {
        snprintf(why, size, "row pointers end at %lld, not at the %lld entries",
                 (long long)m->ptr[m->rows], (long long)m->nnz);
        return;
    }
    for (int32_t r = 0; r < m->rows; r++)
        for (int64_t i = m->ptr[r]; i < m->ptr[r + 1]; i++) {
            if (m->idx[i] < 0 || m->idx[i] >= m->cols) {
                snprintf(why, size, "row %d: column %d outside [0, %d)", r, m->idx[i], m->cols);
                return;
            }
            if (i > m->ptr[r] && m->idx[i] <= m->idx[i - 1]) {
                snprintf(why, size, "row %d: columns %d, %d do not ascend", r, m->idx[i - 1],
                         m->idx[i]);
                return;
            }
        }
    snprintf(why, size, "inconsistent structure");
}

static int read_csr(const reader *r, uint32_t id, int32_t rows, int32_t cols, int64_t nnz,
                    int with_values, lr__csr *m)
{
    int rc = expect_len(r, id, 8 * ((uint64_t)rows + 1), (uint64_t)nnz, with_values ? 8 : 4,
                        "entries with row pointers");
    if (rc)
        return rc;
    m->rows = rows;
    m->cols = cols;
    m->nnz = nnz;
    m->ptr = lr__malloc((size_t)rows + 1, sizeof *m->ptr);
    m->idx = lr__malloc((size_t)nnz, sizeof *m->idx);
    m->val = with_values ? lr__malloc((size_t)nnz, sizeof *m->val) : NULL;
    if (!m->ptr || !m->idx || (with_values && !m->val))
        return lr__fail_oom();
    const uint8_t *p = r->sec[id].p;
    for (int32_t i = 0; i <= rows; i++, p += 8)
        m->ptr[i] = (int64_t)get64(p);
    for (int64_t i = 0; i < nnz; i++, p += 4)
        m->idx[i] = (int32_t)get32(p);
    for (int64_t i = 0; with_values && i < nnz; i++, p += 4)
        m->val[i] = bits_float(get32(p));
    if (!lr__csr_valid(m)) {
        char why[200];
        describe_csr(m, why, sizeof why);
        return fail_sec(r, id, "%s", why);
    }
    return LR_OK;
}

static int check_listen_counts(const reader *r, const lr__csr *m)
{
    for (int64_t i = 0; i < m->nnz; i++)
        if (!isfinite(m->val[i]) || m->val[i] <= 0)
            return fail_sec(r, S_LISTENS, "entry %lld: listen count %g is not a positive number",
                            (long long)i, (double)m->val[i]);
    return LR_OK;
}

static int check_friends(const reader *r, const lr_dataset *ds)
{
    const lr__csr *m = &ds->friends;
    for (int32_t u = 0; u < m->rows; u++)
        for (int64_t i = m->ptr[u]; i < m->ptr[u + 1]; i++) {
            int32_t v = m->idx[i];
            if (v == u)
                return fail_sec(r, S_FRIENDS, "user %d is listed as their own friend",
                                ds->user_ids[u]);
            if (lr__csr_find(m, v, u) < 0)
                return fail_sec(r, S_FRIENDS, "user %d lists %d as a friend, but not the reverse",
                                ds->user_ids[u], ds->user_ids[v]);
        }
    return LR_OK;
}

static int read_tag_uses(const reader *r, const counts *c, lr_dataset *ds)
{
    int rc = expect_len(r, S_TAG_USES, 0, (uint64_t)c->tag_uses, TAG_USE_BYTES, "tag uses");
    if (rc)
        return rc;
    ds->tag_uses = lr__malloc((size_t)c->tag_uses, sizeof *ds->tag_uses);
    if (!ds->tag_uses)
        return lr__fail_oom();
    ds->n_tag_uses = c->tag_uses;
    const uint8_t *p = r->sec[S_TAG_USES].p;
    for (int64_t i = 0; i < c->tag_uses; i++, p += TAG_USE_BYTES) {
        lr__tag_use *u = &ds->tag_uses[i];
        u->user = (int32_t)get32(p);
        u->artist = (int32_t)get32(p + 4);
        u->tag = (int32_t)get32(p + 8);
        u->time_ms = (int64_t)get64(p + 12);
        if (u->user < 0 || u->user >= c->users || u->artist < 0 || u->artist >= c->artists ||
            u->tag < 0 || u->tag >= c->tags)
            return fail_sec(r, S_TAG_USES,
                            "use %lld: (user %d, artist %d, tag %d) outside %d x %d x %d",
                            (long long)i, u->user, u->artist, u->tag, c->users, c->artists,
                            c->tags);
        if (i > 0 && lr__tag_use_cmp(u - 1, u) > 0)
            return fail_sec(r, S_TAG_USES, "use %lld is out of (user, artist, tag, time) order",
                            (long long)i);
    }
    return LR_OK;
}

static const char *kind_name(uint32_t kind)
{
    switch (kind) {
    case LR_SOURCE_HETREC: return "HetRec directory";
    case LR_SOURCE_LISTENS: return "listens file";
    case LR_SOURCE_SNAPSHOT: return "snapshot";
    case LR_SOURCE_SYNTHETIC: return "synthetic data";
    default: return "split";
    }
}

/* Everything after the table, in dependency order: counts first, since
 * every other length is checked against them. */
static int read_sections(const reader *r, lr_dataset *ds)
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
        rc = read_ids(r, S_USER_IDS, c.users, &ds->user_ids);
    }
    if (rc == LR_OK) rc = read_ids(r, S_ARTIST_IDS, c.artists, &ds->artist_ids);
    if (rc == LR_OK) rc = read_ids(r, S_TAG_IDS, c.tags, &ds->tag_ids);
    if (rc == LR_OK) rc = read_strtab(r, S_ARTIST_NAMES, c.artists, &ds->artist_names);
    if (rc == LR_OK) rc = read_strtab(r, S_TAG_NAMES, c.tags, &ds->tag_names);
    if (rc == LR_OK)
        rc = read_csr(r, S_LISTENS, c.users, c.artists, c.listens, 1, &ds->listens);
    if (rc == LR_OK) rc = check_listen_counts(r, &ds->listens);
    if (rc == LR_OK) rc = read_tag_uses(r, &c, ds);
    if (rc == LR_OK) rc = read_csr(r, S_FRIENDS, c.users, c.users, c.friends, 0, &ds->friends);
    if (rc == LR_OK) rc = check_friends(r, ds);
    if (rc == LR_OK)
        lr__log(LR_LOG_INFO, "%s: snapshot of %s '%s', saved by lastrec %u.%u.%u", r->path,
                kind_name(c.kind), source, c.writer / 10000, c.writer / 100 % 100,
                c.writer % 100);
    return rc;
}

int lr__snapshot_read(lr_dataset **out, const char *path)
{
    *out = NULL;
    char *data;
    size_t size;
    int rc = lr__read_file(path, &data, &size);
    if (rc)
        return rc;
    reader r = {.path = path, .buf = (const uint8_t *)data, .size = size};
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_SNAPSHOT, path);
    uint32_t count = 0;
    if (!ds)
        rc = lr__fail_oom();
    if (rc == LR_OK) rc = check_header(&r, &count);
    if (rc == LR_OK) rc = check_table(&r, count);
    if (rc == LR_OK) rc = read_sections(&r, ds);
    if (rc == LR_OK) rc = lr__dataset_derive(ds);
    free(data);
    if (rc) {
        lr_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return LR_OK;
}
