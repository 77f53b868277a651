/* The report's public entry points: argument checks around lib/report.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

int lr_report_new(lr_report **out, const lr_dataset *data, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_report_new: out is NULL");
    *out = NULL;
    if (!data)
        return lr__fail(LR_E_INVALID, "lr_report_new: data is NULL");
    lr_report *r = lr__calloc(1, sizeof *r);
    if (!r)
        return lr__fail_oom("the report in lr_report_new");
    r->ds = data;
    if (opts)
        r->opts = *opts;
    else
        lr__options_init(&r->opts);
    r->user = -1;
    r->map = LR_REPORT_MAP_TSNE;
    r->map_tags = 10;
    r->k = 10;
    *out = r;
    return LR_OK;
}

void lr_report_free(lr_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_models; i++)
        free(r->models[i].label);
    free(r->split_desc);
    free(r);
}

int lr_report_set_int(lr_report *r, int key, int64_t value)
{
    if (!r)
        return lr__fail(LR_E_INVALID, "lr_report_set_int: report is NULL");
    switch (key) {
    case LR_REPORT_USER:
        if (value < -1 || value > INT32_MAX)
            return lr__fail(LR_E_INVALID, "lr_report_set_int: LR_REPORT_USER: %lld is not a "
                            "user ID (0 to %d) or -1", (long long)value, INT32_MAX);
        r->user = value;
        return LR_OK;
    case LR_REPORT_MAP:
        if (value < LR_REPORT_MAP_NONE || value > LR_REPORT_MAP_PCA)
            return lr__fail(LR_E_INVALID, "lr_report_set_int: LR_REPORT_MAP: %lld is not 0 "
                            "(none), 1 (t-SNE) or 2 (PCA)", (long long)value);
        r->map = (int)value;
        return LR_OK;
    case LR_REPORT_MAP_TAGS:
        if (value < 1 || value > 10)
            return lr__fail(LR_E_INVALID, "lr_report_set_int: LR_REPORT_MAP_TAGS: %lld is "
                            "outside 1 to 10", (long long)value);
        r->map_tags = (int)value;
        return LR_OK;
    case LR_REPORT_K:
        if (value < 1 || value > 100)
            return lr__fail(LR_E_INVALID, "lr_report_set_int: LR_REPORT_K: %lld is outside "
                            "1 to 100", (long long)value);
        r->k = (int)value;
        return LR_OK;
    default:
        return lr__fail(LR_E_INVALID, "lr_report_set_int: unknown key %d (1 user, 2 map, "
                        "3 map_tags, 4 k)", key);
    }
}

static int same_ids(const lr_dataset *a, const lr_dataset *b)
{
    return a->n_users == b->n_users && a->n_artists == b->n_artists &&
           memcmp(a->user_ids, b->user_ids, (size_t)a->n_users * sizeof(int32_t)) == 0 &&
           memcmp(a->artist_ids, b->artist_ids, (size_t)a->n_artists * sizeof(int32_t)) == 0;
}

int lr_report_set_split(lr_report *r, const lr_dataset *train, const lr_dataset *test,
                        const char *description)
{
    if (!r || !train || !test)
        return lr__fail(LR_E_INVALID, "lr_report_set_split: NULL argument");
    if (!same_ids(r->ds, train) || !same_ids(r->ds, test))
        return lr__fail(LR_E_INVALID, "lr_report_set_split: the split has other users or "
                        "artists than the report's data (load it against that data: "
                        "lr_dataset_load_split, or make it with lr_dataset_split)");
    char *d = NULL;
    if (description && !(d = lr__strdup(description)))
        return lr__fail_oom("the split's description in lr_report_set_split");
    free(r->split_desc);
    r->split_desc = d;
    r->train = train;
    r->test = test;
    return LR_OK;
}

int lr_report_add_model(lr_report *r, const lr_model *m, const char *label)
{
    if (!r || !m)
        return lr__fail(LR_E_INVALID, "lr_report_add_model: NULL argument");
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "lr_report_add_model: the model is not fitted");
    if (r->n_models == LR__REPORT_MAX_MODELS)
        return lr__fail(LR_E_INVALID, "lr_report_add_model: at most %d models per report",
                        LR__REPORT_MAX_MODELS);
    if (!label)
        label = lr_algorithm_name(m->algo);
    if (!lr__report_same_catalogue(m, r->ds))
        return lr__fail(LR_E_INVALID, "lr_report_add_model: %s: the model was trained on "
                        "another catalogue (%d users, %d artists) than the report's data "
                        "(%d users, %d artists)", label, m->n_users, m->n_artists,
                        r->ds->n_users, r->ds->n_artists);
    char *l = lr__strdup(label);
    if (!l)
        return lr__fail_oom("the model's label in lr_report_add_model");
    r->models[r->n_models].m = m;
    r->models[r->n_models].label = l;
    r->n_models++;
    return LR_OK;
}

int lr_report_write(lr_report *r, const char *path, size_t *bytes)
{
    if (bytes)
        *bytes = 0;
    if (!r || !path)
        return lr__fail(LR_E_INVALID, "lr_report_write: NULL argument");
    char *html;
    size_t len;
    int rc = lr__report_build(r, &html, &len);
    if (rc != LR_OK) {
        lr__error_prefix("lr_report_write");
        return rc;
    }
    lr__afile f;
    rc = lr__afile_open(&f, path);
    if (rc == LR_OK) {
        rc = lr__afile_write(&f, html, len);
        if (rc == LR_OK)
            rc = lr__afile_commit(&f);
        else
            lr__afile_abort(&f);
    }
    free(html);
    if (rc == LR_OK && bytes)
        *bytes = len;
    return rc;
}
