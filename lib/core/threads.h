/* A fork-join loop over worker threads. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_THREADS_H
#define LR_CORE_THREADS_H

#include <stddef.h>

/* Body of worker `tid` (0..nthreads-1) over items [begin, end); returns
 * LR_OK or a status. */
typedef int (*lr__range_fn)(void *ctx, int tid, size_t begin, size_t end);

/* Split [0, n) into nthreads contiguous, equal ranges (so results do not
 * depend on timing) and run them, the first on the calling thread.  Returns
 * the first non-OK status by worker order.  Falls back to fewer threads
 * when a thread cannot be started. */
int lr__parallel_for(int nthreads, size_t n, lr__range_fn fn, void *ctx);

#endif
