/* The public query entry points: argument checks and ID translation around
 * lib/query.  SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "core/options.h"
#include "query/query.h"

#include <math.h>
#include <string.h>

int lr_query_new(lr_query **out, const lr_model *m)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_query_new: out is NULL");
    *out = NULL;
    if (!m)
        return lr__fail(LR_E_INVALID, "lr_query_new: model is NULL");
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "lr_query_new: the model is not fitted");
    return lr__query_new(out, m);
}

void lr_query_free(lr_query *q) { lr__query_free(q); }

/* One row per key: its name for messages and its bounds. */
static const struct {
    int key;
    const char *name;
    int64_t min, max;
} keys[] = {
    {LR_QUERY_K, "k", 1, LR__QUERY_K_MAX},
    {LR_QUERY_MEASURE, "measure", LR_MEASURE_DOT, LR_MEASURE_COSINE},
    {LR_QUERY_EXCLUDE_LISTENED, "exclude_listened", 0, 1},
    {LR_QUERY_EXPLAIN, "explain", 0, LR__QUERY_EXPLAIN_MAX},
};

static int find_key(int key)
{
    for (int i = 0; i < (int)(sizeof keys / sizeof keys[0]); i++)
        if (keys[i].key == key)
            return i;
    return -1;
}

int lr_query_set_int(lr_query *q, int key, int64_t value)
{
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_set_int: query is NULL");
    int i = find_key(key);
    if (i < 0)
        return lr__fail(LR_E_INVALID,
                        "lr_query_set_int: unknown query setting %d (known: 1 k, 2 measure, "
                        "3 exclude_listened, 4 explain)",
                        key);
    if (value < keys[i].min || value > keys[i].max)
        return lr__fail(LR_E_INVALID, "query setting '%s': %lld is outside [%lld, %lld]",
                        keys[i].name, (long long)value, (long long)keys[i].min,
                        (long long)keys[i].max);
    switch (key) {
    case LR_QUERY_K:
        return lr__query_set_k(q, (int32_t)value);
    case LR_QUERY_EXPLAIN:
        return lr__query_set_explain(q, (int32_t)value);
    case LR_QUERY_MEASURE:
        if (value == LR_MEASURE_COSINE && !lr__model_has_factors(q->m))
            return lr__fail(LR_E_UNSUPPORTED,
                            "query setting 'measure': cosine needs embeddings, which a %s "
                            "model does not have",
                            lr_algorithm_name(q->m->algo));
        q->measure = (int)value;
        break;
    default:
        q->exclude = (int)value;
        break;
    }
    q->n_res = 0;
    q->kind = LR__RESULT_NONE;
    return LR_OK;
}

int lr_query_get_int(const lr_query *q, int key, int64_t *value)
{
    if (!q || !value)
        return lr__fail(LR_E_INVALID, "lr_query_get_int: NULL argument");
    switch (key) {
    case LR_QUERY_K: *value = q->k; return LR_OK;
    case LR_QUERY_MEASURE: *value = q->measure; return LR_OK;
    case LR_QUERY_EXCLUDE_LISTENED: *value = q->exclude; return LR_OK;
    case LR_QUERY_EXPLAIN: *value = q->explain; return LR_OK;
    default:
        return lr__fail(LR_E_INVALID, "lr_query_get_int: unknown query setting %d", key);
    }
}

int lr_query_set_filter(lr_query *q, int mode, const int32_t *artist_ids, size_t n)
{
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_set_filter: query is NULL");
    if (mode != LR_FILTER_NONE && mode != LR_FILTER_ALLOW && mode != LR_FILTER_DENY)
        return lr__fail(LR_E_INVALID,
                        "lr_query_set_filter: unknown mode %d (0 none, 1 allow, 2 deny)", mode);
    if (mode != LR_FILTER_NONE && n > 0 && !artist_ids)
        return lr__fail(LR_E_INVALID, "lr_query_set_filter: artist_ids is NULL but n is %zu", n);
    if (n > (size_t)INT32_MAX)
        return lr__fail(LR_E_INVALID, "lr_query_set_filter: %zu IDs are too many", n);
    return lr__query_set_filter(q, mode, artist_ids, n);
}

int lr_query_set_tag(lr_query *q, const char *tag)
{
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_set_tag: query is NULL");
    return lr__query_set_tag(q, tag);
}

int lr_query_find_artist(lr_query *q, const char *name, int32_t *artist_id)
{
    if (!q || !name || !artist_id)
        return lr__fail(LR_E_INVALID, "lr_query_find_artist: NULL argument");
    int32_t a;
    int rc = lr__query_resolve(q, name, 1, &a);
    if (rc == LR_OK)
        *artist_id = q->m->artist_ids[a];
    return rc;
}

int lr_query_candidates(const lr_query *q, int32_t *artist_ids, size_t capacity,
                        size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_candidates: query is NULL");
    if (capacity && !artist_ids)
        return lr__fail(LR_E_INVALID, "lr_query_candidates: artist_ids is NULL but capacity is %zu",
                        capacity);
    for (size_t i = 0; i < q->n_cand && i < capacity; i++)
        artist_ids[i] = q->m->artist_ids[q->cand[i]];
    if (needed)
        *needed = q->n_cand;
    return LR_OK;
}

const char *lr_query_artist_name(const lr_query *q, int32_t artist_id)
{
    if (!q)
        return NULL;
    int32_t a = lr__query_artist_index(q, artist_id);
    return a < 0 ? NULL : lr__strtab_get(&q->m->artist_names, a);
}

static int check_listens(double listens)
{
    /* Counts are kept as float: past FLT_MAX one would become infinite. */
    if (!isfinite(listens) || listens <= 0 || listens > 3.4e38)
        return lr__fail(LR_E_RANGE,
                        "preference: the listen count must be a finite number above 0 and at "
                        "most 3.4e38, got %g",
                        listens);
    return LR_OK;
}

int lr_query_add_preference(lr_query *q, int32_t artist_id, double listens)
{
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_add_preference: query is NULL");
    int32_t a = lr__query_artist_index(q, artist_id);
    if (a < 0)
        return lr__fail(LR_E_NOTFOUND, "preference: the model has no artist ID %d", artist_id);
    int rc = check_listens(listens);
    return rc != LR_OK ? rc : lr__query_add_pref(q, a, (float)listens);
}

int lr_query_add_preference_name(lr_query *q, const char *name, double listens,
                                 int32_t *artist_id)
{
    if (!q || !name)
        return lr__fail(LR_E_INVALID, "lr_query_add_preference_name: NULL argument");
    int rc = check_listens(listens);
    int32_t a;
    if (rc == LR_OK)
        rc = lr__query_resolve(q, name, 1, &a);
    if (rc == LR_OK)
        rc = lr__query_add_pref(q, a, (float)listens);
    if (rc == LR_OK && artist_id)
        *artist_id = q->m->artist_ids[a];
    return rc;
}

void lr_query_clear_preferences(lr_query *q)
{
    if (q)
        q->n_pref = 0;
}

int lr_query_preferences(const lr_query *q, int32_t *artist_ids, double *listens,
                         size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_preferences: query is NULL");
    const size_t n = (size_t)q->n_pref;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_query_preferences: %zu preferences needed, capacity %zu", n,
                        capacity);
    for (size_t i = 0; i < n; i++) {
        if (artist_ids)
            artist_ids[i] = q->m->artist_ids[q->pref_idx[i]];
        if (listens)
            listens[i] = q->pref_w[i];
    }
    return LR_OK;
}

static void set_count(size_t *count, const lr_query *q)
{
    if (count)
        *count = (size_t)q->n_res;
}

int lr_query_recommend_user(lr_query *q, int32_t user_id, size_t *count)
{
    if (count)
        *count = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_recommend_user: query is NULL");
    int32_t u = lr__index_of(q->m->user_ids, q->m->n_users, user_id);
    if (u < 0) {
        q->n_res = 0;
        q->kind = LR__RESULT_NONE;
        return lr__fail(LR_E_NOTFOUND, "the model has no user ID %d", user_id);
    }
    int rc = lr__query_user(q, u);
    set_count(count, q);
    return rc;
}

int lr_query_recommend_preferences(lr_query *q, size_t *count)
{
    if (count)
        *count = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_recommend_preferences: query is NULL");
    int rc = lr__query_preferences(q);
    set_count(count, q);
    return rc;
}

int lr_query_similar(lr_query *q, int32_t artist_id, size_t *count)
{
    if (count)
        *count = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_similar: query is NULL");
    int32_t a = lr__query_artist_index(q, artist_id);
    if (a < 0) {
        q->n_res = 0;
        q->kind = LR__RESULT_NONE;
        return lr__fail(LR_E_NOTFOUND, "the model has no artist ID %d", artist_id);
    }
    int rc = lr__query_similar(q, a);
    set_count(count, q);
    return rc;
}

int lr_query_similar_name(lr_query *q, const char *name, int32_t *artist_id, size_t *count)
{
    if (count)
        *count = 0;
    if (!q || !name)
        return lr__fail(LR_E_INVALID, "lr_query_similar_name: NULL argument");
    int32_t a;
    int rc = lr__query_resolve(q, name, 0, &a);
    if (rc != LR_OK) {
        q->n_res = 0;
        q->kind = LR__RESULT_NONE;
        return rc;
    }
    if (artist_id)
        *artist_id = q->m->artist_ids[a];
    rc = lr__query_similar(q, a);
    set_count(count, q);
    return rc;
}

size_t lr_query_result_count(const lr_query *q) { return q ? (size_t)q->n_res : 0; }

/* The dense artist index at rank, or -1 (with the message set). */
static int32_t at_rank(const lr_query *q, size_t rank, const char *fn)
{
    if (!q) {
        lr__fail(LR_E_INVALID, "%s: query is NULL", fn);
        return -1;
    }
    if (rank >= (size_t)q->n_res) {
        lr__fail(LR_E_INVALID, "%s: rank %zu, but the last query has %d results", fn, rank,
                 (int)q->n_res);
        return -1;
    }
    return q->res_idx[rank];
}

int lr_query_result(const lr_query *q, size_t rank, int32_t *artist_id, double *score)
{
    int32_t a = at_rank(q, rank, "lr_query_result");
    if (a < 0)
        return LR_E_INVALID;
    if (artist_id)
        *artist_id = q->m->artist_ids[a];
    if (score)
        *score = q->res_score[rank];
    return LR_OK;
}

const char *lr_query_result_name(const lr_query *q, size_t rank)
{
    int32_t a = at_rank(q, rank, "lr_query_result_name");
    return a < 0 ? NULL : lr__strtab_get(&q->m->artist_names, a);
}

const char *lr_query_result_top_tag(const lr_query *q, size_t rank)
{
    int32_t a = at_rank(q, rank, "lr_query_result_top_tag");
    return a < 0 ? NULL : lr__strtab_get(&q->m->artist_top_tags, a);
}

int64_t lr_query_result_fans(const lr_query *q, size_t rank)
{
    int32_t a = at_rank(q, rank, "lr_query_result_fans");
    return a < 0 ? -1 : q->fans[a];
}

int lr_query_result_tags(const lr_query *q, size_t rank, const char **tags, int64_t *counts,
                         size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    int32_t a = at_rank(q, rank, "lr_query_result_tags");
    if (a < 0)
        return LR_E_INVALID;
    if (capacity && !tags)
        return lr__fail(LR_E_INVALID, "lr_query_result_tags: tags is NULL but capacity is %zu",
                        capacity);
    const lr_model *m = q->m;
    const int32_t *t = m->artist_tags ? m->artist_tags + (size_t)a * LR__TAGS_PER_ARTIST : NULL;
    size_t n = 0;
    while (t && n < LR__TAGS_PER_ARTIST && t[n] >= 0)
        n++;
    if (needed)
        *needed = n;
    for (size_t i = 0; i < n && i < capacity; i++) {
        tags[i] = lr__strtab_get(&m->tag_names, t[i]);
        if (counts)
            counts[i] = m->artist_tag_counts[(size_t)a * LR__TAGS_PER_ARTIST + i];
    }
    return LR_OK;
}

int lr_query_result_explanation(const lr_query *q, size_t rank, int32_t *artist_ids,
                                double *contributions, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (at_rank(q, rank, "lr_query_result_explanation") < 0)
        return LR_E_INVALID;
    if (capacity && !artist_ids)
        return lr__fail(LR_E_INVALID,
                        "lr_query_result_explanation: artist_ids is NULL but capacity is %zu",
                        capacity);
    const size_t n = (size_t)q->exp_n[rank];
    if (needed)
        *needed = n;
    const size_t base = rank * (size_t)q->explain;
    for (size_t i = 0; i < n && i < capacity; i++) {
        artist_ids[i] = q->m->artist_ids[q->exp_idx[base + i]];
        if (contributions)
            contributions[i] = q->exp_val[base + i];
    }
    return LR_OK;
}

int lr_query_result_tag_explanation(const lr_query *q, size_t rank, const char **tags,
                                    double *contributions, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (at_rank(q, rank, "lr_query_result_tag_explanation") < 0)
        return LR_E_INVALID;
    if (capacity && !tags)
        return lr__fail(LR_E_INVALID,
                        "lr_query_result_tag_explanation: tags is NULL but capacity is %zu",
                        capacity);
    const size_t n = (size_t)q->exp_tag_n[rank];
    if (needed)
        *needed = n;
    const size_t base = rank * (size_t)q->explain;
    for (size_t i = 0; i < n && i < capacity; i++) {
        tags[i] = lr__strtab_get(&q->m->tag_names, q->exp_tag_idx[base + i]);
        if (contributions)
            contributions[i] = q->exp_tag_val[base + i];
    }
    return LR_OK;
}

int lr_query_results(const lr_query *q, int32_t *artist_ids, double *scores,
                     size_t *explain_counts, int32_t *explain_ids, double *contributions,
                     size_t per_result, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_results: query is NULL");
    if ((explain_ids || contributions) && !explain_counts)
        return lr__fail(LR_E_INVALID, "lr_query_results: explanations need explain_counts");
    const size_t n = (size_t)q->n_res;
    if (needed)
        *needed = n;
    const int32_t *ids = q->m->artist_ids;
    for (size_t r = 0; r < n && r < capacity; r++) {
        if (artist_ids)
            artist_ids[r] = ids[q->res_idx[r]];
        if (scores)
            scores[r] = q->res_score[r];
        if (!explain_counts)
            continue;
        const size_t ne = (size_t)q->exp_n[r] < per_result ? (size_t)q->exp_n[r] : per_result;
        const size_t from = r * (size_t)q->explain, to = r * per_result;
        explain_counts[r] = ne;
        for (size_t i = 0; i < ne; i++) {
            if (explain_ids)
                explain_ids[to + i] = ids[q->exp_idx[from + i]];
            if (contributions)
                contributions[to + i] = q->exp_val[from + i];
        }
    }
    return LR_OK;
}

int lr_query_recommend_all(lr_query *q, const lr_options *opts, int32_t *artist_ids,
                           float *scores, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!q)
        return lr__fail(LR_E_INVALID, "lr_query_recommend_all: query is NULL");
    const size_t n = (size_t)q->m->n_users * (size_t)q->k;
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_query_recommend_all: %d users x k %d = %zu entries "
                                      "needed, capacity %zu",
                        (int)q->m->n_users, (int)q->k, n, capacity);
    if (n && !artist_ids)
        return lr__fail(LR_E_INVALID, "lr_query_recommend_all: artist_ids is NULL");
    int rc = lr__query_all(q, lr__opt_threads(opts), artist_ids, scores, lr__opt_progress(opts));
    if (rc != LR_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (artist_ids[i] >= 0)
            artist_ids[i] = q->m->artist_ids[artist_ids[i]];
    return LR_OK;
}
