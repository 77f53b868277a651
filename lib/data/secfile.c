/* Sectioned binary files: framing, checksums and the shared primitives.
 * SPDX-License-Identifier: MIT
 *
 * docs/formats.md ("Container") is the specification.  The reader treats
 * the file as hostile: the header checksum, the exact tiling of the
 * sections and each section's checksum are checked before any payload is
 * looked at, and each decoder checks lengths against counts (without
 * overflow) before allocating, so allocations are bounded by the file size.
 */
#include "data/secfile.h"
#include "core/alloc.h"
#include "core/checksum.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#define HEADER_BYTES 24   /* magic 8, version 4, flags 4, count 4, crc 4 */
#define ENTRY_BYTES 24    /* id 4, crc 4, offset 8, length 8 */
#define HEADER_CRC_AT 20
#define MAX_SECTIONS 1024 /* far above any version's need; bounds the table */
#define BUF_BYTES ((size_t)1 << 16)

static uint64_t align8(uint64_t x) { return (x + 7) & ~(uint64_t)7; }

/* ------------------------------------------------------------------ writer */

static void put_raw(lr__secw *w, const void *data, size_t len)
{
    if (w->rc)
        return;
    w->rc = lr__afile_write(&w->f, data, len);
    w->pos += len;
}

static void flush(lr__secw *w)
{
    if (w->used && !w->rc) {
        w->crc = lr__crc32c(w->crc, w->buf, w->used);
        put_raw(w, w->buf, w->used);
    }
    w->used = 0;
}

/* A programming error in a format's writer, never bad input. */
static void misuse(lr__secw *w, const char *what)
{
    if (!w->rc)
        w->rc = lr__fail(LR_E_INVALID, "%s: %s (a bug in lastrec; nothing was saved)",
                         w->f.path, what);
}

int lr__secw_open(lr__secw *w, const char *path, const char magic[8], uint32_t version,
                  uint32_t count)
{
    memset(w, 0, sizeof *w);
    if (count > MAX_SECTIONS)
        return lr__fail(LR_E_INVALID, "%s: %u sections are more than a file may hold", path,
                        count);
    w->table = lr__calloc(count, ENTRY_BYTES);
    w->buf = lr__malloc(BUF_BYTES, 1);
    if (!w->table || !w->buf) {
        free(w->table);
        free(w->buf);
        return lr__fail_oom("the file writer's buffer");
    }
    int rc = lr__afile_open(&w->f, path);
    if (rc) {
        free(w->table);
        free(w->buf);
        return rc;
    }
    memcpy(w->head, magic, 8);
    lr__le_put32(w->head + 8, version);
    lr__le_put32(w->head + 12, 0);
    lr__le_put32(w->head + 16, count);
    w->count = count;
    /* Placeholders: the checksums are known only when every payload is. */
    put_raw(w, w->head, HEADER_BYTES);
    put_raw(w, w->table, (size_t)ENTRY_BYTES * count);
    return LR_OK;
}

void lr__secw_begin(lr__secw *w, uint32_t id)
{
    static const uint8_t zeros[8];
    if (w->rc)
        return;
    if (w->open || w->done >= w->count || (w->done > 0 && id <= w->id)) {
        misuse(w, "sections written out of order");
        return;
    }
    put_raw(w, zeros, (size_t)(align8(w->pos) - w->pos));
    w->start = w->pos;
    w->id = id;
    w->crc = 0;
    w->open = 1;
}

void lr__secw_end(lr__secw *w)
{
    if (w->rc)
        return;
    if (!w->open) {
        misuse(w, "a section ended that was not begun");
        return;
    }
    flush(w);
    uint8_t *e = w->table + (size_t)ENTRY_BYTES * w->done;
    lr__le_put32(e, w->id);
    lr__le_put32(e + 4, w->crc);
    lr__le_put64(e + 8, w->start);
    lr__le_put64(e + 16, w->pos - w->start);
    w->done++;
    w->open = 0;
}

/* Room for n <= BUF_BYTES bytes in the buffer. */
static uint8_t *room(lr__secw *w, size_t n)
{
    if (BUF_BYTES - w->used < n)
        flush(w);
    uint8_t *p = w->buf + w->used;
    w->used += n;
    return p;
}

void lr__secw_bytes(lr__secw *w, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len) {
        size_t n = len < BUF_BYTES ? len : BUF_BYTES;
        memcpy(room(w, n), p, n);
        p += n;
        len -= n;
    }
}

void lr__secw_u32(lr__secw *w, uint32_t v) { lr__le_put32(room(w, 4), v); }
void lr__secw_u64(lr__secw *w, uint64_t v) { lr__le_put64(room(w, 8), v); }
void lr__secw_f64(lr__secw *w, double v) { lr__le_put64(room(w, 8), lr__f64_bits(v)); }

/* Arrays go a buffer's worth at a time: a 150 MB item matrix is one call. */
#define PUT_ARRAY(w, v, n, size, put)                                          \
    do {                                                                       \
        size_t left_ = (n);                                                    \
        while (left_) {                                                        \
            if (BUF_BYTES - (w)->used < (size))                                \
                flush(w);                                                      \
            size_t k_ = (BUF_BYTES - (w)->used) / (size);                      \
            if (k_ > left_)                                                    \
                k_ = left_;                                                    \
            uint8_t *p_ = (w)->buf + (w)->used;                                \
            for (size_t i_ = 0; i_ < k_; i_++)                                 \
                put(p_ + (size) * i_, (v)[i_]);                                \
            (w)->used += (size) * k_;                                          \
            (v) += k_;                                                         \
            left_ -= k_;                                                       \
        }                                                                      \
    } while (0)

#define PUT_I32(p, x) lr__le_put32((p), (uint32_t)(x))
#define PUT_F32(p, x) lr__le_put32((p), lr__f32_bits(x))
#define PUT_F64(p, x) lr__le_put64((p), lr__f64_bits(x))
#define PUT_I64(p, x) lr__le_put64((p), (uint64_t)(x))

void lr__secw_i32s(lr__secw *w, const int32_t *v, size_t n) { PUT_ARRAY(w, v, n, 4, PUT_I32); }
void lr__secw_f32s(lr__secw *w, const float *v, size_t n) { PUT_ARRAY(w, v, n, 4, PUT_F32); }
void lr__secw_f64s(lr__secw *w, const double *v, size_t n) { PUT_ARRAY(w, v, n, 8, PUT_F64); }

void lr__secw_strtab(lr__secw *w, const lr__strtab *t)
{
    /* Offsets come from the strings, not from t->off, so a loosely packed
     * table still gives the canonical bytes. */
    uint64_t off = 0;
    for (int32_t i = 0; i < t->n; i++) {
        lr__secw_u64(w, off);
        off += strlen(lr__strtab_get(t, i)) + 1;
    }
    lr__secw_u64(w, off);
    for (int32_t i = 0; i < t->n; i++) {
        const char *s = lr__strtab_get(t, i);
        lr__secw_bytes(w, s, strlen(s) + 1);
    }
}

void lr__secw_csr(lr__secw *w, const lr__csr *m, int with_values)
{
    const int64_t *ptr = m->ptr;
    const int32_t *idx = m->idx;
    const float *val = m->val;
    PUT_ARRAY(w, ptr, (size_t)m->rows + 1, 8, PUT_I64);
    PUT_ARRAY(w, idx, (size_t)m->nnz, 4, PUT_I32);
    if (with_values)
        PUT_ARRAY(w, val, (size_t)m->nnz, 4, PUT_F32);
}

int lr__secw_finish(lr__secw *w)
{
    if (!w->rc && (w->open || w->done != w->count))
        misuse(w, "fewer sections written than announced");
    if (!w->rc) {
        uint32_t crc = lr__crc32c(0, w->head, HEADER_CRC_AT);
        crc = lr__crc32c(crc, w->table, (size_t)ENTRY_BYTES * w->count);
        lr__le_put32(w->head + HEADER_CRC_AT, crc);
        if (fseek(w->f.fp, 0, SEEK_SET) != 0)
            w->rc = lr__fail(LR_E_IO, "%s: cannot seek back to the header: %s", w->f.path,
                             strerror(errno));
        put_raw(w, w->head, HEADER_BYTES);
        put_raw(w, w->table, (size_t)ENTRY_BYTES * w->count);
    }
    int rc = w->rc;
    if (rc == LR_OK)
        rc = lr__afile_commit(&w->f);
    else
        lr__afile_abort(&w->f);
    free(w->table);
    free(w->buf);
    memset(w, 0, sizeof *w);
    return rc;
}

/* ------------------------------------------------------------------ reader */

LR_PRINTF(4, 0)
static int vfail(const lr__secr *r, uint32_t id, int with_sec, const char *fmt, va_list ap)
{
    char what[512];
    vsnprintf(what, sizeof what, fmt, ap);
    if (!with_sec)
        return lr__fail(LR_E_FORMAT, "%s: %s", r->path, what);
    if (id >= 1 && id <= r->n_known && r->names[id])
        return lr__fail(LR_E_FORMAT, "%s: section '%s': %s", r->path, r->names[id], what);
    return lr__fail(LR_E_FORMAT, "%s: section %u: %s", r->path, id, what);
}

int lr__secr_fail(const lr__secr *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(r, 0, 0, fmt, ap);
    va_end(ap);
    return rc;
}

int lr__secr_fail_sec(const lr__secr *r, uint32_t id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vfail(r, id, 1, fmt, ap);
    va_end(ap);
    return rc;
}

static int check_header(const lr__secr *r, const char magic[8], uint32_t version,
                        uint32_t *count)
{
    /* The other lastrec format by its magic, to say which call reads it
     * (the strings of lib/model/file.h and lib/data/snapshot.h). */
    static const struct {
        char magic[8];
        const char *what;
    } known[] = {
        {"LRMODEL", "a lastrec model file: lr_model_load ('lastrec recommend', 'lastrec "
                    "similar') reads it"},
        {"LRDSNAP", "a lastrec data set snapshot: lr_dataset_load ('lastrec info', 'lastrec "
                    "train', ...) reads it"},
    };
    if (r->size < 8 || memcmp(r->buf, magic, 8) != 0) {
        for (size_t i = 0; r->size >= 8 && i < sizeof known / sizeof known[0]; i++)
            if (memcmp(r->buf, known[i].magic, 8) == 0)
                return lr__secr_fail(r, "not a lastrec %s (it starts with \"%s\", not \"%s\") "
                                     "but %s", r->noun, known[i].magic, magic, known[i].what);
        return lr__secr_fail(r, "not a lastrec %s (it does not start with \"%s\")", r->noun,
                             magic);
    }
    if (r->size < HEADER_BYTES)
        return lr__secr_fail(r, "truncated: %zu bytes, the header alone takes %d", r->size,
                             HEADER_BYTES);
    /* Before the checksum: a later version may lay out its header otherwise. */
    uint32_t v = lr__le_get32(r->buf + 8);
    if (r->oldest && r->oldest < version && (v < r->oldest || v > version))
        return lr__secr_fail(r, "%s format version %u; this build of lastrec reads versions %u "
                                "to %u", r->noun, v, r->oldest, version);
    if ((!r->oldest || r->oldest >= version) && v != version)
        return lr__secr_fail(r, "%s format version %u; this build of lastrec reads version %u",
                             r->noun, v, version);
    *count = lr__le_get32(r->buf + 16);
    if (*count > MAX_SECTIONS)
        return lr__secr_fail(r, "header: %u sections (at most %d are plausible)", *count,
                             MAX_SECTIONS);
    size_t table = (size_t)ENTRY_BYTES * *count;
    if (r->size - HEADER_BYTES < table)
        return lr__secr_fail(r, "truncated: the section table needs %zu bytes, the file has %zu",
                             HEADER_BYTES + table, r->size);
    uint32_t crc = lr__crc32c(0, r->buf, HEADER_CRC_AT);
    crc = lr__crc32c(crc, r->buf + HEADER_BYTES, table);
    uint32_t stored = lr__le_get32(r->buf + HEADER_CRC_AT);
    if (crc != stored)
        return lr__secr_fail(r,
                             "header or section table is corrupt (checksum 0x%08x, stored 0x%08x)",
                             crc, stored);
    uint32_t flags = lr__le_get32(r->buf + 12);
    if (flags != 0)
        return lr__secr_fail(r, "header: unknown flags 0x%08x", flags);
    return LR_OK;
}

/* One table entry: where its payload must start (right after the previous
 * one, 8-byte aligned, zero padding), that it fits, and its checksum. */
static int check_entry(lr__secr *r, const uint8_t *e, uint64_t *end)
{
    uint32_t id = lr__le_get32(e), crc = lr__le_get32(e + 4);
    uint64_t off = lr__le_get64(e + 8), len = lr__le_get64(e + 16);
    uint64_t want = align8(*end);
    if (want > r->size)
        return lr__secr_fail_sec(r, id, "truncated: the file ends at byte %zu, before the section",
                                 r->size);
    if (off != want)
        return lr__secr_fail_sec(r, id, "offset %llu, expected %llu (sections follow each other)",
                                 (unsigned long long)off, (unsigned long long)want);
    for (uint64_t i = *end; i < want; i++)
        if (r->buf[i] != 0)
            return lr__secr_fail_sec(r, id, "non-zero padding byte at %llu",
                                     (unsigned long long)i);
    if (len > r->size - off)
        return lr__secr_fail_sec(r, id, "truncated: %llu bytes at offset %llu, the file has %zu",
                                 (unsigned long long)len, (unsigned long long)off, r->size);
    uint32_t got = lr__crc32c(0, r->buf + off, (size_t)len);
    if (got != crc)
        return lr__secr_fail_sec(r, id, "corrupt payload (checksum 0x%08x, stored 0x%08x)", got,
                                 crc);
    if (id >= 1 && id <= r->n_known && r->names[id]) {
        r->sec[id] = (lr__secr_part){r->buf + off, len, 1};
    } else if (!(id & LR__SEC_OPTIONAL)) {
        return lr__secr_fail_sec(r, id, "unknown required section (written by a newer lastrec?)");
    }
    *end = off + len;
    return LR_OK;
}

int lr__secr_check(lr__secr *r, const char magic[8], uint32_t version)
{
    memset(r->sec, 0, sizeof r->sec);
    uint32_t count = 0;
    int rc = check_header(r, magic, version, &count);
    if (rc)
        return rc;
    r->version = lr__le_get32(r->buf + 8);
    uint64_t end = HEADER_BYTES + (uint64_t)ENTRY_BYTES * count;
    uint32_t prev = 0;
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = r->buf + HEADER_BYTES + (size_t)ENTRY_BYTES * i;
        if (i > 0 && lr__le_get32(e) <= prev)
            return lr__secr_fail(r, "section table: id %u follows id %u (ids must ascend)",
                                 lr__le_get32(e), prev);
        prev = lr__le_get32(e);
        rc = check_entry(r, e, &end);
        if (rc)
            return rc;
    }
    if (end != r->size)
        return lr__secr_fail(r, "%llu bytes after the last section",
                             (unsigned long long)(r->size - end));
    return LR_OK;
}

int lr__secr_expect_len(const lr__secr *r, uint32_t id, uint64_t base, uint64_t count,
                        uint64_t elem, const char *what)
{
    uint64_t need;
    if (__builtin_mul_overflow(count, elem, &need) || __builtin_add_overflow(need, base, &need))
        return lr__secr_fail_sec(r, id, "%llu %s cannot fit in a file", (unsigned long long)count,
                                 what);
    if (need != r->sec[id].len)
        return lr__secr_fail_sec(r, id, "%llu bytes, but %llu %s take %llu",
                                 (unsigned long long)r->sec[id].len, (unsigned long long)count,
                                 what, (unsigned long long)need);
    return LR_OK;
}

const char *lr__secr_string_problem(const uint8_t *p, uint64_t len)
{
    if (len == 0 || p[len - 1] != 0)
        return "is not NUL-terminated";
    if (memchr(p, 0, (size_t)len - 1))
        return "holds a NUL byte before its end";
    if (!lr__utf8_valid((const char *)p, (size_t)len - 1))
        return "is not valid UTF-8";
    return NULL;
}

int lr__secr_ids(const lr__secr *r, uint32_t id, int32_t n, int32_t **out)
{
    int rc = lr__secr_expect_len(r, id, 0, (uint64_t)n, 4, "IDs");
    if (rc)
        return rc;
    int32_t *ids = lr__malloc((size_t)n, sizeof *ids);
    if (!ids)
        return lr__fail_oom("the file's IDs");
    *out = ids;
    const uint8_t *p = r->sec[id].p;
    for (int32_t i = 0; i < n; i++) {
        ids[i] = (int32_t)lr__le_get32(p + 4 * (size_t)i);
        if (i > 0 && ids[i] <= ids[i - 1])
            return lr__secr_fail_sec(r, id, "ID %d at index %d does not ascend from %d", ids[i],
                                     i, ids[i - 1]);
    }
    return LR_OK;
}

static int read_offsets(const lr__secr *r, uint32_t id, lr__strtab *t, uint64_t blob)
{
    const uint8_t *p = r->sec[id].p;
    if (lr__le_get64(p) != 0)
        return lr__secr_fail_sec(r, id, "the first string starts at %llu, not 0",
                                 (unsigned long long)lr__le_get64(p));
    t->off[0] = 0;
    for (int32_t i = 0; i < t->n; i++) {
        uint64_t next = lr__le_get64(p + 8 * ((size_t)i + 1));
        if (next <= (uint64_t)t->off[i] || next > blob)
            return lr__secr_fail_sec(r, id, "string %d ends at offset %llu, outside (%lld, %llu]",
                                     i, (unsigned long long)next, (long long)t->off[i],
                                     (unsigned long long)blob);
        t->off[i + 1] = (int64_t)next;
    }
    if ((uint64_t)t->off[t->n] != blob)
        return lr__secr_fail_sec(r, id, "the strings take %lld bytes, the section holds %llu",
                                 (long long)t->off[t->n], (unsigned long long)blob);
    return LR_OK;
}

int lr__secr_strtab(const lr__secr *r, uint32_t id, int32_t n, lr__strtab *t)
{
    uint64_t head = 8 * ((uint64_t)n + 1), len = r->sec[id].len;
    if (len < head)
        return lr__secr_fail_sec(r, id, "%llu bytes cannot hold the offsets of %d strings",
                                 (unsigned long long)len, n);
    uint64_t blob = len - head;
    t->off = lr__malloc((size_t)n + 1, sizeof *t->off);
    t->blob = lr__malloc((size_t)blob, 1);
    if (!t->off || !t->blob)
        return lr__fail_oom("the file's strings");
    t->n = n;
    int rc = read_offsets(r, id, t, blob);
    if (rc)
        return rc;
    memcpy(t->blob, r->sec[id].p + head, (size_t)blob);
    for (int32_t i = 0; i < n; i++) {
        const uint8_t *s = (const uint8_t *)t->blob + t->off[i];
        const char *why = lr__secr_string_problem(s, (uint64_t)(t->off[i + 1] - t->off[i]));
        if (why)
            return lr__secr_fail_sec(r, id, "string %d %s", i, why);
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

int lr__secr_csr(const lr__secr *r, uint32_t id, int32_t rows, int32_t cols, int64_t nnz,
                 int with_values, lr__csr *m)
{
    int rc = lr__secr_expect_len(r, id, 8 * ((uint64_t)rows + 1), (uint64_t)nnz,
                                 with_values ? 8 : 4, "entries with row pointers");
    if (rc)
        return rc;
    m->rows = rows;
    m->cols = cols;
    m->nnz = nnz;
    m->ptr = lr__malloc((size_t)rows + 1, sizeof *m->ptr);
    m->idx = lr__malloc((size_t)nnz, sizeof *m->idx);
    m->val = with_values ? lr__malloc((size_t)nnz, sizeof *m->val) : NULL;
    if (!m->ptr || !m->idx || (with_values && !m->val))
        return lr__fail_oom("the file's sparse matrix");
    const uint8_t *p = r->sec[id].p;
    for (int32_t i = 0; i <= rows; i++, p += 8)
        m->ptr[i] = (int64_t)lr__le_get64(p);
    for (int64_t i = 0; i < nnz; i++, p += 4)
        m->idx[i] = (int32_t)lr__le_get32(p);
    for (int64_t i = 0; with_values && i < nnz; i++, p += 4)
        m->val[i] = lr__bits_f32(lr__le_get32(p));
    if (!lr__csr_valid(m)) {
        char why[200];
        describe_csr(m, why, sizeof why);
        return lr__secr_fail_sec(r, id, "%s", why);
    }
    return LR_OK;
}
