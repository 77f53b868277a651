/* Progress reporting and cancellation. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_PROGRESS_H
#define LR_CORE_PROGRESS_H

#include "lastrec.h"

typedef struct lr__progress {
    lr_progress_fn fn;
    void *user_data;
} lr__progress;

/* Tell the caller; LR_E_CANCELLED (with a message naming the stage) when it
 * asks to stop, LR_OK otherwise or when nobody listens. */
int lr__progress_report(const lr__progress *p, const char *stage, uint64_t done,
                 uint64_t total);

#endif
