/* Diagnostics through the caller's log handler. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_LOG_H
#define LR_CORE_LOG_H

#include "core/error.h"

/* Nothing is formatted when no handler wants this level. */
void lr__log(int level, const char *fmt, ...) LR_PRINTF(2, 3);
int lr__log_enabled(int level);

#endif
