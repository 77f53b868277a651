/* SPDX-License-Identifier: MIT */
#include "core/alloc.h"
#include "core/error.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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

/* This thread's last failed allocation, for lr__fail_oom's message.  Per
 * thread, since threads run out of memory together and each must tell its
 * own size; a worker's failure is told on the worker, whose message
 * lr__parallel_for hands to its caller (core/threads.c).  Kept after it is
 * told, so that a caller up the stack that reports the failure again in
 * its own words ("the query's scratch" after "the query's results") still
 * has the size.  Plain sizes, nothing allocated: remembering works when
 * nothing else does. */
typedef struct failed {
    size_t n, size;
    int set;
} failed;
static _Thread_local failed tls_failed;

static void *remember(void *p, size_t n, size_t size)
{
    if (!p)
        tls_failed = (failed){n, size, 1};
    return p;
}

void *lr__malloc(size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || injected())
        return remember(NULL, n, size);
    return remember(malloc(bytes ? bytes : 1), n, size);
}

void *lr__calloc(size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || injected())
        return remember(NULL, n, size);
    return remember(calloc(bytes ? n : 1, bytes ? size : 1), n, size);
}

void *lr__realloc(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || injected())
        return remember(NULL, n, size);
    return remember(realloc(p, bytes ? bytes : 1), n, size);
}

void *lr__aligned(size_t align, size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes) || bytes > SIZE_MAX - align || injected())
        return remember(NULL, n, size);
    /* aligned_alloc wants a multiple of the alignment (C11 7.22.3.1). */
    return remember(aligned_alloc(align, bytes ? (bytes + align - 1) / align * align : align),
                    n, size);
}

void lr__advise_huge(void *p, size_t bytes)
{
#if defined(MADV_HUGEPAGE)
    const uintptr_t page = 4096;
    const uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1);
    const uintptr_t b = ((uintptr_t)p + bytes) & ~(page - 1);
    if (p && b > a)
        (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)bytes;
#endif
}

/* "out of memory: 1.24 GB (310887424 x 4 bytes) for what": the size first,
 * since a reader compares it with the memory there is. */
static int fail_sized(int known, size_t n, size_t size, const char *fmt, va_list ap)
    LR_PRINTF(4, 0);
static int fail_sized(int known, size_t n, size_t size, const char *fmt, va_list ap)
{
    char what[512];
    vsnprintf(what, sizeof what, fmt, ap);
    size_t bytes;
    if (!known)
        return lr__fail(LR_E_NOMEM, "out of memory for %s", what);
    if (lr__mul_overflows(n, size, &bytes))
        return lr__fail(LR_E_NOMEM,
                        "out of memory: %zu x %zu bytes, past the address space, for %s", n,
                        size, what);
    static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    double v = (double)bytes;
    int u = -1;
    while (v >= 999.5 && u < 5) {
        v /= 1000;
        u++;
    }
    const int items = n > 1 && size > 1;
    if (u < 0 && items)
        return lr__fail(LR_E_NOMEM, "out of memory: %zu bytes (%zu x %zu) for %s", bytes, n,
                        size, what);
    if (u < 0)
        return lr__fail(LR_E_NOMEM, "out of memory: %zu bytes for %s", bytes, what);
    if (items)
        return lr__fail(LR_E_NOMEM, "out of memory: %.3g %s (%zu x %zu bytes) for %s", v,
                        unit[u], n, size, what);
    return lr__fail(LR_E_NOMEM, "out of memory: %.3g %s (%zu bytes) for %s", v, unit[u], bytes,
                    what);
}

int lr__fail_oom(const char *what, ...)
{
    const failed f = tls_failed;
    va_list ap;
    va_start(ap, what);
    int rc = fail_sized(f.set, f.n, f.size, what, ap);
    va_end(ap);
    return rc;
}

int lr__fail_oom_size(size_t n, size_t size, const char *what, ...)
{
    va_list ap;
    va_start(ap, what);
    int rc = fail_sized(1, n, size, what, ap);
    va_end(ap);
    return rc;
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
        if (ncap > SIZE_MAX / 2) {
            remember(NULL, need, size);
            return LR_E_NOMEM;
        }
        ncap *= 2;
    }
    void *np = lr__realloc(*p, ncap, size);
    if (!np)
        return LR_E_NOMEM;
    *p = np;
    *cap = ncap;
    return LR_OK;
}

void lr_free(void *ptr) { free(ptr); }
