/* The option set behind lr_options. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_OPTIONS_H
#define LR_CORE_OPTIONS_H

#include "lastrec.h"
#include "core/progress.h"

/* Room for every key of the table in options.c; a test checks it fits. */
#define LR_OPTIONS_MAX 96

struct lr_options {
    double value[LR_OPTIONS_MAX]; /* by table slot; ints are stored exactly */
    unsigned char set[LR_OPTIONS_MAX]; /* 1 where the caller set the value */
    lr__progress progress;
};

/* Fill *o with every generic default, nothing set by a caller, no progress
 * callback (what lr_options_new() gives, without the allocation). */
void lr__options_init(lr_options *o);

/* Internal reads, with defaults when opts is NULL.  The key must be a known
 * key of the right kind: these are for library code, not user input. */
int64_t lr__opt_int(const lr_options *opts, int key);
double lr__opt_double(const lr_options *opts, int key);
/* 1 when the caller set key explicitly (so it overrides an algorithm's own
 * default). */
int lr__opt_is_set(const lr_options *opts, int key);
/* An algorithm's own default: key takes v unless the caller set it
 * (lr__opt_is_set).  v must be within the key's bounds. */
void lr__opt_default_int(lr_options *opts, int key, int64_t v);
void lr__opt_default_double(lr_options *opts, int key, double v);
/* The progress callback of opts, or a silent one when opts is NULL. */
const lr__progress *lr__opt_progress(const lr_options *opts);
/* Worker threads for LR_OPT_THREADS: 0 = online CPUs, never below 1 nor
 * above the online CPUs (warns once when it cuts a request). */
int lr__opt_threads(const lr_options *opts);

/* For tests only: with on != 0, lr__opt_threads no longer cuts a request
 * to the CPU count, so that the suites that promise the same results on
 * 1, 2 and 3 threads run 3 workers on a 2-core machine too. */
void lr__opt_threads_uncap(int on);

#endif
