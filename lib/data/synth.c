/* SPDX-License-Identifier: MIT */
#include "data/synth.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/options.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_DAY INT64_C(86400000)
/* Tag uses fall between these days since 1970, HetRec's own span
 * (2005-08-01 .. 2011-04-30). */
#define FIRST_DAY 12996
#define LAST_DAY 15094

/* Taste model.  Each is a share, not a count, so the structure holds at
 * every size. */
#define P_GLOBAL_PICK 0.10   /* picks from global popularity */
#define P_SECOND_CLUSTER 0.25 /* users with a second cluster */
#define P_LIGHT_USER 0.02    /* users with only 1-3 artists */
#define P_TAGGER 0.70        /* users who tag at all */
#define P_FRIEND_IN_CLUSTER 0.85

/* Independent random streams per stage, so that changing how names are
 * made, say, does not move any listen. */
enum { S_ARTISTS = 1, S_USERS, S_LISTENS, S_NAMES, S_TAGS, S_USES, S_FRIENDS, S_IDS };

void lr__synth_params_from(lr__synth_params *p, const lr_options *opts)
{
    p->users = lr__opt_int(opts, LR_OPT_SYNTH_USERS);
    p->artists = lr__opt_int(opts, LR_OPT_SYNTH_ARTISTS);
    p->clusters = lr__opt_int(opts, LR_OPT_SYNTH_CLUSTERS);
    p->tags = lr__opt_int(opts, LR_OPT_SYNTH_TAGS);
    p->artists_per_user = lr__opt_int(opts, LR_OPT_SYNTH_ARTISTS_PER_USER);
    p->friends_per_user = lr__opt_int(opts, LR_OPT_SYNTH_FRIENDS_PER_USER);
    p->min_tag_uses = lr__opt_int(opts, LR_OPT_MIN_TAG_USES);
    p->seed = (uint64_t)lr__opt_int(opts, LR_OPT_SEED);
    p->progress = lr__opt_progress(opts);
}

/* Users between progress reports: a few milliseconds of work. */
#define USERS_PER_REPORT 4096

/* Report user u of a per-user stage every USERS_PER_REPORT users (and at
 * its end, u == U); LR_E_CANCELLED when the caller asks to stop. */
static int user_progress(const lr__synth_params *p, const char *stage, int32_t u, int32_t U)
{
    if (u % USERS_PER_REPORT != 0 && u != U)
        return LR_OK;
    return lr__progress_report(p->progress, stage, (uint64_t)u, (uint64_t)U);
}

void lr__synth_truth_free(lr__synth_truth *t)
{
    if (!t)
        return;
    free(t->user_cluster);
    free(t->user_cluster2);
    free(t->artist_cluster);
    memset(t, 0, sizeof *t);
}

/* ------------------------------------------------------------ helpers */

static uint64_t below(lr__rng *r, int64_t n) { return lr__rng_below(r, (uint64_t)n); }

/* Index in [b, e) drawn in proportion to the weights whose running sums
 * (restarting at b) are cum[b..e). */
static int32_t draw_cum(const double *cum, int32_t b, int32_t e, lr__rng *r)
{
    double x = lr__rng_uniform(r) * cum[e - 1];
    int32_t lo = b, hi = e - 1;
    while (lo < hi) {
        int32_t mid = lo + (hi - lo) / 2;
        if (cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Running sums of 1/(k+1)^s for k < n: a Zipf draw over any list of up
 * to n items is draw_cum(zipf, 0, len). */
static double *zipf_cum(int32_t n, double s)
{
    double *c = lr__malloc((size_t)n, sizeof *c);
    if (!c)
        return NULL;
    double sum = 0;
    for (int32_t k = 0; k < n; k++)
        c[k] = sum += pow(k + 1.0, -s);
    return c;
}

/* Group items 0..n-1 by their group g[i] (< groups) into CSR form. */
static int group(const int32_t *g, int32_t n, int32_t groups, int32_t **ptr, int32_t **items)
{
    *ptr = lr__calloc((size_t)groups + 1, sizeof **ptr);
    *items = lr__malloc((size_t)n, sizeof **items);
    int32_t *fill = lr__malloc((size_t)groups, sizeof *fill);
    if (!*ptr || !*items || !fill) {
        free(fill);
        return lr__fail_oom("the synthetic groups");
    }
    for (int32_t i = 0; i < n; i++)
        (*ptr)[g[i] + 1]++;
    for (int32_t k = 0; k < groups; k++)
        (*ptr)[k + 1] += (*ptr)[k];
    memcpy(fill, *ptr, (size_t)groups * sizeof *fill);
    for (int32_t i = 0; i < n; i++)
        (*items)[fill[g[i]]++] = i;
    free(fill);
    return LR_OK;
}

static int32_t *permutation(lr__rng *r, int32_t n)
{
    int32_t *p = lr__malloc((size_t)n, sizeof *p);
    if (!p)
        return NULL;
    for (int32_t i = 0; i < n; i++)
        p[i] = i;
    lr__rng_shuffle_i32(r, p, (size_t)n);
    return p;
}

/* Ascending external IDs from `first` with occasional gaps. */
static int32_t *make_ids(lr__rng *r, int32_t n, int32_t first)
{
    int32_t *ids = lr__malloc((size_t)n, sizeof *ids);
    if (!ids)
        return NULL;
    int32_t id = first;
    for (int32_t i = 0; i < n; i++) {
        ids[i] = id;
        id += 1 + (below(r, 12) == 0 ? (int32_t)below(r, 3) + 1 : 0);
    }
    return ids;
}

/* A set of strings (borrowed) for uniqueness checks: open addressing. */
typedef struct strset {
    const char **slot;
    size_t mask;
} strset;

static int strset_init(strset *s, size_t n)
{
    size_t cap = 16;
    while (cap < 2 * n + 2)
        cap *= 2;
    s->slot = lr__calloc(cap, sizeof *s->slot);
    s->mask = cap - 1;
    return s->slot ? LR_OK : lr__fail_oom("a string set");
}

/* 1 when added, 0 when already there. */
static int strset_add(strset *s, const char *str)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)str; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    for (size_t i = (size_t)h & s->mask;; i = (i + 1) & s->mask) {
        if (!s->slot[i]) {
            s->slot[i] = str;
            return 1;
        }
        if (strcmp(s->slot[i], str) == 0)
            return 0;
    }
}

static void free_strs(char **s, int32_t n)
{
    for (int32_t i = 0; s && i < n; i++)
        free(s[i]);
    free(s);
}

/* ------------------------------------------------------------- model */

typedef struct gen {
    const lr__synth_params *p;
    int32_t U, A, C, T;

    int32_t *a_cluster;   /* [A] */
    int32_t *cl_ptr;      /* [C+1] artists grouped by cluster */
    int32_t *cl_art;      /* [A] */
    double *cl_cum;       /* [A] popularity running sums within each cluster */
    double *all_cum;      /* [A] popularity running sums over all artists */

    int32_t *u_c1, *u_c2; /* [U] main and second cluster (-1 none) */
    double *u_mix;        /* [U] share of cluster picks from the second */
    double *u_level;      /* [U] log listen level */
    int32_t *cu_ptr;      /* [C+1] users grouped by main cluster */
    int32_t *cu_user;     /* [U] */

    lr__triplet *lis;     /* picks, user by user, then one-fan fill-ins */
    size_t n_lis, cap_lis;
    int64_t *u_lis;       /* [U+1] user u's picks are lis[u_lis[u] .. u_lis[u+1]) */

    char **tag_names;     /* [T] CamelCase */
    int32_t *t_cluster;   /* [T] owning cluster, -1 general, -2 noise */
    int32_t *ct_ptr, *ct_tag; /* tags of each cluster, in rank order: [C+1], [n] */
    int32_t *general, *noise;
    int32_t n_general, n_noise;
    double *zipf1, *zipf2; /* [max(T, 1)] */

    lr__tag_use *uses;    /* raw uses, tag = raw tag index */
    size_t n_uses, cap_uses;

    uint64_t *pairs;      /* friend pairs as (low << 32 | high) */
    size_t n_pairs;
} gen;

static void gen_free(gen *g)
{
    free(g->a_cluster);
    free(g->cl_ptr);
    free(g->cl_art);
    free(g->cl_cum);
    free(g->all_cum);
    free(g->u_c1);
    free(g->u_c2);
    free(g->u_mix);
    free(g->u_level);
    free(g->cu_ptr);
    free(g->cu_user);
    free(g->lis);
    free(g->u_lis);
    free_strs(g->tag_names, g->T);
    free(g->t_cluster);
    free(g->ct_ptr);
    free(g->ct_tag);
    free(g->general);
    free(g->noise);
    free(g->zipf1);
    free(g->zipf2);
    free(g->uses);
    free(g->pairs);
}

static lr__rng stream(const gen *g, int which)
{
    lr__rng r;
    lr__rng_seed_stream(&r, g->p->seed, (uint64_t)which);
    return r;
}

/* Clusters by a shuffled round robin (equal sizes); popularity Zipf over
 * an independent random ranking. */
static int setup_artists(gen *g)
{
    lr__rng r = stream(g, S_ARTISTS);
    int32_t *order = permutation(&r, g->A);
    int32_t *rank = permutation(&r, g->A);
    g->a_cluster = lr__malloc((size_t)g->A, sizeof *g->a_cluster);
    g->cl_cum = lr__malloc((size_t)g->A, sizeof *g->cl_cum);
    g->all_cum = lr__malloc((size_t)g->A, sizeof *g->all_cum);
    int rc = (!order || !rank || !g->a_cluster || !g->cl_cum || !g->all_cum) ? lr__fail_oom("the synthetic artists' clusters")
                                                                             : LR_OK;
    if (rc == LR_OK) {
        for (int32_t i = 0; i < g->A; i++)
            g->a_cluster[order[i]] = i % g->C;
        rc = group(g->a_cluster, g->A, g->C, &g->cl_ptr, &g->cl_art);
    }
    if (rc == LR_OK) {
        double sum = 0;
        for (int32_t a = 0; a < g->A; a++)
            g->all_cum[a] = sum += 1.0 / (rank[a] + 1.0);
        for (int32_t c = 0; c < g->C; c++) {
            sum = 0;
            for (int32_t k = g->cl_ptr[c]; k < g->cl_ptr[c + 1]; k++)
                g->cl_cum[k] = sum += 1.0 / (rank[g->cl_art[k]] + 1.0);
        }
    }
    free(order);
    free(rank);
    return rc;
}

static int setup_users(gen *g)
{
    lr__rng r = stream(g, S_USERS);
    size_t U = (size_t)g->U;
    g->u_c1 = lr__malloc(U, sizeof *g->u_c1);
    g->u_c2 = lr__malloc(U, sizeof *g->u_c2);
    g->u_mix = lr__malloc(U, sizeof *g->u_mix);
    g->u_level = lr__malloc(U, sizeof *g->u_level);
    if (!g->u_c1 || !g->u_c2 || !g->u_mix || !g->u_level)
        return lr__fail_oom("the synthetic users' tastes");
    for (int32_t u = 0; u < g->U; u++) {
        g->u_c1[u] = (int32_t)below(&r, g->C);
        g->u_c2[u] = -1;
        g->u_mix[u] = 0.3 + 0.2 * lr__rng_uniform(&r);
        if (g->C > 1 && lr__rng_uniform(&r) < P_SECOND_CLUSTER) {
            int32_t c = (int32_t)below(&r, g->C - 1);
            g->u_c2[u] = c + (c >= g->u_c1[u]);
        }
        g->u_level[u] = log(150.0) + 0.8 * lr__rng_normal(&r);
    }
    return group(g->u_c1, g->U, g->C, &g->cu_ptr, &g->cu_user);
}

/* ----------------------------------------------------------- listens */

static int32_t draw_artist(const gen *g, int32_t u, lr__rng *r)
{
    if (lr__rng_uniform(r) < P_GLOBAL_PICK)
        return draw_cum(g->all_cum, 0, g->A, r);
    int32_t c = g->u_c1[u];
    if (g->u_c2[u] >= 0 && lr__rng_uniform(r) < g->u_mix[u])
        c = g->u_c2[u];
    return g->cl_art[draw_cum(g->cl_cum, g->cl_ptr[c], g->cl_ptr[c + 1], r)];
}

/* Lognormal around artists_per_user, a few light users, never more than
 * five times the mean or the catalogue. */
static int32_t pick_count(const gen *g, lr__rng *r)
{
    double m = (double)g->p->artists_per_user;
    double n = lr__rng_uniform(r) < P_LIGHT_USER ? 1.0 + (double)below(r, 3)
                                                 : round(m * exp(0.5 * lr__rng_normal(r) - 0.125));
    double hi = fmin(5 * m, g->A);
    return (int32_t)fmax(1, fmin(n, hi));
}

static float listen_count(double level, lr__rng *r)
{
    double c = floor(exp(level + 1.0 * lr__rng_normal(r))) + 1;
    return (float)fmin(c, 5e6); /* whole numbers stay exact in a float */
}

static int add_listen(gen *g, int32_t u, int32_t a, float w)
{
    if (lr__grow((void **)&g->lis, &g->cap_lis, g->n_lis + 1, sizeof *g->lis))
        return LR_E_NOMEM;
    g->lis[g->n_lis++] = (lr__triplet){u, a, w};
    return LR_OK;
}

/* n distinct artists for user u; mark[a] == u + 1 flags a pick.  Rejection
 * draws keep the taste model; when a small catalogue makes them stall, the
 * rest come from a scan at a random start. */
static int pick_user(gen *g, int32_t u, int32_t n, int32_t *mark, lr__rng *r)
{
    int32_t have = 0;
    for (int64_t tries = 0; have < n && tries < 30 * (int64_t)n + 100; tries++) {
        int32_t a = draw_artist(g, u, r);
        if (mark[a] == u + 1)
            continue;
        mark[a] = u + 1;
        double bonus = g->a_cluster[a] == g->u_c1[u] ? 0.5 : 0;
        if (add_listen(g, u, a, listen_count(g->u_level[u] + bonus, r)))
            return LR_E_NOMEM;
        have++;
    }
    for (int32_t k = 0, a = (int32_t)below(r, g->A); have < n && k < g->A; k++, a = (a + 1) % g->A) {
        if (mark[a] == u + 1)
            continue;
        mark[a] = u + 1;
        if (add_listen(g, u, a, listen_count(g->u_level[u], r)))
            return LR_E_NOMEM;
        have++;
    }
    return LR_OK;
}

/* An artist nobody picked gets one fan from its cluster, as the long tail
 * of HetRec's one-fan artists. */
static int fill_unlistened(gen *g, lr__rng *r)
{
    uint8_t *heard = lr__calloc((size_t)g->A, 1);
    if (!heard)
        return LR_E_NOMEM;
    for (size_t i = 0; i < g->n_lis; i++)
        heard[g->lis[i].col] = 1;
    int rc = LR_OK;
    for (int32_t a = 0; a < g->A && rc == LR_OK; a++) {
        if (heard[a])
            continue;
        int32_t c = g->a_cluster[a], n = g->cu_ptr[c + 1] - g->cu_ptr[c];
        int32_t u = n ? g->cu_user[g->cu_ptr[c] + (int32_t)below(r, n)] : (int32_t)below(r, g->U);
        rc = add_listen(g, u, a, listen_count(log(20.0), r));
    }
    free(heard);
    return rc;
}

static int make_listens(gen *g)
{
    lr__rng r = stream(g, S_LISTENS);
    int32_t *mark = lr__calloc((size_t)g->A, sizeof *mark);
    g->u_lis = lr__malloc((size_t)g->U + 1, sizeof *g->u_lis);
    int rc = (!mark || !g->u_lis) ? LR_E_NOMEM : LR_OK, stop = LR_OK;
    for (int32_t u = 0; u < g->U && rc == LR_OK && stop == LR_OK; u++) {
        g->u_lis[u] = (int64_t)g->n_lis;
        stop = user_progress(g->p, "synthesize listens", u, g->U);
        if (stop == LR_OK)
            rc = pick_user(g, u, pick_count(g, &r), mark, &r);
    }
    if (rc == LR_OK && stop == LR_OK)
        stop = user_progress(g->p, "synthesize listens", g->U, g->U);
    if (rc == LR_OK && stop == LR_OK) {
        g->u_lis[g->U] = (int64_t)g->n_lis;
        rc = fill_unlistened(g, &r);
    }
    free(mark);
    return rc ? lr__fail_oom("the synthetic listens") : stop;
}

/* -------------------------------------------------------------- names */

/* Single letters dominate so that names stay short and sayable. */
static const char *const onsets[] = {
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
    "z", "b", "d", "k", "l", "m", "n", "r", "s", "t", "br", "ch", "dr", "gr", "sh", "st",
    "th", "tr"};
static const char *const vowels[] = {"a", "e", "i", "o", "u", "a", "e", "i", "o", "a",
                                     "ai", "ou", "y"};
static const char *const codas[] = {"", "", "", "", "n", "r", "l", "s", "x", "m", "nd"};
#define COUNT(a) ((int32_t)(sizeof(a) / sizeof(a)[0]))

/* The accented forms names borrow ("Beyoncé", "Mötley"): one vowel of a
 * few stems, so that search must fold accents to find them. */
static const char *accented(char c)
{
    switch (c) {
    case 'a': return "\xc3\xa1"; /* á */
    case 'e': return "\xc3\xa9"; /* é */
    case 'i': return "\xc3\xad"; /* í */
    case 'o': return "\xc3\xb6"; /* ö */
    case 'u': return "\xc3\xbc"; /* ü */
    case 'n': return "\xc3\xb1"; /* ñ */
    default: return NULL;
    }
}

/* A pronounceable word of 2-3 syllables, capitalised, into buf (64 bytes). */
static void make_stem(lr__rng *r, char *buf)
{
    char w[48] = "";
    int syl = 2 + (lr__rng_uniform(r) < 0.35);
    for (int s = 0; s < syl; s++) {
        if (s > 0 || lr__rng_uniform(r) >= 0.2)
            strcat(w, onsets[below(r, COUNT(onsets))]);
        strcat(w, vowels[below(r, COUNT(vowels))]);
    }
    strcat(w, codas[below(r, COUNT(codas))]);
    w[0] = (char)(w[0] - 32 * (w[0] >= 'a' && w[0] <= 'z'));
    size_t at = strlen(w);
    if (lr__rng_uniform(r) < 0.06) {
        /* the last accentable letter after the first, so the capital stays ASCII */
        for (size_t i = strlen(w); i-- > 1;)
            if (accented(w[i])) {
                at = i;
                break;
            }
    }
    if (at < strlen(w))
        snprintf(buf, 64, "%.*s%s%s", (int)at, w, accented(w[at]), w + at + 1);
    else
        snprintf(buf, 64, "%s", w);
}

static const char *const ensembles[] = {"Orchestra", "Quartet", "Collective", "Band",
                                        "Ensemble", "Trio", "Project", "Sound System"};

/* One artist name from stems, by a template.  Stems are drawn with a bias
 * to the first ones, so a stem recurs across names ("Kalo", "The Kalos",
 * "Kalo Vent") and a search for it has several candidates to rank. */
static void make_name(lr__rng *r, char (*stems)[64], int32_t n_stems, char *out, size_t cap)
{
    double u1 = lr__rng_uniform(r), u2 = lr__rng_uniform(r);
    const char *a = stems[(int32_t)(n_stems * u1 * u1)];
    const char *b = stems[(int32_t)(n_stems * u2 * u2)];
    double t = lr__rng_uniform(r);
    if (t < 0.30)
        snprintf(out, cap, "%s", a);
    else if (t < 0.52)
        snprintf(out, cap, "%s %s", a, b);
    else if (t < 0.60)
        snprintf(out, cap, "The %ss", a);
    else if (t < 0.65)
        snprintf(out, cap, "%s & the %ss", a, b);
    else if (t < 0.69)
        snprintf(out, cap, "DJ %s", a);
    else if (t < 0.79)
        snprintf(out, cap, "%s %s", a, ensembles[below(r, COUNT(ensembles))]);
    else if (t < 0.82)
        snprintf(out, cap, "Lil %s", a);
    else if (t < 0.92) /* a compound: "Kalo" + "vent" */
        snprintf(out, cap, "%s%c%s", a, b[0] + 32 * (b[0] >= 'A' && b[0] <= 'Z'), b + 1);
    else
        snprintf(out, cap, "%s feat. %s", a, b);
}

/* A copy of name not yet in seen, added to it: the name itself, another
 * draw, or after ten clashes a numbered sequel ("Kalo 2"). */
static char *unique_name(strset *seen, lr__rng *r, char (*stems)[64], int32_t n_stems)
{
    char buf[200], base[180];
    make_name(r, stems, n_stems, buf, sizeof buf);
    for (int tries = 1;; tries++) {
        char *s = lr__strdup(buf);
        if (!s || strset_add(seen, s))
            return s;
        free(s);
        if (tries < 10) {
            make_name(r, stems, n_stems, buf, sizeof buf);
        } else {
            if (tries == 10)
                snprintf(base, sizeof base, "%.170s", buf);
            snprintf(buf, sizeof buf, "%s %d", base, tries - 8);
        }
    }
}

static int make_artist_names(const gen *g, char ***names)
{
    lr__rng r = stream(g, S_NAMES);
    int32_t n_stems = g->A / 3 > 4 ? g->A / 3 : 4;
    char(*stems)[64] = lr__malloc((size_t)n_stems, sizeof *stems);
    *names = lr__calloc((size_t)g->A, sizeof **names);
    strset seen = {0};
    int rc = (!stems || !*names) ? lr__fail_oom("the synthetic artist names") : strset_init(&seen, (size_t)g->A);
    for (int32_t i = 0; rc == LR_OK && i < n_stems; i++)
        make_stem(&r, stems[i]);
    for (int32_t a = 0; rc == LR_OK && a < g->A; a++)
        if (!((*names)[a] = unique_name(&seen, &r, stems, n_stems)))
            rc = lr__fail_oom("a synthetic artist name");
    free(seen.slot);
    free(stems);
    return rc;
}

/* --------------------------------------------------------------- tags */

static const char *const roots[] = {
    "rock", "pop", "metal", "jazz", "folk", "soul", "punk", "techno", "house", "trance",
    "ambient", "blues", "country", "reggae", "disco", "funk", "grunge", "emo", "indie",
    "electronic", "dub", "swing", "gospel", "opera", "hip hop", "rap", "ska", "shoegaze",
    "industrial", "new wave"};
static const char *const prefixes[] = {
    "post", "dream", "synth", "death", "black", "acid", "nu", "neo", "dark", "art", "math",
    "prog", "lo-fi", "hard", "deep", "free", "space", "noise", "chamber", "garage",
    "psychedelic", "progressive", "alternative", "experimental"};
static const char *const descriptors[] = {
    "seen live", "favorites", "awesome", "love", "chill", "party", "driving", "rainy day",
    "80s", "90s", "00s", "female vocalists", "male vocalists", "british", "german",
    "japanese", "french", "swedish", "usa", "instrumental", "acoustic", "mellow", "catchy",
    "epic", "beautiful", "guilty pleasure", "summer", "workout"};

/* The raw (HetRec-style, lower-case) name of the k-th tag of a role:
 * cluster c's tags are its root and prefixed forms of it ("rock", "post
 * rock"), general tags are descriptors, noise tags odd combinations and
 * made-up words. */
static void raw_tag_name(int32_t c, int32_t k, lr__rng *r, char *buf, size_t cap)
{
    if (c >= 0) {
        const char *root = roots[c % COUNT(roots)];
        if (k == 0)
            snprintf(buf, cap, "%s", root);
        else
            snprintf(buf, cap, "%s %s", prefixes[(k - 1 + 7 * c) % COUNT(prefixes)], root);
    } else if (c == -1) {
        snprintf(buf, cap, "%s", descriptors[k % COUNT(descriptors)]);
    } else if (lr__rng_uniform(r) < 0.5) {
        snprintf(buf, cap, "%s %s", descriptors[below(r, COUNT(descriptors))],
                 roots[below(r, COUNT(roots))]);
    } else {
        char w[64];
        make_stem(r, w);
        snprintf(buf, cap, "%c%s", w[0] + 32 * (w[0] >= 'A' && w[0] <= 'Z'), w + 1);
    }
}

/* A CamelCase name not yet in seen; clashes get a number ("Rock2"). */
static char *unique_tag(strset *seen, const char *raw)
{
    char buf[200];
    snprintf(buf, sizeof buf, "%s", raw);
    for (int k = 2;; k++) {
        char *s = lr__camel_case(buf);
        if (!s || strset_add(seen, s))
            return s;
        free(s);
        snprintf(buf, sizeof buf, "%s %d", raw, k);
    }
}

/* Roles dealt over a random order of tags: cluster tags round robin over
 * the clusters, then general, then noise.  rank[t] is t's place in its
 * role's list, which is also its popularity rank there. */
static int assign_tag_roles(gen *g, lr__rng *r, int32_t *rank)
{
    int32_t n_noise = g->T / 5, n_general = g->T / 10;
    int32_t n_cluster = g->T - n_noise - n_general;
    int32_t *order = permutation(r, g->T);
    g->t_cluster = lr__malloc((size_t)g->T, sizeof *g->t_cluster);
    g->general = lr__malloc((size_t)n_general, sizeof *g->general);
    g->noise = lr__malloc((size_t)n_noise, sizeof *g->noise);
    g->ct_ptr = lr__calloc((size_t)g->C + 1, sizeof *g->ct_ptr);
    g->ct_tag = lr__malloc((size_t)n_cluster, sizeof *g->ct_tag);
    if (!order || !g->t_cluster || !g->general || !g->noise || !g->ct_ptr || !g->ct_tag) {
        free(order);
        return lr__fail_oom("the synthetic tags' clusters");
    }
    for (int32_t c = 0; c < g->C; c++) /* cluster c deals i = c, c + C, ... */
        g->ct_ptr[c + 1] = g->ct_ptr[c] + (n_cluster > c ? (n_cluster - c + g->C - 1) / g->C : 0);
    for (int32_t i = 0; i < g->T; i++) {
        int32_t t = order[i];
        if (i < n_cluster) {
            g->t_cluster[t] = i % g->C;
            rank[t] = i / g->C;
            g->ct_tag[g->ct_ptr[i % g->C] + rank[t]] = t;
        } else if (i < n_cluster + n_general) {
            g->t_cluster[t] = -1;
            rank[t] = g->n_general;
            g->general[g->n_general++] = t;
        } else {
            g->t_cluster[t] = -2;
            rank[t] = g->n_noise;
            g->noise[g->n_noise++] = t;
        }
    }
    free(order);
    return LR_OK;
}

static int make_tags(gen *g)
{
    lr__rng r = stream(g, S_TAGS);
    int32_t *rank = lr__malloc((size_t)g->T, sizeof *rank);
    g->tag_names = lr__calloc((size_t)g->T, sizeof *g->tag_names);
    g->zipf1 = zipf_cum(g->T, 1.0);
    g->zipf2 = zipf_cum(g->T, 2.0);
    strset seen = {0};
    int rc = (!rank || !g->tag_names || !g->zipf1 || !g->zipf2) ? lr__fail_oom("the synthetic tag names") : LR_OK;
    if (rc == LR_OK)
        rc = assign_tag_roles(g, &r, rank);
    if (rc == LR_OK)
        rc = strset_init(&seen, (size_t)g->T);
    for (int32_t t = 0; rc == LR_OK && t < g->T; t++) {
        char raw[160];
        raw_tag_name(g->t_cluster[t], rank[t], &r, raw, sizeof raw);
        if (!(g->tag_names[t] = unique_tag(&seen, raw)))
            rc = lr__fail_oom("a synthetic tag name");
    }
    free(seen.slot);
    free(rank);
    return rc;
}

/* ----------------------------------------------------------- tag uses */

/* A tag for a use on an artist of cluster c: mostly the cluster's genre
 * tags, some general ones, a few from the steep noise tail (whose rare
 * end the min_tag_uses policy drops). */
static int32_t draw_tag(const gen *g, int32_t c, lr__rng *r)
{
    double x = lr__rng_uniform(r);
    int32_t b = g->ct_ptr[c], n = g->ct_ptr[c + 1] - b;
    if (x < 0.70 && n > 0)
        return g->ct_tag[b + draw_cum(g->zipf1, 0, n, r)];
    if (x < 0.90 && g->n_general > 0)
        return g->general[draw_cum(g->zipf1, 0, g->n_general, r)];
    if (g->n_noise > 0)
        return g->noise[draw_cum(g->zipf2, 0, g->n_noise, r)];
    return (int32_t)below(r, g->T);
}

static int add_use(gen *g, int32_t u, int32_t a, int32_t t, int64_t ms)
{
    if (lr__grow((void **)&g->uses, &g->cap_uses, g->n_uses + 1, sizeof *g->uses))
        return LR_E_NOMEM;
    g->uses[g->n_uses++] = (lr__tag_use){u, a, t, ms};
    return LR_OK;
}

/* One to four distinct tags on artist a, over one tagging session or, now
 * and then, two or three on different days. */
static int tag_artist(gen *g, int32_t u, int32_t a, int64_t day0, lr__rng *r)
{
    double x = lr__rng_uniform(r);
    int ntags = 1 + (x < 0.5) + (x < 0.25) + (x < 0.1);
    int sessions = lr__rng_uniform(r) < 0.85 ? 1 : 2 + (lr__rng_uniform(r) < 0.3);
    int64_t day[3];
    day[0] = day0 + (int64_t)below(r, 400);
    for (int s = 1; s < sessions; s++)
        day[s] = day[s - 1] + 1 + (int64_t)below(r, 90);
    int32_t given[4];
    int ng = 0;
    for (int slot = 0; slot < ntags; slot++) {
        int32_t t = draw_tag(g, g->a_cluster[a], r);
        int dup = 0;
        for (int i = 0; i < ng; i++)
            dup |= given[i] == t;
        if (dup)
            continue; /* fewer tags then: the draw favoured the same one */
        given[ng++] = t;
        int64_t d = day[below(r, sessions)];
        int64_t ms = (d < LAST_DAY ? d : LAST_DAY) * MS_PER_DAY + (int64_t)below(r, MS_PER_DAY);
        if (add_use(g, u, a, t, ms))
            return LR_E_NOMEM;
    }
    return LR_OK;
}

/* A tagger tags a lognormal number of their artists (often exactly one)
 * and, like HetRec's users, a few artists they do not list. */
static int tag_user(gen *g, int32_t u, int32_t *tmark, int32_t *pos, lr__rng *r)
{
    if (lr__rng_uniform(r) >= P_TAGGER)
        return LR_OK;
    int64_t b = g->u_lis[u];
    int32_t n = (int32_t)(g->u_lis[u + 1] - b);
    int32_t k = (int32_t)fmax(1, fmin(n, round(exp(1.9 + 1.0 * lr__rng_normal(r)))));
    int64_t day0 = FIRST_DAY + (int64_t)below(r, LAST_DAY - FIRST_DAY + 1);
    for (int32_t i = 0; i < n; i++)
        pos[i] = i;
    int rc = LR_OK;
    for (int32_t i = 0; i < k && rc == LR_OK; i++) {
        int32_t j = i + (int32_t)below(r, n - i), t = pos[i];
        pos[i] = pos[j];
        pos[j] = t;
        int32_t a = g->lis[b + pos[i]].col;
        tmark[a] = u + 1;
        rc = tag_artist(g, u, a, day0, r);
    }
    for (int32_t e = 0; e < k / 6 && rc == LR_OK; e++) {
        int32_t a = draw_artist(g, u, r);
        if (tmark[a] == u + 1)
            continue;
        tmark[a] = u + 1;
        rc = tag_artist(g, u, a, day0, r);
    }
    return rc;
}

static int make_uses(gen *g)
{
    if (g->T == 0)
        return LR_OK;
    lr__rng r = stream(g, S_USES);
    int32_t longest = 0;
    for (int32_t u = 0; u < g->U; u++)
        if (g->u_lis[u + 1] - g->u_lis[u] > longest)
            longest = (int32_t)(g->u_lis[u + 1] - g->u_lis[u]);
    int32_t *tmark = lr__calloc((size_t)g->A, sizeof *tmark);
    int32_t *pos = lr__malloc((size_t)longest, sizeof *pos);
    int rc = (!tmark || !pos) ? LR_E_NOMEM : LR_OK, stop = LR_OK;
    for (int32_t u = 0; u < g->U && rc == LR_OK && stop == LR_OK; u++) {
        stop = user_progress(g->p, "synthesize tag uses", u, g->U);
        if (stop == LR_OK)
            rc = tag_user(g, u, tmark, pos, &r);
    }
    if (rc == LR_OK && stop == LR_OK)
        stop = user_progress(g->p, "synthesize tag uses", g->U, g->U);
    free(tmark);
    free(pos);
    return rc ? lr__fail_oom("the synthetic tag uses") : stop;
}

/* ------------------------------------------------------------ friends */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Each user starts about friends_per_user / 2 friendships, mostly inside
 * the main cluster, so a friend pair shares more taste than a random one.
 * Both ends count a friendship, which makes the mean degree the option. */
static int make_friends(gen *g)
{
    lr__rng r = stream(g, S_FRIENDS);
    double half = (double)g->p->friends_per_user / 2;
    size_t cap = 0;
    for (int32_t u = 0; u < g->U; u++) {
        int64_t e = (int64_t)floor(half * exp(0.6 * lr__rng_normal(&r) - 0.18) +
                                   lr__rng_uniform(&r));
        int32_t c = g->u_c1[u], m = g->cu_ptr[c + 1] - g->cu_ptr[c];
        for (int64_t j = 0; j < e; j++) {
            int32_t v = (m > 1 && lr__rng_uniform(&r) < P_FRIEND_IN_CLUSTER)
                            ? g->cu_user[g->cu_ptr[c] + (int32_t)below(&r, m)]
                            : (int32_t)below(&r, g->U);
            if (v == u)
                continue;
            if (lr__grow((void **)&g->pairs, &cap, g->n_pairs + 1, sizeof *g->pairs))
                return LR_E_NOMEM;
            uint64_t lo = (uint64_t)(u < v ? u : v), hi = (uint64_t)(u < v ? v : u);
            g->pairs[g->n_pairs++] = lo << 32 | hi;
        }
    }
    if (g->n_pairs)
        qsort(g->pairs, g->n_pairs, sizeof *g->pairs, cmp_u64);
    size_t n = 0;
    for (size_t i = 0; i < g->n_pairs; i++)
        if (n == 0 || g->pairs[i] != g->pairs[n - 1])
            g->pairs[n++] = g->pairs[i];
    g->n_pairs = n;
    return LR_OK;
}

/* ----------------------------------------------------------- assembly */

/* The loader's policy: a tag used at most min_tag_uses times goes, with
 * its uses.  Dropped tags keep their IDs, leaving gaps as in tags.dat. */
static int keep_tags(const gen *g, lr_dataset *ds, const int32_t *all_ids)
{
    int64_t *uses = lr__calloc((size_t)g->T, sizeof *uses);
    int32_t *dense = lr__malloc((size_t)g->T, sizeof *dense);
    char **kept_names = lr__malloc((size_t)g->T, sizeof *kept_names);
    ds->tag_ids = lr__malloc((size_t)g->T, sizeof *ds->tag_ids);
    /* zeroed, and filled field by field below, so the padding inside each
     * use is zero and the dataset is the same byte for byte per seed */
    ds->tag_uses = lr__calloc(g->n_uses, sizeof *ds->tag_uses);
    int rc = (!uses || !dense || !kept_names || !ds->tag_ids || !ds->tag_uses) ? lr__fail_oom("the synthetic dataset's tags")
                                                                               : LR_OK;
    if (rc == LR_OK) {
        for (size_t i = 0; i < g->n_uses; i++)
            uses[g->uses[i].tag]++;
        for (int32_t t = 0; t < g->T; t++) {
            dense[t] = uses[t] > g->p->min_tag_uses ? ds->n_tags : -1;
            if (dense[t] >= 0) {
                ds->tag_ids[ds->n_tags] = all_ids[t];
                kept_names[ds->n_tags++] = g->tag_names[t];
            }
        }
        for (size_t i = 0; i < g->n_uses; i++)
            if (dense[g->uses[i].tag] >= 0) {
                lr__tag_use *t = &ds->tag_uses[ds->n_tag_uses++];
                t->user = g->uses[i].user;
                t->artist = g->uses[i].artist;
                t->tag = dense[g->uses[i].tag];
                t->time_ms = g->uses[i].time_ms;
            }
        qsort(ds->tag_uses, (size_t)ds->n_tag_uses, sizeof *ds->tag_uses, lr__tag_use_cmp);
        rc = lr__strtab_from_array(&ds->tag_names, kept_names, ds->n_tags);
    }
    ds->report.tags_in_file = g->T;
    ds->report.tags_dropped = g->T - ds->n_tags;
    ds->report.tag_uses_in_file = (int64_t)g->n_uses;
    ds->report.tag_uses_rare = (int64_t)g->n_uses - ds->n_tag_uses;
    ds->report.min_tag_uses = g->p->min_tag_uses;
    free(uses);
    free(dense);
    free(kept_names);
    return rc;
}

static int build_friends(const gen *g, lr_dataset *ds)
{
    lr__triplet *t = lr__malloc(2 * g->n_pairs, sizeof *t);
    if (!t)
        return lr__fail_oom("the synthetic friendships");
    for (size_t i = 0; i < g->n_pairs; i++) {
        int32_t lo = (int32_t)(g->pairs[i] >> 32), hi = (int32_t)(g->pairs[i] & 0xffffffffu);
        t[2 * i] = (lr__triplet){lo, hi, 1};
        t[2 * i + 1] = (lr__triplet){hi, lo, 1};
    }
    int rc = lr__csr_from_triplets(&ds->friends, g->U, g->U, t, 2 * g->n_pairs, 0, NULL);
    free(t);
    ds->report.friend_rows = 2 * (int64_t)g->n_pairs;
    return rc;
}

static int assemble(const gen *g, lr_dataset *ds)
{
    lr__rng r = stream(g, S_IDS);
    ds->n_users = g->U;
    ds->n_artists = g->A;
    ds->user_ids = make_ids(&r, g->U, 2);
    ds->artist_ids = make_ids(&r, g->A, 1);
    int32_t *tag_ids = make_ids(&r, g->T, 1);
    if (!ds->user_ids || !ds->artist_ids || !tag_ids) {
        free(tag_ids);
        return lr__fail_oom("the synthetic IDs");
    }
    char **names = NULL;
    int rc = make_artist_names(g, &names);
    if (rc == LR_OK)
        rc = lr__strtab_from_array(&ds->artist_names, names, g->A);
    free_strs(names, g->A);
    if (rc == LR_OK)
        rc = lr__csr_from_triplets(&ds->listens, g->U, g->A, g->lis, g->n_lis, 1, NULL);
    if (rc == LR_OK)
        rc = keep_tags(g, ds, tag_ids);
    free(tag_ids);
    if (rc == LR_OK)
        rc = build_friends(g, ds);
    if (rc == LR_OK)
        rc = lr__dataset_derive(ds);
    return rc;
}

static int check_params(const lr__synth_params *p)
{
    if (p->users < 1 || p->users > 10000000 || p->artists < 1 || p->artists > 10000000)
        return lr__fail(LR_E_INVALID, "synthesize: users and artists must be in [1, 10000000]");
    if (p->clusters < 1 || p->tags < 0 || p->tags > 10000000 || p->artists_per_user < 1 ||
        p->friends_per_user < 0 || p->min_tag_uses < 0)
        return lr__fail(LR_E_INVALID, "synthesize: a parameter is out of range");
    /* Refuse what could not fit rather than page the machine to death. */
    double listens = (double)p->users * fmin((double)p->artists_per_user, (double)p->artists);
    if (listens > 5e8)
        return lr__fail(LR_E_INVALID,
                        "synthesize: %lld users x %lld artists each is about %.3g listens; "
                        "at most 5e8", (long long)p->users, (long long)p->artists_per_user,
                        listens);
    if ((double)p->users * (double)p->friends_per_user > 5e8)
        return lr__fail(LR_E_INVALID, "synthesize: too many friendships (users x friends > 5e8)");
    return LR_OK;
}

int lr__synthesize(lr_dataset **out, const lr__synth_params *p, lr__synth_truth *truth)
{
    *out = NULL;
    if (truth)
        memset(truth, 0, sizeof *truth);
    int rc = check_params(p);
    if (rc)
        return rc;
    gen g = {.p = p, .U = (int32_t)p->users, .A = (int32_t)p->artists, .T = (int32_t)p->tags};
    /* every cluster needs an artist to draw from */
    g.C = (int32_t)(p->clusters < p->artists ? p->clusters : p->artists);
    lr_dataset *ds = lr__dataset_alloc(LR_SOURCE_SYNTHETIC, "synthetic");
    rc = ds ? setup_artists(&g) : lr__fail_oom("the synthetic dataset");
    if (rc == LR_OK)
        rc = setup_users(&g);
    if (rc == LR_OK)
        rc = make_listens(&g);
    if (rc == LR_OK)
        rc = make_tags(&g);
    if (rc == LR_OK)
        rc = make_uses(&g);
    /* the friends and the assembly (sorting, statistics) take about as
     * long as the listens: say so rather than sit at 100% */
    if (rc == LR_OK)
        rc = lr__progress_report(p->progress, "synthesize friends and dataset", 0, 1);
    if (rc == LR_OK)
        rc = make_friends(&g) ? lr__fail_oom("the synthetic friendships") : LR_OK;
    if (rc == LR_OK)
        rc = assemble(&g, ds);
    if (rc == LR_OK)
        rc = lr__progress_report(p->progress, "synthesize friends and dataset", 1, 1);
    if (rc == LR_OK && truth) {
        truth->clusters = g.C;
        truth->user_cluster = g.u_c1;
        truth->user_cluster2 = g.u_c2;
        truth->artist_cluster = g.a_cluster;
        g.u_c1 = g.u_c2 = g.a_cluster = NULL;
    }
    gen_free(&g);
    if (rc) {
        lr_dataset_free(ds);
        return rc;
    }
    *out = ds;
    return LR_OK;
}
