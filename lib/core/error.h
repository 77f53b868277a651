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

/* Out of memory, after an allocation of core/alloc.h failed on this
 * thread: records "out of memory: 1.24 GB (310887424 x 4 bytes) for
 * <what>", the size being this thread's latest failed allocation's (a
 * worker reports its own, and lr__parallel_for hands its message to the
 * caller).  what is a printf format naming what was being allocated ("the
 * %d x %d item matrix").  It allocates nothing, so it works when memory is
 * gone.  Returns LR_E_NOMEM.  Implemented in alloc.c, which keeps the
 * failed size. */
int lr__fail_oom(const char *what, ...) LR_PRINTF(1, 2);

/* The same for a size that no allocator was asked for (one known too big
 * beforehand, or one allocated outside core/alloc.h): n items of size
 * bytes. */
int lr__fail_oom_size(size_t n, size_t size, const char *what, ...) LR_PRINTF(3, 4);

/* Prefix the current message with "prefix: " (to add context on the way up). */
void lr__error_prefix(const char *prefix);

#endif
