/* SPDX-License-Identifier: MIT */
#include "lastrec.h"

#include <pthread.h>
#include <stdio.h>

/* OpenBLAS reports its build; declared here to keep cblas.h out of the api. */
extern char *openblas_get_config(void);

unsigned lr_version_number(void) { return LR_VERSION_NUMBER; }

const char *lr_version_string(void) { return LR_VERSION_STRING; }

static char info[512];
static pthread_once_t info_once = PTHREAD_ONCE_INIT;

static void make_info(void)
{
    snprintf(info, sizeof info, "lastrec %s; compiler %s; BLAS: OpenBLAS %s",
             LR_VERSION_STRING,
#if defined(__clang__)
             "clang " __clang_version__,
#elif defined(__GNUC__)
             "gcc " __VERSION__,
#else
             "unknown",
#endif
             openblas_get_config());
}

const char *lr_build_info(void)
{
    pthread_once(&info_once, make_info);
    return info;
}
