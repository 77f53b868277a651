/* The query unit: settings, exclusion, filters, names, result details,
 * similar artists and the batch, through the public API.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "../data/tiny.h"
#include "fixture.h"
#include "model/softmax_tower.h"
#include "lastrec.h"

#include <math.h>

static const int32_t users[] = {1, 2, 3, 1892};
static const int32_t artists[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
static const char *const names[] = {
    "Kanye West", "Kanye West & Jay-Z", "The Kanyes", "Beyonc\xc3\xa9", "Drake", "Nick Drake",
    "Drake Bell", "Chris Brown", "Katy Perry", "Leona Lewis", "Sigur R\xc3\xb3s",
    ("M\xc3\xb6tley Cr\xc3\xbc" "e"),
};
static const int32_t tags[] = {1, 2, 3, 4, 5};
static const char *const tag_names[] = {"HipHop", "Pop", "Rnb", "Rock", "PostRock"};

/* Fans: 1: 3, 4: 2, 9: 2, every other artist 1.  User 1892 is the notebook's: its artists must not be excluded
 * for anyone else. */
static const tiny_listen listens[] = {
    {1, 1, 500},  {1, 4, 20},  {1, 8, 7},
    {2, 1, 10},   {2, 5, 300}, {2, 9, 40},  {2, 10, 2},
    {3, 1, 1},    {3, 6, 30},  {3, 11, 90}, {3, 12, 4},  {3, 4, 1},
    {1892, 2, 5}, {1892, 3, 9}, {1892, 7, 2}, {1892, 9, 60},
};

/* Tag uses: Kanye West HipHop x3 + Rnb; Beyoncé Rnb x3 + Pop x2; Drake
 * HipHop x2 + Rnb x2 (tie: the lower tag ID is the top tag); Sigur Rós
 * PostRock x2 + Rock; Katy Perry Pop. */
static const tiny_use uses[] = {
    {1, 1, 1, TINY_DAY(0)}, {2, 1, 1, TINY_DAY(1)}, {3, 1, 1, TINY_DAY(2)}, {1, 1, 3, TINY_DAY(3)},
    {1, 4, 3, TINY_DAY(0)}, {2, 4, 3, TINY_DAY(0)}, {3, 4, 3, TINY_DAY(0)},
    {1, 4, 2, TINY_DAY(0)}, {2, 4, 2, TINY_DAY(0)},
    {1, 5, 1, TINY_DAY(0)}, {2, 5, 1, TINY_DAY(0)}, {1, 5, 3, TINY_DAY(0)}, {2, 5, 3, TINY_DAY(0)},
    {1, 11, 5, TINY_DAY(0)}, {2, 11, 5, TINY_DAY(0)}, {3, 11, 4, TINY_DAY(0)},
    {1, 9, 2, TINY_DAY(0)},
};

static lr_dataset *tiny;

static void setup(void)
{
    tiny_spec s = {users, 4, artists, names, 12, tags, tag_names, 5,
                   listens, TINY_N(listens), uses, TINY_N(uses), NULL, 0};
    tiny = tiny_build(&s);
}

static void teardown(void)
{
    lr_dataset_free(tiny);
    tiny = NULL;
}

static size_t ids_of(const lr_query *q, int32_t *ids)
{
    size_t n = lr_query_result_count(q);
    for (size_t r = 0; r < n; r++)
        ids[r] = qf_id(q, r);
    return n;
}

static int contains(const int32_t *ids, size_t n, int32_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return 1;
    return 0;
}

START_TEST(defaults_and_bad_settings)
{
    lr_model *m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    int64_t v;
    ck_assert_lr_ok(lr_query_get_int(q, LR_QUERY_K, &v));
    ck_assert_int_eq(v, 10);
    ck_assert_lr_ok(lr_query_get_int(q, LR_QUERY_MEASURE, &v));
    ck_assert_int_eq(v, LR_MEASURE_DOT);
    ck_assert_lr_ok(lr_query_get_int(q, LR_QUERY_EXCLUDE_LISTENED, &v));
    ck_assert_int_eq(v, 1);
    ck_assert_lr_ok(lr_query_get_int(q, LR_QUERY_EXPLAIN, &v));
    ck_assert_int_eq(v, 3);

    ck_assert_lr_fail(lr_query_set_int(q, 99, 1), LR_E_INVALID, "unknown query setting 99");
    ck_assert_lr_fail(lr_query_set_int(q, LR_QUERY_K, 0), LR_E_INVALID,
                      "'k': 0 is outside [1, 10000]");
    ck_assert_lr_fail(lr_query_set_int(q, LR_QUERY_EXPLAIN, 51), LR_E_INVALID,
                      "'explain': 51 is outside [0, 50]");
    ck_assert_lr_fail(lr_query_set_int(q, LR_QUERY_EXCLUDE_LISTENED, 2), LR_E_INVALID,
                      "'exclude_listened'");
    ck_assert_lr_fail(lr_query_set_int(q, LR_QUERY_MEASURE, 3), LR_E_INVALID, "'measure'");
    ck_assert_lr_fail(lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_COSINE), LR_E_UNSUPPORTED,
                      "cosine needs embeddings");
    ck_assert_lr_fail(lr_query_get_int(q, 99, &v), LR_E_INVALID, "unknown");
    ck_assert_lr_ok(lr_query_get_int(q, LR_QUERY_K, &v));
    ck_assert_int_eq(v, 10); /* unchanged by the failures */

    lr_query *q2 = (lr_query *)1;
    ck_assert_lr_fail(lr_query_new(&q2, NULL), LR_E_INVALID, "NULL");
    ck_assert_ptr_null(q2);
    lr_model *unfitted;
    ck_assert_lr_ok(lr_model_new(&unfitted, LR_ALGO_POP, NULL));
    ck_assert_lr_fail(lr_query_new(&q2, unfitted), LR_E_INVALID, "not fitted");
    lr_model_free(unfitted);
    lr_query_free(NULL);
    lr_query_clear_preferences(NULL);

    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* The notebook's exclude_rated always removed user 1892's artists; here
 * the asked user's own are removed, and only with exclusion on. */
START_TEST(excludes_the_asked_users_artists)
{
    lr_model *m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 20));
    int32_t ids[20];
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_user(q, 1, &n));
    ck_assert_uint_eq(n, 9); /* 12 artists, 3 of them user 1's */
    ids_of(q, ids);
    ck_assert(!contains(ids, n, 1) && !contains(ids, n, 4) && !contains(ids, n, 8));
    ck_assert(contains(ids, n, 2) && contains(ids, n, 3) && contains(ids, n, 7) &&
              contains(ids, n, 9));
    /* most fans first (9 has 2), equal fans by ID */
    const int32_t want[] = {9, 2, 3, 5, 6, 7, 10, 11, 12};
    for (size_t r = 0; r < n; r++)
        ck_assert_int_eq(ids[r], want[r]);

    ck_assert_lr_ok(lr_query_recommend_user(q, 1892, &n));
    ids_of(q, ids);
    ck_assert_uint_eq(n, 8);
    ck_assert(!contains(ids, n, 2) && !contains(ids, n, 9) && contains(ids, n, 1));

    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXCLUDE_LISTENED, 0));
    ck_assert_lr_ok(lr_query_recommend_user(q, 1, &n));
    ck_assert_uint_eq(n, 12);
    ck_assert_int_eq(qf_id(q, 0), 1);

    ck_assert_lr_fail(lr_query_recommend_user(q, 77, &n), LR_E_NOTFOUND, "user ID 77");
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(lr_query_result_count(q), 0);
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* Each result carries what the dataset says about its artist, though the
 * query only has the model. */
START_TEST(result_details_match_the_dataset)
{
    lr_model *m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 12));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXCLUDE_LISTENED, 0));
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_user(q, 2, &n));
    ck_assert_uint_eq(n, 12);
    for (size_t r = 0; r < n; r++) {
        int32_t id = qf_id(q, r);
        ck_assert_str_eq(lr_query_result_name(q, r), lr_dataset_artist_name(tiny, id));
        ck_assert_str_eq(lr_query_artist_name(q, id), lr_dataset_artist_name(tiny, id));
        double fans, top;
        ck_assert_lr_ok(lr_dataset_artist_stat(tiny, id, LR_STAT_COUNT, &fans));
        ck_assert_int_eq(lr_query_result_fans(q, r), (int64_t)fans);
        ck_assert_lr_ok(lr_dataset_artist_stat(tiny, id, LR_STAT_TOP_TAG, &top));
        ck_assert_str_eq(lr_query_result_top_tag(q, r),
                         top < 0 ? "" : lr_dataset_tag_name(tiny, (int32_t)top));
        int32_t tid[5];
        int64_t tc[5], qc[5];
        const char *qt[5];
        size_t nt, nq;
        ck_assert_lr_ok(lr_dataset_artist_tags(tiny, id, tid, tc, 5, &nt));
        ck_assert_lr_ok(lr_query_result_tags(q, r, qt, qc, 5, &nq));
        ck_assert_uint_eq(nq, nt);
        for (size_t i = 0; i < nt; i++) {
            ck_assert_str_eq(qt[i], lr_dataset_tag_name(tiny, tid[i]));
            ck_assert_int_eq(qc[i], tc[i]);
        }
        if (nt) {
            /* room for one: the most used */
            const char *one = NULL;
            ck_assert_lr_ok(lr_query_result_tags(q, r, &one, NULL, 1, &nq));
            ck_assert_uint_eq(nq, nt);
            ck_assert_str_eq(one, qt[0]);
        }
    }
    /* Drake: HipHop and Rnb used twice each, HipHop (lower ID) on top */
    for (size_t r = 0; r < n; r++)
        if (qf_id(q, r) == 5)
            ck_assert_str_eq(lr_query_result_top_tag(q, r), "HipHop");

    ck_assert_ptr_null(lr_query_result_name(q, 12));
    ck_assert_ptr_null(lr_query_result_top_tag(q, 12));
    ck_assert_int_eq(lr_query_result_fans(q, 12), -1);
    ck_assert_lr_fail(lr_query_result(q, 12, NULL, NULL), LR_E_INVALID, "rank 12");
    ck_assert_ptr_null(lr_query_artist_name(q, 99));
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

START_TEST(names_resolve_or_report_candidates)
{
    lr_model *m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    int32_t id = 0, cand[8];
    size_t nc;
    /* exact beats the longer names that start the same */
    ck_assert_lr_ok(lr_query_find_artist(q, "kanye west", &id));
    ck_assert_int_eq(id, 1);
    ck_assert_lr_ok(lr_query_candidates(q, cand, 8, &nc));
    ck_assert_uint_eq(nc, 2);
    ck_assert_int_eq(cand[0], 1);
    ck_assert_int_eq(cand[1], 2);
    /* several candidates, none exact: ambiguous, all of them listed */
    ck_assert_lr_fail(lr_query_find_artist(q, "Kanye", &id), LR_E_AMBIGUOUS,
                      "'Kanye' matches 3 artists: Kanye West (1), Kanye West & Jay-Z (2), The "
                      "Kanyes (3)");
    ck_assert_lr_ok(lr_query_candidates(q, cand, 2, &nc));
    ck_assert_uint_eq(nc, 3);
    ck_assert_int_eq(cand[0], 1);
    /* a single candidate, found without accents or case */
    ck_assert_lr_ok(lr_query_find_artist(q, "BEYONCE", &id));
    ck_assert_int_eq(id, 4);
    ck_assert_lr_ok(lr_query_find_artist(q, "motley crue", &id));
    ck_assert_int_eq(id, 12);
    ck_assert_lr_ok(lr_query_find_artist(q, "drake", &id));
    ck_assert_int_eq(id, 5);
    ck_assert_lr_fail(lr_query_find_artist(q, "zzz", &id), LR_E_NOTFOUND, "'zzz'");
    ck_assert_lr_ok(lr_query_candidates(q, NULL, 0, &nc));
    ck_assert_uint_eq(nc, 0);

    /* preferences by name: added when resolved, nothing added otherwise */
    ck_assert_lr_ok(lr_query_add_preference_name(q, "Sigur Ros", 12, &id));
    ck_assert_int_eq(id, 11);
    ck_assert_lr_fail(lr_query_add_preference_name(q, "kanye", 5, &id), LR_E_AMBIGUOUS,
                      "give the full name");
    ck_assert_lr_fail(lr_query_add_preference_name(q, "nobody", 5, &id), LR_E_NOTFOUND,
                      "nobody");
    /* Seen with fuzz_like's seed "AC/DC=1e308": a finite count past a float's
     * range was refused as "not a finite number". */
    ck_assert_lr_fail(lr_query_add_preference_name(q, "Sigur Ros", 1e308, &id), LR_E_RANGE,
                      "at most 3.4e38, got 1e+308");
    size_t np;
    ck_assert_lr_fail(lr_query_preferences(q, NULL, NULL, 0, &np), LR_E_BUFSIZE, "capacity 0");
    ck_assert_uint_eq(np, 1);
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    int32_t ids[10];
    ids_of(q, ids);
    ck_assert(!contains(ids, n, 11));
    ck_assert_lr_fail(lr_query_find_artist(q, NULL, &id), LR_E_INVALID, "NULL");
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* "Kanye" finds Kanye West (the prefix match with the most fans), lists
 * the other candidates, and leaves the artist itself out. */
START_TEST(similar_by_name)
{
    lr_model *m = qf_factors(tiny, LR_ALGO_ALS, 4, 5);
    lr_query *q = qf_query(m);
    int32_t id = 0, cand[4];
    size_t n, nc;
    ck_assert_lr_ok(lr_query_similar_name(q, "Kanye", &id, &n));
    ck_assert_int_eq(id, 1);
    ck_assert_uint_eq(n, 10);
    ck_assert_lr_ok(lr_query_candidates(q, cand, 4, &nc));
    ck_assert_uint_eq(nc, 3);
    ck_assert_int_eq(cand[1], 2);
    ck_assert_int_eq(cand[2], 3);
    int32_t ids[12];
    ids_of(q, ids);
    ck_assert(!contains(ids, n, 1));
    for (size_t r = 0; r < n; r++) {
        /* the dot product of the two artists' embeddings, best first */
        const float *a = m->artist_f, *b = m->artist_f + (size_t)(ids[r] - 1) * 4;
        double dot = 0;
        for (int f = 0; f < 4; f++)
            dot += a[f] * b[f];
        ck_assert(fabs(qf_score(q, r) - dot) < 1e-5);
        if (r)
            ck_assert(qf_score(q, r) <= qf_score(q, r - 1));
        size_t ne = 9;
        ck_assert_lr_ok(lr_query_result_explanation(q, r, NULL, NULL, 0, &ne));
        ck_assert_uint_eq(ne, 0); /* similar artists have no explanation */
    }
    ck_assert_lr_fail(lr_query_similar_name(q, "qqq", &id, &n), LR_E_NOTFOUND, "qqq");
    ck_assert_uint_eq(n, 0);
    ck_assert_lr_fail(lr_query_similar(q, 1000, &n), LR_E_NOTFOUND, "artist ID 1000");
    lr_query_free(q);
    lr_model_free(m);

    m = qf_pop(tiny);
    q = qf_query(m);
    ck_assert_lr_fail(lr_query_similar(q, 1, &n), LR_E_UNSUPPORTED, "pop");
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

START_TEST(similar_ease_uses_item_weights)
{
    lr_model *m = qf_ease(tiny, 4, 9); /* artists 4, 8, 12 left out */
    lr_query *q = qf_query(m);
    size_t n;
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 12));
    ck_assert_lr_ok(lr_query_similar(q, 1, &n));
    ck_assert_uint_eq(n, 8); /* the 9 modelled artists but itself */
    for (size_t r = 0; r < n; r++) {
        int32_t b = qf_id(q, r) - 1;
        ck_assert(b % 4 != 3);
        ck_assert(qf_score(q, r) == m->item_w[m->item_pos[b]]);
    }
    ck_assert_lr_fail(lr_query_similar(q, 4, &n), LR_E_UNSUPPORTED, "not in this ease model");
    ck_assert_lr_fail(lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_COSINE), LR_E_UNSUPPORTED,
                      "ease");
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* blend: an artist's neighbours by z(its item weights) + z(the factor
 * scores), each standardised over the other artists. */
/* Similar artists of a blend: the artist as a listener of itself alone,
 * z(B_a) + blend_weight z(V v_a) (+ softmax_weight z(the softmax part's
 * scores of the one-artist bag through its tower)), over every other
 * artist. */
START_TEST(similar_blend_is_the_standardised_sum)
{
    lr_dataset *ds = qf_synthetic(120, 300, 5);
    const double sms[] = {0, 2};
    for (int c = 0; c < 2; c++) {
        lr_model *m = qf_blend_sm(ds, 1.0, sms[c]);
        ck_assert_int_eq(m->sm.k > 0, sms[c] > 0);
        lr_query *q = qf_query(m);
        const int32_t na = m->n_artists, a = 17, k = m->k;
        double *v[3];
        for (int part = 0; part < 3; part++)
            ck_assert_ptr_nonnull(v[part] = calloc((size_t)na, sizeof(double)));
        const int32_t p = m->item_pos[a];
        ck_assert_int_ge(p, 0);
        for (int32_t i = 0; i < m->n_items; i++)
            v[0][m->items[i]] = m->item_w[(size_t)p * (size_t)m->n_items + (size_t)i];
        for (int32_t b = 0; b < na; b++)
            for (int f = 0; f < k; f++)
                v[1][b] += (double)m->artist_f[(size_t)b * k + f] * m->artist_f[(size_t)a * k + f];
        if (m->sm.k > 0) {
            const int32_t ks = m->sm.k;
            lr__tower_scratch ts = {0};
            float *x = malloc((size_t)ks * sizeof *x);
            const float one = 1.0f;
            ck_assert_lr_ok(lr__tower_scratch_init(&ts, m->sm.tower, 1));
            lr__tower_forward(m->sm.tower, (int)lr__opt_int(&m->sm.opts, LR_OPT_TRANSFORM), &a,
                              &one, 1, &ts, x);
            for (int32_t b = 0; b < na; b++) {
                for (int f = 0; f < ks; f++)
                    v[2][b] += (double)x[f] * m->sm.artist_f[(size_t)b * ks + f];
                v[2][b] += m->sm.artist_bias ? m->sm.artist_bias[b] : 0;
            }
            lr__tower_scratch_free(&ts);
            free(x);
        }
        const double wt[3] = {1, 1, sms[c]};
        double st[3][2];
        for (int part = 0; part < 3; part++) {
            double sum = 0, sq = 0;
            for (int32_t b = 0; b < na; b++)
                if (b != a) {
                    sum += v[part][b];
                    sq += v[part][b] * v[part][b];
                }
            st[part][0] = sum / (na - 1);
            const double var = sq / (na - 1) - st[part][0] * st[part][0];
            st[part][1] = var > 0 ? wt[part] / sqrt(var) : 0;
        }
        size_t n;
        ck_assert_lr_ok(lr_query_similar(q, m->artist_ids[a], &n));
        ck_assert_uint_eq(n, 10);
        for (size_t r = 0; r < n; r++) {
            int32_t b = 0;
            while (b < na && m->artist_ids[b] != qf_id(q, r))
                b++;
            ck_assert_int_lt(b, na);
            ck_assert_int_ne(b, a);
            double want = 0;
            for (int part = 0; part < 3; part++)
                want += (v[part][b] - st[part][0]) * st[part][1];
            ck_assert_msg(fabs(qf_score(q, r) - want) < 1e-3 * (1 + fabs(want)),
                          "softmax_weight %g, rank %zu: %g, want %g", sms[c], r, qf_score(q, r),
                          want);
        }
        for (int part = 0; part < 3; part++)
            free(v[part]);
        lr_query_free(q);
        lr_model_free(m);
    }
    lr_dataset_free(ds);
}
END_TEST

START_TEST(filters)
{
    lr_model *m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 12));
    int32_t ids[12];
    size_t n;
    const int32_t allow[] = {12, 2, 4, 9};
    ck_assert_lr_ok(lr_query_set_filter(q, LR_FILTER_ALLOW, allow, 4));
    ck_assert_lr_ok(lr_query_recommend_user(q, 1, &n));
    ck_assert_uint_eq(n, 3); /* 4 is user 1's own */
    ids_of(q, ids);
    ck_assert_int_eq(ids[0], 9);
    ck_assert_int_eq(ids[1], 2);
    ck_assert_int_eq(ids[2], 12);

    ck_assert_lr_ok(lr_query_set_filter(q, LR_FILTER_DENY, allow, 4));
    ck_assert_lr_ok(lr_query_recommend_user(q, 1, &n));
    ck_assert_uint_eq(n, 6);
    ids_of(q, ids);
    for (int i = 0; i < 4; i++)
        ck_assert(!contains(ids, n, allow[i]));

    /* the tag filter: top tag or any of the five, spelled loosely */
    ck_assert_lr_ok(lr_query_set_filter(q, LR_FILTER_NONE, NULL, 0));
    ck_assert_lr_ok(lr_query_set_tag(q, "hip hop"));
    ck_assert_lr_ok(lr_query_recommend_user(q, 3, &n));
    ids_of(q, ids);
    ck_assert_uint_eq(n, 1); /* Kanye West (user 3's own) and Drake carry it */
    ck_assert_int_eq(ids[0], 5);
    ck_assert_lr_ok(lr_query_set_tag(q, "RNB"));
    ck_assert_lr_ok(lr_query_recommend_user(q, 3, &n));
    ids_of(q, ids);
    ck_assert_uint_eq(n, 1); /* Kanye West, Beyoncé, Drake: Rnb among their tags */
    ck_assert_int_eq(ids[0], 5);
    ck_assert_lr_fail(lr_query_set_tag(q, "polka"), LR_E_NOTFOUND, "'polka'");
    ck_assert_lr_ok(lr_query_recommend_user(q, 3, &n));
    ck_assert_uint_eq(n, 1); /* the Rnb filter stayed */
    /* tag and list combine */
    const int32_t deny[] = {5};
    ck_assert_lr_ok(lr_query_set_filter(q, LR_FILTER_DENY, deny, 1));
    ck_assert_lr_ok(lr_query_recommend_user(q, 3, &n));
    ck_assert_uint_eq(n, 0);
    ck_assert_lr_ok(lr_query_set_tag(q, NULL));
    ck_assert_lr_ok(lr_query_set_filter(q, LR_FILTER_NONE, NULL, 0));
    ck_assert_lr_ok(lr_query_recommend_user(q, 3, &n));
    ck_assert_uint_eq(n, 7);

    const int32_t bad[] = {1, 404};
    ck_assert_lr_fail(lr_query_set_filter(q, LR_FILTER_ALLOW, bad, 2), LR_E_NOTFOUND,
                      "artist ID 404");
    ck_assert_lr_fail(lr_query_set_filter(q, 7, bad, 2), LR_E_INVALID, "unknown mode 7");
    ck_assert_lr_fail(lr_query_set_filter(q, LR_FILTER_ALLOW, NULL, 2), LR_E_INVALID, "NULL");
    ck_assert_lr_ok(lr_query_recommend_user(q, 3, &n));
    ck_assert_uint_eq(n, 7); /* failures changed nothing */
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* Cosine: scores are cosines, in [-1, 1], and rank by angle, not length. */
START_TEST(cosine_measure)
{
    lr_dataset *ds = qf_synthetic(80, 300, 4);
    lr_model *m = qf_factors(ds, LR_ALGO_BPR, 6, 21);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_COSINE));
    size_t n;
    const int32_t u = 5;
    ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[u], &n));
    const float *x = m->user_f + (size_t)u * 6;
    for (size_t r = 0; r < n; r++) {
        int32_t a = lr__index_of(m->artist_ids, m->n_artists, qf_id(q, r));
        const float *y = m->artist_f + (size_t)a * 6;
        double d = 0, nx = 0, ny = 0;
        for (int f = 0; f < 6; f++) {
            d += x[f] * y[f];
            nx += x[f] * x[f];
            ny += y[f] * y[f];
        }
        ck_assert(fabs(qf_score(q, r) - d / sqrt(nx * ny)) < 1e-5);
        ck_assert(qf_score(q, r) <= 1.0 + 1e-6);
    }
    /* an artist's most similar by cosine: scaling it changes nothing */
    int32_t before[10], after[10];
    ck_assert_lr_ok(lr_query_similar(q, m->artist_ids[3], &n));
    ids_of(q, before);
    for (int f = 0; f < 6; f++)
        m->artist_f[3 * 6 + f] *= 7.0f;
    ck_assert_lr_ok(lr__model_prepare(m));
    lr_query_free(q);
    q = qf_query(m); /* norms are taken when the query is made */
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_MEASURE, LR_MEASURE_COSINE));
    ck_assert_lr_ok(lr_query_similar(q, m->artist_ids[3], &n));
    ids_of(q, after);
    for (size_t r = 0; r < n; r++)
        ck_assert_int_eq(before[r], after[r]);
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

/* A known user's explanations name the user's own artists. */
START_TEST(user_explanations_name_own_artists)
{
    lr_dataset *ds = qf_synthetic(80, 300, 4);
    lr_model *m = qf_factors(ds, LR_ALGO_ALS, 6, 22);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXPLAIN, 5));
    size_t n, total = 0;
    ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[9], &n));
    int32_t own[512];
    float cnt[512];
    size_t n_own;
    ck_assert_lr_ok(lr_dataset_user_listens(ds, m->user_ids[9], own, cnt, 512, &n_own));
    for (size_t r = 0; r < n; r++) {
        int32_t e[5];
        size_t ne;
        ck_assert_lr_ok(lr_query_result_explanation(q, r, e, NULL, 5, &ne));
        total += ne;
        for (size_t j = 0; j < ne; j++)
            ck_assert(contains(own, n_own, e[j]));
    }
    ck_assert_uint_gt(total, 0);
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

/* lr_query_results gives in one call what the per-rank accessors give,
 * explanations cut to per_result, results to capacity. */
START_TEST(all_results_at_once)
{
    lr_dataset *ds = qf_synthetic(80, 300, 4);
    lr_model *m = qf_factors(ds, LR_ALGO_ALS, 6, 22);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXPLAIN, 4));
    size_t n, need = 99;
    ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[9], &n));
    ck_assert_uint_eq(n, 10);
    int32_t ids[10], eids[10 * 3];
    double sc[10], ev[10 * 3];
    size_t cnt[10];
    /* room for 7 results of 3 explanation artists each */
    ck_assert_lr_ok(lr_query_results(q, ids, sc, cnt, eids, ev, 3, 7, &need));
    ck_assert_uint_eq(need, n);
    size_t total = 0;
    for (size_t r = 0; r < 7; r++) {
        int32_t id, e[4];
        double score, c[4];
        size_t ne;
        ck_assert_lr_ok(lr_query_result(q, r, &id, &score));
        ck_assert_int_eq(ids[r], id);
        ck_assert(sc[r] == score);
        ck_assert_lr_ok(lr_query_result_explanation(q, r, e, c, 4, &ne));
        ck_assert_uint_eq(cnt[r], ne < 3 ? ne : 3);
        for (size_t j = 0; j < cnt[r]; j++) {
            ck_assert_int_eq(eids[r * 3 + j], e[j]);
            ck_assert(ev[r * 3 + j] == c[j]);
        }
        total += cnt[r];
    }
    ck_assert_uint_gt(total, 0);
    /* parts may be skipped; explanations need their counts */
    ck_assert_lr_ok(lr_query_results(q, ids, NULL, NULL, NULL, NULL, 0, 10, NULL));
    ck_assert_lr_fail(lr_query_results(q, ids, sc, NULL, eids, NULL, 3, 10, &need),
                      LR_E_INVALID, "explain_counts");
    ck_assert_lr_fail(lr_query_results(NULL, ids, sc, NULL, NULL, NULL, 0, 10, &need),
                      LR_E_INVALID, "NULL");
    ck_assert_uint_eq(need, 0);
    /* similar artists have no explanations */
    ck_assert_lr_ok(lr_query_similar(q, m->artist_ids[3], &n));
    ck_assert_lr_ok(lr_query_results(q, ids, sc, cnt, eids, ev, 3, 10, &need));
    ck_assert_uint_eq(need, n);
    for (size_t r = 0; r < n; r++)
        ck_assert_uint_eq(cnt[r], 0);
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

/* The batch gives every user what a single query gives them. */
static void batch_equals_single(lr_model *m, int measure, int with_filter)
{
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_MEASURE, measure));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 7));
    if (with_filter) {
        int32_t deny[40];
        for (int i = 0; i < 40; i++)
            deny[i] = m->artist_ids[3 * i];
        ck_assert_lr_ok(lr_query_set_filter(q, LR_FILTER_DENY, deny, 40));
    }
    size_t need, cap = (size_t)m->n_users * 7;
    int32_t *ids = malloc(cap * sizeof *ids);
    float *sc = malloc(cap * sizeof *sc);
    ck_assert_lr_fail(lr_query_recommend_all(q, NULL, ids, sc, cap - 1, &need), LR_E_BUFSIZE,
                      "capacity");
    ck_assert_uint_eq(need, cap);
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_THREADS, 3));
    ck_assert_lr_ok(lr_query_recommend_all(q, o, ids, sc, cap, &need));
    lr_options_free(o);
    for (int32_t u = 0; u < m->n_users; u++) {
        size_t n;
        ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[u], &n));
        for (size_t r = 0; r < 7; r++) {
            size_t at = (size_t)u * 7 + r;
            if (r >= n) {
                ck_assert_int_eq(ids[at], -1);
                ck_assert(isnan(sc[at]));
                continue;
            }
            /* the same product for a block as for one user: the same bits */
            ck_assert_msg(ids[at] == qf_id(q, r), "user %d rank %zu: batch %d, single %d", u, r,
                          ids[at], qf_id(q, r));
            ck_assert((double)sc[at] == qf_score(q, r));
        }
    }
    free(ids);
    free(sc);
    lr_query_free(q);
}

START_TEST(batch_equals_single_queries)
{
    lr_dataset *ds = qf_synthetic(150, 400, 8);
    lr_model *m = qf_factors(ds, LR_ALGO_MF, 8, 23);
    batch_equals_single(m, LR_MEASURE_DOT, 0);
    batch_equals_single(m, LR_MEASURE_COSINE, 1);
    lr_model_free(m);
    m = qf_ease(ds, 3, 24);
    batch_equals_single(m, LR_MEASURE_DOT, 1);
    lr_model_free(m);
    m = qf_blend(ds, 1.0);
    batch_equals_single(m, LR_MEASURE_DOT, 1);
    batch_equals_single(m, LR_MEASURE_COSINE, 0);
    lr_model_free(m);
    lr_dataset_free(ds);
    /* padding where fewer than k qualify */
    m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 11));
    int32_t ids[4 * 11];
    ck_assert_lr_ok(lr_query_recommend_all(q, NULL, ids, NULL, 4 * 11, NULL));
    ck_assert_int_eq(ids[0], 9);
    ck_assert_int_eq(ids[8], 12);
    ck_assert_int_eq(ids[9], -1); /* user 1 has 9 artists left */
    ck_assert_int_eq(ids[10], -1);
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

/* Results belong to the query until its next query or setting. */
START_TEST(result_lifetime)
{
    lr_model *m = qf_pop(tiny);
    lr_query *q = qf_query(m);
    size_t n;
    ck_assert_lr_ok(lr_query_recommend_user(q, 1, &n));
    const char *name = lr_query_result_name(q, 0);
    ck_assert_str_eq(name, "Katy Perry");
    ck_assert_lr_fail(lr_query_recommend_user(q, 5, &n), LR_E_NOTFOUND, "5");
    ck_assert_uint_eq(lr_query_result_count(q), 0);
    ck_assert_str_eq(name, "Katy Perry"); /* names are the model's: still valid */
    ck_assert_lr_ok(lr_query_recommend_user(q, 1, &n));
    ck_assert_uint_eq(lr_query_result_count(q), n);
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 3));
    ck_assert_uint_eq(lr_query_result_count(q), 0);
    lr_query_free(q);
    lr_model_free(m);
}
END_TEST

static Suite *query_suite(void)
{
    Suite *s = suite_create("query");
    TCase *tc = tcase_create("query");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, defaults_and_bad_settings);
    tcase_add_test(tc, excludes_the_asked_users_artists);
    tcase_add_test(tc, result_details_match_the_dataset);
    tcase_add_test(tc, names_resolve_or_report_candidates);
    tcase_add_test(tc, similar_by_name);
    tcase_add_test(tc, similar_ease_uses_item_weights);
    tcase_add_test(tc, similar_blend_is_the_standardised_sum);
    tcase_add_test(tc, filters);
    tcase_add_test(tc, cosine_measure);
    tcase_add_test(tc, user_explanations_name_own_artists);
    tcase_add_test(tc, all_results_at_once);
    tcase_add_test(tc, batch_equals_single_queries);
    tcase_add_test(tc, result_lifetime);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    lr__opt_threads_uncap(1); /* 3 threads mean 3 workers on 2 cores too */
    return lr_test_run(query_suite());
}
