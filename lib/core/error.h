/* Thread-local error messages and status helpers. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_ERROR_H
#define LR_CORE_ERROR_H

#include "lastrec.h"

#if defined(__GNUC__)
#  define LR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#  define LR_PRINTF(a, b)
#endif

/* Record "message" for this thread and return status, so that a failure site
 * reads `return lr__fail(LR_E_INVALID, "k must be positive");`. */
int lr__fail(int status, const char *fmt, ...) LR_PRINTF(2, 3);

/* Record "file:line: field: message" for input at fault.  line 0 leaves the
 * line out (whole-file problems); field NULL leaves the field out. */
int lr__fail_at(int status, const char *file, uint64_t line, const char *field,
                const char *fmt, ...) LR_PRINTF(5, 6);

/* Out of memory: a static message, no allocation. */
int lr__fail_oom(void);

/* Prefix the current message with "prefix: " (to add context on the way up). */
void lr__error_prefix(const char *prefix);

#endif
