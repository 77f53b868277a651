/* SPDX-License-Identifier: MIT */
#include "ingest/tsv.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* How much of a bad field or header a message quotes. */
#define QUOTE_MAX 48

static uint64_t line_at(const char *data, size_t pos)
{
    uint64_t line = 1;
    const char *p = data, *end = data + pos;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        line++;
        p++;
    }
    return line;
}

static int only_line_ends(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r')
            return 0;
    return 1;
}

/* Tabs shown as "\t" so a header reads on one line; long text is cut. */
static void escape_tabs(char *dst, size_t cap, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (o + 5 >= cap) {
            memcpy(dst + o, "...", 3);
            o += 3;
            break;
        }
        if (s[i] == '\t') {
            dst[o++] = '\\';
            dst[o++] = 't';
        } else {
            dst[o++] = s[i];
        }
    }
    dst[o] = '\0';
}

int lr__tsv_fail(const lr__tsv *t, int status, int i, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lr__fail_at(status, t->path, t->line, i >= 0 ? t->names[i] : NULL, "%s", msg);
}

/* The line at t->pos without its terminator; moves past it. */
static int take_line(lr__tsv *t, const char **s, size_t *n)
{
    const char *b = t->data + t->pos, *end = t->data + t->len;
    const char *nl = memchr(b, '\n', (size_t)(end - b));
    const char *e = nl ? nl : end;
    t->pos = nl ? (size_t)(nl + 1 - t->data) : t->len;
    if (e > b && e[-1] == '\r')
        e--;
    t->line++;
    if ((size_t)(e - b) > t->max_line)
        return lr__fail_at(LR_E_TOOLONG, t->path, t->line, NULL,
                           "line is %zu bytes, longer than the limit of %zu (option max_line)",
                           (size_t)(e - b), t->max_line);
    *s = b;
    *n = (size_t)(e - b);
    return LR_OK;
}

static int check_header(lr__tsv *t)
{
    char want[256];
    size_t w = 0;
    for (int i = 0; i < t->nfields; i++) {
        size_t l = strlen(t->names[i]);
        if (i)
            want[w++] = '\t';
        memcpy(want + w, t->names[i], l);
        w += l;
    }
    const char *s = NULL;
    size_t n = 0;
    int rc = take_line(t, &s, &n);
    if (rc)
        return rc;
    if (n == w && memcmp(s, want, w) == 0)
        return LR_OK;
    char shown_want[300], shown_got[QUOTE_MAX + 8];
    escape_tabs(shown_want, sizeof shown_want, want, w);
    escape_tabs(shown_got, sizeof shown_got, s, n);
    /* A first line that starts like a row means the header was left out. */
    const char *what = (n > 0 && s[0] >= '0' && s[0] <= '9') ? "missing header" : "wrong header";
    return lr__fail_at(LR_E_HEADER, t->path, 1, NULL, "%s: expected \"%s\", found \"%s\"",
                       what, shown_want, shown_got);
}

static int check_text(lr__tsv *t)
{
    if (t->len >= 3 && memcmp(t->data, "\xEF\xBB\xBF", 3) == 0)
        t->pos = 3;
    if (only_line_ends(t->data + t->pos, t->data + t->len))
        return lr__fail_at(LR_E_EMPTY, t->path, 0, NULL, "the file is empty");
    /* The row scanner stops at the NUL after the last byte, so no other NUL
     * may exist; one memchr over the file is cheaper than a test per byte. */
    const char *z = memchr(t->data, '\0', t->len);
    if (z) {
        size_t pos = (size_t)(z - t->data);
        uint64_t line = line_at(t->data, pos);
        const char *bol = z;
        while (bol > t->data && bol[-1] != '\n')
            bol--;
        return lr__fail_at(LR_E_ENCODING, t->path, line, NULL,
                           "NUL byte at column %zu: not a text file", (size_t)(z - bol) + 1);
    }
    return LR_OK;
}

/* What both ways of opening set: no file yet, the columns and the line
 * limit.  LR_E_INVALID for an unsupported column count. */
static int begin(lr__tsv *t, const char *path, const char *const *names, int nfields,
                 size_t max_line)
{
    memset(t, 0, sizeof *t);
    t->fd = -1;
    if (nfields < 1 || nfields > LR_TSV_MAX_FIELDS)
        return lr__fail(LR_E_INVALID, "%s: %d columns are not supported", path, nfields);
    t->path = path;
    t->names = names;
    t->nfields = nfields;
    t->max_line = max_line;
    return LR_OK;
}

int lr__tsv_open(lr__tsv *t, const char *path, const char *const *names,
                 int nfields, size_t max_line)
{
    int rc = begin(t, path, names, nfields, max_line);
    if (rc)
        return rc;
    rc = lr__read_file(path, &t->data, &t->len);
    if (rc == LR_OK)
        rc = check_text(t);
    if (rc == LR_OK)
        rc = check_header(t);
    if (rc)
        lr__tsv_close(t);
    return rc;
}

size_t lr__tsv_rows_bound(const lr__tsv *t)
{
    size_t rows = 1;
    const char *p = t->data + t->pos, *end = t->data + t->len;
    while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        rows++;
        p++;
    }
    return rows;
}

static int wrong_field_count(lr__tsv *t, size_t got)
{
    char cols[256];
    size_t o = 0;
    for (int i = 0; i < t->nfields && o < sizeof cols; i++)
        o += (size_t)snprintf(cols + o, sizeof cols - o, "%s%s", i ? ", " : "", t->names[i]);
    return lr__fail_at(LR_E_PARSE, t->path, t->line, NULL, "%zu fields, expected %d (%s)", got,
                       t->nfields, cols);
}

static int stream_line(lr__tsv *t);

int lr__tsv_next(lr__tsv *t)
{
again:
    if (t->stream) {
        int rc = stream_line(t);
        if (rc <= 0)
            return rc;
    }
    if (t->pos >= t->len)
        return 0;
    if (t->progress && t->line % LR_TSV_PROGRESS_ROWS == 0 && t->line) {
        int rc = lr__progress_report(t->progress, t->stage, lr__tsv_done(t),
                                     t->stream ? t->total : t->len);
        if (rc)
            return rc;
    }
    /* One byte loop finds the tabs and the end of the line together: rows
     * are short, and a memchr call per field costs more than it scans.
     * The file holds no NUL but the one after its end (checked at open). */
    const char *b = t->data + t->pos, *p = b;
    const char *tab[LR_TSV_MAX_FIELDS];
    size_t ntabs = 0;
    for (; *p != '\n' && *p != '\0'; p++)
        if (*p == '\t') {
            if (ntabs < LR_TSV_MAX_FIELDS)
                tab[ntabs] = p;
            ntabs++;
        }
    const char *e = p;
    t->pos = (size_t)(p - t->data) + (*p == '\n');
    t->line++;
    if (*p == '\0' && p < t->data + t->len) {
        /* Only a stream meets a NUL here (a whole file is checked at
         * open); the rest of the line goes with it. */
        const char *nl = memchr(p, '\n', (size_t)(t->data + t->len - p));
        t->pos = nl ? (size_t)(nl + 1 - t->data) : t->len;
        return lr__fail_at(LR_E_ENCODING, t->path, t->line, NULL,
                           "NUL byte at column %zu: not a text file", (size_t)(p - b) + 1);
    }
    if (e > b && e[-1] == '\r')
        e--;
    if ((size_t)(e - b) > t->max_line)
        return lr__fail_at(LR_E_TOOLONG, t->path, t->line, NULL,
                           "line is %zu bytes, longer than the limit of %zu (option max_line)",
                           (size_t)(e - b), t->max_line);
    if (e == b) {
        /* A stream has no header to keep row numbers in step with lines,
         * so its blank lines are passed over wherever they are. */
        if (t->stream)
            goto again;
        if (only_line_ends(b, t->data + t->len)) {
            t->pos = t->len;
            return 0;
        }
        return lr__fail_at(LR_E_PARSE, t->path, t->line, NULL,
                           "blank line (allowed only at the end of the file)");
    }
    if (ntabs != (size_t)t->nfields - 1)
        return wrong_field_count(t, ntabs + 1);
    const char *f = b;
    for (size_t i = 0; i < ntabs; i++) {
        t->field[i] = f;
        t->flen[i] = (size_t)(tab[i] - f);
        f = tab[i] + 1;
    }
    t->field[ntabs] = f;
    t->flen[ntabs] = (size_t)(e - f);
    return 1;
}

/* Decimal digits to a value that saturates at UINT64_MAX; -1 when the text
 * is empty or holds anything but digits. */
static int digits(const char *p, size_t n, uint64_t *out)
{
    if (n == 0)
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)((unsigned char)p[i] - '0');
        if (d > 9)
            return -1;
        if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, d, &v))
            v = UINT64_MAX;
    }
    *out = v;
    return 0;
}

static int not_a_number(const lr__tsv *t, int i, const char *kind)
{
    if (t->flen[i] == 0)
        return lr__tsv_fail(t, LR_E_PARSE, i, "empty, expected %s", kind);
    return lr__tsv_fail(t, LR_E_PARSE, i, "\"%.*s\" is not %s",
                        (int)(t->flen[i] < QUOTE_MAX ? t->flen[i] : QUOTE_MAX), t->field[i],
                        kind);
}

static int out_of_range(const lr__tsv *t, int i, const char *why)
{
    return lr__tsv_fail(t, LR_E_RANGE, i, "%.*s %s",
                        (int)(t->flen[i] < QUOTE_MAX ? t->flen[i] : QUOTE_MAX), t->field[i],
                        why);
}

int lr__tsv_int(const lr__tsv *t, int i, int32_t *out)
{
    const char *p = t->field[i];
    size_t n = t->flen[i];
    /* Nine digits cannot overflow: the common case needs no checks but
     * the digit test. */
    if (n >= 1 && n <= 9) {
        uint32_t v = 0;
        size_t k = 0;
        for (; k < n; k++) {
            uint32_t d = (uint32_t)((unsigned char)p[k] - '0');
            if (d > 9)
                break;
            v = v * 10 + d;
        }
        if (k == n) {
            *out = (int32_t)v;
            return LR_OK;
        }
    }
    int neg = n > 1 && p[0] == '-';
    uint64_t v;
    if (digits(p + neg, n - (size_t)neg, &v) != 0)
        return not_a_number(t, i, "a non-negative integer");
    if (neg)
        return out_of_range(t, i, "is negative");
    if (v > INT32_MAX)
        return out_of_range(t, i, "is larger than 2147483647");
    *out = (int32_t)v;
    return LR_OK;
}

int lr__tsv_int64(const lr__tsv *t, int i, int64_t *out)
{
    const char *p = t->field[i];
    size_t n = t->flen[i];
    int neg = n > 1 && p[0] == '-';
    uint64_t v;
    if (digits(p + neg, n - (size_t)neg, &v) != 0)
        return not_a_number(t, i, "an integer");
    if (v > (uint64_t)INT64_MAX + (uint64_t)neg)
        return out_of_range(t, i, "does not fit in 64 bits");
    /* Negating in unsigned arithmetic keeps INT64_MIN representable. */
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return LR_OK;
}

int lr__tsv_text(const lr__tsv *t, int i, lr__blob *b, int64_t *off, uint64_t *fixes)
{
    const char *p = t->field[i];
    size_t n = t->flen[i];
    char *fixed = NULL;
    if (!lr__utf8_valid(p, n)) {
        fixed = lr__utf8_repair(p, n, fixes);
        if (!fixed)
            return lr__fail_oom("a repaired text field");
        p = fixed;
        n = strlen(fixed);
    }
    int rc = lr__grow((void **)&b->data, &b->cap, b->len + n + 1, 1);
    if (rc == LR_OK) {
        *off = (int64_t)b->len;
        memcpy(b->data + b->len, p, n);
        b->data[b->len + n] = '\0';
        b->len += n + 1;
    }
    free(fixed);
    return rc;
}

/* ------------------------------------------------------------ streaming */

/* Move the unread bytes to the front and read more behind them. */
static int refill(lr__tsv *t)
{
    if (t->pos) {
        memmove(t->data, t->data + t->pos, t->len - t->pos);
        t->base += t->pos;
        t->len -= t->pos;
        t->pos = 0;
    }
    while (!t->eof && t->len < t->cap) {
        ssize_t got = read(t->fd, t->data + t->len, t->cap - t->len);
        if (got < 0) {
            if (errno == EINTR)
                continue;
            return lr__fail(LR_E_IO, "%s: cannot read: %s", t->path, strerror(errno));
        }
        if (got == 0)
            t->eof = 1;
        t->len += (size_t)got;
        /* One read is enough when it brought a line end. */
        if (got > 0 && memchr(t->data + t->len - (size_t)got, '\n', (size_t)got))
            break;
    }
    t->data[t->len] = '\0';
    return LR_OK;
}

/* Make sure the window holds the next whole line (or the file's last
 * bytes): 1 when it does, 0 at the end of the file, a negative status
 * for a line longer than max_line, which is then skipped to its end. */
static int stream_line(lr__tsv *t)
{
    for (;;) {
        const char *b = t->data + t->pos;
        size_t have = t->len - t->pos;
        if (memchr(b, '\n', have) || (t->eof && have > 0))
            return 1;
        if (t->eof)
            return 0;
        if (have > t->max_line + 1)
            break;
        int rc = refill(t);
        if (rc)
            return rc;
    }
    /* Too long: drop blocks up to the line's end so that the caller may
     * go on with the next line. */
    uint64_t start = lr__tsv_done(t), line = ++t->line;
    for (;;) {
        const char *b = t->data + t->pos;
        const char *nl = memchr(b, '\n', t->len - t->pos);
        if (nl) {
            t->pos = (size_t)(nl + 1 - t->data);
            break;
        }
        t->pos = t->len;
        if (t->eof)
            break;
        int rc = refill(t);
        if (rc)
            return rc;
    }
    return lr__fail_at(LR_E_TOOLONG, t->path, line, NULL,
                       "line is at least %llu bytes, longer than the limit of %zu (option "
                       "max_line)", (unsigned long long)(lr__tsv_done(t) - start), t->max_line);
}

int lr__tsv_open_stream(lr__tsv *t, const char *path, const char *const *names,
                        int nfields, size_t max_line, size_t block)
{
    int rc = begin(t, path, names, nfields, max_line);
    if (rc)
        return rc;
    t->stream = 1;
    rc = lr__open_regular(path, &t->fd);
    if (rc)
        return rc;
    struct stat st;
    if (fstat(t->fd, &st) == 0)
        t->total = (uint64_t)st.st_size;
    /* Room for a block and a whole line behind unread bytes, and the NUL
     * the row scanner stops at. */
    t->cap = block + max_line + 2;
    t->data = lr__malloc(t->cap + 1, 1);
    if (!t->data) {
        rc = lr__fail_oom("the read buffer of %s", path);
    } else {
        rc = refill(t);
        if (rc == LR_OK && t->len >= 3 && memcmp(t->data, "\xEF\xBB\xBF", 3) == 0)
            t->pos = 3;
        /* Blank lines alone are as empty as no bytes; a long run of them
         * is rare enough to read whole. */
        while (rc == LR_OK && only_line_ends(t->data + t->pos, t->data + t->len) && !t->eof &&
               t->len < t->cap)
            rc = refill(t);
        if (rc == LR_OK && only_line_ends(t->data + t->pos, t->data + t->len))
            rc = lr__fail_at(LR_E_EMPTY, t->path, 0, NULL, "the file is empty");
    }
    if (rc)
        lr__tsv_close(t);
    return rc;
}

void lr__tsv_close(lr__tsv *t)
{
    if (t->stream && t->fd >= 0)
        close(t->fd);
    t->fd = -1;
    t->stream = 0;
    free(t->data);
    t->data = NULL;
    t->len = t->pos = 0;
}

void lr__blob_free(lr__blob *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
