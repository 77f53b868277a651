/* lastrec info: what was loaded and what the loader did to it.
 * SPDX-License-Identifier: MIT */
#include "json.h"
#include "util.h"

#include <stdlib.h>

/* The counters shown, in display order, with their JSON keys. */
static const struct {
    int which;
    const char *key;
} counters[] = {
    {LR_COUNT_USERS, "users"},
    {LR_COUNT_ARTISTS, "artists"},
    {LR_COUNT_LISTENS, "listens"},
    {LR_COUNT_TAGS, "tags"},
    {LR_COUNT_TAGS_IN_FILE, "tags_in_file"},
    {LR_COUNT_TAGS_DROPPED, "tags_dropped"},
    {LR_COUNT_TAG_USES, "tag_uses"},
    {LR_COUNT_TAG_USES_IN_FILE, "tag_uses_in_file"},
    {LR_COUNT_TAG_USES_UNLISTENED, "tag_uses_unlistened"},
    {LR_COUNT_ARTISTS_UNLISTENED, "artists_unlistened"},
    {LR_COUNT_TAG_USES_RARE, "tag_uses_rare"},
    {LR_COUNT_FRIEND_ROWS, "friend_rows"},
    {LR_COUNT_FRIEND_PAIRS, "friend_pairs"},
    {LR_COUNT_FRIEND_ROWS_ONE_WAY, "friend_rows_one_way"},
    {LR_COUNT_LATIN1_FIXES, "latin1_fixes"},
    {LR_COUNT_TIMESTAMPS_MERGED, "timestamps_merged"},
    {LR_COUNT_MIN_TAG_USES, "min_tag_uses"},
    {LR_COUNT_ROWS_SUMMED, "rows_summed"},
    {LR_COUNT_SPELLINGS_MERGED, "spellings_merged"},
    {LR_COUNT_BAD_LINES_SKIPPED, "bad_lines_skipped"},
    {LR_COUNT_PROFILES, "profiles"},
};
#define N_COUNTERS (sizeof counters / sizeof counters[0])

#define MAX_POLICIES 8

typedef struct policy {
    const char *name;
    char text[256];
} policy;

static int64_t count(const lr_dataset *ds, int which)
{
    int64_t v = lr_dataset_count(ds, which);
    return v < 0 ? 0 : v;
}

/* Plays: the play counts of every user-artist pair, summed (the sum of
 * the per-user totals; exact in a double up to 2^53). */
static double plays(const lr_dataset *ds)
{
    size_t n = 0;
    int rc = lr_dataset_distribution(ds, LR_DIST_USER_LISTENS, NULL, 0, &n);
    lr_clear_error();
    if ((rc != LR_OK && rc != LR_E_BUFSIZE) || n == 0)
        return 0;
    double *v = malloc(n * sizeof *v), sum = 0;
    if (v && lr_dataset_distribution(ds, LR_DIST_USER_LISTENS, v, n, NULL) == LR_OK)
        for (size_t i = 0; i < n; i++)
            sum += v[i];
    lr_clear_error();
    free(v);
    return sum;
}

/* Data read from a lastfm-360K file, or from a snapshot of such data:
 * its users keep their keys (numbered 1.. by first appearance). */
static int lastfm360k_shaped(const lr_dataset *ds)
{
    if (count(ds, LR_COUNT_SOURCE_KIND) == LR_SOURCE_LASTFM360K)
        return 1;
    const int keyed = lr_dataset_user_key(ds, 1) != NULL;
    lr_clear_error();
    return keyed;
}

static const char *n(char *buf, int64_t v)
{
    return tool_fmt(buf, 32, (double)v, 0);
}

/* One line per processing rule that shaped this dataset, with its effect,
 * so a reader of the output knows what the counts mean (docs/data.md has
 * the rules in full). */
static size_t policies(const lr_dataset *ds, policy *out)
{
    size_t k = 0;
    char a[32], b[32], c[32];
    int64_t kind = count(ds, LR_COUNT_SOURCE_KIND);
    if (kind == LR_SOURCE_LISTENS) {
        out[k].name = "listens_only";
        snprintf(out[k++].text, sizeof out->text,
                 "a single listens file: no names, tags or friends; artists are named by ID");
        return k;
    }
    if (lastfm360k_shaped(ds)) {
        out[k].name = "lastfm360k_keys";
        snprintf(out[k++].text, sizeof out->text,
                 "users numbered 1.. by first appearance; artists keyed by MBID, else by "
                 "their name in lower case with spaces collapsed (docs/formats.md)");
        out[k].name = "summed_rows";
        snprintf(out[k++].text, sizeof out->text,
                 "%s rows repeating a (user, artist) summed into it; %s artist spellings "
                 "merged", n(a, count(ds, LR_COUNT_ROWS_SUMMED)),
                 n(b, count(ds, LR_COUNT_SPELLINGS_MERGED)));
        out[k].name = "bad_lines";
        snprintf(out[k++].text, sizeof out->text, "%s malformed lines skipped (option "
                 "skip_bad_lines)", n(a, count(ds, LR_COUNT_BAD_LINES_SKIPPED)));
    }
    if (kind == LR_SOURCE_SNAPSHOT) {
        out[k].name = "snapshot";
        snprintf(out[k++].text, sizeof out->text,
                 "processed before it was saved; the rules below ran then");
    }
    if (count(ds, LR_COUNT_TAG_USES_IN_FILE) > 0 || count(ds, LR_COUNT_TAGS_IN_FILE) > 0) {
        out[k].name = "camelcase_tags";
        snprintf(out[k++].text, sizeof out->text,
                 "tag names in CamelCase (\"hip hop\" -> \"HipHop\")");
        out[k].name = "unlistened_artists";
        snprintf(out[k++].text, sizeof out->text,
                 "%s tag uses on %s artists nobody listened to dropped",
                 n(a, count(ds, LR_COUNT_TAG_USES_UNLISTENED)),
                 n(b, count(ds, LR_COUNT_ARTISTS_UNLISTENED)));
        out[k].name = "rare_tags";
        snprintf(out[k++].text, sizeof out->text,
                 "tags used at most %s times dropped: %s tags, %s uses",
                 n(a, count(ds, LR_COUNT_MIN_TAG_USES)),
                 n(b, count(ds, LR_COUNT_TAGS_DROPPED)),
                 n(c, count(ds, LR_COUNT_TAG_USES_RARE)));
        out[k].name = "timestamps";
        if (count(ds, LR_COUNT_TIMESTAMPS_MERGED) > 0)
            snprintf(out[k++].text, sizeof out->text,
                     "%s tag uses timed from user_taggedartists-timestamps.dat",
                     n(a, count(ds, LR_COUNT_TIMESTAMPS_MERGED)));
        else
            snprintf(out[k++].text, sizeof out->text,
                     "no timestamps file: each tag use dated the first of its month");
    }
    if (count(ds, LR_COUNT_FRIEND_ROWS) > 0) {
        out[k].name = "symmetric_friends";
        snprintf(out[k++].text, sizeof out->text,
                 "%s friend rows read as %s unordered pairs (%s rows lacked their reverse)",
                 n(a, count(ds, LR_COUNT_FRIEND_ROWS)),
                 n(b, count(ds, LR_COUNT_FRIEND_PAIRS)),
                 n(c, count(ds, LR_COUNT_FRIEND_ROWS_ONE_WAY)));
    }
    if (kind != LR_SOURCE_SYNTHETIC) {
        out[k].name = "latin1";
        snprintf(out[k++].text, sizeof out->text,
                 "%s bytes that are not UTF-8 read as Latin-1",
                 n(a, count(ds, LR_COUNT_LATIN1_FIXES)));
    }
    return k;
}

static void print_tags_and_friends(const lr_dataset *ds)
{
    char a[32], b[32], c[32];
    printf("  %-18s %12s  of %s in tags.dat\n", "tags kept",
           n(a, count(ds, LR_COUNT_TAGS)), n(b, count(ds, LR_COUNT_TAGS_IN_FILE)));
    printf("  %-18s %12s\n", "tags dropped", n(a, count(ds, LR_COUNT_TAGS_DROPPED)));
    printf("  %-18s %12s  of %s in user_taggedartists.dat\n", "tag uses kept",
           n(a, count(ds, LR_COUNT_TAG_USES)), n(b, count(ds, LR_COUNT_TAG_USES_IN_FILE)));
    int64_t unlistened = count(ds, LR_COUNT_TAG_USES_UNLISTENED);
    int64_t rare = count(ds, LR_COUNT_TAG_USES_RARE);
    printf("  %-18s %12s  (%s on unlistened artists, %s with rare tags)\n",
           "tag uses dropped", n(a, unlistened + rare), n(b, unlistened), n(c, rare));
    printf("  %-18s %12s  from %s rows\n", "friend pairs",
           n(a, count(ds, LR_COUNT_FRIEND_PAIRS)), n(b, count(ds, LR_COUNT_FRIEND_ROWS)));
}

static void print_text(const lr_dataset *ds, const char *path)
{
    char a[32];
    printf("%s: %s\n", path, tool_source_name(count(ds, LR_COUNT_SOURCE_KIND)));
    printf("  %-18s %12s\n", "users", n(a, count(ds, LR_COUNT_USERS)));
    printf("  %-18s %12s\n", "artists", n(a, count(ds, LR_COUNT_ARTISTS)));
    /* Two units, two words: a pair is one row of user_artists.dat, a play
     * one listen of its count (docs/data.md). */
    printf("  %-18s %12s  (user, artist) rows\n", "user-artist pairs",
           n(a, count(ds, LR_COUNT_LISTENS)));
    printf("  %-18s %12s  their play counts summed\n", "plays",
           tool_fmt(a, sizeof a, plays(ds), 0));
    /* A listens file has no tags or friends: zeros there would only read as
     * if something had been dropped. */
    int64_t kind = count(ds, LR_COUNT_SOURCE_KIND);
    if (lastfm360k_shaped(ds)) {
        printf("  %-18s %12s  rows repeating a (user, artist), plays summed\n", "rows summed",
               n(a, count(ds, LR_COUNT_ROWS_SUMMED)));
        printf("  %-18s %12s  second spellings merged into an artist\n", "spellings merged",
               n(a, count(ds, LR_COUNT_SPELLINGS_MERGED)));
        printf("  %-18s %12s  malformed, skipped (skip_bad_lines)\n", "bad lines skipped",
               n(a, count(ds, LR_COUNT_BAD_LINES_SKIPPED)));
        printf("  %-18s %12s  rows of usersha1-profile.tsv\n", "profiles",
               n(a, count(ds, LR_COUNT_PROFILES)));
    } else if (kind != LR_SOURCE_LISTENS) {
        print_tags_and_friends(ds);
    }
    printf("  %-18s %12s\n", "Latin-1 fixes", n(a, count(ds, LR_COUNT_LATIN1_FIXES)));
    policy p[MAX_POLICIES];
    size_t np = policies(ds, p);
    if (np)
        puts("policies:");
    for (size_t i = 0; i < np; i++)
        printf("  %s: %s\n", p[i].name, p[i].text);
}

static void print_json(const lr_dataset *ds, const char *path)
{
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w, NULL);
    json_string(&w, "path", path);
    json_string(&w, "source", tool_source_key(count(ds, LR_COUNT_SOURCE_KIND)));
    json_string(&w, "lastrec_version", lr_version_string());
    json_object_begin(&w, "counts");
    for (size_t i = 0; i < N_COUNTERS; i++)
        json_int(&w, counters[i].key, count(ds, counters[i].which));
    /* "listens" counts user-artist pairs (a stable key); "plays" sums
     * their play counts. */
    json_int(&w, "plays", (int64_t)plays(ds));
    json_int(&w, "tag_uses_dropped",
             count(ds, LR_COUNT_TAG_USES_UNLISTENED) + count(ds, LR_COUNT_TAG_USES_RARE));
    json_object_end(&w);
    policy p[MAX_POLICIES];
    size_t np = policies(ds, p);
    json_array_begin(&w, "policies");
    for (size_t i = 0; i < np; i++) {
        json_object_begin(&w, NULL);
        json_string(&w, "name", p[i].name);
        json_string(&w, "summary", p[i].text);
        json_object_end(&w);
    }
    json_array_end(&w);
    json_object_end(&w);
    json_finish(&w);
}

static int run(const tool_args *a)
{
    lr_dataset *ds = NULL;
    int rc = tool_load(a, a->pos[0], &ds);
    if (rc != TOOL_OK)
        return rc;
    if (tool_flag(a, "json"))
        print_json(ds, a->pos[0]);
    else
        print_text(ds, a->pos[0]);
    lr_dataset_free(ds);
    return TOOL_OK;
}

static const tool_opt opts[] = {
    TOOL_OPT_JSON,
    TOOL_OPT_OPT,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_info = {
    .name = "info",
    .args = "PATH",
    .npos = 1,
    .summary = "load a data set and print its counts and the processing applied",
    .details = "PATH is a HetRec 2011 directory, a file in user_artists.dat format\n"
               "or a snapshot written by 'lastrec snapshot'; the kind is recognised.\n"
               "Prints users, artists, user-artist pairs (rows of user_artists.dat)\n"
               "and plays (their play counts summed), tags and tag uses kept and\n"
               "dropped, friend pairs, Latin-1 fixes, and one line per processing policy.",
    .opts = opts,
    .run = run,
};
