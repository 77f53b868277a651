/* Name search, taste overlap and distributions: argument checks and ID
 * translation around lib/data/search and lib/data/overlap.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "data/dataset.h"
#include "data/overlap.h"
#include "data/search.h"

#include <stdlib.h>
#include <string.h>

int lr_dataset_find_artist(const lr_dataset *ds, const char *text, int32_t *ids,
                           size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!ds || !text)
        return lr__fail(LR_E_INVALID, "lr_dataset_find_artist: NULL argument");
    if (capacity && !ids)
        return lr__fail(LR_E_INVALID, "lr_dataset_find_artist: ids is NULL but capacity is %zu",
                        capacity);
    size_t n;
    int rc = lr__find_artist(ds, text, ids, capacity, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && i < capacity; i++)
        ids[i] = ds->artist_ids[ids[i]];
    if (needed)
        *needed = n;
    return LR_OK;
}

static int user_index(const lr_dataset *ds, int32_t id, int32_t *u)
{
    *u = lr__user_index(ds, id);
    return *u < 0 ? lr__fail(LR_E_NOTFOUND, "unknown user ID %d", id) : LR_OK;
}

int lr_dataset_user_overlap(const lr_dataset *ds, int32_t user_a, int32_t user_b,
                            int which, double *value)
{
    if (!ds || !value)
        return lr__fail(LR_E_INVALID, "lr_dataset_user_overlap: NULL argument");
    if (which < LR_OVERLAP_SHARED || which > LR_OVERLAP_COSINE)
        return lr__fail(LR_E_INVALID, "lr_dataset_user_overlap: unknown measure %d", which);
    int32_t u, v;
    int rc = user_index(ds, user_a, &u);
    if (rc == LR_OK)
        rc = user_index(ds, user_b, &v);
    if (rc)
        return rc;
    double o[3];
    lr__overlap(ds, u, v, o);
    *value = o[which - LR_OVERLAP_SHARED];
    return LR_OK;
}

int lr_dataset_distribution(const lr_dataset *ds, int which, double *out,
                            size_t capacity, size_t *needed)
{
    if (needed)
        *needed = 0;
    if (!ds)
        return lr__fail(LR_E_INVALID, "lr_dataset_distribution: dataset is NULL");
    double *v;
    size_t n;
    int rc = lr__distribution(ds, which, &v, &n);
    if (rc)
        return rc;
    if (needed)
        *needed = n;
    if (capacity < n)
        rc = lr__fail(LR_E_BUFSIZE,
                      "lr_dataset_distribution: distribution %d: %zu values, capacity %zu",
                      which, n, capacity);
    else if (n && !out)
        rc = lr__fail(LR_E_INVALID, "lr_dataset_distribution: out is NULL");
    else if (n)
        memcpy(out, v, n * sizeof *v);
    free(v);
    return rc;
}
