/* Model files.  SPDX-License-Identifier: MIT
 *
 * docs/formats.md ("Model file") is the byte-by-byte specification; this
 * file follows it.  The container (header, section table, CRC-32C per
 * section, little-endian encoding) is data/secfile.c, shared with dataset
 * snapshots.  A file holds everything a fitted lr_model holds, so that it
 * alone answers queries: the catalogue (IDs, names, top tags, each
 * artist's most used tags), the training listens (to leave out what a user
 * already knows), the options by key, the history, and the algorithm's own
 * arrays.  Only the sections the algorithm uses are present.
 *
 * Saving then loading gives the model bit for bit (floats travel as bit
 * patterns; string offsets are recomputed from the strings), so saving the
 * loaded model gives the same bytes again.
 *
 * The reader treats the file as hostile: after the container checks, every
 * count is bounded, every length must equal what the counts require
 * (overflow-checked, so allocations are bounded by the file size), and
 * every invariant that scoring relies on is checked before the model is
 * handed out: ascending IDs, string tables, CSR structure, index ranges,
 * finite values, options within their bounds.
 */
#include "model/file.h"
#include "model/softmax_tower.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/log.h"
#include "data/secfile.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ layout */

#define META_BYTES 56
#define OPTION_BYTES 16         /* key 4, flags 4, value 8 */
#define OPTION_SET 1u           /* flags: the caller set the value explicitly */
#define STATE_FITTED 1u         /* the only state a model is saved in */
#define TAGS_PER_ARTIST LR__TAGS_PER_ARTIST

enum section_id {
    S_META = 1,
    S_OPTIONS,
    S_USER_IDS,
    S_ARTIST_IDS,
    S_ARTIST_NAMES,
    S_ARTIST_TOP_TAGS,
    S_TAG_NAMES,
    S_ARTIST_TAGS,
    S_LISTENS,
    S_HISTORY,
    S_USER_FACTORS,
    S_ARTIST_FACTORS,
    S_ARTIST_BIAS,
    S_ITEMS,
    S_ITEM_WEIGHTS,
    S_POPULARITY,
    S_TOWER_SIZES,   /* version 2: softmax's user tower */
    S_TOWER_WEIGHTS,
    S_TOWER_PROFILE,
    S_SM_OPTIONS,    /* blend's softmax part (lib/model/blend.c) */
    S_SM_USER_FACTORS,
    S_SM_ARTIST_FACTORS,
    S_SM_ARTIST_BIAS,
    S_SM_TOWER_SIZES,
    S_SM_TOWER_WEIGHTS,
    S_SM_TOWER_PROFILE,
    S_LAST = S_SM_TOWER_PROFILE
};

static const char *const section_names[S_LAST + 1] = {
    [S_META] = "meta",
    [S_OPTIONS] = "options",
    [S_USER_IDS] = "user ids",
    [S_ARTIST_IDS] = "artist ids",
    [S_ARTIST_NAMES] = "artist names",
    [S_ARTIST_TOP_TAGS] = "artist top tags",
    [S_TAG_NAMES] = "tag names",
    [S_ARTIST_TAGS] = "artist tags",
    [S_LISTENS] = "listens",
    [S_HISTORY] = "history",
    [S_USER_FACTORS] = "user factors",
    [S_ARTIST_FACTORS] = "artist factors",
    [S_ARTIST_BIAS] = "artist bias",
    [S_ITEMS] = "ease items",
    [S_ITEM_WEIGHTS] = "ease weights",
    [S_POPULARITY] = "popularity",
    [S_TOWER_SIZES] = "tower sizes",
    [S_TOWER_WEIGHTS] = "tower weights",
    [S_TOWER_PROFILE] = "tower profile",
    [S_SM_OPTIONS] = "softmax options",
    [S_SM_USER_FACTORS] = "softmax user factors",
    [S_SM_ARTIST_FACTORS] = "softmax artist factors",
    [S_SM_ARTIST_BIAS] = "softmax artist bias",
    [S_SM_TOWER_SIZES] = "softmax tower sizes",
    [S_SM_TOWER_WEIGHTS] = "softmax tower weights",
    [S_SM_TOWER_PROFILE] = "softmax tower profile",
};

/* The fields of 'tower sizes', in their order; a later lastrec may append
 * fields (the section counts them), which an older reader accepts only
 * when they are 0, the value that means "as before the field existed". */
enum { TS_ARTISTS, TS_TAGS, TS_K, TS_TAG_DIM, TS_LAYERS, TS_WIDTH, TS_ITEM_TAGS,
       TS_PROFILE_ENTRIES, TS_PARAMS, TS_FIELDS };
static const char *const tower_field_names[TS_FIELDS] = {
    "artists", "tags", "k", "tag_dim", "hidden_layers", "hidden_width", "item_tags",
    "profile entries", "parameters"};

_Static_assert(S_LAST <= LR__SEC_MAX_KNOWN, "raise LR__SEC_MAX_KNOWN");

/* What an algorithm scores with decides which sections its files hold.  A
 * new algorithm needs a line here (and, if it stores new arrays, new
 * sections and a new format version). */
enum { P_FACTORS = 1, P_ITEMS = 2, P_POP = 4, P_TOWER = 8, P_SM_PART = 16 };

static unsigned parts_of(int algo, int32_t k)
{
    switch (algo) {
    case LR_ALGO_MF:
    case LR_ALGO_ALS:
    case LR_ALGO_BPR: return P_FACTORS;
    /* the tower folds preferences in; a model from a version 1 file has
     * none (its preferences fold in by least squares) */
    case LR_ALGO_SOFTMAX: return P_FACTORS | P_TOWER;
    case LR_ALGO_EASE: return P_ITEMS;
    /* blend_weight = 0 fits no factors, k = 0; softmax_weight = 0 no
     * softmax part */
    case LR_ALGO_BLEND: return P_ITEMS | P_SM_PART | (k > 0 ? P_FACTORS : 0);
    case LR_ALGO_POP: return P_POP;
    default: return 0;
    }
}

enum { ABSENT, OPTIONAL, REQUIRED };

static int need_of(unsigned parts, int id)
{
    switch (id) {
    case S_USER_FACTORS:
    case S_ARTIST_FACTORS: return parts & P_FACTORS ? REQUIRED : ABSENT;
    case S_ARTIST_BIAS: return parts & P_FACTORS ? OPTIONAL : ABSENT;
    case S_ITEMS:
    case S_ITEM_WEIGHTS: return parts & P_ITEMS ? REQUIRED : ABSENT;
    case S_POPULARITY: return parts & P_POP ? REQUIRED : ABSENT;
    case S_TOWER_SIZES:
    case S_TOWER_WEIGHTS:
    case S_TOWER_PROFILE: return parts & P_TOWER ? OPTIONAL : ABSENT;
    case S_SM_OPTIONS:
    case S_SM_USER_FACTORS:
    case S_SM_ARTIST_FACTORS:
    case S_SM_ARTIST_BIAS:
    case S_SM_TOWER_SIZES:
    case S_SM_TOWER_WEIGHTS:
    case S_SM_TOWER_PROFILE: return parts & P_SM_PART ? OPTIONAL : ABSENT;
    default: return REQUIRED;
    }
}

/* The options table of core/options.c, walked by lr_option_key_at: index i
 * of that walk is slot i of lr_options.value / .set. */
static size_t option_count(void)
{
    size_t n = 0;
    while (lr_option_key_at(n) != 0)
        n++;
    return n;
}

static int option_slot(uint32_t key)
{
    for (size_t i = 0; lr_option_key_at(i) != 0; i++)
        if ((uint32_t)lr_option_key_at(i) == key)
            return (int)i;
    return -1;
}

/* ------------------------------------------------------------------ writer */

static int has_section(const lr_model *m, unsigned parts, int id)
{
    int need = need_of(parts, id);
    if (need != OPTIONAL)
        return need == REQUIRED;
    switch (id) {
    case S_ARTIST_BIAS: return m->artist_bias != NULL;
    case S_SM_ARTIST_BIAS: return m->sm.artist_bias != NULL;
    case S_TOWER_SIZES:
    case S_TOWER_WEIGHTS:
    case S_TOWER_PROFILE: return m->tower != NULL;
    default: return m->sm.k > 0; /* the softmax part's others */
    }
}

static int strtab_shape_ok(const lr__strtab *t, int32_t n)
{
    return t->n == n && (n == 0 || (t->off && t->blob));
}

static int tower_problem(const lr_model *m, const lr__softmax_tower *t, int32_t k)
{
    const lr__softmax_net *n = &t->net;
    return n->m != m->n_artists || n->k != k || !n->theta ||
           (n->nt != 0 && n->nt != m->tag_names.n) ||
           (n->prof.ptr && (n->prof.rows != n->m || n->prof.cols != n->nt));
}

/* The writer trusts the model's values (tests rely on that to build bad
 * files) but not shapes that would make it read out of bounds, nor arrays
 * the algorithm does not use, which a loaded model could not have. */
static const char *shape_problem(const lr_model *m, unsigned parts)
{
    size_t na = (size_t)m->n_artists;
    if (m->n_users < 0 || m->n_artists < 0 || (m->n_users && !m->user_ids) ||
        (m->n_artists && !m->artist_ids))
        return "ID maps";
    if (!strtab_shape_ok(&m->artist_names, m->n_artists) ||
        !strtab_shape_ok(&m->artist_top_tags, m->n_artists) || m->tag_names.n < 0 ||
        !strtab_shape_ok(&m->tag_names, m->tag_names.n))
        return "string tables";
    if (na && (!m->artist_tags || !m->artist_tag_counts))
        return "artist tags";
    const lr__csr *t = &m->train;
    if (t->rows != m->n_users || t->cols != m->n_artists || !t->ptr || t->nnz < 0 ||
        (t->nnz && (!t->idx || !t->val)))
        return "training listens";
    if (m->history.n && !m->history.rows)
        return "history";
    if (parts & P_FACTORS) {
        if (m->k < 1 || !m->user_f || !m->artist_f)
            return "factors";
    } else if (m->k != 0 || m->user_f || m->artist_f || m->artist_bias) {
        return "factors";
    }
    if (parts & P_ITEMS) {
        if (m->n_items < 0 || m->n_items > m->n_artists || !m->items || !m->item_w)
            return "ease items";
    } else if (m->n_items != 0 || m->items || m->item_w) {
        return "ease items";
    }
    if ((parts & P_POP) ? !m->pop : m->pop != NULL)
        return "popularity";
    if (m->tower && (!(parts & P_TOWER) || tower_problem(m, m->tower, m->k)))
        return "tower";
    const lr__blend_softmax *p = &m->sm;
    if (p->k > 0) {
        if (!(parts & P_SM_PART) || !p->user_f || !p->artist_f || !p->tower ||
            tower_problem(m, p->tower, p->k))
            return "softmax part";
    } else if (p->k != 0 || p->user_f || p->artist_f || p->artist_bias || p->tower) {
        return "softmax part";
    }
    return NULL;
}

static void put_meta(lr__secw *w, const lr_model *m)
{
    lr__secw_u32(w, (uint32_t)m->algo);
    lr__secw_u32(w, LR_VERSION_NUMBER);
    lr__secw_u32(w, STATE_FITTED);
    lr__secw_u32(w, (uint32_t)m->n_users);
    lr__secw_u32(w, (uint32_t)m->n_artists);
    lr__secw_u32(w, (uint32_t)m->tag_names.n);
    lr__secw_u32(w, (uint32_t)m->k);
    lr__secw_u32(w, (uint32_t)m->n_items);
    lr__secw_u32(w, TAGS_PER_ARTIST);
    lr__secw_u32(w, 0);
    lr__secw_u64(w, (uint64_t)m->train.nnz);
    lr__secw_u64(w, (uint64_t)m->history.n);
}

/* Every option this build knows, by key in ascending order (not by slot, so
 * a later build that adds or reorders options reads the file the same). */
static void put_options(lr__secw *w, const lr_options *o)
{
    size_t n = option_count();
    int order[LR_OPTIONS_MAX];
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        for (; j > 0 && lr_option_key_at((size_t)order[j - 1]) > lr_option_key_at(i); j--)
            order[j] = order[j - 1];
        order[j] = (int)i;
    }
    for (size_t i = 0; i < n; i++) {
        int s = order[i];
        lr__secw_u32(w, (uint32_t)lr_option_key_at((size_t)s));
        lr__secw_u32(w, o->set[s] ? OPTION_SET : 0);
        lr__secw_f64(w, o->value[s]);
    }
}

/* id: the section's place among the three tower sections (S_TOWER_SIZES,
 * S_TOWER_WEIGHTS, S_TOWER_PROFILE), whichever tower they hold. */
static void put_tower(lr__secw *w, const lr__softmax_net *n, int id)
{
    if (id == S_TOWER_SIZES) {
        const uint64_t v[TS_FIELDS] = {
            [TS_ARTISTS] = (uint64_t)n->m,      [TS_TAGS] = (uint64_t)n->nt,
            [TS_K] = (uint64_t)n->k,            [TS_TAG_DIM] = (uint64_t)n->dt,
            [TS_LAYERS] = (uint64_t)n->layers,  [TS_WIDTH] = (uint64_t)n->width,
            [TS_ITEM_TAGS] = (uint64_t)n->item_tags,
            [TS_PROFILE_ENTRIES] = n->prof.ptr ? (uint64_t)n->prof.nnz : 0,
            [TS_PARAMS] = (uint64_t)n->n_params};
        lr__secw_u32(w, TS_FIELDS);
        lr__secw_u32(w, 0);
        for (int i = 0; i < TS_FIELDS; i++)
            lr__secw_u64(w, v[i]);
    } else if (id == S_TOWER_WEIGHTS) {
        lr__secw_f32s(w, n->theta, n->n_params);
    } else if (n->prof.ptr) {
        lr__secw_csr(w, &n->prof, 1);
    } else { /* no tags: every artist's row empty */
        for (int32_t a = 0; a <= n->m; a++)
            lr__secw_u64(w, 0);
    }
}

static void put_section(lr__secw *w, const lr_model *m, int id)
{
    const size_t nu = (size_t)m->n_users, na = (size_t)m->n_artists;
    const size_t k = (size_t)m->k, ni = (size_t)m->n_items;
    lr__secw_begin(w, (uint32_t)id);
    switch (id) {
    case S_META: put_meta(w, m); break;
    case S_OPTIONS: put_options(w, &m->opts); break;
    case S_USER_IDS: lr__secw_i32s(w, m->user_ids, nu); break;
    case S_ARTIST_IDS: lr__secw_i32s(w, m->artist_ids, na); break;
    case S_ARTIST_NAMES: lr__secw_strtab(w, &m->artist_names); break;
    case S_ARTIST_TOP_TAGS: lr__secw_strtab(w, &m->artist_top_tags); break;
    case S_TAG_NAMES: lr__secw_strtab(w, &m->tag_names); break;
    case S_ARTIST_TAGS:
        lr__secw_i32s(w, m->artist_tags, na * TAGS_PER_ARTIST);
        lr__secw_i32s(w, m->artist_tag_counts, na * TAGS_PER_ARTIST);
        break;
    case S_LISTENS: lr__secw_csr(w, &m->train, 1); break;
    case S_HISTORY: lr__secw_f64s(w, m->history.rows, m->history.n * LR__HIST_FIELDS); break;
    case S_USER_FACTORS: lr__secw_f32s(w, m->user_f, nu * k); break;
    case S_ARTIST_FACTORS: lr__secw_f32s(w, m->artist_f, na * k); break;
    case S_ARTIST_BIAS: lr__secw_f32s(w, m->artist_bias, na); break;
    case S_ITEMS: lr__secw_i32s(w, m->items, ni); break;
    case S_ITEM_WEIGHTS: lr__secw_f32s(w, m->item_w, ni * ni); break;
    case S_POPULARITY: lr__secw_f32s(w, m->pop, na); break;
    case S_TOWER_SIZES:
    case S_TOWER_WEIGHTS:
    case S_TOWER_PROFILE: put_tower(w, &m->tower->net, id); break;
    case S_SM_OPTIONS: put_options(w, &m->sm.opts); break;
    case S_SM_USER_FACTORS: lr__secw_f32s(w, m->sm.user_f, nu * (size_t)m->sm.k); break;
    case S_SM_ARTIST_FACTORS: lr__secw_f32s(w, m->sm.artist_f, na * (size_t)m->sm.k); break;
    case S_SM_ARTIST_BIAS: lr__secw_f32s(w, m->sm.artist_bias, na); break;
    case S_SM_TOWER_SIZES:
    case S_SM_TOWER_WEIGHTS:
    case S_SM_TOWER_PROFILE:
        put_tower(w, &m->sm.tower->net, id - S_SM_TOWER_SIZES + S_TOWER_SIZES);
        break;
    default: break;
    }
    lr__secw_end(w);
}

int lr__model_file_write(const lr_model *m, const char *path)
{
    if (!m->fitted)
        return lr__fail(LR_E_INVALID, "%s: the model is not fitted; nothing was saved", path);
    unsigned parts = parts_of(m->algo, lr__model_has_factors(m) ? m->k : 0);
    if (!parts)
        return lr__fail(LR_E_INVALID, "%s: model files cannot hold %s models; nothing was saved",
                        path, lr_algorithm_name(m->algo) ? lr_algorithm_name(m->algo) : "unknown");
    const char *bad = shape_problem(m, parts);
    if (bad)
        return lr__fail(LR_E_INVALID,
                        "%s: the model's %s do not match its counts or its algorithm (%s); "
                        "nothing was saved",
                        path, bad, lr_algorithm_name(m->algo));
    uint32_t count = 0;
    for (int id = 1; id <= S_LAST; id++)
        count += (uint32_t)has_section(m, parts, id);
    lr__secw w;
    int rc = lr__secw_open(&w, path, LR_MODEL_MAGIC, LR_MODEL_FILE_VERSION, count);
    if (rc)
        return rc;
    for (int id = 1; id <= S_LAST; id++)
        if (has_section(m, parts, id))
            put_section(&w, m, id);
    return lr__secw_finish(&w);
}

/* ------------------------------------------------------------------ reader */

/* What the meta section says the other sections hold. */
typedef struct counts {
    uint32_t algo, writer;
    unsigned parts;
    int32_t users, artists, tags, k, items;
    int64_t listens, epochs;
} counts;

static int read_count32(const lr__secr *r, const uint8_t *p, const char *what, int32_t *out)
{
    uint32_t v = lr__le_get32(p);
    if (v > INT32_MAX)
        return lr__secr_fail_sec(r, S_META, "%s %u exceeds 2^31 - 1", what, v);
    *out = (int32_t)v;
    return LR_OK;
}

static int read_count64(const lr__secr *r, const uint8_t *p, const char *what, int64_t *out)
{
    uint64_t v = lr__le_get64(p);
    if (v > INT64_MAX)
        return lr__secr_fail_sec(r, S_META, "%s %llu exceeds 2^63 - 1", what,
                                 (unsigned long long)v);
    *out = (int64_t)v;
    return LR_OK;
}

static int read_meta(const lr__secr *r, counts *c)
{
    const lr__secr_part *s = &r->sec[S_META];
    if (s->len != META_BYTES)
        return lr__secr_fail_sec(r, S_META, "%llu bytes, expected %d",
                                 (unsigned long long)s->len, META_BYTES);
    const uint8_t *p = s->p;
    c->algo = lr__le_get32(p);
    c->writer = lr__le_get32(p + 4);
    if (c->algo > INT32_MAX || !lr__algo_find((int)c->algo))
        return lr__secr_fail_sec(r, S_META, "unknown algorithm %u", c->algo);
    if (lr__le_get32(p + 8) != STATE_FITTED)
        return lr__secr_fail_sec(r, S_META, "state %u; only fitted models (state %u) are saved",
                                 lr__le_get32(p + 8), STATE_FITTED);
    if (lr__le_get32(p + 32) != TAGS_PER_ARTIST)
        return lr__secr_fail_sec(r, S_META, "%u tags per artist; this build keeps %d",
                                 lr__le_get32(p + 32), TAGS_PER_ARTIST);
    if (lr__le_get32(p + 36) != 0)
        return lr__secr_fail_sec(r, S_META, "reserved field is 0x%08x, not 0",
                                 lr__le_get32(p + 36));
    int rc;
    if ((rc = read_count32(r, p + 12, "user count", &c->users)) ||
        (rc = read_count32(r, p + 16, "artist count", &c->artists)) ||
        (rc = read_count32(r, p + 20, "tag count", &c->tags)) ||
        (rc = read_count32(r, p + 24, "factor count k", &c->k)) ||
        (rc = read_count32(r, p + 28, "ease item count", &c->items)) ||
        (rc = read_count64(r, p + 40, "listen count", &c->listens)) ||
        (rc = read_count64(r, p + 48, "epoch count", &c->epochs)))
        return rc;
    c->parts = parts_of((int)c->algo, c->k);
    const char *algo = lr_algorithm_name((int)c->algo);
    if ((c->parts & P_FACTORS) && c->k < 1)
        return lr__secr_fail_sec(r, S_META, "k = 0, but %s models need factors", algo);
    if (!(c->parts & P_FACTORS) && c->k != 0)
        return lr__secr_fail_sec(r, S_META, "k = %d, but %s models have no factors", c->k, algo);
    if ((c->parts & P_ITEMS) && c->items > c->artists)
        return lr__secr_fail_sec(r, S_META, "%d ease items, but only %d artists", c->items,
                                 c->artists);
    if (!(c->parts & P_ITEMS) && c->items != 0)
        return lr__secr_fail_sec(r, S_META, "%d ease items, but %s models have none", c->items,
                                 algo);
    return LR_OK;
}

/* The sections present must be exactly those the algorithm uses; the
 * tower's three come together, and only from version 2 on. */
static int check_present(const lr__secr *r, const counts *c)
{
    for (uint32_t id = 1; id <= S_LAST; id++) {
        int need = need_of(c->parts, (int)id);
        if (need == REQUIRED && !r->sec[id].present)
            return lr__secr_fail(r, "section '%s' is missing", section_names[id]);
        if (need == ABSENT && r->sec[id].present)
            return lr__secr_fail_sec(r, id, "present, but %s models have no use for it",
                                     lr_algorithm_name((int)c->algo));
    }
    const int tower = r->sec[S_TOWER_SIZES].present;
    for (uint32_t id = S_TOWER_SIZES; id <= S_TOWER_PROFILE; id++) {
        if (r->sec[id].present && r->version < 2)
            return lr__secr_fail_sec(r, id, "present, but version %u files have no tower",
                                     r->version);
        if (r->sec[id].present != tower)
            return lr__secr_fail(r, "section '%s' is %s, but 'tower sizes' is %s",
                                 section_names[id], tower ? "missing" : "present",
                                 tower ? "present" : "missing");
    }
    /* blend's softmax part: all its sections or none (its bias only with
     * the others) */
    const int part = r->sec[S_SM_OPTIONS].present;
    for (uint32_t id = S_SM_OPTIONS; id <= S_SM_TOWER_PROFILE; id++) {
        if (r->sec[id].present && r->version < 2)
            return lr__secr_fail_sec(r, id, "present, but version %u files have no softmax part",
                                     r->version);
        if (id != S_SM_ARTIST_BIAS ? r->sec[id].present != part : r->sec[id].present && !part)
            return lr__secr_fail(r, "section '%s' is %s, but 'softmax options' is %s",
                                 section_names[id], part ? "missing" : "present",
                                 part ? "present" : "missing");
    }
    return LR_OK;
}

/* Options by key.  Known keys must hold values within their bounds; keys
 * this build does not know (added by a later lastrec) are skipped, since
 * a change that alters what a stored model means needs a new format
 * version anyway; keys the file lacks (added after it was written) get
 * what lr_model_new would give today. */
static int read_options(const lr__secr *r, uint32_t id, int algo, lr_options *o,
                        unsigned char seen[LR_OPTIONS_MAX])
{
    const lr__secr_part *s = &r->sec[id];
    if (s->len % OPTION_BYTES)
        return lr__secr_fail_sec(r, id,
                                 "%llu bytes is not a whole number of %d-byte entries",
                                 (unsigned long long)s->len, OPTION_BYTES);
    lr_options *d;
    if (lr_options_new(&d) != LR_OK)
        return LR_E_NOMEM; /* its message says how much for what */
    *o = *d;
    lr_options_free(d);
    memset(seen, 0, LR_OPTIONS_MAX);
    uint64_t n = s->len / OPTION_BYTES;
    uint32_t prev = 0;
    for (uint64_t i = 0; i < n; i++) {
        const uint8_t *e = s->p + OPTION_BYTES * i;
        uint32_t key = lr__le_get32(e), flags = lr__le_get32(e + 4);
        double v = lr__bits_f64(lr__le_get64(e + 8));
        if (i > 0 && key <= prev)
            return lr__secr_fail_sec(r, id, "key %u follows key %u (keys must ascend)", key,
                                     prev);
        prev = key;
        if (flags & ~OPTION_SET)
            return lr__secr_fail_sec(r, id, "key %u: unknown flags 0x%08x", key, flags);
        int slot = option_slot(key);
        if (slot < 0) {
            lr__log(LR_LOG_INFO, "%s: option key %u is unknown to this lastrec; ignored", r->path,
                    key);
            continue;
        }
        const char *name;
        int type;
        double lo, hi;
        lr_option_info((int)key, &name, &type, &lo, &hi, NULL);
        if (!isfinite(v))
            return lr__secr_fail_sec(r, id, "option '%s' is not a finite number", name);
        if (type == LR_OPTTYPE_INT && v != floor(v))
            return lr__secr_fail_sec(r, id, "option '%s' = %.17g is not an integer", name,
                                     v);
        if (v < lo || v > hi)
            return lr__secr_fail_sec(r, id, "option '%s' = %.17g is outside [%.17g, %.17g]",
                                     name, v, lo, hi);
        o->value[slot] = v;
        o->set[slot] = (flags & OPTION_SET) != 0;
        seen[slot] = 1;
    }
    /* The algorithm's defaults for the missing keys, computed with the
     * stored values in place (a default may depend on them) and marked set
     * so that the defaults leave them alone. */
    lr_options t = *o;
    size_t count = option_count();
    for (size_t i = 0; i < count; i++)
        t.set[i] |= seen[i];
    lr__algo_find(algo)->defaults(&t);
    for (size_t i = 0; i < count; i++)
        if (!seen[i])
            o->value[i] = t.value[i];
    return LR_OK;
}

/* Each artist's tag slots: tags (indices into tag names, -1 pads at the
 * end) by use count descending then tag index ascending, each listed once,
 * with positive counts; pads count 0. */
static int read_artist_tags(const lr__secr *r, const counts *c, lr_model *m)
{
    const uint64_t slots = (uint64_t)c->artists * TAGS_PER_ARTIST;
    int rc = lr__secr_expect_len(r, S_ARTIST_TAGS, 0, slots, 8, "tag slots (tag and count)");
    if (rc)
        return rc;
    m->artist_tags = lr__malloc((size_t)slots, sizeof *m->artist_tags);
    m->artist_tag_counts = lr__malloc((size_t)slots, sizeof *m->artist_tag_counts);
    if (!m->artist_tags || !m->artist_tag_counts)
        return lr__fail_oom("the model file's artist tags");
    const uint8_t *p = r->sec[S_ARTIST_TAGS].p;
    for (uint64_t i = 0; i < slots; i++) {
        m->artist_tags[i] = (int32_t)lr__le_get32(p + 4 * i);
        m->artist_tag_counts[i] = (int32_t)lr__le_get32(p + 4 * (slots + i));
    }
    for (int32_t a = 0; a < c->artists; a++) {
        const int32_t *tg = m->artist_tags + (size_t)a * TAGS_PER_ARTIST;
        const int32_t *ct = m->artist_tag_counts + (size_t)a * TAGS_PER_ARTIST;
        for (int j = 0; j < TAGS_PER_ARTIST; j++) {
            const char *why = NULL;
            if (tg[j] == -1) {
                if (ct[j] != 0)
                    why = "an empty slot has a count";
            } else if (tg[j] < 0 || tg[j] >= c->tags) {
                why = "tag index outside the tag names";
            } else if (ct[j] < 1) {
                why = "count is not positive";
            } else if (j > 0 && tg[j - 1] == -1) {
                why = "a tag follows an empty slot";
            } else if (j > 0 && (ct[j] > ct[j - 1] || (ct[j] == ct[j - 1] && tg[j] <= tg[j - 1]))) {
                why = "not in (count descending, tag ascending) order";
            } else {
                for (int q = 0; q < j; q++)
                    if (tg[q] == tg[j])
                        why = "a tag is listed twice";
            }
            if (why)
                return lr__secr_fail_sec(r, S_ARTIST_TAGS,
                                         "artist %d, slot %d (tag %d, count %d): %s",
                                         m->artist_ids[a], j, tg[j], ct[j], why);
        }
    }
    return LR_OK;
}

static int read_listens(const lr__secr *r, const counts *c, lr__csr *t)
{
    int rc = lr__secr_csr(r, S_LISTENS, c->users, c->artists, c->listens, 1, t);
    if (rc)
        return rc;
    for (int64_t i = 0; i < t->nnz; i++)
        if (!isfinite(t->val[i]) || t->val[i] <= 0)
            return lr__secr_fail_sec(r, S_LISTENS,
                                     "entry %lld: listen count %g is not a positive number",
                                     (long long)i, (double)t->val[i]);
    return LR_OK;
}

/* History values are reported, never computed with, so any bit pattern is
 * kept as it is (NaN marks what was not measured). */
static int read_history(const lr__secr *r, const counts *c, lr__history *h)
{
    int rc = lr__secr_expect_len(r, S_HISTORY, 0, (uint64_t)c->epochs,
                                 8 * LR__HIST_FIELDS, "epochs of 8 values");
    if (rc)
        return rc;
    size_t n = (size_t)c->epochs * LR__HIST_FIELDS;
    if (c->epochs) {
        h->rows = lr__malloc(n, sizeof *h->rows);
        if (!h->rows)
            return lr__fail_oom("the model file's training history");
    }
    h->n = h->cap = (size_t)c->epochs;
    const uint8_t *p = r->sec[S_HISTORY].p;
    for (size_t i = 0; i < n; i++)
        h->rows[i] = lr__bits_f64(lr__le_get64(p + 8 * i));
    return LR_OK;
}

/* rows x cols finite float32 values, row-major. */
static int read_floats(const lr__secr *r, uint32_t id, int32_t rows, int32_t cols,
                       const char *what, float **out)
{
    int rc = lr__secr_expect_len(r, id, 0, (uint64_t)rows, 4 * (uint64_t)cols, what);
    if (rc)
        return rc;
    size_t n = (size_t)rows * (size_t)cols;
    float *x = lr__malloc(n, sizeof *x);
    if (!x)
        return lr__fail_oom("a %zu x %zu matrix of the model file", (size_t)rows, (size_t)cols);
    *out = x;
    const uint8_t *p = r->sec[id].p;
    for (size_t i = 0; i < n; i++) {
        x[i] = lr__bits_f32(lr__le_get32(p + 4 * i));
        if (!isfinite(x[i]))
            return lr__secr_fail_sec(r, id, "value %zu (row %zu, column %zu) is not finite", i,
                                     cols ? i / (size_t)cols : 0, cols ? i % (size_t)cols : 0);
    }
    return LR_OK;
}

static int read_factors(const lr__secr *r, const counts *c, lr_model *m)
{
    m->k = c->k;
    int rc = read_floats(r, S_USER_FACTORS, c->users, c->k, "rows of k factors", &m->user_f);
    if (rc == LR_OK)
        rc = read_floats(r, S_ARTIST_FACTORS, c->artists, c->k, "rows of k factors",
                         &m->artist_f);
    if (rc == LR_OK && r->sec[S_ARTIST_BIAS].present)
        rc = read_floats(r, S_ARTIST_BIAS, c->artists, 1, "artist biases", &m->artist_bias);
    return rc;
}

/* EASE: modelled artists (ascending dense indices) and their weights with
 * a zero diagonal; the position map is derived, not stored. */
static int read_items(const lr__secr *r, const counts *c, lr_model *m)
{
    int rc = lr__secr_expect_len(r, S_ITEMS, 0, (uint64_t)c->items, 4, "artist indices");
    if (rc)
        return rc;
    m->n_items = c->items;
    m->items = lr__malloc((size_t)c->items, sizeof *m->items);
    m->item_pos = lr__malloc((size_t)c->artists, sizeof *m->item_pos);
    if (!m->items || !m->item_pos)
        return lr__fail_oom("the model file's item columns");
    const uint8_t *p = r->sec[S_ITEMS].p;
    for (int32_t q = 0; q < c->items; q++) {
        int32_t a = (int32_t)lr__le_get32(p + 4 * (size_t)q);
        if (a < 0 || a >= c->artists)
            return lr__secr_fail_sec(r, S_ITEMS, "item %d: artist index %d outside [0, %d)", q, a,
                                     c->artists);
        if (q > 0 && a <= m->items[q - 1])
            return lr__secr_fail_sec(r, S_ITEMS, "item %d: artist index %d does not ascend from %d",
                                     q, a, m->items[q - 1]);
        m->items[q] = a;
    }
    for (int32_t a = 0; a < c->artists; a++)
        m->item_pos[a] = -1;
    for (int32_t q = 0; q < c->items; q++)
        m->item_pos[m->items[q]] = q;
    rc = read_floats(r, S_ITEM_WEIGHTS, c->items, c->items, "rows of item weights", &m->item_w);
    if (rc)
        return rc;
    for (int32_t q = 0; q < c->items; q++)
        if (m->item_w[(size_t)q * (size_t)c->items + (size_t)q] != 0)
            return lr__secr_fail_sec(r, S_ITEM_WEIGHTS, "diagonal entry %d is %g, not 0", q,
                                     (double)m->item_w[(size_t)q * (size_t)c->items + (size_t)q]);
    return LR_OK;
}

static int read_pop(const lr__secr *r, const counts *c, lr_model *m)
{
    int rc = read_floats(r, S_POPULARITY, c->artists, 1, "artist scores", &m->pop);
    if (rc)
        return rc;
    for (int32_t a = 0; a < c->artists; a++)
        if (m->pop[a] < 0)
            return lr__secr_fail_sec(r, S_POPULARITY, "artist %d has a negative fan count %g",
                                     m->artist_ids[a], (double)m->pop[a]);
    return LR_OK;
}

/* softmax's user tower: sizes that agree with meta and with each other
 * (the parameter count the sizes imply is the stored one, and the weights
 * section holds exactly that many finite floats), and the tag profile, a
 * valid artists x tags CSR of finite weights in [0, 1]. */
static int read_tower_at(const lr__secr *r, const counts *c, lr_model *m, uint32_t sizes,
                         int32_t want_k, lr__softmax_tower **out);

/* softmax's own tower: the k of its factors. */
static int read_tower(const lr__secr *r, const counts *c, lr_model *m)
{
    return read_tower_at(r, c, m, S_TOWER_SIZES, c->k, &m->tower);
}

/* blend's softmax part: its options (softmax's missing keys get softmax's
 * defaults), its tower, then its factors of the tower's k. */
static int read_sm_part(const lr__secr *r, const counts *c, lr_model *m)
{
    lr__blend_softmax *p = &m->sm;
    unsigned char seen[LR_OPTIONS_MAX];
    int rc = read_options(r, S_SM_OPTIONS, LR_ALGO_SOFTMAX, &p->opts, seen);
    if (rc == LR_OK)
        rc = read_tower_at(r, c, m, S_SM_TOWER_SIZES, 0, &p->tower);
    if (rc)
        return rc;
    p->k = p->tower->net.k;
    rc = read_floats(r, S_SM_USER_FACTORS, c->users, p->k, "rows of the tower's k factors",
                     &p->user_f);
    if (rc == LR_OK)
        rc = read_floats(r, S_SM_ARTIST_FACTORS, c->artists, p->k,
                         "rows of the tower's k factors", &p->artist_f);
    if (rc == LR_OK && r->sec[S_SM_ARTIST_BIAS].present)
        rc = read_floats(r, S_SM_ARTIST_BIAS, c->artists, 1, "artist biases", &p->artist_bias);
    return rc;
}

/* A tower from its three sections, sizes (the others follow it), into
 * *out: k must be want_k, or anything from 1 on when want_k is 0 (blend's
 * softmax part, whose k the tower's sizes give). */
static int read_tower_at(const lr__secr *r, const counts *c, lr_model *m, uint32_t sizes,
                         int32_t want_k, lr__softmax_tower **out)
{
    const uint32_t weights = sizes + 1, profile = sizes + 2;
    const lr__secr_part *s = &r->sec[sizes];
    if (s->len < 8)
        return lr__secr_fail_sec(r, sizes, "%llu bytes; the field count alone takes 8",
                                 (unsigned long long)s->len);
    const uint32_t nf = lr__le_get32(s->p);
    int rc = lr__secr_expect_len(r, sizes, 8, nf, 8, "fields");
    if (rc)
        return rc;
    if (nf < TS_FIELDS)
        return lr__secr_fail_sec(r, sizes, "%u fields; version 2 has %d", nf, TS_FIELDS);
    if (lr__le_get32(s->p + 4) != 0)
        return lr__secr_fail_sec(r, sizes, "reserved field is 0x%08x, not 0",
                                 lr__le_get32(s->p + 4));
    for (uint32_t i = TS_FIELDS; i < nf; i++)
        if (lr__le_get64(s->p + 8 + 8 * (size_t)i) != 0)
            return lr__secr_fail_sec(r, sizes,
                                     "field %u is %llu: a later lastrec's, unknown to this one",
                                     i, (unsigned long long)lr__le_get64(s->p + 8 + 8 * (size_t)i));
    uint64_t v[TS_FIELDS];
    for (int i = 0; i < TS_FIELDS; i++)
        v[i] = lr__le_get64(s->p + 8 + 8 * (size_t)i);
    /* each size within what training allows (lib/core/options.c) */
    static const uint64_t hi[TS_FIELDS] = {INT32_MAX, INT32_MAX, INT32_MAX, 4096,
                                           LR__SOFTMAX_MAX_LAYERS, 65536, 1, INT64_MAX, INT64_MAX};
    static const uint64_t lo[TS_FIELDS] = {1, 0, 1, 1, 1, 1, 0, 0, 1};
    for (int i = 0; i < TS_FIELDS; i++)
        if (v[i] < lo[i] || v[i] > hi[i])
            return lr__secr_fail_sec(r, sizes, "%s = %llu is outside [%llu, %llu]",
                                     tower_field_names[i], (unsigned long long)v[i],
                                     (unsigned long long)lo[i], (unsigned long long)hi[i]);
    if (v[TS_ARTISTS] != (uint64_t)c->artists)
        return lr__secr_fail_sec(r, sizes, "%llu artists, but meta says %d",
                                 (unsigned long long)v[TS_ARTISTS], c->artists);
    if (want_k > 0 && v[TS_K] != (uint64_t)want_k)
        return lr__secr_fail_sec(r, sizes, "k = %llu, but the factors have k = %d",
                                 (unsigned long long)v[TS_K], want_k);
    if (v[TS_TAGS] != 0 && v[TS_TAGS] != (uint64_t)c->tags)
        return lr__secr_fail_sec(r, sizes, "%llu tags, but meta says %d (or 0 for none)",
                                 (unsigned long long)v[TS_TAGS], c->tags);
    if (v[TS_TAGS] == 0 && v[TS_PROFILE_ENTRIES] != 0)
        return lr__secr_fail_sec(r, sizes, "%llu profile entries, but no tags",
                                 (unsigned long long)v[TS_PROFILE_ENTRIES]);
    lr__softmax_net net;
    memset(&net, 0, sizeof net);
    net.m = (int32_t)v[TS_ARTISTS];
    net.nt = (int32_t)v[TS_TAGS];
    net.k = (int32_t)v[TS_K];
    net.dt = (int32_t)v[TS_TAG_DIM];
    net.layers = (int32_t)v[TS_LAYERS];
    net.width = (int32_t)v[TS_WIDTH];
    net.item_tags = (int)v[TS_ITEM_TAGS];
    lr__softmax_net_layout(&net);
    if ((uint64_t)net.n_params != v[TS_PARAMS])
        return lr__secr_fail_sec(r, sizes,
                                 "%llu parameters, but these sizes make a network of %llu",
                                 (unsigned long long)v[TS_PARAMS],
                                 (unsigned long long)net.n_params);
    if (r->sec[weights].len != 4 * (uint64_t)net.n_params)
        return lr__secr_fail_sec(r, weights,
                                 "%llu bytes, but 'tower sizes' says %llu parameters (%llu bytes)",
                                 (unsigned long long)r->sec[weights].len,
                                 (unsigned long long)net.n_params,
                                 4 * (unsigned long long)net.n_params);
    net.theta = lr__malloc(net.n_params, sizeof *net.theta);
    if (!net.theta)
        return lr__fail_oom("the model file's softmax weights");
    const uint8_t *p = r->sec[weights].p;
    for (size_t i = 0; i < net.n_params; i++) {
        net.theta[i] = lr__bits_f32(lr__le_get32(p + 4 * i));
        if (!isfinite(net.theta[i])) {
            lr__softmax_net_free(&net);
            return lr__secr_fail_sec(r, weights, "parameter %zu is not finite", i);
        }
    }
    rc = lr__secr_csr(r, profile, net.m, net.nt, (int64_t)v[TS_PROFILE_ENTRIES], 1,
                      &net.prof);
    for (int64_t i = 0; rc == LR_OK && i < net.prof.nnz; i++)
        if (!(net.prof.val[i] >= 0 && net.prof.val[i] <= 1))
            rc = lr__secr_fail_sec(r, profile, "entry %lld: weight %g is not in [0, 1]",
                                   (long long)i, (double)net.prof.val[i]);
    if (rc == LR_OK && net.nt == 0)
        lr__csr_free(&net.prof); /* no tags: no profile, as in the fit */
    if (rc) {
        lr__softmax_net_free(&net);
        return rc;
    }
    return lr__softmax_tower_new(out, m, &net);
}

/* A blend scores its softmax part with softmax_weight: the part is
 * present exactly when the weight is positive.  A file written before the
 * option existed lacks the key and the part; it reads as softmax_weight 0,
 * not as today's default, so that it scores as it did. */
static int check_sm_weight(const lr__secr *r, lr_options *o, const unsigned char *seen)
{
    const int slot = option_slot(LR_OPT_SOFTMAX_WEIGHT);
    const int part = r->sec[S_SM_OPTIONS].present;
    if (!seen[slot] && !part) {
        o->value[slot] = 0;
        o->set[slot] = 0;
        return LR_OK;
    }
    const double w = o->value[slot];
    if ((w > 0) != part)
        return lr__secr_fail_sec(r, S_OPTIONS, "softmax_weight is %g, but the softmax part's "
                                 "sections are %s",
                                 w, part ? "present" : "missing");
    return LR_OK;
}

/* Everything after the table, in dependency order: meta first, since every
 * other length is checked against its counts. */
static int read_sections(const lr__secr *r, lr_model *m)
{
    counts c = {0};
    unsigned char seen[LR_OPTIONS_MAX];
    int rc = read_meta(r, &c);
    if (rc == LR_OK) rc = check_present(r, &c);
    if (rc == LR_OK) {
        m->algo = (int)c.algo;
        m->n_users = c.users;
        m->n_artists = c.artists;
        rc = read_options(r, S_OPTIONS, m->algo, &m->opts, seen);
    }
    if (rc == LR_OK && m->algo == LR_ALGO_BLEND)
        rc = check_sm_weight(r, &m->opts, seen);
    if (rc == LR_OK) rc = lr__secr_ids(r, S_USER_IDS, c.users, &m->user_ids);
    if (rc == LR_OK) rc = lr__secr_ids(r, S_ARTIST_IDS, c.artists, &m->artist_ids);
    if (rc == LR_OK) rc = lr__secr_strtab(r, S_ARTIST_NAMES, c.artists, &m->artist_names);
    if (rc == LR_OK) rc = lr__secr_strtab(r, S_ARTIST_TOP_TAGS, c.artists, &m->artist_top_tags);
    if (rc == LR_OK) rc = lr__secr_strtab(r, S_TAG_NAMES, c.tags, &m->tag_names);
    if (rc == LR_OK) rc = read_artist_tags(r, &c, m);
    if (rc == LR_OK) rc = read_listens(r, &c, &m->train);
    if (rc == LR_OK) rc = read_history(r, &c, &m->history);
    if (rc == LR_OK && (c.parts & P_FACTORS)) rc = read_factors(r, &c, m);
    if (rc == LR_OK && (c.parts & P_ITEMS)) rc = read_items(r, &c, m);
    if (rc == LR_OK && (c.parts & P_POP)) rc = read_pop(r, &c, m);
    if (rc == LR_OK && r->sec[S_TOWER_SIZES].present) rc = read_tower(r, &c, m);
    if (rc == LR_OK && r->sec[S_SM_OPTIONS].present) rc = read_sm_part(r, &c, m);
    if (rc == LR_OK)
        lr__log(LR_LOG_INFO, "%s: %s model of %d users and %d artists, saved by lastrec %u.%u.%u",
                r->path, lr_algorithm_name(m->algo), c.users, c.artists, c.writer / 10000,
                c.writer / 100 % 100, c.writer % 100);
    return rc;
}

int lr__model_file_read(lr_model **out, const char *path)
{
    *out = NULL;
    char *data;
    size_t size;
    int rc = lr__read_file(path, &data, &size);
    if (rc)
        return rc;
    lr__secr r = {.path = path, .noun = "model file", .names = section_names,
                  .n_known = S_LAST, .buf = (const uint8_t *)data, .size = size,
                  .oldest = LR_MODEL_FILE_OLDEST};
    lr_model *m = lr__calloc(1, sizeof *m);
    if (!m)
        rc = lr__fail_oom("the model");
    if (rc == LR_OK) rc = lr__secr_check(&r, LR_MODEL_MAGIC, LR_MODEL_FILE_VERSION);
    if (rc == LR_OK) rc = read_sections(&r, m);
    if (rc == LR_OK) rc = lr__model_prepare(m);
    free(data);
    if (rc) {
        lr_model_free(m);
        return rc;
    }
    m->fitted = 1;
    *out = m;
    return LR_OK;
}
