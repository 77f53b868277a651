/* softmax's user tower kept with the model: a preference list folded in
 * through it, and the gradient x input explanation of a score.
 * SPDX-License-Identifier: MIT
 *
 * After the fit the network (lib/model/softmax.h) moves onto the model as
 * its tower; a model file stores it (docs/formats.md, sections 17-19).
 * Queries run one input bag at a time through a forward pass whose every
 * sum has one fixed order (lr__kdot per output, no BLAS), and the fit
 * computes every training user's vector with the same pass, so the bag
 * of a training user's artists gives that user's row of user_f bit for
 * bit.
 *
 * Explanations (docs/models.md, "softmax"): the tower is piecewise linear
 * (ReLU), so for a given bag s(x) = J x + c with J and c fixed by which
 * units are active.  The score of artist t is item_t . s(x); its gradient
 * with respect to the input x = [artist mean ; tag mean] is g = J' item_t,
 * and g . x = item_t . s(x) - item_t . c: the score less its bias part.
 * g . x splits exactly into one term per liked artist (its weight times
 * E_a . g_artists) and one per tag (the bag's weight of the tag through
 * the artists' profiles times T_g . g_tags).
 */
#ifndef LR_MODEL_SOFTMAX_TOWER_H
#define LR_MODEL_SOFTMAX_TOWER_H

#include "model/softmax.h"

typedef struct lr__softmax_tower {
    lr__softmax_net net; /* owned; net.l2 and net.cold (training only) are NULL */
    /* [net.nt] derived, never stored: the tag that stands for t among the
     * tags whose names are alike (case, spaces, hyphens and underscores
     * aside), the lowest index of them, so that an explanation names
     * "HipHop" once, not once per spelling; NULL when nt is 0 */
    int32_t *tag_canon;
} lr__softmax_tower;

/* A tower owning *net's arrays (*net is left zeroed, whatever the
 * outcome), with tag_canon derived from m's tag names.  LR_OK,
 * LR_E_NOMEM (net freed). */
int lr__softmax_tower_new(lr__softmax_tower **out, const lr_model *m, lr__softmax_net *net);
/* NULL is accepted. */
void lr__softmax_tower_free(lr__softmax_tower *t);

/* The end of softmax's fit: the network moves onto m as its tower (*net
 * zeroed; l2 and cold dropped) and every user's row of m->user_f is
 * computed again by lr__tower_forward from the user's training listens.
 * LR_OK, LR_E_NOMEM, LR_E_NUMERIC (a non-finite user vector). */
int lr__softmax_tower_keep(lr_model *m, lr__softmax_net *net);

/* One query's scratch for one bag. */
typedef struct lr__tower_scratch {
    float *x;                                /* [k + dt] the input row */
    float *act[LR__SOFTMAX_MAX_LAYERS];      /* [width] each hidden layer's output */
    float *d0, *d1;                          /* [max(k + dt, width)] back-propagation */
    float *c;                                /* [most] each input artist's weight in the mean */
    float *tag_w;                            /* [nt] the bag's weight of each tag, 0 elsewhere */
    int32_t *tags;                           /* [nt] tags with a weight, in the order met */
    int32_t n_tags;
    int32_t most;                            /* room in c */
} lr__tower_scratch;

/* Scratch for bags of up to `most` artists.  LR_OK or LR_E_NOMEM (nothing
 * left to free). */
int lr__tower_scratch_init(lr__tower_scratch *s, const lr__softmax_tower *t, int32_t most);
/* Takes an initialised, freed or zeroed scratch. */
void lr__tower_scratch_free(lr__tower_scratch *s);

/* The user vector out[k] of the bag idx[n] (dense artist indices,
 * ascending, n <= s->most) with listen counts w[n], weights transformed
 * by `transform` as in training; the layers' outputs stay in s for
 * lr__tower_input_grad, and s->tags / tag_w hold the bag's tags.  A bag
 * whose weights sum to zero is the zero input.  Allocates nothing;
 * thread-safe with one scratch per thread. */
void lr__tower_forward(const lr__softmax_tower *t, int transform, const int32_t *idx,
                       const float *w, int64_t n, lr__tower_scratch *s, float *out);

/* g[k + dt] = J' item: the gradient of item . s(x) with respect to the
 * input of the last lr__tower_forward on s. */
void lr__tower_input_grad(const lr__softmax_tower *t, lr__tower_scratch *s, const float *item,
                          float *g);

/* The shares of g . x (g from lr__tower_input_grad, x the last forward's
 * input on s) for the bag idx[n] of that forward: art[j] for artist
 * idx[j] (its embedding term), and tag_share[i] for each canonical tag
 * tag_id[i], i < the returned count (the tags of the bag that display
 * alike summed under one).  tag_id and tag_share need room for s->n_tags;
 * mark[nt] must be all -1 on entry and is so again on return. */
int32_t lr__tower_shares(const lr__softmax_tower *t, const lr__tower_scratch *s, const float *g,
                         const int32_t *idx, int64_t n, float *art, int32_t *tag_id,
                         float *tag_share, int32_t *mark);

#endif
