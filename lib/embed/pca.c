/* Principal components by the eigenvectors of the covariance.
 * SPDX-License-Identifier: MIT
 *
 * Artist vectors are tall and thin (17,632 x 64 on the dev split), so the
 * d x d covariance is cheap to form and to decompose, and working on it
 * rather than on an SVD of the n x d data keeps memory at d^2 plus one
 * block of rows.  Everything is in double: the rows are float32 but sums
 * over 17,632 of them would lose the small components' variance in float.
 * The covariance is accumulated by dsyrk over blocks of centred rows (so a
 * 4,096-factor model needs no n x d double copy) and decomposed by dsyevr,
 * which computes only the c eigenvectors asked for.
 */
#include "embed/pca.h"
#include "core/alloc.h"
#include "core/error.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>

/* Rows centred per block: 1,024 x 64 doubles is 512 KiB, enough for dsyrk
 * and dgemm to run at full speed. */
#define PCA_BLOCK 1024

/* Rows [r0, r0 + nb) of x, centred, into blk (nb x d, row-major). */
static void centre_block(const float *x, int32_t r0, int32_t nb, int32_t d, const double *mean,
                         double *blk)
{
    for (int32_t i = 0; i < nb; i++) {
        const float *row = x + (size_t)(r0 + i) * (size_t)d;
        double *out = blk + (size_t)i * (size_t)d;
        for (int32_t j = 0; j < d; j++)
            out[j] = (double)row[j] - mean[j];
    }
}

int lr__pca(const float *x, int32_t n, int32_t d, int32_t c, double *coords, double *var,
            double *total)
{
    if (!x || !coords)
        return lr__fail(LR_E_INVALID, "pca: NULL argument");
    if (n < 2)
        return lr__fail(LR_E_INVALID, "pca: %d vectors; at least 2 are needed", (int)n);
    if (d < 1 || c < 1 || c > d)
        return lr__fail(LR_E_INVALID,
                        "pca: %d components of %d-dimensional vectors; between 1 and %d can be "
                        "asked for",
                        (int)c, (int)d, (int)d);
    /* LAPACK's integers are 32-bit here; d x d must fit its leading
     * dimensions and workspace sizes. */
    size_t dd;
    if (lr__mul_overflows((size_t)d, (size_t)d, &dd) || dd > (size_t)INT32_MAX)
        return lr__fail(LR_E_INVALID, "pca: %d dimensions are too many", (int)d);
    const size_t nd = (size_t)n * (size_t)d;
    for (size_t i = 0; i < nd; i++)
        if (!isfinite(x[i]))
            return lr__fail(LR_E_INVALID, "pca: vector %zu, component %zu is not finite (%g)",
                            i / (size_t)d, i % (size_t)d, (double)x[i]);

    const int32_t bs = n < PCA_BLOCK ? n : PCA_BLOCK;
    double *mean = lr__calloc((size_t)d, sizeof *mean);
    double *cov = lr__calloc(dd, sizeof *cov);
    double *blk = lr__malloc((size_t)bs * (size_t)d, sizeof *blk);
    double *w = lr__malloc((size_t)d, sizeof *w);
    double *z = lr__malloc((size_t)d * (size_t)c, sizeof *z);
    lapack_int *isuppz = lr__malloc(2 * (size_t)c, sizeof *isuppz);
    double *work = NULL;
    lapack_int *iwork = NULL;
    int rc = LR_OK;
    if (!mean || !cov || !blk || !w || !z || !isuppz) {
        rc = lr__fail_oom("PCA's covariance matrix");
        goto out;
    }

    /* The mean in row order, so the same rows give the same bits. */
    for (int32_t i = 0; i < n; i++) {
        const float *row = x + (size_t)i * (size_t)d;
        for (int32_t j = 0; j < d; j++)
            mean[j] += row[j];
    }
    for (int32_t j = 0; j < d; j++)
        mean[j] /= n;

    /* Upper triangle of the column-major covariance: a row-major block B
     * (nb x d) is, read column-major, the d x nb matrix A = B', and
     * B'B = A A' is dsyrk without transposition. */
    for (int32_t r0 = 0; r0 < n; r0 += bs) {
        const int32_t nb = n - r0 < bs ? n - r0 : bs;
        centre_block(x, r0, nb, d, mean, blk);
        cblas_dsyrk(CblasColMajor, CblasUpper, CblasNoTrans, d, nb, 1.0, blk, d, 1.0, cov, d);
    }
    double trace = 0;
    for (size_t i = 0; i < dd; i++)
        cov[i] /= (double)(n - 1);
    for (int32_t j = 0; j < d; j++)
        trace += cov[(size_t)j * (size_t)d + (size_t)j];

    /* The c largest eigenpairs: indices d - c + 1 .. d of the ascending
     * order dsyevr uses.  A workspace query first, as the _work form
     * wants (and it skips LAPACKE's NaN scan, done above on the input). */
    lapack_int found = 0, info;
    double wq;
    lapack_int iwq;
    info = LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'I', 'U', d, cov, d, 0.0, 0.0, d - c + 1, d,
                               0.0, &found, w, z, d, isuppz, &wq, -1, &iwq, -1);
    if (info == 0) {
        lapack_int lwork = (lapack_int)wq, liwork = iwq;
        work = lr__malloc((size_t)lwork, sizeof *work);
        iwork = lr__malloc((size_t)liwork, sizeof *iwork);
        if (!work || !iwork) {
            rc = lr__fail_oom("LAPACK's work space");
            goto out;
        }
        info = LAPACKE_dsyevr_work(LAPACK_COL_MAJOR, 'V', 'I', 'U', d, cov, d, 0.0, 0.0,
                                   d - c + 1, d, 0.0, &found, w, z, d, isuppz, work, lwork, iwork,
                                   liwork);
    }
    if (info != 0 || found != c) {
        rc = lr__fail(LR_E_NUMERIC,
                      "pca: the eigendecomposition of the %d x %d covariance failed (LAPACK "
                      "info %d, %d of %d eigenvectors)",
                      (int)d, (int)d, (int)info, (int)found, (int)c);
        goto out;
    }

    /* Largest first, each with its largest loading positive: LAPACK may
     * return either sign of an eigenvector, and the maps built on it should
     * not flip between builds.  The reordered, signed vectors go to the
     * front of cov (no longer needed), column j at cov + j d. */
    double *v = cov;
    for (int32_t j = 0; j < c; j++) {
        const double *src = z + (size_t)(c - 1 - j) * (size_t)d;
        int32_t big = 0;
        for (int32_t i = 1; i < d; i++)
            if (fabs(src[i]) > fabs(src[big]))
                big = i;
        const double s = src[big] < 0 ? -1.0 : 1.0;
        for (int32_t i = 0; i < d; i++)
            v[(size_t)j * (size_t)d + (size_t)i] = s * src[i];
        if (var)
            var[j] = w[c - 1 - j] > 0 ? w[c - 1 - j] : 0.0; /* rounding can make a null one < 0 */
    }
    if (total)
        *total = trace;

    /* coords = centred x times V, block by block. */
    for (int32_t r0 = 0; r0 < n; r0 += bs) {
        const int32_t nb = n - r0 < bs ? n - r0 : bs;
        centre_block(x, r0, nb, d, mean, blk);
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, nb, c, d, 1.0, blk, d, v, d, 0.0,
                    coords + (size_t)r0 * (size_t)c, c);
    }

out:
    free(mean);
    free(cov);
    free(blk);
    free(w);
    free(z);
    free(isuppz);
    free(work);
    free(iwork);
    return rc;
}
