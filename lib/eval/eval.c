/* Ranking evaluation exactly as docs/evaluation.md defines it.
 * SPDX-License-Identifier: MIT
 *
 * Users with a held-out artist are cut into fixed blocks; workers take
 * blocks from a shared counter, score a block with one call of the shared
 * scoring routine, select each user's top k
 * and write that user's metrics into the user's own slot.  Averages are
 * summed afterwards in user order, so the result does not depend on the
 * number of threads or on which thread ran which block.
 */
#include "eval/eval.h"
#include "model/cold_mix.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"
#include "query/topk.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Users scored together.  A block reads the model's artist panels once
 * (4.5 MB on the real data at k = 64, more than a core's caches), so tall
 * blocks read them less often, while a block of scores (128 x 17,632
 * floats, 9 MB) still sits in the last-level cache for the selection
 * that reads it next.  Huge catalogues get fewer rows, so scratch stays
 * bounded.  The size decides speed only: a user's scores are the same
 * bits in any block. */
#define BLOCK_USERS 128
#define BLOCK_BYTES ((size_t)16 << 20)

/* Users without held-out artists inside a block are scored along with
 * their neighbours (a wasted row is cheaper than another pass over the
 * artist matrix) unless this many or more lie in a row. */
#define SKIP_RUN 16

/* Metrics with a value per user, in the order of struct lr_evaluation. */
static const int per_user_metrics[] = {LR_METRIC_PRECISION, LR_METRIC_RECALL, LR_METRIC_NDCG,
                                       LR_METRIC_MAP, LR_METRIC_HITRATE};
#define N_PER_USER (sizeof per_user_metrics / sizeof per_user_metrics[0])

/* What a model's prediction of an observed pair estimates, for RMSE and
 * the validation loss: mf regresses the transformed weight; als the
 * preference, which is 1 for every listened pair (the weight only sets
 * the confidence); bpr learns score differences, with no per-pair target,
 * and pop and ease predict nothing per pair.  NaN means "no target". */
static float pair_target(const lr_model *m, float w)
{
    if (!lr__model_has_factors(m))
        return NAN;
    switch (m->algo) {
    case LR_ALGO_MF: return lr__transform((int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM), w);
    case LR_ALGO_ALS: return 1.0f;
    default: return NAN;
    }
}

typedef struct job {
    const lr_model *m;
    const lr__csr *train, *test;
    const lr__csr *fans;    /* train by artist: an empty column is a cold artist */
    int k;
    const int32_t *users;   /* [n_eval] dense indices, ascending */
    int32_t n_eval;
    int32_t block;          /* rows of a block: users[last] - users[first] < block */
    int32_t n_blocks;
    const int32_t *starts;  /* [n_blocks + 1]: block b is users[starts[b], starts[b + 1]) */
    const double *discount; /* [k + 1]: discount[r] = 1 / log2(r + 1) */
    const double *idcg;     /* [k + 1]: idcg[m] = sum of discount[1..m] */

    /* outputs, one slot per evaluated user */
    double *per_user[N_PER_USER];
    double *cold_recall;    /* [n_eval]: NaN for a user without cold held-out artists */
    int64_t *cold_held;     /* [n_eval]: the user's cold held-out artists */
    double *sq_err;         /* [n_eval] or NULL */

    /* per-thread scratch */
    int32_t heap_k;         /* k, or the catalogue size when smaller */
    float **scores;         /* [threads][block x n_artists] */
    float **top_score;      /* [threads][heap_k]: the selection's heap */
    int32_t **top;          /* [threads][heap_k] */
    unsigned char **seen;   /* [threads][n_artists]: recommended somewhere */

    atomic_int next_block;
    atomic_int stop;        /* set on failure or cancellation */
    pthread_mutex_t lock;   /* serialises progress reports */
    int32_t blocks_done;
    const lr__progress *progress;
} job;

/* An artist nobody listened to in the training side: a model that reads
 * only listens knows nothing of it (docs/evaluation.md, "Cold artists"). */
static int is_cold(const job *j, int32_t a)
{
    return j->fans->ptr[a + 1] == j->fans->ptr[a];
}

static void user_metrics(job *j, int tid, int32_t slot, const float *scores)
{
    const int32_t u = j->users[slot];
    const int32_t *skip, *held;
    int64_t n_skip = lr__csr_row(j->train, u, &skip, NULL);
    int64_t n_held = lr__csr_row(j->test, u, &held, NULL);
    int32_t *top = j->top[tid];
    int32_t n = lr__topk(j->heap_k, scores, j->m->n_artists, skip, n_skip, NULL,
                         j->top_score[tid], top);
    unsigned char *seen = j->seen[tid];
    int hits = 0, cold_hits = 0;
    double dcg = 0, ap = 0;
    for (int32_t r = 1; r <= n; r++) {
        seen[top[r - 1]] = 1;
        if (lr__csr_find(j->test, u, top[r - 1]) >= 0) {
            hits++;
            cold_hits += is_cold(j, top[r - 1]);
            dcg += j->discount[r];
            ap += (double)hits / r;
        }
    }
    int64_t cold = 0;
    for (int64_t i = 0; i < n_held; i++)
        cold += is_cold(j, held[i]);
    j->cold_held[slot] = cold;
    j->cold_recall[slot] = cold ? (double)cold_hits / (double)cold : NAN;
    const int ideal = n_held < j->k ? (int)n_held : j->k;
    j->per_user[0][slot] = (double)hits / j->k;
    j->per_user[1][slot] = (double)hits / (double)n_held;
    j->per_user[2][slot] = dcg / j->idcg[ideal];
    j->per_user[3][slot] = ap / ideal;
    j->per_user[4][slot] = hits > 0;
    if (j->sq_err) {
        const float *w;
        lr__csr_row(j->test, u, &held, &w);
        double s = 0;
        for (int64_t i = 0; i < n_held; i++) {
            double d = (double)lr__model_predict(j->m, u, held[i]) -
                       (double)pair_target(j->m, w[i]);
            s += d * d;
        }
        j->sq_err[slot] = s;
    }
}

/* Score the dense users users[first] .. users[last] into out, row r for
 * dense user users[first] + r: one scoring call per stretch
 * without a gap of SKIP_RUN or more unevaluated users, whose rows are left
 * unwritten. */
static int score_block(const job *j, int32_t first, int32_t last, float *out)
{
    const size_t na = (size_t)j->m->n_artists;
    const int32_t base = j->users[first];
    for (int32_t i = first; i <= last;) {
        int32_t e = i;
        while (e < last && j->users[e + 1] - j->users[e] <= SKIP_RUN)
            e++;
        int rc = lr__model_score_users(j->m, j->users[i], j->users[e] - j->users[i] + 1,
                                       out + (size_t)(j->users[i] - base) * na);
        if (rc != LR_OK)
            return rc;
        i = e + 1;
    }
    return LR_OK;
}

static int report_block(job *j)
{
    if (!j->progress || !j->progress->fn)
        return LR_OK;
    pthread_mutex_lock(&j->lock);
    int rc = LR_OK;
    /* Once someone stopped, nobody reports again: the stop flag is raised
     * before the lock is released. */
    if (!atomic_load(&j->stop)) {
        rc = lr__progress_report(j->progress, "evaluate", (uint64_t)++j->blocks_done,
                                 (uint64_t)j->n_blocks);
        if (rc != LR_OK)
            atomic_store(&j->stop, 1);
    }
    pthread_mutex_unlock(&j->lock);
    return rc;
}

static int worker(void *ctx, int tid, size_t begin, size_t end)
{
    (void)begin;
    (void)end;
    job *j = ctx;
    const size_t na = (size_t)j->m->n_artists;
    for (;;) {
        /* Another worker failed or was cancelled and says why. */
        if (atomic_load(&j->stop))
            return LR_OK;
        int b = atomic_fetch_add(&j->next_block, 1);
        if (b >= j->n_blocks)
            return LR_OK;
        const int32_t first = j->starts[b], last = j->starts[b + 1] - 1;
        int rc = score_block(j, first, last, j->scores[tid]);
        for (int32_t i = first; rc == LR_OK && i <= last; i++)
            user_metrics(j, tid, i,
                         j->scores[tid] + (size_t)(j->users[i] - j->users[first]) * na);
        if (rc == LR_OK)
            rc = report_block(j);
        if (rc != LR_OK) {
            atomic_store(&j->stop, 1);
            return rc;
        }
    }
}

static void free_scratch(job *j, int threads)
{
    for (int t = 0; t < threads; t++) {
        if (j->scores)
            free(j->scores[t]);
        if (j->top_score)
            free(j->top_score[t]);
        if (j->top)
            free(j->top[t]);
        if (j->seen)
            free(j->seen[t]);
    }
    free(j->scores);
    free(j->top_score);
    free(j->top);
    free(j->seen);
}

static int alloc_scratch(job *j, int threads)
{
    const size_t na = (size_t)j->m->n_artists;
    j->scores = lr__calloc((size_t)threads, sizeof *j->scores);
    j->top_score = lr__calloc((size_t)threads, sizeof *j->top_score);
    j->top = lr__calloc((size_t)threads, sizeof *j->top);
    j->seen = lr__calloc((size_t)threads, sizeof *j->seen);
    if (!j->scores || !j->top_score || !j->top || !j->seen)
        return lr__fail_oom("the evaluation's per-thread lists");
    /* Never more heap than there are artists to rank. */
    j->heap_k = (int64_t)j->k < (int64_t)na ? j->k : (int32_t)(na ? na : 1);
    for (int t = 0; t < threads; t++) {
        j->scores[t] = lr__malloc((size_t)j->block * na, sizeof(float));
        j->top_score[t] = lr__malloc((size_t)j->heap_k, sizeof(float));
        j->top[t] = lr__malloc((size_t)j->heap_k, sizeof(int32_t));
        j->seen[t] = lr__calloc(na ? na : 1, 1);
        if (!j->scores[t] || !j->top_score[t] || !j->top[t] || !j->seen[t])
            return lr__fail_oom("the evaluation's per-thread scores");
    }
    return LR_OK;
}

static lr_evaluation *new_evaluation(int k, int32_t n_eval)
{
    lr_evaluation *e = lr__calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->k = k;
    e->n_users = n_eval;
    for (int i = 0; i <= LR__METRIC_MAX; i++)
        e->metric[i] = NAN;
    e->user_ids = lr__malloc((size_t)n_eval, sizeof *e->user_ids);
    int ok = e->user_ids != NULL;
    for (size_t i = 0; i < N_PER_USER && ok; i++) {
        e->per_user[per_user_metrics[i]] = lr__malloc((size_t)n_eval, sizeof(double));
        ok = e->per_user[per_user_metrics[i]] != NULL;
    }
    if (ok) {
        e->per_user[LR_METRIC_COLD_RECALL] = lr__malloc((size_t)n_eval, sizeof(double));
        ok = e->per_user[LR_METRIC_COLD_RECALL] != NULL;
    }
    if (!ok) {
        lr_evaluation_free(e);
        return NULL;
    }
    return e;
}

int lr__evaluate(lr_evaluation **out, const lr_model *m, const lr_dataset *train,
                 const lr_dataset *test, int k, int threads,
                 const lr__progress *progress)
{
    *out = NULL;
    const lr__csr *te = &test->listens;
    int32_t n_eval = 0;
    for (int32_t u = 0; u < te->rows; u++)
        n_eval += te->ptr[u + 1] > te->ptr[u];
    lr_evaluation *e = new_evaluation(k, n_eval);
    int32_t *users = lr__malloc((size_t)n_eval, sizeof *users);
    int32_t *starts = lr__malloc((size_t)n_eval + 1, sizeof *starts);
    double *discount = lr__malloc((size_t)k + 1, sizeof *discount);
    double *idcg = lr__malloc((size_t)k + 1, sizeof *idcg);
    job j = {0};
    int rc = LR_OK;
    if (!e || !users || !starts || !discount || !idcg) {
        rc = lr__fail_oom("the evaluation's users and discounts");
        goto done;
    }
    for (int32_t u = 0, i = 0; u < te->rows; u++)
        if (te->ptr[u + 1] > te->ptr[u]) {
            users[i] = u;
            e->user_ids[i] = m->user_ids[u];
            i++;
        }
    e->metric[LR_METRIC_USERS] = n_eval;
    e->metric[LR_METRIC_COLD_USERS] = 0;
    e->metric[LR_METRIC_COLD_PAIRS] = 0;
    discount[0] = idcg[0] = 0;
    for (int r = 1; r <= k; r++) {
        discount[r] = 1.0 / log2(r + 1.0);
        idcg[r] = idcg[r - 1] + discount[r];
    }
    if (n_eval == 0)
        goto done; /* nothing held out: every average stays NaN */

    j.m = m;
    j.train = &train->listens;
    j.fans = &train->by_artist;
    j.test = te;
    j.k = k;
    j.users = users;
    j.n_eval = n_eval;
    size_t row_bytes = (size_t)m->n_artists * sizeof(float);
    size_t fit = row_bytes ? BLOCK_BYTES / row_bytes : BLOCK_USERS;
    j.block = fit < 1 ? 1 : fit < BLOCK_USERS ? (int32_t)fit : BLOCK_USERS;
    /* A block spans at most j.block dense users, so its scores fit the
     * scratch whatever gaps it holds. */
    for (int32_t i = 0; i < n_eval; i++)
        if (i == 0 || users[i] - users[starts[j.n_blocks - 1]] >= j.block)
            starts[j.n_blocks++] = i;
    starts[j.n_blocks] = n_eval;
    j.starts = starts;
    /* RMSE is the notebook's measure of its explicit model (lastrec.h:
     * LR_METRIC_RMSE), the error in the weights mf regresses.  als has a
     * per-pair target too, but a constant one: its "RMSE" would not be an
     * error in the listen weights, so it is left NaN like the others. */
    const int rmse = m->algo == LR_ALGO_MF && lr__model_has_factors(m);
    j.discount = discount;
    j.idcg = idcg;
    for (size_t i = 0; i < N_PER_USER; i++)
        j.per_user[i] = e->per_user[per_user_metrics[i]];
    j.cold_recall = e->per_user[LR_METRIC_COLD_RECALL];
    j.progress = progress;
    atomic_init(&j.next_block, 0);
    atomic_init(&j.stop, 0);
    if (threads > j.n_blocks)
        threads = j.n_blocks;
    if (threads < 1)
        threads = 1;
    if (rmse && !(j.sq_err = lr__malloc((size_t)n_eval, sizeof *j.sq_err))) {
        rc = lr__fail_oom("the evaluation's squared errors");
        goto done;
    }
    if (!(j.cold_held = lr__malloc((size_t)n_eval, sizeof *j.cold_held))) {
        rc = lr__fail_oom("the evaluation's cold-artist counts");
        goto done;
    }
    rc = alloc_scratch(&j, threads);
    if (rc != LR_OK) {
        free_scratch(&j, threads);
        goto done;
    }
    pthread_mutex_init(&j.lock, NULL);
    rc = lr__parallel_for(threads, (size_t)threads, worker, &j);
    pthread_mutex_destroy(&j.lock);

    if (rc == LR_OK) {
        unsigned char *seen = j.seen[0];
        for (int t = 1; t < threads; t++)
            for (int32_t a = 0; a < m->n_artists; a++)
                seen[a] |= j.seen[t][a];
        int64_t covered = 0;
        for (int32_t a = 0; a < m->n_artists; a++)
            covered += seen[a];
        e->metric[LR_METRIC_COVERAGE] = m->n_artists ? (double)covered / m->n_artists : NAN;
        for (size_t i = 0; i < N_PER_USER; i++) {
            double s = 0;
            for (int32_t u = 0; u < n_eval; u++)
                s += j.per_user[i][u];
            e->metric[per_user_metrics[i]] = s / n_eval;
        }
        if (j.sq_err) {
            double s = 0;
            for (int32_t u = 0; u < n_eval; u++)
                s += j.sq_err[u];
            e->metric[LR_METRIC_RMSE] = sqrt(s / (double)te->nnz);
        }
        /* Over the users that have a cold held-out artist only: for the
         * others the restricted recall has no denominator. */
        double s = 0;
        int64_t cold_users = 0, cold_pairs = 0;
        for (int32_t u = 0; u < n_eval; u++)
            if (j.cold_held[u]) {
                s += j.cold_recall[u];
                cold_users++;
                cold_pairs += j.cold_held[u];
            }
        e->metric[LR_METRIC_COLD_USERS] = (double)cold_users;
        e->metric[LR_METRIC_COLD_PAIRS] = (double)cold_pairs;
        e->metric[LR_METRIC_COLD_RECALL] = cold_users ? s / (double)cold_users : NAN;
    }
    free_scratch(&j, threads);

done:
    free(j.sq_err);
    free(j.cold_held);
    free(users);
    free(starts);
    free(discount);
    free(idcg);
    if (rc != LR_OK) {
        lr_evaluation_free(e);
        return rc;
    }
    *out = e;
    return LR_OK;
}

int lr__eval_epoch_hook(const lr_model *m, double *row, void *ctx)
{
    const lr__eval_hook_ctx *c = ctx;
    /* The hook runs inside lr_model_fit, before the model is marked fitted;
     * the factors of this epoch are in place, so a read-only view that
     * says "fitted" scores them without touching the model. */
    lr_model view = *m;
    view.fitted = 1;
    view.artist_panels = NULL; /* this epoch's factors, packed for this view alone */
    view.cold_mix = NULL;      /* likewise */
    lr_evaluation *e = NULL;
    int rc = lr__model_prepare(&view);
    if (rc == LR_OK)
        rc = lr__evaluate(&e, &view, c->train, c->validation, c->k, c->threads, NULL);
    free(view.artist_panels);
    lr__cold_mix_free(view.cold_mix);
    if (rc != LR_OK)
        return rc;
    row[LR_HISTORY_VAL_NDCG - 1] = e->metric[LR_METRIC_NDCG];
    row[LR_HISTORY_VAL_PRECISION - 1] = e->metric[LR_METRIC_PRECISION];
    lr_evaluation_free(e);

    /* The validation loss is the mean squared error of the predictions
     * against what the model regresses (pair_target), so it is comparable
     * epoch to epoch and, for mf, is the square of the final RMSE. */
    const lr__csr *v = &c->validation->listens;
    row[LR_HISTORY_VAL_LOSS - 1] = NAN;
    if (v->nnz == 0 || isnan(pair_target(m, 1.0f)))
        return LR_OK;
    double s = 0;
    for (int32_t u = 0; u < v->rows; u++)
        for (int64_t p = v->ptr[u]; p < v->ptr[u + 1]; p++) {
            double d = (double)lr__model_predict(m, u, v->idx[p]) -
                       (double)pair_target(m, v->val[p]);
            s += d * d;
        }
    row[LR_HISTORY_VAL_LOSS - 1] = s / (double)v->nnz;
    return LR_OK;
}

int lr__eval_same_catalogue(const lr_model *m, const lr_dataset *ds)
{
    if (!m || !ds || m->n_users != ds->n_users || m->n_artists != ds->n_artists)
        return 0;
    if (m->n_users && memcmp(m->user_ids, ds->user_ids, (size_t)m->n_users * sizeof(int32_t)))
        return 0;
    if (m->n_artists &&
        memcmp(m->artist_ids, ds->artist_ids, (size_t)m->n_artists * sizeof(int32_t)))
        return 0;
    return 1;
}
