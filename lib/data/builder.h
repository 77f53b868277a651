/* The in-memory dataset builder behind lr_dataset_builder.
 * SPDX-License-Identifier: MIT
 *
 * The builder collects its callers' elements into the raw tables the
 * HetRec file reader makes (ingest/hetrec.h) and hands them to the file
 * loader's processing, lr__build_hetrec(), so that both paths share every
 * cross-row check, cleaning policy and statistic (docs/data.md).  What it
 * checks itself is what the reader checks of one row: each element alone.
 */
#ifndef LR_DATA_BUILDER_H
#define LR_DATA_BUILDER_H

#include "lastrec.h"
#include "core/options.h"
#include "ingest/hetrec.h"

#include <stddef.h>
#include <stdint.h>

enum lr__builder_state {
    LR__BUILDER_OPEN = 0,
    LR__BUILDER_FINISHED = 1, /* lr_dataset_builder_finish ran */
    LR__BUILDER_BROKEN = 2    /* an allocation failed half-way through an add */
};

struct lr_dataset_builder {
    lr__hetrec h;           /* owned tables; element i of a kind is row i */
    lr_options opts;        /* a copy; its progress callback is borrowed */
    size_t cap_artists, cap_tags, cap_listens, cap_friends, cap_uses;
    int32_t *tag_slot;      /* owned; open addressing: tag row or -1; [tag_slots] */
    size_t tag_slots;       /* a power of two, at least twice the tags */
    int32_t next_tag_id;    /* a new name's ID: above every ID named so far */
    int64_t timed_uses;     /* tag uses given a time */
    int state;
};

/* opts NULL = defaults. */
int lr__builder_new(lr_dataset_builder **out, const lr_options *opts);
void lr__builder_free(lr_dataset_builder *b);

/* Each checks every element before it adds any, so LR_E_INVALID leaves
 * the builder as it was; LR_E_NOMEM leaves it broken.  The arrays and
 * strings are borrowed for the call and copied. */
int lr__builder_add_listens(lr_dataset_builder *b, const int32_t *users,
                            const int32_t *artists, const int64_t *counts, size_t n);
int lr__builder_set_artist_name(lr_dataset_builder *b, int32_t artist, const char *name);
int lr__builder_set_tag_name(lr_dataset_builder *b, int32_t tag, const char *name);
/* Exactly one of tag_ids and tag_names is NULL. */
int lr__builder_add_tag_uses(lr_dataset_builder *b, const int32_t *users,
                             const int32_t *artists, const int32_t *tag_ids,
                             const char *const *tag_names, const int64_t *times_ms, size_t n);
int lr__builder_add_friends(lr_dataset_builder *b, const int32_t *users,
                            const int32_t *friends, size_t n);

/* The dataset (owned by the caller), through lr__build_hetrec; the builder
 * is finished whatever the outcome and its tables are freed. */
int lr__builder_finish(lr_dataset_builder *b, lr_dataset **out);

#endif
