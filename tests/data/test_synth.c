/* The synth unit: the synthetic dataset and writing HetRec directories.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "core/utf8.h"
#include "data/dataset.h"
#include "data/synth.h"
#include "data/write_hetrec.h"

#include <dirent.h>
#include <math.h>
#include <time.h>

static lr_dataset *synth(const char *settings)
{
    lr_options *o;
    lr_dataset *ds;
    ck_assert_lr_ok(lr_options_new(&o));
    if (settings)
        ck_assert_lr_ok(lr_options_set_string(o, settings));
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

static int64_t row_len(const lr__csr *m, int32_t r) { return m->ptr[r + 1] - m->ptr[r]; }

static int same_csr(const lr__csr *x, const lr__csr *y)
{
    return x->rows == y->rows && x->cols == y->cols && x->nnz == y->nnz &&
           memcmp(x->ptr, y->ptr, ((size_t)x->rows + 1) * sizeof *x->ptr) == 0 &&
           memcmp(x->idx, y->idx, (size_t)x->nnz * sizeof *x->idx) == 0 &&
           (!x->val || memcmp(x->val, y->val, (size_t)x->nnz * sizeof *x->val) == 0);
}

static int same_strtab(const lr__strtab *a, const lr__strtab *b)
{
    return a->n == b->n && a->off[a->n] == b->off[b->n] &&
           memcmp(a->blob, b->blob, (size_t)a->off[a->n]) == 0;
}

/* Field by field: lr__tag_use has padding that memcmp must not see. */
static int same_uses(const lr_dataset *a, const lr_dataset *b)
{
    if (a->n_tag_uses != b->n_tag_uses)
        return 0;
    for (int64_t i = 0; i < a->n_tag_uses; i++) {
        const lr__tag_use *x = &a->tag_uses[i], *y = &b->tag_uses[i];
        if (x->user != y->user || x->artist != y->artist || x->tag != y->tag ||
            x->time_ms != y->time_ms)
            return 0;
    }
    return 1;
}

static int same_dataset(const lr_dataset *a, const lr_dataset *b)
{
    return a->n_users == b->n_users && a->n_artists == b->n_artists && a->n_tags == b->n_tags &&
           memcmp(a->user_ids, b->user_ids, (size_t)a->n_users * sizeof(int32_t)) == 0 &&
           memcmp(a->artist_ids, b->artist_ids, (size_t)a->n_artists * sizeof(int32_t)) == 0 &&
           memcmp(a->tag_ids, b->tag_ids, (size_t)a->n_tags * sizeof(int32_t)) == 0 &&
           same_strtab(&a->artist_names, &b->artist_names) &&
           same_strtab(&a->tag_names, &b->tag_names) && same_csr(&a->listens, &b->listens) &&
           same_csr(&a->friends, &b->friends) && same_uses(a, b);
}

/* ---------------------------------------------------------- the data */

START_TEST(deterministic_per_seed)
{
    lr_dataset *a = synth(NULL), *b = synth("seed=42"), *c = synth("seed=43");
    ck_assert(same_dataset(a, b));
    ck_assert(!same_csr(&a->listens, &c->listens));
    ck_assert(!same_strtab(&a->artist_names, &c->artist_names));
    lr_dataset_free(a);
    lr_dataset_free(b);
    lr_dataset_free(c);
}
END_TEST

START_TEST(default_counts_in_range)
{
    lr_dataset *ds = synth(NULL);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND), LR_SOURCE_SYNTHETIC);
    ck_assert_str_eq(ds->source, "synthetic");
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 600);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 3000);
    int64_t listens = lr_dataset_count(ds, LR_COUNT_LISTENS);
    ck_assert_int_ge(listens, 600 * 40 * 8 / 10);
    ck_assert_int_le(listens, 600 * 40 * 12 / 10 + 3000);
    int64_t tags = lr_dataset_count(ds, LR_COUNT_TAGS);
    ck_assert_int_ge(tags, 240 / 2);
    ck_assert_int_lt(tags, 240); /* some are rare and dropped */
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS_IN_FILE), 240);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS_DROPPED), 240 - tags);
    int64_t uses = lr_dataset_count(ds, LR_COUNT_TAG_USES);
    int64_t rare = lr_dataset_count(ds, LR_COUNT_TAG_USES_RARE);
    ck_assert_int_gt(uses, 600 * 5);
    ck_assert_int_gt(rare, 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_IN_FILE), uses + rare);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_MIN_TAG_USES), 2);
    int64_t pairs = lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS);
    ck_assert_int_ge(pairs, 600 * 6 / 2 * 7 / 10);
    ck_assert_int_le(pairs, 600 * 6 / 2 * 13 / 10);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_ROWS), 2 * pairs);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_UNLISTENED), 0);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(structure_is_valid)
{
    lr_dataset *ds = synth(NULL);
    ck_assert(lr__csr_valid(&ds->listens));
    ck_assert(lr__csr_valid(&ds->friends));
    for (int32_t i = 1; i < ds->n_users; i++)
        ck_assert_int_gt(ds->user_ids[i], ds->user_ids[i - 1]);
    for (int32_t i = 1; i < ds->n_artists; i++)
        ck_assert_int_gt(ds->artist_ids[i], ds->artist_ids[i - 1]);
    /* IDs have gaps, as HetRec's do, so dense index and ID differ */
    ck_assert_int_gt(ds->artist_ids[ds->n_artists - 1], ds->n_artists);
    for (int32_t u = 0; u < ds->n_users; u++) {
        ck_assert_int_ge(row_len(&ds->listens, u), 1);
        ck_assert_int_eq(lr__csr_find(&ds->friends, u, u), -1);
        const int32_t *f;
        int64_t n = lr__csr_row(&ds->friends, u, &f, NULL);
        for (int64_t i = 0; i < n; i++)
            ck_assert_int_ge(lr__csr_find(&ds->friends, f[i], u), 0); /* symmetric */
    }
    for (int64_t i = 0; i < ds->listens.nnz; i++) {
        float w = ds->listens.val[i];
        ck_assert(w >= 1 && w == floorf(w));
    }
    for (int32_t a = 0; a < ds->n_artists; a++)
        ck_assert_int_ge(row_len(&ds->by_artist, a), 1); /* every artist is heard */
    const int64_t first = INT64_C(12996) * 86400000, end = INT64_C(15095) * 86400000;
    for (int64_t i = 0; i < ds->n_tag_uses; i++) {
        const lr__tag_use *t = &ds->tag_uses[i];
        ck_assert(t->tag >= 0 && t->tag < ds->n_tags);
        ck_assert(t->time_ms >= first && t->time_ms < end);
        if (i > 0) {
            const lr__tag_use *p = t - 1;
            ck_assert(p->user < t->user || (p->user == t->user && p->artist <= t->artist));
        }
    }
    lr_dataset_free(ds);
}
END_TEST

START_TEST(listen_counts_heavy_tailed)
{
    lr_dataset *ds = synth(NULL);
    double max = 0, sum = 0;
    for (int64_t i = 0; i < ds->listens.nnz; i++) {
        sum += ds->listens.val[i];
        max = fmax(max, ds->listens.val[i]);
    }
    double mean = sum / (double)ds->listens.nnz;
    ck_assert_msg(max > 30 * mean, "max %g, mean %g: not heavy-tailed", max, mean);
    /* popularity: the most-heard artist has many times the median's fans */
    int64_t top = 0, ones = 0;
    for (int32_t a = 0; a < ds->n_artists; a++) {
        int64_t f = row_len(&ds->by_artist, a);
        top = f > top ? f : top;
        ones += f == 1;
    }
    ck_assert_int_gt(top, 100);
    ck_assert_int_gt(ones, ds->n_artists / 10); /* a long one-fan tail */
    lr_dataset_free(ds);
}
END_TEST

START_TEST(names_unique_and_readable)
{
    lr_dataset *ds = synth(NULL);
    int accented = 0;
    for (int32_t a = 0; a < ds->n_artists; a++) {
        const char *n = lr__strtab_get(&ds->artist_names, a);
        ck_assert(strlen(n) >= 2 && strlen(n) < 80);
        ck_assert(lr__utf8_valid(n, strlen(n)));
        ck_assert_msg(n[0] >= 'A' && n[0] <= 'Z', "'%s' does not start with a capital", n);
        for (const char *p = n; *p; p++)
            accented += (unsigned char)*p >= 0xc0;
    }
    ck_assert_int_gt(accented, 20);
    /* names share words, so a search has several candidates */
    size_t found;
    char first_word[64];
    const char *n0 = lr__strtab_get(&ds->artist_names, 1);
    sscanf(n0, "%63[^ ]", first_word);
    ck_assert_lr_ok(lr_dataset_find_artist(ds, first_word, NULL, 0, &found));
    ck_assert_uint_ge(found, 1);
    int shared = 0;
    for (int32_t a = 0; a < 200; a++) {
        char w[64];
        sscanf(lr__strtab_get(&ds->artist_names, a), "%63[^ ]", w);
        if (strlen(w) >= 4 && lr_dataset_find_artist(ds, w, NULL, 0, &found) == LR_OK &&
            found >= 3)
            shared++;
    }
    ck_assert_int_gt(shared, 20);
    lr_dataset_free(ds);
}
END_TEST

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

START_TEST(all_names_unique)
{
    lr_dataset *ds = synth("synth_artists=5000");
    const char **sorted = malloc((size_t)ds->n_artists * sizeof *sorted);
    for (int32_t a = 0; a < ds->n_artists; a++)
        sorted[a] = lr__strtab_get(&ds->artist_names, a);
    qsort(sorted, (size_t)ds->n_artists, sizeof *sorted, cmp_names);
    for (int32_t a = 1; a < ds->n_artists; a++)
        ck_assert_str_ne(sorted[a - 1], sorted[a]);
    free(sorted);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(tag_names_camel_case)
{
    lr_dataset *ds = synth(NULL);
    for (int32_t t = 0; t < ds->n_tags; t++) {
        const char *n = lr__strtab_get(&ds->tag_names, t);
        ck_assert_msg(strchr(n, ' ') == NULL && strchr(n, '-') == NULL, "'%s'", n);
        ck_assert_msg((n[0] >= 'A' && n[0] <= 'Z') || (n[0] >= '0' && n[0] <= '9'), "'%s'", n);
        char *words = lr__tag_words(n), *back = lr__camel_case(words);
        ck_assert_str_eq(back, n);
        free(words);
        free(back);
        for (int32_t u = t + 1; u < ds->n_tags; u++)
            ck_assert_str_ne(n, lr__strtab_get(&ds->tag_names, u));
    }
    lr_dataset_free(ds);
}
END_TEST

/* Users of one cluster share far more artists than users of different
 * clusters, and friends more than random pairs. */
START_TEST(cluster_structure)
{
    lr__synth_params p;
    lr__synth_params_from(&p, NULL);
    lr__synth_truth truth;
    lr_dataset *ds;
    ck_assert_lr_ok(lr__synthesize(&ds, &p, &truth));
    ck_assert_int_eq(truth.clusters, 12);
    double within = 0, across = 0;
    int nw = 0, na = 0;
    for (int32_t u = 0; u < ds->n_users; u += 3)
        for (int32_t v = u + 1; v < ds->n_users; v += 5) {
            double j;
            ck_assert_lr_ok(lr_dataset_user_overlap(ds, ds->user_ids[u], ds->user_ids[v],
                                                    LR_OVERLAP_JACCARD, &j));
            if (truth.user_cluster[u] == truth.user_cluster[v]) {
                within += j;
                nw++;
            } else {
                across += j;
                na++;
            }
        }
    within /= nw;
    across /= na;
    ck_assert_msg(within > 3 * across, "Jaccard within clusters %.4f, across %.4f", within,
                  across);

    size_t n;
    double *fj = malloc(ds->friends.nnz * sizeof *fj), *rj = malloc(ds->friends.nnz * sizeof *rj);
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_FRIEND_JACCARD, fj, (size_t)ds->friends.nnz, &n));
    double f = 0, r = 0;
    for (size_t i = 0; i < n; i++)
        f += fj[i] / (double)n;
    ck_assert_lr_ok(lr_dataset_distribution(ds, LR_DIST_RANDOM_JACCARD, rj, (size_t)ds->friends.nnz, &n));
    for (size_t i = 0; i < n; i++)
        r += rj[i] / (double)n;
    ck_assert_msg(f > 2 * r, "friend Jaccard %.4f, random %.4f", f, r);
    free(fj);
    free(rj);

    /* tags follow clusters: two artists of one cluster share their top tag
     * far more often than two of different clusters */
    int same[2] = {0, 0}, pairs[2] = {0, 0};
    for (int32_t a = 0; a < ds->n_artists; a++)
        for (int32_t b = a + 1; b < ds->n_artists && b < a + 60; b++) {
            if (ds->artist_top_tag[a] < 0 || ds->artist_top_tag[b] < 0)
                continue;
            int k = truth.artist_cluster[a] == truth.artist_cluster[b];
            pairs[k]++;
            same[k] += ds->artist_top_tag[a] == ds->artist_top_tag[b];
        }
    ck_assert(pairs[0] > 0 && pairs[1] > 0);
    double rate_within = (double)same[1] / pairs[1], rate_across = (double)same[0] / pairs[0];
    ck_assert_msg(rate_within > 3 * rate_across, "shared top tag: within %.3f, across %.3f",
                  rate_within, rate_across);
    lr__synth_truth_free(&truth);
    lr_dataset_free(ds);
}
END_TEST

/* Precision@10 of a recommender over the per-user split: knn scores by
 * cosine-weighted neighbours, otherwise by popularity (train fans). */
static double precision_at_10(const lr_dataset *tr, const lr_dataset *te, int knn)
{
    int32_t A = tr->n_artists, U = tr->n_users;
    double *score = malloc((size_t)A * sizeof *score), *shared = malloc((size_t)U * sizeof *shared);
    double sum = 0;
    int users = 0;
    for (int32_t u = 0; u < U; u++) {
        if (row_len(&te->listens, u) == 0)
            continue;
        users++;
        for (int32_t a = 0; a < A; a++)
            score[a] = knn ? 0 : (double)row_len(&tr->by_artist, a);
        if (knn) {
            memset(shared, 0, (size_t)U * sizeof *shared);
            for (int64_t i = tr->listens.ptr[u]; i < tr->listens.ptr[u + 1]; i++) {
                int32_t a = tr->listens.idx[i];
                for (int64_t j = tr->by_artist.ptr[a]; j < tr->by_artist.ptr[a + 1]; j++)
                    shared[tr->by_artist.idx[j]] += 1;
            }
            for (int32_t v = 0; v < U; v++) {
                if (v == u || shared[v] == 0)
                    continue;
                double s = shared[v] / sqrt((double)row_len(&tr->listens, u) * (double)row_len(&tr->listens, v));
                for (int64_t j = tr->listens.ptr[v]; j < tr->listens.ptr[v + 1]; j++)
                    score[tr->listens.idx[j]] += s;
            }
        }
        for (int64_t i = tr->listens.ptr[u]; i < tr->listens.ptr[u + 1]; i++)
            score[tr->listens.idx[i]] = -1;
        int hits = 0;
        for (int k = 0; k < 10; k++) {
            int32_t best = 0;
            for (int32_t a = 1; a < A; a++)
                if (score[a] > score[best])
                    best = a;
            hits += lr__csr_find(&te->listens, u, best) >= 0;
            score[best] = -2;
        }
        sum += hits / 10.0;
    }
    free(score);
    free(shared);
    return sum / users;
}

START_TEST(taste_beats_popularity)
{
    lr_dataset *ds = synth(NULL), *train, *test;
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, NULL, &train, &test));
    double pop = precision_at_10(train, test, 0), knn = precision_at_10(train, test, 1);
    printf("precision@10 on the default synthetic split: popularity %.4f, user-kNN %.4f\n", pop,
           knn);
    ck_assert_msg(knn > 2 * pop, "user-kNN %.4f vs popularity %.4f", knn, pop);
    ck_assert_msg(pop > 0.02, "popularity should still find something: %.4f", pop);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(small_and_odd_sizes)
{
    /* more clusters than artists, one tag, one artist per user, no friends */
    lr_dataset *ds = synth("synth_users=2,synth_artists=2,synth_clusters=1000,synth_tags=1,"
                           "synth_artists_per_user=1,synth_friends_per_user=0");
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS), 0);
    ck_assert(lr__csr_valid(&ds->listens));
    lr_dataset_free(ds);

    /* asking for more artists per user than exist */
    ds = synth("synth_users=20,synth_artists=15,synth_artists_per_user=100,synth_clusters=3");
    for (int32_t u = 0; u < ds->n_users; u++)
        ck_assert_int_le(row_len(&ds->listens, u), 15);
    ck_assert(lr__csr_valid(&ds->listens));
    lr_dataset_free(ds);

    /* a policy that keeps every used tag, and one that drops all */
    ds = synth("min_tag_uses=0");
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_RARE), 0);
    lr_dataset_free(ds);
    ds = synth("min_tag_uses=1000000");
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES), 0);
    ck_assert_int_gt(lr_dataset_count(ds, LR_COUNT_TAG_USES_RARE), 0);
    double top;
    ck_assert_lr_ok(lr_dataset_artist_stat(ds, ds->artist_ids[0], LR_STAT_TOP_TAG, &top));
    ck_assert_double_eq(top, -1);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(bad_arguments)
{
    ck_assert_lr_fail(lr_dataset_synthesize(NULL, NULL), LR_E_INVALID, "NULL");
    lr__synth_params p;
    lr__synth_params_from(&p, NULL);
    p.users = 10000000;
    p.artists_per_user = 1000;
    p.artists = 10000000;
    lr_dataset *ds = (lr_dataset *)1;
    ck_assert_lr_fail(lr__synthesize(&ds, &p, NULL), LR_E_INVALID, "at most 5e8");
    ck_assert_ptr_null(ds);
    lr__synth_params_from(&p, NULL);
    p.clusters = 0;
    ck_assert_lr_fail(lr__synthesize(&ds, &p, NULL), LR_E_INVALID, "out of range");
}
END_TEST

START_TEST(default_size_is_instant)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    lr_dataset *ds = synth(NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("default synthetic dataset: %.1f ms\n", ms);
    ck_assert_msg(ms < 500, "synthesis took %.1f ms", ms); /* ~10 ms; room for sanitizers */
    lr_dataset_free(ds);
}
END_TEST

/* -------------------------------------------------------- HetRec files */

static int count_lines(const char *dir, const char *name, char *header, size_t cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    ck_assert_msg(fp != NULL, "%s missing", path);
    int lines = 0, c, prev = '\n';
    size_t h = 0;
    while ((c = fgetc(fp)) != EOF) {
        if (lines == 0 && c != '\n' && h + 1 < cap)
            header[h++] = (char)c;
        lines += c == '\n';
        prev = c;
    }
    header[h] = '\0';
    fclose(fp);
    ck_assert_msg(prev == '\n', "%s does not end with a newline", name);
    return lines;
}

static void assert_no_temporaries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    struct dirent *e;
    while ((e = readdir(d)))
        ck_assert_msg(strstr(e->d_name, ".tmp") == NULL, "left behind: %s", e->d_name);
    closedir(d);
}

START_TEST(write_hetrec_files)
{
    lr_dataset *ds = synth(NULL);
    char dir[512];
    snprintf(dir, sizeof dir, "%s/nested/hetrec", lr_test_tmpdir());
    ck_assert_lr_ok(lr_dataset_write_hetrec(ds, dir));
    char h[256];
    ck_assert_int_eq(count_lines(dir, "artists.dat", h, sizeof h), ds->n_artists + 1);
    ck_assert_str_eq(h, "id\tname\turl\tpictureURL");
    ck_assert_int_eq(count_lines(dir, "tags.dat", h, sizeof h), ds->n_tags + 1);
    ck_assert_str_eq(h, "tagID\ttagValue");
    ck_assert_int_eq(count_lines(dir, "user_artists.dat", h, sizeof h), ds->listens.nnz + 1);
    ck_assert_str_eq(h, "userID\tartistID\tweight");
    ck_assert_int_eq(count_lines(dir, "user_friends.dat", h, sizeof h), ds->friends.nnz + 1);
    ck_assert_str_eq(h, "userID\tfriendID");
    ck_assert_int_eq(count_lines(dir, "user_taggedartists.dat", h, sizeof h), ds->n_tag_uses + 1);
    ck_assert_str_eq(h, "userID\tartistID\ttagID\tday\tmonth\tyear");
    assert_no_temporaries(dir);

    /* the first listen row, as HetRec writes it */
    char path[600], line[256];
    snprintf(path, sizeof path, "%s/user_artists.dat", dir);
    FILE *fp = fopen(path, "r");
    ck_assert(fgets(line, sizeof line, fp) && fgets(line, sizeof line, fp));
    fclose(fp);
    char want[128];
    snprintf(want, sizeof want, "%d\t%d\t%.0f\n", ds->user_ids[0], ds->artist_ids[ds->listens.idx[0]],
             (double)ds->listens.val[0]);
    ck_assert_str_eq(line, want);

    /* writing again replaces the files */
    ck_assert_lr_ok(lr_dataset_write_hetrec(ds, dir));
    ck_assert_int_eq(count_lines(dir, "artists.dat", h, sizeof h), ds->n_artists + 1);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(write_hetrec_small_by_hand)
{
    lr_dataset *ds = synth("synth_users=3,synth_artists=4,synth_tags=5,min_tag_uses=0");
    /* a name with a tab and a use at a known time */
    free(ds->artist_names.blob);
    free(ds->artist_names.off);
    char *names[] = {"Tab\tName", "Sigur R\xc3\xb3s", "b", "c"};
    ck_assert_lr_ok(lr__strtab_from_array(&ds->artist_names, names, 4));
    if (ds->n_tag_uses > 0)
        ds->tag_uses[0].time_ms = INT64_C(951825600000); /* 2000-02-29 12:00 UTC */
    const char *dir = lr_test_tmpdir();
    ck_assert_lr_ok(lr_dataset_write_hetrec(ds, dir));
    char path[600], line[256];
    snprintf(path, sizeof path, "%s/artists.dat", dir);
    FILE *fp = fopen(path, "r");
    ck_assert(fgets(line, sizeof line, fp) && fgets(line, sizeof line, fp));
    char want[256];
    snprintf(want, sizeof want, "%d\tTab Name\thttp://www.last.fm/music/Tab+Name\t\n",
             ds->artist_ids[0]);
    ck_assert_str_eq(line, want);
    ck_assert(fgets(line, sizeof line, fp));
    snprintf(want, sizeof want, "%d\tSigur R\xc3\xb3s\thttp://www.last.fm/music/Sigur+R\xc3\xb3s\t\n",
             ds->artist_ids[1]);
    ck_assert_str_eq(line, want);
    fclose(fp);
    if (ds->n_tag_uses > 0) {
        snprintf(path, sizeof path, "%s/user_taggedartists.dat", dir);
        fp = fopen(path, "r");
        ck_assert(fgets(line, sizeof line, fp) && fgets(line, sizeof line, fp));
        const lr__tag_use *t = &ds->tag_uses[0];
        snprintf(want, sizeof want, "%d\t%d\t%d\t29\t2\t2000\n", ds->user_ids[t->user],
                 ds->artist_ids[t->artist], ds->tag_ids[t->tag]);
        ck_assert_str_eq(line, want);
        fclose(fp);
    }
    lr_dataset_free(ds);
}
END_TEST

START_TEST(write_hetrec_failures)
{
    lr_dataset *ds = synth("synth_users=5,synth_artists=10");
    const char *tmp = lr_test_tmpdir();
    char dir[600];
    LR_TEST_WRITE_STR(tmp, "plain", "not a directory\n");
    snprintf(dir, sizeof dir, "%s/plain/sub", tmp);
    ck_assert_lr_fail(lr_dataset_write_hetrec(ds, dir), LR_E_IO, "cannot create directory");
    ck_assert_lr_fail(lr_dataset_write_hetrec(ds, ""), LR_E_INVALID, "empty");
    ck_assert_lr_fail(lr_dataset_write_hetrec(NULL, tmp), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_dataset_write_hetrec(ds, NULL), LR_E_INVALID, "NULL");
    lr_dataset_free(ds);
}
END_TEST

START_TEST(civil_dates)
{
    int y, m, d;
    lr__civil_date(0, &y, &m, &d);
    ck_assert(y == 1970 && m == 1 && d == 1);
    lr__civil_date(-1, &y, &m, &d);
    ck_assert(y == 1969 && m == 12 && d == 31);
    lr__civil_date(INT64_C(951825600000), &y, &m, &d);
    ck_assert(y == 2000 && m == 2 && d == 29);
    lr__civil_date(INT64_C(15403) * 86400000, &y, &m, &d);
    ck_assert(y == 2012 && m == 3 && d == 4);
    lr__civil_date(INT64_C(1304208000000), &y, &m, &d); /* 2011-05-01 00:00 */
    ck_assert(y == 2011 && m == 5 && d == 1);
    lr__civil_date(INT64_C(1304207999999), &y, &m, &d);
    ck_assert(y == 2011 && m == 4 && d == 30);
}
END_TEST

START_TEST(tag_words)
{
    const char *pairs[][2] = {{"HipHop", "hip hop"}, {"PostRock", "post rock"},
                              {"80s", "80s"},         {"SeenLive", "seen live"},
                              {"Rock2", "rock2"},     {"Rock'n'Roll", "rock'n' roll"},
                              {"-", "-"},             {"", ""}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char *w = lr__tag_words(pairs[i][0]);
        ck_assert_str_eq(w, pairs[i][1]);
        char *back = lr__camel_case(w);
        ck_assert_str_eq(back, pairs[i][0]);
        free(w);
        free(back);
    }
}
END_TEST

/* Written and loaded back through the HetRec loader, the dataset is the
 * same: counts, users, listens, names and tags. */
START_TEST(round_trip_through_loader)
{
    lr_dataset *ds = synth(NULL), *back;
    const char *dir = lr_test_tmpdir();
    ck_assert_lr_ok(lr_dataset_write_hetrec(ds, dir));
    ck_assert_lr_ok(lr_dataset_load(&back, dir, NULL));
    const int counts[] = {LR_COUNT_USERS, LR_COUNT_ARTISTS, LR_COUNT_LISTENS, LR_COUNT_TAGS,
                          LR_COUNT_TAG_USES, LR_COUNT_FRIEND_PAIRS, LR_COUNT_FRIEND_ROWS};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        ck_assert_msg(lr_dataset_count(back, counts[i]) == lr_dataset_count(ds, counts[i]),
                      "count %d: %lld loaded, %lld written", counts[i],
                      (long long)lr_dataset_count(back, counts[i]),
                      (long long)lr_dataset_count(ds, counts[i]));
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_TAG_USES_RARE), 0);
    ck_assert_mem_eq(back->user_ids, ds->user_ids, (size_t)ds->n_users * sizeof(int32_t));
    ck_assert_mem_eq(back->artist_ids, ds->artist_ids, (size_t)ds->n_artists * sizeof(int32_t));
    ck_assert_mem_eq(back->tag_ids, ds->tag_ids, (size_t)ds->n_tags * sizeof(int32_t));
    ck_assert(same_csr(&back->listens, &ds->listens));
    ck_assert(same_csr(&back->friends, &ds->friends));
    ck_assert(same_strtab(&back->artist_names, &ds->artist_names));
    ck_assert(same_strtab(&back->tag_names, &ds->tag_names));
    /* tag uses keep who, what and which tag; times come back as the day */
    for (int64_t i = 0; i < ds->n_tag_uses; i++) {
        ck_assert_int_eq(back->tag_uses[i].user, ds->tag_uses[i].user);
        ck_assert_int_eq(back->tag_uses[i].artist, ds->tag_uses[i].artist);
        ck_assert_int_eq(back->tag_uses[i].tag, ds->tag_uses[i].tag);
    }
    lr_dataset_free(back);
    lr_dataset_free(ds);
}
END_TEST

static Suite *synth_suite(void)
{
    Suite *s = suite_create("synth");
    TCase *data = tcase_create("data");
    tcase_add_test(data, deterministic_per_seed);
    tcase_add_test(data, default_counts_in_range);
    tcase_add_test(data, structure_is_valid);
    tcase_add_test(data, listen_counts_heavy_tailed);
    tcase_add_test(data, names_unique_and_readable);
    tcase_add_test(data, all_names_unique);
    tcase_add_test(data, tag_names_camel_case);
    tcase_add_test(data, cluster_structure);
    tcase_add_test(data, taste_beats_popularity);
    tcase_add_test(data, small_and_odd_sizes);
    tcase_add_test(data, bad_arguments);
    tcase_add_test(data, default_size_is_instant);
    suite_add_tcase(s, data);
    TCase *files = tcase_create("hetrec");
    tcase_add_test(files, write_hetrec_files);
    tcase_add_test(files, write_hetrec_small_by_hand);
    tcase_add_test(files, write_hetrec_failures);
    tcase_add_test(files, civil_dates);
    tcase_add_test(files, tag_words);
    tcase_add_test(files, round_trip_through_loader);
    suite_add_tcase(s, files);
    return s;
}

int main(void) { return lr_test_run(synth_suite()); }
