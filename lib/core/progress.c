/* SPDX-License-Identifier: MIT */
#include "core/progress.h"
#include "core/error.h"

int lr__progress_report(const lr__progress *p, const char *stage, uint64_t done,
                 uint64_t total)
{
    if (!p || !p->fn)
        return LR_OK;
    if (p->fn(stage, done, total, p->user_data) != 0)
        return lr__fail(LR_E_CANCELLED, "%s: cancelled by the progress callback at %llu of %llu",
                        stage, (unsigned long long)done, (unsigned long long)total);
    return LR_OK;
}
