/* A growing text buffer for the report page, with the escapes each context
 * of the page needs.  SPDX-License-Identifier: MIT
 *
 * The page is built in memory and written at once (lib/core/file.c's
 * temporary-and-rename), so a failed report never leaves half a page.
 * Every writer keeps the first out-of-memory in the buffer instead of
 * returning it, so the section code reads as a page and checks once.
 */
#ifndef LR_REPORT_HTML_H
#define LR_REPORT_HTML_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#  define LR__HTML_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define LR__HTML_PRINTF(a, b)
#endif

typedef struct lr__buf {
    char *p;     /* owned; NUL-terminated when n > 0 */
    size_t n, cap;
    int oom;     /* 1 once an allocation failed; later writes are dropped */
} lr__buf;

void lr__buf_free(lr__buf *b);
void lr__buf_put(lr__buf *b, const char *s, size_t n);
void lr__buf_puts(lr__buf *b, const char *s);
void lr__buf_printf(lr__buf *b, const char *fmt, ...) LR__HTML_PRINTF(2, 3);

/* Text in HTML element content or a quoted attribute: & < > " ' escaped,
 * bytes that are not UTF-8 written as U+FFFD, control characters other
 * than tab and newline dropped.  NULL writes nothing. */
void lr__buf_html(lr__buf *b, const char *s);

/* A JSON string literal ("..." included) that is also safe inside a
 * <script> element: < > & and U+2028/9 as \u escapes, so no name can
 * close the element or start a comment; invalid UTF-8 as U+FFFD.  NULL
 * writes null. */
void lr__buf_json_str(lr__buf *b, const char *s);

/* A number for JSON: %.*g with `digits` significant digits; non-finite
 * values as null (JSON has no NaN). */
void lr__buf_json_num(lr__buf *b, double v, int digits);

/* A number for people: thousands separated by commas, `decimals` after
 * the point; "–" (an en dash) for NaN. */
void lr__buf_num(lr__buf *b, double v, int decimals);

#endif
