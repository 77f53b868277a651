/* SPDX-License-Identifier: MIT */
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void *lr__malloc(size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes))
        return NULL;
    return malloc(bytes ? bytes : 1);
}

void *lr__calloc(size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes))
        return NULL;
    return calloc(bytes ? n : 1, bytes ? size : 1);
}

void *lr__realloc(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (lr__mul_overflows(n, size, &bytes))
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

char *lr__strndup(const char *s, size_t len)
{
    char *d = malloc(len + 1);
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
