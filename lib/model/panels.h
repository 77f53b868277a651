/* The product every factor score goes through, in one fixed order.
 * SPDX-License-Identifier: MIT
 *
 * A score x·V_a (+ b_a) is summed over f = 0, 1, …, k−1 in that order,
 * one rounded multiply and one rounded add per term, then the bias added:
 * whether a user is scored alone, in a block of any size starting
 * anywhere, on any thread, by any clone of the kernel (lib/core/hot.h),
 * every element goes through the same operations, so the same bits come
 * out.  cblas_sgemm could not promise that: OpenBLAS picks its kernel and
 * its blocking by the matrix shape and the core type, so a user's dot
 * products were summed in other orders in other batches (and on other
 * CPUs).
 *
 * The order makes the kernel vectorise over artists, not factors, so the
 * artist factors are kept a second time, packed in panels of
 * LR__PANEL artists: panel p holds rows f = 0..k−1 of LR__PANEL floats,
 * the factor f of artists p·LR__PANEL + 0..LR__PANEL−1 (zeros past the
 * last artist).  One row of a panel is one vector; no sum ever crosses
 * lanes.
 */
#ifndef LR_MODEL_PANELS_H
#define LR_MODEL_PANELS_H

#include <stddef.h>
#include <stdint.h>

#define LR__PANEL 16

/* The panels of the row-major artist factors v[na x k] into *out, owned
 * by the caller (free()).  LR_OK or LR_E_NOMEM. */
int lr__panels_build(const float *v, int32_t na, int32_t k, float **out);

/* out[i * ldo + a] = x_i · V_a + bias[a] for users i < n and artists a <
 * na, x_i = x + i * ldx (k floats), the sum in the order above; bias may
 * be NULL (no add at all).  panels from lr__panels_build of the same
 * factors.  Thread-safe; writes only out. */
void lr__panels_scores(const float *panels, const float *bias, int32_t na, int32_t k,
                       const float *x, size_t ldx, int32_t n, float *out, size_t ldo);

/* |x| over k floats, summed in double in order: the same bits wherever it
 * runs (cblas_snrm2's kernel, like sgemm's, depends on the CPU). */
float lr__norm(const float *x, int32_t k);

#endif
