/* Dense kernels for the per-pair inner loops of mf and bpr.
 * SPDX-License-Identifier: MIT
 *
 * A BLAS call per (user, artist) pair costs more than the arithmetic on a
 * 35- or 64-long row, so these loops are written out, with GCC/Clang vector
 * types: -O2 without -march vectorises neither loops of unknown trip count
 * nor float reductions.  Rows run in blocks of 16 lanes, then blocks of 4,
 * then single elements.  A 16-lane vector is one AVX-512, two AVX or four
 * SSE instructions, so a function marked LR__HOT (lib/core/hot.h: compiled
 * for each of those and picked at load time) gets the widest the machine has.
 *
 * Sums are taken in lanes whose layout and final combination are written
 * here, so a result does not depend on the instruction set, the compiler
 * or the clone that runs: the same seed gives the same model everywhere.
 * (This relies on no contraction into fused multiply-adds, which is GCC's
 * rule for -std=c11; a build with -ffp-contract=fast would let the AVX2
 * and AVX-512 clones round differently from the baseline.)  Vectors never
 * cross a function boundary by value: wider-than-SSE vectors would change
 * the calling convention between clones.
 */
#ifndef LR_MODEL_KERNELS_H
#define LR_MODEL_KERNELS_H

#include "core/hot.h"

#include <stdint.h>
#include <string.h>

/* The kernels are inlined whatever the inliner's size budget says, so that
 * each clone of a LR__HOT caller gets them compiled for its own target. */
#if defined(__GNUC__)
#define LR__KINLINE static inline __attribute__((always_inline))
#else
#define LR__KINLINE static inline
#endif

#if defined(__GNUC__)
#define LR__KVEC 1
typedef float lr__k16 __attribute__((vector_size(64)));
typedef float lr__k4 __attribute__((vector_size(16)));
#endif

/* a . b over k floats: 16 lanes over the 16-blocks, folded onto 4 lanes
 * that continue over the 4-blocks, then combined as (0+2)+(1+3), then the
 * tail. */
LR__KINLINE float lr__kdot(const float *restrict a, const float *restrict b, int32_t k)
{
    int32_t f = 0;
    float r;
#ifdef LR__KVEC
    lr__k16 s = {0};
    lr__k4 t = {0};
    for (; f + 16 <= k; f += 16) {
        lr__k16 x, y;
        memcpy(&x, a + f, sizeof x);
        memcpy(&y, b + f, sizeof y);
        s += x * y;
    }
    for (int l = 0; l < 4; l++)
        t[l] = (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
    for (; f + 4 <= k; f += 4) {
        lr__k4 x, y;
        memcpy(&x, a + f, sizeof x);
        memcpy(&y, b + f, sizeof y);
        t += x * y;
    }
    r = (t[0] + t[2]) + (t[1] + t[3]);
#else
    float s[16] = {0}, t[4];
    for (; f + 16 <= k; f += 16)
        for (int l = 0; l < 16; l++)
            s[l] += a[f + l] * b[f + l];
    for (int l = 0; l < 4; l++)
        t[l] = (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
    for (; f + 4 <= k; f += 4)
        for (int l = 0; l < 4; l++)
            t[l] += a[f + l] * b[f + l];
    r = (t[0] + t[2]) + (t[1] + t[3]);
#endif
    for (; f < k; f++)
        r += a[f] * b[f];
    return r;
}

/* a . (b − c) over k floats (b − c rounded first), lanes as lr__kdot. */
LR__KINLINE float lr__kdot_diff(const float *restrict a, const float *restrict b,
                                  const float *restrict c, int32_t k)
{
    int32_t f = 0;
    float r;
#ifdef LR__KVEC
    lr__k16 s = {0};
    lr__k4 t = {0};
    for (; f + 16 <= k; f += 16) {
        lr__k16 x, y, z;
        memcpy(&x, a + f, sizeof x);
        memcpy(&y, b + f, sizeof y);
        memcpy(&z, c + f, sizeof z);
        s += x * (y - z);
    }
    for (int l = 0; l < 4; l++)
        t[l] = (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
    for (; f + 4 <= k; f += 4) {
        lr__k4 x, y, z;
        memcpy(&x, a + f, sizeof x);
        memcpy(&y, b + f, sizeof y);
        memcpy(&z, c + f, sizeof z);
        t += x * (y - z);
    }
    r = (t[0] + t[2]) + (t[1] + t[3]);
#else
    float s[16] = {0}, t[4];
    for (; f + 16 <= k; f += 16)
        for (int l = 0; l < 16; l++)
            s[l] += a[f + l] * (b[f + l] - c[f + l]);
    for (int l = 0; l < 4; l++)
        t[l] = (s[l] + s[l + 4]) + (s[l + 8] + s[l + 12]);
    for (; f + 4 <= k; f += 4)
        for (int l = 0; l < 4; l++)
            t[l] += a[f + l] * (b[f + l] - c[f + l]);
    r = (t[0] + t[2]) + (t[1] + t[3]);
#endif
    for (; f < k; f++)
        r += a[f] * (b[f] - c[f]);
    return r;
}

/* y += alpha x over k floats (element-wise: any vector width gives the same
 * result). */
LR__KINLINE void lr__kaxpy(float *restrict y, float alpha, const float *restrict x, int32_t k)
{
    int32_t f = 0;
#ifdef LR__KVEC
    for (; f + 16 <= k; f += 16) {
        lr__k16 u, v;
        memcpy(&u, y + f, sizeof u);
        memcpy(&v, x + f, sizeof v);
        u += alpha * v;
        memcpy(y + f, &u, sizeof u);
    }
    for (; f + 4 <= k; f += 4) {
        lr__k4 u, v;
        memcpy(&u, y + f, sizeof u);
        memcpy(&v, x + f, sizeof v);
        u += alpha * v;
        memcpy(y + f, &u, sizeof u);
    }
#endif
    for (; f < k; f++)
        y[f] += alpha * x[f];
}

/* y = alpha x over k floats. */
LR__KINLINE void lr__kscale(float *restrict y, float alpha, const float *restrict x, int32_t k)
{
    int32_t f = 0;
#ifdef LR__KVEC
    for (; f + 16 <= k; f += 16) {
        lr__k16 v;
        memcpy(&v, x + f, sizeof v);
        v *= alpha;
        memcpy(y + f, &v, sizeof v);
    }
    for (; f + 4 <= k; f += 4) {
        lr__k4 v;
        memcpy(&v, x + f, sizeof v);
        v *= alpha;
        memcpy(y + f, &v, sizeof v);
    }
#endif
    for (; f < k; f++)
        y[f] = alpha * x[f];
}

#endif
