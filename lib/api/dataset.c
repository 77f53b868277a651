/* Read-only accessors of lr_dataset: argument checks and ID translation.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "data/dataset.h"

#include <string.h>

int64_t lr_dataset_count(const lr_dataset *ds, int which)
{
    if (!ds)
        return -1;
    const lr__ds_report *r = &ds->report;
    switch (which) {
    case LR_COUNT_SOURCE_KIND: return ds->kind;
    case LR_COUNT_USERS: return ds->n_users;
    case LR_COUNT_ARTISTS: return ds->n_artists;
    case LR_COUNT_LISTENS: return ds->listens.nnz;
    case LR_COUNT_TAGS: return ds->n_tags;
    case LR_COUNT_TAGS_IN_FILE: return r->tags_in_file;
    case LR_COUNT_TAGS_DROPPED: return r->tags_dropped;
    case LR_COUNT_TAG_USES: return ds->n_tag_uses;
    case LR_COUNT_TAG_USES_IN_FILE: return r->tag_uses_in_file;
    case LR_COUNT_TAG_USES_UNLISTENED: return r->tag_uses_unlistened;
    case LR_COUNT_ARTISTS_UNLISTENED: return r->artists_unlistened;
    case LR_COUNT_TAG_USES_RARE: return r->tag_uses_rare;
    case LR_COUNT_FRIEND_ROWS: return r->friend_rows;
    case LR_COUNT_FRIEND_PAIRS: return ds->friends.nnz / 2;
    case LR_COUNT_LATIN1_FIXES: return r->latin1_fixes;
    case LR_COUNT_TIMESTAMPS_MERGED: return r->timestamps_merged;
    case LR_COUNT_MIN_TAG_USES: return r->min_tag_uses;
    case LR_COUNT_FRIEND_ROWS_ONE_WAY: return r->friend_rows_one_way;
    case LR_COUNT_TAG_USES_HELD_OUT: return r->tag_uses_held_out;
    case LR_COUNT_ROWS_SUMMED: return r->rows_summed;
    case LR_COUNT_SPELLINGS_MERGED: return r->spellings_merged;
    case LR_COUNT_BAD_LINES_SKIPPED: return r->bad_lines_skipped;
    case LR_COUNT_PROFILES: return r->profiles;
    default: return -1;
    }
}

/* Copy n values into a caller buffer, the M4 way. */
static int give(void *out, size_t capacity, size_t *needed, const void *src,
                size_t n, size_t size, const char *what)
{
    if (needed)
        *needed = n;
    if (capacity < n)
        return lr__fail(LR_E_BUFSIZE, "lr_dataset_ids: %s: %zu entries needed, capacity %zu",
                        what, n, capacity);
    if (n) {
        if (!out)
            return lr__fail(LR_E_INVALID, "lr_dataset_ids: output buffer is NULL");
        memcpy(out, src, n * size);
    }
    return LR_OK;
}

int lr_dataset_ids(const lr_dataset *ds, int kind, int32_t *out,
                   size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!ds)
        return lr__fail(LR_E_INVALID, "lr_dataset_ids: dataset is NULL");
    switch (kind) {
    case LR_IDS_USERS:
        return give(out, capacity, needed, ds->user_ids, (size_t)ds->n_users, sizeof(int32_t), "user IDs");
    case LR_IDS_ARTISTS:
        return give(out, capacity, needed, ds->artist_ids, (size_t)ds->n_artists, sizeof(int32_t), "artist IDs");
    case LR_IDS_TAGS:
        return give(out, capacity, needed, ds->tag_ids, (size_t)ds->n_tags, sizeof(int32_t), "tag IDs");
    default:
        return lr__fail(LR_E_INVALID, "lr_dataset_ids: unknown kind %d", kind);
    }
}

const char *lr_dataset_artist_name(const lr_dataset *ds, int32_t artist_id)
{
    if (!ds)
        return NULL;
    int32_t a = lr__artist_index(ds, artist_id);
    return a < 0 ? NULL : lr__strtab_get(&ds->artist_names, a);
}

const char *lr_dataset_tag_name(const lr_dataset *ds, int32_t tag_id)
{
    if (!ds)
        return NULL;
    int32_t t = lr__tag_index(ds, tag_id);
    return t < 0 ? NULL : lr__strtab_get(&ds->tag_names, t);
}

/* The callers initialise the index they pass: it is set whenever LR_OK
 * comes back, but GCC at -O3 cannot see that lr__fail never returns 0 and
 * warns (an error under -Dwerror=true). */
static int artist_or_fail(const lr_dataset *ds, int32_t id, int32_t *a)
{
    if (!ds)
        return lr__fail(LR_E_INVALID, "dataset is NULL");
    *a = lr__artist_index(ds, id);
    if (*a < 0)
        return lr__fail(LR_E_NOTFOUND, "unknown artist ID %d", id);
    return LR_OK;
}

static int user_or_fail(const lr_dataset *ds, int32_t id, int32_t *u)
{
    if (!ds)
        return lr__fail(LR_E_INVALID, "dataset is NULL");
    *u = lr__user_index(ds, id);
    if (*u < 0)
        return lr__fail(LR_E_NOTFOUND, "unknown user ID %d", id);
    return LR_OK;
}

static double row_sum(const lr__csr *m, int32_t r)
{
    double s = 0;
    for (int64_t i = m->ptr[r]; i < m->ptr[r + 1]; i++)
        s += m->val[i];
    return s;
}

int lr_dataset_artist_stat(const lr_dataset *ds, int32_t artist_id, int which,
                           double *value)
{
    int32_t a = 0;
    int rc = artist_or_fail(ds, artist_id, &a);
    if (rc)
        return rc;
    if (!value)
        return lr__fail(LR_E_INVALID, "lr_dataset_artist_stat: value is NULL");
    int64_t fans = ds->by_artist.ptr[a + 1] - ds->by_artist.ptr[a];
    switch (which) {
    case LR_STAT_TOTAL_LISTENS: *value = ds->artist_total[a]; break;
    case LR_STAT_MEAN_LISTENS: *value = fans ? ds->artist_total[a] / (double)fans : 0; break;
    case LR_STAT_COUNT: *value = (double)fans; break;
    case LR_STAT_TOP_TAG: {
        int32_t t = ds->artist_top_tag[a];
        *value = t < 0 ? -1 : ds->tag_ids[t];
        break;
    }
    case LR_STAT_TAG_USES: *value = row_sum(&ds->artist_tags, a); break;
    default:
        return lr__fail(LR_E_INVALID, "lr_dataset_artist_stat: statistic %d does not apply to artists", which);
    }
    return LR_OK;
}

int lr_dataset_user_stat(const lr_dataset *ds, int32_t user_id, int which, double *value)
{
    int32_t u = 0;
    int rc = user_or_fail(ds, user_id, &u);
    if (rc)
        return rc;
    if (!value)
        return lr__fail(LR_E_INVALID, "lr_dataset_user_stat: value is NULL");
    int64_t n = ds->listens.ptr[u + 1] - ds->listens.ptr[u];
    switch (which) {
    case LR_STAT_TOTAL_LISTENS: *value = ds->user_total[u]; break;
    case LR_STAT_MEAN_LISTENS: *value = n ? ds->user_total[u] / (double)n : 0; break;
    case LR_STAT_COUNT: *value = (double)n; break;
    case LR_STAT_TOP_TAG: {
        int32_t t = ds->user_top_tag[u];
        *value = t < 0 ? -1 : ds->tag_ids[t];
        break;
    }
    case LR_STAT_TAG_USES: *value = row_sum(&ds->user_tags, u); break;
    case LR_STAT_FRIENDS: *value = (double)(ds->friends.ptr[u + 1] - ds->friends.ptr[u]); break;
    default:
        return lr__fail(LR_E_INVALID, "lr_dataset_user_stat: unknown statistic %d", which);
    }
    return LR_OK;
}

int lr_dataset_artist_tags(const lr_dataset *ds, int32_t artist_id, int32_t *tag_ids,
                           int64_t *counts, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    int32_t a = 0;
    int rc = artist_or_fail(ds, artist_id, &a);
    if (rc)
        return rc;
    const lr__csr *m = &ds->artist_tags;
    int64_t b = m->ptr[a], n = m->ptr[a + 1] - b;
    if (needed)
        *needed = (size_t)n;
    if (capacity && (!tag_ids || !counts))
        return lr__fail(LR_E_INVALID, "lr_dataset_artist_tags: output buffer is NULL");
    /* Partial selection of the most used: rows are short, so a bounded
     * insertion keeps the best `capacity` in order without sorting all. */
    size_t have = 0;
    for (int64_t i = 0; i < n; i++) {
        int64_t c = (int64_t)m->val[b + i];
        int32_t id = ds->tag_ids[m->idx[b + i]];
        size_t j = have < capacity ? have++ : capacity;
        /* ascending IDs within the row: an equal count never displaces */
        while (j > 0 && counts[j - 1] < c) {
            if (j < capacity) {
                counts[j] = counts[j - 1];
                tag_ids[j] = tag_ids[j - 1];
            }
            j--;
        }
        if (j < capacity) {
            counts[j] = c;
            tag_ids[j] = id;
        }
    }
    return LR_OK;
}

int lr_dataset_user_artist_tags(const lr_dataset *ds, int32_t user_id, int32_t artist_id,
                                int32_t *tag_ids, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    int32_t u = 0, a = 0;
    int rc = user_or_fail(ds, user_id, &u);
    if (rc == LR_OK)
        rc = artist_or_fail(ds, artist_id, &a);
    if (rc)
        return rc;
    const lr__tag_use *first;
    int64_t n = lr__dataset_ua_tags(ds, u, a, &first);
    /* Uses are sorted by tag then time: distinct tags are runs. */
    size_t k = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || first[i].tag != first[i - 1].tag)
            k++;
    if (needed)
        *needed = k;
    if (capacity < k)
        return lr__fail(LR_E_BUFSIZE,
                        "lr_dataset_user_artist_tags: user %d, artist %d: %zu tags needed, "
                        "capacity %zu", user_id, artist_id, k, capacity);
    if (k && !tag_ids)
        return lr__fail(LR_E_INVALID, "lr_dataset_user_artist_tags: tag_ids is NULL");
    k = 0;
    for (int64_t i = 0; i < n; i++)
        if (i == 0 || first[i].tag != first[i - 1].tag)
            tag_ids[k++] = ds->tag_ids[first[i].tag];
    return LR_OK;
}

int lr_dataset_user_listens(const lr_dataset *ds, int32_t user_id, int32_t *artist_ids,
                            float *counts, size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    int32_t u = 0;
    int rc = user_or_fail(ds, user_id, &u);
    if (rc)
        return rc;
    const int32_t *idx;
    const float *val;
    int64_t n = lr__csr_row(&ds->listens, u, &idx, &val);
    if (needed)
        *needed = (size_t)n;
    if (capacity < (size_t)n)
        return lr__fail(LR_E_BUFSIZE,
                        "lr_dataset_user_listens: user %d: %lld listens needed, capacity %zu",
                        user_id, (long long)n, capacity);
    for (int64_t i = 0; i < n; i++) {
        if (artist_ids)
            artist_ids[i] = ds->artist_ids[idx[i]];
        if (counts)
            counts[i] = val[i];
    }
    return LR_OK;
}

int lr_dataset_user_friends(const lr_dataset *ds, int32_t user_id, int32_t *friend_ids,
                            size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    int32_t u = 0;
    int rc = user_or_fail(ds, user_id, &u);
    if (rc)
        return rc;
    const int32_t *idx;
    int64_t n = lr__csr_row(&ds->friends, u, &idx, NULL);
    if (needed)
        *needed = (size_t)n;
    if (capacity < (size_t)n)
        return lr__fail(LR_E_BUFSIZE,
                        "lr_dataset_user_friends: user %d: %lld friends needed, capacity %zu",
                        user_id, (long long)n, capacity);
    if (n && !friend_ids)
        return lr__fail(LR_E_INVALID, "lr_dataset_user_friends: friend_ids is NULL");
    for (int64_t i = 0; i < n; i++)
        friend_ids[i] = ds->user_ids[idx[i]];
    return LR_OK;
}

const char *lr_dataset_user_key(const lr_dataset *ds, int32_t user_id)
{
    if (!ds || ds->user_keys.n == 0)
        return NULL;
    int32_t u = lr__user_index(ds, user_id);
    return u < 0 || u >= ds->user_keys.n ? NULL : lr__strtab_get(&ds->user_keys, u);
}

int lr_dataset_find_user_key(const lr_dataset *ds, const char *key, int32_t *user_id)
{
    if (user_id)
        *user_id = 0;
    if (!ds || !key || !user_id)
        return lr__fail(LR_E_INVALID, "lr_dataset_find_user_key: NULL argument");
    /* Keys are stored in lower case; a linear scan is enough for a lookup
     * made once per command (360K keys take about a millisecond). */
    char want[64];
    size_t n = strlen(key);
    if (n < sizeof want) {
        for (size_t i = 0; i <= n; i++)
            want[i] = (key[i] >= 'A' && key[i] <= 'Z') ? (char)(key[i] + 32) : key[i];
        for (int32_t u = 0; u < ds->user_keys.n; u++)
            if (strcmp(lr__strtab_get(&ds->user_keys, u), want) == 0) {
                *user_id = ds->user_ids[u];
                return LR_OK;
            }
    }
    return lr__fail(LR_E_NOTFOUND, "lr_dataset_find_user_key: no user has the key '%.64s'",
                    key);
}
