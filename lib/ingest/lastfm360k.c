/* SPDX-License-Identifier: MIT */
#include "ingest/lastfm360k.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "core/options.h"
#include "core/progress.h"
#include "core/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const PLAY_COLS[] = {"usersha1", "artmbid", "artname", "plays"};
static const char *const PROFILE_COLS[] = {"usersha1", "gender", "age", "country", "signup"};

/* Big enough that a read costs little per row, small enough to be noise
 * beside the dataset. */
#define BLOCK (4u << 20)

/* ------------------------------------------------------------ hash map */

/* Strings -> dense indices in order of insertion: open addressing over a
 * power-of-two table, the strings in one blob. */
typedef struct strmap {
    int32_t *slot;     /* index or -1; [nslots] */
    size_t nslots;
    uint64_t *hash;    /* [n] */
    int64_t *off;      /* [n] offsets into blob */
    uint32_t *len;     /* [n] */
    size_t cap;
    int32_t n;
    lr__blob blob;
} strmap;

static uint64_t hash_bytes(const char *s, size_t n)
{
    /* Eight bytes per multiply (a byte at a time cost a third of the
     * load), then a final mix so that the low bits used as the slot depend
     * on every byte. */
    uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
        h ^= h >> 29;
    }
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ w) * 0x94d049bb133111ebull;
    h ^= h >> 32;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

static void strmap_free(strmap *m)
{
    free(m->slot);
    free(m->hash);
    free(m->off);
    free(m->len);
    lr__blob_free(&m->blob);
    memset(m, 0, sizeof *m);
}

static const char *strmap_key(const strmap *m, int32_t i)
{
    return m->blob.data + m->off[i];
}

static int strmap_rehash(strmap *m, size_t nslots)
{
    int32_t *slot = lr__malloc(nslots, sizeof *slot);
    if (!slot)
        return lr__fail_oom("a hash table of %zu slots", nslots);
    memset(slot, 0xff, nslots * sizeof *slot);
    for (int32_t i = 0; i < m->n; i++) {
        size_t s = (size_t)m->hash[i] & (nslots - 1);
        while (slot[s] >= 0)
            s = (s + 1) & (nslots - 1);
        slot[s] = i;
    }
    free(m->slot);
    m->slot = slot;
    m->nslots = nslots;
    return LR_OK;
}

/* The index of key, added when new (*added = 1). */
static int strmap_get(strmap *m, const char *key, size_t n, int32_t *out, int *added)
{
    if (!m->slot && strmap_rehash(m, 1024) != LR_OK)
        return LR_E_NOMEM;
    uint64_t h = hash_bytes(key, n);
    size_t s = (size_t)h & (m->nslots - 1);
    for (; m->slot[s] >= 0; s = (s + 1) & (m->nslots - 1)) {
        int32_t i = m->slot[s];
        if (m->hash[i] == h && m->len[i] == n && memcmp(strmap_key(m, i), key, n) == 0) {
            *out = i;
            if (added)
                *added = 0;
            return LR_OK;
        }
    }
    if (m->n == INT32_MAX)
        return lr__fail(LR_E_RANGE, "more than %d distinct keys", INT32_MAX);
    if ((size_t)m->n >= m->cap) {
        size_t cap = m->cap ? 2 * m->cap : 1024;
        uint64_t *hh = lr__realloc(m->hash, cap, sizeof *hh);
        if (hh)
            m->hash = hh;
        int64_t *oo = lr__realloc(m->off, cap, sizeof *oo);
        if (oo)
            m->off = oo;
        uint32_t *ll = lr__realloc(m->len, cap, sizeof *ll);
        if (ll)
            m->len = ll;
        if (!hh || !oo || !ll)
            return lr__fail_oom("the keys' table");
        m->cap = cap;
    }
    if (lr__grow((void **)&m->blob.data, &m->blob.cap, m->blob.len + n + 1, 1) != LR_OK)
        return lr__fail_oom("the keys' text");
    int32_t i = m->n++;
    m->hash[i] = h;
    m->off[i] = (int64_t)m->blob.len;
    m->len[i] = (uint32_t)n;
    memcpy(m->blob.data + m->blob.len, key, n);
    m->blob.data[m->blob.len + n] = '\0';
    m->blob.len += n + 1;
    m->slot[s] = i;
    if (added)
        *added = 1;
    *out = i;
    /* Half full at most keeps probes short. */
    if ((size_t)m->n * 2 > m->nslots)
        return strmap_rehash(m, m->nslots * 2);
    return LR_OK;
}

/* ---------------------------------------------------------- artist keys */

size_t lr__artist_key(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    int pending_space = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = lr__utf8_seq(p + i, n - i, &cp);
        if (k == 0) { /* not reached for valid input; keep the byte */
            cp = p[i];
            k = 1;
        }
        i += k;
        if (lr__cp_is_space(cp)) {
            pending_space = o > 0;
            continue;
        }
        if (pending_space)
            out[o++] = ' ';
        pending_space = 0;
        /* Every folding above keeps the encoded length (1 byte to 1, 2 to
         * 2), and a space of 2 bytes becomes 1: the key never grows. */
        o += lr__utf8_put(lr__cp_lower(cp), out + o);
    }
    out[o] = '\0';
    return o;
}

/* ------------------------------------------------------------ fields */

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

int lr__lastfm360k_sniff(const char *head, size_t n)
{
    if (n < 41 || head[40] != '\t')
        return 0;
    for (int i = 0; i < 40; i++)
        if (!is_hex(head[i]))
            return 0;
    return 1;
}

/* Field i as a SHA-1 key in lower case. */
static int sha1_field(const lr__tsv *t, int i, char key[LR_360K_KEY])
{
    const char *p = t->field[i];
    size_t n = t->flen[i];
    int ok = n == 40;
    for (size_t k = 0; ok && k < n; k++)
        ok = is_hex(p[k]);
    if (!ok)
        return lr__tsv_fail(t, LR_E_PARSE, i, "\"%.*s\" is not a SHA-1 (40 hex digits)",
                            (int)(n < 48 ? n : 48), p);
    for (int k = 0; k < 40; k++)
        key[k] = lower(p[k]);
    key[40] = '\0';
    return LR_OK;
}

/* Field i as empty or a MusicBrainz ID (8-4-4-4-12 hex digits), lower-cased
 * into out (37 bytes); *len 0 when empty. */
static int mbid_field(const lr__tsv *t, int i, char out[37], size_t *len)
{
    const char *p = t->field[i];
    size_t n = t->flen[i];
    *len = 0;
    if (n == 0)
        return LR_OK;
    int ok = n == 36;
    for (size_t k = 0; ok && k < n; k++)
        ok = (k == 8 || k == 13 || k == 18 || k == 23) ? p[k] == '-' : is_hex(p[k]);
    if (!ok)
        return lr__tsv_fail(t, LR_E_PARSE, i,
                            "\"%.*s\" is not a MusicBrainz ID (8-4-4-4-12 hex digits) "
                            "nor empty", (int)(n < 48 ? n : 48), p);
    for (size_t k = 0; k < n; k++)
        out[k] = lower(p[k]);
    out[n] = '\0';
    *len = n;
    return LR_OK;
}

/* ------------------------------------------------------------ reading */

typedef struct reader {
    const lr_options *opts;
    int skip;
    int64_t bad;
    int64_t profiles_read;
    strmap users, spellings;
    int32_t *ru, *rs, *rp;   /* per accepted row: user, spelling, plays */
    size_t nrows, caprows;
    char *text;              /* scratch for "mbid\tname"; [text_cap] */
    char last_key[LR_360K_KEY]; /* the previous row's user: rows come grouped
                                   by user, so most rows skip the user lookup */
    int32_t last_user;       /* -1 before the first row */
    size_t text_cap;
    uint64_t fixes;
} reader;

static void reader_free(reader *r)
{
    strmap_free(&r->users);
    strmap_free(&r->spellings);
    free(r->ru);
    free(r->rs);
    free(r->rp);
    free(r->text);
}

/* A bad line: skipped and counted under the option, else the error. */
static int bad_line(reader *r, int rc)
{
    if (!r->skip || (rc != LR_E_PARSE && rc != LR_E_RANGE && rc != LR_E_TOOLONG &&
                     rc != LR_E_ENCODING))
        return rc;
    if (r->bad++ == 0)
        lr__log(LR_LOG_WARNING, "skipping malformed lines (option skip_bad_lines); the first: %s",
                lr_last_error());
    lr_clear_error();
    return LR_OK;
}

static int add_row(reader *r, int32_t user, int32_t spelling, int32_t plays)
{
    if (r->nrows == r->caprows) {
        size_t cap = r->caprows ? r->caprows + r->caprows / 2 : 65536;
        int32_t *a = lr__realloc(r->ru, cap, sizeof *a);
        if (a)
            r->ru = a;
        int32_t *b = lr__realloc(r->rs, cap, sizeof *b);
        if (b)
            r->rs = b;
        int32_t *c = lr__realloc(r->rp, cap, sizeof *c);
        if (c)
            r->rp = c;
        if (!a || !b || !c)
            return lr__fail_oom("the plays file's rows");
        r->caprows = cap;
    }
    r->ru[r->nrows] = user;
    r->rs[r->nrows] = spelling;
    r->rp[r->nrows] = plays;
    r->nrows++;
    return LR_OK;
}

/* One row of the plays file: every field checked before anything is
 * added, so that a skipped line leaves no user or artist behind. */
static int play_row(reader *r, const lr__tsv *t)
{
    char key[LR_360K_KEY], mbid[37];
    size_t mlen;
    int32_t plays;
    int rc = sha1_field(t, 0, key);
    if (rc == LR_OK)
        rc = mbid_field(t, 1, mbid, &mlen);
    if (rc == LR_OK) {
        rc = lr__tsv_int(t, 3, &plays);
        if (rc == LR_OK && plays == 0)
            rc = lr__tsv_fail(t, LR_E_RANGE, 3, "zero plays (a listened artist has at least 1 play)");
    }
    if (rc)
        return rc;
    const char *name = t->field[2];
    size_t nlen = t->flen[2];
    char *fixed = NULL;
    if (!lr__utf8_valid(name, nlen)) {
        fixed = lr__utf8_repair(name, nlen, &r->fixes);
        if (!fixed)
            return lr__fail_oom("a repaired artist name");
        name = fixed;
        nlen = strlen(fixed);
    }
    if (lr__grow((void **)&r->text, &r->text_cap, mlen + nlen + 2, 1) != LR_OK) {
        free(fixed);
        return lr__fail_oom("an artist's key");
    }
    /* A name of nothing but white space names no artist. */
    if (mlen == 0 && lr__artist_key(name, nlen, r->text) == 0) {
        free(fixed);
        return lr__tsv_fail(t, LR_E_PARSE, 2, "empty artist name without an MBID");
    }
    memcpy(r->text, mbid, mlen);
    r->text[mlen] = '\t';
    memcpy(r->text + mlen + 1, name, nlen);
    free(fixed);
    int32_t user, spelling;
    if (r->last_user >= 0 && memcmp(key, r->last_key, 40) == 0) {
        user = r->last_user;
    } else {
        rc = strmap_get(&r->users, key, 40, &user, NULL);
        memcpy(r->last_key, key, LR_360K_KEY);
        r->last_user = rc == LR_OK ? user : -1;
    }
    if (rc == LR_OK)
        rc = strmap_get(&r->spellings, r->text, mlen + 1 + nlen, &spelling, NULL);
    if (rc == LR_OK)
        rc = add_row(r, user, spelling, plays);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Every row of a file through row(); bad lines as the option says. */
static int read_rows(reader *r, const char *path, const char *const *cols, int ncols,
                     int (*row)(reader *, const lr__tsv *))
{
    lr__tsv t;
    size_t max_line = (size_t)lr__opt_int(r->opts, LR_OPT_MAX_LINE);
    int rc = lr__tsv_open_stream(&t, path, cols, ncols, max_line, BLOCK);
    if (rc)
        return rc;
    /* the tokenizer reports from inside the rows under the same stage */
    t.progress = lr__opt_progress(r->opts);
    snprintf(t.stage, sizeof t.stage, "read %s", base_name(path));
    rc = lr__progress_report(t.progress, t.stage, 0, t.total);
    while (rc == LR_OK) {
        int k = lr__tsv_next(&t);
        if (k == 0)
            break;
        rc = k < 0 ? bad_line(r, k) : bad_line(r, row(r, &t));
    }
    if (rc == LR_OK)
        rc = lr__progress_report(t.progress, t.stage, t.total, t.total);
    lr__tsv_close(&t);
    return rc;
}

/* ------------------------------------------------------------- profile */

static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

/* "Feb 1, 2009" or empty. */
static int signup_field(const lr__tsv *t, int i)
{
    const char *p = t->field[i];
    size_t n = t->flen[i];
    if (n == 0)
        return LR_OK;
    int month = -1;
    for (int m = 0; m < 12 && n > 4; m++)
        if (memcmp(p, MONTHS[m], 3) == 0 && p[3] == ' ')
            month = m;
    size_t k = 4;
    int day = 0, year = 0, dd = 0, yd = 0;
    for (; k < n && p[k] >= '0' && p[k] <= '9' && dd < 2; k++, dd++)
        day = day * 10 + (p[k] - '0');
    int ok = month >= 0 && dd > 0 && day >= 1 && day <= 31 && k + 2 < n && p[k] == ',' &&
             p[k + 1] == ' ';
    for (k += 2; ok && k < n && yd < 5; k++, yd++) {
        ok = p[k] >= '0' && p[k] <= '9';
        year = year * 10 + (p[k] - '0');
    }
    if (!ok || yd != 4 || k != n)
        return lr__tsv_fail(t, LR_E_PARSE, i, "\"%.*s\" is not a date like \"Feb 1, 2009\"",
                            (int)(n < 48 ? n : 48), p);
    (void)year;
    return LR_OK;
}

static int profile_row(reader *r, const lr__tsv *t)
{
    char key[LR_360K_KEY];
    int rc = sha1_field(t, 0, key);
    if (rc)
        return rc;
    if (t->flen[1] > 1 || (t->flen[1] == 1 && t->field[1][0] != 'm' && t->field[1][0] != 'f'))
        return lr__tsv_fail(t, LR_E_PARSE, 1, "\"%.*s\" is not m, f or empty",
                            (int)(t->flen[1] < 48 ? t->flen[1] : 48), t->field[1]);
    int64_t age;
    if (t->flen[2] && (rc = lr__tsv_int64(t, 2, &age)) != LR_OK)
        return rc;
    /* The country is free text; its encoding is repaired as names are. */
    if (!lr__utf8_valid(t->field[3], t->flen[3])) {
        char *fixed = lr__utf8_repair(t->field[3], t->flen[3], &r->fixes);
        if (!fixed)
            return lr__fail_oom("a repaired country");
        free(fixed);
    }
    rc = signup_field(t, 4);
    if (rc == LR_OK)
        r->profiles_read++;
    return rc;
}

/* ---------------------------------------------------------- reduction */

/* Artists from spellings (docs/formats.md): an MBID makes the artist; a
 * name without one joins the MBID artist whose spellings have the same
 * key when exactly one MBID has it, else the artists of that key.  IDs in
 * order of first appearance.  spell_art[s] receives spelling s's artist
 * index (ID - 1). */
static int make_artists(reader *r, lr__lastfm360k *out, int32_t *spell_art)
{
    const strmap *sp = &r->spellings;
    int32_t S = sp->n;
    strmap mbids = {0}, names = {0};
    int32_t *sp_key = lr__malloc((size_t)S, sizeof *sp_key);   /* mbid or -1 */
    int32_t *sp_name = lr__malloc((size_t)S, sizeof *sp_name); /* key of the name or -1 */
    char *buf = NULL;
    size_t bufcap = 0;
    int rc = (!sp_key || !sp_name) ? lr__fail_oom("the artists' spellings") : LR_OK;
    for (int32_t s = 0; s < S && rc == LR_OK; s++) {
        const char *k = strmap_key(sp, s);
        const char *tab = strchr(k, '\t');
        size_t mlen = (size_t)(tab - k), nlen = sp->len[s] - mlen - 1;
        sp_key[s] = -1;
        sp_name[s] = -1;
        if (mlen)
            rc = strmap_get(&mbids, k, mlen, &sp_key[s], NULL);
        if (rc == LR_OK)
            rc = lr__grow((void **)&buf, &bufcap, nlen + 1, 1);
        if (rc == LR_OK) {
            size_t klen = lr__artist_key(tab + 1, nlen, buf);
            if (klen)
                rc = strmap_get(&names, buf, klen, &sp_name[s], NULL);
        }
    }
    free(buf);
    /* owner[name key]: the one MBID with that key, -1 none, -2 several */
    int32_t *owner = NULL, *art_of = NULL;
    if (rc == LR_OK) {
        owner = lr__malloc((size_t)names.n + 1, sizeof *owner);
        art_of = lr__malloc((size_t)mbids.n + (size_t)names.n + 1, sizeof *art_of);
        if (!owner || !art_of)
            rc = lr__fail_oom("the artists' keys");
    }
    if (rc == LR_OK) {
        for (int32_t i = 0; i < names.n; i++)
            owner[i] = -1;
        for (int32_t i = 0; i < mbids.n + names.n; i++)
            art_of[i] = -1;
        for (int32_t s = 0; s < S; s++) {
            int32_t m = sp_key[s], nk = sp_name[s];
            if (m < 0 || nk < 0)
                continue;
            owner[nk] = owner[nk] == -1 ? m : (owner[nk] == m ? m : -2);
        }
    }
    lr__raw_named *a = &out->h.artists;
    if (rc == LR_OK) {
        a->id = lr__malloc((size_t)S, sizeof *a->id);
        a->name = lr__malloc((size_t)S, sizeof *a->name);
        if (!a->id || !a->name)
            rc = lr__fail_oom("the artists");
    }
    for (int32_t s = 0; s < S && rc == LR_OK; s++) {
        int32_t k = sp_key[s] >= 0 ? sp_key[s]
                    : owner[sp_name[s]] >= 0 ? owner[sp_name[s]]
                    : mbids.n + sp_name[s];
        if (art_of[k] < 0) {
            /* The artist is named as its first spelling writes it; an MBID
             * with an empty name is named by the MBID. */
            const char *key = strmap_key(sp, s);
            const char *tab = strchr(key, '\t');
            const char *nm = tab[1] ? tab + 1 : key;
            size_t nl = tab[1] ? strlen(tab + 1) : (size_t)(tab - key);
            art_of[k] = (int32_t)a->n;
            a->id[a->n] = (int32_t)a->n + 1;
            if (lr__grow((void **)&a->names.data, &a->names.cap, a->names.len + nl + 1, 1) != LR_OK) {
                rc = lr__fail_oom("the artist names");
                break;
            }
            a->name[a->n] = (int64_t)a->names.len;
            memcpy(a->names.data + a->names.len, nm, nl);
            a->names.data[a->names.len + nl] = '\0';
            a->names.len += nl + 1;
            a->n++;
        }
        spell_art[s] = art_of[k];
    }
    out->spellings_merged = (int64_t)S - (int64_t)a->n;
    free(sp_key);
    free(sp_name);
    free(owner);
    free(art_of);
    strmap_free(&mbids);
    strmap_free(&names);
    return rc;
}

typedef struct pair {
    int32_t artist, plays;
} pair;

static int pair_cmp(const void *x, const void *y)
{
    const pair *a = x, *b = y;
    return (a->artist > b->artist) - (a->artist < b->artist);
}

/* Rows by user (users are numbered by first appearance), artists in
 * order within a user, plays summed over repeats. */
static int sum_listens(reader *r, lr__lastfm360k *out, const int32_t *spell_art)
{
    size_t n = r->nrows;
    int32_t U = r->users.n;
    int64_t *start = lr__calloc((size_t)U + 1, sizeof *start);
    pair *p = lr__malloc(n, sizeof *p);
    lr__raw_listens *l = &out->h.listens;
    if (!start || !p) {
        free(start);
        free(p);
        return lr__fail_oom("the listens' sort");
    }
    for (size_t i = 0; i < n; i++)
        start[r->ru[i] + 1]++;
    for (int32_t u = 0; u < U; u++)
        start[u + 1] += start[u];
    for (size_t i = 0; i < n; i++)
        p[start[r->ru[i]]++] = (pair){spell_art[r->rs[i]], r->rp[i]};
    for (int32_t u = U; u > 0; u--)
        start[u] = start[u - 1];
    start[0] = 0;
    /* The rows are no longer needed: give their memory back before the
     * listens are made. */
    free(r->ru);
    free(r->rs);
    free(r->rp);
    r->ru = r->rs = r->rp = NULL;
    l->user = lr__malloc(n, sizeof *l->user);
    l->artist = lr__malloc(n, sizeof *l->artist);
    l->weight = lr__malloc(n, sizeof *l->weight);
    int rc = (!l->user || !l->artist || !l->weight) ? lr__fail_oom("the listens") : LR_OK;
    for (int32_t u = 0; u < U && rc == LR_OK; u++) {
        pair *b = p + start[u];
        size_t m = (size_t)(start[u + 1] - start[u]);
        qsort(b, m, sizeof *b, pair_cmp);
        for (size_t i = 0; i < m; i++) {
            int64_t sum = b[i].plays;
            while (i + 1 < m && b[i + 1].artist == b[i].artist)
                sum += b[++i].plays;
            if (sum > INT32_MAX) {
                rc = lr__fail_at(LR_E_RANGE, l->path, 0, "plays",
                                 "user %s, artist %d: plays sum to %lld, above 2147483647",
                                 strmap_key(&r->users, u), b[i].artist + 1, (long long)sum);
                break;
            }
            l->user[l->n] = u + 1;
            l->artist[l->n] = b[i].artist + 1;
            l->weight[l->n] = (int32_t)sum;
            l->n++;
        }
    }
    free(start);
    free(p);
    out->rows_summed = (int64_t)n - (int64_t)l->n;
    return rc;
}

static int take_keys(reader *r, lr__lastfm360k *out)
{
    int32_t U = r->users.n;
    out->keys = lr__malloc((size_t)U, LR_360K_KEY);
    if (!out->keys)
        return lr__fail_oom("the users' keys");
    for (int32_t u = 0; u < U; u++)
        memcpy(out->keys + (size_t)u * LR_360K_KEY, strmap_key(&r->users, u), LR_360K_KEY);
    out->n_users = U;
    strmap_free(&r->users);
    return LR_OK;
}

/* ----------------------------------------------------------- directory */

void lr__lastfm360k_free(lr__lastfm360k *r)
{
    lr__hetrec_free(&r->h);
    free(r->keys);
    memset(r, 0, sizeof *r);
}

/* The plays file and the profile beside it (NULL when absent). */
static int paths(const char *path, char **plays, char **profile)
{
    struct stat st;
    *plays = *profile = NULL;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        *plays = lr__path_join(path, LR_360K_PLAYS);
        *profile = lr__path_join(path, LR_360K_PROFILE);
    } else {
        *plays = lr__strdup(path);
        if (strcmp(base_name(path), LR_360K_PLAYS) == 0) {
            size_t d = (size_t)(base_name(path) - path);
            char *dir = lr__strndup(path, d ? d : 0);
            *profile = dir ? lr__path_join(d ? dir : ".", LR_360K_PROFILE) : NULL;
            free(dir);
            if (!*profile) {
                free(*plays);
                *plays = NULL;
            }
        }
    }
    if (!*plays)
        return lr__fail_oom("the data files' paths");
    if (*profile && access(*profile, F_OK) != 0) {
        free(*profile);
        *profile = NULL;
    }
    return LR_OK;
}

/* The tables this source has no rows for, empty but allocated: the shared
 * processing copies and sorts them, and a NULL array is not an empty one
 * to memcpy. */
static int empty_tables(lr__hetrec *h)
{
    h->tags.id = lr__calloc(1, sizeof *h->tags.id);
    h->tags.name = lr__calloc(1, sizeof *h->tags.name);
    h->friends.user = lr__calloc(1, sizeof *h->friends.user);
    h->friends.friend_id = lr__calloc(1, sizeof *h->friends.friend_id);
    h->uses.user = lr__calloc(1, sizeof *h->uses.user);
    h->uses.artist = lr__calloc(1, sizeof *h->uses.artist);
    h->uses.tag = lr__calloc(1, sizeof *h->uses.tag);
    h->uses.time_ms = lr__calloc(1, sizeof *h->uses.time_ms);
    if (!h->tags.id || !h->tags.name || !h->friends.user || !h->friends.friend_id ||
        !h->uses.user || !h->uses.artist || !h->uses.tag || !h->uses.time_ms)
        return lr__fail_oom("the empty tag and friend tables");
    return LR_OK;
}

static int read_all(reader *r, lr__lastfm360k *out, const char *plays, const char *profile)
{
    int rc = read_rows(r, plays, PLAY_COLS, 4, play_row);
    if (rc == LR_OK && profile)
        rc = read_rows(r, profile, PROFILE_COLS, 5, profile_row);
    if (rc)
        return rc;
    if (r->nrows == 0)
        return lr__fail_at(LR_E_EMPTY, plays, 0, NULL, "no valid rows (%lld skipped)",
                           (long long)r->bad);
    rc = lr__progress_report(lr__opt_progress(r->opts), "merge artists and sum plays", 0, 1);
    int32_t *spell_art = NULL;
    if (rc == LR_OK) {
        spell_art = lr__malloc((size_t)r->spellings.n, sizeof *spell_art);
        rc = spell_art ? make_artists(r, out, spell_art) : lr__fail_oom("the spellings' artists");
    }
    strmap_free(&r->spellings);
    if (rc == LR_OK)
        rc = sum_listens(r, out, spell_art);
    free(spell_art);
    if (rc == LR_OK)
        rc = take_keys(r, out);
    if (rc == LR_OK)
        rc = empty_tables(&out->h);
    if (rc == LR_OK)
        rc = lr__progress_report(lr__opt_progress(r->opts), "merge artists and sum plays", 1, 1);
    return rc;
}

int lr__lastfm360k_read(lr__lastfm360k *out, const char *path, const lr_options *opts)
{
    memset(out, 0, sizeof *out);
    char *plays, *profile;
    int rc = paths(path, &plays, &profile);
    if (rc)
        return rc;
    reader r = {.opts = opts, .skip = (int)lr__opt_int(opts, LR_OPT_SKIP_BAD_LINES),
                .last_user = -1};
    out->h.kind = LR_SOURCE_LASTFM360K;
    out->h.listens_name = LR_360K_PLAYS;
    out->h.dir = lr__strdup(path);
    out->h.listens.path = plays;
    out->h.artists.path = lr__strdup(plays);
    plays = NULL;
    if (!out->h.dir || !out->h.artists.path)
        rc = lr__fail_oom("the data files' paths");
    if (rc == LR_OK)
        rc = read_all(&r, out, out->h.listens.path, profile);
    out->bad_lines = r.bad;
    out->profiles = r.profiles_read;
    out->h.latin1_fixes = r.fixes;
    reader_free(&r);
    free(profile);
    if (rc)
        lr__lastfm360k_free(out);
    return rc;
}

int lr__lastfm360k_dir(const char *dir)
{
    size_t d = strlen(dir);
    char path[4096];
    if (d + sizeof LR_360K_PLAYS + 2 > sizeof path)
        return 0;
    snprintf(path, sizeof path, "%s/%s", dir, LR_360K_PLAYS);
    return access(path, F_OK) == 0;
}

int lr__lastfm360k_file(const char *path)
{
    char head[64];
    memset(head, 0, sizeof head);
    int fd;
    if (lr__open_regular(path, &fd) != LR_OK)
        return 0;
    ssize_t got = read(fd, head, sizeof head);
    close(fd);
    if (got >= 3 && memcmp(head, "\xEF\xBB\xBF", 3) == 0)
        return lr__lastfm360k_sniff(head + 3, (size_t)got - 3);
    return got > 0 && lr__lastfm360k_sniff(head, (size_t)got);
}
