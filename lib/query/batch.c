/* Top-k for every user at once: blocks of users scored together, each row
 * reduced by the shared partial selection.
 * SPDX-License-Identifier: MIT
 *
 * Workers own contiguous ranges of blocks and write only their users' rows
 * of the output, so the result does not depend on the thread count.  No
 * allocation grows with users x artists: a worker's scores are one block
 * (at most BLOCK_BYTES), the output is users x k, so at 360K users x 160K
 * artists the largest are each worker's block of 26 users' scores (16 MB)
 * and the caller's outputs (360K x 10 IDs, 14 MB). */
#include "query/query.h"
#include "query/topk.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/threads.h"

#include "model/panels.h"

#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>

/* Users scored together.  A block reads the artist panels once (4.5 MB
 * on the real catalogue at k = 64, more than the core's caches hold), so
 * taller blocks read them less often, while a block's scores (128 x
 * 17,632 floats, 9 MB) still sit in the last-level cache for the selection
 * that reads them next; larger catalogues get fewer rows so scratch stays
 * bounded.  The size changes the speed only, never a score. */
#define BLOCK_USERS 128
#define BLOCK_BYTES ((size_t)16 << 20)

typedef struct batch {
    const lr_query *q;
    int32_t block, n_blocks;
    int32_t *idx;
    float *score; /* may be NULL */
    /* Progress: users done over all workers; whichever worker holds
     * `reporting` tells the callback (never two at once, as
     * lr_progress_fn promises), the others go on without waiting. */
    const lr__progress *progress; /* borrowed, may be NULL */
    atomic_llong done;
    atomic_flag reporting;
    atomic_int cancelled;
} batch;

#define STAGE "recommend all users"

/* After a worker's block of n users: tell the callback when no other
 * worker is telling it; LR_E_CANCELLED once any worker heard "stop". */
static int block_done(batch *b, int32_t n)
{
    const long long done = atomic_fetch_add(&b->done, n) + n;
    if (atomic_load(&b->cancelled))
        return lr__fail(LR_E_CANCELLED, "%s: cancelled by the progress callback", STAGE);
    if (!b->progress || atomic_flag_test_and_set(&b->reporting))
        return LR_OK;
    int rc = lr__progress_report(b->progress, STAGE, (uint64_t)done,
                                 (uint64_t)b->q->m->n_users);
    if (rc == LR_E_CANCELLED)
        atomic_store(&b->cancelled, 1);
    atomic_flag_clear(&b->reporting);
    return rc;
}

/* Scores of users [u0, u0 + n) into out, as lr__query_user scores each
 * alone: the same product (lib/model/panels.h) and the same cosine
 * formula, so a user's row has the same bits in any block. */
static int score_block(const lr_query *q, int32_t u0, int32_t n, float *out)
{
    const lr_model *m = q->m;
    if (!lr__model_has_factors(m) || q->measure == LR_MEASURE_DOT)
        return lr__model_score_users(m, u0, n, out);
    const int32_t k = m->k;
    const float *x = m->user_f + (size_t)u0 * (size_t)k;
    lr__panels_scores(m->artist_panels, NULL, q->na, k, x, (size_t)k, n, out, (size_t)q->na);
    for (int32_t i = 0; i < n; i++)
        lr__query_cosines(q, x + (size_t)i * (size_t)k, out + (size_t)i * (size_t)q->na);
    /* blend: the cosines are its factor part */
    return m->algo == LR_ALGO_BLEND ? lr__blend_rows(m, u0, n, out) : LR_OK;
}

static int worker(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    batch *b = ctx;
    const lr_query *q = b->q;
    const lr_model *m = q->m;
    const int32_t k = q->k;
    const unsigned char *allow = q->filter_mode == LR_FILTER_NONE && !q->tag ? NULL : q->allow;
    float *buf = lr__malloc((size_t)b->block * (size_t)q->na, sizeof *buf);
    float *tmp = lr__malloc((size_t)k, sizeof *tmp);
    if (!buf || !tmp) {
        free(buf);
        free(tmp);
        return lr__fail_oom("the batch's score block");
    }
    int rc = LR_OK;
    for (size_t blk = begin; blk < end && rc == LR_OK; blk++) {
        const int32_t u0 = (int32_t)blk * b->block;
        const int32_t n = m->n_users - u0 < b->block ? m->n_users - u0 : b->block;
        rc = score_block(q, u0, n, buf);
        for (int32_t i = 0; i < n && rc == LR_OK; i++) {
            const int32_t u = u0 + i;
            const int32_t *skip;
            int64_t n_skip = lr__csr_row(&m->train, u, &skip, NULL);
            int32_t *oi = b->idx + (size_t)u * (size_t)k;
            float *os = b->score ? b->score + (size_t)u * (size_t)k : tmp;
            int32_t got = lr__topk(k, buf + (size_t)i * (size_t)q->na, q->na, skip,
                                   q->exclude ? n_skip : 0, allow, os, oi);
            for (int32_t j = got; j < k; j++) {
                oi[j] = -1;
                os[j] = NAN;
            }
        }
        if (rc == LR_OK)
            rc = block_done(b, n);
    }
    free(buf);
    free(tmp);
    return rc;
}

int lr__query_all(const lr_query *q, int threads, int32_t *idx, float *score,
                  const lr__progress *progress)
{
    const lr_model *m = q->m;
    size_t rows = BLOCK_BYTES / ((size_t)(q->na > 0 ? q->na : 1) * sizeof(float));
    int32_t block = rows < 1 ? 1 : rows > BLOCK_USERS ? BLOCK_USERS : (int32_t)rows;
    batch b = {.q = q,
               .block = block,
               .n_blocks = (m->n_users + block - 1) / block,
               .idx = idx,
               .score = score,
               .progress = progress,
               .reporting = ATOMIC_FLAG_INIT};
    atomic_init(&b.done, 0);
    atomic_init(&b.cancelled, 0);
    int rc = lr__progress_report(progress, STAGE, 0, (uint64_t)m->n_users);
    if (rc == LR_OK)
        rc = lr__parallel_for(threads, (size_t)b.n_blocks, worker, &b);
    return rc;
}
