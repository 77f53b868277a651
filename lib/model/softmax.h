/* The softmax two-tower network, for the fit and for tests (finite
 * differences of every layer's gradient).  SPDX-License-Identifier: MIT
 *
 * All parameters live in one float vector theta, block after block (input
 * artist embeddings E, input tag embeddings T, the hidden layers' weights
 * and biases, the output layer's, output artist embeddings V, the tag
 * projection Q), so that one optimiser step updates them all and a test can
 * perturb any one of them.  docs/models.md has the architecture.
 */
#ifndef LR_MODEL_SOFTMAX_H
#define LR_MODEL_SOFTMAX_H

#include "model/model.h"

#define LR__SOFTMAX_MAX_LAYERS 8

typedef struct lr__softmax_net {
    int32_t m, nt;            /* artists, tags */
    int32_t k, dt;            /* user/item vector size; tag embedding size */
    int32_t layers, width;    /* hidden layers, each `width` wide */
    int item_tags;            /* 1: item vectors add the projection of the tag profile */
    lr__csr prof;             /* m x nt, each artist's tag uses / its total (rows sum to 1) */
    size_t n_params;
    float *theta;             /* [n_params] */
    /* offsets into theta */
    size_t off_e, off_t, off_w[LR__SOFTMAX_MAX_LAYERS + 1], off_b[LR__SOFTMAX_MAX_LAYERS + 1],
        off_v, off_q;
    /* 1 where theta[i] is a weight under L2 (not a bias); [n_params] */
    unsigned char *l2;
    /* [m] 1 for artists without training listens, whose V row stays 0 (their
     * vector is their tags' projection alone); NULL: every V row learns */
    unsigned char *cold;
} lr__softmax_net;

/* A batch of users: user b's input bag is in_idx/in_w[in_ptr[b] ..
 * in_ptr[b + 1]), its labels lab_idx/lab_w likewise (lab_* may be NULL
 * for a forward pass).  Weights are already transformed (log1p, ...). */
typedef struct lr__softmax_batch {
    int32_t n;
    const int64_t *in_ptr;
    const int32_t *in_idx;
    const float *in_w;
    const int64_t *lab_ptr;
    const int32_t *lab_idx;
    const float *lab_w;
} lr__softmax_batch;

/* Scratch for batches of up to `cap` users. */
typedef struct lr__softmax_work {
    int32_t cap;
    int threads;
    float *act[LR__SOFTMAX_MAX_LAYERS + 1]; /* act[0] = X [cap x in0], act[l] [cap x width] */
    float *d0, *d1;    /* [cap x max(in0, width)] back-propagated activations */
    float *s, *ds;     /* [cap x k] user vectors and their gradients */
    float *item;       /* [m x k] item vectors */
    float *logit;      /* [cap x m] logits, then dL/dlogit */
    double *loss;      /* [cap] each user's cross-entropy */
} lr__softmax_work;

/* A network over the m artists with the tag uses `tags` (an artist x tag
 * CSR with counts, or NULL / an empty one for no tags).  Parameters zero.
 * LR_OK, LR_E_INVALID (sizes), LR_E_NOMEM. */
int lr__softmax_net_init(lr__softmax_net *net, int32_t m, const lr__csr *tags, int32_t k,
                         int32_t dt, int32_t layers, int32_t width, int item_tags);
/* Normal initial values from the seed: embeddings sd `scale`, layer
 * weights He-scaled (sd sqrt(2 / fan-in)), biases 0. */
void lr__softmax_net_randomize(lr__softmax_net *net, uint64_t seed, double scale);
void lr__softmax_net_free(lr__softmax_net *net);
/* The offsets of every block in theta and n_params, from the sizes (m,
 * nt, k, dt, layers, width, item_tags): what init does before it
 * allocates, and what a model file's tower is checked against. */
void lr__softmax_net_layout(lr__softmax_net *net);

int lr__softmax_work_init(lr__softmax_work *w, const lr__softmax_net *net, int32_t cap,
                          int threads);
void lr__softmax_work_free(lr__softmax_work *w);

/* The item vectors into w->item: V_a (+ Q' profile_a). */
void lr__softmax_items(const lr__softmax_net *net, lr__softmax_work *w);

/* The user vectors of the batch's input bags into w->s (row b, k floats).
 * Needs nothing of the labels.  LR_OK or a status of the threads. */
int lr__softmax_users(const lr__softmax_net *net, lr__softmax_work *w,
                      const lr__softmax_batch *b);

/* The batch objective
 *   (1/n) sum_b CE_b + reg/2 |weights|^2,
 *   CE_b = - sum_l y_bl log softmax(s_b . item)_l,  y_b = lab_w / sum lab_w,
 * into *loss (and its two parts into *ce and *l2 when not NULL), and its
 * gradient with respect to theta into grad[n_params].  The result does not
 * depend on w->threads. */
int lr__softmax_loss_grad(const lr__softmax_net *net, lr__softmax_work *w,
                          const lr__softmax_batch *b, double reg, float *grad, double *loss,
                          double *ce, double *l2);

#endif
