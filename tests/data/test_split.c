/* The split unit: per-user and random-pair holdouts.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "tiny.h"
#include "lastrec.h"
#include "data/dataset.h"
#include "data/split.h"

#include <math.h>

static lr_dataset *ds;

static void setup(void)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_USERS, 300));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_ARTISTS, 800));
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
}

static void teardown(void)
{
    lr_dataset_free(ds);
    ds = NULL;
}

static void split(int method, double f, int64_t seed, lr_dataset **train, lr_dataset **test)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, f));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SEED, seed));
    ck_assert_lr_ok(lr_dataset_split(ds, method, o, train, test));
    lr_options_free(o);
}

static int64_t row_len(const lr_dataset *d, int32_t u)
{
    return d->listens.ptr[u + 1] - d->listens.ptr[u];
}

/* Every listen of the original is on exactly one side, with its count,
 * and neither side has a listen the original lacks. */
static void assert_partition(const lr_dataset *train, const lr_dataset *test)
{
    ck_assert_int_eq(train->listens.nnz + test->listens.nnz, ds->listens.nnz);
    for (int32_t u = 0; u < ds->n_users; u++) {
        const int32_t *idx;
        const float *val;
        int64_t n = lr__csr_row(&ds->listens, u, &idx, &val);
        ck_assert_int_eq(row_len(train, u) + row_len(test, u), n);
        for (int64_t i = 0; i < n; i++) {
            int64_t a = lr__csr_find(&train->listens, u, idx[i]);
            int64_t b = lr__csr_find(&test->listens, u, idx[i]);
            ck_assert_msg((a >= 0) != (b >= 0), "user %d artist %d on %s side(s)", u, idx[i],
                          a >= 0 ? "both" : "neither");
            float w = a >= 0 ? train->listens.val[a] : test->listens.val[b];
            ck_assert_float_eq(w, val[i]);
        }
    }
    ck_assert(lr__csr_valid(&train->listens));
    ck_assert(lr__csr_valid(&test->listens));
}

static int same_listens(const lr_dataset *a, const lr_dataset *b)
{
    const lr__csr *x = &a->listens, *y = &b->listens;
    return x->nnz == y->nnz &&
           memcmp(x->ptr, y->ptr, ((size_t)x->rows + 1) * sizeof *x->ptr) == 0 &&
           memcmp(x->idx, y->idx, (size_t)x->nnz * sizeof *x->idx) == 0 &&
           memcmp(x->val, y->val, (size_t)x->nnz * sizeof *x->val) == 0;
}

START_TEST(holdout_count_rule)
{
    ck_assert_int_eq(lr__holdout_count(1, 0.2), 0);  /* one artist stays */
    ck_assert_int_eq(lr__holdout_count(0, 0.2), 0);
    ck_assert_int_eq(lr__holdout_count(2, 0.2), 1);  /* round(0.4) = 0, floor of 1 */
    ck_assert_int_eq(lr__holdout_count(50, 0.2), 10);
    ck_assert_int_eq(lr__holdout_count(12, 0.2), 2);  /* 2.4 */
    ck_assert_int_eq(lr__holdout_count(13, 0.2), 3);  /* 2.6 */
    ck_assert_int_eq(lr__holdout_count(5, 0.5), 3);   /* 2.5: half away from zero */
    ck_assert_int_eq(lr__holdout_count(10, 0.25), 3); /* 2.5 */
    ck_assert_int_eq(lr__holdout_count(7, 1.0), 7);
    ck_assert_int_eq(lr__holdout_count(7, 0.0), 0);
}
END_TEST

START_TEST(per_user_sizes_and_partition)
{
    lr_dataset *train, *test;
    split(LR_SPLIT_PER_USER, 0.2, 42, &train, &test);
    for (int32_t u = 0; u < ds->n_users; u++) {
        int64_t n = row_len(ds, u), h = lr__holdout_count(n, 0.2);
        ck_assert_int_eq(row_len(test, u), h);
        ck_assert_int_eq(row_len(train, u), n - h);
    }
    assert_partition(train, test);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

START_TEST(sides_share_catalogue_and_recompute_stats)
{
    lr_dataset *train, *test;
    split(LR_SPLIT_PER_USER, 0.2, 42, &train, &test);
    const int keep[] = {LR_COUNT_USERS, LR_COUNT_ARTISTS, LR_COUNT_TAGS,
                        LR_COUNT_FRIEND_PAIRS, LR_COUNT_TAGS_DROPPED};
    for (size_t i = 0; i < TINY_N(keep); i++) {
        ck_assert_int_eq(lr_dataset_count(train, keep[i]), lr_dataset_count(ds, keep[i]));
        ck_assert_int_eq(lr_dataset_count(test, keep[i]), lr_dataset_count(ds, keep[i]));
    }
    /* the test side keeps every tag use; the training side all but those
     * of held-out pairs */
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_TAG_USES),
                     lr_dataset_count(ds, LR_COUNT_TAG_USES));
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_TAG_USES_HELD_OUT), 0);
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES) +
                         lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT),
                     lr_dataset_count(ds, LR_COUNT_TAG_USES));
    ck_assert_int_gt(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), 0);
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_SOURCE_KIND), LR_SOURCE_SPLIT);
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_SOURCE_KIND), LR_SOURCE_SPLIT);
    int32_t id = ds->artist_ids[7];
    ck_assert_str_eq(lr_dataset_artist_name(train, id), lr_dataset_artist_name(ds, id));
    /* fans and totals are those of each side and add up to the whole */
    for (int32_t a = 0; a < ds->n_artists; a++) {
        double f, ftr, fte, t, ttr, tte;
        id = ds->artist_ids[a];
        ck_assert_lr_ok(lr_dataset_artist_stat(ds, id, LR_STAT_COUNT, &f));
        ck_assert_lr_ok(lr_dataset_artist_stat(train, id, LR_STAT_COUNT, &ftr));
        ck_assert_lr_ok(lr_dataset_artist_stat(test, id, LR_STAT_COUNT, &fte));
        ck_assert_double_eq(f, ftr + fte);
        ck_assert_lr_ok(lr_dataset_artist_stat(ds, id, LR_STAT_TOTAL_LISTENS, &t));
        ck_assert_lr_ok(lr_dataset_artist_stat(train, id, LR_STAT_TOTAL_LISTENS, &ttr));
        ck_assert_lr_ok(lr_dataset_artist_stat(test, id, LR_STAT_TOTAL_LISTENS, &tte));
        ck_assert_double_eq(t, ttr + tte);
    }
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

START_TEST(single_artist_users_stay_in_train)
{
    int singles = 0;
    lr_dataset *train, *test;
    split(LR_SPLIT_PER_USER, 0.9, 3, &train, &test);
    for (int32_t u = 0; u < ds->n_users; u++)
        if (row_len(ds, u) == 1) {
            singles++;
            ck_assert_int_eq(row_len(train, u), 1);
            ck_assert_int_eq(row_len(test, u), 0);
        } else {
            ck_assert_int_ge(row_len(test, u), 1);
        }
    ck_assert_msg(singles > 0, "the synthetic data should have single-artist users");
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

START_TEST(deterministic_per_seed)
{
    for (int method = LR_SPLIT_PER_USER; method <= LR_SPLIT_RANDOM_PAIRS; method++) {
        lr_dataset *a, *b, *c, *d, *e, *f;
        split(method, 0.2, 7, &a, &b);
        split(method, 0.2, 7, &c, &d);
        split(method, 0.2, 8, &e, &f);
        ck_assert(same_listens(a, c));
        ck_assert(same_listens(b, d));
        ck_assert(!same_listens(b, f));
        lr_dataset_free(a);
        lr_dataset_free(b);
        lr_dataset_free(c);
        lr_dataset_free(d);
        lr_dataset_free(e);
        lr_dataset_free(f);
    }
}
END_TEST

START_TEST(default_options)
{
    /* NULL options: fraction 0.2, seed 42 */
    lr_dataset *a, *b, *c, *d;
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, NULL, &a, &b));
    split(LR_SPLIT_PER_USER, 0.2, 42, &c, &d);
    ck_assert(same_listens(a, c));
    ck_assert(same_listens(b, d));
    lr_dataset_free(a);
    lr_dataset_free(b);
    lr_dataset_free(c);
    lr_dataset_free(d);
}
END_TEST

START_TEST(fraction_zero_and_one)
{
    lr_dataset *train, *test;
    split(LR_SPLIT_PER_USER, 0.0, 1, &train, &test);
    ck_assert_int_eq(test->listens.nnz, 0);
    ck_assert(same_listens(train, ds));
    lr_dataset_free(train);
    lr_dataset_free(test);

    split(LR_SPLIT_PER_USER, 1.0, 1, &train, &test);
    for (int32_t u = 0; u < ds->n_users; u++)
        ck_assert_int_eq(row_len(train, u), row_len(ds, u) == 1 ? 1 : 0);
    assert_partition(train, test);
    lr_dataset_free(train);
    lr_dataset_free(test);

    split(LR_SPLIT_RANDOM_PAIRS, 0.0, 1, &train, &test);
    ck_assert_int_eq(test->listens.nnz, 0);
    ck_assert(same_listens(train, ds));
    lr_dataset_free(train);
    lr_dataset_free(test);

    split(LR_SPLIT_RANDOM_PAIRS, 1.0, 1, &train, &test);
    ck_assert_int_eq(train->listens.nnz, 0);
    ck_assert(same_listens(test, ds));
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

START_TEST(random_pairs_size_and_partition)
{
    lr_dataset *train, *test;
    split(LR_SPLIT_RANDOM_PAIRS, 0.1, 42, &train, &test);
    int64_t n = ds->listens.nnz;
    ck_assert_int_eq(test->listens.nnz, (int64_t)round(0.1 * (double)n));
    assert_partition(train, test);
    /* rows are drawn over all users, not per user: some user loses none */
    int untouched = 0;
    for (int32_t u = 0; u < ds->n_users; u++)
        untouched += row_len(ds, u) >= 10 && row_len(test, u) == 0;
    ck_assert_int_gt(untouched, 0);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

START_TEST(tiny_dataset_by_hand)
{
    /* user 1 has five artists (one held out at 0.2), user 2 one (kept) */
    static const int32_t us[] = {1, 2};
    static const int32_t as[] = {10, 11, 12, 13, 14};
    static const char *const names[] = {"a", "b", "c", "d", "e"};
    static const tiny_listen l[] = {{1, 10, 1}, {1, 11, 2}, {1, 12, 3}, {1, 13, 4},
                                    {1, 14, 5}, {2, 12, 9}};
    tiny_spec s = {us, 2, as, names, 5, NULL, NULL, 0, l, TINY_N(l), NULL, 0, NULL, 0};
    lr_dataset *small = tiny_build(&s);
    lr_dataset *train, *test;
    ck_assert_lr_ok(lr_dataset_split(small, LR_SPLIT_PER_USER, NULL, &train, &test));
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_LISTENS), 1);
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_LISTENS), 5);
    int32_t a[5];
    float c[5];
    size_t n;
    ck_assert_lr_ok(lr_dataset_user_listens(test, 2, a, c, 5, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_lr_ok(lr_dataset_user_listens(test, 1, a, c, 5, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_float_eq(c[0], (float)(a[0] - 9)); /* its own count came along */
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(small);
}
END_TEST

/* The tagged tiny data set of the leakage tests: user 1 listens to artists
 * 10..14 and tags each with tags 100 and 102; user 2 listens to artist 12
 * only and tags all five artists with tag 101 (tags of artists a user
 * never played are fair side information too).  So every artist has one
 * use of each tag and top tag 100 (ties to the lower ID). */
static const int32_t tag_us[] = {1, 2};
static const int32_t tag_as[] = {10, 11, 12, 13, 14};
static const char *const tag_anames[] = {"a", "b", "c", "d", "e"};
static const int32_t tag_ts[] = {100, 101, 102};
static const char *const tag_tnames[] = {"Rock", "Jazz", "Folk"};
static const tiny_listen tag_l[] = {{1, 10, 1}, {1, 11, 2}, {1, 12, 3}, {1, 13, 4},
                                    {1, 14, 5}, {2, 12, 9}};
static const tiny_use tag_u[] = {
    {1, 10, 100, TINY_DAY(0)}, {1, 10, 102, TINY_DAY(0)}, {1, 11, 100, TINY_DAY(1)},
    {1, 11, 102, TINY_DAY(1)}, {1, 12, 100, TINY_DAY(2)}, {1, 12, 102, TINY_DAY(2)},
    {1, 13, 100, TINY_DAY(3)}, {1, 13, 102, TINY_DAY(3)}, {1, 14, 100, TINY_DAY(4)},
    {1, 14, 102, TINY_DAY(4)}, {2, 10, 101, TINY_DAY(5)}, {2, 11, 101, TINY_DAY(5)},
    {2, 12, 101, TINY_DAY(5)}, {2, 13, 101, TINY_DAY(5)}, {2, 14, 101, TINY_DAY(5)}};

static lr_dataset *tagged_tiny(void)
{
    tiny_spec s = {tag_us, 2, tag_as, tag_anames, 5, tag_ts, tag_tnames, 3,
                   tag_l, TINY_N(tag_l), tag_u, TINY_N(tag_u), NULL, 0};
    return tiny_build(&s);
}

static size_t ua_tags(const lr_dataset *d, int32_t user, int32_t artist)
{
    size_t n = 99;
    int32_t t[8];
    ck_assert_lr_ok(lr_dataset_user_artist_tags(d, user, artist, t, 8, &n));
    return n;
}

/* What the training side of the tagged tiny set must look like when user
 * 1's artists `held` (n_held of them) are held out: none of user 1's tags
 * of them, every other tag use, and artist statistics from those. */
static void assert_tags_dropped(const lr_dataset *train, const int32_t *held, int n_held)
{
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), 2 * n_held);
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES), 15 - 2 * n_held);
    for (int32_t a = 10; a <= 14; a++) {
        int is_held = 0;
        for (int i = 0; i < n_held; i++)
            is_held |= held[i] == a;
        ck_assert_uint_eq(ua_tags(train, 1, a), is_held ? 0 : 2);
        ck_assert_uint_eq(ua_tags(train, 2, a), 1); /* another user's tag stays */
        int32_t tags[3];
        int64_t counts[3];
        size_t n;
        ck_assert_lr_ok(lr_dataset_artist_tags(train, a, tags, counts, 3, &n));
        if (is_held) {
            /* the top tag follows from the kept uses: Jazz, not Rock */
            ck_assert_uint_eq(n, 1);
            ck_assert_int_eq(tags[0], 101);
            ck_assert_int_eq(counts[0], 1);
        } else {
            ck_assert_uint_eq(n, 3);
            ck_assert_int_eq(tags[0], 100);
        }
    }
    double uses;
    ck_assert_lr_ok(lr_dataset_user_stat(train, 1, LR_STAT_TAG_USES, &uses));
    ck_assert_double_eq(uses, 10 - 2 * n_held);
}

START_TEST(split_drops_tags_of_held_out_pairs)
{
    lr_dataset *small = tagged_tiny();
    lr_dataset *train, *test;
    ck_assert_lr_ok(lr_dataset_split(small, LR_SPLIT_PER_USER, NULL, &train, &test));
    int32_t held[5];
    float c[5];
    size_t n;
    ck_assert_lr_ok(lr_dataset_user_listens(test, 1, held, c, 5, &n));
    ck_assert_uint_eq(n, 1);
    assert_tags_dropped(train, held, 1);
    /* the test side and the whole keep all 15 */
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_TAG_USES), 15);
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_TAG_USES_HELD_OUT), 0);
    ck_assert_uint_eq(ua_tags(test, 1, held[0]), 2);
    ck_assert_int_eq(lr_dataset_count(small, LR_COUNT_TAG_USES_HELD_OUT), 0);
    lr_dataset_free(train);
    lr_dataset_free(test);

    /* the notebook's random pairs follow the same rule */
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, 0.5));
    ck_assert_lr_ok(lr_dataset_split(small, LR_SPLIT_RANDOM_PAIRS, o, &train, &test));
    lr_options_free(o);
    int64_t expect = 0;
    for (int32_t a = 10; a <= 14; a++)
        if (lr__csr_find(&test->listens, 0, lr__artist_index(small, a)) >= 0)
            expect += 2;
    if (lr__csr_find(&test->listens, 1, lr__artist_index(small, 12)) >= 0)
        expect += 1;
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), expect);
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES), 15 - expect);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(small);
}
END_TEST

#define LISTENS_HEADER "userID\tartistID\tweight\n"

START_TEST(files_drop_tags_of_test_pairs)
{
    lr_dataset *small = tagged_tiny();
    const char *dir = lr_test_tmpdir();
    char tr_path[512], te_path[512], both_path[512];
    snprintf(tr_path, sizeof tr_path, "%s",
             LR_TEST_WRITE_STR(dir, "train.dat", LISTENS_HEADER "1\t10\t1\n1\t11\t2\n1\t12\t3\n"
                                                 "1\t13\t4\n2\t12\t9\n"));
    snprintf(te_path, sizeof te_path, "%s",
             LR_TEST_WRITE_STR(dir, "test.dat", LISTENS_HEADER "1\t14\t5\n"));
    /* hand-made: a pair in both files is held out all the same */
    snprintf(both_path, sizeof both_path, "%s",
             LR_TEST_WRITE_STR(dir, "both.dat", LISTENS_HEADER "1\t13\t4\n1\t14\t5\n"));

    lr_dataset *train, *test;
    ck_assert_lr_ok(lr_dataset_load_split(&train, &test, tr_path, te_path, small, NULL));
    const int32_t held14[] = {14}, held13_14[] = {13, 14};
    assert_tags_dropped(train, held14, 1);
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_TAG_USES), 15);
    ck_assert_int_eq(lr_dataset_count(test, LR_COUNT_LISTENS), 1);
    lr_dataset_free(train);
    lr_dataset_free(test);

    ck_assert_lr_ok(lr_dataset_load_split(&train, &test, tr_path, both_path, small, NULL));
    assert_tags_dropped(train, held13_14, 2);
    lr_dataset_free(train);
    lr_dataset_free(test);

    /* without a test file, the catalogue's pairs the training file lacks */
    ck_assert_lr_ok(lr_dataset_load_split(&train, NULL, tr_path, NULL, small, NULL));
    assert_tags_dropped(train, held14, 1);
    lr_dataset_free(train);

    /* a single file alone knows nothing held out and keeps every tag */
    ck_assert_lr_ok(lr_dataset_load_listens(&train, tr_path, small, NULL));
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES), 15);
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), 0);
    lr_dataset_free(train);

    train = test = (lr_dataset *)1;
    ck_assert_lr_fail(lr_dataset_load_split(&train, NULL, tr_path, te_path, small, NULL),
                      LR_E_INVALID, "go together");
    ck_assert_ptr_null(train);
    ck_assert_lr_fail(lr_dataset_load_split(&train, &test, tr_path, NULL, small, NULL),
                      LR_E_INVALID, "go together");
    ck_assert_ptr_null(test);
    ck_assert_lr_fail(lr_dataset_load_split(&train, &test, tr_path, te_path, NULL, NULL),
                      LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_load_split(&train, &train, tr_path, te_path, small, NULL),
                      LR_E_INVALID, "same pointer");
    /* a bad test file fails as lr_dataset_load_listens() does, naming it */
    const char *bad = LR_TEST_WRITE_STR(dir, "bad.dat", LISTENS_HEADER "1\t99\t5\n");
    ck_assert_lr_fail(lr_dataset_load_split(&train, &test, tr_path, bad, small, NULL),
                      LR_E_NOTFOUND, "bad.dat");
    ck_assert_ptr_null(train);
    ck_assert_ptr_null(test);
    lr_test_remove_dir(dir);
    lr_dataset_free(small);
}
END_TEST

START_TEST(bad_arguments)
{
    lr_dataset *train = (lr_dataset *)1, *test = (lr_dataset *)1;
    ck_assert_lr_fail(lr_dataset_split(ds, 3, NULL, &train, &test), LR_E_INVALID, "method 3");
    ck_assert_ptr_null(train);
    ck_assert_ptr_null(test);
    ck_assert_lr_fail(lr_dataset_split(NULL, LR_SPLIT_PER_USER, NULL, &train, &test),
                      LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_split(ds, LR_SPLIT_PER_USER, NULL, NULL, &test), LR_E_INVALID,
                      "NULL");
    ck_assert_lr_fail(lr_dataset_split(ds, LR_SPLIT_PER_USER, NULL, &train, &train),
                      LR_E_INVALID, "same pointer");
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_int_eq(lr_options_set_double(o, LR_OPT_HOLDOUT_FRACTION, 1.5), LR_E_INVALID);
    lr_options_free(o);
}
END_TEST

static int64_t data_lines(const char *dir, const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return -1;
    int64_t n = 0;
    int c;
    while ((c = fgetc(fp)) != EOF)
        n += c == '\n';
    fclose(fp);
    return n - 1; /* the header */
}

/* On the real data the per-user rule gives the sizes of the dev split,
 * which was made by the same rule (docs/evaluation.md#the-dev-split): 1,884
 * users hold out. */
START_TEST(real_data_matches_dev_split_sizes)
{
    const char *dir = getenv("LASTREC_DATA");
    if (!dir || !*dir) {
        printf("real_data_matches_dev_split_sizes: LASTREC_DATA is unset, skipped\n");
        return;
    }
    lr_dataset *real, *train, *test;
    ck_assert_lr_ok(lr_dataset_load(&real, dir, NULL));
    ck_assert_lr_ok(lr_dataset_split(real, LR_SPLIT_PER_USER, NULL, &train, &test));
    int users = 0;
    for (int32_t u = 0; u < test->n_users; u++)
        users += row_len(test, u) > 0;
    ck_assert_int_eq(users, 1884);
    ck_assert_int_eq(train->listens.nnz + test->listens.nnz, 92834);
    const char *dev = getenv("LASTREC_SPLIT");
    if (dev && *dev) {
        ck_assert_int_eq(test->listens.nnz, data_lines(dev, "test.dat"));
        ck_assert_int_eq(train->listens.nnz, data_lines(dev, "train.dat"));
    }
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(real);
}
END_TEST

/* Tag uses (kept by the loader) of the (user, artist) pairs a listens
 * file names, counted straight from the file and the whole data set. */
static int64_t tag_uses_of_file_pairs(const lr_dataset *all, const char *path, int64_t *pairs)
{
    FILE *fp = fopen(path, "rb");
    ck_assert_ptr_nonnull(fp);
    char line[256];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, fp)); /* the header */
    int64_t uses = 0;
    *pairs = 0;
    int user, artist;
    double w;
    while (fscanf(fp, "%d\t%d\t%lf", &user, &artist, &w) == 3) {
        const lr__tag_use *first;
        int64_t n = lr__dataset_ua_tags(all, lr__user_index(all, user),
                                        lr__artist_index(all, artist), &first);
        uses += n;
        *pairs += n > 0;
    }
    fclose(fp);
    return uses;
}

/* The dev split's training side drops exactly the tag uses of the test
 * file's pairs.  In the raw files 4,170 held-out pairs carry 14,912
 * assignments by their own user; after the loader dropped rare tags,
 * 13,720 kept assignments on 3,959 pairs remain, and those go. */
START_TEST(real_data_dev_split_drops_held_out_tags)
{
    const char *dir = getenv("LASTREC_DATA"), *dev = getenv("LASTREC_SPLIT");
    if (!dir || !*dir || !dev || !*dev) {
        printf("real_data_dev_split_drops_held_out_tags: LASTREC_DATA or LASTREC_SPLIT is "
               "unset, skipped\n");
        return;
    }
    char tr_path[1024], te_path[1024];
    snprintf(tr_path, sizeof tr_path, "%s/train.dat", dev);
    snprintf(te_path, sizeof te_path, "%s/test.dat", dev);
    lr_dataset *real, *train, *test;
    ck_assert_lr_ok(lr_dataset_load(&real, dir, NULL));
    int64_t pairs;
    int64_t expect = tag_uses_of_file_pairs(real, te_path, &pairs);
    printf("dev split: %lld held-out pairs tagged by their user, %lld tag assignments\n",
           (long long)pairs, (long long)expect);
    ck_assert_int_eq(pairs, 3959);
    ck_assert_int_eq(expect, 13720);
    ck_assert_lr_ok(lr_dataset_load_split(&train, &test, tr_path, te_path, real, NULL));
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), expect);
    ck_assert_int_eq(train->n_tag_uses, real->n_tag_uses - expect);
    for (int64_t i = 0; i < train->n_tag_uses; i++)
        ck_assert(lr__csr_find(&test->listens, train->tag_uses[i].user,
                               train->tag_uses[i].artist) < 0);
    lr_dataset_free(train);
    /* the training file is DATA less the test file: the same drop */
    ck_assert_lr_ok(lr_dataset_load_split(&train, NULL, tr_path, NULL, real, NULL));
    ck_assert_int_eq(lr_dataset_count(train, LR_COUNT_TAG_USES_HELD_OUT), expect);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(real);
}
END_TEST

static Suite *split_suite(void)
{
    Suite *s = suite_create("split");
    TCase *tc = tcase_create("split");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, holdout_count_rule);
    tcase_add_test(tc, per_user_sizes_and_partition);
    tcase_add_test(tc, sides_share_catalogue_and_recompute_stats);
    tcase_add_test(tc, single_artist_users_stay_in_train);
    tcase_add_test(tc, deterministic_per_seed);
    tcase_add_test(tc, default_options);
    tcase_add_test(tc, fraction_zero_and_one);
    tcase_add_test(tc, random_pairs_size_and_partition);
    tcase_add_test(tc, tiny_dataset_by_hand);
    tcase_add_test(tc, split_drops_tags_of_held_out_pairs);
    tcase_add_test(tc, files_drop_tags_of_test_pairs);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, real_data_matches_dev_split_sizes);
    tcase_add_test(tc, real_data_dev_split_drops_held_out_tags);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(split_suite()); }
