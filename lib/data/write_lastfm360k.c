/* SPDX-License-Identifier: MIT */
#include "data/write_lastfm360k.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/rng.h"
#include "data/write_hetrec.h"
#include "ingest/lastfm360k.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shares of the real file, roughly: about one artist in six has no MBID;
 * the rest are round numbers that make every quirk common enough to test
 * on a few hundred users. */
#define NO_MBID_SHARE 0.15
#define SPELLING_SHARE 0.05
#define SPLIT_SHARE 0.02
#define RENAME_EVERY 41

/* Names the real file has, in scripts a reader must keep apart. */
static const char *const FOREIGN[] = {
    "Björk", "Sigur Rós", "坂本龍一", "Мумий Тролль", "Ólafur Arnalds",
    "Αλκίνοος Ιωαννίδης", "Þursaflokkurinn", "Mötley Crüe", "東京事変", "Édith Piaf",
};
#define NFOREIGN (sizeof FOREIGN / sizeof FOREIGN[0])

/* splitmix64: keys are a function of (seed, index) alone. */
static uint64_t mix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static void user_key(uint64_t seed, int32_t u, char key[LR_360K_KEY])
{
    uint64_t h[3] = {mix(seed ^ mix((uint64_t)u)), 0, 0};
    h[1] = mix(h[0]);
    h[2] = mix(h[1]);
    snprintf(key, LR_360K_KEY, "%016llx%016llx%08llx", (unsigned long long)h[0],
             (unsigned long long)h[1], (unsigned long long)(h[2] >> 32));
}

static void mbid_of(uint64_t seed, int32_t a, char text[37])
{
    uint64_t x = mix(seed ^ 0x6d62696400000000ull ^ (uint64_t)a), y = mix(x);
    snprintf(text, 37, "%08llx-%04llx-%04llx-%04llx-%012llx",
             (unsigned long long)(x >> 32), (unsigned long long)((x >> 16) & 0xffff),
             (unsigned long long)(x & 0xffff), (unsigned long long)(y >> 48),
             (unsigned long long)(y & 0xffffffffffffull));
}

/* Per artist: what is written for it. */
typedef struct art {
    char *name;        /* owned */
    char *key;         /* owned: lr__artist_key of name */
    int has_mbid;
    int variant;       /* 0 none, 1 another case under the MBID, 2 another case
                          without an MBID */
    int32_t last_user; /* dense user whose row carries the variant */
} art;

static int key_cmp(const void *x, const void *y)
{
    const art *const *a = x, *const *b = y;
    return strcmp((*a)->key, (*b)->key);
}

/* A second spelling with the same key: ASCII letters' case swapped, or,
 * for a name without any, a doubled inner space or a trailing one. */
static char *variant_name(const char *name)
{
    size_t n = strlen(name);
    char *v = lr__malloc(n + 2, 1);
    if (!v)
        return NULL;
    int changed = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = name[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 32), changed = 1;
        else if (c >= 'A' && c <= 'Z')
            c = (char)(c + 32), changed = 1;
        v[i] = c;
    }
    if (!changed) {
        v[n] = ' ';
        v[n + 1] = '\0';
    }
    return v;
}

static void free_arts(art *a, int32_t n)
{
    for (int32_t i = 0; a && i < n; i++) {
        free(a[i].name);
        free(a[i].key);
    }
    free(a);
}

static int plan_artists(const lr_dataset *ds, const lr__l360_params *p, lr__rng *r, art *a,
                        lr__l360_planted *pl)
{
    int32_t A = ds->n_artists;
    size_t used[NFOREIGN] = {0};
    for (int32_t i = 0; i < A; i++) {
        const char *nm = lr__strtab_get(&ds->artist_names, i);
        char buf[256];
        if (p->quirks && i % RENAME_EVERY == RENAME_EVERY - 1) {
            size_t k = (size_t)(i / RENAME_EVERY) % NFOREIGN;
            if (used[k]++)
                snprintf(buf, sizeof buf, "%s %zu", FOREIGN[k], used[k]);
            else
                snprintf(buf, sizeof buf, "%s", FOREIGN[k]);
            nm = buf;
            pl->renamed++;
        }
        size_t n = strlen(nm);
        a[i].name = lr__strdup(nm);
        a[i].key = lr__malloc(n + 1, 1);
        if (!a[i].name || !a[i].key)
            return lr__fail_oom("the artists' names");
        /* tabs and line ends would break the row: the synthetic names have
         * none, but a caller's dataset may */
        for (char *c = a[i].name; *c; c++)
            if (*c == '\t' || *c == '\n' || *c == '\r')
                *c = ' ';
        lr__artist_key(a[i].name, strlen(a[i].name), a[i].key);
        a[i].has_mbid = lr__rng_uniform(r) >= NO_MBID_SHARE;
        a[i].last_user = -1;
    }
    /* Artists whose names share a key would merge on loading: give them
     * MBIDs and no second spelling, so every merge is a planted one. */
    art **by_key = lr__malloc((size_t)A, sizeof *by_key);
    if (!by_key)
        return lr__fail_oom("the artists' keys");
    for (int32_t i = 0; i < A; i++)
        by_key[i] = &a[i];
    qsort(by_key, (size_t)A, sizeof *by_key, key_cmp);
    char *clash = lr__calloc((size_t)A, 1);
    if (!clash) {
        free(by_key);
        return lr__fail_oom("the artists' keys");
    }
    for (int32_t k = 1; k < A; k++)
        if (strcmp(by_key[k]->key, by_key[k - 1]->key) == 0 || !*by_key[k]->key)
            clash[by_key[k] - a] = clash[by_key[k - 1] - a] = 1;
    if (A == 1 && !*a[0].key)
        clash[0] = 1;
    free(by_key);
    for (int32_t i = 0; i < A; i++) {
        double u = lr__rng_uniform(r);
        if (clash[i]) {
            a[i].has_mbid = 1;
            continue;
        }
        int64_t fans = ds->by_artist.ptr[i + 1] - ds->by_artist.ptr[i];
        if (!p->quirks || fans < 2 || u >= SPELLING_SHARE)
            continue;
        a[i].variant = a[i].has_mbid && lr__rng_below(r, 2) ? 1 : 2;
        a[i].last_user = ds->by_artist.idx[ds->by_artist.ptr[i + 1] - 1];
        pl->spellings++;
        pl->spellings_no_mbid += a[i].has_mbid && a[i].variant == 2;
    }
    for (int32_t i = 0; i < A; i++)
        pl->no_mbid += !a[i].has_mbid;
    free(clash);
    return LR_OK;
}

/* The kinds of malformed line, in turn: the user's key and the rest. */
static const char *const BAD_KINDS[] = {
    "\t\tmissing plays\n",   /* three fields */
    "\t\tSome Band\tmany\n", /* plays not a number */
    "\t\tSome Band\t0\n",    /* zero plays */
    "\t\tSome Band\t3\n",    /* a key that is not a SHA-1 */
    "\t\tSome Band\t-3\n",   /* negative plays */
};
#define NBAD_KINDS 5

static void bad_line(lr__out *o, int64_t k, const char *key)
{
    lr__out_put(o, "%s%s", k % NBAD_KINDS == 3 ? "not-a-sha1" : key, BAD_KINDS[k % NBAD_KINDS]);
}

static int write_plays(const lr_dataset *ds, const char *dir, const lr__l360_params *p,
                       lr__rng *r, const art *a, lr__l360_planted *pl)
{
    lr__out o;
    if (lr__out_open(&o, dir, LR_360K_PLAYS))
        return o.rc;
    const lr__csr *m = &ds->listens;
    int64_t rows = m->nnz, next_bad = 0;
    char key[LR_360K_KEY], mbid[37];
    char *variant = NULL;
    for (int32_t u = 0; u < ds->n_users && !o.rc; u++) {
        user_key(p->seed, u, key);
        for (int64_t i = m->ptr[u]; i < m->ptr[u + 1] && !o.rc; i++) {
            /* Bad lines spread evenly through the file, never first. */
            while (next_bad < p->bad_lines &&
                   i >= (next_bad + 1) * rows / (p->bad_lines + 1)) {
                bad_line(&o, next_bad++, key);
            }
            int32_t ar = m->idx[i];
            const art *x = &a[ar];
            int var = x->variant && x->last_user == u;
            const char *name = x->name;
            if (var) {
                free(variant);
                variant = variant_name(x->name);
                if (!variant) {
                    o.rc = lr__fail_oom("an artist's second spelling");
                    break;
                }
                name = variant;
            }
            int with_mbid = x->has_mbid && !(var && x->variant == 2);
            if (with_mbid)
                mbid_of(p->seed, ar, mbid);
            else
                mbid[0] = '\0';
            int64_t plays = (int64_t)m->val[i];
            if (p->quirks && plays >= 2 && lr__rng_uniform(r) < SPLIT_SHARE) {
                int64_t first = 1 + (int64_t)lr__rng_below(r, (uint64_t)plays - 1);
                lr__out_put(&o, "%s\t%s\t%s\t%lld\n", key, mbid, name, (long long)first);
                lr__out_put(&o, "%s\t%s\t%s\t%lld\n", key, mbid, name, (long long)(plays - first));
                pl->rows += 2;
                pl->rows_split++;
            } else {
                lr__out_put(&o, "%s\t%s\t%s\t%lld\n", key, mbid, name, (long long)plays);
                pl->rows++;
            }
        }
    }
    while (!o.rc && next_bad < p->bad_lines)
        bad_line(&o, next_bad++, key);
    pl->bad_lines = next_bad;
    free(variant);
    return lr__out_finish(&o);
}

static const char *const COUNTRIES[] = {
    "United States", "Germany", "United Kingdom", "Poland", "Russian Federation",
    "Brazil", "Sweden", "Japan", "Iceland", "Côte D'Ivoire", "",
};
static const char *const MONTHS[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

static int write_profile(const lr_dataset *ds, const char *dir, const lr__l360_params *p,
                         lr__rng *r, lr__l360_planted *pl)
{
    lr__out o;
    if (lr__out_open(&o, dir, LR_360K_PROFILE))
        return o.rc;
    char key[LR_360K_KEY];
    for (int32_t u = 0; u < ds->n_users && !o.rc; u++) {
        user_key(p->seed, u, key);
        uint64_t g = lr__rng_below(r, 10);
        const char *gender = g < 6 ? "m" : g < 9 ? "f" : "";
        char age[16] = "";
        if (lr__rng_below(r, 5))
            snprintf(age, sizeof age, "%d", 14 + (int)lr__rng_below(r, 50));
        const char *country = COUNTRIES[lr__rng_below(r, sizeof COUNTRIES / sizeof *COUNTRIES)];
        lr__out_put(&o, "%s\t%s\t%s\t%s\t%s %d, %d\n", key, gender, age, country,
            MONTHS[lr__rng_below(r, 12)], 1 + (int)lr__rng_below(r, 28),
            2002 + (int)lr__rng_below(r, 8));
        pl->profiles++;
    }
    return lr__out_finish(&o);
}

int lr__write_lastfm360k(const lr_dataset *ds, const char *dir, const lr__l360_params *p,
                         lr__l360_planted *planted)
{
    lr__l360_planted pl;
    memset(&pl, 0, sizeof pl);
    if (planted)
        memset(planted, 0, sizeof *planted);
    if (!*dir)
        return lr__fail(LR_E_INVALID, "write lastfm-360K: empty directory name");
    lr__rng r;
    lr__rng_seed(&r, p->seed ^ 0x333630ull);
    art *a = lr__calloc((size_t)ds->n_artists, sizeof *a);
    if (!a)
        return lr__fail_oom("the artists' plan");
    int rc = plan_artists(ds, p, &r, a, &pl);
    if (rc == LR_OK)
        rc = lr__make_dirs(dir);
    if (rc == LR_OK)
        rc = write_plays(ds, dir, p, &r, a, &pl);
    if (rc == LR_OK)
        rc = write_profile(ds, dir, p, &r, &pl);
    free_arts(a, ds->n_artists);
    if (rc == LR_OK && planted)
        *planted = pl;
    return rc;
}
