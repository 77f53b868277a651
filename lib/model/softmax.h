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
#include "core/rng.h"

#define LR__SOFTMAX_MAX_LAYERS 8

typedef struct lr__softmax_net {
    int32_t m, nt;            /* artists, tags */
    int32_t k, dt;            /* user/item vector size; tag embedding size */
    int32_t layers, width;    /* hidden layers, each `width` wide */
    int item_tags;            /* 1: item vectors add the projection of the tag profile */
    /* 1: the input's artist mean (x's first k entries) is added to the
     * output layer's s, a linear path beside the layers (LR_OPT_TOWER_SKIP).
     * Only the fit's network has it: lr__softmax_net_fold_skip turns it
     * into hidden units before the network becomes the model's tower. */
    int skip;
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
    /* tag x artist: the transpose of net->prof (item_tags only; empty
     * otherwise), so that each tag's projection gradient is one thread's
     * sum over its artists, in the artists' order */
    lr__csr prof_t;
    /* 1: a user's input artists are left out of its softmax, as the
     * evaluation leaves a user's training artists out of its ranking
     * (LR_OPT_MASK_INPUT); 0 after lr__softmax_work_init */
    int mask_input;
    /* 1: the gradient's E and T blocks are zero when lr__softmax_loss_grad
     * begins (the fit zeroes the rows a batch used after its step, a
     * thousandth of the blocks); 0 after lr__softmax_work_init: it zeroes
     * them all */
    int et_zero;
    /* LR_OPT_LABEL_SMOOTHING: this share of each user's label weight is
     * spread evenly over the artists of its softmax (the full softmax's;
     * the sampled one ignores it); 0 after lr__softmax_work_init */
    float label_smoothing;
    /* The input embeddings' gradient by row, so that threads can share it:
     * row a < m lists the batch's (user, weight) terms of E_a, row m + g
     * those of T_g, each in the order a serial pass adds them.  Grown as
     * batches need (NULL until then). */
    int64_t *g_ptr, *g_next; /* [m + nt + 1] */
    int32_t *g_user;         /* [g_cap] */
    float *g_coef;           /* [g_cap] */
    int64_t g_cap;
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
/* The same network without the skip path: each hidden layer gets 2k more
 * units, +x_i and -x_i of the artist mean carried through the ReLUs
 * (relu(v) - relu(-v) = v), and the output layer adds their difference,
 * so s is unchanged (up to float rounding) and the network is a plain
 * ReLU tower, which the model file, the fold-in and the explanations
 * already read.  Nothing to do when net->skip is 0.  LR_OK, LR_E_NOMEM
 * (net unchanged). */
int lr__softmax_net_fold_skip(lr__softmax_net *net);

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
 * with w->label_smoothing = e: y_b = (1 - e) lab_w / sum lab_w + e / M_b
 * over the M_b artists of b's softmax (all, or those not in b's input),
 * into *loss (and its two parts into *ce and *l2 when not NULL), and its
 * gradient with respect to theta into grad[n_params].  The result does not
 * depend on w->threads. */
int lr__softmax_loss_grad(const lr__softmax_net *net, lr__softmax_work *w,
                          const lr__softmax_batch *b, double reg, float *grad, double *loss,
                          double *ce, double *l2);

/* ------------------------------------------------- the sampled softmax
 * (lib/model/softmax_sampled.c).  For catalogues too large for a softmax
 * over every artist at every step: each batch draws `n` artists with
 * replacement from a proposal q shared by the batch's users, and user u's
 * partition function
 *   Z_u = sum_a exp(z_ua)
 * is estimated by its labels' exact terms plus the draws that are not
 * among its labels, each weighted by 1 / (n q_a) (importance sampling,
 * Bengio & Senecal 2008; Jean et al. 2015), i.e. the logit of a sampled
 * artist drawn c times is corrected by - log(n q_a / c).  The estimate is
 * unbiased, so the loss approaches the full one as n grows.  docs/models.md
 * says why q is the smoothed fan count. */

/* The catalogue size above which LR_OPT_SAMPLED_NEGATIVES = -1 samples,
 * and the draws it then takes. */
#define LR__SOFTMAX_SAMPLED_ABOVE 200000
#define LR__SOFTMAX_SAMPLED_AUTO 4096

typedef struct lr__softmax_sampler {
    int32_t n;            /* draws per batch; 0: use the full softmax */
    int32_t m;            /* artists */
    double *q;            /* [m] the proposal */
    double *alias_p;      /* [m] Walker/Vose alias table: keep i with alias_p[i] ... */
    int32_t *alias_i;     /* [m] ... else take alias_i[i] */
    lr__rng rng;          /* a stream of its own: the draws never shift the order or split */
    int32_t *draws;       /* [n] the batch's draws */
    /* The current batch's candidates: the distinct draws in the order first
     * drawn, then the batch's labels nobody drew. */
    int32_t n_cand;
    int32_t *cand;        /* [m] artist of each candidate */
    int32_t *cnt;         /* [m] draws of each candidate (0 for an undrawn label) */
    float *corr;          /* [m] log(cnt / (n q)), -inf when cnt = 0 */
    int32_t *pos;         /* [m] artist -> candidate, -1 when none */
    int64_t lab_cap;      /* room in lab_pos / lab_raw */
    int32_t *lab_pos;     /* [lab_cap] each label's candidate, by the batch's label index */
    float *lab_raw;       /* [lab_cap] scratch: a label's logit before the correction */
    size_t gi_cap;        /* room in gitem, floats */
    float *gitem;         /* [n_cand x k] the candidates' item gradients */
} lr__softmax_sampler;

/* The draws `opt` (LR_OPT_SAMPLED_NEGATIVES) means for m artists: -1 is
 * LR__SOFTMAX_SAMPLED_AUTO above LR__SOFTMAX_SAMPLED_ABOVE artists and 0
 * (the full softmax) up to it; n >= m is 0 too, since the full softmax is
 * exact and then no dearer. */
int32_t lr__softmax_sampled_draws(int64_t opt, int32_t m);

/* A sampler for `opt` over m artists, with the proposal from the training
 * listens `train` (users x artists; NULL: uniform) and its own stream of
 * seed.  When opt resolves to 0, s->n = 0 and nothing is allocated.
 * LR_OK, LR_E_NOMEM.  `train` is borrowed for the call only. */
int lr__softmax_sampler_init(lr__softmax_sampler *s, int64_t opt, int32_t m,
                             const lr__csr *train, uint64_t seed);
void lr__softmax_sampler_free(lr__softmax_sampler *s);

/* Draws the batch's sample (s->n artists from q) and makes its candidates.
 * LR_OK, LR_E_NOMEM. */
int lr__softmax_sample_draw(lr__softmax_sampler *s, const lr__softmax_batch *b);
/* The same from the caller's draws[n_draws] instead of random ones (a test
 * fixes a sample with it; n_draws stands for s->n in the correction). */
int lr__softmax_sample_set(lr__softmax_sampler *s, const lr__softmax_batch *b,
                           const int32_t *draws, int32_t n_draws);

/* lr__softmax_loss_grad's objective and gradient with CE_b over the
 * current sample's candidates:
 *   CE_b = - sum_l y_bl z_bl + log( sum_l exp z_bl
 *                                   + sum_{c drawn, not b's label} exp(z_bc + corr_c) ).
 * Every other step (the tower, the input embeddings, the tag projection,
 * the artists without listens, L2) is the full softmax's.  w->item and
 * w->logit hold the candidates' rows only.  The result does not depend on
 * w->threads.  LR_OK, LR_E_NOMEM or a status of the threads. */
int lr__softmax_sampled_loss_grad(const lr__softmax_net *net, lr__softmax_work *w,
                                  lr__softmax_sampler *s, const lr__softmax_batch *b, double reg,
                                  float *grad, double *loss, double *ce, double *l2);

/* The rest of a batch's gradient once w->ds holds dL/ds (and w->act the
 * forward pass's activations): the tower's layers top down, the input
 * embeddings user by user in order, and the L2 term, added to grad, whose
 * penalty it returns (reg/2 |weights|^2).  Shared by the full loss and the
 * sampled one (softmax_sampled.c), which differ only before ds. */
double lr__softmax_backward(const lr__softmax_net *net, lr__softmax_work *w,
                            const lr__softmax_batch *b, double reg, float *grad);

#endif
