/* The model behind lr_model, and the interface every algorithm implements.
 * SPDX-License-Identifier: MIT
 *
 * A model owns a copy of everything queries need (the catalogue's IDs,
 * artist names and top-tag names, the training listens), so that a model
 * file alone answers queries.  Algorithms fill factors (user_f, artist_f,
 * optional artist_bias), an item-item matrix (ease; lib/model/
 * item_inverse.c), both (blend), or a score vector (pop); scoring is shared
 * (lib/model/score.c).
 */
#ifndef LR_MODEL_MODEL_H
#define LR_MODEL_MODEL_H

#include "lastrec.h"
#include "core/options.h"
#include "core/ranked.h"
#include "data/dataset.h"

#include <math.h>

#define LR__TAGS_PER_ARTIST 5

/* One row of the history: LR_HISTORY_* field f lives at column f - 1. */
#define LR__HIST_FIELDS 8

/* blend's softmax part (lib/model/blend.c): softmax fitted by its own
 * fit on a view of the blend, with its own options.  Every pointer is
 * owned by the model that holds the part (freed by lr__model_clear); k =
 * 0 and every pointer NULL when the blend has no such part (softmax_weight
 * 0, or a file written before the part existed). */
typedef struct lr__blend_softmax {
    lr_options opts;      /* the part's options: softmax's, resolved */
    int32_t k;
    float *user_f;        /* [n_users x k] the tower's output on each user's listens */
    float *artist_f;      /* [n_artists x k] the item vectors */
    float *artist_bias;   /* [n_artists] cold_boost, or NULL */
    float *artist_panels; /* artist_f packed (lib/model/panels.h) by lr__model_prepare */
    struct lr__softmax_tower *tower;
} lr__blend_softmax;

typedef struct lr__history {
    size_t n, cap;
    double *rows; /* n x LR__HIST_FIELDS, NaN where not measured */
} lr__history;

struct lr_model {
    int algo;           /* enum lr_algorithm */
    lr_options opts;    /* the caller's options, algorithm defaults resolved */
    int fitted;

    /* catalogue, copied at fit (dense indices as in the training dataset) */
    int32_t n_users, n_artists;
    int32_t *user_ids;           /* [n_users] ascending */
    int32_t *artist_ids;         /* [n_artists] ascending */
    lr__strtab artist_names;     /* [n_artists] */
    lr__strtab artist_top_tags;  /* [n_artists] top tag name, "" when none */
    lr__csr train;               /* n_users x n_artists raw listen counts */

    /* factor models (mf, als, bpr) */
    int32_t k;
    float *user_f;       /* [n_users x k] row-major */
    float *artist_f;     /* [n_artists x k] row-major */
    float *artist_bias;  /* [n_artists] or NULL */
    /* artist_f again, packed for scoring (lib/model/panels.h): built by
     * lr__model_prepare once the factors are final, NULL before */
    float *artist_panels;

    /* ease: an item-item matrix over a subset of artists */
    int32_t n_items;
    int32_t *items;      /* [n_items] dense artist indices, ascending */
    int32_t *item_pos;   /* [n_artists] position in items, -1 when not modelled */
    float *item_w;       /* [n_items x n_items] row-major, zero diagonal */

    /* pop */
    float *pop;          /* [n_artists] fan counts in the training data */

    /* softmax: the user tower, owned, freed with the model
     * (lib/model/softmax_tower.h); NULL for other algorithms and for a
     * softmax model from a file of format version 1, whose preferences
     * then fold in by least squares */
    struct lr__softmax_tower *tower;
    /* softmax's cold-artist mixture (lib/model/cold_mix.h), derived by
     * lr__model_prepare, never stored; NULL when it has nothing to do */
    struct lr__cold_mix *cold_mix;

    /* blend: its softmax part (k = 0 without one) */
    lr__blend_softmax sm;

    lr__history history;

    /* Up to LR__TAGS_PER_ARTIST most used tags per artist with their use
     * counts (most used first, ties by tag ID), for query results.  Tag
     * indices point into tag_names; -1 pads. */
    lr__strtab tag_names;        /* [n_tags] the dataset's kept tags */
    int32_t *artist_tags;        /* [n_artists x LR__TAGS_PER_ARTIST] */
    int32_t *artist_tag_counts;  /* [n_artists x LR__TAGS_PER_ARTIST] */
};

/* Called by an algorithm after each epoch, before progress is reported:
 * the api layer uses it to measure validation metrics (lib/eval sits above
 * lib/model, so the model cannot call it directly).  It fills the
 * validation columns of `row` (LR_HISTORY_VAL_*).  May be NULL. */
typedef int (*lr__epoch_hook)(const lr_model *m, double *row, void *ctx);

typedef struct lr__fit_ctx {
    const lr_dataset *train;
    const lr_dataset *validation; /* may be NULL */
    const lr__progress *progress;
    lr__epoch_hook hook;
    void *hook_ctx;
    double t0;                    /* lr__now() at the start of the fit */
} lr__fit_ctx;

/* An algorithm. */
typedef struct lr__algo {
    int id;
    const char *name;
    /* Put the algorithm's own defaults into o for the options the caller
     * did not set (lr__opt_is_set). */
    void (*defaults)(lr_options *o);
    /* Fit m (catalogue already copied into it).  Appends one history row
     * per epoch with lr__history_epoch(). */
    int (*fit)(lr_model *m, const lr__fit_ctx *ctx);
} lr__algo;

const lr__algo *lr__algo_find(int id);

/* Record an epoch: copies row (LR__HIST_FIELDS values; fills SECONDS),
 * runs the hook, then reports progress "epoch" epoch/total.  Returns
 * LR_E_CANCELLED when the caller stops the fit. */
int lr__history_epoch(lr_model *m, const lr__fit_ctx *ctx, double *row,
                      uint64_t epoch, uint64_t total);
/* A history row of NaNs. */
void lr__history_row_init(double *row);
void lr__history_free(lr__history *h);

/* Monotonic seconds. */
double lr__now(void);

/* The transform of a listen count used by mf / ease / als (RAW, LOG1P,
 * BINARY; BM25 is matrix-level and lives in als). */
static inline float lr__transform(int t, float w)
{
    switch (t) {
    case LR_TRANSFORM_LOG1P: return log1pf(w);
    case LR_TRANSFORM_BINARY: return 1.0f;
    default: return w;
    }
}

/* Scores of every artist for users [u0, u0 + n) (dense indices) into
 * out[n x n_artists], row-major.  The one scoring routine of all
 * algorithms (the fixed-order product of lib/model/panels.h for factors,
 * sparse x dense for ease, broadcast for pop): a user's row has the same
 * bits whatever u0 and n are.  Thread-safe on a fitted model. */
int lr__model_score_users(const lr_model *m, int32_t u0, int32_t n, float *out);

/* The item model's scores of one listen row (ease, blend): out[n_artists]
 * = sum_j weight_j B[item_pos[idx_j], :], 0 for artists the model does not
 * cover; weight_j = lr__transform(t, w[j]), or w[j] itself when t < 0.
 * idx ascending (the sum adds rows in that order).  Thread-safe. */
void lr__item_scores(const lr_model *m, const int32_t *idx, const float *w, int64_t n, int t,
                     float *out);

/* blend (lib/model/blend.c, scored in lib/model/score.c).
 *
 * Rank weights of one user's listens: the artist with the r-th highest
 * count (r = 0, 1, ...; equal counts by position, i.e. by artist index in
 * a CSR row) weighs 1 + spread * (1/2 - r / max(n - 1, 1)).  w and out
 * have n entries; scratch has n. */
void lr__blend_rank_weights(const float *w, int64_t n, double spread, lr__ranked *scratch,
                            float *out);

/* Scratch of lr__blend_row: item[n_artists], sm[n_artists] (models with a
 * softmax part, else NULL), and rw and pairs with room for the longest
 * row scored.  Init: LR_OK or LR_E_NOMEM (nothing left to free); free
 * takes an initialised or freed one. */
typedef struct lr__blend_scratch {
    float *item;
    float *sm;
    float *rw;
    lr__ranked *pairs;
} lr__blend_scratch;
int lr__blend_scratch_init(lr__blend_scratch *s, const lr_model *m, int64_t most);
void lr__blend_scratch_free(lr__blend_scratch *s);

/* Blend scores of one listen row (artist indices idx, ascending and
 * distinct, counts w; n of them).  On entry out[n_artists] holds the
 * factor scores (x.V, or cosines; ignored when the model has no factors)
 * and, for a model with a softmax part, s->sm[n_artists] that part's
 * scores (x.item + bias, lr__blend_sm_scores); on return out is the
 * blend: the item model's scores of the rank-weighted row, the factor
 * scores and the softmax scores, each standardised over the artists not
 * in idx, added with weights 1, blend_weight and softmax_weight.  On
 * return s->rw holds the row's rank weights and s->item the raw item
 * scores, and out[a] = scale[0] * item[a] + scale[1] * factor[a] +
 * scale[2] * sm[a] + a constant, which is what explanations decompose
 * (a part the model lacks has scale 0).  For a user of the model this is
 * lr__model_score_users's row; for a row the model has not seen it is
 * the fold-in.  Thread-safe with one scratch per thread. */
void lr__blend_row(const lr_model *m, const int32_t *idx, const float *w, int64_t n,
                   lr__blend_scratch *s, float *out, double scale[3]);

/* The softmax part's scores of the part's user vector x[sm.k] into
 * out[n_artists], by the fixed-order product (lib/model/panels.h): the
 * same bits for a training user's row of sm.user_f in any batch and for
 * the tower's pass of the same listens.  Needs lr__model_prepare. */
void lr__blend_sm_scores(const lr_model *m, const float *x, float *out);

/* lr__blend_row over the training rows of users [u0, u0 + n), out holding
 * their factor scores row by row.  LR_OK or LR_E_NOMEM. */
int lr__blend_rows(const lr_model *m, int32_t u0, int32_t n, float *out);

/* Predicted weight of (user u, artist a) under the model's transform
 * (factor models), for RMSE. */
float lr__model_predict(const lr_model *m, int32_t u, int32_t a);

/* 1 when m has embeddings (mf, als, bpr). */
int lr__model_has_factors(const lr_model *m);

/* Derive what scoring needs from the learned parameters (the artist
 * panels of a factor model, and of blend's softmax part), once they are
 * final: at the end of a fit, of a load, or on a view scored in the middle
 * of a fit.  Replaces what an earlier call built.  LR_OK or LR_E_NOMEM. */
int lr__model_prepare(lr_model *m);

/* Free the part's arrays and zero it (k = 0).  Takes a zeroed part. */
void lr__blend_softmax_free(lr__blend_softmax *p);

/* Free everything learned or copied, leaving an unfitted model with its
 * algorithm and options. */
void lr__model_clear(lr_model *m);

/* Copy the catalogue of ds into m (IDs, names, top-tag names, listens). */
int lr__model_take_catalogue(lr_model *m, const lr_dataset *ds);

/* Check non-finite values in a float array: LR_E_NUMERIC with `advice`. */
int lr__check_finite(const float *x, size_t n, const char *what, const char *advice);

#endif
