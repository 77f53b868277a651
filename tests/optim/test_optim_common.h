/* A separable quadratic with a known minimum, for every optimiser.
 * f(x) = 1/2 sum a_i (x_i - c_i)^2, grad_i = a_i (x_i - c_i).
 * SPDX-License-Identifier: MIT */
#ifndef LR_TEST_OPTIM_COMMON_H
#define LR_TEST_OPTIM_COMMON_H

#include "optim/optim.h"

#include <math.h>

#define QN 8
static const float qa[QN] = {0.5f, 1, 2, 3, 0.25f, 1.5f, 4, 0.1f};
static const float qc[QN] = {1, -2, 3, 0.5f, -1, 10, -7, 2};

static void quad_grad(const float *x, float *g)
{
    for (int i = 0; i < QN; i++)
        g[i] = qa[i] * (x[i] - qc[i]);
}

static float quad_value(const float *x)
{
    float f = 0;
    for (int i = 0; i < QN; i++)
        f += 0.5f * qa[i] * (x[i] - qc[i]) * (x[i] - qc[i]);
    return f;
}

/* Run `steps` full steps from x = 0, in two slices to exercise offsets. */
static void quad_run(lr__optim *o, float *x, int steps)
{
    float g[QN];
    for (int i = 0; i < QN; i++)
        x[i] = 0;
    for (int s = 0; s < steps; s++) {
        quad_grad(x, g);
        lr__optim_next(o);
        lr__optim_step(o, x, g, 0, 3);
        lr__optim_step(o, x + 3, g + 3, 3, QN - 3);
    }
}

static float quad_max_err(const float *x)
{
    float e = 0;
    for (int i = 0; i < QN; i++)
        e = fmaxf(e, fabsf(x[i] - qc[i]));
    return e;
}

#endif
