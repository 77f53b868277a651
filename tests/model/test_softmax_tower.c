/* The softmax tower unit: the user tower kept with the model, preference
 * lists folded in through it, and its gradient x input explanations.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "fixture.h"
#include "lastrec.h"
#include "model/kernels.h"
#include "model/softmax_tower.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

/* A small softmax model on a synthetic split with tags. */
static lr_model *small_softmax(lr_dataset **train, const char *extra)
{
    lr_dataset *test;
    mt_synth_split(9, train, &test);
    lr_dataset_free(test);
    char text[200];
    snprintf(text, sizeof text, "epochs=4,factors=16,hidden_width=24,tag_dim=6,threads=2,%s",
             extra ? extra : "");
    return mt_fit(LR_ALGO_SOFTMAX, *train, text);
}

/* A preference list of user u's training listens on q. */
static void add_user_listens(lr_query *q, const lr_model *m, int32_t u)
{
    const lr__csr *x = &m->train;
    lr_query_clear_preferences(q);
    for (int64_t p = x->ptr[u]; p < x->ptr[u + 1]; p++)
        ck_assert_lr_ok(lr_query_add_preference(q, m->artist_ids[x->idx[p]], x->val[p]));
}

/* ------------------------------------------------------------ the tower */

START_TEST(tower_kept_after_fit)
{
    lr_dataset *train;
    lr_model *m = small_softmax(&train, NULL);
    ck_assert_ptr_nonnull(m->tower);
    const lr__softmax_net *net = &m->tower->net;
    ck_assert_int_eq(net->m, m->n_artists);
    ck_assert_int_eq(net->k, m->k);
    ck_assert_int_eq(net->nt, train->n_tags);
    ck_assert_ptr_null(net->l2);   /* training's alone */
    ck_assert_ptr_null(net->cold);
    lr_model_free(m);
    /* other algorithms have none */
    m = mt_fit(LR_ALGO_BPR, train, "epochs=2,factors=8");
    ck_assert_ptr_null(m->tower);
    lr_model_free(m);
    lr_dataset_free(train);
}
END_TEST

/* Every training user's row of user_f is the tower's pass over the user's
 * training listens, bit for bit, whatever the thread count of the fit. */
START_TEST(user_rows_are_the_tower)
{
    lr_dataset *train;
    lr_model *m = small_softmax(&train, NULL);
    lr_model *one = mt_fit(LR_ALGO_SOFTMAX, train,
                           "epochs=4,factors=16,hidden_width=24,tag_dim=6,threads=1");
    const size_t K = (size_t)m->k;
    ck_assert_msg(memcmp(m->user_f, one->user_f, (size_t)m->n_users * K * sizeof(float)) == 0,
                  "user vectors differ between 1 and 2 threads");
    lr__tower_scratch s;
    ck_assert_lr_ok(lr__tower_scratch_init(&s, m->tower, m->n_artists));
    float *out = malloc(K * sizeof *out);
    const lr__csr *x = &m->train;
    const int t = (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM);
    for (int32_t u = 0; u < m->n_users; u++) {
        lr__tower_forward(m->tower, t, x->idx + x->ptr[u], x->val + x->ptr[u],
                          x->ptr[u + 1] - x->ptr[u], &s, out);
        ck_assert_msg(memcmp(out, m->user_f + (size_t)u * K, K * sizeof *out) == 0,
                      "user %d: the tower's pass differs from user_f", u);
    }
    free(out);
    lr__tower_scratch_free(&s);
    lr_model_free(one);
    lr_model_free(m);
    lr_dataset_free(train);
}
END_TEST

/* A preference list equal to a training user's listens gets that user's
 * recommendations: the same artists with the same score bits, over the
 * whole catalogue. */
START_TEST(user_list_folds_in_to_the_user)
{
    lr_dataset *train;
    lr_model *m = small_softmax(&train, NULL);
    lr_query *qu, *qp;
    ck_assert_lr_ok(lr_query_new(&qu, m));
    ck_assert_lr_ok(lr_query_new(&qp, m));
    for (int i = 0; i < 2; i++) {
        lr_query *q = i ? qp : qu;
        ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, m->n_artists));
        ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXPLAIN, 5));
    }
    for (int32_t u = 0; u < m->n_users; u += 37) {
        for (int measure = LR_MEASURE_DOT; measure <= LR_MEASURE_COSINE; measure++) {
            ck_assert_lr_ok(lr_query_set_int(qu, LR_QUERY_MEASURE, measure));
            ck_assert_lr_ok(lr_query_set_int(qp, LR_QUERY_MEASURE, measure));
            size_t nu = 0, np = 0;
            ck_assert_lr_ok(lr_query_recommend_user(qu, m->user_ids[u], &nu));
            add_user_listens(qp, m, u);
            ck_assert_lr_ok(lr_query_recommend_preferences(qp, &np));
            ck_assert_uint_eq(nu, np);
            ck_assert_uint_gt(nu, 0);
            for (size_t r = 0; r < nu; r++) {
                int32_t a, b;
                double sa, sb;
                ck_assert_lr_ok(lr_query_result(qu, r, &a, &sa));
                ck_assert_lr_ok(lr_query_result(qp, r, &b, &sb));
                ck_assert_msg(a == b && memcmp(&sa, &sb, sizeof sa) == 0,
                              "user %d, measure %d, rank %zu: artist %d score %.9g vs "
                              "artist %d score %.9g", u, measure, r, a, sa, b, sb);
            }
            /* and the same explanations, artists and tags alike */
            for (size_t r = 0; r < 3; r++) {
                int32_t ia[5], ib[5];
                double ca[5], cb[5];
                size_t na = 0, nb = 0;
                ck_assert_lr_ok(lr_query_result_explanation(qu, r, ia, ca, 5, &na));
                ck_assert_lr_ok(lr_query_result_explanation(qp, r, ib, cb, 5, &nb));
                ck_assert_uint_eq(na, nb);
                for (size_t j = 0; j < na; j++)
                    ck_assert(ia[j] == ib[j] && ca[j] == cb[j]);
                const char *ta[5], *tb[5];
                ck_assert_lr_ok(lr_query_result_tag_explanation(qu, r, ta, ca, 5, &na));
                ck_assert_lr_ok(lr_query_result_tag_explanation(qp, r, tb, cb, 5, &nb));
                ck_assert_uint_eq(na, nb);
                for (size_t j = 0; j < na; j++)
                    ck_assert(strcmp(ta[j], tb[j]) == 0 && ca[j] == cb[j]);
            }
        }
    }
    lr_query_free(qu);
    lr_query_free(qp);
    lr_model_free(m);
    lr_dataset_free(train);
}
END_TEST

/* A query's results and every explanation, as plain numbers. */
typedef struct answer {
    size_t n;
    int32_t ids[10];
    double scores[10];
    size_t ne[10], nt[10];
    int32_t why[10][5];
    double cw[10][5], ct[10][5];
    char tags[10][5][64];
} answer;

static answer ask(lr_query *q)
{
    answer a;
    memset(&a, 0, sizeof a);
    a.n = lr_query_result_count(q);
    for (size_t r = 0; r < a.n; r++) {
        ck_assert_lr_ok(lr_query_result(q, r, &a.ids[r], &a.scores[r]));
        ck_assert_lr_ok(lr_query_result_explanation(q, r, a.why[r], a.cw[r], 5, &a.ne[r]));
        const char *t[5];
        ck_assert_lr_ok(lr_query_result_tag_explanation(q, r, t, a.ct[r], 5, &a.nt[r]));
        for (size_t j = 0; j < a.nt[r] && j < 5; j++)
            snprintf(a.tags[r][j], sizeof a.tags[r][j], "%s", t[j]);
    }
    return a;
}

/* A saved and loaded model folds the same list in to the same results,
 * scores and explanations, and scores its users the same. */
START_TEST(saved_and_loaded_fold_in_the_same)
{
    lr_dataset *train;
    lr_model *m = small_softmax(&train, NULL);
    lr_test_place p = lr_test_make_place("tower.lrmodel");
    ck_assert_lr_ok(lr_model_save(m, p.path));
    lr_model *back = NULL;
    ck_assert_lr_ok(lr_model_load(&back, p.path));
    ck_assert_ptr_nonnull(back->tower);
    const size_t nu = (size_t)m->n_users * (size_t)m->n_artists;
    float *sa = malloc(nu * sizeof *sa), *sb = malloc(nu * sizeof *sb);
    ck_assert_lr_ok(lr__model_score_users(m, 0, m->n_users, sa));
    ck_assert_lr_ok(lr__model_score_users(back, 0, back->n_users, sb));
    ck_assert(memcmp(sa, sb, nu * sizeof *sa) == 0);
    free(sa);
    free(sb);
    lr_query *q1, *q2;
    ck_assert_lr_ok(lr_query_new(&q1, m));
    ck_assert_lr_ok(lr_query_new(&q2, back));
    for (int i = 0; i < 2; i++) {
        lr_query *q = i ? q2 : q1;
        ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXPLAIN, 5));
        for (int j = 0; j < 5; j++)
            ck_assert_lr_ok(lr_query_add_preference(q, m->artist_ids[j * 11], 1 + 3 * j));
        ck_assert_lr_ok(lr_query_recommend_preferences(q, NULL));
    }
    answer a = ask(q1), b = ask(q2);
    ck_assert_uint_eq(a.n, 10);
    ck_assert_msg(memcmp(&a, &b, sizeof a) == 0, "the loaded model answers otherwise");
    int explained = 0;
    for (size_t r = 0; r < a.n; r++)
        explained += a.nt[r] > 0;
    ck_assert_msg(explained > 0, "no result is explained by a tag");
    lr_query_free(q1);
    lr_query_free(q2);
    lr_model_free(back);
    lr_model_free(m);
    lr_dataset_free(train);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* ------------------------------------------------------- explanations */

/* item . c: the part of item . s(x) that the biases give, with the units
 * the last forward switched on (the test's own walk of the layers). */
static double bias_part(const lr__softmax_net *net, const lr__tower_scratch *s,
                        const float *item)
{
    double z[4096], y[4096];
    const int32_t H = net->width;
    ck_assert_int_le(H, 4096);
    for (int32_t j = 0; j < H; j++)
        z[j] = 0;
    int32_t fan = 0; /* the input contributes nothing to c */
    for (int l = 0; l < net->layers; l++) {
        const float *W = net->theta + net->off_w[l], *b = net->theta + net->off_b[l];
        for (int32_t j = 0; j < H; j++) {
            double v = b[j];
            for (int32_t i = 0; i < fan; i++)
                v += (double)W[(size_t)j * (size_t)fan + (size_t)i] * z[i];
            y[j] = s->act[l][j] > 0 ? v : 0;
        }
        memcpy(z, y, (size_t)H * sizeof *z);
        fan = H;
    }
    const float *W = net->theta + net->off_w[net->layers], *b = net->theta + net->off_b[net->layers];
    double out = 0;
    for (int32_t j = 0; j < net->k; j++) {
        double v = b[j];
        for (int32_t i = 0; i < H; i++)
            v += (double)W[(size_t)j * (size_t)H + (size_t)i] * z[i];
        out += v * item[j];
    }
    return out;
}

/* The artists' and the tags' shares of every artist's score add up to the
 * score less its bias part, for two hidden layers too. */
START_TEST(shares_add_up_to_the_score)
{
    for (int layers = 1; layers <= 2; layers++) {
        lr_dataset *train;
        char extra[40];
        snprintf(extra, sizeof extra, "hidden_layers=%d", layers);
        lr_model *m = small_softmax(&train, extra);
        const lr__softmax_tower *t = m->tower;
        const lr__softmax_net *net = &t->net;
        lr__tower_scratch s;
        ck_assert_lr_ok(lr__tower_scratch_init(&s, t, m->n_artists));
        const int32_t idx[5] = {3, 40, 41, 200, 377};
        const float w[5] = {1, 12, 3, 250, 7};
        float *x = malloc((size_t)m->k * sizeof *x);
        float *g = malloc(((size_t)net->k + (size_t)net->dt) * sizeof *g);
        float art[5];
        int32_t *tag_id = malloc((size_t)net->nt * sizeof *tag_id);
        float *tag_share = malloc((size_t)net->nt * sizeof *tag_share);
        int32_t *mark = malloc((size_t)net->nt * sizeof *mark);
        for (int32_t i = 0; i < net->nt; i++)
            mark[i] = -1;
        lr__tower_forward(t, (int)lr__opt_int(&m->opts, LR_OPT_TRANSFORM), idx, w, 5, &s, x);
        ck_assert_int_gt(s.n_tags, 0);
        double worst = 0;
        for (int32_t a = 0; a < m->n_artists; a++) {
            const float *item = m->artist_f + (size_t)a * (size_t)m->k;
            double score = 0;
            for (int32_t f = 0; f < m->k; f++)
                score += (double)x[f] * item[f];
            lr__tower_input_grad(t, &s, item, g);
            int32_t nt = lr__tower_shares(t, &s, g, idx, 5, art, tag_id, tag_share, mark);
            double sum = 0;
            for (int j = 0; j < 5; j++)
                sum += art[j];
            for (int32_t i = 0; i < nt; i++)
                sum += tag_share[i];
            const double err = fabs(sum + bias_part(net, &s, item) - score);
            const double scale = 1e-4 * (1 + fabs(score));
            ck_assert_msg(err <= scale, "layers %d, artist %d: shares %.9g + bias %.9g vs "
                          "score %.9g", layers, a, sum, bias_part(net, &s, item), score);
            worst = err > worst ? err : worst;
            for (int32_t i = 0; i < net->nt; i++)
                ck_assert_int_eq(mark[i], -1);
        }
        printf("note: layers %d: shares + bias part within %.2g of every score\n", layers,
               worst);
        free(x);
        free(g);
        free(tag_id);
        free(tag_share);
        free(mark);
        lr__tower_scratch_free(&s);
        lr_model_free(m);
        lr_dataset_free(train);
    }
}
END_TEST

/* A network set by hand: the user vector's first coordinate is the bag's
 * Jazz weight (tag embedding e1 through identity layers), artist
 * embeddings are zero, and only Coltrane's item vector points along e1.
 * Liking Miles recommends Coltrane, and the explanation says: Jazz, by
 * the whole score, and no artist (their embeddings carry nothing). */
START_TEST(tag_explains_what_it_points_to)
{
    lr_dataset *ds = mt_jazz();
    lr_model *m = mt_fit(LR_ALGO_SOFTMAX, ds,
                         "epochs=1,factors=2,tag_dim=2,hidden_width=2,hidden_layers=1,seed=3,"
                         "tower_skip=0,cold_mix=0"); /* a plain tower of 2 units, set by hand
                                                 * below; its scores as they are */
    lr__softmax_tower *t = m->tower;
    lr__softmax_net *net = &t->net;
    ck_assert_int_eq(net->nt, 3);
    memset(net->theta, 0, net->n_params * sizeof *net->theta);
    float *T = net->theta + net->off_t, *W0 = net->theta + net->off_w[0],
          *Wo = net->theta + net->off_w[1];
    T[0 * 2 + 0] = 1; /* Jazz -> e1 */
    T[2 * 2 + 0] = 1; /* "jazz" too */
    T[1 * 2 + 1] = 1; /* Rock -> e2 */
    W0[0 * 4 + 2] = 1; /* hidden unit 0 = the tag mean's first coordinate */
    W0[1 * 4 + 3] = 1; /* unit 1 = its second */
    Wo[0 * 2 + 0] = 1;
    Wo[1 * 2 + 1] = 1;
    memset(m->artist_f, 0, (size_t)m->n_artists * 2 * sizeof(float));
    m->artist_f[1 * 2 + 0] = 2.0f; /* Coltrane along e1 */
    m->artist_f[3 * 2 + 1] = 0.5f; /* Exodus along e2 */
    ck_assert_lr_ok(lr__model_prepare(m));
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, 2));
    ck_assert_lr_ok(lr_query_add_preference(q, 10, 5)); /* Miles */
    size_t n = 0;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    int32_t id;
    double score;
    ck_assert_lr_ok(lr_query_result(q, 0, &id, &score));
    ck_assert_int_eq(id, 20);
    ck_assert(score > 0);
    const char *tags[5];
    double c[5];
    size_t nt = 0;
    ck_assert_lr_ok(lr_query_result_tag_explanation(q, 0, tags, c, 5, &nt));
    ck_assert_uint_eq(nt, 1);
    ck_assert_str_eq(tags[0], "Jazz");
    ck_assert_msg(fabs(c[0] - score) <= 1e-6 * score, "Jazz %.9g, score %.9g", c[0], score);
    int32_t why[5];
    size_t ne = 9;
    ck_assert_lr_ok(lr_query_result_explanation(q, 0, why, c, 5, &ne));
    ck_assert_uint_eq(ne, 0);
    /* liking Slayer (Rock) too: Exodus rises by Rock, Coltrane stays Jazz's */
    ck_assert_lr_ok(lr_query_add_preference(q, 30, 5));
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_eq(n, 2);
    for (size_t r = 0; r < n; r++) {
        ck_assert_lr_ok(lr_query_result(q, r, &id, &score));
        ck_assert_lr_ok(lr_query_result_tag_explanation(q, r, tags, c, 5, &nt));
        ck_assert_uint_eq(nt, 1);
        ck_assert_str_eq(tags[0], id == 20 ? "Jazz" : "Rock");
        ck_assert(fabs(c[0] - score) <= 1e-6 * score);
    }
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(ds);
}
END_TEST

/* Explanations through the public API: positive, largest first, at most
 * LR_QUERY_EXPLAIN, for user queries as for preferences; similar-artist
 * results have none. */
START_TEST(explanations_ranked_and_positive)
{
    lr_dataset *train;
    lr_model *m = small_softmax(&train, NULL);
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_EXPLAIN, 4));
    size_t n = 0, tagged = 0;
    for (int kind = 0; kind < 3; kind++) {
        if (kind == 0)
            ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[5], &n));
        else if (kind == 1) {
            for (int j = 0; j < 5; j++)
                ck_assert_lr_ok(lr_query_add_preference(q, m->artist_ids[j * 7 + 2], 10));
            ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
        } else {
            ck_assert_lr_ok(lr_query_similar(q, m->artist_ids[0], &n));
        }
        for (size_t r = 0; r < n; r++) {
            const char *tags[8];
            double c[8];
            size_t nt = 0;
            ck_assert_lr_ok(lr_query_result_tag_explanation(q, r, tags, c, 8, &nt));
            ck_assert_uint_le(nt, 4);
            if (kind == 2)
                ck_assert_uint_eq(nt, 0);
            tagged += nt > 0;
            for (size_t j = 0; j < nt; j++) {
                ck_assert(c[j] > 0 && isfinite(c[j]));
                ck_assert(j == 0 || c[j] <= c[j - 1]);
                ck_assert(tags[j] && *tags[j]);
                for (size_t i = 0; i < j; i++)
                    ck_assert_str_ne(tags[i], tags[j]);
            }
        }
    }
    ck_assert_uint_gt(tagged, 0);
    /* a short buffer takes the largest; out of range is refused */
    ck_assert_lr_ok(lr_query_recommend_user(q, m->user_ids[5], &n));
    ck_assert_lr_fail(lr_query_result_tag_explanation(q, n, NULL, NULL, 0, NULL), LR_E_INVALID,
                      "lr_query_result_tag_explanation");
    ck_assert_lr_fail(lr_query_result_tag_explanation(q, 0, NULL, NULL, 2, NULL), LR_E_INVALID,
                      "tags is NULL");
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(train);
}
END_TEST

/* Bad preference lists give the errors every model gives. */
START_TEST(bad_preferences)
{
    lr_dataset *train;
    lr_model *m = small_softmax(&train, NULL);
    lr_query *q;
    ck_assert_lr_ok(lr_query_new(&q, m));
    ck_assert_lr_fail(lr_query_recommend_preferences(q, NULL), LR_E_INVALID, "no preferences");
    ck_assert_lr_fail(lr_query_add_preference(q, -12345, 3), LR_E_NOTFOUND, "-12345");
    ck_assert_lr_fail(lr_query_add_preference(q, m->artist_ids[0], NAN), LR_E_RANGE, "");
    ck_assert_lr_fail(lr_query_add_preference(q, m->artist_ids[0], 0), LR_E_RANGE, "");
    ck_assert_lr_fail(lr_query_recommend_preferences(q, NULL), LR_E_INVALID, "no preferences");
    ck_assert_uint_eq(lr_query_result_count(q), 0);
    lr_query_free(q);
    lr_model_free(m);
    lr_dataset_free(train);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("softmax_tower");
    TCase *t = tcase_create("tower");
    tcase_set_timeout(t, 300);
    tcase_add_test(t, tower_kept_after_fit);
    tcase_add_test(t, user_rows_are_the_tower);
    tcase_add_test(t, user_list_folds_in_to_the_user);
    tcase_add_test(t, saved_and_loaded_fold_in_the_same);
    tcase_add_test(t, shares_add_up_to_the_score);
    tcase_add_test(t, tag_explains_what_it_points_to);
    tcase_add_test(t, explanations_ranked_and_positive);
    tcase_add_test(t, bad_preferences);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lr_test_run(suite()); }
