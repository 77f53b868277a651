/* SPDX-License-Identifier: MIT */
#include "optim/optim.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/hot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lr__optim_init(lr__optim *o, int kind, float lr, float eps, float init_acc,
                   size_t n)
{
    memset(o, 0, sizeof *o);
    if (!(lr > 0) || !isfinite(lr))
        return lr__fail(LR_E_INVALID, "learning rate must be a positive number, got %g", (double)lr);
    if (kind != LR_OPTIMIZER_SGD && kind != LR_OPTIMIZER_ADAGRAD)
        return lr__fail(LR_E_INVALID, "unknown optimizer %d (1 = sgd, 2 = adagrad)", kind);
    o->kind = kind;
    o->lr = lr;
    o->eps = eps;
    o->n = n;
    if (kind == LR_OPTIMIZER_ADAGRAD) {
        o->acc = lr__malloc(n, sizeof *o->acc);
        if (!o->acc)
            return lr__fail_oom();
        for (size_t i = 0; i < n; i++)
            o->acc[i] = init_acc;
    }
    return LR_OK;
}

/* Element-wise, so every clone (lib/core/hot.h) gives the same bits.  The
 * pointers are restrict and the accumulators never negative, so with
 * -fno-math-errno (meson.build) the square root and the division
 * vectorise: a scalar sqrtf and division per parameter made Adagrad steps
 * several times slower than SGD's. */
LR__HOT static void adagrad(float *restrict p, const float *restrict g, float *restrict acc,
                            size_t len, float lr, float eps)
{
    for (size_t i = 0; i < len; i++) {
        acc[i] += g[i] * g[i];
        p[i] -= lr * g[i] / (sqrtf(acc[i]) + eps);
    }
}

void lr__optim_step(lr__optim *o, float *p, const float *g, size_t first, size_t len)
{
    const float lr = o->lr;
    if (o->kind == LR_OPTIMIZER_SGD) {
        for (size_t i = 0; i < len; i++)
            p[i] -= lr * g[i];
        return;
    }
    adagrad(p, g, o->acc + first, len, lr, o->eps);
}

void lr__optim_free(lr__optim *o)
{
    free(o->acc);
    memset(o, 0, sizeof *o);
}
