/* The builder unit: datasets from the caller's memory (lr_dataset_builder_*)
 * against the same data loaded from HetRec files.
 * SPDX-License-Identifier: MIT */
#include "oom_harness.h"
#include "data/dataset.h"
#include "data/write_hetrec.h"
#include "ingest/hetrec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const synth_opts =
    "synth_users=60,synth_artists=150,synth_tags=40,synth_clusters=4,"
    "synth_artists_per_user=12,synth_friends_per_user=3,seed=11";

static lr_dataset *synth(void)
{
    lr_options *o;
    lr_dataset *ds;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, synth_opts));
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

/* The time the files give a use: the first of its month (write_hetrec
 * writes day, month and year; the reader keeps the month). */
static int64_t month_ms(int64_t t)
{
    int y, m, d;
    lr__civil_date(t, &y, &m, &d);
    return lr__civil_ms(y, m, 1);
}

/* What write_hetrec puts in the files, as arrays for the builder's calls:
 * artist names, listens, tag names in HetRec's spelling, tag uses, friends
 * both ways.  Made before any allocation is failed on purpose. */
typedef struct feed_data {
    size_t nl, nu, nf;
    int32_t *lu, *la, *tu, *ta, *tag_of, *fu, *ff;
    int64_t *lc, *tt;
    char **words;
    int32_t nwords, *tag_ids;
    const char **names;
    int by_name;
} feed_data;

static void *must(void *p)
{
    ck_assert_ptr_nonnull(p);
    return p;
}

/* by_name: tag uses by name (lr_dataset_builder_add_tag_uses_by_name), for
 * sets whose tags all spell differently, which the real data's do not. */
static void feed_make(feed_data *d, const lr_dataset *src, int by_name)
{
    memset(d, 0, sizeof *d);
    d->by_name = by_name;
    d->nl = (size_t)src->listens.nnz;
    d->lu = must(malloc((d->nl + 1) * sizeof *d->lu));
    d->la = must(malloc((d->nl + 1) * sizeof *d->la));
    d->lc = must(malloc((d->nl + 1) * sizeof *d->lc));
    for (int32_t r = 0; r < src->n_users; r++)
        for (int64_t k = src->listens.ptr[r]; k < src->listens.ptr[r + 1]; k++) {
            d->lu[k] = src->user_ids[r];
            d->la[k] = src->artist_ids[src->listens.idx[k]];
            d->lc[k] = (int64_t)src->listens.val[k];
        }
    d->nwords = src->n_tags;
    d->words = must(calloc((size_t)src->n_tags + 1, sizeof *d->words));
    d->tag_ids = src->tag_ids;
    for (int32_t t = 0; t < src->n_tags; t++)
        d->words[t] = must(lr__tag_words(lr__strtab_get(&src->tag_names, t)));
    d->nu = (size_t)src->n_tag_uses;
    d->tu = must(malloc((d->nu + 1) * sizeof *d->tu));
    d->ta = must(malloc((d->nu + 1) * sizeof *d->ta));
    d->tt = must(malloc((d->nu + 1) * sizeof *d->tt));
    d->tag_of = must(malloc((d->nu + 1) * sizeof *d->tag_of));
    d->names = must(malloc((d->nu + 1) * sizeof *d->names));
    for (size_t i = 0; i < d->nu; i++) {
        const lr__tag_use *x = &src->tag_uses[i];
        d->tu[i] = src->user_ids[x->user];
        d->ta[i] = src->artist_ids[x->artist];
        d->names[i] = d->words[x->tag];
        d->tt[i] = month_ms(x->time_ms);
        d->tag_of[i] = src->tag_ids[x->tag];
    }
    const lr__csr *f = &src->friends;
    d->nf = (size_t)f->nnz;
    d->fu = must(malloc((d->nf + 1) * sizeof *d->fu));
    d->ff = must(malloc((d->nf + 1) * sizeof *d->ff));
    for (int32_t r = 0; r < f->rows; r++)
        for (int64_t k = f->ptr[r]; k < f->ptr[r + 1]; k++) {
            d->fu[k] = src->user_ids[r];
            d->ff[k] = src->user_ids[f->idx[k]];
        }
}

static void feed_free(feed_data *d)
{
    for (int32_t t = 0; t < d->nwords; t++)
        free(d->words[t]);
    free(d->words);
    free(d->names);
    free(d->lu);
    free(d->la);
    free(d->lc);
    free(d->tu);
    free(d->ta);
    free(d->tt);
    free(d->tag_of);
    free(d->fu);
    free(d->ff);
}

/* Listens in chunks, so that element numbers span calls. */
static int feed_send(lr_dataset_builder *b, const lr_dataset *src, const feed_data *d)
{
    int rc = LR_OK;
    for (int32_t a = 0; a < src->n_artists && rc == LR_OK; a++)
        rc = lr_dataset_builder_set_artist_name(b, src->artist_ids[a],
                                                lr__strtab_get(&src->artist_names, a));
    for (size_t at = 0; at < d->nl && rc == LR_OK; at += 100) {
        size_t m = d->nl - at < 100 ? d->nl - at : 100;
        rc = lr_dataset_builder_add_listens(b, d->lu + at, d->la + at, d->lc + at, m);
    }
    for (int32_t t = 0; t < d->nwords && rc == LR_OK && !d->by_name; t++)
        rc = lr_dataset_builder_set_tag_name(b, d->tag_ids[t], d->words[t]);
    if (rc == LR_OK && d->by_name)
        rc = lr_dataset_builder_add_tag_uses_by_name(b, d->tu, d->ta, d->names, d->tt, d->nu);
    else if (rc == LR_OK)
        rc = lr_dataset_builder_add_tag_uses(b, d->tu, d->ta, d->tag_of, d->tt, d->nu);
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_friends(b, d->fu, d->ff, d->nf);
    return rc;
}

static lr_dataset *build_tags(const lr_dataset *src, const lr_options *o, int by_name)
{
    lr_dataset_builder *b;
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_builder_new(&b, o));
    feed_data d;
    feed_make(&d, src, by_name);
    ck_assert_lr_ok(feed_send(b, src, &d));
    feed_free(&d);
    ck_assert_lr_ok(lr_dataset_builder_finish(b, &ds));
    lr_dataset_builder_free(b);
    return ds;
}

static lr_dataset *build(const lr_dataset *src, const lr_options *o)
{
    return build_tags(src, o, 0);
}

static lr_dataset *load_files(const lr_dataset *src, char *dir, size_t cap)
{
    lr_dataset *ds;
    snprintf(dir, cap, "%s", lr_test_tmpdir());
    ck_assert_lr_ok(lr_dataset_write_hetrec(src, dir));
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, NULL));
    return ds;
}

static int same_csr(const lr__csr *x, const lr__csr *y)
{
    return x->rows == y->rows && x->cols == y->cols && x->nnz == y->nnz &&
           memcmp(x->ptr, y->ptr, ((size_t)x->rows + 1) * sizeof *x->ptr) == 0 &&
           memcmp(x->idx, y->idx, (size_t)x->nnz * sizeof *x->idx) == 0 &&
           (!x->val || memcmp(x->val, y->val, (size_t)x->nnz * sizeof *x->val) == 0);
}

/* Top 10 of ALS for every user. */
static int32_t *recommend_all(const lr_dataset *ds)
{
    lr_options *o;
    lr_model *m;
    lr_query *q;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, "threads=1,factors=8,epochs=3,seed=5"));
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_ALS, o));
    ck_assert_lr_ok(lr_model_fit(m, ds, NULL));
    ck_assert_lr_ok(lr_query_new(&q, m));
    int32_t *top = calloc((size_t)ds->n_users * 10, sizeof *top);
    ck_assert_ptr_nonnull(top);
    for (int32_t u = 0; u < ds->n_users; u++) {
        size_t n;
        ck_assert_lr_ok(lr_query_recommend_user(q, ds->user_ids[u], &n));
        ck_assert_uint_eq(n, 10);
        ck_assert_lr_ok(lr_query_results(q, top + 10 * u, NULL, NULL, NULL, NULL, 0, 10, NULL));
    }
    lr_query_free(q);
    lr_model_free(m);
    lr_options_free(o);
    return top;
}

/* _i = 0: tags by ID; 1: by name. */
START_TEST(synthetic_equals_files)
{
    int by_name = _i;
    lr_dataset *src = synth();
    char dir[256];
    lr_dataset *files = load_files(src, dir, sizeof dir);
    lr_dataset *mem = build_tags(src, NULL, by_name);

    ck_assert_int_eq(lr_dataset_count(mem, LR_COUNT_SOURCE_KIND), LR_SOURCE_BUILDER);
    for (int w = LR_COUNT_USERS; w <= LR_COUNT_TAG_USES_HELD_OUT; w++) {
        if (w == LR_COUNT_TIMESTAMPS_MERGED)
            continue; /* below */
        ck_assert_msg(lr_dataset_count(mem, w) == lr_dataset_count(files, w),
                      "count %d: builder %lld, files %lld", w,
                      (long long)lr_dataset_count(mem, w), (long long)lr_dataset_count(files, w));
    }
    /* Every use came with its time. */
    ck_assert_int_eq(lr_dataset_count(mem, LR_COUNT_TIMESTAMPS_MERGED),
                     lr_dataset_count(files, LR_COUNT_TAG_USES_IN_FILE));
    ck_assert_int_gt(lr_dataset_count(mem, LR_COUNT_TAG_USES), 100);
    ck_assert_int_gt(lr_dataset_count(mem, LR_COUNT_FRIEND_PAIRS), 10);

    ck_assert_int_eq(mem->n_users, files->n_users);
    ck_assert_int_eq(mem->n_artists, files->n_artists);
    ck_assert_mem_eq(mem->user_ids, files->user_ids, (size_t)mem->n_users * 4);
    ck_assert_mem_eq(mem->artist_ids, files->artist_ids, (size_t)mem->n_artists * 4);
    for (int32_t a = 0; a < mem->n_artists; a++) {
        ck_assert_str_eq(lr__strtab_get(&mem->artist_names, a),
                         lr__strtab_get(&files->artist_names, a));
        /* By name, tag IDs follow first use, so top tags may differ where
         * counts tie; the tags and their counts by name may not. */
        if (!by_name)
            ck_assert_int_eq(mem->artist_top_tag[a], files->artist_top_tag[a]);
        const lr__csr *x = &mem->artist_tags, *y = &files->artist_tags;
        ck_assert_int_eq(x->ptr[a + 1] - x->ptr[a], y->ptr[a + 1] - y->ptr[a]);
        for (int64_t i = x->ptr[a]; i < x->ptr[a + 1]; i++) {
            const char *name = lr__strtab_get(&mem->tag_names, x->idx[i]);
            int64_t j = y->ptr[a];
            while (j < y->ptr[a + 1] && strcmp(lr__strtab_get(&files->tag_names, y->idx[j]), name))
                j++;
            ck_assert_msg(j < y->ptr[a + 1], "artist %d: tag %s", a, name);
            ck_assert(x->val[i] == y->val[j]);
        }
        ck_assert(mem->artist_total[a] == files->artist_total[a]);
    }
    ck_assert(same_csr(&mem->listens, &files->listens));
    ck_assert(same_csr(&mem->friends, &files->friends));
    if (!by_name) {
        ck_assert_mem_eq(mem->tag_ids, files->tag_ids, (size_t)mem->n_tags * 4);
        ck_assert(same_csr(&mem->artist_tags, &files->artist_tags));
        ck_assert(same_csr(&mem->user_tags, &files->user_tags));
    }
    /* Uses of one (user, artist) are in tag index order, which differs. */
    for (int64_t i = 0; i < mem->n_tag_uses; i++) {
        const lr__tag_use *x = &mem->tag_uses[i], *y;
        int64_t n = lr__dataset_ua_tags(files, x->user, x->artist, &y), j = 0;
        const char *name = lr__strtab_get(&mem->tag_names, x->tag);
        while (j < n && strcmp(lr__strtab_get(&files->tag_names, y[j].tag), name))
            j++;
        ck_assert_msg(j < n, "use %lld: tag %s not in the files' uses", (long long)i, name);
        ck_assert_int_eq(x->time_ms, y[j].time_ms);
    }

    int32_t *rm = recommend_all(mem), *rf = recommend_all(files);
    ck_assert_mem_eq(rm, rf, (size_t)mem->n_users * 10 * sizeof *rm);
    free(rm);
    free(rf);
    lr_dataset_free(mem);
    lr_dataset_free(files);
    lr_dataset_free(src);
    lr_test_remove_dir(dir);
}
END_TEST

/* The loader's cleaning through the builder: rare tags and uses on
 * unlistened artists dropped and counted, CamelCase names, one-way friends
 * completed, unnamed artists named by their ID. */
START_TEST(cleaning_and_counts)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_TAG_USES, 1));
    lr_dataset_builder *b;
    ck_assert_lr_ok(lr_dataset_builder_new(&b, o));
    lr_options_free(o); /* copied */
    int32_t u[] = {1, 1, 2, 3, 3};
    int32_t a[] = {10, 20, 10, 20, 30};
    int64_t c[] = {5, 1, 7, 2, 9};
    ck_assert_lr_ok(lr_dataset_builder_add_listens(b, u, a, c, 5));
    ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 4, 10, 3));
    ck_assert_lr_ok(lr_dataset_builder_set_artist_name(b, 10, "Caf\xe9 Tacvba")); /* Latin-1 */
    ck_assert_lr_ok(lr_dataset_builder_set_artist_name(b, 99, "Nobody Listens"));
    int32_t tu[] = {1, 2, 3, 1, 2, 3};
    int32_t ta[] = {10, 10, 20, 99, 20, 30};
    const char *tn[] = {"hip hop", "hip hop", "hip hop", "hip hop", "post-rock", "seen live"};
    ck_assert_lr_ok(lr_dataset_builder_add_tag_uses_by_name(b, tu, ta, tn, NULL, 6));
    int32_t fu[] = {1, 2}, ff[] = {2, 3};
    ck_assert_lr_ok(lr_dataset_builder_add_friends(b, fu, ff, 2));
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_builder_finish(b, &ds));
    lr_dataset_builder_free(b);

    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), 4);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 4); /* 10, 20, 30, 99 */
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 6);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS_IN_FILE), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_IN_FILE), 6);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_UNLISTENED), 1);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS_UNLISTENED), 1);
    /* post-rock and seen live have one use each, at most min_tag_uses. */
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_RARE), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAGS), 1);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TIMESTAMPS_MERGED), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_ROWS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_ROWS_ONE_WAY), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS), 2);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LATIN1_FIXES), 1);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 10), "Caf\xc3\xa9 Tacvba");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 30), "30");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 99), "Nobody Listens");
    ck_assert_str_eq(lr_dataset_tag_name(ds, 1), "HipHop"); /* first used: ID 1 */
    lr_dataset_free(ds);
}
END_TEST

static lr_dataset_builder *fresh(void)
{
    lr_dataset_builder *b;
    ck_assert_lr_ok(lr_dataset_builder_new(&b, NULL));
    return b;
}

static void expect(int rc, int want, const char *msg)
{
    ck_assert_msg(rc == want, "got %d, want %d (%s)", rc, want, lr_last_error());
    ck_assert_msg(strstr(lr_last_error(), msg) != NULL, "message '%s' lacks '%s'",
                  lr_last_error(), msg);
}

/* Each kind of bad element: LR_E_INVALID naming the call and the index,
 * and nothing of the call added (the builder still finishes as before). */
START_TEST(bad_elements)
{
    lr_dataset_builder *b = fresh();
    int32_t u[] = {1, 2, 3}, a[] = {1, 2, 3};
    int64_t c[] = {1, 2, 3};
    int32_t neg[] = {1, -4, 3};
    int64_t cneg[] = {1, 2, -3}, czero[] = {0, 1, 1}, cbig[] = {1, 4000000000LL, 1};
    expect(lr_dataset_builder_add_listens(b, neg, a, c, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: element 1: user ID -4 is negative");
    expect(lr_dataset_builder_add_listens(b, u, neg, c, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: element 1: artist ID -4 is negative");
    expect(lr_dataset_builder_add_listens(b, u, a, cneg, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: element 2: count -3 is negative");
    expect(lr_dataset_builder_add_listens(b, u, a, czero, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: element 0: count 0");
    expect(lr_dataset_builder_add_listens(b, u, a, cbig, 3), LR_E_INVALID,
           "element 1: count 4000000000 is above 2147483647");
    expect(lr_dataset_builder_add_listens(b, u, NULL, c, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: artists is NULL");
    ck_assert_lr_ok(lr_dataset_builder_add_listens(b, NULL, NULL, NULL, 0));
    expect(lr_dataset_builder_set_artist_name(b, -1, "x"), LR_E_INVALID,
           "lr_dataset_builder_set_artist_name: artist ID -1 is negative");
    expect(lr_dataset_builder_set_artist_name(b, 1, NULL), LR_E_INVALID,
           "lr_dataset_builder_set_artist_name: name is NULL");
    const char *tn[] = {"rock", NULL, "pop"};
    expect(lr_dataset_builder_add_tag_uses_by_name(b, u, a, tn, NULL, 3), LR_E_INVALID,
           "lr_dataset_builder_add_tag_uses_by_name: element 1: tag name is NULL");
    tn[1] = "jazz";
    expect(lr_dataset_builder_add_tag_uses_by_name(b, u, neg, tn, NULL, 3), LR_E_INVALID,
           "lr_dataset_builder_add_tag_uses_by_name: element 1: artist ID -4 is negative");
    expect(lr_dataset_builder_add_tag_uses(b, u, a, neg, NULL, 3), LR_E_INVALID,
           "lr_dataset_builder_add_tag_uses: element 1: tag ID -4 is negative");
    expect(lr_dataset_builder_set_tag_name(b, -2, "x"), LR_E_INVALID,
           "lr_dataset_builder_set_tag_name: tag ID -2 is negative");
    expect(lr_dataset_builder_set_tag_name(b, 2, NULL), LR_E_INVALID,
           "lr_dataset_builder_set_tag_name: name is NULL");
    int32_t self[] = {5, 2, 7}, other[] = {5, 6, 7};
    expect(lr_dataset_builder_add_friends(b, u, self, 3), LR_E_INVALID,
           "lr_dataset_builder_add_friends: element 1: user 2 is listed as their own friend");
    expect(lr_dataset_builder_add_friends(b, neg, other, 3), LR_E_INVALID,
           "lr_dataset_builder_add_friends: element 1: user ID -4 is negative");
    /* None of the refused calls left anything behind. */
    ck_assert_lr_ok(lr_dataset_builder_add_listens(b, u, a, c, 3));
    lr_dataset *ds;
    ck_assert_lr_ok(lr_dataset_builder_finish(b, &ds));
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 3);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES_IN_FILE), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_FRIEND_ROWS), 0);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), 3);
    lr_dataset_free(ds);
    lr_dataset_builder_free(b);
}
END_TEST

/* Elements each fine alone that do not go together, added to a builder
 * holding the listen (user 1, artist 2, 3 plays). */
static void repeated_listen(lr_dataset_builder *b)
{
    ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 1, 3, 3));
    ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 1, 2, 4));
}

static void friend_without_listens(lr_dataset_builder *b)
{
    int32_t fu[] = {1}, ff[] = {8};
    ck_assert_lr_ok(lr_dataset_builder_add_friends(b, fu, ff, 1));
}

static void artist_named_twice(lr_dataset_builder *b)
{
    ck_assert_lr_ok(lr_dataset_builder_set_artist_name(b, 2, "A"));
    ck_assert_lr_ok(lr_dataset_builder_set_artist_name(b, 2, "B"));
}

static void tagger_without_listens(lr_dataset_builder *b)
{
    int32_t tu[] = {1, 6}, ta[] = {2, 2};
    const char *tn[] = {"rock", "rock"};
    ck_assert_lr_ok(lr_dataset_builder_add_tag_uses_by_name(b, tu, ta, tn, NULL, 2));
}

static void unnamed_tag_id(lr_dataset_builder *b)
{
    int32_t tu[] = {1}, ta[] = {2}, tags[] = {4, 5};
    ck_assert_lr_ok(lr_dataset_builder_set_tag_name(b, 4, "rock"));
    ck_assert_lr_ok(lr_dataset_builder_add_tag_uses(b, tu, ta, tags, NULL, 1));
    ck_assert_lr_ok(lr_dataset_builder_add_tag_uses(b, tu, ta, tags + 1, NULL, 1));
}

/* Two IDs may share a name; one ID may not have two. */
static void tag_named_twice(lr_dataset_builder *b)
{
    ck_assert_lr_ok(lr_dataset_builder_set_tag_name(b, 4, "80s"));
    ck_assert_lr_ok(lr_dataset_builder_set_tag_name(b, 9, "80s"));
    ck_assert_lr_ok(lr_dataset_builder_set_tag_name(b, 4, "rock"));
}

/* Problems across elements are the loader's, named by element, found at
 * finish, which then gives no dataset. */
START_TEST(cross_element_errors)
{
    static const struct {
        void (*add)(lr_dataset_builder *b);
        int status;
        const char *msg;
    } cases[] = {
        {repeated_listen, LR_E_DUPLICATE,
         "lr_dataset_builder_finish: listens: element 2: user 1 and artist 2 repeat element 0"},
        {friend_without_listens, LR_E_NOTFOUND,
         "lr_dataset_builder_finish: friends: element 0: field 'friendID': user 8 is not in "
         "the listens"},
        {artist_named_twice, LR_E_DUPLICATE,
         "lr_dataset_builder_finish: artist names: element 1: field 'id': artist 2 repeats "
         "element 0"},
        {tagger_without_listens, LR_E_NOTFOUND,
         "lr_dataset_builder_finish: tag uses: element 1: field 'userID': user 6 is not in "
         "the listens"},
        {unnamed_tag_id, LR_E_NOTFOUND,
         "lr_dataset_builder_finish: tag uses: element 1: field 'tagID': tag 5 is not in the "
         "tag names"},
        {tag_named_twice, LR_E_DUPLICATE,
         "lr_dataset_builder_finish: tag names: element 2: field 'tagID': tag 4 repeats "
         "element 0"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lr_dataset *ds = (lr_dataset *)&ds; /* finish must clear it */
        lr_dataset_builder *b = fresh();
        ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 1, 2, 3));
        cases[i].add(b);
        expect(lr_dataset_builder_finish(b, &ds), cases[i].status, cases[i].msg);
        ck_assert_ptr_null(ds);
        lr_dataset_builder_free(b);
    }
}
END_TEST

START_TEST(finish_twice_and_use_after_finish)
{
    lr_dataset_builder *b = fresh();
    ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 1, 2, 3));
    lr_dataset *ds, *again = (lr_dataset *)&ds;
    ck_assert_lr_ok(lr_dataset_builder_finish(b, &ds));
    expect(lr_dataset_builder_finish(b, &again), LR_E_INVALID,
           "lr_dataset_builder_finish: the builder is finished");
    ck_assert_ptr_null(again);
    expect(lr_dataset_builder_add_listen(b, 1, 3, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: the builder is finished");
    expect(lr_dataset_builder_set_artist_name(b, 1, "x"), LR_E_INVALID,
           "lr_dataset_builder_set_artist_name: the builder is finished");
    const char *tn[] = {"x"};
    int32_t one[] = {1};
    expect(lr_dataset_builder_add_tag_uses_by_name(b, one, one, tn, NULL, 1), LR_E_INVALID,
           "lr_dataset_builder_add_tag_uses_by_name: the builder is finished");
    expect(lr_dataset_builder_add_tag_uses(b, one, one, one, NULL, 1), LR_E_INVALID,
           "lr_dataset_builder_add_tag_uses: the builder is finished");
    expect(lr_dataset_builder_set_tag_name(b, 1, "x"), LR_E_INVALID,
           "lr_dataset_builder_set_tag_name: the builder is finished");
    expect(lr_dataset_builder_add_friends(b, one, one, 1), LR_E_INVALID,
           "lr_dataset_builder_add_friends: the builder is finished");
    /* The dataset outlives its builder. */
    lr_dataset_builder_free(b);
    ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), 1);
    lr_dataset_free(ds);

    /* A failed finish finishes too. */
    b = fresh();
    ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 1, 2, 3));
    ck_assert_lr_ok(lr_dataset_builder_add_listen(b, 1, 2, 3));
    ck_assert_int_eq(lr_dataset_builder_finish(b, &ds), LR_E_DUPLICATE);
    expect(lr_dataset_builder_finish(b, &ds), LR_E_INVALID, "the builder is finished");
    lr_dataset_builder_free(b);

    expect(lr_dataset_builder_new(NULL, NULL), LR_E_INVALID, "lr_dataset_builder_new: out is NULL");
    expect(lr_dataset_builder_add_listen(NULL, 1, 2, 3), LR_E_INVALID,
           "lr_dataset_builder_add_listens: builder is NULL");
    lr_dataset_builder_free(NULL);
}
END_TEST

/* A builder dataset saves and loads as a snapshot of its own kind. */
START_TEST(snapshot_round_trip)
{
    lr_dataset *src = synth();
    lr_dataset *mem = build(src, NULL);
    const char *dir = lr_test_tmpdir();
    char path[400];
    snprintf(path, sizeof path, "%s/b.lrsnap", dir);
    ck_assert_lr_ok(lr_dataset_save(mem, path));
    lr_dataset *back;
    ck_assert_lr_ok(lr_dataset_load(&back, path, NULL));
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_LISTENS),
                     lr_dataset_count(mem, LR_COUNT_LISTENS));
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_TAG_USES),
                     lr_dataset_count(mem, LR_COUNT_TAG_USES));
    lr_dataset_free(back);
    lr_dataset_free(mem);
    lr_dataset_free(src);
    lr_test_remove_dir(dir);
}
END_TEST

/* The whole build of a small synthetic set with its 1st, 2nd, ...
 * allocation failed in turn, once and from there on: LR_E_NOMEM with a
 * message every time, no leak (LeakSanitizer in the sanitizer build),
 * and the unfailed run's dataset when the run gets past it. */
static int build_run(const lr_dataset *src, const feed_data *d, int64_t *listens)
{
    lr_dataset_builder *b = NULL;
    lr_dataset *ds = NULL;
    int rc = lr_dataset_builder_new(&b, NULL);
    if (rc == LR_OK)
        rc = feed_send(b, src, d);
    if (rc == LR_OK)
        rc = lr_dataset_builder_finish(b, &ds);
    /* A broken builder refuses more elements, saying why. */
    if (rc == LR_E_NOMEM && b) {
        int again = lr_dataset_builder_add_listen(b, 1, 1, 1);
        ck_assert_msg(again == LR_E_INVALID || again == LR_E_NOMEM || again == LR_OK,
                      "after out of memory: %d", again);
    }
    lr_dataset_builder_free(b);
    *listens = ds ? lr_dataset_count(ds, LR_COUNT_LISTENS) : -1;
    lr_dataset_free(ds);
    return rc;
}

/* The builds under the hook: the source, what is fed, and the listens of
 * the unfailed and of the latest build. */
typedef struct build_runs {
    const lr_dataset *src;
    const feed_data *d;
    int64_t good, got;
} build_runs;

static int build_once(void *ctx)
{
    build_runs *r = ctx;
    return build_run(r->src, r->d, &r->got);
}

static void check_build(void *ctx, long long nth, int rc)
{
    const build_runs *r = ctx;
    if (rc == LR_OK) {
        ck_assert_int_eq(r->got, r->good);
        return;
    }
    ck_assert_msg(rc == LR_E_NOMEM, "allocation %lld: %d: %s", nth, rc, lr_last_error());
    ck_assert(strlen(lr_last_error()) > 0);
}

START_TEST(out_of_memory)
{
    lr_options *o;
    lr_dataset *src;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(
        o, "synth_users=20,synth_artists=40,synth_tags=10,synth_clusters=2,"
           "synth_artists_per_user=6,synth_friends_per_user=2,seed=3"));
    ck_assert_lr_ok(lr_dataset_synthesize(&src, o));
    lr_options_free(o);
    feed_data d;
    feed_make(&d, src, 0);
    build_runs r = {.src = src, .d = &d};
    ck_assert_lr_ok(build_run(src, &d, &r.good));
    for (int persistent = 0; persistent <= 1; persistent++) {
        const lr_oom_tally t =
            lr_oom_each("builder", persistent, build_once, check_build, &r);
        /* The builder, its tables and the processing all allocate. */
        ck_assert_msg(t.failures >= 20, "only %lld runs failed", t.failures);
        fprintf(stderr, "builder out_of_memory (%s): %lld allocations, %lld runs failed\n",
                persistent ? "from the nth on" : "the nth alone", t.allocations, t.failures);
    }
    feed_free(&d);
    lr_dataset_free(src);
}
END_TEST

/* The real data through the builder equals the real data from its files
 * (LASTREC_DATA), down to every counter `lastrec info` shows. */
START_TEST(real_data)
{
    const char *dir = getenv("LASTREC_DATA");
    if (!dir || !*dir) {
        fprintf(stderr, "builder real_data: skipped, LASTREC_DATA is not set\n");
        return;
    }
    lr_dataset *files, *mem;
    ck_assert_lr_ok(lr_dataset_load(&files, dir, NULL));
    mem = build(files, NULL);
    for (int w = LR_COUNT_USERS; w <= LR_COUNT_TAG_USES_HELD_OUT; w++) {
        /* What the files had before processing (rows of tags.dat never
         * used, dropped uses, invalid bytes) is the files' own: the
         * builder is fed the processed set. */
        if (w == LR_COUNT_TIMESTAMPS_MERGED || w == LR_COUNT_TAGS_IN_FILE ||
            w == LR_COUNT_TAGS_DROPPED || w == LR_COUNT_TAG_USES_IN_FILE ||
            w == LR_COUNT_TAG_USES_UNLISTENED || w == LR_COUNT_ARTISTS_UNLISTENED ||
            w == LR_COUNT_TAG_USES_RARE || w == LR_COUNT_FRIEND_ROWS_ONE_WAY ||
            w == LR_COUNT_LATIN1_FIXES)
            continue;
        ck_assert_msg(lr_dataset_count(mem, w) == lr_dataset_count(files, w),
                      "count %d: builder %lld, files %lld", w,
                      (long long)lr_dataset_count(mem, w), (long long)lr_dataset_count(files, w));
    }
    ck_assert(same_csr(&mem->listens, &files->listens));
    ck_assert(same_csr(&mem->friends, &files->friends));
    ck_assert(same_csr(&mem->artist_tags, &files->artist_tags));
    ck_assert_mem_eq(mem->artist_top_tag, files->artist_top_tag, (size_t)mem->n_artists * 4);
    lr_dataset_free(mem);
    lr_dataset_free(files);
}
END_TEST

static Suite *builder_suite(void)
{
    Suite *s = suite_create("builder");
    TCase *tc = tcase_create("builder");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, synthetic_equals_files, 0, 2);
    tcase_add_test(tc, cleaning_and_counts);
    tcase_add_test(tc, bad_elements);
    tcase_add_test(tc, cross_element_errors);
    tcase_add_test(tc, finish_twice_and_use_after_finish);
    tcase_add_test(tc, snapshot_round_trip);
    tcase_add_test(tc, out_of_memory);
    tcase_add_test(tc, real_data);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(builder_suite()); }
