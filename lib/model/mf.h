/* The mf objective, for tests that check its gradient.
 * SPDX-License-Identifier: MIT */
#ifndef LR_MODEL_MF_H
#define LR_MODEL_MF_H

#include "model/model.h"

/* The mf objective (lib/model/mf.c) of factors U [x->rows x k] and V
 * [x->cols x k] on the listens x under a transform: parts[0..2] = the
 * observed mean squared error, the L2 and the gravity term; gU, gV = the
 * gradient of their sum.  The same passes the fit runs. */
int lr__mf_objective(const lr__csr *x, int transform, int32_t k, double reg, double grav,
                     const float *U, const float *V, float *gU, float *gV, double parts[3],
                     int threads);

#endif
