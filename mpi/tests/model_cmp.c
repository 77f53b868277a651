/* model_cmp A B [TOL]: compare the user and artist factors of two model
 * files (lr_model_embeddings), as a user of the two files would.
 * SPDX-License-Identifier: MIT
 *
 * Prints whether they are bit-identical and the largest relative
 * difference |a - b| / max(|a|, |b|, 1e-30) over both matrices.  Exit 0
 * when the shapes agree and every difference is at most TOL (default 0:
 * bit-identical), 1 when not, 2 on a file that does not load. */
#include <lastrec/lastrec.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: model_cmp A B [TOL]\n");
        return 2;
    }
    const double tol = argc == 4 ? strtod(argv[3], NULL) : 0.0;
    lr_model *m[2] = {NULL, NULL};
    for (int i = 0; i < 2; i++)
        if (lr_model_load(&m[i], argv[1 + i]) != LR_OK) {
            fprintf(stderr, "model_cmp: %s\n", lr_last_error());
            lr_model_free(m[0]);
            return 2;
        }
    const char *names[] = {"users", "artists"};
    const int which[] = {LR_EMBEDDING_USERS, LR_EMBEDDING_ARTISTS};
    int ok = 1, bits = 1;
    double worst = 0;
    for (int s = 0; s < 2; s++) {
        const float *f[2];
        size_t rows[2], cols[2];
        for (int i = 0; i < 2; i++)
            if (lr_model_embeddings(m[i], which[s], &f[i], &rows[i], &cols[i]) != LR_OK) {
                fprintf(stderr, "model_cmp: %s\n", lr_last_error());
                return 2;
            }
        if (rows[0] != rows[1] || cols[0] != cols[1]) {
            printf("%s: shapes differ: %zux%zu against %zux%zu\n", names[s], rows[0], cols[0],
                   rows[1], cols[1]);
            ok = 0;
            continue;
        }
        const size_t n = rows[0] * cols[0];
        if (memcmp(f[0], f[1], n * sizeof(float)) != 0)
            bits = 0;
        double w = 0;
        for (size_t i = 0; i < n; i++) {
            const double a = f[0][i], b = f[1][i];
            const double d = fabs(a - b) / fmax(fmax(fabs(a), fabs(b)), 1e-30);
            if (!(d <= w)) /* NaN counts as worst */
                w = isnan(d) ? INFINITY : d;
        }
        printf("%s: %zu x %zu, largest relative difference %.3g\n", names[s], rows[0], cols[0], w);
        if (w > worst)
            worst = w;
    }
    printf("%s\n", !ok ? "different shapes" : bits ? "bit-identical" : "not bit-identical");
    lr_model_free(m[0]);
    lr_model_free(m[1]);
    return ok && worst <= tol ? 0 : 1;
}
