/* A tokenizer for tab-separated files with one header line, read whole into
 * memory.  SPDX-License-Identifier: MIT
 *
 * The rules (docs/data.md):
 * - an empty file (nothing but a UTF-8 BOM, CR and LF) is LR_E_EMPTY;
 * - a NUL byte anywhere is LR_E_ENCODING, naming its line;
 * - the first line must be exactly the expected column names joined by
 *   tabs (LR_E_HEADER otherwise); a UTF-8 BOM before it is skipped;
 * - lines end in LF or CRLF, the last one may lack its terminator;
 * - a line longer than max_line bytes (terminator excluded) is LR_E_TOOLONG;
 * - blank lines are allowed only at the end of the file (LR_E_PARSE
 *   elsewhere), so data row i is always line i + 2;
 * - every row has exactly the expected number of fields (LR_E_PARSE).
 * Every message reads "path:line: field 'name': problem".
 */
#ifndef LR_INGEST_TSV_H
#define LR_INGEST_TSV_H

#include "core/error.h"
#include "core/progress.h"

#include <stddef.h>
#include <stdint.h>

/* More than any HetRec file has. */
#define LR_TSV_MAX_FIELDS 8

typedef struct lr__tsv {
    const char *path;          /* borrowed, for messages */
    const char *const *names;  /* borrowed column names */
    int nfields;
    size_t max_line;
    char *data;                /* the whole file, NUL-terminated */
    size_t len;
    size_t pos;                /* start of the next line */
    uint64_t line;             /* line number of the current row */
    const char *field[LR_TSV_MAX_FIELDS];
    size_t flen[LR_TSV_MAX_FIELDS];
    /* Set after lr__tsv_open to hear, every LR_TSV_PROGRESS_ROWS rows,
     * the bytes parsed of len under this stage name (a large file parses
     * for seconds); borrowed, NULL for silence. */
    const lr__progress *progress;
    char stage[128];
    /* Streaming (lr__tsv_open_stream): data is a window of cap bytes over
     * the file, refilled by read(2); base is the file offset of data[0]
     * and total the file's size.  stream 0 (and the rest 0) for a whole
     * file. */
    int stream;
    int fd;
    int eof;
    size_t cap;
    uint64_t base, total;
} lr__tsv;

#define LR_TSV_PROGRESS_ROWS 65536

/* A growing byte buffer of NUL-terminated strings addressed by offset. */
typedef struct lr__blob {
    char *data;
    size_t len, cap;
} lr__blob;

/* Data row i of a file read by lr__tsv sits on this line. */
static inline uint64_t lr__tsv_row_line(size_t row) { return (uint64_t)row + 2; }

/* Read path and check its encoding and header.  On failure t holds
 * nothing and needs no close. */
int lr__tsv_open(lr__tsv *t, const char *path, const char *const *names,
                 int nfields, size_t max_line);

/* Open path for reading in blocks of `block` bytes (plus room for one line
 * of max_line), never the whole file: memory stays fixed whatever the
 * file's size.  No header line (header NULL names only the columns for
 * messages), so data row i is line i + 1; a UTF-8 BOM is skipped; an
 * empty file is LR_E_EMPTY.  A NUL byte is LR_E_ENCODING on its line when
 * the row is reached.  After a failed row (LR_E_PARSE, LR_E_TOOLONG,
 * LR_E_ENCODING) the row has been consumed whole, so a caller may go on
 * to the next one.  Progress reports bytes consumed of the file's size. */
int lr__tsv_open_stream(lr__tsv *t, const char *path, const char *const *names,
                        int nfields, size_t max_line, size_t block);

/* Bytes of the file consumed so far (either mode). */
static inline uint64_t lr__tsv_done(const lr__tsv *t) { return t->base + t->pos; }

/* Data rows left at most (for sizing tables before the first row). */
size_t lr__tsv_rows_bound(const lr__tsv *t);

/* Split the next row into t->field / t->flen: 1 for a row, 0 at the end
 * of the file, a negative status on malformed input. */
int lr__tsv_next(lr__tsv *t);

/* Field i as a non-negative int32 (LR_E_PARSE when not a plain decimal
 * number, LR_E_RANGE when negative or above INT32_MAX). */
int lr__tsv_int(const lr__tsv *t, int i, int32_t *out);

/* Field i as a signed int64 (timestamps may precede 1970). */
int lr__tsv_int64(const lr__tsv *t, int i, int64_t *out);

/* Append field i to b as NUL-terminated UTF-8 and give its offset; bytes
 * that are not valid UTF-8 are read as Latin-1 and counted in *fixes. */
int lr__tsv_text(const lr__tsv *t, int i, lr__blob *b, int64_t *off,
                 uint64_t *fixes);

/* Record "path:line: field 'name': message" for the current row; i < 0
 * leaves the field out. */
int lr__tsv_fail(const lr__tsv *t, int status, int i, const char *fmt, ...)
    LR_PRINTF(4, 5);

void lr__tsv_close(lr__tsv *t);

void lr__blob_free(lr__blob *b);

#endif
