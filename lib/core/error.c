/* SPDX-License-Identifier: MIT */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Long enough for a path, a line number, a field and a sentence. */
#define LR_ERRMSG_MAX 1024

static _Thread_local char tls_msg[LR_ERRMSG_MAX];

const char *lr_strerror(int status)
{
    switch (status) {
    case LR_OK: return "success";
    case LR_E_INVALID: return "invalid argument";
    case LR_E_NOMEM: return "out of memory";
    case LR_E_IO: return "input/output error";
    case LR_E_NOTFOUND: return "not found";
    case LR_E_PARSE: return "malformed input";
    case LR_E_RANGE: return "number out of range";
    case LR_E_DUPLICATE: return "duplicate row";
    case LR_E_ENCODING: return "invalid text encoding";
    case LR_E_TOOLONG: return "line too long";
    case LR_E_FORMAT: return "corrupt or unsupported file format";
    case LR_E_CANCELLED: return "cancelled";
    case LR_E_NUMERIC: return "numerical failure";
    case LR_E_UNSUPPORTED: return "unsupported operation";
    case LR_E_BUFSIZE: return "buffer too small";
    case LR_E_EMPTY: return "empty input";
    case LR_E_HEADER: return "missing or wrong header";
    case LR_E_AMBIGUOUS: return "ambiguous name";
    default: return "unknown status";
    }
}

const char *lr_last_error(void) { return tls_msg; }

void lr_clear_error(void) { tls_msg[0] = '\0'; }

int lr__fail(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tls_msg, sizeof tls_msg, fmt, ap);
    va_end(ap);
    return status;
}

int lr__fail_at(int status, const char *file, uint64_t line, const char *field,
                const char *fmt, ...)
{
    size_t n = 0;
    int w;
    if (line > 0)
        w = snprintf(tls_msg, sizeof tls_msg, "%s:%llu: ", file ? file : "?",
                     (unsigned long long)line);
    else
        w = snprintf(tls_msg, sizeof tls_msg, "%s: ", file ? file : "?");
    n = w > 0 ? (size_t)w : 0;
    if (field && n < sizeof tls_msg) {
        w = snprintf(tls_msg + n, sizeof tls_msg - n, "field '%s': ", field);
        n += w > 0 ? (size_t)w : 0;
    }
    if (n < sizeof tls_msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(tls_msg + n, sizeof tls_msg - n, fmt, ap);
        va_end(ap);
    }
    return status;
}

void lr__error_prefix(const char *prefix)
{
    char tmp[LR_ERRMSG_MAX];
    size_t p = strlen(prefix);
    if (p + 2 >= sizeof tmp)
        p = sizeof tmp - 3;
    memcpy(tmp, prefix, p);
    tmp[p] = ':';
    tmp[p + 1] = ' ';
    size_t rest = sizeof tmp - p - 3;
    size_t m = strnlen(tls_msg, rest);
    memcpy(tmp + p + 2, tls_msg, m);
    tmp[p + 2 + m] = '\0';
    memcpy(tls_msg, tmp, p + 3 + m);
}
