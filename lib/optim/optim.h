/* First-order optimisers shared by every gradient-trained model.
 * SPDX-License-Identifier: MIT
 *
 * Parameters live in the model's own arrays; an optimiser holds only its
 * state (Adagrad's squared-gradient accumulators, Adam's two moments, one
 * per parameter) and
 * updates any slice of the parameters, so a model can update one embedding
 * row at a time (sparse SGD) or all of them (full-batch gradient descent).
 */
#ifndef LR_OPTIM_OPTIM_H
#define LR_OPTIM_OPTIM_H

#include <stddef.h>
#include <stdint.h>

typedef struct lr__optim {
    int kind;      /* LR_OPTIMIZER_SGD, _ADAGRAD or _ADAM */
    float lr;      /* learning rate */
    float eps;     /* Adagrad, Adam: added to the root so a zero history is safe */
    float *acc;    /* Adagrad: [n] accumulated squared gradients; Adam: the
                      moving average of squared gradients */
    float *mom;    /* Adam: [n] the moving average of gradients */
    uint64_t t;    /* Adam: steps begun (lr__optim_next), for bias correction */
    float c1, c2;  /* Adam: this step's bias corrections */
    size_t n;
} lr__optim;

/* Set up for n parameters.  Adagrad's accumulators start at init_acc (the
 * usual 0.1 keeps the first steps from being huge); Adam's moments start
 * at 0 (init_acc unused).  LR_E_INVALID for an
 * unknown kind or a non-positive rate, LR_E_NOMEM. */
int lr__optim_init(lr__optim *o, int kind, float lr, float eps, float init_acc,
                   size_t n);

/* Adam's decay rates (Kingma & Ba 2015, the values they recommend). */
#define LR__ADAM_BETA1 0.9
#define LR__ADAM_BETA2 0.999

/* Begin a step: Adam counts steps for its bias correction, so a model that
 * uses Adam calls this once per step, before the lr__optim_step calls of
 * that step's slices.  A no-op for SGD and Adagrad. */
void lr__optim_next(lr__optim *o);

/* p[i] -= step(g[i]) for the parameters [first, first + len) of the whole
 * parameter vector; p and g point at parameter `first`. */
void lr__optim_step(lr__optim *o, float *p, const float *g, size_t first, size_t len);

void lr__optim_free(lr__optim *o);

#endif
