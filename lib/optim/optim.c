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
    if (kind != LR_OPTIMIZER_SGD && kind != LR_OPTIMIZER_ADAGRAD && kind != LR_OPTIMIZER_ADAM)
        return lr__fail(LR_E_INVALID, "unknown optimizer %d (1 = sgd, 2 = adagrad, 3 = adam)",
                        kind);
    o->kind = kind;
    o->lr = lr;
    o->eps = eps;
    o->n = n;
    if (kind == LR_OPTIMIZER_ADAGRAD) {
        o->acc = lr__malloc(n, sizeof *o->acc);
        if (!o->acc)
            return lr__fail_oom("Adagrad's accumulators");
        for (size_t i = 0; i < n; i++)
            o->acc[i] = init_acc;
    }
    if (kind == LR_OPTIMIZER_ADAM) {
        o->acc = lr__calloc(n, sizeof *o->acc);
        o->mom = lr__calloc(n, sizeof *o->mom);
        if (!o->acc || !o->mom) {
            lr__optim_free(o);
            return lr__fail_oom("Adam's moments");
        }
    }
    return LR_OK;
}

void lr__optim_next(lr__optim *o)
{
    if (o->kind != LR_OPTIMIZER_ADAM)
        return;
    o->t++;
    /* in double: 0.999^t is 1 - 1e-3 t for small t, which float rounds */
    o->c1 = (float)(1.0 / (1.0 - pow(LR__ADAM_BETA1, (double)o->t)));
    o->c2 = (float)(1.0 / (1.0 - pow(LR__ADAM_BETA2, (double)o->t)));
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

/* Element-wise like adagrad(); the moments are kept uncorrected and the
 * step's corrections c1, c2 applied as factors (Kingma & Ba, Algorithm 1). */
LR__HOT static void adam(float *restrict p, const float *restrict g, float *restrict m,
                         float *restrict v, size_t len, float lr, float eps, float c1, float c2)
{
    const float b1 = (float)LR__ADAM_BETA1, b2 = (float)LR__ADAM_BETA2;
    for (size_t i = 0; i < len; i++) {
        m[i] = b1 * m[i] + (1.0f - b1) * g[i];
        v[i] = b2 * v[i] + (1.0f - b2) * g[i] * g[i];
        p[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
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
    if (o->kind == LR_OPTIMIZER_ADAM) {
        /* a step without lr__optim_next would divide by 1 - beta^0 = 0 */
        if (o->t == 0)
            lr__optim_next(o);
        adam(p, g, o->mom + first, o->acc + first, len, lr, o->eps, o->c1, o->c2);
        return;
    }
    adagrad(p, g, o->acc + first, len, lr, o->eps);
}

void lr__optim_free(lr__optim *o)
{
    free(o->acc);
    free(o->mom);
    memset(o, 0, sizeof *o);
}
