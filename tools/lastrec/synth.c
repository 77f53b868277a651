/* lastrec synth: write the built-in synthetic data set as a HetRec
 * directory, the demo's and the tests' stand-in for the real data.
 * SPDX-License-Identifier: MIT */
#include "util.h"

#include <string.h>

/* --users and friends are shorthands for library options; they are applied
 * after every --opt so the explicit flag wins. */
static const struct {
    const char *flag;
    int key;
} shorthands[] = {
    {"users", LR_OPT_SYNTH_USERS},
    {"artists", LR_OPT_SYNTH_ARTISTS},
    {"seed", LR_OPT_SEED},
};

static int apply_shorthands(const tool_args *a, lr_options *opts)
{
    for (size_t i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++) {
        const char *text = tool_value(a, shorthands[i].flag);
        if (!text)
            continue;
        long long v;
        if (tool_parse_int(text, INT64_MIN, INT64_MAX, &v) != 0)
            return tool_usage_error(a->cmd, "synth: --%s: '%s' is not a whole number",
                                    shorthands[i].flag, text);
        if (lr_options_set_int(opts, shorthands[i].key, v) != LR_OK)
            return tool_usage_error(a->cmd, "synth: --%s: %s", shorthands[i].flag,
                                    lr_last_error());
    }
    return TOOL_OK;
}

static void report(const lr_dataset *ds, const char *dir, const lr_options *opts, int l360)
{
    if (l360) {
        char u[32], ar[32], l[32];
        int64_t seed = 0, quirks = 1, bad = 0;
        lr_options_get_int(opts, LR_OPT_SEED, &seed);
        lr_options_get_int(opts, LR_OPT_SYNTH_QUIRKS, &quirks);
        lr_options_get_int(opts, LR_OPT_SYNTH_BAD_LINES, &bad);
        printf("%s: synthetic lastfm-360K data, %s users, %s artists, %s user-artist pairs, "
               "quirks %s, %lld malformed lines (seed %lld)\n",
               dir, tool_fmt(u, sizeof u, (double)lr_dataset_count(ds, LR_COUNT_USERS), 0),
               tool_fmt(ar, sizeof ar, (double)lr_dataset_count(ds, LR_COUNT_ARTISTS), 0),
               tool_fmt(l, sizeof l, (double)lr_dataset_count(ds, LR_COUNT_LISTENS), 0),
               quirks ? "on" : "off", (long long)bad, (long long)seed);
        return;
    }
    char u[32], ar[32], l[32], t[32], tu[32], f[32];
    int64_t seed = 0;
    lr_options_get_int(opts, LR_OPT_SEED, &seed);
    printf("%s: synthetic HetRec data, %s users, %s artists, %s user-artist pairs, %s tags, "
           "%s tag uses, %s friend pairs (seed %lld)\n",
           dir, tool_fmt(u, sizeof u, (double)lr_dataset_count(ds, LR_COUNT_USERS), 0),
           tool_fmt(ar, sizeof ar, (double)lr_dataset_count(ds, LR_COUNT_ARTISTS), 0),
           tool_fmt(l, sizeof l, (double)lr_dataset_count(ds, LR_COUNT_LISTENS), 0),
           tool_fmt(t, sizeof t, (double)lr_dataset_count(ds, LR_COUNT_TAGS), 0),
           tool_fmt(tu, sizeof tu, (double)lr_dataset_count(ds, LR_COUNT_TAG_USES), 0),
           tool_fmt(f, sizeof f, (double)lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS), 0),
           (long long)seed);
}

static int run(const tool_args *a)
{
    const char *dir = a->pos[0];
    lr_options *opts = NULL;
    int rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    rc = apply_shorthands(a, opts);
    if (rc != TOOL_OK) {
        lr_options_free(opts);
        return rc;
    }
    const char *format = tool_value(a, "format");
    int l360 = format && strcmp(format, "lastfm-360k") == 0;
    if (format && !l360 && strcmp(format, "hetrec") != 0) {
        lr_options_free(opts);
        return tool_usage_error(a->cmd, "synth: --format: '%s' is neither hetrec nor lastfm-360k",
                                format);
    }
    const char *step = l360 ? "write lastfm-360K files" : "write HetRec files";
    lr_dataset *ds = NULL;
    int st = lr_dataset_synthesize(&ds, opts);
    /* Writing takes as long as drawing the data and the library does not
     * report it: a step of the display's own.  After Ctrl-C nothing is
     * started, so no file is left. */
    if (st == LR_OK && (rc = tool_progress_step(step, 0, 1)) == TOOL_OK) {
        st = l360 ? lr_dataset_write_lastfm360k(ds, dir, opts) : lr_dataset_write_hetrec(ds, dir);
        tool_progress_step(step, 1, 1);
    }
    if (rc != TOOL_OK) {
        tool_progress_done();
    } else if (st == LR_OK) {
        tool_progress_done();
        report(ds, dir, opts, l360);
    } else {
        rc = tool_fail(st, NULL);
    }
    lr_dataset_free(ds);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"users", "N", "number of users (default 600)"},
    {"artists", "M", "number of artists (default 3000)"},
    {"seed", "S", "seed of every random choice (default 42)"},
    {"format", "F", "hetrec (default) or lastfm-360k: usersha1-artmbid-artname-plays.tsv "
                    "and usersha1-profile.tsv with the real files' quirks"},
    {"opt", "KEY=VALUE",
     "set a library option, e.g. synth_clusters=8 (repeatable; "
     "`lastrec help options` lists them)"},
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_synth = {
    .name = "synth",
    .args = "OUTDIR",
    .npos = 1,
    .summary = "write a synthetic HetRec-shaped data set to a directory",
    .details = "Builds users in taste clusters, artists with Zipf-like popularity,\n"
               "tags tied to clusters and friends drawn by shared taste, and writes\n"
               "artists.dat, tags.dat, user_artists.dat, user_friends.dat and\n"
               "user_taggedartists.dat to OUTDIR (created if missing).  The same\n"
               "options and seed give the same files.  --format lastfm-360k writes\n"
               "the same data as usersha1-artmbid-artname-plays.tsv and\n"
               "usersha1-profile.tsv instead, with missing MBIDs, second spellings,\n"
               "split rows and non-ASCII names (options synth_quirks,\n"
               "synth_bad_lines).",
    .opts = opts,
    .run = run,
};
