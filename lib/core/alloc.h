/* Checked allocation. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_ALLOC_H
#define LR_CORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

/* All return NULL on failure or on n*size overflow; none sets the error
 * message, so callers return lr__fail_oom(). Zero sizes give a valid
 * pointer, so "NULL" always means failure. */
void *lr__malloc(size_t n, size_t size);
void *lr__calloc(size_t n, size_t size);
void *lr__realloc(void *p, size_t n, size_t size);
char *lr__strdup(const char *s);
char *lr__strndup(const char *s, size_t len);

/* Grow *p (holding *cap items of size) to at least need items, doubling. */
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
