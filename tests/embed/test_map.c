/* The map unit and its public calls: which artists a map takes (fans, zero
 * vectors), PCA and t-SNE of a model's artist vectors through
 * lr_model_pca / lr_model_tsne (the clusters of hand-made vectors come
 * apart, the same options give the same bits on 1 and 2 threads, the
 * progress callback sees the KL and can cancel), t-SNE's scaled PCA
 * start, the norms and correlations of lr_model_artist_norms /
 * lr_model_norm_stat against the model's own vectors and training data,
 * and bad input: a model without vectors, non-finite vectors, too few
 * artists, a perplexity too large for them.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "../data/tiny.h"
#include "lastrec.h"
#include "core/rng.h"
#include "embed/map.h"
#include "embed/pca.h"
#include "model/model.h"
#include "knn10.h"

#include <math.h>

/* ------------------------------------------------------------ fixtures */

enum { USERS = 6, D = 8, CLUSTERS = 4 };

/* A model of n artists (IDs 100, 110, ...) over USERS users whose artist
 * vectors are c clusters in D dimensions (centres N(0, 3^2), points
 * N(centre, 0.5^2)); artist i has 1 + i % 3 fans, except those listed
 * in `unheard`, which have none.  label[n] gets each artist's cluster. */
static lr_model *cluster_model(int32_t n, int32_t c, uint64_t seed, int32_t *label,
                               const int32_t *unheard, int n_unheard)
{
    int32_t users[USERS], *artists = malloc((size_t)n * sizeof *artists);
    char **names = malloc((size_t)n * sizeof *names);
    tiny_listen *l = malloc((size_t)n * 3 * sizeof *l);
    size_t nl = 0;
    for (int u = 0; u < USERS; u++)
        users[u] = u + 1;
    for (int32_t i = 0; i < n; i++) {
        artists[i] = 100 + 10 * i;
        names[i] = malloc(16);
        snprintf(names[i], 16, "A%d", (int)i);
        int heard = 1;
        for (int j = 0; j < n_unheard; j++)
            heard &= unheard[j] != i;
        for (int f = 0; heard && f < 1 + i % 3; f++)
            l[nl++] = (tiny_listen){(int32_t)((i + f) % USERS + 1), artists[i], (float)(1 + f)};
    }
    tiny_spec s = {.users = users, .n_users = USERS, .artists = artists,
                   .artist_names = (const char *const *)names, .n_artists = n, .listens = l,
                   .n_listens = nl};
    lr_dataset *ds = tiny_build(&s);
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_MF, NULL));
    ck_assert_lr_ok(lr__model_take_catalogue(m, ds));
    lr_dataset_free(ds);
    m->k = D;
    m->user_f = calloc((size_t)USERS * D, sizeof(float));
    m->artist_f = malloc((size_t)n * D * sizeof(float));
    lr__rng r;
    lr__rng_seed(&r, seed);
    double *centre = malloc((size_t)c * D * sizeof *centre);
    for (int32_t t = 0; t < c * D; t++)
        centre[t] = 3.0 * lr__rng_normal(&r);
    for (int32_t i = 0; i < n; i++) {
        if (label)
            label[i] = i % c;
        for (int32_t f = 0; f < D; f++)
            m->artist_f[(size_t)i * D + f] =
                (float)(centre[(size_t)(i % c) * D + f] + 0.5 * lr__rng_normal(&r));
    }
    free(centre);
    ck_assert_lr_ok(lr__model_prepare(m));
    m->fitted = 1;
    for (int32_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(artists);
    free(l);
    return m;
}

static lr_options *opts_of(const char *text)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    if (text)
        ck_assert_lr_ok(lr_options_set_string(o, text));
    return o;
}

/* The 2-D coordinates of a map, with its IDs. */
static double *coords_of(const lr_map *map, int32_t **ids)
{
    size_t n = 0, nc = 0;
    ck_assert_int_eq(lr_map_ids(map, NULL, 0, &n), n ? LR_E_BUFSIZE : LR_OK);
    *ids = malloc((n + 1) * sizeof **ids);
    ck_assert_lr_ok(lr_map_ids(map, *ids, n, NULL));
    lr_map_coords(map, NULL, 0, &nc);
    double *xy = malloc((nc + 1) * sizeof *xy);
    ck_assert_lr_ok(lr_map_coords(map, xy, nc, NULL));
    return xy;
}

/* --------------------------------------------------------------- subset */

START_TEST(subset_leaves_out_zero_vectors_and_few_fans)
{
    const int32_t unheard[] = {3, 7};
    lr_model *m = cluster_model(40, 4, 1, NULL, unheard, 2);
    /* artist 5's vector is zero although it has fans */
    memset(m->artist_f + 5 * D, 0, D * sizeof(float));
    int32_t *sel, n;
    ck_assert_lr_ok(lr__map_subset(m, 1, &sel, &n));
    ck_assert_int_eq(n, 37);
    for (int32_t i = 0; i < n; i++)
        ck_assert(sel[i] != 3 && sel[i] != 7 && sel[i] != 5);
    free(sel);
    /* min_fans 0 takes the unheard ones back, never the zero vector */
    ck_assert_lr_ok(lr__map_subset(m, 0, &sel, &n));
    ck_assert_int_eq(n, 39);
    free(sel);
    /* 3 fans: artists 2, 5, 8, ... less the zero 5 */
    ck_assert_lr_ok(lr__map_subset(m, 3, &sel, &n));
    ck_assert_int_eq(n, 12);
    for (int32_t i = 0; i < n; i++)
        ck_assert_int_eq(sel[i] % 3, 2);
    free(sel);
    lr_model_free(m);
}
END_TEST

/* ------------------------------------------------------------------ PCA */

START_TEST(pca_map_of_a_model)
{
    const int32_t unheard[] = {0};
    lr_model *m = cluster_model(60, 3, 2, NULL, unheard, 1);
    lr_map *map = NULL;
    ck_assert_lr_ok(lr_model_pca(&map, m, 3, NULL));
    ck_assert_double_eq(lr_map_stat(map, LR_MAP_ROWS), 59);
    ck_assert_double_eq(lr_map_stat(map, LR_MAP_DIMS), 3);
    ck_assert(isnan(lr_map_stat(map, LR_MAP_KL)));
    ck_assert(isnan(lr_map_stat(map, LR_MAP_ITERATIONS)));
    int32_t *ids;
    double *xy = coords_of(map, &ids);
    ck_assert_int_eq(ids[0], 110); /* artist 100 had no fan */
    /* the same numbers as the unit on the same rows */
    double *want = malloc(59 * 3 * sizeof *want), var[3], total;
    ck_assert_lr_ok(lr__pca(m->artist_f + D, 59, D, 3, want, var, &total));
    for (int i = 0; i < 59 * 3; i++)
        ck_assert(xy[i] == want[i]);
    double v[3], share[3];
    size_t needed;
    ck_assert_lr_ok(lr_map_variance(map, v, share, 3, &needed));
    ck_assert_uint_eq(needed, 3);
    double sum = 0;
    for (int j = 0; j < 3; j++) {
        ck_assert(v[j] == var[j]);
        ck_assert_double_eq_tol(share[j], var[j] / total, 1e-15);
        sum += share[j];
    }
    ck_assert_double_eq(lr_map_stat(map, LR_MAP_TOTAL_VARIANCE), total);
    /* three clusters in 8-D: two components hold nearly all of it */
    ck_assert(share[0] + share[1] > 0.8 && sum <= 1 + 1e-12);
    free(xy);
    free(ids);
    free(want);
    lr_map_free(map);
    ck_assert_lr_fail(lr_model_pca(&map, m, 9, NULL), LR_E_INVALID, "between 1 and 8");
    ck_assert_ptr_null(map);
    ck_assert_lr_fail(lr_model_pca(&map, m, 0, NULL), LR_E_INVALID, "lr_model_pca");
    lr_options *o = opts_of("map_min_fans=1000");
    ck_assert_lr_fail(lr_model_pca(&map, m, 2, o), LR_E_INVALID, "PCA needs 2");
    lr_options_free(o);
    lr_model_free(m);
}
END_TEST

/* ---------------------------------------------------------------- t-SNE */

/* The start: PCA's first two components, the first scaled to a
 * (population) standard deviation of 1e-4 and the second by the same
 * factor. */
START_TEST(tsne_start_is_scaled_pca)
{
    lr_model *m = cluster_model(50, 3, 3, NULL, NULL, 0);
    double y[100], pc[100];
    ck_assert_lr_ok(lr__map_tsne_init(m->artist_f, 50, D, 1, y));
    ck_assert_lr_ok(lr__pca(m->artist_f, 50, D, 2, pc, NULL, NULL));
    double ss = 0;
    for (int i = 0; i < 50; i++)
        ss += y[2 * i] * y[2 * i]; /* PCA coordinates are centred */
    ck_assert_double_eq_tol(sqrt(ss / 50), 1e-4, 1e-12);
    const double s = y[0] / pc[0];
    ck_assert(s > 0);
    for (int i = 0; i < 100; i++)
        ck_assert_double_eq_tol(y[i], s * pc[i], 1e-15);
    /* identical points: a seeded spread of the same size instead */
    float same[4 * 2] = {1, 2, 1, 2, 1, 2, 1, 2};
    double z[8], z2[8];
    ck_assert_lr_ok(lr__map_tsne_init(same, 4, 2, 9, z));
    ck_assert_lr_ok(lr__map_tsne_init(same, 4, 2, 9, z2));
    ck_assert(memcmp(z, z2, sizeof z) == 0);
    for (int i = 0; i < 8; i++)
        ck_assert(z[i] != 0 && fabs(z[i]) < 1e-3);
    lr_model_free(m);
}
END_TEST

static const char *const tsne_small = "tsne_perplexity=10,tsne_iterations=400,"
                                      "tsne_exaggeration_iterations=150,seed=3";

START_TEST(tsne_separates_clusters)
{
    const int metric = _i ? LR_DISTANCE_COSINE : LR_DISTANCE_EUCLIDEAN;
    int32_t label[200];
    lr_model *m = cluster_model(200, CLUSTERS, 4, label, NULL, 0);
    lr_options *o = opts_of(tsne_small);
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_TSNE_METRIC, metric));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 1));
    lr_map *map = NULL;
    ck_assert_lr_ok(lr_model_tsne(&map, m, o));
    ck_assert_double_eq(lr_map_stat(map, LR_MAP_ROWS), 200);
    ck_assert_double_eq(lr_map_stat(map, LR_MAP_DIMS), 2);
    ck_assert_double_eq(lr_map_stat(map, LR_MAP_ITERATIONS), 400);
    const double kl = lr_map_stat(map, LR_MAP_KL), nn = lr_map_stat(map, LR_MAP_NN_PRESERVATION);
    ck_assert_msg(kl > 0 && kl < 2, "KL %g", kl);
    ck_assert_msg(nn > 0.3 && nn <= 1, "preservation %g", nn);
    ck_assert(isnan(lr_map_stat(map, LR_MAP_TOTAL_VARIANCE)));
    ck_assert_int_eq(lr_map_variance(map, NULL, NULL, 0, NULL), LR_E_UNSUPPORTED);
    int32_t *ids;
    double *xy = coords_of(map, &ids);
    const double acc = knn10_accuracy(xy, label, 200, CLUSTERS);
    ck_assert_msg(acc >= 0.9, "10-NN accuracy %g", acc);
    /* two threads: the same bits */
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 2));
    lr__opt_threads_uncap(1);
    lr_map *again = NULL;
    ck_assert_lr_ok(lr_model_tsne(&again, m, o));
    int32_t *ids2;
    double *xy2 = coords_of(again, &ids2);
    ck_assert(memcmp(xy, xy2, 400 * sizeof *xy) == 0);
    ck_assert(lr_map_stat(again, LR_MAP_KL) == kl);
    free(xy);
    free(xy2);
    free(ids);
    free(ids2);
    lr_map_free(map);
    lr_map_free(again);
    lr_options_free(o);
    lr_model_free(m);
}
END_TEST

typedef struct seen {
    int calls, cancel_at;
    double last_kl;
    uint64_t last_done, total;
} seen;

static int on_progress(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    seen *s = ud;
    s->calls++;
    ck_assert_msg(strncmp(stage, "tsne kl=", 8) == 0, "stage '%s'", stage);
    s->last_kl = atof(stage + 8);
    s->last_done = done;
    s->total = total;
    return s->cancel_at && s->calls >= s->cancel_at;
}

START_TEST(tsne_progress_and_cancel)
{
    lr_model *m = cluster_model(120, 3, 5, NULL, NULL, 0);
    lr_options *o = opts_of(tsne_small);
    seen s = {0};
    lr_options_set_progress(o, on_progress, &s);
    lr_map *map = NULL;
    ck_assert_lr_ok(lr_model_tsne(&map, m, o));
    ck_assert_int_eq(s.calls, 8); /* every 50 of 400 */
    ck_assert_uint_eq(s.last_done, 400);
    ck_assert_uint_eq(s.total, 400);
    ck_assert(s.last_kl > 0);
    lr_map_free(map);
    seen c = {.cancel_at = 2};
    lr_options_set_progress(o, on_progress, &c);
    map = (lr_map *)&c; /* overwritten with NULL */
    ck_assert_int_eq(lr_model_tsne(&map, m, o), LR_E_CANCELLED);
    ck_assert_ptr_null(map);
    ck_assert_int_eq(c.calls, 2);
    lr_options_free(o);
    lr_model_free(m);
}
END_TEST

START_TEST(tsne_bad_input)
{
    lr_model *m = cluster_model(40, 2, 6, NULL, NULL, 0);
    lr_map *map = NULL;
    lr_options *o = opts_of("tsne_perplexity=13");
    /* 40 artists allow a perplexity below 13 */
    ck_assert_lr_fail(lr_model_tsne(&map, m, o), LR_E_INVALID,
                      "tsne_perplexity 13 needs more than 40 artists");
    lr_options_free(o);
    o = opts_of("map_min_fans=3");
    ck_assert_lr_fail(lr_model_tsne(&map, m, o), LR_E_INVALID, "tsne_perplexity 30");
    lr_options_free(o);
    /* fewer than 4 points */
    o = opts_of("map_min_fans=5");
    ck_assert_lr_fail(lr_model_tsne(&map, m, o), LR_E_INVALID, "0 artists with at least 5");
    lr_options_free(o);
    o = opts_of("tsne_iterations=100");
    ck_assert_lr_fail(lr_model_tsne(&map, m, o), LR_E_INVALID,
                      "tsne_exaggeration_iterations (250) is more than tsne_iterations (100)");
    lr_options_free(o);
    /* NaN and infinite vectors, named by artist ID */
    m->artist_f[3 * D + 1] = NAN;
    ck_assert_lr_fail(lr_model_tsne(&map, m, NULL), LR_E_INVALID,
                      "artist 130's vector is not finite");
    ck_assert_lr_fail(lr_model_pca(&map, m, 2, NULL), LR_E_INVALID, "artist 130");
    ck_assert_lr_fail(lr_model_norm_stat(m, LR_NORMS_PEARSON, &(double){0}), LR_E_INVALID,
                      "artist 130");
    m->artist_f[3 * D + 1] = INFINITY;
    ck_assert_lr_fail(lr_model_tsne(&map, m, NULL), LR_E_INVALID, "not finite (inf)");
    ck_assert_ptr_null(map);
    ck_assert_lr_fail(lr_model_tsne(NULL, m, NULL), LR_E_INVALID, "out is NULL");
    ck_assert_lr_fail(lr_model_tsne(&map, NULL, NULL), LR_E_INVALID, "model is NULL");
    m->fitted = 0;
    ck_assert_lr_fail(lr_model_tsne(&map, m, NULL), LR_E_INVALID, "not fitted");
    lr_model_free(m);
}
END_TEST

/* pop and ease have no artist vectors; every call on them says so. */
START_TEST(models_without_vectors)
{
    lr_options *o = opts_of("synth_users=60,synth_artists=200,seed=2,threads=1");
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    const int algos[] = {LR_ALGO_POP, LR_ALGO_EASE};
    for (int a = 0; a < 2; a++) {
        lr_model *m;
        ck_assert_lr_ok(lr_model_new(&m, algos[a], o));
        ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
        lr_map *map = NULL;
        double v;
        size_t needed = 7;
        ck_assert_lr_fail(lr_model_tsne(&map, m, NULL), LR_E_INVALID, "have no artist vectors");
        ck_assert_lr_fail(lr_model_pca(&map, m, 2, NULL), LR_E_INVALID, "have no artist vectors");
        ck_assert_lr_fail(lr_model_norm_stat(m, LR_NORMS_USED, &v), LR_E_INVALID,
                          "have no artist vectors");
        double norms[200];
        ck_assert_lr_fail(lr_model_artist_norms(m, norms, NULL, NULL, 200, &needed),
                          LR_E_INVALID, "lr_model_artist_norms");
        lr_model_free(m);
    }
    lr_dataset_free(ds);
    lr_options_free(o);
}
END_TEST

/* ---------------------------------------------------------------- norms */

/* A fitted als model: its norms are those of its embeddings, its fans and
 * plays the training data's statistics, and the correlations are over
 * the artists with a listener, which as als leaves the others at 0 are
 * exactly the non-zero vectors. */
START_TEST(norms_of_a_fitted_model)
{
    lr_options *o = opts_of("synth_users=80,synth_artists=300,seed=5,factors=8,epochs=3,"
                            "threads=1");
    lr_dataset *ds, *train, *test;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, o, &train, &test));
    lr_model *m;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    size_t na = 0, rows, cols;
    ck_assert_int_eq(lr_model_artist_norms(m, NULL, NULL, NULL, 0, &na), LR_E_BUFSIZE);
    double *norm = malloc(na * sizeof *norm), *plays = malloc(na * sizeof *plays);
    int64_t *fans = malloc(na * sizeof *fans);
    int32_t *ids = malloc(na * sizeof *ids);
    ck_assert_lr_ok(lr_model_artist_norms(m, norm, fans, plays, na, NULL));
    ck_assert_lr_ok(lr_model_ids(m, LR_IDS_ARTISTS, ids, na, NULL));
    const float *emb;
    ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_ARTISTS, &emb, &rows, &cols));
    int used = 0, zero = 0;
    for (size_t a = 0; a < na; a++) {
        double s = 0;
        for (size_t j = 0; j < cols; j++)
            s += (double)emb[a * cols + j] * emb[a * cols + j];
        ck_assert_double_eq_tol(norm[a], sqrt(s), 1e-12 * (1 + norm[a]));
        double f, t;
        ck_assert_lr_ok(lr_dataset_artist_stat(train, ids[a], LR_STAT_COUNT, &f));
        ck_assert_lr_ok(lr_dataset_artist_stat(train, ids[a], LR_STAT_TOTAL_LISTENS, &t));
        ck_assert_int_eq(fans[a], (int64_t)f);
        ck_assert_double_eq_tol(plays[a], t, 1e-9 * (1 + t));
        ck_assert_msg((norm[a] == 0) == (fans[a] == 0), "artist %d: norm %g, %lld fans",
                      (int)ids[a], norm[a], (long long)fans[a]);
        used += fans[a] > 0;
        zero += norm[a] == 0;
    }
    ck_assert_int_gt(zero, 0); /* the split leaves some artists unheard */
    double v;
    ck_assert_lr_ok(lr_model_norm_stat(m, LR_NORMS_USED, &v));
    ck_assert_double_eq(v, used);
    ck_assert_lr_ok(lr_model_norm_stat(m, LR_NORMS_ZERO, &v));
    ck_assert_double_eq(v, zero);
    ck_assert_lr_ok(lr_model_norm_stat(m, LR_NORMS_ZERO_LISTENED, &v));
    ck_assert_double_eq(v, 0);
    /* popularity shapes als's vectors */
    ck_assert_lr_ok(lr_model_norm_stat(m, LR_NORMS_SPEARMAN, &v));
    ck_assert_msg(v > 0.3, "Spearman %g", v);
    ck_assert_lr_ok(lr_model_norm_stat(m, LR_NORMS_PEARSON, &v));
    ck_assert_msg(v > 0.3 && v <= 1, "Pearson %g", v);
    ck_assert_lr_fail(lr_model_norm_stat(m, 99, &v), LR_E_INVALID, "unknown statistic 99");
    /* names and top tags by ID */
    ck_assert_str_eq(lr_model_artist_name(m, ids[0]), lr_dataset_artist_name(ds, ids[0]));
    ck_assert_ptr_nonnull(lr_model_artist_top_tag(m, ids[0]));
    ck_assert_ptr_null(lr_model_artist_name(m, -5));
    ck_assert_ptr_null(lr_model_artist_top_tag(NULL, ids[0]));
    free(norm);
    free(plays);
    free(fans);
    free(ids);
    lr_model_free(m);
    lr_dataset_free(ds);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_options_free(o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("map");
    TCase *tc = tcase_create("map");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, subset_leaves_out_zero_vectors_and_few_fans);
    tcase_add_test(tc, pca_map_of_a_model);
    tcase_add_test(tc, tsne_start_is_scaled_pca);
    tcase_add_loop_test(tc, tsne_separates_clusters, 0, 2);
    tcase_add_test(tc, tsne_progress_and_cancel);
    tcase_add_test(tc, tsne_bad_input);
    tcase_add_test(tc, models_without_vectors);
    tcase_add_test(tc, norms_of_a_fitted_model);
    suite_add_tcase(s, tc);
    return lr_test_run(s);
}
