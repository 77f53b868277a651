/* First-order optimisers shared by every gradient-trained model.
 * SPDX-License-Identifier: MIT
 *
 * Parameters live in the model's own arrays; an optimiser holds only its
 * state (Adagrad's squared-gradient accumulators, one per parameter) and
 * updates any slice of the parameters, so a model can update one embedding
 * row at a time (sparse SGD) or all of them (full-batch gradient descent).
 */
#ifndef LR_OPTIM_OPTIM_H
#define LR_OPTIM_OPTIM_H

#include <stddef.h>

typedef struct lr__optim {
    int kind;      /* LR_OPTIMIZER_SGD or LR_OPTIMIZER_ADAGRAD */
    float lr;      /* learning rate */
    float eps;     /* Adagrad: added to the root so a zero history is safe */
    float *acc;    /* Adagrad: [n] accumulated squared gradients */
    size_t n;
} lr__optim;

/* Set up for n parameters.  Adagrad's accumulators start at init_acc (the
 * usual 0.1 keeps the first steps from being huge).  LR_E_INVALID for an
 * unknown kind or a non-positive rate, LR_E_NOMEM. */
int lr__optim_init(lr__optim *o, int kind, float lr, float eps, float init_acc,
                   size_t n);

/* p[i] -= step(g[i]) for the parameters [first, first + len) of the whole
 * parameter vector; p and g point at parameter `first`. */
void lr__optim_step(lr__optim *o, float *p, const float *g, size_t first, size_t len);

void lr__optim_free(lr__optim *o);

#endif
