/* The real HetRec 2011 Last.fm 2K data set, when LASTREC_DATA names it (and
 * the dev split when LASTREC_SPLIT names it).  Its licence keeps it out of
 * the repository, so without it the suite reports a skip.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"

#include <math.h>

static lr_dataset *real;

/* Once per test case, in the parent, so the forked tests share it. */
static void load_real(void)
{
    if (lr_dataset_load(&real, getenv("LASTREC_DATA"), NULL) != LR_OK) {
        fprintf(stderr, "cannot load LASTREC_DATA: %s\n", lr_last_error());
        real = NULL;
    }
}

static void free_real(void)
{
    lr_dataset_free(real);
    real = NULL;
}

#define ck_count(which, want) ck_assert_int_eq(lr_dataset_count(real, (which)), (want))

START_TEST(file_counts)
{
    ck_assert_ptr_nonnull(real);
    ck_count(LR_COUNT_SOURCE_KIND, LR_SOURCE_HETREC);
    ck_count(LR_COUNT_USERS, 1892);
    ck_count(LR_COUNT_ARTISTS, 17632);
    ck_count(LR_COUNT_LISTENS, 92834);
    ck_count(LR_COUNT_TAGS_IN_FILE, 11946);
    ck_count(LR_COUNT_TAG_USES_IN_FILE, 186479);
    ck_count(LR_COUNT_FRIEND_ROWS, 25434);
    ck_count(LR_COUNT_FRIEND_PAIRS, 12717);
    ck_count(LR_COUNT_FRIEND_ROWS_ONE_WAY, 0);
    ck_count(LR_COUNT_LATIN1_FIXES, 0);   /* this copy of tags.dat is valid UTF-8 */
    ck_count(LR_COUNT_TIMESTAMPS_MERGED, 0); /* no timestamps file */
}
END_TEST

/* docs/data.md states these numbers; a change here must change it too. */
START_TEST(policy_counts)
{
    ck_assert_ptr_nonnull(real);
    ck_count(LR_COUNT_TAG_USES_UNLISTENED, 1538);
    ck_count(LR_COUNT_ARTISTS_UNLISTENED, 390);
    ck_count(LR_COUNT_MIN_TAG_USES, 2);
    ck_count(LR_COUNT_TAGS, 3262);
    ck_count(LR_COUNT_TAGS_DROPPED, 8684);
    ck_count(LR_COUNT_TAG_USES_RARE, 7558);
    ck_count(LR_COUNT_TAG_USES, 177383);
    ck_assert_int_eq(lr_dataset_count(real, LR_COUNT_TAG_USES) +
                         lr_dataset_count(real, LR_COUNT_TAG_USES_RARE) +
                         lr_dataset_count(real, LR_COUNT_TAG_USES_UNLISTENED),
                     186479);
}
END_TEST

/* Mean, population and sample standard deviation of one statistic over
 * all users or artists. */
static void moments(int kind, double *mean, double *pstd, double *sstd)
{
    size_t n = 0;
    int rc = lr_dataset_ids(real, kind, NULL, 0, &n);
    ck_assert_int_eq(rc, LR_E_BUFSIZE);
    int32_t *ids = malloc(n * sizeof *ids);
    ck_assert_lr_ok(lr_dataset_ids(real, kind, ids, n, &n));
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double v;
        if (kind == LR_IDS_USERS)
            ck_assert_lr_ok(lr_dataset_user_stat(real, ids[i], LR_STAT_TOTAL_LISTENS, &v));
        else
            ck_assert_lr_ok(lr_dataset_artist_stat(real, ids[i], LR_STAT_TOTAL_LISTENS, &v));
        s += v;
        ss += v * v;
    }
    free(ids);
    *mean = s / (double)n;
    double m2 = ss - s * s / (double)n;
    *pstd = sqrt(m2 / (double)n);
    *sstd = sqrt(m2 / (double)(n - 1));
}

/* The notebook's figures come from pandas' .std(), the sample standard
 * deviation (ddof = 1); the population one differs in the first decimals. */
START_TEST(listen_totals_match_the_notebook)
{
    ck_assert_ptr_nonnull(real);
    double mean, pstd, sstd;
    moments(LR_IDS_USERS, &mean, &pstd, &sstd);
    ck_assert_double_eq_tol(mean, 36566.583, 0.0005);
    ck_assert_double_eq_tol(sstd, 48744.552, 0.0005);
    ck_assert_double_eq_tol(pstd, 48731.669, 0.0005);
    moments(LR_IDS_ARTISTS, &mean, &pstd, &sstd);
    ck_assert_double_eq_tol(mean, 3923.774, 0.0005);
    ck_assert_double_eq_tol(sstd, 34099.342, 0.0005);
    ck_assert_double_eq_tol(pstd, 34098.375, 0.0005);
}
END_TEST

START_TEST(known_rows)
{
    ck_assert_ptr_nonnull(real);
    ck_assert_str_eq(lr_dataset_artist_name(real, 1), "MALICE MIZER");
    ck_assert_str_eq(lr_dataset_artist_name(real, 289), "Britney Spears");
    double v;
    ck_assert_lr_ok(lr_dataset_artist_stat(real, 289, LR_STAT_TOTAL_LISTENS, &v));
    ck_assert_double_eq(v, 2393140);
    ck_assert_lr_ok(lr_dataset_artist_stat(real, 89, LR_STAT_COUNT, &v)); /* Lady Gaga */
    ck_assert_double_eq(v, 611);
    int32_t artists[64];
    float counts[64];
    size_t n;
    ck_assert_lr_ok(lr_dataset_user_listens(real, 1642, artists, counts, 64, &n));
    int found = 0;
    for (size_t i = 0; i < n; i++)
        if (artists[i] == 72)
            found = counts[i] == 352698.0f; /* the largest listen count */
    ck_assert(found);
    ck_assert_str_eq(lr_dataset_tag_name(real, 1), "Metal");
    ck_assert_str_eq(lr_dataset_tag_name(real, 2), "AlternativeMetal");
}
END_TEST

static void load_side(const char *split, const char *name, int64_t rows)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", split, name);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load_listens(&ds, path, real, NULL));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), rows);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 1892);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 17632);
    lr_dataset_free(ds);
}

START_TEST(split_against_the_catalogue)
{
    const char *split = getenv("LASTREC_SPLIT");
    if (!split || !*split) {
        printf("split_against_the_catalogue: LASTREC_SPLIT is not set, nothing to check\n");
        return;
    }
    ck_assert_ptr_nonnull(real);
    load_side(split, "train.dat", 74265);
    load_side(split, "test.dat", 18569);
}
END_TEST

static Suite *real_suite(void)
{
    Suite *s = suite_create("real_data");
    TCase *tc = tcase_create("hetrec2011");
    tcase_add_unchecked_fixture(tc, load_real, free_real);
    tcase_add_test(tc, file_counts);
    tcase_add_test(tc, policy_counts);
    tcase_add_test(tc, listen_totals_match_the_notebook);
    tcase_add_test(tc, known_rows);
    tcase_add_test(tc, split_against_the_catalogue);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    const char *data = getenv("LASTREC_DATA");
    if (!data || !*data) {
        printf("skipped: LASTREC_DATA is not set\n");
        return 77;
    }
    return lr_test_run(real_suite());
}
