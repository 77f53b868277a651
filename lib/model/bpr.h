/* The bpr negative samplers, for tests.  SPDX-License-Identifier: MIT */
#ifndef LR_MODEL_BPR_H
#define LR_MODEL_BPR_H

#include "model/model.h"
#include "core/rng.h"

/* An artist drawn uniformly from those user u has not listened to in x
 * (the sampler of a one-thread fit), or -1 when u listened to every
 * artist. */
int32_t lr__bpr_draw_negative(const lr__csr *x, lr__rng *r, int32_t u);

/* The sampler of a block when the fit runs on several threads (the same
 * draws as the fit's for the same stream): an artist drawn uniformly from
 * those of artists[0 .. count) (one artist shard) that u has not listened
 * to, or -1 when u listened to all of them. */
int32_t lr__bpr_draw_negative_in(const lr__csr *x, lr__rng *r, int32_t u, const int32_t *artists,
                                 int32_t count);

#endif
