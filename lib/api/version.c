/* SPDX-License-Identifier: MIT */
#include "lastrec.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* OpenBLAS reports its build; declared here to keep cblas.h out of the api. */
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_parallel(void);
extern int openblas_get_num_threads(void);

unsigned lr_version_number(void) { return LR_VERSION_NUMBER; }

const char *lr_version_string(void) { return LR_VERSION_STRING; }

static char info[512];
static pthread_once_t info_once = PTHREAD_ONCE_INIT;

/* The BLAS in words.  OpenBLAS's own config string ("OpenBLAS 0.3.21
 * NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Cooperlake MAX_THREADS=64") names
 * its build flags; a reader wants the version, how it threads and which
 * kernels run: "OpenBLAS 0.3.21, pthreads, 2 threads (max 64), core
 * Cooperlake (detected at run time)". */
static void blas_line(char *out, size_t size)
{
    const char *config = openblas_get_config();
    char version[32] = "";
    if (config && !strncmp(config, "OpenBLAS ", 9))
        snprintf(version, sizeof version, "%.*s", (int)strcspn(config + 9, " "), config + 9);
    const char *max = config ? strstr(config, "MAX_THREADS=") : NULL;
    long max_threads = max ? strtol(max + 12, NULL, 10) : 0;
    int dynamic = config && strstr(config, "DYNAMIC_ARCH") != NULL;
    const char *core = openblas_get_corename();
    const char *threading;
    switch (openblas_get_parallel()) {
    case 0: threading = "sequential"; break;
    case 1: threading = "pthreads"; break;
    case 2: threading = "OpenMP"; break;
    default: threading = "unknown threading"; break;
    }
    int n = snprintf(out, size, "OpenBLAS %s, %s", *version ? version : "(unknown version)",
                     threading);
    if (n > 0 && (size_t)n < size && openblas_get_parallel() != 0) {
        int threads = openblas_get_num_threads();
        n += snprintf(out + n, size - (size_t)n, ", %d thread%s", threads,
                      threads == 1 ? "" : "s");
        if (max_threads > 0 && (size_t)n < size)
            n += snprintf(out + n, size - (size_t)n, " (max %ld)", max_threads);
    }
    if (n > 0 && (size_t)n < size)
        snprintf(out + n, size - (size_t)n, ", core %s%s", core && *core ? core : "unknown",
                 dynamic ? " (detected at run time)" : "");
}

static void make_info(void)
{
    char blas[256];
    blas_line(blas, sizeof blas);
    snprintf(info, sizeof info, "lastrec %s; compiler %s; BLAS: %s",
             LR_VERSION_STRING,
#if defined(__clang__)
             "clang " __clang_version__,
#elif defined(__GNUC__)
             "gcc " __VERSION__,
#else
             "unknown",
#endif
             blas);
}

const char *lr_build_info(void)
{
    pthread_once(&info_once, make_info);
    return info;
}
