/* Small dense float kernels for the per-row work of als and ease.
 * SPDX-License-Identifier: MIT
 *
 * These run inside lastrec's own worker threads, where calling BLAS would
 * either be slow (call overhead on k = 64) or nest OpenBLAS's threads in
 * ours (lastrec never changes BLAS threading).  The build has no -march flag and -O2 vectorises neither
 * loops of unknown trip count nor float reductions, so the bodies use
 * GCC/Clang vector types of 16 floats: four SSE, two AVX or one AVX-512
 * instruction, as the caller's target allows (LR__HOT, lib/core/hot.h).  Vectors never
 * cross a function boundary by value, which keeps the calling convention
 * the same on every target.
 *
 * The lane layout and the order of the final lane sums are fixed in the
 * source, so a result does not depend on which clone of a caller runs.
 */
#ifndef LR_MODEL_VEC_H
#define LR_MODEL_VEC_H

#include "core/hot.h"

#include <string.h>

typedef float lr__vf16 __attribute__((vector_size(64)));
typedef float lr__vf8 __attribute__((vector_size(32)));
typedef float lr__vf4 __attribute__((vector_size(16)));

static inline float lr__vdot(const float *a, const float *b, int n)
{
    lr__vf16 s = {0};
    lr__vf4 s4 = {0};
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        s += x * y;
    }
    for (; i + 4 <= n; i += 4) {
        lr__vf4 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        s4 += x * y;
    }
    float r = 0;
    for (; i < n; i++)
        r += a[i] * b[i];
    for (int l = 0; l < 4; l++)
        s4[l] += (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
    return r + ((s4[0] + s4[2]) + (s4[1] + s4[3]));
}

/* y += a * x */
static inline void lr__vaxpy(float a, const float *x, float *y, int n)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 xv, yv;
        memcpy(&xv, x + i, sizeof xv);
        memcpy(&yv, y + i, sizeof yv);
        yv += a * xv;
        memcpy(y + i, &yv, sizeof yv);
    }
    for (; i < n; i++)
        y[i] += a * x[i];
}

/* y += a0 x0 + a1 x1 + a2 x2 + a3 x3: four rank-1 updates of a row per
 * load and store of it. */
static inline void lr__vaxpy4(float a0, const float *x0, float a1, const float *x1, float a2,
                              const float *x2, float a3, const float *x3, float *y, int n)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 v0, v1, v2, v3, yv;
        memcpy(&v0, x0 + i, sizeof v0);
        memcpy(&v1, x1 + i, sizeof v1);
        memcpy(&v2, x2 + i, sizeof v2);
        memcpy(&v3, x3 + i, sizeof v3);
        memcpy(&yv, y + i, sizeof yv);
        yv += (a0 * v0 + a1 * v1) + (a2 * v2 + a3 * v3);
        memcpy(y + i, &yv, sizeof yv);
    }
    for (; i < n; i++)
        y[i] += (a0 * x0[i] + a1 * x1[i]) + (a2 * x2[i] + a3 * x3[i]);
}

/* y = x + b * y (the conjugate-gradient direction update) */
static inline void lr__vxpby(const float *x, float b, float *y, int n)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 xv, yv;
        memcpy(&xv, x + i, sizeof xv);
        memcpy(&yv, y + i, sizeof yv);
        yv = xv + b * yv;
        memcpy(y + i, &yv, sizeof yv);
    }
    for (; i < n; i++)
        y[i] = x[i] + b * y[i];
}

/* y = s * d * x elementwise */
static inline void lr__vmul(float s, const float *d, const float *x, float *y, int n)
{
    int i = 0;
    for (; i + 16 <= n; i += 16) {
        lr__vf16 dv, xv;
        memcpy(&dv, d + i, sizeof dv);
        memcpy(&xv, x + i, sizeof xv);
        xv = s * (dv * xv);
        memcpy(y + i, &xv, sizeof xv);
    }
    for (; i < n; i++)
        y[i] = s * (d[i] * x[i]);
}

/* The same two kernels in double, for the k x k eigendecomposition. */
typedef double lr__vd8 __attribute__((vector_size(64)));

static inline double lr__vddot(const double *a, const double *b, int n)
{
    lr__vd8 s = {0};
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        lr__vd8 x, y;
        memcpy(&x, a + i, sizeof x);
        memcpy(&y, b + i, sizeof y);
        s += x * y;
    }
    double r = 0;
    for (; i < n; i++)
        r += a[i] * b[i];
    return r + (((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7])));
}

/* y += a * x */
static inline void lr__vdaxpy(double a, const double *x, double *y, int n)
{
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        lr__vd8 xv, yv;
        memcpy(&xv, x + i, sizeof xv);
        memcpy(&yv, y + i, sizeof yv);
        yv += a * xv;
        memcpy(y + i, &yv, sizeof yv);
    }
    for (; i < n; i++)
        y[i] += a * x[i];
}

#endif
