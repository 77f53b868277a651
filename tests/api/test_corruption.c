/* Corruption: a small model file of every algorithm, and a dataset
 * snapshot, with each bit flipped in turn (each byte, inverted, for files
 * past BIT_LIMIT bytes), loaded through the public API.  Every damaged
 * file must be refused with LR_E_FORMAT and a message, or, were one ever
 * accepted, must read back as exactly the content that was saved; none may
 * crash (the suite's process would).  The units' own suites check the
 * messages' wording (tests/model/test_model_file.c, tests/data/
 * test_snapshot.c); this suite covers every algorithm's sections.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include <lastrec/lastrec.h>

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Files up to this size get all 8 flips of each byte. */
#define BIT_LIMIT (8 * 1024)

typedef struct blob {
    unsigned char *b;
    size_t n;
} blob;

static blob slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "cannot open %s", path);
    struct stat st;
    ck_assert_int_eq(fstat(fileno(fp), &st), 0);
    blob f = {malloc((size_t)st.st_size + 1), (size_t)st.st_size};
    ck_assert_uint_eq(fread(f.b, 1, f.n, fp), f.n);
    fclose(fp);
    return f;
}

static lr_dataset *small_dataset(void)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(
        o, "synth_users=24,synth_artists=40,synth_tags=10,synth_clusters=3,"
           "synth_artists_per_user=6,synth_friends_per_user=2,seed=11"));
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

/* The file at path (a model when is_model, else a snapshot) holds orig;
 * loading a damaged copy is refused with LR_E_FORMAT and a message, or
 * accepted with the content whose saving (at again) gives good. */
typedef struct target {
    int is_model;
    const char *path;
    const char *again;
    const blob *orig;
    const blob *good;
} target;

/* Returns the load's status. */
static int expect_refused(const target *t, size_t byte, unsigned mask)
{
    int rc;
    lr_clear_error();
    if (t->is_model) {
        lr_model *m = NULL;
        rc = lr_model_load(&m, t->path);
        if (rc == LR_OK)
            ck_assert_lr_ok(lr_model_save(m, t->again));
        else
            ck_assert_ptr_null(m);
        lr_model_free(m);
    } else {
        lr_dataset *ds = NULL;
        rc = lr_dataset_load(&ds, t->path, NULL);
        if (rc == LR_OK)
            ck_assert_lr_ok(lr_dataset_save(ds, t->again));
        else
            ck_assert_ptr_null(ds);
        lr_dataset_free(ds);
    }
    if (rc == LR_OK) {
        blob back = slurp(t->again);
        int same = back.n == t->good->n && memcmp(back.b, t->good->b, back.n) == 0;
        free(back.b);
        ck_assert_msg(same, "byte %zu ^ 0x%02x: accepted with other content", byte, mask);
        return rc;
    }
    /* Past the magic, the file is known for what it is, and the damage is
     * a format error; a damaged magic may read as another kind of file. */
    ck_assert_msg(byte < 8 ? rc < 0 : rc == LR_E_FORMAT, "byte %zu ^ 0x%02x: got %d (%s): %s",
                  byte, mask, rc, lr_strerror(rc), lr_last_error());
    ck_assert_msg(strlen(lr_last_error()) > 0, "byte %zu ^ 0x%02x: no message", byte, mask);
    return rc;
}

/* Flip each bit (or byte) of the file at path in place, one at a time. */
static size_t flip_all(const target *t)
{
    const blob *f = t->orig;
    int fd = open(t->path, O_WRONLY);
    ck_assert_int_ge(fd, 0);
    size_t loads = 0;
    for (size_t i = 0; i < f->n; i++) {
        for (unsigned bit = 0; bit < 8; bit++) {
            unsigned mask = f->n <= BIT_LIMIT ? 1u << bit : 0xffu;
            unsigned char c = (unsigned char)(f->b[i] ^ mask);
            ck_assert_int_eq(pwrite(fd, &c, 1, (off_t)i), 1);
            expect_refused(t, i, mask);
            loads++;
            ck_assert_int_eq(pwrite(fd, &f->b[i], 1, (off_t)i), 1);
            if (mask == 0xffu)
                break;
        }
    }
    close(fd);
    return loads;
}

START_TEST(every_model_flip_refused)
{
    static const int algos[] = {LR_ALGO_POP,  LR_ALGO_MF,    LR_ALGO_ALS,    LR_ALGO_BPR,
                                LR_ALGO_EASE, LR_ALGO_BLEND, LR_ALGO_SOFTMAX};
    int algo = algos[_i];
    lr_test_place p = lr_test_make_place("m.lrmodel");
    char again[512];
    snprintf(again, sizeof again, "%s/again.lrmodel", p.dir);

    lr_dataset *ds = small_dataset();
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(
        o, "threads=1,factors=4,epochs=2,hidden_width=8,tag_dim=4,min_listeners=1"));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    ck_assert_lr_ok(lr_model_save(m, p.path));
    lr_model_free(m);
    lr_options_free(o);
    lr_dataset_free(ds);

    blob good = slurp(p.path);
    /* The unflipped file loads and saves back byte for byte, or "accepted
     * with the same content" above would prove nothing. */
    target t = {1, p.path, again, &good, &good};
    ck_assert_lr_ok(expect_refused(&t, SIZE_MAX, 0));
    size_t loads = flip_all(&t);
    fprintf(stderr, "%s: %zu-byte model file, %zu damaged copies refused\n",
            lr_algorithm_name(algo), good.n, loads);
    free(good.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(every_snapshot_flip_refused)
{
    lr_test_place p = lr_test_make_place("d.lrsnap");
    char again[512];
    snprintf(again, sizeof again, "%s/again.lrsnap", p.dir);
    lr_dataset *ds = small_dataset();
    ck_assert_lr_ok(lr_dataset_save(ds, p.path));
    lr_dataset_free(ds);

    /* A loaded snapshot records where it came from, so it saves back with
     * other bytes than the synthetic original; content is compared with
     * that second generation, which must be stable. */
    blob first = slurp(p.path);
    lr_dataset *back;
    ck_assert_lr_ok(lr_dataset_load(&back, p.path, NULL));
    ck_assert_lr_ok(lr_dataset_save(back, again));
    lr_dataset_free(back);
    blob good = slurp(again);
    target t = {0, p.path, again, &first, &good};
    ck_assert_lr_ok(expect_refused(&t, SIZE_MAX, 0));
    size_t loads = flip_all(&t);
    fprintf(stderr, "snapshot: %zu bytes, %zu damaged copies refused\n", first.n, loads);
    free(first.b);
    free(good.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

static Suite *corruption_suite(void)
{
    Suite *s = suite_create("corruption");
    TCase *tc = tcase_create("flips");
    tcase_set_timeout(tc, 1800);
    tcase_add_loop_test(tc, every_model_flip_refused, 0, 7);
    tcase_add_test(tc, every_snapshot_flip_refused);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(corruption_suite()); }
