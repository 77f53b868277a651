/* Factor scores in a fixed summation order (see panels.h).
 * SPDX-License-Identifier: MIT
 *
 * The kernel is written once, as a tile of users by groups of artists
 * accumulated in vector registers, and compiled three times: for AVX-512
 * (x86-64-v4: 16-lane vectors, 4 users x 4 groups), for AVX2 with FMA
 * (x86-64-v3: 8 lanes, 4 x 2) and for the x86-64 baseline (SSE: 4 lanes,
 * 2 x 4); a call takes the widest the CPU runs.
 * Each tile fits its target's register file: a tile that does not (16
 * accumulators of 16 lanes on AVX2) spills to the stack and runs thirty
 * times slower.  The shapes change the speed only.
 *
 * The two FMA targets contract each term into one fused multiply-add, the
 * baseline rounds the product and the sum apart; so a score has the same
 * bits on every CPU of x86-64-v3 or later, and on every older one, and
 * on one machine always the same bits (lib/core/hot.h's other kernels do
 * not contract at all; this one is where the time of every batch goes,
 * and fused terms run a fifth faster and round less).
 */
#include "model/panels.h"
#include "core/alloc.h"
#include "core/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lr__panels_build(const float *v, int32_t na, int32_t k, float **out)
{
    const size_t np = ((size_t)na + LR__PANEL - 1) / LR__PANEL;
    const size_t ps = (size_t)k * LR__PANEL;
    /* calloc: the lanes past the last artist stay 0 */
    float *p = lr__calloc(np * ps, sizeof *p);
    if (!p)
        return lr__fail_oom("the artist factors' scoring panels");
    for (size_t a = 0; a < (size_t)na; a++) {
        float *dst = p + (a / LR__PANEL) * ps + a % LR__PANEL;
        const float *src = v + a * (size_t)k;
        for (int32_t f = 0; f < k; f++)
            dst[(size_t)f * LR__PANEL] = src[f];
    }
    *out = p;
    return LR_OK;
}

float lr__norm(const float *x, int32_t k)
{
    double s = 0;
    for (int32_t f = 0; f < k; f++)
        s += (double)x[f] * x[f];
    return (float)sqrt(s);
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define LR__PANELS_TARGETS 1
#endif

/* Contraction of acc + x * v into one fused multiply-add where the target
 * has one: the same choice for every tile of a target. */
#if defined(__GNUC__) && !defined(__clang__)
#define CONTRACT __attribute__((optimize("fp-contract=fast")))
#else
#define CONTRACT
#endif
#define INLINE static inline __attribute__((always_inline)) CONTRACT

typedef float v16 __attribute__((vector_size(16 * sizeof(float))));
typedef float v8 __attribute__((vector_size(8 * sizeof(float))));
typedef float v4 __attribute__((vector_size(4 * sizeof(float))));

/* Users a tile may hold, and artist groups. */
#define MAX_R 4
#define MAX_C 8

/* A tile: scores of r users (x, ldx apart) x c groups of W artists from
 * artist a0 on (a0 a multiple of W; W divides LR__PANEL), into out (ldo
 * apart).  r and c are constants where this is inlined, so the
 * accumulators live in registers.  Artists past na (the padding of the
 * last panel) are computed but not stored. */
#define DEFINE_TILE(NAME, VT, W)                                                               \
    INLINE void NAME(const float *restrict panels, size_t ps, const float *restrict bias,      \
                     int32_t a0, int32_t na, int32_t k, const float *restrict x, size_t ldx,    \
                     int r, int c, float *restrict out, size_t ldo)                            \
    {                                                                                          \
        VT acc[MAX_R][MAX_C];                                                                  \
        const float *col[MAX_C];                                                               \
        _Pragma("GCC unroll 8") for (int j = 0; j < c; j++)                                    \
        {                                                                                      \
            const int32_t a = a0 + j * (W);                                                    \
            col[j] = panels + (size_t)(a / LR__PANEL) * ps + (size_t)(a % LR__PANEL);          \
            _Pragma("GCC unroll 8") for (int i = 0; i < r; i++) acc[i][j] = (VT){0};           \
        }                                                                                      \
        for (int32_t f = 0; f < k; f++) {                                                      \
            VT v[MAX_C];                                                                       \
            _Pragma("GCC unroll 8") for (int j = 0; j < c; j++)                                \
                memcpy(&v[j], col[j] + (size_t)f * LR__PANEL, sizeof v[j]);                    \
            _Pragma("GCC unroll 8") for (int i = 0; i < r; i++)                                \
            {                                                                                  \
                const float xf = x[(size_t)i * ldx + (size_t)f];                               \
                _Pragma("GCC unroll 8") for (int j = 0; j < c; j++) acc[i][j] += xf * v[j];    \
            }                                                                                  \
        }                                                                                      \
        _Pragma("GCC unroll 8") for (int j = 0; j < c; j++)                                    \
        {                                                                                      \
            const int32_t a = a0 + j * (W);                                                    \
            if (a >= na)                                                                       \
                break;                                                                         \
            const int32_t w = na - a < (W) ? na - a : (W);                                     \
            VT b = {0};                                                                        \
            if (bias)                                                                          \
                memcpy(&b, bias + a, (size_t)w * sizeof(float));                               \
            _Pragma("GCC unroll 8") for (int i = 0; i < r; i++)                                \
            {                                                                                  \
                VT s = acc[i][j];                                                              \
                if (bias)                                                                      \
                    s += b;                                                                    \
                memcpy(out + (size_t)i * ldo + (size_t)a, &s, (size_t)w * sizeof(float));      \
            }                                                                                  \
        }                                                                                      \
    }

/* The loops around a tile.  Artists go CHUNK panels at a time (256 KB at
 * k = 64), which stay in the second-level cache while every user of the
 * block is scored against them, R users by C groups at a time, so that a
 * user's scores are written a few kilobytes in a row; the users left over
 * (all of them for a single query) go along the catalogue RC groups at a
 * time. */
#define CHUNK 64
#define DEFINE_BODY(NAME, TILE, W, R, C, RC)                                                   \
    INLINE void NAME(const float *panels, const float *bias, int32_t na, int32_t k,             \
                     const float *x, size_t ldx, int32_t n, float *out, size_t ldo)             \
    {                                                                                          \
        const size_t ps = (size_t)k * LR__PANEL;                                               \
        const int32_t ng = (int32_t)(((size_t)na + LR__PANEL - 1) / LR__PANEL) *               \
                           (LR__PANEL / (W));                                                  \
        const int32_t chunk = CHUNK * (LR__PANEL / (W));                                       \
        const int32_t full = n - n % (R);                                                      \
        for (int32_t g0 = 0; full > 0 && g0 < ng; g0 += chunk) {                               \
            const int32_t g1 = ng - g0 < chunk ? ng : g0 + chunk;                              \
            for (int32_t i = 0; i < full; i += (R)) {                                          \
                int32_t g = g0;                                                                \
                for (; g + (C) <= g1; g += (C))                                                \
                    TILE(panels, ps, bias, g * (W), na, k, x + (size_t)i * ldx, ldx, (R), (C), \
                         out + (size_t)i * ldo, ldo);                                          \
                for (; g < g1; g++)                                                            \
                    TILE(panels, ps, bias, g * (W), na, k, x + (size_t)i * ldx, ldx, (R), 1,   \
                         out + (size_t)i * ldo, ldo);                                          \
            }                                                                                  \
        }                                                                                      \
        for (int32_t i = full; i < n; i++) {                                                   \
            int32_t g = 0;                                                                     \
            for (; g + (RC) <= ng; g += (RC))                                                  \
                TILE(panels, ps, bias, g * (W), na, k, x + (size_t)i * ldx, ldx, 1, (RC),      \
                     out + (size_t)i * ldo, ldo);                                              \
            for (; g < ng; g++)                                                                \
                TILE(panels, ps, bias, g * (W), na, k, x + (size_t)i * ldx, ldx, 1, 1,         \
                     out + (size_t)i * ldo, ldo);                                              \
        }                                                                                      \
    }

/* clang builds the baseline alone (LR__PANELS_TARGETS). */
#ifdef LR__PANELS_TARGETS
DEFINE_TILE(tile16, v16, 16)
DEFINE_TILE(tile8, v8, 8)
DEFINE_BODY(body_wide, tile16, 16, 4, 4, 8)
DEFINE_BODY(body_avx2, tile8, 8, 4, 2, 8)
#endif
DEFINE_TILE(tile4, v4, 4)
DEFINE_BODY(body_base, tile4, 4, 2, 4, 8)

#define ARGS                                                                                   \
    const float *panels, const float *bias, int32_t na, int32_t k, const float *x, size_t ldx, \
        int32_t n, float *out, size_t ldo
#define PASS panels, bias, na, k, x, ldx, n, out, ldo

#ifdef LR__PANELS_TARGETS
__attribute__((target("arch=x86-64-v4"))) CONTRACT static void scores_v4(ARGS)
{
    body_wide(PASS);
}
__attribute__((target("arch=x86-64-v3"))) CONTRACT static void scores_v3(ARGS)
{
    body_avx2(PASS);
}
#endif
CONTRACT static void scores_base(ARGS) { body_base(PASS); }

void lr__panels_scores(ARGS)
{
#ifdef LR__PANELS_TARGETS
    if (__builtin_cpu_supports("x86-64-v4")) {
        scores_v4(PASS);
        return;
    }
    if (__builtin_cpu_supports("x86-64-v3")) {
        scores_v3(PASS);
        return;
    }
#endif
    scores_base(PASS);
}
