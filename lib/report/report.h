/* The report behind lr_report: what it was given, and the page it writes.
 * SPDX-License-Identifier: MIT
 *
 * The report reads a dataset, an optional split and fitted models, all
 * borrowed (the caller keeps them alive until the report is freed), and
 * writes one self-contained HTML page: its sections are in report.c, the
 * charts in chart.c, the page's style and script in report.css and
 * report.js (compiled in as strings).  docs/report.md describes the page.
 */
#ifndef LR_REPORT_REPORT_H
#define LR_REPORT_REPORT_H

#include "lastrec.h"
#include "core/options.h"
#include "data/dataset.h"
#include "model/model.h"

#define LR__REPORT_MAX_MODELS 16

typedef struct lr__report_model {
    const lr_model *m; /* borrowed */
    char *label;       /* owned */
} lr__report_model;

struct lr_report {
    const lr_dataset *ds;                /* borrowed */
    const lr_dataset *train, *test;      /* borrowed; NULL without a split */
    char *split_desc;                    /* owned; how the split was made, or NULL */
    lr_options opts;                     /* a copy; its progress callback is borrowed */
    lr__report_model models[LR__REPORT_MAX_MODELS];
    size_t n_models;
    int64_t user;                        /* LR_REPORT_USER, -1 = the lowest user ID */
    int map;                             /* enum lr_report_map */
    int map_tags;                        /* coloured top tags on the map */
    int k;                               /* metrics and tables at k */
};

/* Build the page for r into a new buffer *html (owned by the caller,
 * free()) of *len bytes.  LR_OK, LR_E_NOMEM, LR_E_CANCELLED, or what a
 * step (evaluation, the map) returned, its message prefixed. */
int lr__report_build(const lr_report *r, char **html, size_t *len);

/* 1 when m and ds have the same users and artists, by ID. */
int lr__report_same_catalogue(const lr_model *m, const lr_dataset *ds);

#endif
