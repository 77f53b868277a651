/* The bpr negative sampler, for tests.  SPDX-License-Identifier: MIT */
#ifndef LR_MODEL_BPR_H
#define LR_MODEL_BPR_H

#include "model/model.h"
#include "core/rng.h"

/* An artist drawn uniformly from those user u has not listened to in x
 * (the sampler the fit uses), or -1 when u listened to every artist. */
int32_t lr__bpr_draw_negative(const lr__csr *x, lr__rng *r, int32_t u);

#endif
