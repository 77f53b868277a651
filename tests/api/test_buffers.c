/* Buffers suite: every (out, capacity, &needed) call of the public header
 * follows the one rule of docs/api.md ("Buffers"), checked with capacities
 * 0, needed - 1 and needed.  A complete list answers a short buffer with
 * LR_E_BUFSIZE and writes nothing; a ranked list answers LR_OK with the
 * start of its full answer.  The suite also reads the header and fails when
 * a call with a capacity parameter is missing from its table, so a new call
 * cannot skip the rule.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include <lastrec/lastrec.h>

#include <stdint.h>

/* ---------------------------------------------------------------- fixture */

static lr_dataset *ds, *train, *test;
static lr_model *model;
static lr_evaluation *eval;
static lr_model *softmax;
static lr_map *pca;
static lr_query *q_cand, *q_pref, *q_user, *q_tower;
static int32_t user_id, friend_user, tag_user, tag_artist, tags_artist;
static size_t tags_rank, explain_rank, tower_rank;
enum { PER_RESULT = 3, K_ALL = 2 };

/* With g_null set, every call gets a NULL handle: a failure that is not
 * LR_E_BUFSIZE must still set *needed (to 0). */
static int g_null;
#define H(x) (g_null ? NULL : (x))

/* The size a capacity-0 call reported (read after the call returned). */
static size_t probe(int rc, const size_t *needed)
{
    ck_assert_msg(rc == LR_OK || rc == LR_E_BUFSIZE, "probe: %d (%s)", rc, lr_last_error());
    return *needed;
}

static void setup(void)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "synth_users=80,synth_artists=300,seed=5,"
                                             "factors=4,epochs=3,threads=1"));
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, o, &train, &test));
    ck_assert_lr_ok(lr_model_new(&model, LR_ALGO_ALS, o));
    ck_assert_lr_ok(lr_model_fit(model, train, NULL));
    ck_assert_lr_ok(lr_evaluate(&eval, model, train, test, 10, o));
    ck_assert_lr_ok(lr_model_pca(&pca, model, 3, NULL));
    lr_options_free(o);

    /* Pick inputs whose answers hold at least two entries, so that
     * needed - 1 is a short but non-empty buffer. */
    size_t nu = 0;
    ck_assert_int_eq(lr_dataset_ids(ds, LR_IDS_USERS, NULL, 0, &nu), LR_E_BUFSIZE);
    int32_t *users = malloc(nu * sizeof *users);
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_USERS, users, nu, &nu));
    size_t na = 0;
    ck_assert_int_eq(lr_dataset_ids(ds, LR_IDS_ARTISTS, NULL, 0, &na), LR_E_BUFSIZE);
    int32_t *artists = malloc(na * sizeof *artists);
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_ARTISTS, artists, na, &na));
    user_id = users[0];
    friend_user = tag_user = tag_artist = tags_artist = -1;
    for (size_t i = 0; i < nu && friend_user < 0; i++) {
        size_t n = 0;
        if (probe(lr_dataset_user_friends(ds, users[i], NULL, 0, &n), &n) >= 2)
            friend_user = users[i];
    }
    for (size_t i = 0; i < na && tags_artist < 0; i++) {
        size_t n = 0;
        if (probe(lr_dataset_artist_tags(ds, artists[i], NULL, NULL, 0, &n), &n) >= 2)
            tags_artist = artists[i];
    }
    for (size_t i = 0; i < nu && tag_user < 0; i++) {
        size_t nl = 0;
        probe(lr_dataset_user_listens(ds, users[i], NULL, NULL, 0, &nl), &nl);
        int32_t *la = malloc(nl * sizeof *la);
        ck_assert_lr_ok(lr_dataset_user_listens(ds, users[i], la, NULL, nl, &nl));
        for (size_t j = 0; j < nl; j++) {
            size_t n = 0;
            if (probe(lr_dataset_user_artist_tags(ds, users[i], la[j], NULL, 0, &n), &n) >= 2) {
                tag_user = users[i];
                tag_artist = la[j];
                break;
            }
        }
        free(la);
    }
    ck_assert_msg(friend_user >= 0 && tags_artist >= 0 && tag_user >= 0, "%d %d %d: "
                  "the synthetic data lack a user with 2 friends, an artist with 2 tags "
                  "or a (user, artist) pair with 2 tags", friend_user, tags_artist, tag_user);

    ck_assert_lr_ok(lr_query_new(&q_cand, model));
    int32_t found;
    int rc = lr_query_find_artist(q_cand, "a", &found);
    ck_assert_msg(rc == LR_OK || rc == LR_E_AMBIGUOUS, "find 'a': %s", lr_last_error());

    ck_assert_lr_ok(lr_query_new(&q_pref, model));
    for (int i = 0; i < 4; i++)
        ck_assert_lr_ok(lr_query_add_preference(q_pref, artists[(size_t)i * 7], 1 + i));

    ck_assert_lr_ok(lr_query_new(&q_user, model));
    ck_assert_lr_ok(lr_query_set_int(q_user, LR_QUERY_K, 20));
    ck_assert_lr_ok(lr_query_set_int(q_user, LR_QUERY_EXPLAIN, 5));
    ck_assert_lr_ok(lr_query_set_int(q_user, LR_QUERY_EXCLUDE_LISTENED, 0));
    /* A user with results of two tags and of two explanation artists. */
    tags_rank = explain_rank = SIZE_MAX;
    for (size_t i = 0; i < nu && (tags_rank == SIZE_MAX || explain_rank == SIZE_MAX); i++) {
        if (lr_query_recommend_user(q_user, users[i], NULL) != LR_OK)
            continue;
        size_t tr = SIZE_MAX, er = SIZE_MAX;
        for (size_t r = 0; r < lr_query_result_count(q_user); r++) {
            size_t n = 0;
            if (tr == SIZE_MAX && lr_query_result_tags(q_user, r, NULL, NULL, 0, &n) == LR_OK &&
                n >= 2)
                tr = r;
            if (er == SIZE_MAX &&
                lr_query_result_explanation(q_user, r, NULL, NULL, 0, &n) == LR_OK && n >= 2)
                er = r;
        }
        if (tr != SIZE_MAX && er != SIZE_MAX) {
            tags_rank = tr;
            explain_rank = er;
        }
    }
    ck_assert_msg(tags_rank != SIZE_MAX, "no user's results have 2 tags and 2 explanations");

    /* softmax's tag explanations: a preference list whose results have
     * two tags to explain them */
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "factors=4,tag_dim=3,hidden_width=8,epochs=3,"
                                             "threads=1,seed=5"));
    ck_assert_lr_ok(lr_model_new(&softmax, LR_ALGO_SOFTMAX, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(softmax, train, NULL));
    ck_assert_lr_ok(lr_query_new(&q_tower, softmax));
    ck_assert_lr_ok(lr_query_set_int(q_tower, LR_QUERY_EXPLAIN, 5));
    ck_assert_lr_ok(lr_query_set_int(q_tower, LR_QUERY_K, 20));
    tower_rank = SIZE_MAX;
    for (size_t i = 0; i + 2 < na && tower_rank == SIZE_MAX; i += 3) {
        lr_query_clear_preferences(q_tower);
        for (size_t j = i; j < i + 3; j++)
            ck_assert_lr_ok(lr_query_add_preference(q_tower, artists[j], 2));
        ck_assert_lr_ok(lr_query_recommend_preferences(q_tower, NULL));
        for (size_t r = 0; r < lr_query_result_count(q_tower) && tower_rank == SIZE_MAX; r++) {
            size_t n = 0;
            if (lr_query_result_tag_explanation(q_tower, r, NULL, NULL, 0, &n) == LR_OK &&
                n >= 2)
                tower_rank = r;
        }
    }
    ck_assert_msg(tower_rank != SIZE_MAX, "no preference list's results have 2 tags to "
                                          "explain them");
    free(users);
    free(artists);
}

static void teardown(void)
{
    lr_query_free(q_cand);
    lr_query_free(q_pref);
    lr_query_free(q_user);
    lr_query_free(q_tower);
    lr_model_free(softmax);
    lr_evaluation_free(eval);
    lr_map_free(pca);
    lr_model_free(model);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_dataset_free(ds);
}

/* ------------------------------------------------------------------ calls */

/* One call: up to five output arrays b[0..], each of size[i] bytes per
 * entry. */
typedef int (*fill_fn)(void *const b[], size_t cap, size_t *needed);

static int f_dataset_ids(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_ids(H(ds), LR_IDS_TAGS, b[0], cap, needed);
}
static int f_find_artist(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_find_artist(H(ds), "a", b[0], cap, needed);
}
static int f_artist_tags(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_artist_tags(H(ds), tags_artist, b[0], b[1], cap, needed);
}
static int f_user_artist_tags(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_user_artist_tags(H(ds), tag_user, tag_artist, b[0], cap, needed);
}
static int f_user_listens(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_user_listens(H(ds), user_id, b[0], b[1], cap, needed);
}
static int f_user_friends(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_user_friends(H(ds), friend_user, b[0], cap, needed);
}
static int f_distribution(void *const b[], size_t cap, size_t *needed)
{
    return lr_dataset_distribution(H(ds), LR_DIST_ARTIST_FANS, b[0], cap, needed);
}
static int f_model_ids(void *const b[], size_t cap, size_t *needed)
{
    return lr_model_ids(H(model), LR_IDS_USERS, b[0], cap, needed);
}
static int f_model_history(void *const b[], size_t cap, size_t *needed)
{
    return lr_model_history(H(model), LR_HISTORY_LOSS, b[0], cap, needed);
}
static int f_artist_norms(void *const b[], size_t cap, size_t *needed)
{
    return lr_model_artist_norms(H(model), b[0], b[1], b[2], cap, needed);
}
static int f_map_ids(void *const b[], size_t cap, size_t *needed)
{
    return lr_map_ids(H(pca), b[0], cap, needed);
}
static int f_map_coords(void *const b[], size_t cap, size_t *needed)
{
    return lr_map_coords(H(pca), b[0], cap, needed);
}
static int f_map_variance(void *const b[], size_t cap, size_t *needed)
{
    return lr_map_variance(H(pca), b[0], b[1], cap, needed);
}
static int f_user_metric(void *const b[], size_t cap, size_t *needed)
{
    return lr_evaluation_user_metric(H(eval), LR_METRIC_NDCG, b[0], cap, needed);
}
static int f_evaluation_users(void *const b[], size_t cap, size_t *needed)
{
    return lr_evaluation_users(H(eval), b[0], cap, needed);
}
static int f_candidates(void *const b[], size_t cap, size_t *needed)
{
    return lr_query_candidates(H(q_cand), b[0], cap, needed);
}
static int f_preferences(void *const b[], size_t cap, size_t *needed)
{
    return lr_query_preferences(H(q_pref), b[0], b[1], cap, needed);
}
static int f_result_tags(void *const b[], size_t cap, size_t *needed)
{
    return lr_query_result_tags(H(q_user), tags_rank, b[0], b[1], cap, needed);
}
static int f_explanation(void *const b[], size_t cap, size_t *needed)
{
    return lr_query_result_explanation(H(q_user), explain_rank, b[0], b[1], cap, needed);
}
static int f_tag_explanation(void *const b[], size_t cap, size_t *needed)
{
    return lr_query_result_tag_explanation(H(q_tower), tower_rank, b[0], b[1], cap, needed);
}
static int f_results(void *const b[], size_t cap, size_t *needed)
{
    return lr_query_results(H(q_user), b[0], b[1], b[2], b[3], b[4], PER_RESULT, cap, needed);
}
static int f_recommend_all(void *const b[], size_t cap, size_t *needed)
{
    /* Its own query: recommend_all leaves the query's results alone, but k
     * is a setting of the query. */
    lr_query *q = NULL;
    if (!g_null) {
        ck_assert_lr_ok(lr_query_new(&q, model));
        ck_assert_lr_ok(lr_query_set_int(q, LR_QUERY_K, K_ALL));
    }
    /* cap counts rows here (users): the call counts IDs. */
    int rc = lr_query_recommend_all(q, NULL, b[0], b[1], cap * K_ALL, needed);
    lr_query_free(q);
    return rc;
}

typedef struct buf_case {
    const char *name;
    int ranked; /* 1: LR_OK with the first capacity entries; 0: LR_E_BUFSIZE */
    fill_fn fn;
    size_t size[5];
} buf_case;

static const buf_case cases[] = {
    {"lr_dataset_ids", 0, f_dataset_ids, {4}},
    {"lr_dataset_find_artist", 1, f_find_artist, {4}},
    {"lr_dataset_artist_tags", 1, f_artist_tags, {4, 8}},
    {"lr_dataset_user_artist_tags", 0, f_user_artist_tags, {4}},
    {"lr_dataset_user_listens", 0, f_user_listens, {4, 4}},
    {"lr_dataset_user_friends", 0, f_user_friends, {4}},
    {"lr_dataset_distribution", 0, f_distribution, {8}},
    {"lr_model_ids", 0, f_model_ids, {4}},
    {"lr_model_history", 0, f_model_history, {8}},
    {"lr_model_artist_norms", 0, f_artist_norms, {8, 8, 8}},
    {"lr_map_ids", 0, f_map_ids, {4}},
    {"lr_map_coords", 0, f_map_coords, {8}},
    {"lr_map_variance", 0, f_map_variance, {8, 8}},
    {"lr_evaluation_user_metric", 0, f_user_metric, {8}},
    {"lr_evaluation_users", 0, f_evaluation_users, {4}},
    {"lr_query_candidates", 1, f_candidates, {4}},
    {"lr_query_preferences", 0, f_preferences, {4, 8}},
    {"lr_query_result_tags", 1, f_result_tags, {sizeof(char *), 8}},
    {"lr_query_result_explanation", 1, f_explanation, {4, 8}},
    {"lr_query_result_tag_explanation", 1, f_tag_explanation, {sizeof(char *), 8}},
    {"lr_query_results", 1, f_results,
     {4, 8, sizeof(size_t), 4 * PER_RESULT, 8 * PER_RESULT}},
    {"lr_query_recommend_all", 0, f_recommend_all, {4 * K_ALL, 4 * K_ALL}},
};
#define N_CASES (sizeof cases / sizeof cases[0])

/* The entries are counted per row for recommend_all (K_ALL IDs a user). */
static size_t entries(const buf_case *c, size_t needed)
{
    return c->fn == f_recommend_all ? needed / K_ALL : needed;
}

enum { FILL = 0xA5 };

static void alloc_bufs(const buf_case *c, size_t n, void *b[5])
{
    for (int i = 0; i < 5; i++) {
        b[i] = NULL;
        if (c->size[i]) {
            b[i] = malloc((n + 1) * c->size[i]);
            ck_assert_ptr_nonnull(b[i]);
            memset(b[i], FILL, (n + 1) * c->size[i]);
        }
    }
}

static int untouched(const void *p, size_t bytes)
{
    const unsigned char *u = p;
    for (size_t i = 0; i < bytes; i++)
        if (u[i] != FILL)
            return 0;
    return 1;
}

static void free_bufs(void *b[5])
{
    for (int i = 0; i < 5; i++)
        free(b[i]);
}

START_TEST(capacity_zero_needed_minus_one_and_needed)
{
    const buf_case *c = &cases[_i];
    void *none[5] = {NULL, NULL, NULL, NULL, NULL};

    /* Capacity 0 with NULL buffers: the size query. */
    size_t needed = 12345;
    int rc = c->fn(none, 0, &needed);
    size_t want = needed;
    ck_assert_msg(want >= 2, "%s: the fixture gives only %zu entries", c->name, want);
    size_t n = entries(c, want);
    if (c->ranked) {
        ck_assert_msg(rc == LR_OK, "%s, capacity 0: %d (%s)", c->name, rc, lr_last_error());
    } else {
        ck_assert_msg(rc == LR_E_BUFSIZE, "%s, capacity 0: %d", c->name, rc);
        ck_assert_msg(strstr(lr_last_error(), c->name) != NULL,
                      "%s: message '%s'", c->name, lr_last_error());
    }
    /* A NULL needed is accepted. */
    ck_assert_int_eq(c->fn(none, 0, NULL), rc);

    /* Capacity needed: everything, nothing past it. */
    void *full[5];
    alloc_bufs(c, n, full);
    needed = 0;
    rc = c->fn(full, n, &needed);
    ck_assert_msg(rc == LR_OK, "%s, capacity needed: %d (%s)", c->name, rc, lr_last_error());
    ck_assert_uint_eq(needed, want);
    for (int i = 0; i < 5; i++)
        if (full[i])
            ck_assert_msg(untouched((char *)full[i] + n * c->size[i], c->size[i]),
                          "%s wrote past its capacity (array %d)", c->name, i);

    /* Capacity 0 with real buffers: nothing written. */
    void *b[5];
    alloc_bufs(c, n, b);
    needed = 0;
    ck_assert_int_eq(c->fn(b, 0, &needed), rc = c->ranked ? LR_OK : LR_E_BUFSIZE);
    ck_assert_uint_eq(needed, want);
    for (int i = 0; i < 5; i++)
        if (b[i])
            ck_assert_msg(untouched(b[i], (n + 1) * c->size[i]), "%s, capacity 0, wrote", c->name);

    /* Capacity needed - 1. */
    needed = 0;
    rc = c->fn(b, n - 1, &needed);
    ck_assert_uint_eq(needed, want);
    if (c->ranked) {
        ck_assert_msg(rc == LR_OK, "%s, capacity needed-1: %d (%s)", c->name, rc,
                      lr_last_error());
        /* The start of the full answer, and nothing at [needed - 1]. */
        for (int i = 0; i < 5; i++) {
            if (!b[i])
                continue;
            ck_assert_msg(memcmp(b[i], full[i], (n - 1) * c->size[i]) == 0,
                          "%s, capacity needed-1: not the start of the full answer (array %d)",
                          c->name, i);
            ck_assert_msg(untouched((char *)b[i] + (n - 1) * c->size[i], 2 * c->size[i]),
                          "%s, capacity needed-1: wrote past capacity (array %d)", c->name, i);
        }
    } else {
        ck_assert_msg(rc == LR_E_BUFSIZE, "%s, capacity needed-1: %d", c->name, rc);
        for (int i = 0; i < 5; i++)
            if (b[i])
                ck_assert_msg(untouched(b[i], (n + 1) * c->size[i]),
                              "%s, capacity needed-1: wrote although it failed", c->name);
    }
    free_bufs(b);
    free_bufs(full);

    /* Any other failure sets *needed to 0. */
    g_null = 1;
    needed = 12345;
    rc = c->fn(none, 0, &needed);
    g_null = 0;
    ck_assert_msg(rc == LR_E_INVALID, "%s with a NULL handle: %d", c->name, rc);
    ck_assert_msg(needed == 0, "%s with a NULL handle left needed at %zu", c->name, needed);
}
END_TEST

/* Every declaration of the header with a parameter named capacity is in
 * the table above, and nothing else is. */
START_TEST(every_capacity_call_is_covered)
{
    FILE *fp = fopen(LR_PUBLIC_HEADER, "r");
    ck_assert_msg(fp != NULL, "cannot open %s", LR_PUBLIC_HEADER);
    static char text[1 << 20];
    size_t len = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[len] = '\0';
    int seen[N_CASES] = {0};
    int found = 0;
    for (char *p = strstr(text, "LR_API "); p; p = strstr(p + 1, "LR_API ")) {
        char *end = strchr(p, ';');
        ck_assert_ptr_nonnull(end);
        char *paren = memchr(p, '(', (size_t)(end - p));
        if (!paren)
            continue;
        char *cap = strstr(p, "capacity");
        if (!cap || cap > end)
            continue;
        char *name = paren;
        while (name > p && (name[-1] == '_' || (name[-1] >= 'a' && name[-1] <= 'z') ||
                            (name[-1] >= '0' && name[-1] <= '9')))
            name--;
        size_t nlen = (size_t)(paren - name);
        int known = 0;
        for (size_t i = 0; i < N_CASES; i++)
            if (strlen(cases[i].name) == nlen && strncmp(cases[i].name, name, nlen) == 0) {
                seen[i] = known = 1;
                break;
            }
        ck_assert_msg(known, "%.*s takes a capacity but is not checked here", (int)nlen, name);
        found++;
    }
    for (size_t i = 0; i < N_CASES; i++)
        ck_assert_msg(seen[i], "%s is checked here but not declared with a capacity",
                      cases[i].name);
    ck_assert_int_eq(found, (int)N_CASES);
}
END_TEST

static Suite *buffers_suite(void)
{
    Suite *s = suite_create("buffers");
    TCase *tc = tcase_create("rule");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, capacity_zero_needed_minus_one_and_needed, 0, (int)N_CASES);
    suite_add_tcase(s, tc);
    TCase *th = tcase_create("header");
    tcase_add_test(th, every_capacity_call_is_covered);
    suite_add_tcase(s, th);
    return s;
}

int main(void) { return lr_test_run(buffers_suite()); }
