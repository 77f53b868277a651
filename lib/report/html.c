/* SPDX-License-Identifier: MIT */
#include "report/html.h"
#include "core/alloc.h"
#include "core/utf8.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void lr__buf_free(lr__buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

static int reserve(lr__buf *b, size_t extra)
{
    if (b->oom)
        return 0;
    if (b->n + extra + 1 <= b->cap)
        return 1;
    void *p = b->p;
    if (lr__grow(&p, &b->cap, b->n + extra + 1, 1) != 0) {
        b->oom = 1;
        return 0;
    }
    b->p = p;
    return 1;
}

void lr__buf_put(lr__buf *b, const char *s, size_t n)
{
    if (!reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void lr__buf_puts(lr__buf *b, const char *s) { lr__buf_put(b, s, strlen(s)); }

void lr__buf_printf(lr__buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int len = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (len < 0)
        return;
    if ((size_t)len < sizeof small) {
        lr__buf_put(b, small, (size_t)len);
        return;
    }
    if (!reserve(b, (size_t)len))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)len;
}

/* Walk s as UTF-8: each valid character is handed to emit with its bytes,
 * each byte that starts no valid sequence becomes U+FFFD, so a name read
 * from a model file of unknown origin can never make the page invalid. */
typedef void (*emit_fn)(lr__buf *b, uint32_t cp, const char *bytes, size_t len);

static void walk(lr__buf *b, const char *s, emit_fn emit)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = lr__utf8_seq(u + i, len - i, &cp);
        if (k == 0)
            emit(b, 0xFFFD, "\xEF\xBF\xBD", 3), i++;
        else
            emit(b, cp, s + i, k), i += k;
    }
}

static void emit_html(lr__buf *b, uint32_t cp, const char *bytes, size_t len)
{
    switch (cp) {
    case '&': lr__buf_puts(b, "&amp;"); return;
    case '<': lr__buf_puts(b, "&lt;"); return;
    case '>': lr__buf_puts(b, "&gt;"); return;
    case '"': lr__buf_puts(b, "&quot;"); return;
    case '\'': lr__buf_puts(b, "&#39;"); return;
    default: break;
    }
    if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F)
        return;
    lr__buf_put(b, bytes, len);
}

void lr__buf_html(lr__buf *b, const char *s)
{
    if (s)
        walk(b, s, emit_html);
}

static void emit_json(lr__buf *b, uint32_t cp, const char *bytes, size_t len)
{
    switch (cp) {
    case '"': lr__buf_puts(b, "\\\""); return;
    case '\\': lr__buf_puts(b, "\\\\"); return;
    case '\n': lr__buf_puts(b, "\\n"); return;
    case '\t': lr__buf_puts(b, "\\t"); return;
    default: break;
    }
    if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x2028 || cp == 0x2029) {
        lr__buf_printf(b, "\\u%04x", (unsigned)cp);
        return;
    }
    lr__buf_put(b, bytes, len);
}

void lr__buf_json_str(lr__buf *b, const char *s)
{
    if (!s) {
        lr__buf_puts(b, "null");
        return;
    }
    lr__buf_puts(b, "\"");
    walk(b, s, emit_json);
    lr__buf_puts(b, "\"");
}

void lr__buf_json_num(lr__buf *b, double v, int digits)
{
    if (!isfinite(v))
        lr__buf_puts(b, "null");
    else if (v == floor(v) && fabs(v) < 1e15)
        lr__buf_printf(b, "%.0f", v);
    else
        lr__buf_printf(b, "%.*g", digits, v);
}

void lr__buf_num(lr__buf *b, double v, int decimals)
{
    if (isnan(v)) {
        lr__buf_puts(b, "\xE2\x80\x93");
        return;
    }
    if (!isfinite(v)) {
        lr__buf_puts(b, v > 0 ? "\xE2\x88\x9E" : "-\xE2\x88\x9E");
        return;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.*f", decimals, fabs(v));
    if (v < 0 && strspn(digits, "0.") != strlen(digits))
        lr__buf_puts(b, "-");
    size_t intlen = strcspn(digits, ".");
    for (size_t i = 0; i < intlen; i++) {
        lr__buf_put(b, digits + i, 1);
        size_t left = intlen - i - 1;
        if (left && left % 3 == 0)
            lr__buf_puts(b, ",");
    }
    lr__buf_puts(b, digits + intlen);
}
