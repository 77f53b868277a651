/* Model files: bit-identical round trips for every algorithm, the
 * documented byte layout, and refusal of every truncated, corrupted or
 * inconsistent file.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "bytes.h"
#include "../data/tiny.h"

#include "lastrec.h"
#include "core/checksum.h"
#include "core/file.h"
#include "model/file.h"
#include "model/model.h"
#include "model/softmax_tower.h"

#include <math.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* Section IDs as docs/formats.md documents them. */
enum { SEC_META = 1, SEC_OPTIONS, SEC_USER_IDS, SEC_ARTIST_IDS, SEC_ARTIST_NAMES,
       SEC_ARTIST_TOP_TAGS, SEC_TAG_NAMES, SEC_ARTIST_TAGS, SEC_LISTENS, SEC_HISTORY,
       SEC_USER_FACTORS, SEC_ARTIST_FACTORS, SEC_ARTIST_BIAS, SEC_ITEMS, SEC_ITEM_WEIGHTS,
       SEC_POPULARITY, SEC_TOWER_SIZES, SEC_TOWER_WEIGHTS, SEC_TOWER_PROFILE, SEC_SM_OPTIONS,
       SEC_SM_USER_FACTORS, SEC_SM_ARTIST_FACTORS, SEC_SM_ARTIST_BIAS, SEC_SM_TOWER_SIZES,
       SEC_SM_TOWER_WEIGHTS, SEC_SM_TOWER_PROFILE, N_SEC = 26 };

static const char *const sec_names[N_SEC + 1] = {
    "", "meta", "options", "user ids", "artist ids", "artist names", "artist top tags",
    "tag names", "artist tags", "listens", "history", "user factors", "artist factors",
    "artist bias", "ease items", "ease weights", "popularity", "tower sizes", "tower weights",
    "tower profile", "softmax options", "softmax user factors", "softmax artist factors",
    "softmax artist bias", "softmax tower sizes", "softmax tower weights",
    "softmax tower profile"};

static const int algos[] = {LR_ALGO_POP, LR_ALGO_MF, LR_ALGO_ALS, LR_ALGO_BPR, LR_ALGO_EASE,
                            LR_ALGO_BLEND, LR_ALGO_SOFTMAX};
#define N_ALGOS ((int)(sizeof algos / sizeof algos[0]))

/* ------------------------------------------------------------ file helpers */

/* A file taken apart into its sections and put together again by the
 * rules of docs/formats.md (not by the library), so that a test can add,
 * drop or edit sections and still present valid checksums. */
typedef struct msec {
    uint32_t id;
    uint8_t *p;
    size_t n;
} msec;

typedef struct mfile {
    uint8_t head[24];
    size_t count;
    msec s[64];
} mfile;

static mfile unpack(const blob *f)
{
    mfile m;
    memset(&m, 0, sizeof m);
    ck_assert_uint_ge(f->n, 24);
    memcpy(m.head, f->b, 24);
    m.count = rd32(f->b + 16);
    ck_assert_uint_le(m.count, 64);
    for (size_t i = 0; i < m.count; i++) {
        const uint8_t *e = f->b + 24 + 24 * i;
        uint64_t off = rd64(e + 8), len = rd64(e + 16);
        ck_assert_uint_le(off + len, f->n);
        m.s[i].id = rd32(e);
        m.s[i].n = (size_t)len;
        m.s[i].p = malloc(len + 1);
        memcpy(m.s[i].p, f->b + off, (size_t)len);
    }
    return m;
}

static blob pack(const mfile *m)
{
    size_t end = 24 + 24 * m->count, offs[64];
    for (size_t i = 0; i < m->count; i++) {
        offs[i] = (end + 7) & ~(size_t)7;
        end = offs[i] + m->s[i].n;
    }
    blob f = {calloc(1, end), end};
    memcpy(f.b, m->head, 24);
    wr32(f.b + 16, (uint32_t)m->count);
    for (size_t i = 0; i < m->count; i++) {
        uint8_t *e = f.b + 24 + 24 * i;
        memcpy(f.b + offs[i], m->s[i].p, m->s[i].n);
        wr32(e, m->s[i].id);
        wr32(e + 4, lr__crc32c(0, m->s[i].p, m->s[i].n));
        wr64(e + 8, offs[i]);
        wr64(e + 16, m->s[i].n);
    }
    uint32_t crc = lr__crc32c(0, f.b, 20);
    wr32(f.b + 20, lr__crc32c(crc, f.b + 24, 24 * m->count));
    return f;
}

static void mfile_free(mfile *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->s[i].p);
    m->count = 0;
}

static msec *sec_of(mfile *m, uint32_t id)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->s[i].id == id)
            return &m->s[i];
    ck_abort_msg("section %u is not in the file", id);
    return NULL;
}

static int has_sec(const mfile *m, uint32_t id)
{
    for (size_t i = 0; i < m->count; i++)
        if (m->s[i].id == id)
            return 1;
    return 0;
}

static void drop_sec(mfile *m, uint32_t id)
{
    msec *s = sec_of(m, id);
    free(s->p);
    size_t i = (size_t)(s - m->s);
    memmove(m->s + i, m->s + i + 1, (m->count - i - 1) * sizeof *s);
    m->count--;
}

static void add_sec(mfile *m, uint32_t id, const void *p, size_t n)
{
    size_t i = 0;
    while (i < m->count && m->s[i].id < id)
        i++;
    memmove(m->s + i + 1, m->s + i, (m->count - i) * sizeof m->s[0]);
    m->s[i] = (msec){id, malloc(n + 1), n};
    memcpy(m->s[i].p, p, n);
    m->count++;
}

/* Replace a section's payload. */
static void set_sec(mfile *m, uint32_t id, const void *p, size_t n)
{
    msec *s = sec_of(m, id);
    free(s->p);
    s->p = malloc(n + 1);
    memcpy(s->p, p, n);
    s->n = n;
}

/* --------------------------------------------------------------- datasets */

/* Four users, six artists with names that need UTF-8 (and an empty one),
 * and tags: artist 10 has six tags with tied counts, so its five kept tags
 * show the order (count descending, tag ID ascending) and the cut; artist
 * 30 has none, so its top tag is empty and its slots are padding. */
static lr_dataset *tiny_dataset(void)
{
    static const int32_t users[] = {3, 7, 11, 20};
    static const int32_t artists[] = {10, 20, 30, 40, 50, 60};
    static const char *const names[] = {"Beyoncé", "MOTÖRHEAD", "",
                                        "Sigur Rós", "日本",       "Air"};
    static const int32_t tags[] = {1, 2, 3, 4, 5, 6, 7};
    static const char *const tag_names[] = {"Rock", "Pop", "HipHop", "PostRock",
                                            "Metal", "Jazz", "Ambient"};
    static const tiny_listen listens[] = {
        {3, 10, 120}, {3, 20, 7},  {3, 40, 300}, {7, 20, 12},  {7, 30, 1}, {7, 50, 45},
        {11, 10, 2},  {11, 40, 9}, {11, 60, 3000}, {20, 20, 5}, {20, 50, 1}};
    static const tiny_use uses[] = {
        {3, 10, 1, TINY_DAY(0)}, {7, 10, 1, TINY_DAY(1)},  {11, 10, 1, TINY_DAY(2)},
        {3, 10, 2, TINY_DAY(0)}, {7, 10, 2, TINY_DAY(1)},  {3, 10, 3, TINY_DAY(0)},
        {11, 10, 3, TINY_DAY(3)}, {3, 10, 4, TINY_DAY(0)}, {3, 10, 5, TINY_DAY(0)},
        {3, 10, 6, TINY_DAY(0)}, {20, 20, 7, TINY_DAY(4)}};
    tiny_spec s = {.users = users, .n_users = 4, .artists = artists, .artist_names = names,
                   .n_artists = 6, .tags = tags, .tag_names = tag_names, .n_tags = 7,
                   .listens = listens, .n_listens = TINY_N(listens), .uses = uses,
                   .n_uses = TINY_N(uses)};
    return tiny_build(&s);
}

static lr_options *options(const char *settings)
{
    lr_options *o = NULL;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_string(o, settings));
    return o;
}

/* A small synthetic data set split per user, as lastrec eval splits. */
static void synthetic_split(lr_dataset **train, lr_dataset **test)
{
    lr_options *o = options("seed=11,synth_users=80,synth_artists=200,synth_tags=30,"
                            "synth_clusters=4,synth_artists_per_user=15");
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_synthesize(&ds, o));
    ck_assert_lr_ok(lr_dataset_split(ds, LR_SPLIT_PER_USER, o, train, test));
    lr_options_free(o);
    lr_dataset_free(ds);
}

/* ----------------------------------------------------------------- models */

/* The model of `algo` fitted on ds, or NULL (with a note) while that
 * algorithm is not built yet. */
static lr_model *fit_or_skip(int algo, const lr_dataset *ds, const char *settings,
                             const char *test)
{
    lr_options *o = options(settings);
    lr_model *m = NULL;
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    lr_options_free(o);
    int rc = lr_model_fit(m, ds, NULL);
    if (rc == LR_E_UNSUPPORTED) {
        printf("note: %s: %s cannot be fitted in this tree yet (%s); case skipped\n", test,
               lr_algorithm_name(algo), lr_last_error());
        lr_model_free(m);
        return NULL;
    }
    ck_assert_msg(rc == LR_OK, "fit %s: %s", lr_algorithm_name(algo), lr_last_error());
    return m;
}

static lr_model *fit_pop(const lr_dataset *ds, const char *settings)
{
    lr_model *m = fit_or_skip(LR_ALGO_POP, ds, settings, "pop");
    ck_assert_ptr_nonnull(m);
    return m;
}

/* Values with every kind of bit pattern a float array may hold: negative
 * zero, a subnormal, large and small magnitudes. */
static float value_at(size_t i)
{
    switch (i % 7) {
    case 0: return -0.0f;
    case 1: return 1e-40f;
    case 2: return -12345.678f;
    default: return (float)sin(0.37 * (double)i) / (float)(1 + i % 5);
    }
}

/* A factor model made by hand from a fitted pop model's catalogue, so the
 * factor sections are tested whatever the algorithms in the tree do. */
static lr_model *hand_factors(const lr_dataset *ds, int algo, int32_t k, int with_bias)
{
    lr_model *m = fit_pop(ds, "seed=7,threads=1");
    free(m->pop);
    m->pop = NULL;
    m->algo = algo;
    m->k = k;
    size_t nu = (size_t)m->n_users * (size_t)k, na = (size_t)m->n_artists * (size_t)k;
    m->user_f = malloc(nu * sizeof(float));
    m->artist_f = malloc(na * sizeof(float));
    for (size_t i = 0; i < nu; i++)
        m->user_f[i] = value_at(i);
    for (size_t i = 0; i < na; i++)
        m->artist_f[i] = value_at(i + 3);
    if (with_bias) {
        m->artist_bias = malloc((size_t)m->n_artists * sizeof(float));
        for (int32_t a = 0; a < m->n_artists; a++)
            m->artist_bias[a] = value_at((size_t)a + 5);
    }
    ck_assert_lr_ok(lr__model_prepare(m)); /* as the end of a fit does */
    return m;
}

/* An EASE model made by hand: every artist but those at index 1 mod 3,
 * weights with a zero diagonal, log1p transform. */
static lr_model *hand_ease(const lr_dataset *ds)
{
    lr_model *m = fit_pop(ds, "seed=7,threads=1,transform=1");
    free(m->pop);
    m->pop = NULL;
    m->algo = LR_ALGO_EASE;
    int32_t na = m->n_artists, ni = 0;
    m->items = malloc((size_t)na * sizeof(int32_t));
    m->item_pos = malloc((size_t)na * sizeof(int32_t));
    for (int32_t a = 0; a < na; a++) {
        m->item_pos[a] = -1;
        if (a % 3 != 1) {
            m->item_pos[a] = ni;
            m->items[ni++] = a;
        }
    }
    m->n_items = ni;
    m->item_w = malloc((size_t)ni * (size_t)ni * sizeof(float));
    for (int32_t p = 0; p < ni; p++)
        for (int32_t q = 0; q < ni; q++)
            m->item_w[(size_t)p * (size_t)ni + (size_t)q] =
                p == q ? 0.0f : value_at((size_t)p * (size_t)ni + (size_t)q + 1);
    return m;
}

/* Small models of each kind on the tiny data set, for the damage tests. */
enum kind { K_POP, K_FACTORS, K_EASE, K_SOFTMAX, N_KINDS,
             K_BLEND_SM = N_KINDS /* blend with its softmax part: its own tests */ };

static lr_model *small_model(enum kind kind)
{
    lr_dataset *ds = tiny_dataset();
    lr_model *m = kind == K_POP       ? fit_pop(ds, "seed=7,threads=1")
                  : kind == K_FACTORS ? hand_factors(ds, LR_ALGO_BPR, 3, 1)
                  : kind == K_EASE    ? hand_ease(ds)
                  : kind == K_BLEND_SM
                      ? fit_or_skip(LR_ALGO_BLEND, ds,
                                    "seed=7,threads=1,factors=3,epochs=2,min_listeners=1,"
                                    "tag_dim=2,hidden_width=4,softmax_weight=2",
                                    "small_model")
                                      : fit_or_skip(LR_ALGO_SOFTMAX, ds,
                                                    "seed=7,threads=1,factors=3,tag_dim=2,"
                                                    "hidden_width=4,epochs=2",
                                                    "small_model");
    ck_assert_ptr_nonnull(m);
    lr_dataset_free(ds);
    return m;
}

/* ---------------------------------------------------------------- compare */

static void same_bytes(const void *a, const void *b, size_t n, const char *what)
{
    ck_assert_msg((n == 0) || (a && b && memcmp(a, b, n) == 0), "%s differs", what);
}

static void same_strtab(const lr__strtab *a, const lr__strtab *b, const char *what)
{
    ck_assert_msg(a->n == b->n, "%s: %d strings, %d", what, a->n, b->n);
    for (int32_t i = 0; i < a->n; i++)
        ck_assert_msg(strcmp(lr__strtab_get(a, i), lr__strtab_get(b, i)) == 0, "%s[%d]", what,
                      i);
}

/* Two towers, size by size and bit for bit. */
static void same_tower(const lr__softmax_tower *ta, const lr__softmax_tower *tb)
{
    const lr__softmax_net *x = &ta->net, *y = &tb->net;
    ck_assert_int_eq(x->m, y->m);
    ck_assert_int_eq(x->nt, y->nt);
    ck_assert_int_eq(x->k, y->k);
    ck_assert_int_eq(x->dt, y->dt);
    ck_assert_int_eq(x->layers, y->layers);
    ck_assert_int_eq(x->width, y->width);
    ck_assert_int_eq(x->item_tags, y->item_tags);
    ck_assert_uint_eq(x->n_params, y->n_params);
    same_bytes(x->theta, y->theta, x->n_params * 4, "tower weights");
    ck_assert((x->prof.ptr == NULL) == (y->prof.ptr == NULL));
    if (x->prof.ptr) {
        ck_assert_int_eq(x->prof.nnz, y->prof.nnz);
        same_bytes(x->prof.ptr, y->prof.ptr, ((size_t)x->m + 1) * 8, "tower profile ptr");
        same_bytes(x->prof.idx, y->prof.idx, (size_t)x->prof.nnz * 4, "tower profile idx");
        same_bytes(x->prof.val, y->prof.val, (size_t)x->prof.nnz * 4, "tower profile val");
    }
    if (x->nt)
        same_bytes(ta->tag_canon, tb->tag_canon, (size_t)x->nt * 4, "tag canon");
}

/* Everything a model holds, array by array (the progress callback aside:
 * it is the caller's, never saved). */
static void same_model(const lr_model *a, const lr_model *b)
{
    ck_assert_int_eq(a->algo, b->algo);
    ck_assert_int_eq(a->fitted, 1);
    ck_assert_int_eq(b->fitted, 1);
    same_bytes(a->opts.value, b->opts.value, sizeof a->opts.value, "option values");
    same_bytes(a->opts.set, b->opts.set, sizeof a->opts.set, "options set explicitly");
    ck_assert_int_eq(a->n_users, b->n_users);
    ck_assert_int_eq(a->n_artists, b->n_artists);
    size_t nu = (size_t)a->n_users, na = (size_t)a->n_artists;
    same_bytes(a->user_ids, b->user_ids, nu * 4, "user ids");
    same_bytes(a->artist_ids, b->artist_ids, na * 4, "artist ids");
    same_strtab(&a->artist_names, &b->artist_names, "artist names");
    same_strtab(&a->artist_top_tags, &b->artist_top_tags, "artist top tags");
    same_strtab(&a->tag_names, &b->tag_names, "tag names");
    same_bytes(a->artist_tags, b->artist_tags, na * LR__TAGS_PER_ARTIST * 4, "artist tags");
    same_bytes(a->artist_tag_counts, b->artist_tag_counts, na * LR__TAGS_PER_ARTIST * 4,
               "artist tag counts");
    ck_assert_int_eq(a->train.rows, b->train.rows);
    ck_assert_int_eq(a->train.cols, b->train.cols);
    ck_assert_int_eq(a->train.nnz, b->train.nnz);
    same_bytes(a->train.ptr, b->train.ptr, (nu + 1) * 8, "listens ptr");
    same_bytes(a->train.idx, b->train.idx, (size_t)a->train.nnz * 4, "listens idx");
    same_bytes(a->train.val, b->train.val, (size_t)a->train.nnz * 4, "listens val");
    ck_assert_int_eq(a->k, b->k);
    size_t k = (size_t)a->k;
    ck_assert((a->user_f == NULL) == (b->user_f == NULL));
    ck_assert((a->artist_f == NULL) == (b->artist_f == NULL));
    ck_assert((a->artist_bias == NULL) == (b->artist_bias == NULL));
    same_bytes(a->user_f, b->user_f, nu * k * 4, "user factors");
    same_bytes(a->artist_f, b->artist_f, na * k * 4, "artist factors");
    if (a->artist_bias)
        same_bytes(a->artist_bias, b->artist_bias, na * 4, "artist bias");
    ck_assert_int_eq(a->n_items, b->n_items);
    size_t ni = (size_t)a->n_items;
    ck_assert((a->items == NULL) == (b->items == NULL));
    ck_assert((a->item_w == NULL) == (b->item_w == NULL));
    ck_assert((a->item_pos == NULL) == (b->item_pos == NULL));
    same_bytes(a->items, b->items, ni * 4, "ease items");
    if (a->item_pos)
        same_bytes(a->item_pos, b->item_pos, na * 4, "ease item positions");
    same_bytes(a->item_w, b->item_w, ni * ni * 4, "ease weights");
    ck_assert((a->pop == NULL) == (b->pop == NULL));
    if (a->pop)
        same_bytes(a->pop, b->pop, na * 4, "popularity");
    ck_assert((a->tower == NULL) == (b->tower == NULL));
    if (a->tower)
        same_tower(a->tower, b->tower);
    /* blend's softmax part */
    ck_assert_int_eq(a->sm.k, b->sm.k);
    same_bytes(a->sm.opts.value, b->sm.opts.value, sizeof a->sm.opts.value, "part's options");
    same_bytes(a->sm.opts.set, b->sm.opts.set, sizeof a->sm.opts.set, "part's options set");
    ck_assert((a->sm.user_f == NULL) == (b->sm.user_f == NULL));
    ck_assert((a->sm.artist_bias == NULL) == (b->sm.artist_bias == NULL));
    ck_assert((a->sm.tower == NULL) == (b->sm.tower == NULL));
    if (a->sm.k > 0) {
        same_bytes(a->sm.user_f, b->sm.user_f, nu * (size_t)a->sm.k * 4, "part's user factors");
        same_bytes(a->sm.artist_f, b->sm.artist_f, na * (size_t)a->sm.k * 4,
                   "part's artist factors");
        if (a->sm.artist_bias)
            same_bytes(a->sm.artist_bias, b->sm.artist_bias, na * 4, "part's artist bias");
        same_tower(a->sm.tower, b->sm.tower);
    }
    ck_assert_uint_eq(a->history.n, b->history.n);
    same_bytes(a->history.rows, b->history.rows, a->history.n * LR__HIST_FIELDS * 8, "history");
}

/* Every user's scores of every artist, bit for bit. */
static void same_scores(const lr_model *a, const lr_model *b)
{
    size_t n = (size_t)a->n_users * (size_t)a->n_artists;
    float *sa = malloc((n ? n : 1) * sizeof *sa), *sb = malloc((n ? n : 1) * sizeof *sb);
    ck_assert_lr_ok(lr__model_score_users(a, 0, a->n_users, sa));
    ck_assert_lr_ok(lr__model_score_users(b, 0, b->n_users, sb));
    ck_assert_msg(memcmp(sa, sb, n * sizeof *sa) == 0, "scores differ after loading");
    free(sa);
    free(sb);
}

/* m saved to path and loaded back. */
static lr_model *save_and_load(const lr_model *m, const char *path)
{
    ck_assert_lr_ok(lr_model_save(m, path));
    lr_model *back = NULL;
    ck_assert_lr_ok(lr_model_load(&back, path));
    return back;
}

/* The bytes lr_model_save writes for small_model(kind), through path. */
static blob saved_file(enum kind kind, const char *path)
{
    lr_model *m = small_model(kind);
    ck_assert_lr_ok(lr_model_save(m, path));
    lr_model_free(m);
    return slurp(path);
}

/* Save, load, compare everything, save the loaded model again and compare
 * the bytes.  Returns the loaded model. */
static lr_model *round_trip(const lr_model *m, const char *dir)
{
    char one[600], two[600];
    snprintf(one, sizeof one, "%s/one.lrmodel", dir);
    snprintf(two, sizeof two, "%s/two.lrmodel", dir);
    ck_assert_lr_ok(lr_model_save(m, one));
    lr_model *back = NULL;
    ck_assert_lr_ok(lr_model_load(&back, one));
    ck_assert_ptr_nonnull(back);
    ck_assert_int_eq(lr_model_is_fitted(back), 1);
    ck_assert_int_eq(lr_model_algorithm(back), lr_model_algorithm(m));
    same_model(m, back);
    same_scores(m, back);
    ck_assert_lr_ok(lr_model_save(back, two));
    blob a = slurp(one), b = slurp(two);
    ck_assert_uint_eq(a.n, b.n);
    ck_assert_msg(memcmp(a.b, b.b, a.n) == 0, "save -> load -> save changed the bytes");
    free(a.b);
    free(b.b);
    unlink(one);
    unlink(two);
    return back;
}

/* ------------------------------------------------------------- round trips */

START_TEST(round_trip_pop)
{
    lr_test_place p = lr_test_make_place("pop.lrmodel");
    lr_dataset *tiny = tiny_dataset();
    lr_model *m = fit_pop(tiny, "seed=7,threads=1,factors=12");
    lr_model_free(round_trip(m, p.dir));
    lr_model_free(m);
    lr_dataset_free(tiny);

    lr_dataset *train, *test;
    synthetic_split(&train, &test);
    m = fit_pop(train, "");
    lr_model_free(round_trip(m, p.dir));
    lr_model_free(m);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* Every algorithm that fits in this tree, on a synthetic split, with a
 * validation set so the history has every column. */
START_TEST(round_trip_fitted)
{
    int algo = algos[_i];
    lr_dataset *train, *test;
    synthetic_split(&train, &test);
    lr_model *m = NULL;
    int rc;
    lr_options *o = options("factors=8,epochs=3,threads=2,seed=5");
    ck_assert_lr_ok(lr_model_new(&m, algo, o));
    lr_options_free(o);
    rc = lr_model_fit(m, train, test);
    if (rc == LR_E_UNSUPPORTED) {
        printf("note: round_trip_fitted: %s cannot be fitted in this tree yet; skipped\n",
               lr_algorithm_name(algo));
    } else {
        ck_assert_msg(rc == LR_OK, "fit %s: %s", lr_algorithm_name(algo), lr_last_error());
        lr_test_place p = lr_test_make_place("m.lrmodel");
        lr_model *back = round_trip(m, p.dir);
        ck_assert_uint_ge(back->history.n, 1);
        lr_model_free(back);
        lr_test_remove_dir(p.dir);
    }
    lr_model_free(m);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

/* blend with blend_weight=0 fits its item model alone: a blend file
 * without factor sections, read back as one. */
START_TEST(round_trip_blend_item_only)
{
    lr_dataset *train, *test;
    synthetic_split(&train, &test);
    lr_model *m = NULL;
    lr_options *o = options("blend_weight=0,threads=2");
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_BLEND, o));
    lr_options_free(o);
    ck_assert_lr_ok(lr_model_fit(m, train, NULL));
    ck_assert(!lr__model_has_factors(m));
    lr_test_place p = lr_test_make_place("b.lrmodel");
    lr_model *back = round_trip(m, p.dir);
    ck_assert(!lr__model_has_factors(back));
    ck_assert_int_eq(back->k, 0);
    ck_assert_int_eq(back->n_items, m->n_items);
    const float *v;
    size_t r, c;
    ck_assert_lr_fail(lr_model_embeddings(back, LR_EMBEDDING_ARTISTS, &v, &r, &c),
                      LR_E_UNSUPPORTED, "blend");
    lr_model_free(back);
    lr_test_remove_dir(p.dir);
    lr_model_free(m);
    lr_dataset_free(train);
    lr_dataset_free(test);
}
END_TEST

START_TEST(round_trip_hand_factors)
{
    lr_test_place p = lr_test_make_place("f.lrmodel");
    lr_dataset *train, *test;
    synthetic_split(&train, &test);
    static const int labels[] = {LR_ALGO_MF, LR_ALGO_ALS, LR_ALGO_BPR};
    for (int i = 0; i < 3; i++)
        for (int bias = 0; bias <= 1; bias++) {
            lr_model *m = hand_factors(train, labels[i], 5 + i, bias);
            lr_model *back = round_trip(m, p.dir);
            /* What a user sees through the API. */
            const float *ua, *ub;
            size_t ra, ca, rb, cb;
            ck_assert_lr_ok(lr_model_embeddings(m, LR_EMBEDDING_USERS, &ua, &ra, &ca));
            ck_assert_lr_ok(lr_model_embeddings(back, LR_EMBEDDING_USERS, &ub, &rb, &cb));
            ck_assert_uint_eq(ra, rb);
            ck_assert_uint_eq(cb, (size_t)(5 + i));
            ck_assert(memcmp(ua, ub, ra * ca * sizeof *ua) == 0);
            lr_model_free(back);
            lr_model_free(m);
        }
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(round_trip_hand_ease)
{
    lr_test_place p = lr_test_make_place("e.lrmodel");
    lr_dataset *train, *test;
    synthetic_split(&train, &test);
    lr_model *m = hand_ease(train);
    lr_model *back = round_trip(m, p.dir);
    /* The position map is rebuilt, not stored. */
    for (int32_t a = 0; a < back->n_artists; a++)
        ck_assert_int_eq(back->item_pos[a], a % 3 == 1 ? -1 : (a / 3) * 2 + (a % 3 == 2));
    double t;
    ck_assert_lr_ok(lr_model_option(back, LR_OPT_TRANSFORM, &t));
    ck_assert(t == LR_TRANSFORM_LOG1P);
    lr_model_free(back);
    lr_model_free(m);
    lr_dataset_free(train);
    lr_dataset_free(test);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* A loaded model tells a user what the original told: IDs, names reach
 * queries through the model, every option, the history. */
START_TEST(loaded_model_answers_the_same)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_dataset *tiny = tiny_dataset();
    lr_model *m = fit_pop(tiny, "seed=99,threads=1,epochs=7");
    lr_model *back = save_and_load(m, p.path);
    int32_t ia[8], ib[8];
    size_t na = 0, nb = 0;
    for (int kind = LR_IDS_USERS; kind <= LR_IDS_ARTISTS; kind++) {
        ck_assert_lr_ok(lr_model_ids(m, kind, ia, 8, &na));
        ck_assert_lr_ok(lr_model_ids(back, kind, ib, 8, &nb));
        ck_assert_uint_eq(na, nb);
        ck_assert(memcmp(ia, ib, na * sizeof ia[0]) == 0);
    }
    for (size_t i = 0; lr_option_key_at(i); i++) {
        double x, y;
        ck_assert_lr_ok(lr_model_option(m, lr_option_key_at(i), &x));
        ck_assert_lr_ok(lr_model_option(back, lr_option_key_at(i), &y));
        ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "option %d", lr_option_key_at(i));
    }
    for (int f = LR_HISTORY_LOSS; f <= LR_HISTORY_SECONDS; f++) {
        double x, y;
        ck_assert_lr_ok(lr_model_history(m, f, &x, 1, NULL));
        ck_assert_lr_ok(lr_model_history(back, f, &y, 1, NULL));
        ck_assert(memcmp(&x, &y, sizeof x) == 0);
    }
    /* The catalogue queries need, without the dataset. */
    ck_assert_str_eq(lr__strtab_get(&back->artist_names, 0), "Beyoncé");
    ck_assert_str_eq(lr__strtab_get(&back->artist_top_tags, 0), "Rock");
    ck_assert_str_eq(lr__strtab_get(&back->artist_top_tags, 2), "");
    static const int32_t tags10[] = {0, 1, 2, 3, 4}, counts10[] = {3, 2, 2, 1, 1};
    ck_assert(memcmp(back->artist_tags, tags10, sizeof tags10) == 0);
    ck_assert(memcmp(back->artist_tag_counts, counts10, sizeof counts10) == 0);
    lr_dataset_free(tiny);
    lr_model_free(back);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(loaded_model_cannot_be_fitted_again)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_dataset *tiny = tiny_dataset();
    lr_model *m = fit_pop(tiny, "");
    lr_model *back = save_and_load(m, p.path);
    ck_assert_int_eq(lr_model_is_fitted(back), 1);
    ck_assert_lr_fail(lr_model_fit(back, tiny, NULL), LR_E_INVALID, "already fitted");
    ck_assert_int_eq(lr_model_is_fitted(back), 1);
    same_model(m, back);
    lr_dataset_free(tiny);
    lr_model_free(back);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* The layout of docs/formats.md, read with this file's own helpers. */
START_TEST(documented_layout)
{
    static const uint8_t magic[8] = {0x4C, 0x52, 0x4D, 0x4F, 0x44, 0x45, 0x4C, 0x00};
    lr_test_place p = lr_test_make_place("m.lrmodel");
    for (int kind = 0; kind < N_KINDS; kind++) {
        lr_model *m = small_model(kind);
        ck_assert_lr_ok(lr_options_set_int(&m->opts, LR_OPT_SEED, 4242));
        ck_assert_lr_ok(lr_model_save(m, p.path));
        blob f = slurp(p.path);
        ck_assert(memcmp(f.b, magic, 8) == 0);
        ck_assert_uint_eq(rd32(f.b + 8), 2);
        ck_assert_uint_eq(rd32(f.b + 12), 0);
        /* Taking the file apart and packing it by the documented rules
         * gives the writer's bytes exactly. */
        mfile mf = unpack(&f);
        blob again = pack(&mf);
        ck_assert_uint_eq(again.n, f.n);
        ck_assert(memcmp(again.b, f.b, f.n) == 0);
        /* Exactly the sections of the algorithm, in ascending order. */
        for (uint32_t id = 1; id <= N_SEC; id++) {
            int want = id <= SEC_HISTORY ||
                       (kind == K_POP && id == SEC_POPULARITY) ||
                       (kind == K_FACTORS && id >= SEC_USER_FACTORS && id <= SEC_ARTIST_BIAS) ||
                       (kind == K_EASE && (id == SEC_ITEMS || id == SEC_ITEM_WEIGHTS)) ||
                       (kind == K_SOFTMAX && (id == SEC_USER_FACTORS || id == SEC_ARTIST_FACTORS ||
                                              (id >= SEC_TOWER_SIZES &&
                                               id <= SEC_TOWER_PROFILE)));
            ck_assert_msg(has_sec(&mf, id) == want, "kind %d: section '%s' %s", kind,
                          sec_names[id], want ? "missing" : "present");
        }
        const msec *meta = sec_of(&mf, SEC_META);
        ck_assert_uint_eq(meta->n, 56);
        ck_assert_uint_eq(rd32(meta->p), (uint32_t)m->algo);
        ck_assert_uint_eq(rd32(meta->p + 4), LR_VERSION_NUMBER);
        ck_assert_uint_eq(rd32(meta->p + 8), 1);
        ck_assert_uint_eq(rd32(meta->p + 12), 4);
        ck_assert_uint_eq(rd32(meta->p + 16), 6);
        ck_assert_uint_eq(rd32(meta->p + 20), 7);
        ck_assert_uint_eq(rd32(meta->p + 24), kind == K_FACTORS || kind == K_SOFTMAX ? 3 : 0);
        ck_assert_uint_eq(rd32(meta->p + 28), kind == K_EASE ? 4 : 0);
        ck_assert_uint_eq(rd32(meta->p + 32), 5);
        ck_assert_uint_eq(rd32(meta->p + 36), 0);
        ck_assert_uint_eq(rd64(meta->p + 40), 11);
        ck_assert_uint_eq(rd64(meta->p + 48), kind == K_SOFTMAX ? 2 : 1);
        /* Options: one 16-byte entry per key, ascending; the seed set. */
        const msec *opt = sec_of(&mf, SEC_OPTIONS);
        size_t keys = 0;
        while (lr_option_key_at(keys))
            keys++;
        ck_assert_uint_eq(opt->n, 16 * keys);
        int seen_seed = 0;
        for (size_t i = 0; i < keys; i++) {
            const uint8_t *e = opt->p + 16 * i;
            if (i > 0)
                ck_assert_uint_gt(rd32(e), rd32(e - 16));
            if (rd32(e) == LR_OPT_SEED) {
                ck_assert_uint_eq(rd32(e + 4), 1);
                ck_assert(rdf64(e + 8) == 4242);
                seen_seed = 1;
            }
            if (rd32(e) == LR_OPT_EPSILON)
                ck_assert_uint_eq(rd32(e + 4), 0);
        }
        ck_assert(seen_seed);
        /* IDs as i32, names as a string table, listens as CSR. */
        ck_assert_uint_eq(rd32(sec_of(&mf, SEC_ARTIST_IDS)->p + 4), 20);
        const msec *names = sec_of(&mf, SEC_ARTIST_NAMES);
        ck_assert_uint_eq(rd64(names->p), 0);
        ck_assert_uint_eq(rd64(names->p + 8), strlen("Beyoncé") + 1);
        ck_assert_str_eq((const char *)names->p + 7 * 8, "Beyoncé");
        const msec *tags = sec_of(&mf, SEC_ARTIST_TAGS);
        ck_assert_uint_eq(tags->n, 6 * 5 * 8);
        ck_assert_uint_eq(rd32(tags->p + 4 * 1), 1);         /* artist 10, slot 1: Pop */
        ck_assert_uint_eq(rd32(tags->p + 4 * 30 + 4 * 1), 2); /* used twice */
        ck_assert_uint_eq(rd32(tags->p + 4 * 10), UINT32_MAX); /* artist 30: padding */
        const msec *l = sec_of(&mf, SEC_LISTENS);
        ck_assert_uint_eq(l->n, 8 * 5 + 8 * 11);
        ck_assert_uint_eq(rd64(l->p + 8), 3);
        ck_assert_uint_eq(sec_of(&mf, SEC_HISTORY)->n, kind == K_SOFTMAX ? 128 : 64);
        if (kind == K_POP)
            ck_assert_uint_eq(sec_of(&mf, SEC_POPULARITY)->n, 6 * 4);
        if (kind == K_FACTORS) {
            ck_assert_uint_eq(sec_of(&mf, SEC_USER_FACTORS)->n, 4 * 3 * 4);
            ck_assert_uint_eq(rd32(sec_of(&mf, SEC_USER_FACTORS)->p), 0x80000000u); /* -0 */
            ck_assert_uint_eq(sec_of(&mf, SEC_ARTIST_BIAS)->n, 6 * 4);
        }
        if (kind == K_SOFTMAX) {
            /* sizes: a field count, a reserved 0, then artists, tags, k,
             * tag_dim, hidden_layers, hidden_width, item_tags, profile
             * entries, parameters; the weights are that many f32; the
             * profile a CSR of the artists' tag shares */
            const msec *ts = sec_of(&mf, SEC_TOWER_SIZES);
            ck_assert_uint_eq(ts->n, 8 + 8 * 9);
            ck_assert_uint_eq(rd32(ts->p), 9);
            ck_assert_uint_eq(rd32(ts->p + 4), 0);
            /* hidden_width 4 kept as 4 + 2k = 10 units: the skip path
             * (tower_skip, on by default) folded into the layer */
            static const uint64_t want[7] = {6, 7, 3, 2, 1, 10, 1};
            for (int i = 0; i < 7; i++)
                ck_assert_uint_eq(rd64(ts->p + 8 + 8 * (size_t)i), want[i]);
            const uint64_t entries = rd64(ts->p + 8 + 8 * 7);
            ck_assert_uint_gt(entries, 0);
            /* E 6x3, T 7x2, W0 10x5 + b0 10, Wo 3x10 + bo 3, V 6x3, Q 7x3 */
            const uint64_t n_params = 18 + 14 + 60 + 33 + 18 + 21;
            ck_assert_uint_eq(rd64(ts->p + 8 + 8 * 8), n_params);
            ck_assert_uint_eq(sec_of(&mf, SEC_TOWER_WEIGHTS)->n, 4 * n_params);
            const msec *pr = sec_of(&mf, SEC_TOWER_PROFILE);
            ck_assert_uint_eq(pr->n, 8 * 7 + 8 * entries);
            ck_assert_uint_eq(rd64(pr->p), 0);
            ck_assert_uint_eq(rd64(pr->p + 8 * 6), entries);
            /* artist 10's shares of its tags add up to 1 */
            double sum = 0;
            for (uint64_t i = 0; i < rd64(pr->p + 8); i++) {
                float v;
                memcpy(&v, pr->p + 8 * 7 + 4 * entries + 4 * i, 4);
                sum += v;
            }
            ck_assert(fabs(sum - 1) < 1e-6);
        }
        if (kind == K_EASE) {
            ck_assert_uint_eq(sec_of(&mf, SEC_ITEMS)->n, 4 * 4);
            ck_assert_uint_eq(rd32(sec_of(&mf, SEC_ITEMS)->p + 4), 2);
            ck_assert_uint_eq(sec_of(&mf, SEC_ITEM_WEIGHTS)->n, 4 * 4 * 4);
        }
        mfile_free(&mf);
        free(again.b);
        free(f.b);
        lr_model_free(m);
    }
    lr_test_remove_dir(p.dir);
}
END_TEST

/* lib/model/file.c persists every field of struct lr_model.  When this
 * size changes, a field was added or removed: persist it (docs/formats.md,
 * a new section and format version), or derive it on load as
 * lr__model_prepare derives artist_panels, then update the number here. */
START_TEST(every_model_field_is_persisted)
{
    if (sizeof(void *) != 8 || sizeof(long) != 8) {
        printf("note: the struct size check applies to LP64 hosts only\n");
        return;
    }
    /* 2088 since LR_OPTIONS_MAX went from 64 to 96 (the model's two
     * lr_options, persisted key by key, grew by 288 bytes each); 2096
     * with softmax's cold_mix, which lr__model_prepare derives */
    ck_assert_msg(sizeof(struct lr_model) == 2096,
                  "struct lr_model is %zu bytes, was 2096: persist the new field in "
                  "lib/model/file.c, then update this test",
                  sizeof(struct lr_model));
}
END_TEST

/* ------------------------------------------------------------------ damage */

/* Loading must fail with LR_E_FORMAT, leave NULL, name the file and say
 * what. */
static void expect_format_error(const char *path, const char *needle, const char *needle2)
{
    static char sentinel;
    lr_model *back = (lr_model *)&sentinel;
    lr_clear_error();
    int rc = lr_model_load(&back, path);
    lr_test_format_failure(rc, path, needle, needle2);
    ck_assert_ptr_null(back);
}

START_TEST(every_truncation_rejected)
{
    lr_test_place p = lr_test_make_place("cut.lrmodel");
    for (int kind = 0; kind < N_KINDS; kind++) {
        blob f = saved_file(kind, p.path);
        for (size_t len = 0; len < f.n; len++) {
            spill(p.path, f.b, len);
            expect_format_error(p.path, NULL, NULL);
        }
        free(f.b);
    }
    lr_test_remove_dir(p.dir);
}
END_TEST

/* Where byte i lies: a section's payload (its name), padding, or the
 * header and table. */
static const char *place_of(const blob *f, size_t i)
{
    uint32_t count = rd32(f->b + 16);
    if (i < 24 + 24 * (size_t)count)
        return NULL;
    for (uint32_t s = 0; s < count; s++) {
        const uint8_t *e = f->b + 24 + 24 * (size_t)s;
        uint64_t off = rd64(e + 8), len = rd64(e + 16);
        if (i >= off && i < off + len)
            return sec_names[rd32(e)];
    }
    return "padding";
}

START_TEST(every_flipped_byte_rejected)
{
    lr_test_place p = lr_test_make_place("flip.lrmodel");
    for (int kind = 0; kind < N_KINDS; kind++) {
        blob f = saved_file(kind, p.path);
        for (size_t i = 0; i < f.n; i++) {
            const char *where = place_of(&f, i);
            char needle[64];
            if (!where)
                needle[0] = '\0';
            else if (strcmp(where, "padding") == 0)
                snprintf(needle, sizeof needle, "padding");
            else
                snprintf(needle, sizeof needle, "section '%s': corrupt payload", where);
            for (int bit = 0; bit < 8; bit += 7) {
                f.b[i] ^= (uint8_t)(1u << bit);
                spill(p.path, f.b, f.n);
                expect_format_error(p.path, needle, NULL);
                f.b[i] ^= (uint8_t)(1u << bit);
            }
        }
        free(f.b);
    }
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(wrong_magic_not_mistaken)
{
    lr_test_place p = lr_test_make_place("x.lrmodel");
    /* A dataset snapshot is a sibling format, not a model. */
    lr_dataset *tiny = tiny_dataset();
    ck_assert_lr_ok(lr_dataset_save(tiny, p.path));
    lr_dataset_free(tiny);
    expect_format_error(p.path, "not a lastrec model file", "LRMODEL");
    LR_TEST_WRITE_STR(p.dir, "x.lrmodel", "userID\tartistID\tweight\n2\t51\t13883\n");
    expect_format_error(p.path, "not a lastrec model file", NULL);
    spill(p.path, "", 0);
    expect_format_error(p.path, "not a lastrec model file", NULL);
    spill(p.path, "LRMODEL", 8);
    expect_format_error(p.path, "truncated: 8 bytes, the header alone takes 24", NULL);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(other_version_named)
{
    lr_test_place p = lr_test_make_place("v.lrmodel");
    blob f = saved_file(K_POP, p.path);
    static const uint32_t versions[] = {0, 3, 0xffffffffu};
    for (size_t i = 0; i < 3; i++) {
        wr32(f.b + 8, versions[i]);
        spill(p.path, f.b, f.n);
        char want[120];
        snprintf(want, sizeof want, "model file format version %u; this build of lastrec "
                 "reads versions 1 to 2", versions[i]);
        expect_format_error(p.path, want, NULL);
    }
    free(f.b);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(missing_file_is_io)
{
    lr_test_place p = lr_test_make_place("absent.lrmodel");
    lr_model *back = NULL;
    ck_assert_lr_fail(lr_model_load(&back, p.path), LR_E_IO, "absent.lrmodel");
    ck_assert_ptr_null(back);
    ck_assert_lr_fail(lr_model_load(&back, p.dir), LR_E_IO, "not a regular file");
    lr_test_remove_dir(p.dir);
}
END_TEST

/* Edit a small model's file section by section, pack it with valid
 * checksums, expect a refusal that names the section. */
typedef void (*edit_fn)(mfile *f);

static void expect_edit_rejected(enum kind kind, edit_fn edit, const char *needle,
                                 const char *needle2)
{
    lr_test_place p = lr_test_make_place("edited.lrmodel");
    blob f = saved_file(kind, p.path);
    mfile mf = unpack(&f);
    free(f.b);
    edit(&mf);
    f = pack(&mf);
    mfile_free(&mf);
    spill(p.path, f.b, f.n);
    free(f.b);
    expect_format_error(p.path, needle, needle2);
    lr_test_remove_dir(p.dir);
}

static void meta_algo_unknown(mfile *f) { wr32(sec_of(f, SEC_META)->p, 9); }
static void meta_algo_ease(mfile *f) { wr32(sec_of(f, SEC_META)->p, LR_ALGO_EASE); }
static void meta_algo_als(mfile *f) { wr32(sec_of(f, SEC_META)->p, LR_ALGO_ALS); }
static void meta_unfitted(mfile *f) { wr32(sec_of(f, SEC_META)->p + 8, 0); }
static void meta_tags_per_artist(mfile *f) { wr32(sec_of(f, SEC_META)->p + 32, 4); }
static void meta_reserved(mfile *f) { wr32(sec_of(f, SEC_META)->p + 36, 1); }
static void meta_short(mfile *f) { sec_of(f, SEC_META)->n = 48; }
static void meta_huge_users(mfile *f) { wr32(sec_of(f, SEC_META)->p + 12, 0x80000000u); }
static void meta_more_users(mfile *f) { wr32(sec_of(f, SEC_META)->p + 12, 5); }
static void meta_huge_listens(mfile *f) { wr64(sec_of(f, SEC_META)->p + 40, UINT64_MAX / 2); }
static void meta_k_on_pop(mfile *f) { wr32(sec_of(f, SEC_META)->p + 24, 2); }
static void meta_k_zero(mfile *f) { wr32(sec_of(f, SEC_META)->p + 24, 0); }
static void meta_k_other(mfile *f) { wr32(sec_of(f, SEC_META)->p + 24, 4); }
static void meta_huge_k(mfile *f) { wr32(sec_of(f, SEC_META)->p + 24, 0x7fffffffu); }
static void meta_items_over(mfile *f) { wr32(sec_of(f, SEC_META)->p + 28, 7); }
static void meta_more_epochs(mfile *f) { wr64(sec_of(f, SEC_META)->p + 48, 2); }
static void drop_pop(mfile *f) { drop_sec(f, SEC_POPULARITY); }
static void drop_names(mfile *f) { drop_sec(f, SEC_ARTIST_NAMES); }
static void drop_user_factors(mfile *f) { drop_sec(f, SEC_USER_FACTORS); }
static void pop_on_factors(mfile *f)
{
    static const uint8_t zeros[6 * 4];
    add_sec(f, SEC_POPULARITY, zeros, sizeof zeros);
}
static void unknown_required(mfile *f) { add_sec(f, 40, "x", 1); }
static void options_ragged(mfile *f) { sec_of(f, SEC_OPTIONS)->n -= 8; }
static void options_swapped(mfile *f)
{
    uint8_t t[16], *p = sec_of(f, SEC_OPTIONS)->p;
    memcpy(t, p, 16);
    memcpy(p, p + 16, 16);
    memcpy(p + 16, t, 16);
}
static void options_repeated(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_OPTIONS)->p;
    memcpy(p + 16, p, 16);
}

/* The entry of `key` in the options section. */
static uint8_t *option_entry(mfile *f, uint32_t key)
{
    msec *s = sec_of(f, SEC_OPTIONS);
    for (size_t i = 0; i + 16 <= s->n; i += 16)
        if (rd32(s->p + i) == key)
            return s->p + i;
    ck_abort_msg("option %u is not in the file", key);
    return NULL;
}

static void option_flags(mfile *f) { wr32(option_entry(f, LR_OPT_SEED) + 4, 2); }
static void option_below(mfile *f) { wrf64(option_entry(f, LR_OPT_FACTORS) + 8, 0); }
static void option_above(mfile *f) { wrf64(option_entry(f, LR_OPT_BM25_B) + 8, 1.5); }
static void option_fraction(mfile *f) { wrf64(option_entry(f, LR_OPT_EPOCHS) + 8, 2.5); }
static void option_nan(mfile *f) { wrf64(option_entry(f, LR_OPT_ALPHA) + 8, NAN); }
static void option_inf(mfile *f) { wrf64(option_entry(f, LR_OPT_GRAVITY) + 8, INFINITY); }
static void ids_descend(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_USER_IDS)->p;
    wr32(p + 4, 2);
}
static void ids_repeat(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_ARTIST_IDS)->p;
    wr32(p + 8, rd32(p + 4));
}
static void names_bad_utf8(mfile *f)
{
    msec *s = sec_of(f, SEC_ARTIST_NAMES);
    s->p[7 * 8 + 4] = 0xff; /* inside "Beyoncé" */
}
static void names_nul_inside(mfile *f)
{
    msec *s = sec_of(f, SEC_ARTIST_NAMES);
    s->p[7 * 8 + 2] = 0;
}
static void names_offset_back(mfile *f)
{
    msec *s = sec_of(f, SEC_ARTIST_NAMES);
    wr64(s->p + 16, 3);
}
static void top_tags_short(mfile *f) { sec_of(f, SEC_ARTIST_TOP_TAGS)->n = 8; }
static void tag_names_unterminated(mfile *f)
{
    msec *s = sec_of(f, SEC_TAG_NAMES);
    s->p[s->n - 1] = 'x';
}
static void artist_tags_out_of_range(mfile *f) { wr32(sec_of(f, SEC_ARTIST_TAGS)->p, 7); }
static void artist_tags_after_pad(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_ARTIST_TAGS)->p; /* artist 30 (index 2) has none */
    wr32(p + 4 * 11, 3);
    wr32(p + 4 * 30 + 4 * 11, 1);
}
static void artist_tags_order(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_ARTIST_TAGS)->p; /* counts 3 2 2 1 1 -> 3 2 2 1 5 */
    wr32(p + 4 * 30 + 4 * 4, 5);
}
static void artist_tags_tie_order(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_ARTIST_TAGS)->p; /* tags 0 1 2 3 4 -> 0 2 1 3 4 */
    wr32(p + 4 * 1, 2);
    wr32(p + 4 * 2, 1);
}
static void artist_tags_pad_count(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_ARTIST_TAGS)->p;
    wr32(p + 4 * 30 + 4 * 10, 4);
}
static void artist_tags_zero_count(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_ARTIST_TAGS)->p; /* artist 20: tag 6, count 1 -> 0 */
    wr32(p + 4 * 30 + 4 * 5, 0);
}
static void listens_column(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_LISTENS)->p;
    wr32(p + 8 * 5, 6);
}
static void listens_unsorted(mfile *f)
{
    uint8_t *p = sec_of(f, SEC_LISTENS)->p; /* row 0: 0 1 3 -> 1 0 3 */
    wr32(p + 8 * 5, 1);
    wr32(p + 8 * 5 + 4, 0);
}
static void listens_ptr(mfile *f) { wr64(sec_of(f, SEC_LISTENS)->p + 8, 12); }
static void listens_zero_count(mfile *f)
{
    wrf32(sec_of(f, SEC_LISTENS)->p + 8 * 5 + 4 * 11 + 4 * 2, 0);
}
static void listens_nan(mfile *f)
{
    wrf32(sec_of(f, SEC_LISTENS)->p + 8 * 5 + 4 * 11, NAN);
}
static void history_short(mfile *f) { sec_of(f, SEC_HISTORY)->n = 56; }
static void factors_nan(mfile *f) { wrf32(sec_of(f, SEC_ARTIST_FACTORS)->p + 4 * 4, NAN); }
static void factors_inf(mfile *f) { wrf32(sec_of(f, SEC_USER_FACTORS)->p, -INFINITY); }
static void bias_inf(mfile *f) { wrf32(sec_of(f, SEC_ARTIST_BIAS)->p + 4 * 5, INFINITY); }
static void bias_short(mfile *f) { sec_of(f, SEC_ARTIST_BIAS)->n -= 4; }
static void items_descend(mfile *f) { wr32(sec_of(f, SEC_ITEMS)->p + 4, 0); }
static void items_outside(mfile *f) { wr32(sec_of(f, SEC_ITEMS)->p + 12, 6); }
static void items_negative(mfile *f) { wr32(sec_of(f, SEC_ITEMS)->p, UINT32_MAX); }
static void weights_diagonal(mfile *f) { wrf32(sec_of(f, SEC_ITEM_WEIGHTS)->p + 4 * 5, 0.5f); }
static void weights_nan(mfile *f) { wrf32(sec_of(f, SEC_ITEM_WEIGHTS)->p + 4 * 3, NAN); }
static void pop_negative(mfile *f) { wrf32(sec_of(f, SEC_POPULARITY)->p + 4, -1); }
static void pop_nan(mfile *f) { wrf32(sec_of(f, SEC_POPULARITY)->p + 4, NAN); }

static lr_model *load_edited(const lr_model *m, const char *path, edit_fn edit);

/* softmax's tower: field i of 'tower sizes' */
static uint8_t *tower_field(mfile *f, int i) { return sec_of(f, SEC_TOWER_SIZES)->p + 8 + 8 * i; }
static void tower_params_off(mfile *f) { wr64(tower_field(f, 8), rd64(tower_field(f, 8)) + 1); }
static void tower_k_other(mfile *f) { wr64(tower_field(f, 2), 4); }
static void tower_width_zero(mfile *f) { wr64(tower_field(f, 5), 0); }
static void tower_layers_nine(mfile *f) { wr64(tower_field(f, 4), 9); }
static void tower_tags_other(mfile *f) { wr64(tower_field(f, 1), 5); }
static void tower_artists_other(mfile *f) { wr64(tower_field(f, 0), 7); }
static void tower_item_tags_two(mfile *f) { wr64(tower_field(f, 6), 2); }
static void tower_fields_short(mfile *f) { wr32(sec_of(f, SEC_TOWER_SIZES)->p, 8); }
static void tower_reserved(mfile *f) { wr32(sec_of(f, SEC_TOWER_SIZES)->p + 4, 1); }
/* a tenth field, as a later lastrec might add: non-zero means something
 * this reader cannot honour */
static void tower_later_field(mfile *f, uint64_t value)
{
    msec *s = sec_of(f, SEC_TOWER_SIZES);
    uint8_t p[8 + 8 * 10];
    memcpy(p, s->p, s->n);
    wr32(p, 10);
    wr64(p + 8 + 8 * 9, value);
    set_sec(f, SEC_TOWER_SIZES, p, sizeof p);
}
static void tower_later_field_set(mfile *f) { tower_later_field(f, 5); }
static void tower_later_field_zero(mfile *f) { tower_later_field(f, 0); }
static void tower_weights_nan(mfile *f) { wrf32(sec_of(f, SEC_TOWER_WEIGHTS)->p + 4 * 7, NAN); }
static void tower_weights_inf(mfile *f) { wrf32(sec_of(f, SEC_TOWER_WEIGHTS)->p, INFINITY); }
static void tower_weights_short(mfile *f) { sec_of(f, SEC_TOWER_WEIGHTS)->n -= 4; }
/* the profile: 7 row pointers, then the entries' tag indices and weights */
static uint8_t *profile_entries(mfile *f) { return sec_of(f, SEC_TOWER_PROFILE)->p + 8 * 7; }
static void tower_profile_index(mfile *f) { wr32(profile_entries(f), 7); }
static void tower_profile_unsorted(mfile *f)
{
    uint8_t *e = profile_entries(f);
    uint32_t a = rd32(e), b = rd32(e + 4);
    wr32(e, b);
    wr32(e + 4, a);
}
static void tower_profile_weight(mfile *f)
{
    msec *s = sec_of(f, SEC_TOWER_PROFILE);
    const uint64_t entries = (s->n - 8 * 7) / 8;
    wrf32(s->p + 8 * 7 + 4 * entries + 4, 2.0f);
}
static void tower_profile_nan(mfile *f)
{
    msec *s = sec_of(f, SEC_TOWER_PROFILE);
    const uint64_t entries = (s->n - 8 * 7) / 8;
    wrf32(s->p + 8 * 7 + 4 * entries, NAN);
}
static void tower_profile_ptr(mfile *f) { wr64(sec_of(f, SEC_TOWER_PROFILE)->p + 8 * 3, 1000); }
static void drop_tower_weights(mfile *f) { drop_sec(f, SEC_TOWER_WEIGHTS); }
static void drop_tower_sizes(mfile *f) { drop_sec(f, SEC_TOWER_SIZES); }
static void tower_on_bpr(mfile *f)
{
    uint8_t p[8 + 8 * 9] = {0};
    add_sec(f, SEC_TOWER_SIZES, p, sizeof p);
}
static void version_1(mfile *f) { wr32(f->head + 8, 1); }
static void version_1_without_tower(mfile *f)
{
    drop_sec(f, SEC_TOWER_SIZES);
    drop_sec(f, SEC_TOWER_WEIGHTS);
    drop_sec(f, SEC_TOWER_PROFILE);
    version_1(f);
}

/* Every inconsistency of the tower's sections is refused, naming the
 * section and what does not add up. */
START_TEST(tower_invariants_checked)
{
    expect_edit_rejected(K_SOFTMAX, tower_params_off, "section 'tower sizes'",
                         "parameters, but these sizes make a network of");
    expect_edit_rejected(K_SOFTMAX, tower_k_other, "section 'tower sizes'",
                         "k = 4, but the factors have k = 3");
    expect_edit_rejected(K_SOFTMAX, tower_width_zero, "section 'tower sizes'",
                         "hidden_width = 0 is outside");
    expect_edit_rejected(K_SOFTMAX, tower_layers_nine, "section 'tower sizes'",
                         "hidden_layers = 9 is outside");
    expect_edit_rejected(K_SOFTMAX, tower_tags_other, "section 'tower sizes'",
                         "5 tags, but meta says 7");
    expect_edit_rejected(K_SOFTMAX, tower_artists_other, "section 'tower sizes'",
                         "7 artists, but meta says 6");
    expect_edit_rejected(K_SOFTMAX, tower_item_tags_two, "section 'tower sizes'",
                         "item_tags = 2 is outside");
    expect_edit_rejected(K_SOFTMAX, tower_fields_short, "section 'tower sizes'", "bytes, but 8");
    expect_edit_rejected(K_SOFTMAX, tower_reserved, "section 'tower sizes'", "reserved");
    expect_edit_rejected(K_SOFTMAX, tower_later_field_set, "section 'tower sizes'",
                         "field 9 is 5");
    expect_edit_rejected(K_SOFTMAX, tower_weights_nan, "section 'tower weights'",
                         "parameter 7 is not finite");
    expect_edit_rejected(K_SOFTMAX, tower_weights_inf, "section 'tower weights'",
                         "parameter 0 is not finite");
    expect_edit_rejected(K_SOFTMAX, tower_weights_short, "section 'tower weights'",
                         "parameters");
    expect_edit_rejected(K_SOFTMAX, tower_profile_index, "section 'tower profile'", NULL);
    expect_edit_rejected(K_SOFTMAX, tower_profile_unsorted, "section 'tower profile'", NULL);
    expect_edit_rejected(K_SOFTMAX, tower_profile_ptr, "section 'tower profile'", NULL);
    expect_edit_rejected(K_SOFTMAX, tower_profile_weight, "section 'tower profile'",
                         "weight 2 is not in [0, 1]");
    expect_edit_rejected(K_SOFTMAX, tower_profile_nan, "section 'tower profile'",
                         "is not in [0, 1]");
    expect_edit_rejected(K_SOFTMAX, drop_tower_weights,
                         "section 'tower weights' is missing, but 'tower sizes' is present",
                         NULL);
    expect_edit_rejected(K_SOFTMAX, drop_tower_sizes,
                         "section 'tower weights' is present, but 'tower sizes' is missing",
                         NULL);
    expect_edit_rejected(K_FACTORS, tower_on_bpr, "section 'tower sizes'",
                         "bpr models have no use for it");
    expect_edit_rejected(K_SOFTMAX, version_1, "section 'tower sizes'",
                         "version 1 files have no tower");
}
END_TEST

/* blend's softmax part (sections 20-26) */
static uint8_t *sm_tower_field(mfile *f, int i)
{
    return sec_of(f, SEC_SM_TOWER_SIZES)->p + 8 + 8 * i;
}
static void sm_drop_user_factors(mfile *f) { drop_sec(f, SEC_SM_USER_FACTORS); }
static void sm_drop_options(mfile *f) { drop_sec(f, SEC_SM_OPTIONS); }
static void sm_user_factors_nan(mfile *f) { wrf32(sec_of(f, SEC_SM_USER_FACTORS)->p + 4 * 5, NAN); }
static void sm_artist_factors_short(mfile *f) { sec_of(f, SEC_SM_ARTIST_FACTORS)->n -= 4; }
static void sm_tower_k_other(mfile *f) { wr64(sm_tower_field(f, 2), rd64(sm_tower_field(f, 2)) + 1); }
static void sm_tower_weights_inf(mfile *f) { wrf32(sec_of(f, SEC_SM_TOWER_WEIGHTS)->p, INFINITY); }
static void sm_tower_profile_ptr(mfile *f) { wr64(sec_of(f, SEC_SM_TOWER_PROFILE)->p + 8 * 3, 1000); }
static uint8_t *sm_option_entry(mfile *f, uint32_t key)
{
    msec *s = sec_of(f, SEC_SM_OPTIONS);
    for (size_t i = 0; i + 16 <= s->n; i += 16)
        if (rd32(s->p + i) == key)
            return s->p + i;
    ck_abort_msg("option %u is not in the part's options", key);
    return NULL;
}
static void sm_option_above(mfile *f) { wrf64(sm_option_entry(f, LR_OPT_TRANSFORM) + 8, 9); }
static void sm_weight_zero(mfile *f) { wrf64(option_entry(f, LR_OPT_SOFTMAX_WEIGHT) + 8, 0); }
static void sm_sections_gone(mfile *f);
static void sm_bias_alone(mfile *f)
{
    sm_sections_gone(f);
    uint8_t p[4 * 6] = {0};
    add_sec(f, SEC_SM_ARTIST_BIAS, p, sizeof p);
}
/* the part's sections gone, the weight still 2 */
static void sm_sections_gone(mfile *f)
{
    for (uint32_t id = SEC_SM_OPTIONS; id <= SEC_SM_TOWER_PROFILE; id++)
        if (has_sec(f, id))
            drop_sec(f, id);
}
/* what a lastrec before the softmax part wrote: neither the part nor the
 * option's key */
static void sm_before_the_part(mfile *f)
{
    sm_sections_gone(f);
    msec *s = sec_of(f, SEC_OPTIONS);
    uint8_t *e = option_entry(f, LR_OPT_SOFTMAX_WEIGHT);
    memmove(e, e + 16, (size_t)(s->p + s->n - (e + 16)));
    s->n -= 16;
}
static void sm_on_ease(mfile *f)
{
    uint8_t p[16] = {0};
    add_sec(f, SEC_SM_OPTIONS, p, sizeof p);
}

/* Every inconsistency of blend's softmax part is refused, naming the
 * section. */
START_TEST(blend_softmax_part_invariants_checked)
{
    expect_edit_rejected(K_BLEND_SM, sm_drop_user_factors,
                         "section 'softmax user factors' is missing, but 'softmax options' is "
                         "present",
                         NULL);
    expect_edit_rejected(K_BLEND_SM, sm_drop_options,
                         "is present, but 'softmax options' is missing", NULL);
    expect_edit_rejected(K_BLEND_SM, sm_bias_alone,
                         "section 'softmax artist bias' is present, but 'softmax options' is "
                         "missing",
                         NULL);
    expect_edit_rejected(K_BLEND_SM, sm_user_factors_nan, "section 'softmax user factors'",
                         "not finite");
    expect_edit_rejected(K_BLEND_SM, sm_artist_factors_short, "section 'softmax artist factors'",
                         NULL);
    expect_edit_rejected(K_BLEND_SM, sm_tower_k_other, "section 'softmax tower sizes'",
                         "parameters");
    expect_edit_rejected(K_BLEND_SM, sm_tower_weights_inf, "section 'softmax tower weights'",
                         "not finite");
    expect_edit_rejected(K_BLEND_SM, sm_tower_profile_ptr, "section 'softmax tower profile'",
                         NULL);
    expect_edit_rejected(K_BLEND_SM, sm_option_above, "section 'softmax options'", "transform");
    expect_edit_rejected(K_BLEND_SM, sm_weight_zero, "section 'options'",
                         "softmax_weight is 0, but the softmax part's sections are present");
    expect_edit_rejected(K_BLEND_SM, sm_sections_gone, "section 'options'",
                         "softmax_weight is 2, but the softmax part's sections are missing");
    expect_edit_rejected(K_BLEND_SM, version_1, "section 'softmax options'",
                         "version 1 files have no softmax part");
    expect_edit_rejected(K_EASE, sm_on_ease, "section 'softmax options'",
                         "present, but ease models have no use for it");
}
END_TEST

/* A blend file with the part round-trips (sections 20-26, the part's k
 * in its tower's sizes); a blend file from before the part (no sections,
 * no softmax_weight key) loads as softmax_weight 0 and scores as the
 * blend fitted with softmax_weight=0, whose item model and als are the
 * same bits. */
START_TEST(blend_softmax_part_files)
{
    lr_test_place p = lr_test_make_place("part.lrmodel");
    lr_model *m = small_model(K_BLEND_SM);
    ck_assert_int_gt(m->sm.k, 0);
    lr_model *back = round_trip(m, p.dir);
    ck_assert_int_eq(back->sm.k, m->sm.k);
    lr_model_free(back);
    ck_assert_lr_ok(lr_model_save(m, p.path));
    blob f = slurp(p.path);
    mfile mf = unpack(&f);
    for (uint32_t id = SEC_SM_OPTIONS; id <= SEC_SM_TOWER_PROFILE; id++)
        ck_assert_msg(has_sec(&mf, id) == (id != SEC_SM_ARTIST_BIAS), "section '%s'",
                      sec_names[id]);
    ck_assert(!has_sec(&mf, SEC_TOWER_SIZES)); /* softmax's own tower's sections */
    ck_assert_uint_eq(rd64(sec_of(&mf, SEC_SM_TOWER_SIZES)->p + 8 + 8 * 2), (uint64_t)m->sm.k);
    ck_assert_uint_eq(sec_of(&mf, SEC_SM_USER_FACTORS)->n, 4 * 4 * (size_t)m->sm.k);
    mfile_free(&mf);
    free(f.b);

    back = load_edited(m, p.path, sm_before_the_part);
    double w = -1;
    ck_assert_lr_ok(lr_model_option(back, LR_OPT_SOFTMAX_WEIGHT, &w));
    ck_assert(w == 0);
    ck_assert_int_eq(back->sm.k, 0);
    lr_dataset *ds = tiny_dataset();
    lr_model *two = fit_or_skip(LR_ALGO_BLEND, ds,
                                "seed=7,threads=1,factors=3,epochs=2,min_listeners=1,"
                                "tag_dim=2,hidden_width=4,softmax_weight=0",
                                "blend_softmax_part_files");
    same_scores(two, back);
    lr_query *q = NULL;
    ck_assert_lr_ok(lr_query_new(&q, back));
    ck_assert_lr_ok(lr_query_add_preference(q, 10, 5));
    size_t n = 0;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_gt(n, 0);
    lr_query_free(q);
    lr_model_free(two);
    lr_model_free(back);
    lr_dataset_free(ds);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* A softmax model from a version 1 file (no tower) still loads, scores
 * as it did, and folds preferences in by least squares; a later field
 * of 'tower sizes' that is 0 is accepted. */
START_TEST(older_and_later_tower_files)
{
    lr_test_place p = lr_test_make_place("old.lrmodel");
    lr_model *m = small_model(K_SOFTMAX);
    ck_assert_ptr_nonnull(m->tower);
    lr_model *back = load_edited(m, p.path, version_1_without_tower);
    ck_assert_ptr_null(back->tower);
    /* without its tower a file has no tag profiles, so no cold-artist
     * mixture (lib/model/cold_mix.h): it scores by the logits, as the
     * model does without its mixture */
    ck_assert_ptr_null(back->cold_mix);
    struct lr__cold_mix *mix = m->cold_mix;
    m->cold_mix = NULL;
    same_scores(m, back);
    m->cold_mix = mix;
    lr_query *q = NULL;
    ck_assert_lr_ok(lr_query_new(&q, back));
    ck_assert_lr_ok(lr_query_add_preference(q, 10, 5));
    ck_assert_lr_ok(lr_query_add_preference(q, 40, 2));
    size_t n = 0;
    ck_assert_lr_ok(lr_query_recommend_preferences(q, &n));
    ck_assert_uint_gt(n, 0);
    size_t tags = 99;
    ck_assert_lr_ok(lr_query_result_tag_explanation(q, 0, NULL, NULL, 0, &tags));
    ck_assert_uint_eq(tags, 0); /* no tower, no tags to explain by */
    lr_query_free(q);
    /* saved again, it is a version 2 file without a tower */
    char again[600];
    snprintf(again, sizeof again, "%s/again.lrmodel", p.dir);
    ck_assert_lr_ok(lr_model_save(back, again));
    blob f = slurp(again);
    ck_assert_uint_eq(rd32(f.b + 8), 2);
    mfile mf = unpack(&f);
    ck_assert(!has_sec(&mf, SEC_TOWER_SIZES));
    mfile_free(&mf);
    free(f.b);
    unlink(again);
    lr_model_free(back);
    back = load_edited(m, p.path, tower_later_field_zero);
    same_model(m, back);
    lr_model_free(back);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(invariants_checked)
{
    /* The header: counts, algorithm, state. */
    expect_edit_rejected(K_POP, meta_algo_unknown, "section 'meta'", "unknown algorithm 9");
    expect_edit_rejected(K_POP, meta_algo_ease, "section 'ease items' is missing", NULL);
    expect_edit_rejected(K_POP, meta_algo_als, "section 'meta'", "als models need factors");
    expect_edit_rejected(K_POP, meta_unfitted, "section 'meta'", "only fitted models");
    expect_edit_rejected(K_POP, meta_tags_per_artist, "section 'meta'", "4 tags per artist");
    expect_edit_rejected(K_POP, meta_reserved, "section 'meta'", "reserved");
    expect_edit_rejected(K_POP, meta_short, "section 'meta'", "48 bytes, expected 56");
    expect_edit_rejected(K_POP, meta_huge_users, "section 'meta'", "exceeds 2^31 - 1");
    expect_edit_rejected(K_POP, meta_more_users, "section 'user ids'", "5 IDs take 20");
    expect_edit_rejected(K_POP, meta_huge_listens, "section 'listens'", "cannot fit");
    expect_edit_rejected(K_POP, meta_k_on_pop, "section 'meta'", "pop models have no factors");
    expect_edit_rejected(K_FACTORS, meta_k_zero, "section 'meta'", "bpr models need factors");
    expect_edit_rejected(K_FACTORS, meta_k_other, "section 'user factors'", "bytes, but 4");
    expect_edit_rejected(K_FACTORS, meta_huge_k, "section 'user factors'", NULL);
    expect_edit_rejected(K_EASE, meta_items_over, "section 'meta'", "7 ease items, but only 6");
    expect_edit_rejected(K_POP, meta_more_epochs, "section 'history'", "2 epochs");
    /* Which sections are there. */
    expect_edit_rejected(K_POP, drop_pop, "section 'popularity' is missing", NULL);
    expect_edit_rejected(K_POP, drop_names, "section 'artist names' is missing", NULL);
    expect_edit_rejected(K_FACTORS, drop_user_factors, "section 'user factors' is missing",
                         NULL);
    expect_edit_rejected(K_FACTORS, pop_on_factors, "section 'popularity'",
                         "bpr models have no use for it");
    expect_edit_rejected(K_POP, unknown_required, "section 40", "unknown required section");
    /* Options. */
    expect_edit_rejected(K_POP, options_ragged, "section 'options'", "16-byte entries");
    expect_edit_rejected(K_POP, options_swapped, "section 'options'", "keys must ascend");
    expect_edit_rejected(K_POP, options_repeated, "section 'options'", "keys must ascend");
    expect_edit_rejected(K_POP, option_flags, "section 'options'", "unknown flags");
    expect_edit_rejected(K_POP, option_below, "section 'options'", "'factors' = 0 is outside");
    expect_edit_rejected(K_POP, option_above, "section 'options'", "'bm25_b' = 1.5");
    expect_edit_rejected(K_POP, option_fraction, "section 'options'", "not an integer");
    expect_edit_rejected(K_POP, option_nan, "section 'options'", "'alpha' is not a finite");
    expect_edit_rejected(K_POP, option_inf, "section 'options'", "'gravity' is not a finite");
    /* Catalogue. */
    expect_edit_rejected(K_POP, ids_descend, "section 'user ids'", "does not ascend");
    expect_edit_rejected(K_POP, ids_repeat, "section 'artist ids'", "does not ascend");
    expect_edit_rejected(K_POP, names_bad_utf8, "section 'artist names'", "not valid UTF-8");
    expect_edit_rejected(K_POP, names_nul_inside, "section 'artist names'", "NUL byte");
    expect_edit_rejected(K_POP, names_offset_back, "section 'artist names'", "string 1 ends");
    expect_edit_rejected(K_POP, top_tags_short, "section 'artist top tags'", "cannot hold");
    expect_edit_rejected(K_POP, tag_names_unterminated, "section 'tag names'",
                         "not NUL-terminated");
    expect_edit_rejected(K_POP, artist_tags_out_of_range, "section 'artist tags'",
                         "outside the tag names");
    expect_edit_rejected(K_POP, artist_tags_after_pad, "section 'artist tags'",
                         "follows an empty slot");
    expect_edit_rejected(K_POP, artist_tags_order, "section 'artist tags'", "order");
    expect_edit_rejected(K_POP, artist_tags_tie_order, "section 'artist tags'", "order");
    expect_edit_rejected(K_POP, artist_tags_pad_count, "section 'artist tags'",
                         "empty slot has a count");
    expect_edit_rejected(K_POP, artist_tags_zero_count, "section 'artist tags'",
                         "not positive");
    /* Listens and history. */
    expect_edit_rejected(K_POP, listens_column, "section 'listens'", "outside [0, 6)");
    expect_edit_rejected(K_POP, listens_unsorted, "section 'listens'", "do not ascend");
    expect_edit_rejected(K_POP, listens_ptr, "section 'listens'", "row pointer");
    expect_edit_rejected(K_POP, listens_zero_count, "section 'listens'", "not a positive");
    expect_edit_rejected(K_POP, listens_nan, "section 'listens'", "not a positive");
    expect_edit_rejected(K_POP, history_short, "section 'history'", "56 bytes");
    /* The algorithms' arrays. */
    expect_edit_rejected(K_FACTORS, factors_nan, "section 'artist factors'", "not finite");
    expect_edit_rejected(K_FACTORS, factors_inf, "section 'user factors'", "not finite");
    expect_edit_rejected(K_FACTORS, bias_inf, "section 'artist bias'", "value 5");
    expect_edit_rejected(K_FACTORS, bias_short, "section 'artist bias'", "20 bytes");
    expect_edit_rejected(K_EASE, items_descend, "section 'ease items'", "does not ascend");
    expect_edit_rejected(K_EASE, items_outside, "section 'ease items'", "outside [0, 6)");
    expect_edit_rejected(K_EASE, items_negative, "section 'ease items'", "-1 outside");
    expect_edit_rejected(K_EASE, weights_diagonal, "section 'ease weights'",
                         "diagonal entry 1 is 0.5");
    expect_edit_rejected(K_EASE, weights_nan, "section 'ease weights'", "not finite");
    expect_edit_rejected(K_POP, pop_negative, "section 'popularity'", "negative");
    expect_edit_rejected(K_POP, pop_nan, "section 'popularity'", "not finite");
}
END_TEST

/* Load an edited file that must still load, and return the model. */
static lr_model *load_edited(const lr_model *m, const char *path, edit_fn edit)
{
    ck_assert_lr_ok(lr_model_save(m, path));
    blob f = slurp(path);
    mfile mf = unpack(&f);
    free(f.b);
    edit(&mf);
    f = pack(&mf);
    mfile_free(&mf);
    spill(path, f.b, f.n);
    free(f.b);
    lr_model *back = NULL;
    ck_assert_lr_ok(lr_model_load(&back, path));
    return back;
}

static void unknown_optional(mfile *f) { add_sec(f, 0x80000005u, "later", 5); }
static void unknown_option_key(mfile *f)
{
    msec *s = sec_of(f, SEC_OPTIONS);
    uint8_t *p = malloc(s->n + 16);
    memcpy(p, s->p, s->n);
    wr32(p + s->n, 100000); /* above every key this build knows */
    wr32(p + s->n + 4, 1);
    wrf64(p + s->n + 8, 123.5);
    set_sec(f, SEC_OPTIONS, p, s->n + 16);
    free(p);
}
static void missing_option_keys(mfile *f)
{
    /* As a file written before seed and factors existed would be. */
    msec *s = sec_of(f, SEC_OPTIONS);
    uint8_t *p = malloc(s->n);
    size_t n = 0;
    for (size_t i = 0; i < s->n; i += 16)
        if (rd32(s->p + i) != LR_OPT_SEED && rd32(s->p + i) != LR_OPT_FACTORS) {
            memcpy(p + n, s->p + i, 16);
            n += 16;
        }
    set_sec(f, SEC_OPTIONS, p, n);
    free(p);
}

START_TEST(forward_compatible)
{
    lr_test_place p = lr_test_make_place("later.lrmodel");
    lr_model *m = small_model(K_FACTORS);
    /* A later lastrec's optional section and option key are skipped. */
    lr_model *back = load_edited(m, p.path, unknown_optional);
    same_model(m, back);
    lr_model_free(back);
    back = load_edited(m, p.path, unknown_option_key);
    same_model(m, back);
    lr_model_free(back);
    /* Keys an older file lacks get what lr_model_new gives today, unset. */
    ck_assert_lr_ok(lr_options_set_int(&m->opts, LR_OPT_SEED, 777));
    back = load_edited(m, p.path, missing_option_keys);
    lr_model *fresh = NULL;
    ck_assert_lr_ok(lr_model_new(&fresh, LR_ALGO_BPR, NULL));
    double want, got;
    for (int i = 0; i < 2; i++) {
        int key = i ? LR_OPT_SEED : LR_OPT_FACTORS;
        ck_assert_lr_ok(lr_model_option(fresh, key, &want));
        ck_assert_lr_ok(lr_model_option(back, key, &got));
        ck_assert_msg(got == want, "option %d: %g, want %g", key, got, want);
        ck_assert(!lr__opt_is_set(&back->opts, key));
    }
    ck_assert_lr_ok(lr_model_option(back, LR_OPT_EPSILON, &got));
    ck_assert_lr_ok(lr_model_option(m, LR_OPT_EPSILON, &want));
    ck_assert(got == want);
    same_scores(m, back);
    lr_model_free(fresh);
    lr_model_free(back);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* -------------------------------------------------------------------- save */

START_TEST(save_argument_checks)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_model *m = NULL;
    ck_assert_lr_ok(lr_model_new(&m, LR_ALGO_POP, NULL));
    ck_assert_lr_fail(lr_model_save(m, p.path), LR_E_INVALID, "not fitted");
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    ck_assert_lr_fail(lr_model_save(NULL, p.path), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_model_save(m, NULL), LR_E_INVALID, "NULL");
    ck_assert_lr_fail(lr_model_load(NULL, p.path), LR_E_INVALID, "out is NULL");
    lr_model *back = m;
    ck_assert_lr_fail(lr_model_load(&back, NULL), LR_E_INVALID, "path is NULL");
    ck_assert_ptr_null(back);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(save_to_missing_directory)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_model *m = small_model(K_POP);
    char path[600];
    snprintf(path, sizeof path, "%s/no/such/dir/m.lrmodel", p.dir);
    ck_assert_lr_fail(lr_model_save(m, path), LR_E_IO, "no/such/dir/m.lrmodel");
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    /* A target that is a directory: the rename fails, no temporary stays. */
    snprintf(path, sizeof path, "%s/sub", p.dir);
    ck_assert_int_eq(mkdir(path, 0755), 0);
    ck_assert_lr_fail(lr_model_save(m, path), LR_E_IO, "sub");
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    rmdir(path);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(save_replaces_atomically)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_model *a = small_model(K_POP), *b = small_model(K_FACTORS);
    ck_assert_lr_ok(lr_model_save(a, p.path));
    ck_assert_lr_ok(lr_model_save(b, p.path));
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    lr_model *back = NULL;
    ck_assert_lr_ok(lr_model_load(&back, p.path));
    same_model(b, back);
    lr_model_free(back);
    lr_model_free(a);
    lr_model_free(b);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* A model whose arrays do not suit its algorithm is a bug, not a file. */
START_TEST(save_refuses_inconsistent_models)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_model *m = small_model(K_POP);
    m->algo = LR_ALGO_ALS;
    ck_assert_lr_fail(lr_model_save(m, p.path), LR_E_INVALID, "factors");
    m->algo = LR_ALGO_POP;
    m->k = 2;
    ck_assert_lr_fail(lr_model_save(m, p.path), LR_E_INVALID, "do not match");
    m->k = 0;
    m->fitted = 0;
    ck_assert_lr_fail(lr_model_save(m, p.path), LR_E_INVALID, "not fitted");
    m->fitted = 1;
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr_model_free(m);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* ---------------------------------------------------------------- real data */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The dev split's training side over the full catalogue, as lastrec eval
 * uses it; the sizes and times are printed for docs/formats.md. */
START_TEST(real_data_round_trip)
{
    const char *data = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    lr_dataset *all = NULL, *train = NULL;
    ck_assert_lr_ok(lr_dataset_load(&all, data, NULL));
    char path[1024];
    snprintf(path, sizeof path, "%s/train.dat", split);
    ck_assert_lr_ok(lr_dataset_load_listens(&train, path, all, NULL));
    lr_test_place p = lr_test_make_place("real.lrmodel");
    static const struct {
        int algo;
        const char *settings;
    } cases[] = {{LR_ALGO_POP, ""}, {LR_ALGO_ALS, "factors=64,epochs=15"},
                 {LR_ALGO_EASE, ""}, {LR_ALGO_BLEND, ""}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lr_model *m = fit_or_skip(cases[i].algo, train, cases[i].settings, "real data");
        if (!m)
            continue;
        double t0 = now();
        ck_assert_lr_ok(lr_model_save(m, p.path));
        double t1 = now();
        lr_model *back = NULL;
        ck_assert_lr_ok(lr_model_load(&back, p.path));
        double t2 = now();
        struct stat st;
        ck_assert_int_eq(stat(p.path, &st), 0);
        printf("real data: %s %s: %lld bytes, save %.1f ms, load %.1f ms\n",
               lr_algorithm_name(cases[i].algo), cases[i].settings, (long long)st.st_size,
               1e3 * (t1 - t0), 1e3 * (t2 - t1));
        same_model(m, back);
        ck_assert_int_eq(back->n_artists, 17632);
        lr_model_free(back);
        lr_model_free(m);
    }
    lr_dataset_free(train);
    lr_dataset_free(all);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* Each lastrec format named by the other's loader, with the call that
 * reads it; a FIFO in place of a model or data file is refused at once
 * (open(2) on it would wait for a writer forever). */
START_TEST(other_format_and_fifo_named)
{
    lr_test_place p = lr_test_make_place("m.lrmodel");
    lr_dataset *tiny = tiny_dataset();
    lr_model *m = fit_pop(tiny, "seed=7,threads=1");
    ck_assert_lr_ok(lr_model_save(m, p.path));
    char snap[700], fifo[700];
    snprintf(snap, sizeof snap, "%s/d.snap", p.dir);
    snprintf(fifo, sizeof fifo, "%s/fifo", p.dir);
    ck_assert_lr_ok(lr_dataset_save(tiny, snap));
    lr_dataset *ds = NULL;
    lr_model *back = NULL;
    ck_assert_lr_fail(lr_dataset_load(&ds, p.path, NULL), LR_E_FORMAT,
                      "a lastrec model file, not a data set: lr_model_load");
    ck_assert(strstr(lr_last_error(), p.path));
    ck_assert_ptr_null(ds);
    ck_assert_lr_fail(lr_model_load(&back, snap), LR_E_FORMAT,
                      "a lastrec data set snapshot: lr_dataset_load");
    ck_assert_ptr_null(back);
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    ck_assert_lr_fail(lr_model_load(&back, fifo), LR_E_IO, "not a regular file");
    ck_assert_lr_fail(lr_dataset_load(&ds, fifo, NULL), LR_E_IO, "regular file");
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, fifo, tiny, NULL), LR_E_IO,
                      "not a regular file");
    /* Both files still load as what they are. */
    ck_assert_lr_ok(lr_model_load(&back, p.path));
    ck_assert_lr_ok(lr_dataset_load(&ds, snap, NULL));
    lr_model_free(back);
    lr_dataset_free(ds);
    lr_model_free(m);
    lr_dataset_free(tiny);
    lr_test_remove_dir(p.dir);
}
END_TEST

static Suite *model_file_suite(void)
{
    Suite *s = suite_create("model_file");
    TCase *rt = tcase_create("round trip");
    tcase_add_test(rt, round_trip_pop);
    tcase_add_loop_test(rt, round_trip_fitted, 0, N_ALGOS);
    tcase_add_test(rt, round_trip_blend_item_only);
    tcase_add_test(rt, round_trip_hand_factors);
    tcase_add_test(rt, round_trip_hand_ease);
    tcase_add_test(rt, loaded_model_answers_the_same);
    tcase_add_test(rt, loaded_model_cannot_be_fitted_again);
    tcase_add_test(rt, documented_layout);
    tcase_add_test(rt, every_model_field_is_persisted);
    suite_add_tcase(s, rt);
    TCase *dmg = tcase_create("damage");
    tcase_set_timeout(dmg, 300);
    tcase_add_test(dmg, every_truncation_rejected);
    tcase_add_test(dmg, every_flipped_byte_rejected);
    tcase_add_test(dmg, wrong_magic_not_mistaken);
    tcase_add_test(dmg, other_version_named);
    tcase_add_test(dmg, missing_file_is_io);
    tcase_add_test(dmg, other_format_and_fifo_named);
    tcase_add_test(dmg, invariants_checked);
    tcase_add_test(dmg, forward_compatible);
    tcase_add_test(dmg, tower_invariants_checked);
    tcase_add_test(dmg, older_and_later_tower_files);
    tcase_add_test(dmg, blend_softmax_part_invariants_checked);
    tcase_add_test(dmg, blend_softmax_part_files);
    suite_add_tcase(s, dmg);
    TCase *sv = tcase_create("save");
    tcase_add_test(sv, save_argument_checks);
    tcase_add_test(sv, save_to_missing_directory);
    tcase_add_test(sv, save_replaces_atomically);
    tcase_add_test(sv, save_refuses_inconsistent_models);
    suite_add_tcase(s, sv);
    const char *data = getenv("LASTREC_DATA"), *split = getenv("LASTREC_SPLIT");
    if (data && *data && split && *split) {
        TCase *real = tcase_create("real data");
        tcase_set_timeout(real, 600);
        tcase_add_test(real, real_data_round_trip);
        suite_add_tcase(s, real);
    } else {
        printf("note: LASTREC_DATA or LASTREC_SPLIT is not set; the real-data round trip "
               "is skipped\n");
    }
    return s;
}

int main(void) { return lr_test_run(model_file_suite()); }
