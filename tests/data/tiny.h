/* Hand-built datasets for the data suites: the primary fields filled from
 * external IDs the way every producer fills them, then derived.
 * SPDX-License-Identifier: MIT */
#ifndef LR_TEST_TINY_H
#define LR_TEST_TINY_H

#include "testutil.h"
#include "data/dataset.h"

#include <stdint.h>
#include <stdlib.h>

typedef struct tiny_listen {
    int32_t user, artist;
    float count;
} tiny_listen;

typedef struct tiny_use {
    int32_t user, artist, tag;
    int64_t time_ms;
} tiny_use;

typedef struct tiny_spec {
    const int32_t *users;      /* ascending external IDs */
    int32_t n_users;
    const int32_t *artists;    /* ascending */
    const char *const *artist_names;
    int32_t n_artists;
    const int32_t *tags;       /* ascending, kept tags */
    const char *const *tag_names;
    int32_t n_tags;
    const tiny_listen *listens;
    size_t n_listens;
    const tiny_use *uses;
    size_t n_uses;
    const int32_t (*friends)[2]; /* each unordered pair once */
    size_t n_friends;
} tiny_spec;

static inline int32_t tiny_index(const int32_t *ids, int32_t n, int32_t id)
{
    int32_t i = lr__index_of(ids, n, id);
    ck_assert_msg(i >= 0, "tiny dataset: unknown ID %d", id);
    return i;
}

static inline int32_t *tiny_copy_ids(const int32_t *ids, int32_t n)
{
    int32_t *c = malloc((size_t)(n ? n : 1) * sizeof *c);
    ck_assert_ptr_nonnull(c);
    if (n)
        memcpy(c, ids, (size_t)n * sizeof *c);
    return c;
}

static inline lr_dataset *tiny_build(const tiny_spec *s)
{
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_HETREC, "tiny");
    ck_assert_ptr_nonnull(ds);
    ds->n_users = s->n_users;
    ds->n_artists = s->n_artists;
    ds->n_tags = s->n_tags;
    ds->user_ids = tiny_copy_ids(s->users, s->n_users);
    ds->artist_ids = tiny_copy_ids(s->artists, s->n_artists);
    ds->tag_ids = tiny_copy_ids(s->tags, s->n_tags);
    ck_assert_lr_ok(lr__strtab_from_array(&ds->artist_names, (char *const *)s->artist_names,
                                          s->n_artists));
    ck_assert_lr_ok(lr__strtab_from_array(&ds->tag_names, (char *const *)s->tag_names,
                                          s->n_tags));

    lr__triplet *t = malloc((s->n_listens + 1) * sizeof *t);
    for (size_t i = 0; i < s->n_listens; i++)
        t[i] = (lr__triplet){tiny_index(s->users, s->n_users, s->listens[i].user),
                             tiny_index(s->artists, s->n_artists, s->listens[i].artist),
                             s->listens[i].count};
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->listens, s->n_users, s->n_artists, t,
                                          s->n_listens, 1, NULL));
    free(t);

    t = malloc((2 * s->n_friends + 1) * sizeof *t);
    for (size_t i = 0; i < s->n_friends; i++) {
        int32_t a = tiny_index(s->users, s->n_users, s->friends[i][0]);
        int32_t b = tiny_index(s->users, s->n_users, s->friends[i][1]);
        t[2 * i] = (lr__triplet){a, b, 1};
        t[2 * i + 1] = (lr__triplet){b, a, 1};
    }
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->friends, s->n_users, s->n_users, t,
                                          2 * s->n_friends, 0, NULL));
    free(t);
    ds->report.friend_rows = 2 * (int64_t)s->n_friends;

    ds->tag_uses = malloc((s->n_uses + 1) * sizeof *ds->tag_uses);
    for (size_t i = 0; i < s->n_uses; i++)
        ds->tag_uses[i] = (lr__tag_use){tiny_index(s->users, s->n_users, s->uses[i].user),
                                        tiny_index(s->artists, s->n_artists, s->uses[i].artist),
                                        tiny_index(s->tags, s->n_tags, s->uses[i].tag),
                                        s->uses[i].time_ms};
    ds->n_tag_uses = (int64_t)s->n_uses;
    qsort(ds->tag_uses, s->n_uses, sizeof *ds->tag_uses, lr__tag_use_cmp);
    ds->report.tags_in_file = s->n_tags;
    ds->report.tag_uses_in_file = (int64_t)s->n_uses;
    ds->report.min_tag_uses = 2;

    ck_assert_lr_ok(lr__dataset_derive(ds));
    return ds;
}

#define TINY_N(a) (sizeof(a) / sizeof(a)[0])

/* 2012-03-04 12:00 UTC plus whole days, for tag-use times. */
#define TINY_DAY(d) ((INT64_C(15403) + (d)) * INT64_C(86400000) + INT64_C(43200000))

#endif
