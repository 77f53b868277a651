/* Top-k for every user at once: blocks of users scored by one matrix
 * product, each row reduced by the shared partial selection.
 * SPDX-License-Identifier: MIT
 *
 * Workers own contiguous ranges of blocks and write only their users' rows
 * of the output, so the result does not depend on the thread count. */
#include "query/query.h"
#include "query/topk.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "core/threads.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>

/* Users scored together.  Each sgemm repacks all the artist factors, so
 * fewer, taller blocks cost less: on the real catalogue 128 rows took 10%
 * less time than 64 and 25% less than 32 (9 MB of scores per block);
 * larger catalogues get fewer rows so scratch stays bounded. */
#define BLOCK_USERS 128
#define BLOCK_BYTES ((size_t)16 << 20)

typedef struct batch {
    const lr_query *q;
    int32_t block, n_blocks;
    int32_t *idx;
    float *score; /* may be NULL */
} batch;

/* Scores of users [u0, u0 + n) into out, as lr__query_user scores one. */
static int score_block(const lr_query *q, int32_t u0, int32_t n, float *out)
{
    const lr_model *m = q->m;
    if (!lr__model_has_factors(m) || q->measure == LR_MEASURE_DOT)
        return lr__model_score_users(m, u0, n, out);
    const int k = m->k;
    const size_t na = (size_t)q->na;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, q->na, k, 1.0f,
                m->user_f + (size_t)u0 * (size_t)k, k, m->artist_f, k, 0.0f, out, q->na);
    for (int32_t i = 0; i < n; i++) {
        const float xn = cblas_snrm2(k, m->user_f + (size_t)(u0 + i) * (size_t)k, 1);
        const float inv = xn > 0 ? 1.0f / xn : 0.0f;
        float *row = out + (size_t)i * na;
        for (size_t a = 0; a < na; a++)
            row[a] = q->norm[a] > 0 ? row[a] * inv / q->norm[a] : 0.0f;
    }
    /* blend: the cosines are its factor part */
    return m->algo == LR_ALGO_BLEND ? lr__blend_rows(m, u0, n, out) : LR_OK;
}

static int worker(void *ctx, int tid, size_t begin, size_t end)
{
    (void)tid;
    const batch *b = ctx;
    const lr_query *q = b->q;
    const lr_model *m = q->m;
    const int32_t k = q->k;
    const unsigned char *allow = q->filter_mode == LR_FILTER_NONE && !q->tag ? NULL : q->allow;
    float *buf = lr__malloc((size_t)b->block * (size_t)q->na, sizeof *buf);
    float *tmp = lr__malloc((size_t)k, sizeof *tmp);
    if (!buf || !tmp) {
        free(buf);
        free(tmp);
        return lr__fail_oom();
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
    }
    free(buf);
    free(tmp);
    return rc;
}

int lr__query_all(const lr_query *q, int threads, int32_t *idx, float *score)
{
    const lr_model *m = q->m;
    size_t rows = BLOCK_BYTES / ((size_t)(q->na > 0 ? q->na : 1) * sizeof(float));
    int32_t block = rows < 1 ? 1 : rows > BLOCK_USERS ? BLOCK_USERS : (int32_t)rows;
    batch b = {q, block, (m->n_users + block - 1) / block, idx, score};
    /* Each worker's sgemm would start OpenBLAS's own threads on the same
     * cores; lastrec never changes BLAS threading, so it says so. */
    if (threads > 1 && b.n_blocks > 1 && openblas_get_num_threads() > 1)
        lr__log(LR_LOG_WARNING,
                "recommend_all: %d lastrec threads and %d OpenBLAS threads share the cores; "
                "set OPENBLAS_NUM_THREADS=1 (or LR_OPT_THREADS=1)",
                threads, openblas_get_num_threads());
    return lr__parallel_for(threads, (size_t)b.n_blocks, worker, &b);
}
