/* softmax's cold-artist mixture (lib/model/cold_mix.c).
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/cold_mix.h"
#include <math.h>
#include <string.h>

static const char quick[] = "epochs=30,threads=2,hidden_width=64,tag_dim=8,factors=32";

typedef struct split {
    lr_dataset *all, *train, *test;
} split;

static split clustered(void)
{
    split s;
    mt_clustered_split(400, 1600, 20, &s.all, &s.train, &s.test);
    return s;
}

static void split_free(split *s)
{
    lr_dataset_free(s->all);
    lr_dataset_free(s->train);
    lr_dataset_free(s->test);
}

static lr_model *fit_with(const lr_dataset *train, const char *extra)
{
    char text[256];
    snprintf(text, sizeof text, "%s%s%s", quick, *extra ? "," : "", extra);
    return mt_fit(LR_ALGO_SOFTMAX, train, text);
}

/* The clustered data's held-out artists that nobody played in training
 * (their only listeners held them out): ranked by the logits alone they
 * never reach a top 10, since training only ever made them negatives;
 * the mixture finds some through their tags, and gives up almost none of
 * the rest of the ranking to do so. */
START_TEST(mixture_finds_cold_artists)
{
    split s = clustered();
    lr_model *plain = fit_with(s.train, "cold_mix=0");
    lr_model *mixed = fit_with(s.train, ""); /* the default share */
    ck_assert_ptr_null(plain->cold_mix);
    ck_assert_ptr_nonnull(mixed->cold_mix);
    const double r0 = mt_evaluate_at_10(plain, s.train, s.test, LR_METRIC_COLD_RECALL);
    const double r1 = mt_evaluate_at_10(mixed, s.train, s.test, LR_METRIC_COLD_RECALL);
    const double n0 = mt_evaluate_at_10(plain, s.train, s.test, LR_METRIC_NDCG);
    const double n1 = mt_evaluate_at_10(mixed, s.train, s.test, LR_METRIC_NDCG);
    printf("ColdR@10 %.4f -> %.4f, NDCG@10 %.4f -> %.4f with the mixture\n", r0, r1, n0, n1);
    /* here most cold artists' tags came from their own held-out
     * listeners and were dropped (docs/evaluation.md), and the names are
     * made up, so few can be found: 0 -> 0.018 at the default share, for
     * 1.5 % of NDCG (on the real dev split NDCG rises, docs/models.md) */
    ck_assert_msg(r0 == 0 && r1 > 0.01, "ColdR@10 %.4f -> %.4f", r0, r1);
    ck_assert_msg(n1 > 0.97 * n0, "NDCG@10 %.4f -> %.4f", n0, n1);
    lr_model_free(plain);
    lr_model_free(mixed);
    split_free(&s);
}
END_TEST

/* The mixture moves every played artist's score by one amount per user
 * (the logsumexp), so their order is the logits' order; the cold artists
 * take log(kappa pi / j) by rank j, one log 2 apart at the top. */
START_TEST(warm_order_kept_cold_by_rank)
{
    split s = clustered();
    lr_model *plain = fit_with(s.train, "cold_mix=0");
    lr_model *mixed = fit_with(s.train, "cold_mix=0.1");
    const int32_t na = mixed->n_artists;
    const lr__cold_mix *c = mixed->cold_mix;
    ck_assert_int_gt(c->n_cold, 2);
    float *p = malloc((size_t)na * sizeof *p), *q = malloc((size_t)na * sizeof *q);
    int checked = 0;
    for (int32_t u = 0; u < mixed->n_users; u += 37) {
        ck_assert_lr_ok(lr__model_score_users(plain, u, 1, p));
        ck_assert_lr_ok(lr__model_score_users(mixed, u, 1, q));
        double shift = NAN;
        float top = -INFINITY, second = -INFINITY;
        for (int32_t a = 0; a < na; a++) {
            if (c->is_cold[a]) {
                if (q[a] > top) {
                    second = top;
                    top = q[a];
                } else if (q[a] > second) {
                    second = q[a];
                }
                continue;
            }
            if (isnan(shift))
                shift = (double)p[a] - q[a];
            ck_assert_msg(fabs((double)p[a] - q[a] - shift) < 1e-4 * (1 + fabs(shift)),
                          "user %d artist %d: logit %g, mixed %g, shift %g", u, a, p[a], q[a],
                          shift);
        }
        ck_assert(shift > 0); /* a logsumexp over many artists exceeds each logit */
        ck_assert_double_le(top, log(0.1) + 1e-6);
        ck_assert_double_eq_tol(top - second, log(2.0), 1e-5);
        checked++;
    }
    ck_assert_int_gt(checked, 5);
    free(p);
    free(q);
    lr_model_free(plain);
    lr_model_free(mixed);
    split_free(&s);
}
END_TEST

/* One mixture everywhere: a user's query results carry the user's row of
 * the scores evaluation ranks, and the same listens given as preferences
 * fold in through the tower to the same results and scores; a model file
 * stores none of it and derives it again on load, bit for bit. */
START_TEST(query_eval_and_file_agree)
{
    split s = clustered();
    lr_model *m = fit_with(s.train, "cold_mix=0.2");
    const int32_t na = m->n_artists;
    float *row = malloc((size_t)na * sizeof *row), *again = malloc((size_t)na * sizeof *again);
    char path[512];
    const char *dir = lr_test_tmpdir();
    snprintf(path, sizeof path, "%s/m.lrm", dir);
    ck_assert_lr_ok(lr_model_save(m, path));
    lr_model *back;
    ck_assert_lr_ok(lr_model_load(&back, path));
    ck_assert_ptr_nonnull(back->cold_mix);
    lr_query *q, *qb;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_ok(lr_query_new(&qb, back));
    int cold_results = 0;
    for (int32_t u = 0; u < m->n_users; u += 53) {
        ck_assert_lr_ok(lr__model_score_users(m, u, 1, row));
        ck_assert_lr_ok(lr__model_score_users(back, u, 1, again));
        ck_assert(memcmp(row, again, (size_t)na * sizeof *row) == 0);
        size_t n = 0, nb = 0;
        ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[u], &n));
        ck_assert_uint_eq(n, 10);
        int32_t ids[10];
        double scores[10];
        for (size_t r = 0; r < n; r++) {
            ck_assert_lr_ok(lr_query_result(q, r, &ids[r], &scores[r]));
            const int32_t a = lr__index_of(m->artist_ids, na, ids[r]);
            ck_assert_int_ge(a, 0);
            ck_assert_float_eq((float)scores[r], row[a]);
            cold_results += m->cold_mix->is_cold[a] != 0;
        }
        /* the user's listens as preferences */
        const int32_t *idx;
        const float *w;
        const int64_t len = lr__csr_row(&m->train, u, &idx, &w);
        lr_query_clear_preferences(qb);
        for (int64_t j = 0; j < len; j++)
            ck_assert_lr_ok(lr_query_add_preference(qb, back->artist_ids[idx[j]], w[j]));
        ck_assert_lr_ok(lr_query_recommend_preferences(qb, &nb));
        ck_assert_uint_eq(nb, n);
        for (size_t r = 0; r < nb; r++) {
            int32_t id;
            double sc;
            ck_assert_lr_ok(lr_query_result(qb, r, &id, &sc));
            ck_assert_int_eq(id, ids[r]);
            ck_assert(sc == scores[r]);
        }
    }
    ck_assert_int_gt(cold_results, 0);
    lr_query_free(q);
    lr_query_free(qb);
    lr_model_free(back);
    lr_model_free(m);
    free(row);
    free(again);
    lr_test_remove_dir(dir);
    split_free(&s);
}
END_TEST

/* The jazz fixture: Miles (tagged Jazz) is liked; Coltrane, tagged Jazz
 * and "jazz" by others, nobody played: the mixture ranks it, and its
 * explanation names the tag it shares, under one spelling, with a
 * positive share. */
START_TEST(cold_result_explained_by_its_tag)
{
    lr_dataset *ds = mt_jazz();
    lr_model *m = mt_fit(LR_ALGO_SOFTMAX, ds, "epochs=2,factors=4,tag_dim=2,hidden_width=4");
    ck_assert_ptr_nonnull(m->cold_mix);
    ck_assert_int_eq(m->cold_mix->n_cold, 1);
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_ok(lr_query_add_preference(q, 10, 5)); /* Miles */
    size_t n = 0;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_eq(n, 3);
    int found = 0;
    for (size_t r = 0; r < n; r++) {
        int32_t id;
        ck_assert_lr_ok(lr_query_result(q, r, &id, NULL));
        if (id != 20)
            continue;
        found = 1;
        const char *tn[4];
        double c[4];
        size_t nt = 0;
        ck_assert_lr_ok(lr_query_result_tag_explanation(q, r, tn, c, 4, &nt));
        int jazz = 0;
        for (size_t i = 0; i < nt && i < 4; i++) {
            ck_assert(c[i] > 0);
            jazz += strcmp(tn[i], "Jazz") == 0 || strcmp(tn[i], "jazz") == 0;
        }
        ck_assert_int_eq(jazz, 1);
    }
    ck_assert(found);
    /* the shares are the signals' parts: the tag signal's sum to
     * Coltrane's tag cosine with Miles over its spread (weight 1), and the
     * logit's scale is the logit's weight (1) over its spread */
    const lr__cold_mix *c = m->cold_mix;
    const int32_t miles = 0, coltrane = 1;
    const float w = 5;
    lr__cold_scratch s;
    ck_assert_lr_ok(lr__cold_scratch_init(&s, c));
    float art[1];
    int32_t tag_idx[3];
    float tag_val[3];
    double ls = 0;
    const int32_t nt = lr__cold_mix_explain(c, coltrane, &miles, &w, 1, &s, &ls, art, tag_idx,
                                            tag_val);
    ck_assert_int_gt(nt, 0);
    double sum = 0, cos = 0;
    for (int32_t i = 0; i < nt; i++)
        sum += tag_val[i];
    for (int64_t p = c->prof.ptr[miles]; p < c->prof.ptr[miles + 1]; p++)
        for (int64_t r = c->prof.ptr[coltrane]; r < c->prof.ptr[coltrane + 1]; r++)
            if (c->prof.idx[p] == c->prof.idx[r])
                cos += (double)c->prof.val[p] * c->prof.val[r];
    ck_assert_double_gt(cos, 0);
    ck_assert_double_eq_tol(sum, cos * c->inv_sd[LR__COLD_TAGS], 1e-5 * (1 + fabs(sum)));
    ck_assert_double_eq_tol(ls, c->inv_sd[LR__COLD_LOGIT], 1e-6 * (1 + ls));
    lr__cold_scratch_free(&s);
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

/* A played artist's score is its log-probability among the artists the
 * user has not played: their exponentials sum to 1, with unplayed artists
 * in the catalogue or without any (all the data trained on). */
START_TEST(played_scores_are_log_probabilities)
{
    split s = clustered();
    const lr_dataset *on[2] = {s.train, s.all};
    for (int k = 0; k < 2; k++) {
        lr_model *m = fit_with(on[k], "");
        ck_assert_ptr_nonnull(m->cold_mix);
        ck_assert(k == 0 ? m->cold_mix->n_cold > 0 : m->cold_mix->n_cold == 0);
        float *row = malloc((size_t)m->n_artists * sizeof *row);
        for (int32_t u = 0; u < m->n_users; u += 97) {
            ck_assert_lr_ok(lr__model_score_users(m, u, 1, row));
            const int32_t *idx;
            const int64_t n = lr__csr_row(&m->train, u, &idx, NULL);
            double sum = 0;
            for (int32_t a = 0, p = 0; a < m->n_artists; a++) {
                if (p < n && idx[p] == a) {
                    p++;
                    continue;
                }
                if (!m->cold_mix->is_cold[a])
                    sum += exp((double)row[a]);
            }
            ck_assert_double_eq_tol(sum, 1.0, 1e-3);
        }
        free(row);
        lr_model_free(m);
    }
    split_free(&s);
}
END_TEST

START_TEST(bad_share_named)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_COLD_MIX, -0.01), LR_E_INVALID, "cold_mix");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_COLD_MIX, 1.5), LR_E_INVALID, "cold_mix");
    ck_assert_lr_fail(lr_options_set_double(o, LR_OPT_COLD_MIX, NAN), LR_E_INVALID, "cold_mix");
    lr_options_free(o);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cold_mix");
    TCase *t = tcase_create("core");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, mixture_finds_cold_artists);
    tcase_add_test(t, warm_order_kept_cold_by_rank);
    tcase_add_test(t, query_eval_and_file_agree);
    tcase_add_test(t, cold_result_explained_by_its_tag);
    tcase_add_test(t, played_scores_are_log_probabilities);
    tcase_add_test(t, bad_share_named);
    suite_add_tcase(s, t);
    return lr_test_run(s);
}
