/* SPDX-License-Identifier: MIT */
#include "core/alloc.h"
#include "core/error.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Fault injection (lr__alloc_fail_nth): which allocation fails, 0 = none,
 * and how many were counted since it was armed.  Always compiled in, so the
 * tests exercise the library as it ships; unarmed, it costs one relaxed
 * atomic load per allocation, nothing beside malloc itself. */
static atomic_llong fail_nth;
static atomic_llong fail_count;
static atomic_int fail_persist;

void lr__alloc_fail_nth(long long nth, int persistent)
{
    atomic_store(&fail_count, 0);
    atomic_store(&fail_persist, persistent);
    atomic_store(&fail_nth, nth > 0 ? nth : 0);
}

long long lr__alloc_count(void) { return atomic_load(&fail_count); }

static int injected(void)
{
    long long nth = atomic_load_explicit(&fail_nth, memory_order_relaxed);
    if (__builtin_expect(nth == 0, 1))
        return 0;
    long long c = atomic_fetch_add(&fail_count, 1) + 1;
    return c == nth || (c > nth && atomic_load(&fail_persist));
}

void *lr__malloc(size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || injected())
        return NULL;
    return malloc(bytes ? bytes : 1);
}

void *lr__calloc(size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || injected())
        return NULL;
    return calloc(bytes ? n : 1, bytes ? size : 1);
}

void *lr__realloc(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || injected())
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

void *lr__aligned(size_t align, size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || bytes > SIZE_MAX - align || injected())
        return NULL;
    /* aligned_alloc wants a multiple of the alignment (C11 7.22.3.1). */
    return aligned_alloc(align, bytes ? (bytes + align - 1) / align * align : align);
}

char *lr__strndup(const char *s, size_t len)
{
    char *d = len < SIZE_MAX ? lr__malloc(len + 1, 1) : NULL;
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

char *lr__strdup(const char *s) { return lr__strndup(s, strlen(s)); }

int lr__grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return LR_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return lr__fail_oom();
        ncap *= 2;
    }
    void *np = lr__realloc(*p, ncap, size);
    if (!np)
        return lr__fail_oom();
    *p = np;
    *cap = ncap;
    return LR_OK;
}

void lr_free(void *ptr) { free(ptr); }
