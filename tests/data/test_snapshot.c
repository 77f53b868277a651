/* Snapshot suite: round trips, the documented byte layout, and rejection of
 * every truncated, corrupted or inconsistent file.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "bytes.h"

#include "lastrec.h"
#include "core/checksum.h"
#include "core/file.h"
#include "data/dataset.h"
#include "data/snapshot.h"

#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* Section IDs as docs/formats.md documents them. */
enum { SEC_META = 1, SEC_SOURCE, SEC_REPORT, SEC_USER_IDS, SEC_ARTIST_IDS, SEC_TAG_IDS,
       SEC_ARTIST_NAMES, SEC_TAG_NAMES, SEC_LISTENS, SEC_TAG_USES, SEC_FRIENDS, SEC_USER_KEYS,
       N_SEC = 12 };

static const char *const sec_names[N_SEC + 1] = {
    "", "meta", "source", "report", "user ids", "artist ids", "tag ids",
    "artist names", "tag names", "listens", "tag uses", "friends", "user keys"};

/* ------------------------------------------------------------ file helpers */

/* A non-NULL value a failed read must overwrite with NULL. */
static char sentinel;

/* The payload of section id, located through the table. */
static uint8_t *section(const blob *f, uint32_t id, uint64_t *len)
{
    uint32_t count = rd32(f->b + 16);
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = f->b + 24 + 24 * (size_t)i;
        if (rd32(e) == id) {
            *len = rd64(e + 16);
            return f->b + rd64(e + 8);
        }
    }
    ck_abort_msg("section %u not in the table", id);
    return NULL;
}

/* Recompute every checksum after a deliberate edit, so that the edit
 * reaches the validation behind the checksums. */
static void reseal(blob *f)
{
    uint32_t count = rd32(f->b + 16);
    if (24 + 24 * (uint64_t)count > f->n)
        return; /* a table past the end stays so */
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = f->b + 24 + 24 * (size_t)i;
        uint64_t off = rd64(e + 8), len = rd64(e + 16);
        if (off <= f->n && len <= f->n - off)
            wr32(e + 4, lr__crc32c(0, f->b + off, len));
    }
    uint32_t crc = lr__crc32c(0, f->b, 20);
    wr32(f->b + 20, lr__crc32c(crc, f->b + 24, 24 * (size_t)count));
}

/* --------------------------------------------------------------- datasets */

/* A small dataset with every kind of primary data: names with accents and
 * an empty name, listens, repeated and timed tag uses, friends, a report
 * whose counters all differ so that a swapped field shows. */
static lr_dataset *hand_built(void)
{
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_SYNTHETIC, "hand-built");
    ck_assert_ptr_nonnull(ds);
    static const int32_t users[] = {2, 5, 9, 14};
    static const int32_t artists[] = {1, 3, 4, 8, 11};
    static const int32_t tags[] = {10, 20, 30};
    char *anames[] = {"Beyoncé", "MOTÖRHEAD", "", "Sigur Rós", "日本"};
    char *tnames[] = {"HipHop", "PostRock", "Metal"};
    ds->n_users = 4;
    ds->n_artists = 5;
    ds->n_tags = 3;
    ds->user_ids = malloc(sizeof users);
    ds->artist_ids = malloc(sizeof artists);
    ds->tag_ids = malloc(sizeof tags);
    memcpy(ds->user_ids, users, sizeof users);
    memcpy(ds->artist_ids, artists, sizeof artists);
    memcpy(ds->tag_ids, tags, sizeof tags);
    ck_assert_lr_ok(lr__strtab_from_array(&ds->artist_names, anames, 5));
    ck_assert_lr_ok(lr__strtab_from_array(&ds->tag_names, tnames, 3));
    static const lr__triplet listens[] = {{2, 4, 9}, {0, 0, 120}, {0, 1, 7}, {1, 1, 300},
                                          {1, 3, 12}, {2, 0, 1}, {2, 2, 45}, {3, 3, 2}};
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->listens, 4, 5, listens, 8, 1, NULL));
    static const lr__tag_use uses[] = {
        {0, 0, 0, 1230768000000}, {0, 0, 1, 1230768000000}, {1, 1, 2, 1233446400000},
        {1, 1, 2, 1235865600000}, {2, 2, 0, -86400000},     {3, 3, 1, 1262304000000}};
    ds->n_tag_uses = 6;
    ds->tag_uses = malloc(sizeof uses);
    memcpy(ds->tag_uses, uses, sizeof uses);
    static const lr__triplet friends[] = {{0, 1, 0}, {1, 0, 0}, {1, 2, 0},
                                          {2, 1, 0}, {0, 3, 0}, {3, 0, 0}};
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->friends, 4, 4, friends, 6, 0, NULL));
    ds->report = (lr__ds_report){.tags_in_file = 11, .tags_dropped = 8,
                                 .tag_uses_in_file = 21, .tag_uses_unlistened = 9,
                                 .artists_unlistened = 4, .tag_uses_rare = 6,
                                 .friend_rows = 7, .friend_rows_one_way = 1,
                                 .latin1_fixes = 2, .timestamps_merged = 5,
                                 .min_tag_uses = 3};
    ck_assert_lr_ok(lr__dataset_derive(ds));
    return ds;
}

static lr_dataset *empty_dataset(void)
{
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_LISTENS, "nothing");
    ck_assert_ptr_nonnull(ds);
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->listens, 0, 0, NULL, 0, 1, NULL));
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->friends, 0, 0, NULL, 0, 0, NULL));
    ck_assert_lr_ok(lr__strtab_from_array(&ds->artist_names, NULL, 0));
    ck_assert_lr_ok(lr__strtab_from_array(&ds->tag_names, NULL, 0));
    ck_assert_lr_ok(lr__dataset_derive(ds));
    return ds;
}

/* ---------------------------------------------------------- field by field */

static void same_i32(const int32_t *a, const int32_t *b, int64_t n, const char *what)
{
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(a[i] == b[i], "%s[%lld]: %d != %d", what, (long long)i, a[i], b[i]);
}

static void same_f64(const double *a, const double *b, int64_t n, const char *what)
{
    for (int64_t i = 0; i < n; i++)
        ck_assert_msg(a[i] == b[i], "%s[%lld]: %.17g != %.17g", what, (long long)i, a[i], b[i]);
}

static void same_csr(const lr__csr *a, const lr__csr *b, const char *what)
{
    ck_assert_msg(a->rows == b->rows && a->cols == b->cols && a->nnz == b->nnz,
                  "%s: %dx%d/%lld != %dx%d/%lld", what, a->rows, a->cols, (long long)a->nnz,
                  b->rows, b->cols, (long long)b->nnz);
    for (int32_t r = 0; r <= a->rows; r++)
        ck_assert_msg(a->ptr[r] == b->ptr[r], "%s ptr[%d]", what, r);
    same_i32(a->idx, b->idx, a->nnz, what);
    ck_assert_msg((a->val == NULL) == (b->val == NULL), "%s: values present in one only", what);
    for (int64_t i = 0; a->val && i < a->nnz; i++)
        ck_assert_msg(memcmp(&a->val[i], &b->val[i], sizeof(float)) == 0, "%s val[%lld]: %g != %g",
                      what, (long long)i, (double)a->val[i], (double)b->val[i]);
}

static void same_strtab(const lr__strtab *a, const lr__strtab *b, const char *what)
{
    ck_assert_int_eq(a->n, b->n);
    if (a->n == 0) /* an empty table may have no offsets at all */
        return;
    for (int32_t i = 0; i <= a->n; i++)
        ck_assert_msg(a->off[i] == b->off[i], "%s off[%d]", what, i);
    for (int32_t i = 0; i < a->n; i++)
        ck_assert_msg(strcmp(lr__strtab_get(a, i), lr__strtab_get(b, i)) == 0,
                      "%s[%d]: '%s' != '%s'", what, i, lr__strtab_get(a, i), lr__strtab_get(b, i));
}

/* Every primary and derived field; kind and source are the snapshot's own. */
static void same_dataset(const lr_dataset *a, const lr_dataset *b)
{
    ck_assert_int_eq(a->n_users, b->n_users);
    ck_assert_int_eq(a->n_artists, b->n_artists);
    ck_assert_int_eq(a->n_tags, b->n_tags);
    ck_assert_int_eq(a->n_tag_uses, b->n_tag_uses);
    same_i32(a->user_ids, b->user_ids, a->n_users, "user_ids");
    same_i32(a->artist_ids, b->artist_ids, a->n_artists, "artist_ids");
    same_i32(a->tag_ids, b->tag_ids, a->n_tags, "tag_ids");
    same_strtab(&a->artist_names, &b->artist_names, "artist_names");
    same_strtab(&a->tag_names, &b->tag_names, "tag_names");
    same_csr(&a->listens, &b->listens, "listens");
    for (int64_t i = 0; i < a->n_tag_uses; i++) {
        const lr__tag_use *x = &a->tag_uses[i], *y = &b->tag_uses[i];
        ck_assert_msg(x->user == y->user && x->artist == y->artist && x->tag == y->tag &&
                      x->time_ms == y->time_ms, "tag_uses[%lld]", (long long)i);
    }
    same_csr(&a->friends, &b->friends, "friends");
    same_strtab(&a->user_keys, &b->user_keys, "user_keys");
    ck_assert_msg(memcmp(&a->report, &b->report, sizeof a->report) == 0, "report differs");
    same_csr(&a->by_artist, &b->by_artist, "by_artist");
    same_f64(a->user_total, b->user_total, a->n_users, "user_total");
    same_f64(a->artist_total, b->artist_total, a->n_artists, "artist_total");
    same_csr(&a->artist_tags, &b->artist_tags, "artist_tags");
    same_csr(&a->user_tags, &b->user_tags, "user_tags");
    same_i32(a->artist_top_tag, b->artist_top_tag, a->n_artists, "artist_top_tag");
    same_i32(a->user_top_tag, b->user_top_tag, a->n_users, "user_top_tag");
    /* What a user of the public API sees. */
    for (int which = LR_COUNT_USERS; which <= LR_COUNT_FRIEND_ROWS_ONE_WAY; which++)
        ck_assert_msg(lr_dataset_count(a, which) == lr_dataset_count(b, which),
                      "lr_dataset_count(%d): %lld != %lld", which,
                      (long long)lr_dataset_count(a, which), (long long)lr_dataset_count(b, which));
}

static lr_dataset *round_trip(const lr_dataset *ds, const char *path)
{
    ck_assert_lr_ok(lr_dataset_save(ds, path));
    lr_dataset *back = NULL;
    ck_assert_lr_ok(lr__snapshot_read(&back, path));
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_SOURCE_KIND), LR_SOURCE_SNAPSHOT);
    ck_assert_str_eq(back->source, path);
    same_dataset(ds, back);
    return back;
}

/* Reading must fail with LR_E_FORMAT, name the file and say what. */
static void expect_format_error(const char *path, const char *needle, const char *needle2)
{
    lr_dataset *back = (lr_dataset *)&sentinel;
    lr_clear_error();
    int rc = lr__snapshot_read(&back, path);
    lr_test_format_failure(rc, path, needle, needle2);
    ck_assert_ptr_null(back);
}

/* Save a dataset whose values break an invariant (the writer does not
 * judge values) and check the reader refuses it. */
static void expect_rejected(lr_dataset *ds, const char *needle, const char *needle2)
{
    lr_test_place p = lr_test_make_place("bad.lrsnap");
    ck_assert_lr_ok(lr_dataset_save(ds, p.path));
    expect_format_error(p.path, needle, needle2);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}

/* Edit a good snapshot of the hand-built dataset, reseal it, expect a
 * refusal. */
typedef void (*edit_fn)(blob *f);

static void expect_edit_rejected(edit_fn edit, const char *needle, const char *needle2)
{
    lr_test_place p = lr_test_make_place("edited.lrsnap");
    lr_dataset *ds = hand_built();
    ck_assert_lr_ok(lr_dataset_save(ds, p.path));
    lr_dataset_free(ds);
    blob f = slurp(p.path);
    edit(&f);
    reseal(&f);
    spill(p.path, f.b, f.n);
    free(f.b);
    expect_format_error(p.path, needle, needle2);
    lr_test_remove_dir(p.dir);
}

/* ------------------------------------------------------------- round trips */

START_TEST(round_trip_hand_built)
{
    lr_test_place p = lr_test_make_place("hand.lrsnap");
    lr_dataset *ds = hand_built();
    lr_dataset *back = round_trip(ds, p.path);
    /* Through the public accessors too. */
    ck_assert_str_eq(lr_dataset_artist_name(back, 1), "Beyoncé");
    ck_assert_str_eq(lr_dataset_artist_name(back, 4), "");
    ck_assert_str_eq(lr_dataset_tag_name(back, 20), "PostRock");
    lr_dataset_free(back);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(round_trip_empty)
{
    lr_test_place p = lr_test_make_place("empty.lrsnap");
    lr_dataset *ds = empty_dataset();
    lr_dataset_free(round_trip(ds, p.path));
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(round_trip_of_a_round_trip)
{
    /* A loaded snapshot saves and loads again unchanged, and the same
     * dataset always gives the same bytes. */
    lr_test_place p = lr_test_make_place("one.lrsnap");
    char second[700], third[700];
    snprintf(second, sizeof second, "%s/two.lrsnap", p.dir);
    snprintf(third, sizeof third, "%s/three.lrsnap", p.dir);
    lr_dataset *ds = hand_built();
    lr_dataset *back = round_trip(ds, p.path);
    lr_dataset *again = round_trip(back, second);
    ck_assert_lr_ok(lr_dataset_save(again, third));
    blob a = slurp(second), b = slurp(third);
    ck_assert_uint_eq(a.n, b.n);
    /* Equal except the recorded source path. */
    uint64_t la, lb;
    uint8_t *sa = section(&a, SEC_SOURCE, &la), *sb = section(&b, SEC_SOURCE, &lb);
    ck_assert_uint_eq(la, lb);
    memset(sa, 0, la);
    memset(sb, 0, lb);
    memset(a.b + 24 + 24 * (SEC_SOURCE - 1) + 4, 0, 4); /* its checksum */
    memset(b.b + 24 + 24 * (SEC_SOURCE - 1) + 4, 0, 4);
    memset(a.b + 20, 0, 4); /* and so the header checksum */
    memset(b.b + 20, 0, 4);
    ck_assert(memcmp(a.b, b.b, a.n) == 0);
    free(a.b);
    free(b.b);
    lr_dataset_free(again);
    lr_dataset_free(back);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

static lr_dataset *synthesized(const char *settings)
{
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, settings));
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    lr_options_free(o);
    return ds;
}

START_TEST(round_trip_synthetic)
{
    /* The default synthetic data set and a few other shapes. */
    static const char *const shapes[] = {
        "",
        "seed=7,synth_users=50,synth_artists=80,synth_tags=30,synth_clusters=3",
        "seed=8,synth_users=2,synth_artists=2,synth_friends_per_user=0",
        "seed=9,synth_users=300,synth_artists=200,min_tag_uses=0",
    };
    lr_test_place p = lr_test_make_place("synth.lrsnap");
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        lr_dataset *ds = synthesized(shapes[i]);
        ck_assert_int_gt(lr_dataset_count(ds, LR_COUNT_LISTENS), 0);
        lr_dataset_free(round_trip(ds, p.path));
        lr_dataset_free(ds);
    }
    lr_test_remove_dir(p.dir);
}
END_TEST

/* lastfm-360K data keeps its users' keys and its four counters (format
 * version 2): a key finds its user after the round trip, and the counters
 * read back as the file's reader counted them. */
START_TEST(round_trip_lastfm360k)
{
    lr_dataset *src = synthesized("seed=4,synth_users=40,synth_artists=90");
    const char *dir = lr_test_tmpdir();
    char d[256];
    snprintf(d, sizeof d, "%s", dir);
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_SYNTH_QUIRKS, 1));
    ck_assert_lr_ok(lr_dataset_write_lastfm360k(src, d, o));
    lr_options_free(o);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, d, NULL));
    ck_assert_int_eq(ds->user_keys.n, ds->n_users);
    ck_assert_int_gt(lr_dataset_count(ds, LR_COUNT_PROFILES), 0);
    lr_test_place p = lr_test_make_place("360k.lrsnap");
    lr_dataset *back = round_trip(ds, p.path);
    for (int which = LR_COUNT_ROWS_SUMMED; which <= LR_COUNT_PROFILES; which++)
        ck_assert_int_eq(lr_dataset_count(back, which), lr_dataset_count(ds, which));
    const char *key = lr_dataset_user_key(back, ds->user_ids[ds->n_users - 1]);
    ck_assert_ptr_nonnull(key);
    ck_assert_str_eq(key, lr_dataset_user_key(ds, ds->user_ids[ds->n_users - 1]));
    int32_t id = 0;
    ck_assert_lr_ok(lr_dataset_find_user_key(back, key, &id));
    ck_assert_int_eq(id, ds->user_ids[ds->n_users - 1]);
    lr_dataset_free(back);
    lr_dataset_free(ds);
    lr_dataset_free(src);
    lr_test_remove_dir(p.dir);
    lr_test_remove_dir(d);
}
END_TEST

/* Files of format version 1, written by lastrec 0.1.0 (tests/data/
 * snapshots): a synthetic HetRec set, and lastfm-360K data, which that
 * version wrote but could not read back (kind 7).  Both load, without
 * user keys. */
START_TEST(version_1_files_load)
{
    static const struct {
        const char *file;
        int32_t users, artists;
        int64_t pairs, tag_uses;
    } v1[] = {{"v1-synthetic.lrsnap", 12, 30, 350, 97}, {"v1-lastfm360k.lrsnap", 10, 25, 230, 0}};
    for (size_t i = 0; i < sizeof v1 / sizeof v1[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", LR_TEST_SNAPSHOTS, v1[i].file);
        lr_dataset *ds = NULL;
        ck_assert_lr_ok(lr_dataset_load(&ds, path, NULL));
        ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_USERS), v1[i].users);
        ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_ARTISTS), v1[i].artists);
        ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_LISTENS), v1[i].pairs);
        ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_TAG_USES), v1[i].tag_uses);
        ck_assert_int_eq(ds->user_keys.n, 0);
        ck_assert_int_eq(lr_dataset_count(ds, LR_COUNT_PROFILES), 0);
        lr_dataset_free(ds);
    }
}
END_TEST

START_TEST(public_load_reads_snapshots)
{
    /* lr_dataset_load recognises a snapshot by its magic, whatever the name. */
    lr_test_place p = lr_test_make_place("data.tsv");
    lr_dataset *ds = synthesized("seed=3,synth_users=80,synth_artists=120");
    ck_assert_lr_ok(lr_dataset_save(ds, p.path));
    lr_dataset *back = NULL;
    ck_assert_lr_ok(lr_dataset_load(&back, p.path, NULL));
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_SOURCE_KIND), LR_SOURCE_SNAPSHOT);
    same_dataset(ds, back);
    lr_dataset_free(back);
    /* A damaged one fails the same way through the public call. */
    blob f = slurp(p.path);
    f.b[f.n - 1] ^= 1;
    spill(p.path, f.b, f.n);
    free(f.b);
    back = (lr_dataset *)&sentinel;
    ck_assert_lr_fail(lr_dataset_load(&back, p.path, NULL), LR_E_FORMAT, "section 'user keys'");
    ck_assert_ptr_null(back);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(documented_layout)
{
    /* The bytes docs/formats.md promises, little-endian on any host. */
    lr_test_place p = lr_test_make_place("layout.lrsnap");
    lr_dataset *ds = hand_built();
    ck_assert_lr_ok(lr_dataset_save(ds, p.path));
    lr_dataset_free(ds);
    blob f = slurp(p.path);
    static const uint8_t head[] = {'L', 'R', 'D', 'S', 'N', 'A', 'P', 0, 2, 0, 0, 0,
                                   0,   0,   0,   0,   12,  0,   0,   0};
    ck_assert(memcmp(f.b, head, sizeof head) == 0);
    ck_assert(memcmp(f.b, LR_SNAPSHOT_MAGIC, 8) == 0);
    uint64_t end = 24 + 24 * N_SEC;
    for (uint32_t i = 0; i < N_SEC; i++) {
        const uint8_t *e = f.b + 24 + 24 * i;
        ck_assert_uint_eq(rd32(e), i + 1);
        ck_assert_uint_eq(rd64(e + 8), (end + 7) & ~7ull);
        end = rd64(e + 8) + rd64(e + 16);
    }
    ck_assert_uint_eq(end, f.n);
    uint64_t len;
    const uint8_t *m = section(&f, SEC_META, &len);
    ck_assert_uint_eq(len, 48);
    ck_assert_uint_eq(rd32(m), LR_SOURCE_SYNTHETIC);
    ck_assert_uint_eq(rd32(m + 4), LR_VERSION_NUMBER);
    ck_assert_uint_eq(rd32(m + 8), 4);
    ck_assert_uint_eq(rd32(m + 12), 5);
    ck_assert_uint_eq(rd32(m + 16), 3);
    ck_assert_uint_eq(rd64(m + 24), 8);
    ck_assert_uint_eq(rd64(m + 32), 6);
    ck_assert_uint_eq(rd64(m + 40), 6);
    static const uint8_t uids[] = {2, 0, 0, 0, 5, 0, 0, 0, 9, 0, 0, 0, 14, 0, 0, 0};
    ck_assert(memcmp(section(&f, SEC_USER_IDS, &len), uids, sizeof uids) == 0);
    ck_assert_uint_eq(len, sizeof uids);
    const uint8_t *src = section(&f, SEC_SOURCE, &len);
    ck_assert_uint_eq(len, sizeof "hand-built");
    ck_assert_str_eq((const char *)src, "hand-built");
    /* 120.0f = 0x42f00000: the first listen count after 5 row pointers and 8 indices. */
    const uint8_t *l = section(&f, SEC_LISTENS, &len);
    ck_assert_uint_eq(len, 5 * 8 + 8 * 4 + 8 * 4);
    ck_assert_uint_eq(rd32(l + 5 * 8 + 8 * 4), 0x42f00000u);
    const uint8_t *t = section(&f, SEC_TAG_USES, &len);
    ck_assert_uint_eq(len, 6 * 20);
    ck_assert_uint_eq(rd64(t + 4 * 20 + 12), (uint64_t)-86400000);
    const uint8_t *r = section(&f, SEC_REPORT, &len);
    ck_assert_uint_eq(len, 120);
    ck_assert_uint_eq(rd64(r), 11);        /* tags_in_file first */
    ck_assert_uint_eq(rd64(r + 80), 3);    /* min_tag_uses 11th, version 1's last */
    ck_assert_uint_eq(rd64(r + 112), 0);   /* profiles last */
    /* no user keys: a table of no strings, its one offset */
    section(&f, SEC_USER_KEYS, &len);
    ck_assert_uint_eq(len, 8);
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* ---------------------------------------------------------------- damage */

static blob good_snapshot(const char *path)
{
    lr_dataset *ds = hand_built();
    ck_assert_lr_ok(lr_dataset_save(ds, path));
    lr_dataset_free(ds);
    return slurp(path);
}

START_TEST(every_truncation_rejected)
{
    lr_test_place p = lr_test_make_place("good.lrsnap");
    blob f = good_snapshot(p.path);
    char cut[700];
    snprintf(cut, sizeof cut, "%s/cut.lrsnap", p.dir);
    for (size_t n = 0; n < f.n; n++) {
        spill(cut, f.b, n);
        lr_dataset *back = (lr_dataset *)&sentinel;
        int rc = lr__snapshot_read(&back, cut);
        ck_assert_msg(rc == LR_E_FORMAT, "%zu of %zu bytes: got %d: %s", n, f.n, rc,
                      lr_last_error());
        ck_assert_ptr_null(back);
        ck_assert_msg(strstr(lr_last_error(), cut), "%zu bytes: '%s'", n, lr_last_error());
    }
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(every_flipped_byte_rejected)
{
    /* The whole file, header and table included, is covered by checksums,
     * the magic and the version check. */
    lr_test_place p = lr_test_make_place("good.lrsnap");
    blob f = good_snapshot(p.path);
    char bad[700];
    snprintf(bad, sizeof bad, "%s/bad.lrsnap", p.dir);
    for (size_t i = 0; i < f.n; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            f.b[i] ^= (uint8_t)(1u << bit);
            spill(bad, f.b, f.n);
            f.b[i] ^= (uint8_t)(1u << bit);
            lr_dataset *back = NULL;
            int rc = lr__snapshot_read(&back, bad);
            ck_assert_msg(rc == LR_E_FORMAT, "byte %zu bit %d: got %d", i, bit, rc);
        }
    }
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(flipped_byte_names_its_section)
{
    lr_test_place p = lr_test_make_place("good.lrsnap");
    blob f = good_snapshot(p.path);
    char bad[700];
    snprintf(bad, sizeof bad, "%s/bad.lrsnap", p.dir);
    char want[64];
    for (uint32_t id = 1; id <= N_SEC; id++) {
        uint64_t len;
        uint8_t *s = section(&f, id, &len);
        ck_assert_uint_gt(len, 0);
        s[len / 2] ^= 0xff;
        spill(bad, f.b, f.n);
        s[len / 2] ^= 0xff;
        snprintf(want, sizeof want, "section '%s'", sec_names[id]);
        expect_format_error(bad, want, "checksum");
    }
    /* The header and each table entry: the header checksum. */
    for (size_t i = 12; i < 24 + 24 * N_SEC; i++) {
        if (i >= 16 && i < 20)
            continue; /* the section count: "truncated" or "implausible" */
        f.b[i] ^= 0x10;
        spill(bad, f.b, f.n);
        f.b[i] ^= 0x10;
        expect_format_error(bad, "header or section table", "checksum");
    }
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(wrong_magic_not_mistaken)
{
    lr_test_place p = lr_test_make_place("good.lrsnap");
    blob f = good_snapshot(p.path);
    f.b[6] = 'Q'; /* LRDSNAQ */
    spill(p.path, f.b, f.n);
    expect_format_error(p.path, "not a lastrec snapshot", NULL);
    f.b[6] = 'P';
    f.b[7] = '\n'; /* the magic without its NUL */
    spill(p.path, f.b, f.n);
    expect_format_error(p.path, "not a lastrec snapshot", NULL);
    LR_TEST_WRITE_STR(p.dir, "good.lrsnap", "userID\tartistID\tweight\n2\t51\t13883\n");
    expect_format_error(p.path, "not a lastrec snapshot", NULL);
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(other_version_named)
{
    lr_test_place p = lr_test_make_place("good.lrsnap");
    blob f = good_snapshot(p.path);
    wr32(f.b + 8, 3);
    reseal(&f);
    spill(p.path, f.b, f.n);
    expect_format_error(p.path, "version 3", "reads versions 1 to 2");
    wr32(f.b + 8, 0);
    spill(p.path, f.b, f.n);
    expect_format_error(p.path, "version 0", "reads versions 1 to 2");
    /* a version 2 file that says it is version 1 has a section and four
     * counters too many: the report's length gives it away */
    wr32(f.b + 8, 1);
    reseal(&f);
    spill(p.path, f.b, f.n);
    expect_format_error(p.path, "section 'report'", "counters");
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(missing_file_is_io)
{
    lr_dataset *back = NULL;
    ck_assert_lr_fail(lr__snapshot_read(&back, "/nonexistent/x.lrsnap"), LR_E_IO,
                      "/nonexistent/x.lrsnap");
    ck_assert_ptr_null(back);
}
END_TEST

/* ----------------------------------------------- resealed inconsistencies */

static void edit_flags(blob *f) { wr32(f->b + 12, 1); }
static void edit_users_count(blob *f)
{
    uint64_t len;
    uint8_t *m = section(f, SEC_META, &len);
    wr32(m + 8, rd32(m + 8) + 1);
}
static void edit_huge_listens(blob *f)
{
    uint64_t len;
    wr64(section(f, SEC_META, &len) + 24, (uint64_t)1 << 62);
}
static void edit_negative_count(blob *f)
{
    uint64_t len;
    wr64(section(f, SEC_META, &len) + 32, UINT64_MAX);
}
static void edit_big_users(blob *f)
{
    uint64_t len;
    wr32(section(f, SEC_META, &len) + 8, 0x80000000u);
}
static void edit_kind(blob *f)
{
    uint64_t len;
    wr32(section(f, SEC_META, &len), 77);
}
static void edit_reserved(blob *f)
{
    uint64_t len;
    wr32(section(f, SEC_META, &len) + 20, 1);
}
static void edit_report_negative(blob *f)
{
    uint64_t len;
    wr64(section(f, SEC_REPORT, &len) + 8 * 8, (uint64_t)-5);
}
static void edit_name_offsets(blob *f)
{
    uint64_t len;
    uint8_t *s = section(f, SEC_ARTIST_NAMES, &len);
    wr64(s + 8 * 2, rd64(s + 8 * 1)); /* string 1 empty of even its NUL */
}
static void edit_name_nul(blob *f)
{
    uint64_t len;
    uint8_t *s = section(f, SEC_ARTIST_NAMES, &len);
    s[8 * 6 + 1] = 0; /* inside "Beyoncé" */
}
static void edit_name_unterminated(blob *f)
{
    uint64_t len;
    uint8_t *s = section(f, SEC_TAG_NAMES, &len);
    s[len - 1] = 'x';
}
static void edit_source(blob *f)
{
    uint64_t len;
    section(f, SEC_SOURCE, &len)[0] = (char)0xff;
}
static void edit_row_pointer(blob *f)
{
    uint64_t len;
    uint8_t *s = section(f, SEC_LISTENS, &len);
    wr64(s + 8 * 2, 1); /* ptr = 0, 2, 1, ... */
}
static void edit_id_order(blob *f)
{
    uint64_t len;
    uint8_t *s = section(f, SEC_ARTIST_IDS, &len);
    wr32(s + 4, 1); /* 1, 1, 4, ... */
}
static void edit_friend_index(blob *f)
{
    uint64_t len;
    uint8_t *s = section(f, SEC_FRIENDS, &len);
    wr32(s + 5 * 8, 4); /* user 0's first friend: index 4 of 4 users */
}
static void edit_trailing(blob *f)
{
    f->b = realloc(f->b, f->n + 3);
    memset(f->b + f->n, 0, 3);
    f->n += 3;
}
static void edit_padding(blob *f)
{
    /* The source section ("hand-built", 11 bytes) is followed by padding. */
    uint64_t len;
    uint8_t *s = section(f, SEC_SOURCE, &len);
    s[len] = 1;
}
static void edit_unknown_required(blob *f) { wr32(f->b + 24 + 24 * (N_SEC - 1), 99); }
static void edit_duplicate_id(blob *f) { wr32(f->b + 24 + 24, 1); }
static void edit_missing_section(blob *f) { wr32(f->b + 24 + 24 * (N_SEC - 1), 0x80000001u); }
static void edit_section_count(blob *f) { wr32(f->b + 16, 100000); }
static void edit_offset(blob *f) { wr64(f->b + 24 + 24 * 3 + 8, rd64(f->b + 24 + 24 * 3 + 8) + 8); }
static void edit_length(blob *f) { wr64(f->b + 24 + 24 * 10 + 16, UINT64_MAX - 4); }

START_TEST(resealed_edits_rejected)
{
    expect_edit_rejected(edit_flags, "unknown flags", NULL);
    expect_edit_rejected(edit_users_count, "section 'user ids'", "5 IDs take 20");
    expect_edit_rejected(edit_huge_listens, "section 'listens'", "cannot fit");
    expect_edit_rejected(edit_negative_count, "section 'meta'", "tag use count");
    expect_edit_rejected(edit_big_users, "section 'meta'", "user count");
    expect_edit_rejected(edit_kind, "section 'meta'", "source kind 77");
    expect_edit_rejected(edit_reserved, "section 'meta'", "reserved");
    expect_edit_rejected(edit_report_negative, "section 'report'", "latin1_fixes");
    expect_edit_rejected(edit_name_offsets, "section 'artist names'", "string 1");
    expect_edit_rejected(edit_name_nul, "section 'artist names'", "NUL byte");
    expect_edit_rejected(edit_name_unterminated, "section 'tag names'", "not NUL-terminated");
    expect_edit_rejected(edit_source, "section 'source'", "UTF-8");
    expect_edit_rejected(edit_row_pointer, "section 'listens'", "row pointer");
    expect_edit_rejected(edit_id_order, "section 'artist ids'", "does not ascend");
    expect_edit_rejected(edit_friend_index, "section 'friends'", "outside");
    expect_edit_rejected(edit_trailing, "after the last section", NULL);
    expect_edit_rejected(edit_padding, "section 'report'", "padding");
    expect_edit_rejected(edit_unknown_required, "section 99", "unknown required");
    expect_edit_rejected(edit_duplicate_id, "ids must ascend", NULL);
    expect_edit_rejected(edit_missing_section, "section 'user keys' is missing", NULL);
    expect_edit_rejected(edit_section_count, "100000 sections", NULL);
    expect_edit_rejected(edit_offset, "section 'user ids'", "offset");
    expect_edit_rejected(edit_length, "section 'friends'", "truncated");
}
END_TEST

START_TEST(unknown_optional_section_skipped)
{
    /* The versioning policy: a section whose ID has the top bit set may be
     * added within a version; readers that do not know it skip it. */
    lr_test_place p = lr_test_make_place("good.lrsnap");
    lr_dataset *ds = hand_built();
    ck_assert_lr_ok(lr_dataset_save(ds, p.path));
    blob f = slurp(p.path);
    static const char extra[] = "future data";
    size_t payload_at = (f.n + 24 + 7) & ~(size_t)7;
    blob g = {calloc(1, payload_at + sizeof extra), payload_at + sizeof extra};
    memcpy(g.b, f.b, 24);
    memcpy(g.b + 24, f.b + 24, 24 * N_SEC);
    memcpy(g.b + 24 + 24 * (N_SEC + 1), f.b + 24 + 24 * N_SEC, f.n - 24 - 24 * N_SEC);
    wr32(g.b + 16, N_SEC + 1);
    for (int i = 0; i < N_SEC; i++) /* every payload moved by one entry */
        wr64(g.b + 24 + 24 * i + 8, rd64(g.b + 24 + 24 * i + 8) + 24);
    uint8_t *e = g.b + 24 + 24 * N_SEC;
    wr32(e, 0x80000001u);
    wr64(e + 8, payload_at);
    wr64(e + 16, sizeof extra);
    memcpy(g.b + payload_at, extra, sizeof extra);
    reseal(&g);
    spill(p.path, g.b, g.n);
    lr_dataset *back = NULL;
    ck_assert_lr_ok(lr__snapshot_read(&back, p.path));
    same_dataset(ds, back);
    lr_dataset_free(back);
    /* The same ID without the optional bit is refused. */
    wr32(e, 1u + N_SEC);
    reseal(&g);
    spill(p.path, g.b, g.n);
    expect_format_error(p.path, "section 13", "unknown required section");
    free(f.b);
    free(g.b);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* ------------------------------------- datasets that break an invariant */

START_TEST(invariants_checked)
{
    lr_dataset *ds = hand_built();
    ds->user_ids[2] = ds->user_ids[1];
    expect_rejected(ds, "section 'user ids'", "ID 5 at index 2 does not ascend");

    ds = hand_built();
    ds->tag_ids[0] = 40;
    expect_rejected(ds, "section 'tag ids'", "does not ascend");

    ds = hand_built();
    ds->artist_names.blob[ds->artist_names.off[1]] = (char)0xC3; /* "\xC3OTÖRHEAD" */
    expect_rejected(ds, "section 'artist names'", "string 1 is not valid UTF-8");

    ds = hand_built();
    ds->listens.val[3] = 0;
    expect_rejected(ds, "section 'listens'", "not a positive number");

    ds = hand_built();
    ds->listens.val[0] = NAN;
    expect_rejected(ds, "section 'listens'", "not a positive number");

    ds = hand_built();
    int32_t t = ds->listens.idx[0];
    ds->listens.idx[0] = ds->listens.idx[1];
    ds->listens.idx[1] = t;
    expect_rejected(ds, "section 'listens'", "row 0: columns 1, 0 do not ascend");

    ds = hand_built();
    ds->tag_uses[2].tag = 3;
    expect_rejected(ds, "section 'tag uses'", "use 2");

    ds = hand_built();
    ds->tag_uses[4].user = 0;
    expect_rejected(ds, "section 'tag uses'", "out of (user, artist, tag, time) order");

    ds = hand_built();
    ds->tag_uses[3].time_ms = 0; /* before the equal use before it */
    expect_rejected(ds, "section 'tag uses'", "use 3 is out of");

    ds = hand_built();
    lr__csr_free(&ds->friends);
    static const lr__triplet one_way[] = {{0, 1, 0}};
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->friends, 4, 4, one_way, 1, 0, NULL));
    expect_rejected(ds, "section 'friends'", "user 2 lists 5 as a friend, but not the reverse");

    ds = hand_built();
    lr__csr_free(&ds->friends);
    static const lr__triplet self[] = {{3, 3, 0}};
    ck_assert_lr_ok(lr__csr_from_triplets(&ds->friends, 4, 4, self, 1, 0, NULL));
    expect_rejected(ds, "section 'friends'", "user 14 is listed as their own friend");
}
END_TEST

/* ------------------------------------------------------------------ saving */

START_TEST(save_argument_checks)
{
    lr_dataset *ds = hand_built();
    ck_assert_lr_fail(lr_dataset_save(NULL, "/tmp/x"), LR_E_INVALID, "dataset is NULL");
    ck_assert_lr_fail(lr_dataset_save(ds, NULL), LR_E_INVALID, "path");
    ck_assert_lr_fail(lr_dataset_save(ds, ""), LR_E_INVALID, "path");
    /* A dataset whose shapes disagree is refused before anything is written. */
    lr_test_place p = lr_test_make_place("never.lrsnap");
    ds->listens.rows--;
    ck_assert_lr_fail(lr_dataset_save(ds, p.path), LR_E_INVALID, "hand-built");
    ds->listens.rows++;
    ds->tag_names.n = 2;
    ck_assert_lr_fail(lr_dataset_save(ds, p.path), LR_E_INVALID, "do not match");
    ds->tag_names.n = 3;
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(save_to_missing_directory)
{
    lr_test_place p = lr_test_make_place("unused");
    char path[700];
    snprintf(path, sizeof path, "%s/no/such/dir/x.lrsnap", p.dir);
    lr_dataset *ds = hand_built();
    ck_assert_lr_fail(lr_dataset_save(ds, path), LR_E_IO, path);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0); /* no temporary anywhere */
    snprintf(path, sizeof path, "%s/no", p.dir); /* a directory as the target */
    ck_assert_int_eq(mkdir(path, 0700), 0);
    ck_assert_lr_fail(lr_dataset_save(ds, path), LR_E_IO, path);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    ck_assert_int_eq(lr_test_count_entries(path), 0);
    lr_dataset_free(ds);
    lr_test_remove_dir(path);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(save_replaces_atomically)
{
    umask(022);
    lr_test_place p = lr_test_make_place("data.lrsnap");
    LR_TEST_WRITE_STR(p.dir, "data.lrsnap", "old contents");
    /* A reader that opened the old file keeps seeing all of it: the new
     * file arrives by rename, never by rewriting in place. */
    int fd = open(p.path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    lr_dataset *ds = hand_built();
    lr_dataset *back = round_trip(ds, p.path);
    char old[32] = {0};
    ck_assert_int_eq(pread(fd, old, sizeof old - 1, 0), 12);
    ck_assert_str_eq(old, "old contents");
    close(fd);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    /* And over a snapshot of another dataset. */
    lr_dataset *empty = empty_dataset();
    lr_dataset_free(round_trip(empty, p.path));
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    struct stat st;
    ck_assert_int_eq(stat(p.path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    lr_dataset_free(empty);
    lr_dataset_free(back);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(round_trip_real_data)
{
    /* The full HetRec data set (only when LASTREC_DATA names it). */
    const char *data = getenv("LASTREC_DATA");
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, data, NULL));
    lr_test_place p = lr_test_make_place("real.lrsnap");
    lr_dataset *back = round_trip(ds, p.path);
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_USERS), 1892);
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_ARTISTS), 17632);
    ck_assert_int_eq(lr_dataset_count(back, LR_COUNT_LISTENS), 92834);
    lr_dataset_free(back);
    lr_dataset_free(ds);
    lr_test_remove_dir(p.dir);
}
END_TEST

static Suite *snapshot_suite(void)
{
    Suite *s = suite_create("snapshot");
    TCase *rt = tcase_create("round trip");
    tcase_add_test(rt, round_trip_hand_built);
    tcase_add_test(rt, round_trip_empty);
    tcase_add_test(rt, round_trip_of_a_round_trip);
    tcase_add_test(rt, round_trip_synthetic);
    tcase_add_test(rt, public_load_reads_snapshots);
    tcase_add_test(rt, round_trip_lastfm360k);
    tcase_add_test(rt, version_1_files_load);
    tcase_add_test(rt, documented_layout);
    suite_add_tcase(s, rt);
    TCase *dmg = tcase_create("damage");
    tcase_add_test(dmg, every_truncation_rejected);
    tcase_add_test(dmg, every_flipped_byte_rejected);
    tcase_add_test(dmg, flipped_byte_names_its_section);
    tcase_add_test(dmg, wrong_magic_not_mistaken);
    tcase_add_test(dmg, other_version_named);
    tcase_add_test(dmg, missing_file_is_io);
    tcase_add_test(dmg, resealed_edits_rejected);
    tcase_add_test(dmg, unknown_optional_section_skipped);
    tcase_add_test(dmg, invariants_checked);
    suite_add_tcase(s, dmg);
    TCase *sv = tcase_create("save");
    tcase_add_test(sv, save_argument_checks);
    tcase_add_test(sv, save_to_missing_directory);
    tcase_add_test(sv, save_replaces_atomically);
    suite_add_tcase(s, sv);
    const char *data = getenv("LASTREC_DATA");
    if (data && *data) {
        TCase *real = tcase_create("real data");
        tcase_add_test(real, round_trip_real_data);
        suite_add_tcase(s, real);
    } else {
        printf("note: LASTREC_DATA is not set; the real-data round trip is skipped\n");
    }
    return s;
}

int main(void) { return lr_test_run(snapshot_suite()); }
