/* Sectioned binary files: the container that dataset snapshots and model
 * files share (docs/formats.md, "Container").  SPDX-License-Identifier: MIT
 *
 * A file is a 24-byte header (8-byte magic, version, flags, section count,
 * CRC-32C of the header and table), a table of 24-byte entries (id, CRC-32C
 * of the payload, offset, length) in ascending id order, and the payloads,
 * each at the next 8-byte boundary after the one before, zero padded, the
 * last one ending the file.  Every integer is little-endian whatever the
 * host; these helpers spell the byte order out instead of copying memory.
 *
 * A format (snapshot, model file) chooses the magic, the version, the
 * section ids and names, and what each payload holds; this file owns the
 * framing and the primitives both formats store (ID arrays, string tables,
 * CSR matrices), so both validate them the same way.
 */
#ifndef LR_DATA_SECFILE_H
#define LR_DATA_SECFILE_H

#include "core/error.h"
#include "core/file.h"
#include "data/dataset.h"

#include <stdint.h>
#include <string.h>

/* Section ids with this bit are optional: a reader that does not know one
 * checks its place and checksum, then skips it. */
#define LR__SEC_OPTIONAL 0x80000000u
/* The largest known id a format may use (sizes the reader's index). */
#define LR__SEC_MAX_KNOWN 31

/* ------------------------------------------------------ little-endian bytes */

static inline void lr__le_put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void lr__le_put64(uint8_t *p, uint64_t v)
{
    lr__le_put32(p, (uint32_t)v);
    lr__le_put32(p + 4, (uint32_t)(v >> 32));
}

static inline uint32_t lr__le_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static inline uint64_t lr__le_get64(const uint8_t *p)
{
    return (uint64_t)lr__le_get32(p) | (uint64_t)lr__le_get32(p + 4) << 32;
}

/* Floating-point values travel as their IEEE 754 bit patterns, so NaN
 * payloads and signed zeros survive a round trip. */
static inline uint32_t lr__f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

static inline float lr__bits_f32(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint64_t lr__f64_bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

static inline double lr__bits_f64(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

/* ------------------------------------------------------------------ writer */

/* Streams a file section by section through a small buffer, so a model of
 * hundreds of megabytes is never copied whole; the header and table, whose
 * checksums are known only at the end, are written last over placeholders.
 * Calls after a failure do nothing; lr__secw_finish reports the first. */
typedef struct lr__secw {
    lr__afile f;
    uint8_t *table;   /* count encoded entries */
    uint8_t *buf;     /* pending bytes of the open section */
    size_t used;
    uint64_t pos;     /* file offset of the next byte */
    uint64_t start;   /* offset of the open section */
    uint32_t count;   /* sections announced */
    uint32_t done;    /* sections finished */
    uint32_t id, crc; /* the open section */
    int open;
    int rc;
    uint8_t head[24];
} lr__secw;

/* Create path's temporary file for a file of exactly `count` sections.
 * LR_E_IO, LR_E_NOMEM. */
int lr__secw_open(lr__secw *w, const char *path, const char magic[8], uint32_t version,
                  uint32_t count);
/* Sections must be begun in ascending id order, each ended before the next. */
void lr__secw_begin(lr__secw *w, uint32_t id);
void lr__secw_end(lr__secw *w);
void lr__secw_bytes(lr__secw *w, const void *data, size_t len);
void lr__secw_u32(lr__secw *w, uint32_t v);
void lr__secw_u64(lr__secw *w, uint64_t v);
void lr__secw_f64(lr__secw *w, double v);
void lr__secw_i32s(lr__secw *w, const int32_t *v, size_t n);
void lr__secw_f32s(lr__secw *w, const float *v, size_t n);
void lr__secw_f64s(lr__secw *w, const double *v, size_t n);
/* A string table: count + 1 u64 offsets computed from the strings (so the
 * bytes are canonical), then the strings with their NULs. */
void lr__secw_strtab(lr__secw *w, const lr__strtab *t);
/* A CSR matrix: rows + 1 u64 row pointers, nnz u32 indices, then (when
 * with_values) nnz f32 values. */
void lr__secw_csr(lr__secw *w, const lr__csr *m, int with_values);
/* Write the header and table and rename the file into place; on any
 * earlier or present failure remove the temporary instead.  Returns the
 * first failure (LR_E_IO, LR_E_NOMEM) or LR_OK. */
int lr__secw_finish(lr__secw *w);

/* ------------------------------------------------------------------ reader */

typedef struct lr__secr_part {
    const uint8_t *p;
    uint64_t len;
    int present;
} lr__secr_part;

/* A whole file in memory being checked.  The caller fills path, noun ("a
 * lastrec <noun>", "<noun> format version"), names (names[id] for known ids
 * 1..n_known, at most LR__SEC_MAX_KNOWN), buf and size. */
typedef struct lr__secr {
    const char *path;
    const char *noun;
    const char *const *names;
    uint32_t n_known;
    const uint8_t *buf;
    size_t size;
    /* The oldest version the caller also reads (0: only the newest, the
     * version given to lr__secr_check), and on success the file's own. */
    uint32_t oldest;
    uint32_t version;
    lr__secr_part sec[LR__SEC_MAX_KNOWN + 1];
} lr__secr;

/* Magic, size, version (r->oldest to `version`; before the checksum, since another version may lay
 * its header out otherwise), section count, header CRC, flags, then every
 * entry: ascending ids, each payload where the tiling rule puts it, zero
 * padding, inside the file, matching its CRC, known or optional; finally no
 * bytes after the last payload.  Fills r->sec for known ids; the caller
 * decides which are required.  LR_E_FORMAT naming the file. */
int lr__secr_check(lr__secr *r, const char magic[8], uint32_t version);

/* LR_E_FORMAT "path: <what>" and "path: section 'name': <what>". */
int lr__secr_fail(const lr__secr *r, const char *fmt, ...) LR_PRINTF(2, 3);
int lr__secr_fail_sec(const lr__secr *r, uint32_t id, const char *fmt, ...) LR_PRINTF(3, 4);

/* Section id's length must be base + count * elem, computed without
 * overflow, so that no count read from a file sizes an allocation the file
 * cannot back. */
int lr__secr_expect_len(const lr__secr *r, uint32_t id, uint64_t base, uint64_t count,
                        uint64_t elem, const char *what);

/* Why bytes [0, len) of p are not one NUL-terminated UTF-8 string, or NULL. */
const char *lr__secr_string_problem(const uint8_t *p, uint64_t len);

/* The decoders below allocate into *out / t / m before they validate, so on
 * failure the caller frees what it owns as usual. */

/* n strictly ascending i32 IDs filling the section. */
int lr__secr_ids(const lr__secr *r, uint32_t id, int32_t n, int32_t **out);
/* A string table of n strings filling the section: offsets from 0, strictly
 * increasing, ending at the blob's length; each string NUL-terminated UTF-8. */
int lr__secr_strtab(const lr__secr *r, uint32_t id, int32_t n, lr__strtab *t);
/* A rows x cols CSR of nnz entries filling the section, valid by
 * lr__csr_valid (the message says what is wrong). */
int lr__secr_csr(const lr__secr *r, uint32_t id, int32_t rows, int32_t cols, int64_t nnz,
                 int with_values, lr__csr *m);

#endif
