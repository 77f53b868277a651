/* bench_tsne: t-SNE of the artist vectors of ALS fitted on the real data's
 * dev split, as issue 12's target asks: 64 factors, cosine, perplexity 40,
 * early exaggeration 10 for 250 iterations, 400 iterations, 2 threads,
 * the repulsion by FFT interpolation (the library's default) or, with
 * --method barnes_hut, by Barnes-Hut at theta 0.5.  Not a test: run it by
 * hand, or bench_tsne_sklearn.py runs it beside scikit-learn's TSNE.
 *
 *   bench_tsne [DATA SPLIT] [RUNS] [--save DIR] [--kl-of MAP.npy]
 *              [--method fft|barnes_hut]
 *
 * DATA and SPLIT default to $LASTREC_DATA and $LASTREC_SPLIT; without them
 * it exits 77 (skipped).  It fits ALS once (the fit is not timed), takes
 * the first two principal components of the artist vectors scaled so that
 * the first has standard deviation 1e-4 (scikit-learn 1.2's init="pca";
 * computed here until lr__pca is in), times RUNS (default 3) maps and
 * prints the median and minimum wall-clock time, the median CPU time, the
 * final KL (exact) and the neighbourhood preservation, each run the same
 * bit for bit.  The time of the affinities alone (neighbours, bisection,
 * P) is printed too, as a run of 0 iterations.
 *
 * --save DIR writes DIR/vectors.npy (float32, artists x 64) for another
 * program to map, and DIR/lastrec_map.npy (float64, artists x 2), the
 * first run's map.  --kl-of MAP.npy (n x 2, float64 or float32) prints the
 * exact KL and the neighbourhood preservation of that map under this
 * program's P instead of mapping, so that two maps are judged alike.
 *
 * It calls the internal lr__tsne (lastrec_internal_dep) until the public
 * t-SNE call is in.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"
#include "embed/tsne.h"

#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char bench_name[] = "bench_tsne";

/* The t-SNE settings of issue 12's target. */
static lr__tsne_opts target_opts(void)
{
    lr__tsne_opts o = {0};
    o.metric = LR__TSNE_COSINE;
    o.perplexity = 40;
    o.exaggeration = 10;
    o.exaggeration_iters = 250;
    o.iterations = 400;
    o.learning_rate = 0; /* auto */
    o.theta = 0.5;
    o.seed = 42;
    o.threads = 2;
    return o;
}

/* The first two principal components of x (n x d), scaled so that the
 * first has standard deviation 1e-4, each component's sign fixed by its
 * largest loading.  0 or 1 on failure (said). */
static int pca_init(const float *x, size_t n, size_t d, double *y)
{
    double *mean = calloc(d, sizeof *mean), *cov = calloc(d * d, sizeof *cov);
    double *w = malloc(d * sizeof *w);
    if (!mean || !cov || !w) {
        fprintf(stderr, "%s: out of memory\n", bench_name);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t f = 0; f < d; f++)
            mean[f] += x[i * d + f];
    for (size_t f = 0; f < d; f++)
        mean[f] /= (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            for (size_t b = a; b < d; b++)
                cov[a * d + b] += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]);
    /* row-major upper = column-major lower; dsyev wants one triangle */
    int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', (lapack_int)d, cov, (lapack_int)d, w);
    if (info != 0) {
        fprintf(stderr, "%s: PCA: dsyev failed (%d)\n", bench_name, info);
        return 1;
    }
    /* ascending eigenvalues: the last two columns lead */
    double comp[2][512];
    for (int c = 0; c < 2; c++) {
        size_t col = d - 1 - (size_t)c, big = 0;
        for (size_t f = 0; f < d; f++) {
            comp[c][f] = cov[f * d + col];
            if (fabs(comp[c][f]) > fabs(comp[c][big]))
                big = f;
        }
        if (comp[c][big] < 0)
            for (size_t f = 0; f < d; f++)
                comp[c][f] = -comp[c][f];
    }
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
        for (int c = 0; c < 2; c++) {
            double v = 0;
            for (size_t f = 0; f < d; f++)
                v += (x[i * d + f] - mean[f]) * comp[c][f];
            y[2 * i + (size_t)c] = v;
            if (c == 0) {
                s += v;
                ss += v * v;
            }
        }
    const double sd = sqrt(ss / (double)n - (s / (double)n) * (s / (double)n));
    for (size_t t = 0; t < 2 * n; t++)
        y[t] *= 1e-4 / sd;
    free(mean);
    free(cov);
    free(w);
    return 0;
}

/* An n x d array of `size`-byte little-endian floats as a .npy file. */
static int save_npy_as(const char *path, const void *x, size_t size, size_t n, size_t d)
{
    FILE *fp = fopen(path, "wb");
    if (!fp)
        return 1;
    char head[128];
    int len = snprintf(head, sizeof head,
                       "{'descr': '<f%zu', 'fortran_order': False, 'shape': (%zu, %zu), }", size,
                       n, d);
    /* magic (6) + version (2) + length (2) + header + '\n', to 64 */
    int pad = 64 - (10 + len + 1) % 64;
    unsigned short hl = (unsigned short)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, fp);
    fputc(hl & 0xff, fp);
    fputc(hl >> 8, fp);
    fwrite(head, 1, (size_t)len, fp);
    for (int p = 0; p < pad; p++)
        fputc(' ', fp);
    fputc('\n', fp);
    size_t wrote = fwrite(x, size, n * d, fp);
    return (fclose(fp) != 0 || wrote != n * d);
}

static int save_npy(const char *path, const float *x, size_t n, size_t d)
{
    return save_npy_as(path, x, sizeof *x, n, d);
}

static int save_npy64(const char *path, const double *x, size_t n, size_t d)
{
    return save_npy_as(path, x, sizeof *x, n, d);
}

/* A map of n x 2 from a .npy file (little-endian float64 or float32, C
 * order), as numpy.save writes it.  0, or 1 after saying why. */
static int load_map(const char *path, size_t n, double *y)
{
    FILE *fp = fopen(path, "rb");
    unsigned char pre[10];
    char head[1024];
    if (!fp || fread(pre, 1, 10, fp) != 10 || memcmp(pre, "\x93NUMPY", 6) != 0 ||
        pre[6] != 1) {
        fprintf(stderr, "%s: %s: not a version-1 .npy file\n", bench_name, path);
        if (fp)
            fclose(fp);
        return 1;
    }
    size_t hl = pre[8] | (size_t)pre[9] << 8;
    if (hl >= sizeof head || fread(head, 1, hl, fp) != hl) {
        fprintf(stderr, "%s: %s: bad header\n", bench_name, path);
        fclose(fp);
        return 1;
    }
    head[hl] = '\0';
    const int f8 = strstr(head, "'<f8'") != NULL, f4 = strstr(head, "'<f4'") != NULL;
    char want[64];
    snprintf(want, sizeof want, "(%zu, 2)", n);
    if ((!f8 && !f4) || strstr(head, "'fortran_order': True") || !strstr(head, want)) {
        fprintf(stderr, "%s: %s: want a C-order float array of shape %s: %s\n", bench_name,
                path, want, head);
        fclose(fp);
        return 1;
    }
    size_t got = 0;
    if (f8) {
        got = fread(y, sizeof *y, 2 * n, fp);
    } else {
        for (size_t t = 0; t < 2 * n; t++) {
            float v;
            if (fread(&v, sizeof v, 1, fp) != 1)
                break;
            y[t] = v;
            got++;
        }
    }
    fclose(fp);
    if (got != 2 * n) {
        fprintf(stderr, "%s: %s: short file\n", bench_name, path);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    const char *save = NULL, *kl_of = NULL, *method = "fft";
    char *pos[3];
    int npos = 0;
    for (int a = 1; a < argc; a++) {
        if (!strcmp(argv[a], "--save") && a + 1 < argc)
            save = argv[++a];
        else if (!strcmp(argv[a], "--kl-of") && a + 1 < argc)
            kl_of = argv[++a];
        else if (!strcmp(argv[a], "--method") && a + 1 < argc &&
                 (!strcmp(argv[a + 1], "fft") || !strcmp(argv[a + 1], "barnes_hut")))
            method = argv[++a];
        else if (npos < 3)
            pos[npos++] = argv[a];
        else {
            fprintf(stderr, "usage: %s [DATA SPLIT] [RUNS] [--save DIR] [--kl-of MAP.npy] "
                            "[--method fft|barnes_hut]\n",
                    bench_name);
            return 2;
        }
    }
    const char *data = npos >= 2 ? pos[0] : getenv("LASTREC_DATA");
    const char *split = npos >= 2 ? pos[1] : getenv("LASTREC_SPLIT");
    int runs = npos == 1 ? atoi(pos[0]) : npos == 3 ? atoi(pos[2]) : 3;
    if (runs < 1)
        runs = 3;
    if (!data || !*data || !split || !*split) {
        fprintf(stderr, "%s: no data: set LASTREC_DATA and LASTREC_SPLIT (skipped)\n",
                bench_name);
        return BENCH_SKIP;
    }
    bench_data d;
    int rc = bench_data_load(&d, data, split, 0);
    if (rc != LR_OK)
        return bench_fail(d.path, rc);

    lr_options *opts = NULL;
    lr_model *m = NULL;
    rc = lr_options_new(&opts);
    if (rc == LR_OK)
        rc = lr_options_set_int(opts, LR_OPT_FACTORS, 64);
    if (rc == LR_OK)
        rc = lr_options_set_int(opts, LR_OPT_THREADS, 2);
    if (rc == LR_OK)
        rc = lr_model_new(&m, LR_ALGO_ALS, opts);
    double t0 = bench_wall_s();
    if (rc == LR_OK)
        rc = lr_model_fit(m, d.train, NULL);
    const double fit_s = bench_wall_s() - t0;
    const float *x = NULL;
    size_t n = 0, dim = 0;
    if (rc == LR_OK)
        rc = lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &x, &n, &dim);
    if (rc != LR_OK) {
        lr_options_free(opts);
        lr_model_free(m);
        bench_data_free(&d);
        return bench_fail("ALS", rc);
    }
    size_t zero = 0;
    for (size_t i = 0; i < n; i++) {
        size_t f = 0;
        while (f < dim && x[i * dim + f] == 0.0f)
            f++;
        zero += f == dim;
    }
    lr__tsne_opts o = target_opts();
    o.method = strcmp(method, "fft") ? LR__TSNE_BARNES_HUT : LR__TSNE_FFT;
    printf("%s: ALS (64 factors, 2 threads, fitted in %.1f s): %zu artists x %zu, %zu zero "
           "vectors; t-SNE cosine, perplexity %g, exaggeration %g for %d of %d iterations, "
           "repulsion %s%s, %d threads\n",
           bench_name, fit_s, n, dim, zero, o.perplexity, o.exaggeration,
           (int)o.exaggeration_iters, (int)o.iterations,
           o.method == LR__TSNE_FFT ? "by FFT interpolation" : "by Barnes-Hut",
           o.method == LR__TSNE_FFT ? "" : " (theta 0.5)", o.threads);

    int status = 0;
    double *init = malloc(2 * n * sizeof *init), *y = malloc(2 * n * sizeof *y);
    double *wall = malloc((size_t)runs * sizeof *wall), *cpu = malloc((size_t)runs * sizeof *cpu);
    if (!init || !y || !wall || !cpu || pca_init(x, n, dim, init)) {
        status = 1;
        goto done;
    }
    if (save) {
        char path[4096];
        snprintf(path, sizeof path, "%s/vectors.npy", save);
        if (save_npy(path, x, n, dim)) {
            fprintf(stderr, "%s: cannot write %s\n", bench_name, path);
            status = 1;
            goto done;
        }
        printf("  vectors written to %s\n", path);
    }
    lr__tsne_out out;
    if (kl_of) {
        if (load_map(kl_of, n, y)) {
            status = 1;
            goto done;
        }
        o.iterations = o.exaggeration_iters = 0;
        rc = lr__tsne(x, (int32_t)n, (int32_t)dim, &o, y, &out);
        if (rc != LR_OK) {
            status = bench_fail("lr__tsne", rc);
            goto done;
        }
        printf("  map %s: KL %.4f (exact, this program's P), neighbourhood preservation "
               "%.4f\n",
               kl_of, out.kl, out.nn_preservation);
        goto done;
    }
    /* The affinities alone: 0 iterations (then the KL and preservation of
     * the initial map, a small part). */
    {
        lr__tsne_opts o0 = o;
        o0.iterations = o0.exaggeration_iters = 0;
        memcpy(y, init, 2 * n * sizeof *y);
        t0 = bench_wall_s();
        const double c0 = bench_cpu_s();
        rc = lr__tsne(x, (int32_t)n, (int32_t)dim, &o0, y, &out);
        if (rc != LR_OK) {
            status = bench_fail("lr__tsne", rc);
            goto done;
        }
        printf("  affinities, KL and preservation of the initial map: %.2f s (CPU %.2f s)\n",
               bench_wall_s() - t0, bench_cpu_s() - c0);
    }
    double kl = 0, pres = 0;
    for (int r = 0; r < runs; r++) {
        memcpy(y, init, 2 * n * sizeof *y);
        t0 = bench_wall_s();
        const double c0 = bench_cpu_s();
        rc = lr__tsne(x, (int32_t)n, (int32_t)dim, &o, y, &out);
        wall[r] = bench_wall_s() - t0;
        cpu[r] = bench_cpu_s() - c0;
        if (rc != LR_OK) {
            status = bench_fail("lr__tsne", rc);
            goto done;
        }
        if (r > 0 && (out.kl != kl || out.nn_preservation != pres))
            printf("  run %d differs from run 1: KL %.17g against %.17g\n", r + 1, out.kl, kl);
        kl = out.kl;
        pres = out.nn_preservation;
        if (r == 0 && save) {
            char path[4096];
            snprintf(path, sizeof path, "%s/lastrec_map.npy", save);
            if (save_npy64(path, y, n, 2)) {
                fprintf(stderr, "%s: cannot write %s\n", bench_name, path);
                status = 1;
                goto done;
            }
        }
        printf("  run %d: %.2f s\n", r + 1, wall[r]);
    }
    const double med = bench_median(wall, runs), cmed = bench_median(cpu, runs);
    printf("lastrec t-SNE: median %.2f s, min %.2f s (CPU median %.2f s), %d iterations, KL "
           "%.4f (exact), neighbourhood preservation %.4f\n",
           med, wall[0], cmed, (int)out.iterations, kl, pres);
done:
    free(init);
    free(y);
    free(wall);
    free(cpu);
    lr_options_free(opts);
    lr_model_free(m);
    bench_data_free(&d);
    if (status == 0)
        printf("peak memory %.0f MB\n", bench_peak_rss_mb());
    return status;
}
