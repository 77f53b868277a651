/* softmax's cold-artist mixture: artists nobody played in training, let
 * into a user's ranking by a calibrated share.  SPDX-License-Identifier: MIT
 *
 * The softmax's scores are logits; logit - logsumexp is the model's log
 * probability that a draw of the user's artists is that artist, among the
 * artists it was trained on.  An artist without training listens has no
 * such probability (its vector is its tags' projection alone, never a
 * label), so the mixture gives every user's draw a share pi_u of being a
 * cold artist and spreads that share over the cold artists by rank:
 *
 *   warm artist a:             log p(a | u) = logit_a - logsumexp(warm logits)
 *   cold artist at rank j:     log(kappa pi_u / j)
 *
 * where the rank j orders the cold artists by the sum of three signals,
 * each standardised per cold artist over the training users (so that an
 * artist that matches everybody does not lead every list): the cosine of its idf-weighted tag profile with the
 * user's (the user's artists' profiles weighted by transformed listens
 * over fans: rare artists say more of a taste for rare ones), its logit
 * (its tags' projection against the user vector), and 0.8 x the cosine
 * of its name's character n-grams with the user's artists' names
 * (lib/model/name_grams.h), which alone tells apart the cold artists
 * without tags; pi_u = (s + 1/2) / (n + 1) for a bag of n
 * artists of which s have one training listener: users who play what few
 * others play hold out such artists too, and an artist played by one user
 * alone is cold when that user's listen is held out.  kappa
 * (LR_OPT_COLD_MIX) is the share of a cold draw the first-ranked cold
 * artist gets; docs/models.md ("Cold artists") has how it was chosen, and
 * cold_boost, when set, is added to the cold artists' scores.
 *
 * Everything here derives from the model's training listens, its vectors,
 * its artist names and its tower's tag profiles, so a model file needs
 * nothing new to hold it.  A model without tags gets no mixture.
 */
#ifndef LR_MODEL_COLD_MIX_H
#define LR_MODEL_COLD_MIX_H

#include "model/model.h"

enum { LR__COLD_TAGS, LR__COLD_LOGIT, LR__COLD_NAME, LR__COLD_SIGNALS };

typedef struct lr__cold_mix {
    float log_kappa;
    int transform;          /* LR_TRANSFORM_* of the bag's weights */
    int32_t n_artists, nt;
    int32_t n_cold;         /* artists without training listens */
    int32_t *cold;          /* [n_cold] their dense indices, ascending */
    /* [LR__COLD_SIGNALS x n_cold] each signal's mean and 1 / sd over the
     * training users, signal by signal */
    float *mu, *inv_sd;
    int32_t *fans;          /* [n_artists] training listeners */
    unsigned char *is_cold; /* [n_artists] 1: no training listens */
    /* n_artists x nt: the tower's tag profiles (ptr, idx borrowed from
     * the model's tower, which outlives this) with owned values, each row
     * idf-weighted and of unit length */
    lr__csr prof;
    lr__csr names;          /* n_artists x name n-grams (lib/model/name_grams.h), owned */
    const float *bias;      /* [n_artists] the model's cold_boost (borrowed), or NULL */
} lr__cold_mix;

/* Per-thread scratch of lr__cold_mix_apply. */
typedef struct lr__cold_scratch {
    float *ut;                  /* [nt] the bag's tag profile, zero between calls */
    int32_t *t_touched;         /* [nt] the tags set in ut */
    float *un;                  /* [names.cols] the bag's name profile, likewise */
    int32_t *n_touched;         /* [names.cols] */
    int32_t nt_set, nn_set;     /* entries of t_touched and n_touched in use */
    double un_inv;              /* 1 / |un| (0 for an empty profile) */
    struct lr__ranked *rank;    /* [n_cold] */
} lr__cold_scratch;

/* The mixture of softmax model m (its tower, catalogue and training
 * listens final) into *out, or *out = NULL when it has nothing to do:
 * not a softmax model with a tower, cold_mix = 0, or no tags.  With no
 * artist left unplayed it still turns logits into log-probabilities.
 * LR_OK or LR_E_NOMEM. */
int lr__cold_mix_new(lr__cold_mix **out, const lr_model *m);
/* NULL is accepted. */
void lr__cold_mix_free(lr__cold_mix *c);

int lr__cold_scratch_init(lr__cold_scratch *s, const lr__cold_mix *c);
/* Takes an initialised, freed or zeroed scratch. */
void lr__cold_scratch_free(lr__cold_scratch *s);

/* Turn row[n_artists], the logits of the bag idx[n] (dense indices,
 * ascending) with raw listen counts w[n], into the mixture's scores.
 * Allocates nothing; thread-safe with one scratch per thread. */
void lr__cold_mix_apply(const lr__cold_mix *c, const int32_t *idx, const float *w, int64_t n,
                        float *row, lr__cold_scratch *s);

/* Cold artist a's standardised sum taken apart, for an explanation of
 * its rank for the bag idx[n] (raw counts w): *logit_scale gets the
 * logit's weight over its spread, by which the caller multiplies the
 * logit's own shares (the tower's); art[j] gets the name signal's share
 * of the bag's artist j (its name's part of the cosine); tag_val[i] the
 * tag signal's share of tag tag_idx[i], i below the returned count, for
 * the tags of a that the bag has (its part of the cosine).  Together
 * with the logit's they sum to the standardised sum up to its constant
 * part.  tag_idx and tag_val need room for a's tags.  s is left clear. */
int32_t lr__cold_mix_explain(const lr__cold_mix *c, int32_t a, const int32_t *idx, const float *w,
                             int64_t n, lr__cold_scratch *s, double *logit_scale, float *art,
                             int32_t *tag_idx, float *tag_val);

#endif
