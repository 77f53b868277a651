/* Serving export (lr_model_export, lib/model/export.c): the .npy files
 * parse as NumPy's format 1.0 says and hold lr_model_embeddings()'s
 * floats, the TSV maps name each row, a dot product (plus the bias file)
 * is the model's own score, models without such vectors are refused,
 * and a failed export leaves nothing behind.
 * SPDX-License-Identifier: MIT */
#include "fixture.h"
#include "../common/bytes.h"
#include "core/file.h"
#include "model/export.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>

/* The array of an .npy file, read the way numpy.load reads it: magic,
 * version 1.0, a little-endian header length, a dict literal ending in a
 * newline at a 64-byte boundary, then rows x cols little-endian float32
 * and nothing more.  cols = 0 for a vector.  Returns malloc'd floats. */
static float *read_npy(const char *dir, const char *name, size_t *rows, size_t *cols)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    const blob f = slurp(path);
    const char *b = (const char *)f.b;
    const size_t len = f.n;
    ck_assert_uint_ge(len, 10);
    ck_assert(memcmp(b, "\x93NUMPY", 6) == 0);
    ck_assert_int_eq(b[6], 1);
    ck_assert_int_eq(b[7], 0);
    const size_t hlen = (size_t)(unsigned char)b[8] | (size_t)(unsigned char)b[9] << 8;
    const size_t off = 10 + hlen;
    ck_assert_uint_eq(off % 64, 0);
    ck_assert_uint_le(off, len);
    ck_assert_int_eq(b[off - 1], '\n');
    char dict[256];
    ck_assert_uint_lt(hlen, sizeof dict);
    memcpy(dict, b + 10, hlen);
    dict[hlen] = '\0';
    ck_assert_msg(strncmp(dict, "{'descr': '<f4', 'fortran_order': False, 'shape': (", 51) == 0,
                  "%s: header %s", name, dict);
    unsigned long long r = 0, c = 0;
    int used = 0;
    if (sscanf(dict + 51, "%llu, %llu), }%n", &r, &c, &used) == 2 && used > 0) {
        *cols = (size_t)c;
    } else {
        ck_assert_msg(sscanf(dict + 51, "%llu,), }%n", &r, &used) == 1 && used > 0,
                      "%s: shape in %s", name, dict);
        *cols = 0;
    }
    *rows = (size_t)r;
    for (size_t i = 51 + (size_t)used; i + 1 < hlen; i++)
        ck_assert_msg(dict[i] == ' ', "%s: padding is not spaces", name);
    const size_t n = *rows * (*cols ? *cols : 1);
    ck_assert_uint_eq(len, off + 4 * n);
    float *x = malloc((n ? n : 1) * sizeof *x);
    for (size_t i = 0; i < n; i++) {
        const uint32_t v = rd32(f.b + off + 4 * i);
        memcpy(x + i, &v, 4);
    }
    free(f.b);
    return x;
}

static int exists(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    struct stat st;
    return stat(path, &st) == 0;
}

/* Checks one export of m in dir against the model: both matrices bit for
 * bit, the ID maps, and the scores: dot product plus the bias file's
 * entry is lr__model_score_users's score for a few users. */
static void check_export(const lr_model *m, const char *dir)
{
    size_t ur, uc, ar, ac;
    float *u = read_npy(dir, LR__EXPORT_USERS_NPY, &ur, &uc);
    float *a = read_npy(dir, LR__EXPORT_ARTISTS_NPY, &ar, &ac);
    const float *eu, *ea;
    size_t er, ec;
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_USERS, &eu, &er, &ec));
    ck_assert_uint_eq(ur, er);
    ck_assert_uint_eq(uc, ec);
    ck_assert(memcmp(u, eu, ur * uc * sizeof *u) == 0);
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &ea, &er, &ec));
    ck_assert_uint_eq(ar, er);
    ck_assert_uint_eq(ac, ec);
    ck_assert(memcmp(a, ea, ar * ac * sizeof *a) == 0);

    float *bias = NULL;
    if (m->artist_bias) {
        size_t br, bc;
        bias = read_npy(dir, LR__EXPORT_BIAS_NPY, &br, &bc);
        ck_assert_uint_eq(br, ar);
        ck_assert_uint_eq(bc, 0);
    } else {
        ck_assert_msg(!exists(dir, LR__EXPORT_BIAS_NPY), "a bias file for a model without one");
    }
    float *s = malloc(ar * sizeof *s);
    for (int32_t user = 0; user < (int32_t)ur; user += (int32_t)ur / 5 + 1) {
        ck_assert_lr_ok(lr__model_score_users(m, user, 1, s));
        for (size_t j = 0; j < ar; j++) {
            double dot = bias ? bias[j] : 0.0;
            for (size_t f = 0; f < uc; f++)
                dot += (double)u[(size_t)user * uc + f] * a[j * ac + f];
            ck_assert_msg(fabs(dot - s[j]) <= 1e-5 * (1 + fabs(s[j])),
                          "user row %d, artist row %zu: dot %.9g, score %.9g", user, j, dot,
                          (double)s[j]);
        }
    }
    free(s);
    free(bias);

    /* users.tsv: a header, then row i -> the i-th user ID */
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, LR__EXPORT_USERS_TSV);
    blob tb = slurp(path);
    const char *t = (const char *)tb.b;
    int32_t *ids = malloc(ur * sizeof *ids);
    ck_assert_lr_ok(lr_model_ids(m, LR_IDS_USERS, ids, ur, NULL));
    ck_assert(strncmp(t, "row\tuser_id\n", 12) == 0);
    const char *p = t + 12;
    for (size_t i = 0; i < ur; i++) {
        long row, id;
        int used;
        ck_assert_int_eq(sscanf(p, "%ld\t%ld\n%n", &row, &id, &used), 2);
        ck_assert_int_eq(row, (long)i);
        ck_assert_int_eq(id, ids[i]);
        p += used;
    }
    ck_assert_int_eq(*p, '\0');
    free(ids);
    free(tb.b);
    free(u);
    free(a);
}

/* A model of algo fitted on the synthetic split of seed (the model keeps
 * what it needs of the data, which is freed here). */
static lr_model *fit_synth(int seed, int algo, const char *text)
{
    lr_dataset *train, *test;
    mt_synth_split(seed, &train, &test);
    lr_model *m = mt_fit(algo, train, text);
    lr_dataset_free(train);
    lr_dataset_free(test);
    return m;
}

static void export_and_check(int algo, const char *text)
{
    lr_model *m = fit_synth(5, algo, text);
    char dir[512];
    /* a nested directory that does not exist yet */
    snprintf(dir, sizeof dir, "%s/serving/v1", lr_test_tmpdir());
    ck_assert_lr_ok(lr_model_export(m, dir, NULL));
    check_export(m, dir);
    /* nothing else: no temporary left, no stray file */
    ck_assert_int_eq(lr_test_count_entries(dir), m->artist_bias ? 5 : 4);
    lr_model_free(m);
}

START_TEST(als_export_is_the_embeddings)
{
    export_and_check(LR_ALGO_ALS, "factors=8,epochs=3");
}
END_TEST

START_TEST(mf_export_is_the_embeddings)
{
    export_and_check(LR_ALGO_MF, "factors=8,epochs=3");
}
END_TEST

/* bpr's item bias goes to artist_bias.npy, and scores need it */
START_TEST(bpr_export_has_the_bias)
{
    export_and_check(LR_ALGO_BPR, "factors=8,epochs=3,item_bias=1");
}
END_TEST

/* softmax's user vectors are its tower's outputs on each training user's
 * artists (the model keeps them); cold_boost is a per-artist bias.  The
 * arrays hold the logits: the cold-artist mixture is computed at query
 * time (docs/formats.md), so the scores compared are cold_mix=0's. */
START_TEST(softmax_export_is_the_tower_outputs)
{
    export_and_check(LR_ALGO_SOFTMAX, "epochs=2,threads=2,hidden_width=16,tag_dim=4,factors=8,"
                                      "cold_boost=2,cold_mix=0");
}
END_TEST

/* A bias file of an earlier export into the same directory would add a
 * bpr model's biases to an als model's scores: the export removes it. */
START_TEST(stale_bias_file_is_removed)
{
    lr_model *bpr = fit_synth(6, LR_ALGO_BPR, "factors=8,epochs=2,item_bias=1");
    lr_model *als = fit_synth(6, LR_ALGO_ALS, "factors=8,epochs=2");
    const char *dir = lr_test_tmpdir();
    ck_assert_lr_ok(lr_model_export(bpr, dir, NULL));
    ck_assert(exists(dir, LR__EXPORT_BIAS_NPY));
    ck_assert_lr_ok(lr_model_export(als, dir, NULL));
    ck_assert(!exists(dir, LR__EXPORT_BIAS_NPY));
    check_export(als, dir);
    lr_test_remove_dir(dir);
    lr_model_free(bpr);
    lr_model_free(als);
}
END_TEST

/* Names stay UTF-8; a tab or line break in one becomes a space so that
 * every row is one line of three fields. */
START_TEST(artist_names_are_one_field)
{
    lr_dataset_builder *b;
    ck_assert_lr_ok(lr_dataset_builder_new(&b, NULL));
    static const char *const names[] = {"Tab\tName", "Line\nBreak\r", "Bj\xc3\xb6rk",
                                        "Plain"};
    for (int32_t a = 0; a < 4; a++)
        ck_assert_lr_ok(lr_dataset_builder_set_artist_name(b, 10 + a, names[a]));
    for (int32_t u = 0; u < 6; u++)
        for (int32_t a = 0; a < 4; a++)
            if ((u + a) % 3 != 0)
                ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 100 + u, 10 + a, 1 + u + a));
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_builder_finish(b, &ds));
    lr_dataset_builder_free(b);
    lr_model *m = mt_fit(LR_ALGO_ALS, ds, "factors=2,epochs=2");
    const char *dir = lr_test_tmpdir();
    ck_assert_lr_ok(lr_model_export(m, dir, NULL));
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, LR__EXPORT_ARTISTS_TSV);
    blob t = slurp(path);
    ck_assert_str_eq((const char *)t.b, "row\tartist_id\tname\n"
                        "0\t10\tTab Name\n"
                        "1\t11\tLine Break \n"
                        "2\t12\tBj\xc3\xb6rk\n"
                        "3\t13\tPlain\n");
    free(t.b);
    lr_test_remove_dir(dir);
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

/* pop and ease have no vectors; blend's are its als part's, which alone
 * rank otherwise than the blend: each is refused before anything is
 * made, the directory included. */
START_TEST(models_without_serving_vectors_are_refused)
{
    static const struct {
        int algo;
        const char *text, *needle;
    } cases[] = {
        {LR_ALGO_POP, "", "pop models have no user or artist vectors"},
        {LR_ALGO_EASE, "", "ease models have no user or artist vectors"},
        {LR_ALGO_BLEND, "factors=8,epochs=2,softmax_weight=0", "blend's scores"},
    };
    char dir[512];
    snprintf(dir, sizeof dir, "%s/never", lr_test_tmpdir());
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lr_model *m = fit_synth(7, cases[i].algo, cases[i].text);
        ck_assert_lr_fail(lr_model_export(m, dir, NULL), LR_E_UNSUPPORTED, cases[i].needle);
        ck_assert(strstr(lr_last_error(), dir) != NULL);
        ck_assert(!lr__is_dir(dir));
        lr_model_free(m);
    }
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    lr_model *m = fit_synth(8, LR_ALGO_ALS, "factors=4,epochs=1");
    lr_model *unfitted;
    ck_assert_lr_ok(lr_model_new(&unfitted, LR_ALGO_ALS, NULL));
    const char *dir = lr_test_tmpdir();
    ck_assert_lr_fail(lr_model_export(NULL, dir, NULL), LR_E_INVALID, "lr_model_export");
    ck_assert_lr_fail(lr_model_export(m, NULL, NULL), LR_E_INVALID, "lr_model_export");
    ck_assert_lr_fail(lr_model_export(m, "", NULL), LR_E_INVALID, "empty");
    ck_assert_lr_fail(lr_model_export(unfitted, dir, NULL), LR_E_INVALID, "not fitted");
    lr_options *o = mt_opts(NULL);
    ck_assert_lr_fail(lr_options_set_int(o, LR_OPT_EXPORT_FORMAT, 2), LR_E_INVALID,
                      "export_format");
    ck_assert_lr_ok(lr_options_set_string(o, "export_format=npy"));
    ck_assert_lr_ok(lr_model_export(m, dir, o));
    ck_assert_int_eq(lr_test_count_entries(dir), 4);
    lr_options_free(o);
    lr_test_remove_dir(dir);
    lr_model_free(unfitted);
    lr_model_free(m);
}
END_TEST

/* A directory that cannot be made (its parent is a file), a file that
 * cannot be written (its name is taken by a directory), and, when not
 * root, a directory without write permission: LR_E_IO naming the path,
 * and not one file of the export, whole or partial, left behind. */
START_TEST(unwritable_places_leave_nothing)
{
    lr_model *m = fit_synth(9, LR_ALGO_BPR, "factors=4,epochs=1");
    const char *tmp = lr_test_tmpdir();
    char base[300], dir[400];
    snprintf(base, sizeof base, "%s", tmp);
    LR_TEST_WRITE_STR(base, "file", "not a directory\n");
    snprintf(dir, sizeof dir, "%s/file/out", base);
    ck_assert_lr_fail(lr_model_export(m, dir, NULL), LR_E_IO, "/file");
    ck_assert_int_eq(lr_test_count_entries(base), 1);

    /* the fourth file's name is a directory: the three before it were
     * written in full, and none of them may appear */
    snprintf(dir, sizeof dir, "%s/out", base);
    char taken[500];
    snprintf(taken, sizeof taken, "%s/%s", dir, LR__EXPORT_ARTISTS_TSV);
    ck_assert_int_eq(mkdir(dir, 0777), 0);
    ck_assert_int_eq(mkdir(taken, 0777), 0);
    ck_assert_lr_fail(lr_model_export(m, dir, NULL), LR_E_IO, taken);
    ck_assert_int_eq(lr_test_count_entries(dir), 1);
    ck_assert_int_eq(rmdir(taken), 0);

    if (geteuid() != 0) {
        ck_assert_int_eq(chmod(dir, 0555), 0);
        ck_assert_lr_fail(lr_model_export(m, dir, NULL), LR_E_IO, dir);
        ck_assert_int_eq(lr_test_count_entries(dir), 0);
        ck_assert_int_eq(chmod(dir, 0755), 0);
    } else {
        printf("note: running as root, which writes anywhere: the read-only directory case "
               "is skipped\n");
    }
    rmdir(dir);
    lr_test_remove_dir(base);
    lr_model_free(m);
}
END_TEST

/* The header alone, for shapes far past this suite's: always a multiple
 * of 64 bytes, the length field matching, one newline at the end. */
START_TEST(npy_header_layout)
{
    static const size_t shapes[][2] = {
        {1, 1}, {600, 64}, {17632, 64}, {0, 8}, {7, 0}, {SIZE_MAX / 8, 4096}, {SIZE_MAX, 0},
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        char h[128];
        size_t n = lr__npy_header(h, sizeof h, shapes[i][0], shapes[i][1]);
        ck_assert_uint_gt(n, 0);
        ck_assert_uint_eq(n % 64, 0);
        ck_assert_uint_eq((size_t)(unsigned char)h[8] | (size_t)(unsigned char)h[9] << 8, n - 10);
        ck_assert_int_eq(h[n - 1], '\n');
        ck_assert_ptr_null(memchr(h + 10, '\n', n - 11));
    }
    char small[32];
    ck_assert_uint_eq(lr__npy_header(small, sizeof small, 3, 4), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("export");
    TCase *tc = tcase_create("export");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, als_export_is_the_embeddings);
    tcase_add_test(tc, mf_export_is_the_embeddings);
    tcase_add_test(tc, bpr_export_has_the_bias);
    tcase_add_test(tc, softmax_export_is_the_tower_outputs);
    tcase_add_test(tc, stale_bias_file_is_removed);
    tcase_add_test(tc, artist_names_are_one_field);
    tcase_add_test(tc, models_without_serving_vectors_are_refused);
    tcase_add_test(tc, bad_arguments_are_refused);
    tcase_add_test(tc, unwritable_places_leave_nothing);
    tcase_add_test(tc, npy_header_layout);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return lr_test_run(suite());
}
