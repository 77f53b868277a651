/* Checked allocation. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_ALLOC_H
#define LR_CORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* All return NULL on failure or on n*size overflow. Zero sizes give a valid
 * pointer, so "NULL" always means failure.  A failure is remembered (how
 * many items of what size; per thread, and for the process) without
 * touching the error message, so that the caller's
 * lr__fail_oom("what it was") (core/error.h) can say how much could not be
 * had: the call site knows what, only the allocator knows how much, and
 * neither can forget its half. */
void *lr__malloc(size_t n, size_t size);
void *lr__calloc(size_t n, size_t size);
void *lr__realloc(void *p, size_t n, size_t size);
/* size bytes times n, aligned to align (a power of two), freed by free(). */
void *lr__aligned(size_t align, size_t n, size_t size);
/* Ask for transparent huge pages for [p, p + bytes) before its first
 * touch: for large matrices read at random rows (factor matrices), where
 * 4 KB pages make nearly every read miss the TLB too.  Only a hint
 * (Linux's THP in "madvise" mode, Debian's default, honours it); nothing
 * may depend on it being taken, and elsewhere it does nothing. */
void lr__advise_huge(void *p, size_t bytes);
char *lr__strdup(const char *s);
char *lr__strndup(const char *s, size_t len);

/* Fault injection, for the out-of-memory tests (tests/api/test_oom.c):
 * from this call on, the nth allocation through the functions above fails
 * (returns NULL), and every later one too when persistent; nth 0 disarms.
 * Counting is process-wide: the tests fit on one thread so that the nth is
 * the same allocation on every run.  Not exported: the tests link the
 * static library. */
void lr__alloc_fail_nth(long long nth, int persistent);
/* Allocations counted since lr__alloc_fail_nth() last armed the hook,
 * failed ones included: below nth means the injected failure never came. */
long long lr__alloc_count(void);

/* Grow *p (holding *cap items of size) to at least need items, doubling.
 * LR_E_NOMEM like the allocators above: no message, the caller's
 * lr__fail_oom() says what was growing. */
int lr__grow(void **p, size_t *cap, size_t need, size_t size);

/* memcpy of n items that accepts NULL pointers when n is 0 (memcpy itself
 * does not, and empty arrays here may be NULL). */
static inline void lr__copy(void *dst, const void *src, size_t n, size_t size)
{
    if (n)
        __builtin_memcpy(dst, src, n * size);
}

static inline int lr__mul_overflows(size_t a, size_t b, size_t *out)
{
    return __builtin_mul_overflow(a, b, out);
}

#endif
