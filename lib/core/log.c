/* SPDX-License-Identifier: MIT */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>

/* The one piece of global state, set once at start-up (docs/api.md, "Threads"). */
static lr_log_fn g_fn;
static void *g_ud;
static int g_max = LR_LOG_INFO;

void lr_set_log_handler(lr_log_fn fn, int max_level, void *user_data)
{
    g_fn = fn;
    g_ud = user_data;
    g_max = max_level;
}

int lr__log_enabled(int level) { return g_fn != NULL && level <= g_max; }

void lr__log(int level, const char *fmt, ...)
{
    if (!lr__log_enabled(level))
        return;
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    g_fn(level, msg, g_ud);
}
