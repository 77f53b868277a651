/* FFT-accelerated repulsion (see fftrep.h).  SPDX-License-Identifier: MIT */
#include "embed/fftrep.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/hot.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Lagrange nodes per box and axis (FIt-SNE's p). */
#define P 3
/* The smallest grid: finer costs nothing worth saving and helps a
 * small map's accuracy. */
#define MIN_L 64
/* Columns an FFT pass takes at a time: 32 columns of a 1024-row grid
 * (re and im) are 512 KB, within the L2 cache. */
#define BLOCK 32

void lr__fftrep_free(lr__fftrep *f)
{
    free(f->node);
    free(f->wx);
    free(f->wy);
    free(f->q);
    for (int g = 0; g < 2; g++) {
        free(f->gr[g]);
        free(f->gi[g]);
    }
    free(f->kr);
    free(f->ki);
    free(f->twr);
    free(f->twi);
    free(f->rev);
    *f = (lr__fftrep){0};
}

static int set_grid(lr__fftrep *f, int32_t L)
{
    for (int g = 0; g < 2; g++) {
        free(f->gr[g]);
        free(f->gi[g]);
        f->gr[g] = f->gi[g] = NULL;
    }
    free(f->kr);
    free(f->ki);
    free(f->twr);
    free(f->twi);
    free(f->rev);
    f->kr = f->ki = f->twr = f->twi = NULL;
    f->rev = NULL;
    f->L = 0;
    const size_t cells = (size_t)L * (size_t)L;
    int ok = 1;
    for (int g = 0; g < 2; g++) {
        f->gr[g] = lr__aligned(64, cells, sizeof(double));
        f->gi[g] = lr__aligned(64, cells, sizeof(double));
        ok = ok && f->gr[g] && f->gi[g];
    }
    f->kr = lr__aligned(64, cells, sizeof(double));
    f->ki = lr__aligned(64, cells, sizeof(double));
    f->twr = lr__malloc((size_t)L / 2, sizeof(double));
    f->twi = lr__malloc((size_t)L / 2, sizeof(double));
    f->rev = lr__malloc((size_t)L, sizeof(int32_t));
    if (!ok || !f->kr || !f->ki || !f->twr || !f->twi || !f->rev)
        return lr__fail_oom("the FFT grid of t-SNE's repulsion");
    int bits = 0;
    while ((1 << bits) < L)
        bits++;
    for (int32_t r = 0; r < L; r++) {
        int32_t s = 0;
        for (int b = 0; b < bits; b++)
            s |= ((r >> b) & 1) << (bits - 1 - b);
        f->rev[r] = s;
    }
    const double pi = 3.14159265358979323846;
    for (int32_t k = 0; k < L / 2; k++) {
        f->twr[k] = cos(2.0 * pi * k / L);
        f->twi[k] = -sin(2.0 * pi * k / L);
    }
    f->L = L;
    return LR_OK;
}

/* Radix-2 FFTs of length L along axis 0 (down the rows) of the L x L
 * grid (re, im), for the columns [c0, c1); inverse (unnormalised) when
 * inv.  A butterfly combines two whole row segments, so the inner loop
 * runs along contiguous columns and vectorises. */
LR__HOT static void fft_axis0(double *restrict re, double *restrict im, int32_t L, int32_t c0,
                              int32_t c1, const double *twr, const double *twi,
                              const int32_t *rev, int inv)
{
    const double sg = inv ? -1.0 : 1.0;
    for (int32_t b0 = c0; b0 < c1; b0 += BLOCK) {
        const int32_t w = c1 - b0 < BLOCK ? c1 - b0 : BLOCK;
        for (int32_t r = 0; r < L; r++) {
            const int32_t s = rev[r];
            if (s <= r)
                continue;
            double *ar = re + (size_t)r * L + b0, *ai = im + (size_t)r * L + b0;
            double *br = re + (size_t)s * L + b0, *bi = im + (size_t)s * L + b0;
            for (int32_t c = 0; c < w; c++) {
                const double tr = ar[c], ti = ai[c];
                ar[c] = br[c];
                ai[c] = bi[c];
                br[c] = tr;
                bi[c] = ti;
            }
        }
        for (int32_t len = 2; len <= L; len <<= 1) {
            const int32_t half = len / 2, step = L / len;
            for (int32_t s = 0; s < L; s += len)
                for (int32_t k = 0; k < half; k++) {
                    const double wr = twr[k * step], wi = sg * twi[k * step];
                    double *restrict ar = re + (size_t)(s + k) * L + b0;
                    double *restrict ai = im + (size_t)(s + k) * L + b0;
                    double *restrict br = re + (size_t)(s + k + half) * L + b0;
                    double *restrict bi = im + (size_t)(s + k + half) * L + b0;
                    for (int32_t c = 0; c < w; c++) {
                        const double tr = wr * br[c] - wi * bi[c];
                        const double ti = wr * bi[c] + wi * br[c];
                        br[c] = ar[c] - tr;
                        bi[c] = ai[c] - ti;
                        ar[c] = ar[c] + tr;
                        ai[c] = ai[c] + ti;
                    }
                }
        }
    }
}

/* In-place transpose of an L x L grid, in 32 x 32 tiles. */
static void transpose(double *a, int32_t L)
{
    for (int32_t i0 = 0; i0 < L; i0 += 32)
        for (int32_t j0 = i0; j0 < L; j0 += 32) {
            const int32_t i1 = i0 + 32 < L ? i0 + 32 : L, j1 = j0 + 32 < L ? j0 + 32 : L;
            for (int32_t i = i0; i < i1; i++)
                for (int32_t j = (j0 == i0 ? i + 1 : j0); j < j1; j++) {
                    const double t = a[(size_t)i * L + j];
                    a[(size_t)i * L + j] = a[(size_t)j * L + i];
                    a[(size_t)j * L + i] = t;
                }
        }
}

/* The 2-D transform of a grid whose nonzeros lie in its first m columns
 * (and rows), left transposed: out[ky][kx]. */
static void forward(const lr__fftrep *f, double *re, double *im, int32_t m)
{
    fft_axis0(re, im, f->L, 0, m, f->twr, f->twi, f->rev, 0);
    transpose(re, f->L);
    transpose(im, f->L);
    fft_axis0(re, im, f->L, 0, f->L, f->twr, f->twi, f->rev, 0);
}

/* The inverse of forward (unnormalised), back in the grid's layout; only
 * the first m columns (and rows) are right, the rest is not needed. */
static void inverse(const lr__fftrep *f, double *re, double *im, int32_t m)
{
    fft_axis0(re, im, f->L, 0, f->L, f->twr, f->twi, f->rev, 1);
    transpose(re, f->L);
    transpose(im, f->L);
    fft_axis0(re, im, f->L, 0, m, f->twr, f->twi, f->rev, 1);
}

/* Lagrange weights of the three nodes (1/6, 1/2, 5/6 of the box) at t in
 * [0, 1]. */
static void lagrange(double t, double *w)
{
    const double a = t - 1.0 / 6.0, b = t - 0.5, c = t - 5.0 / 6.0;
    w[0] = 4.5 * b * c;
    w[1] = -9.0 * a * c;
    w[2] = 4.5 * a * b;
}

int lr__fftrep_prepare(lr__fftrep *f, const double *y, int32_t n, int32_t max_l)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (int32_t i = 0; i < n; i++) {
        const double a = y[2 * (size_t)i], b = y[2 * (size_t)i + 1];
        x0 = a < x0 ? a : x0;
        x1 = a > x1 ? a : x1;
        y0 = b < y0 ? b : y0;
        y1 = b > y1 ? b : y1;
    }
    const double span = fmax(x1 - x0, y1 - y0);
    /* A hair wider, so the largest coordinates fall inside; a map whose
     * points all coincide gets a small square, over which the kernel is
     * flat. */
    const double side = span > 0.0 ? span * (1.0 + 1e-9) : 1e-9;
    const double need = ceil(side / LR__FFTREP_BOX);
    int32_t L = MIN_L;
    if (max_l > LR__FFTREP_MAX_L)
        max_l = LR__FFTREP_MAX_L;
    while (L <= max_l && 2.0 * P * need - 1.0 > (double)L)
        L *= 2;
    if (L > max_l)
        return 1;
    if (f->n != n) {
        free(f->node);
        free(f->wx);
        free(f->wy);
        free(f->q);
        f->n = 0;
        f->node = lr__malloc((size_t)n, sizeof *f->node);
        f->wx = lr__malloc(3 * (size_t)n, sizeof *f->wx);
        f->wy = lr__malloc(3 * (size_t)n, sizeof *f->wy);
        f->q = lr__malloc(2 * (size_t)n, sizeof *f->q);
        if (!f->node || !f->wx || !f->wy || !f->q)
            return lr__fail_oom("the interpolation weights of t-SNE's repulsion");
        f->n = n;
    }
    if (f->L != L) {
        int rc = set_grid(f, L);
        if (rc != LR_OK)
            return rc;
    }
    /* As many boxes as the grid holds without wrapping: 2m - 1 <= L. */
    /* As many boxes as the grid holds without wrapping: 2m - 1 <= L. */
    const int32_t nb = (L + 1) / (2 * P);
    f->nb = nb;
    const double h = side / nb;
    f->delta = h / P;
    f->cx = 0.5 * (x0 + x1);
    f->cy = 0.5 * (y0 + y1);
    const double lx = f->cx - 0.5 * side, ly = f->cy - 0.5 * side;
    for (int32_t i = 0; i < n; i++) {
        const double px = y[2 * (size_t)i], py = y[2 * (size_t)i + 1];
        const double u = (px - lx) / h, v = (py - ly) / h;
        int32_t bx = (int32_t)floor(u), by = (int32_t)floor(v);
        bx = bx < 0 ? 0 : bx >= nb ? nb - 1 : bx;
        by = by < 0 ? 0 : by >= nb ? nb - 1 : by;
        lagrange(u - bx, f->wx + 3 * (size_t)i);
        lagrange(v - by, f->wy + 3 * (size_t)i);
        f->node[i] = P * bx * L + P * by;
        f->q[2 * (size_t)i] = px - f->cx;
        f->q[2 * (size_t)i + 1] = py - f->cy;
    }
    return LR_OK;
}

void lr__fftrep_forward(lr__fftrep *f, int task)
{
    const int32_t L = f->L, m = P * f->nb;
    const size_t cells = (size_t)L * (size_t)L;
    if (task == 0) {
        /* The kernel between nodes, even in both offsets so that its
         * transform is real; offsets beyond m - 1 are never used. */
        const double d2 = f->delta * f->delta;
        for (int32_t a = 0; a < L; a++) {
            const double da = (double)(a < L - a ? a : L - a);
            for (int32_t b = 0; b < L; b++) {
                const double db = (double)(b < L - b ? b : L - b);
                const double k = 1.0 / (1.0 + d2 * (da * da + db * db));
                f->kr[(size_t)a * L + b] = k * k;
                f->ki[(size_t)a * L + b] = 0.0;
            }
        }
        forward(f, f->kr, f->ki, L);
        return;
    }
    /* Grid 0 holds the charges 1 (re) and x (im), grid 1 y and x^2 + y^2;
     * spread in index order, so the sums' order is fixed. */
    const int g = task - 1;
    double *re = f->gr[g], *im = f->gi[g];
    memset(re, 0, cells * sizeof *re);
    memset(im, 0, cells * sizeof *im);
    for (int32_t i = 0; i < f->n; i++) {
        const double *wx = f->wx + 3 * (size_t)i, *wy = f->wy + 3 * (size_t)i;
        const double qx = f->q[2 * (size_t)i], qy = f->q[2 * (size_t)i + 1];
        const double cr = g == 0 ? 1.0 : qy, ci = g == 0 ? qx : qx * qx + qy * qy;
        for (int a = 0; a < P; a++)
            for (int b = 0; b < P; b++) {
                const size_t at = (size_t)f->node[i] + (size_t)a * L + (size_t)b;
                const double wab = wx[a] * wy[b];
                re[at] += wab * cr;
                im[at] += wab * ci;
            }
    }
    forward(f, re, im, m);
}

void lr__fftrep_inverse(lr__fftrep *f, int g)
{
    const int32_t L = f->L, m = P * f->nb;
    const size_t cells = (size_t)L * (size_t)L;
    /* The pointwise product with the kernel's (real) transform, with the
     * inverse's 1 / L^2; its imaginary part is rounding, left out. */
    const double norm = 1.0 / ((double)L * (double)L);
    double *re = f->gr[g], *im = f->gi[g];
    for (size_t c = 0; c < cells; c++) {
        const double k = f->kr[c] * norm;
        re[c] *= k;
        im[c] *= k;
    }
    inverse(f, re, im, m);
}

void lr__fftrep_point(const lr__fftrep *f, int32_t i, double *repx, double *repy, double *z)
{
    const int32_t L = f->L;
    const double *wx = f->wx + 3 * (size_t)i, *wy = f->wy + 3 * (size_t)i;
    double phi[4] = {0, 0, 0, 0};
    for (int a = 0; a < P; a++)
        for (int b = 0; b < P; b++) {
            const size_t g = (size_t)f->node[i] + (size_t)a * L + (size_t)b;
            const double wab = wx[a] * wy[b];
            phi[0] += wab * f->gr[0][g];
            phi[1] += wab * f->gi[0][g];
            phi[2] += wab * f->gr[1][g];
            phi[3] += wab * f->gi[1][g];
        }
    const double qx = f->q[2 * (size_t)i], qy = f->q[2 * (size_t)i + 1];
    *repx = qx * phi[0] - phi[1];
    *repy = qy * phi[0] - phi[2];
    *z = (1.0 + qx * qx + qy * qy) * phi[0] - 2.0 * (qx * phi[1] + qy * phi[2]) + phi[3] - 1.0;
}
