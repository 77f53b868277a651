/* The query behind lr_query: one thread's scratch space and settings over a
 * shared, read-only model.  SPDX-License-Identifier: MIT
 *
 * Everything a query writes lives here, sized at creation for the model's
 * catalogue, so that concurrent queries on one model never share a byte of
 * mutable state and a query allocates nothing (settings and name lookups
 * aside).  The model is only read.
 */
#ifndef LR_QUERY_QUERY_H
#define LR_QUERY_QUERY_H

#include "lastrec.h"
#include "model/model.h"
#include "model/softmax_tower.h"
#include "model/cold_mix.h"

#define LR__QUERY_K_MAX 10000
#define LR__QUERY_EXPLAIN_MAX 50

/* What the current results answer, which decides what they carry. */
enum lr__result_kind {
    LR__RESULT_NONE = 0,
    LR__RESULT_USER = 1,
    LR__RESULT_PREFERENCES = 2,
    LR__RESULT_SIMILAR = 3
};

struct lr_query {
    const lr_model *m; /* borrowed */
    int32_t na;        /* artists */
    int32_t kf;        /* factors, 0 without embeddings */

    /* settings */
    int32_t k, explain;
    int measure, exclude;
    int filter_mode;           /* enum lr_filter_mode */
    int32_t *filter;           /* dense indices, ascending, unique */
    int32_t n_filter;
    char *tag;                 /* the tag filter's search key, or NULL */
    unsigned char *allow;      /* [na] 1 = may be returned; NULL = no filter */

    /* per-model numbers, computed at creation (or on first need) for this
     * query alone: the shared model is never written */
    int32_t *fans;             /* [na] listeners in the training data */
    float *norm;               /* [na] artist embedding norms (factor models) */
    float *gram;               /* [kf x kf] Y'Y for als and mf with gravity */
    int gram_ready;
    double mean_row;           /* mean listens per training user (als bm25) */
    float bpr_target;          /* 0 until the first bpr fold-in needs it */

    /* preferences, by dense index ascending */
    int32_t n_pref;
    int32_t *pref_idx;         /* [na] */
    float *pref_w;             /* [na] listen counts */

    /* candidates of the last name lookup, best first */
    lr__strtab keys;           /* the names' search keys, folded on the first search */
    int32_t *cand;             /* [na] dense indices */
    size_t n_cand;

    /* scratch */
    float *scores;             /* [na] */
    float *contrib;            /* [na] explanation contributions per source */
    float *x;                  /* [kf] user vector */
    float *a;                  /* [kf x kf] the fold-in system, then its Cholesky factor */
    float *r;                  /* [na] right-hand-side weight per source artist */
    float *z;                  /* [kf] */
    lr__blend_scratch blend;   /* blend models: item scores, rank weights */
    double blend_scale[3];     /* the last blend row's scales (lr__blend_row) */
    float *contrib2;           /* [na] blend: the item part's contributions */
    float *contrib3;           /* [na] blend with a softmax part: that part's contributions */
    float *xs;                 /* [m->sm.k] blend: the softmax part's user vector */
    /* softmax with its tower (m->tower), or blend's softmax part with its
     * own (m->sm.tower): one bag's pass, the gradient of a score with
     * respect to the tower's input, the bag's tag shares */
    lr__tower_scratch tower;
    lr__cold_scratch cold; /* softmax's cold-artist mixture, when the model has one */
    float *cold_art;       /* [na] its explanation: the name signal's shares */
    int32_t *cold_tag_idx; /* [nt] and the tag signal's, by tag */
    float *cold_tag_val;   /* [nt] */
    float *gx;                 /* [k + tag_dim] */
    int32_t *tag_id;           /* [nt] canonical tags of the last shares */
    float *tag_share;          /* [nt] their contributions */
    int32_t *tag_mark;         /* [nt] -1 between calls (lr__tower_shares) */

    /* results of the last query */
    int kind;                  /* enum lr__result_kind */
    int32_t n_res;
    int32_t *res_idx;          /* [k] dense artist indices */
    float *res_score;          /* [k] */
    int32_t *exp_n;            /* [k] explanation entries per result */
    int32_t *exp_idx;          /* [k x explain] dense artist indices */
    float *exp_val;            /* [k x explain] contributions */
    int32_t *exp_tag_n;        /* [k] tag explanation entries per result */
    int32_t *exp_tag_idx;      /* [k x explain] tag indices (the model's tag names) */
    float *exp_tag_val;        /* [k x explain] contributions */
};

int lr__query_new(lr_query **out, const lr_model *m);
void lr__query_free(lr_query *q);

/* Settings; arguments are checked by the api layer unless said otherwise. */
int lr__query_set_k(lr_query *q, int32_t k);
int lr__query_set_explain(lr_query *q, int32_t explain);
/* ids: external IDs (checked here: LR_E_NOTFOUND names an unknown one). */
int lr__query_set_filter(lr_query *q, int mode, const int32_t *ids, size_t n);
int lr__query_set_tag(lr_query *q, const char *tag);

/* Name resolution.  strict: an exact match, else a single candidate, else
 * LR_E_AMBIGUOUS; otherwise the best candidate.  *idx is a dense index. */
int lr__query_resolve(lr_query *q, const char *name, int strict, int32_t *idx);

/* Preferences by dense index. */
int lr__query_add_pref(lr_query *q, int32_t idx, float listens);

/* Queries on dense indices; they fill the results. */
int lr__query_user(lr_query *q, int32_t u);
int lr__query_preferences(lr_query *q);
int lr__query_similar(lr_query *q, int32_t a);

/* Dense index of an external artist ID in the query's model, or -1. */
int32_t lr__query_artist_index(const lr_query *q, int32_t id);

/* Dot products x·V_a in row[na] to cosines, in place (0 where either
 * vector is zero); returns 1 / |x| (0 for a zero x). */
float lr__query_cosines(const lr_query *q, const float *x, float *row);

/* Top-k of every user with q's settings into idx / score (users x q->k,
 * dense artist indices, -1 / NaN padding; score may be NULL).  progress
 * (borrowed, may be NULL) hears users done, stage "recommend all users",
 * and may cancel: LR_E_CANCELLED, the outputs then partly written. */
int lr__query_all(const lr_query *q, int threads, int32_t *idx, float *score,
                  const lr__progress *progress);

#endif
