/* lastrec analyze: the notebook's exploratory analysis of a data set, from
 * lr_dataset_distribution().  SPDX-License-Identifier: MIT */
#include "json.h"
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_BINS 10
#define HIST_WIDTH 40

/* One distribution, sorted ascending (quantiles need that; nothing here
 * needs the ID order). */
typedef struct dist {
    double *v;
    size_t n;
} dist;

typedef struct analysis {
    dist user_listens, artist_listens, tagged_artists, sessions, tags_per_pair,
        repeats, friend[3], random[3];
} analysis;

static const int friend_dist[3] = {LR_DIST_FRIEND_JACCARD, LR_DIST_FRIEND_COSINE,
                                   LR_DIST_FRIEND_SHARED};
static const int random_dist[3] = {LR_DIST_RANDOM_JACCARD, LR_DIST_RANDOM_COSINE,
                                   LR_DIST_RANDOM_SHARED};
static const char *const overlap_key[3] = {"jaccard", "cosine", "shared_artists"};
static const char *const overlap_label[3] = {"Jaccard", "cosine", "shared artists"};

static int fetch(const lr_dataset *ds, int which, dist *d)
{
    size_t needed = 0;
    int rc = lr_dataset_distribution(ds, which, NULL, 0, &needed);
    if (rc != LR_OK && rc != LR_E_BUFSIZE)
        return rc;
    lr_clear_error();
    d->n = needed;
    d->v = malloc((needed ? needed : 1) * sizeof *d->v);
    if (!d->v) /* said here, where the size is known; TOOL_BAD_INPUT is no LR_E_* */
        return tool_oom(NULL, needed ? needed : 1, sizeof *d->v, "a distribution");
    rc = lr_dataset_distribution(ds, which, d->v, needed, &needed);
    if (rc != LR_OK)
        return rc;
    stats_sort(d->v, d->n);
    return LR_OK;
}

/* Users who never tagged carry a 0; the notebook counted taggers only. */
static void drop_zeros(dist *d)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        if (d->v[i] != 0)
            d->v[k++] = d->v[i];
    d->n = k;
}

static void free_analysis(analysis *an)
{
    dist *all[] = {&an->user_listens, &an->artist_listens, &an->tagged_artists,
                   &an->sessions, &an->tags_per_pair, &an->repeats,
                   &an->friend[0], &an->friend[1], &an->friend[2],
                   &an->random[0], &an->random[1], &an->random[2]};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->v);
}

static int compute(const lr_dataset *ds, analysis *an)
{
    struct {
        int which;
        dist *d;
    } want[] = {
        {LR_DIST_USER_LISTENS, &an->user_listens},
        {LR_DIST_ARTIST_LISTENS, &an->artist_listens},
        {LR_DIST_USER_TAGGED_ARTISTS, &an->tagged_artists},
        {LR_DIST_TAG_SESSIONS, &an->sessions},
        {LR_DIST_TAGS_PER_USER_ARTIST, &an->tags_per_pair},
        {LR_DIST_USER_TAG_REPEATS, &an->repeats},
        {friend_dist[0], &an->friend[0]}, {friend_dist[1], &an->friend[1]},
        {friend_dist[2], &an->friend[2]}, {random_dist[0], &an->random[0]},
        {random_dist[1], &an->random[1]}, {random_dist[2], &an->random[2]},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int rc = fetch(ds, want[i].which, want[i].d);
        if (rc != LR_OK)
            return rc;
    }
    drop_zeros(&an->tagged_artists);
    return LR_OK;
}

/* ------------------------------------------------------------- listens */

/* The notebook's view of a long-tailed total: the share above a cut-off,
 * and a histogram of the rest where the bulk of the mass is. */
typedef struct listen_section {
    const char *key, *title, *unit;
    double cutoff;
} listen_section;

static const listen_section user_section = {"user_listens", "Plays per user: play counts summed over each user's artists", "users", 150000};
static const listen_section artist_section = {"artist_listens", "Plays per artist: play counts summed over each artist's listeners", "artists", 15000};

static const struct {
    const char *key;
    double q;
} quantiles[] = {
    {"min", 0}, {"10%", 0.1}, {"25%", 0.25}, {"50%", 0.5},
    {"75%", 0.75}, {"90%", 0.9}, {"99%", 0.99}, {"max", 1},
};
#define N_QUANTILES (sizeof quantiles / sizeof quantiles[0])

static size_t above(const dist *d, double cutoff)
{
    size_t k = 0;
    for (size_t i = 0; i < d->n; i++)
        k += d->v[i] > cutoff;
    return k;
}

static void text_listens(const listen_section *s, const dist *d)
{
    char a[32], b[32], c[32], e[32];
    printf("%s (%s %s)\n", s->title, tool_fmt(a, sizeof a, (double)d->n, 0), s->unit);
    if (d->n == 0) {
        puts("  no plays\n");
        return;
    }
    printf("  mean %s   std %s\n", tool_fmt(a, sizeof a, stats_mean(d->v, d->n), 3),
           tool_fmt(b, sizeof b, stats_std(d->v, d->n), 3));
    for (size_t i = 0; i < N_QUANTILES; i++) {
        double q = stats_quantile(d->v, d->n, quantiles[i].q);
        /* Two lines of four keep the widest real totals inside 79 columns. */
        printf("%s%s %s", i % 4 ? "   " : "  ", quantiles[i].key,
               tool_fmt(a, sizeof a, q, q == floor(q) ? 0 : 2));
        if (i % 4 == 3 || i + 1 == N_QUANTILES)
            putchar('\n');
    }
    size_t hi = above(d, s->cutoff);
    printf("  above %s: %s of %s %s (%.2f%%); the rest, in bins of %s:\n",
           tool_fmt(a, sizeof a, s->cutoff, 0), tool_fmt(b, sizeof b, (double)hi, 0),
           tool_fmt(c, sizeof c, (double)d->n, 0), s->unit,
           100.0 * (double)hi / (double)d->n,
           tool_fmt(e, sizeof e, s->cutoff / HIST_BINS, 0));
    size_t counts[HIST_BINS], top = 1;
    /* The cut-off itself belongs below, as "above" is strict. */
    stats_histogram(d->v, d->n, 0, nextafter(s->cutoff, INFINITY), HIST_BINS, counts);
    for (size_t i = 0; i < HIST_BINS; i++)
        top = counts[i] > top ? counts[i] : top;
    double width = s->cutoff / HIST_BINS;
    for (size_t i = 0; i < HIST_BINS; i++) {
        char bar[HIST_WIDTH + 1];
        size_t len = (counts[i] * HIST_WIDTH + top - 1) / top;
        memset(bar, '#', len);
        bar[len] = '\0';
        printf("  %9s - %-9s %-*s %s\n", tool_fmt(a, sizeof a, width * (double)i, 0),
               tool_fmt(b, sizeof b, width * (double)(i + 1), 0), HIST_WIDTH, bar,
               tool_fmt(c, sizeof c, (double)counts[i], 0));
    }
    putchar('\n');
}

static void json_listens(json_writer *w, const listen_section *s, const dist *d)
{
    json_object_begin(w, s->key);
    json_int(w, "count", (int64_t)d->n);
    json_number(w, "mean", stats_mean(d->v, d->n));
    json_number(w, "std", stats_std(d->v, d->n));
    json_object_begin(w, "quantiles");
    for (size_t i = 0; i < N_QUANTILES; i++)
        json_number(w, quantiles[i].key, stats_quantile(d->v, d->n, quantiles[i].q));
    json_object_end(w);
    size_t hi = above(d, s->cutoff);
    json_number(w, "cutoff", s->cutoff);
    json_int(w, "above_cutoff", (int64_t)hi);
    json_number(w, "share_above_cutoff", d->n ? (double)hi / (double)d->n : NAN);
    size_t counts[HIST_BINS];
    stats_histogram(d->v, d->n, 0, nextafter(s->cutoff, INFINITY), HIST_BINS, counts);
    json_object_begin(w, "histogram_below_cutoff");
    json_number(w, "bin_width", s->cutoff / HIST_BINS);
    json_array_begin(w, "counts");
    for (size_t i = 0; i < HIST_BINS; i++)
        json_int(w, NULL, (int64_t)counts[i]);
    json_array_end(w);
    json_object_end(w);
    json_object_end(w);
}

/* ------------------------------------------------------------- tagging */

static double median(const dist *d) { return stats_quantile(d->v, d->n, 0.5); }

static void text_tagging(const analysis *an)
{
    char a[32], b[32], c[32], e[32], f[32];
    const dist *t = &an->tagged_artists, *s = &an->sessions, *p = &an->tags_per_pair,
               *r = &an->repeats;
    if (t->n == 0) {
        puts("Tagging: no tag uses\n");
        return;
    }
    printf("Artists tagged per user (%s users who tag)\n", tool_fmt(a, sizeof a, (double)t->n, 0));
    printf("  mean %s   std %s   exactly one artist: %s users   max %s\n",
           tool_fmt(b, sizeof b, stats_mean(t->v, t->n), 3),
           tool_fmt(c, sizeof c, stats_std(t->v, t->n), 3),
           tool_fmt(e, sizeof e, (double)stats_count_equal(t->v, t->n, 1), 0),
           tool_fmt(f, sizeof f, t->v[t->n - 1], 0));
    printf("Tagging sessions (distinct days) per (user, artist) (%s pairs)\n",
           tool_fmt(a, sizeof a, (double)s->n, 0));
    printf("  mean %s   std %s\n", tool_fmt(b, sizeof b, stats_mean(s->v, s->n), 3),
           tool_fmt(c, sizeof c, stats_std(s->v, s->n), 3));
    puts("Tags per (user, artist)");
    printf("  mean %s   std %s\n", tool_fmt(b, sizeof b, stats_mean(p->v, p->n), 3),
           tool_fmt(c, sizeof c, stats_std(p->v, p->n), 3));
    puts("Repeated tags: share of a user's tag uses whose tag they put on another artist");
    printf("  mean %.1f%%   median %.1f%%   (%s users)\n\n", 100 * stats_mean(r->v, r->n),
           100 * median(r), tool_fmt(a, sizeof a, (double)r->n, 0));
}

static void json_tagging(json_writer *w, const analysis *an)
{
    const dist *t = &an->tagged_artists, *s = &an->sessions, *p = &an->tags_per_pair,
               *r = &an->repeats;
    json_object_begin(w, "tagged_artists_per_user");
    json_int(w, "users", (int64_t)t->n);
    json_number(w, "mean", stats_mean(t->v, t->n));
    json_number(w, "std", stats_std(t->v, t->n));
    json_int(w, "users_tagging_one_artist", (int64_t)stats_count_equal(t->v, t->n, 1));
    json_number(w, "max", t->n ? t->v[t->n - 1] : NAN);
    json_object_end(w);
    json_object_begin(w, "tag_sessions_per_user_artist");
    json_int(w, "pairs", (int64_t)s->n);
    json_number(w, "mean", stats_mean(s->v, s->n));
    json_number(w, "std", stats_std(s->v, s->n));
    json_object_end(w);
    json_object_begin(w, "tags_per_user_artist");
    json_int(w, "pairs", (int64_t)p->n);
    json_number(w, "mean", stats_mean(p->v, p->n));
    json_number(w, "std", stats_std(p->v, p->n));
    json_object_end(w);
    json_object_begin(w, "repeated_tags");
    json_int(w, "users", (int64_t)r->n);
    json_number(w, "mean_share", stats_mean(r->v, r->n));
    json_number(w, "median_share", median(r));
    json_object_end(w);
}

/* ------------------------------------------------------------- friends */

static void text_friends(const analysis *an)
{
    char a[32], b[32];
    printf("Friends' taste overlap (%s friend pairs vs %s random non-friend pairs)\n",
           tool_fmt(a, sizeof a, (double)an->friend[0].n, 0),
           tool_fmt(b, sizeof b, (double)an->random[0].n, 0));
    if (an->friend[0].n == 0) {
        puts("  no friend pairs");
        return;
    }
    printf("  %-16s %14s %14s %14s %14s\n", "", "friends mean", "friends median",
           "random mean", "random median");
    for (int m = 0; m < 3; m++) {
        const dist *f = &an->friend[m], *r = &an->random[m];
        /* Shared artists are counts; the other two live in [0, 1]. */
        int dec = m == 2 ? 2 : 4;
        char c1[32], c2[32], c3[32], c4[32];
        printf("  %-16s %14s %14s %14s %14s\n", overlap_label[m],
               tool_fmt(c1, sizeof c1, stats_mean(f->v, f->n), dec),
               tool_fmt(c2, sizeof c2, median(f), dec),
               tool_fmt(c3, sizeof c3, stats_mean(r->v, r->n), dec),
               tool_fmt(c4, sizeof c4, median(r), dec));
    }
}

static void json_friends(json_writer *w, const analysis *an)
{
    json_object_begin(w, "friend_overlap");
    json_int(w, "friend_pairs", (int64_t)an->friend[0].n);
    json_int(w, "random_pairs", (int64_t)an->random[0].n);
    for (int m = 0; m < 3; m++) {
        const dist *side[2] = {&an->friend[m], &an->random[m]};
        const char *name[2] = {"friends", "random"};
        json_object_begin(w, overlap_key[m]);
        for (int s = 0; s < 2; s++) {
            json_object_begin(w, name[s]);
            json_number(w, "mean", stats_mean(side[s]->v, side[s]->n));
            json_number(w, "median", median(side[s]));
            json_object_end(w);
        }
        json_object_end(w);
    }
    json_object_end(w);
}

/* ----------------------------------------------------------------- run */

static int run(const tool_args *a)
{
    const char *path = a->pos[0];
    lr_dataset *ds = NULL;
    int rc = tool_load(a, path, &ds);
    if (rc != TOOL_OK)
        return rc;
    analysis an;
    memset(&an, 0, sizeof an);
    int st = compute(ds, &an);
    if (st == TOOL_BAD_INPUT) {
        rc = st;
    } else if (st != LR_OK) {
        rc = tool_fail(st, path);
    } else if (tool_flag(a, "json")) {
        json_writer w;
        json_init(&w, stdout);
        json_object_begin(&w, NULL);
        json_string(&w, "path", path);
        json_string(&w, "source", tool_source_key(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND)));
        json_listens(&w, &user_section, &an.user_listens);
        json_listens(&w, &artist_section, &an.artist_listens);
        json_tagging(&w, &an);
        json_friends(&w, &an);
        json_object_end(&w);
        json_finish(&w);
    } else {
        printf("%s: %s\n\n", path, tool_source_name(lr_dataset_count(ds, LR_COUNT_SOURCE_KIND)));
        text_listens(&user_section, &an.user_listens);
        text_listens(&artist_section, &an.artist_listens);
        text_tagging(&an);
        text_friends(&an);
    }
    free_analysis(&an);
    lr_dataset_free(ds);
    return rc;
}

static const tool_opt opts[] = {
    TOOL_OPT_JSON,
    TOOL_OPT_OPT,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_analyze = {
    .name = "analyze",
    .args = "PATH",
    .npos = 1,
    .summary = "print the notebook's analysis: plays, tagging, friends' overlap",
    .details = "PATH is a HetRec directory, a listens file or a snapshot.  Prints the\n"
               "plays per user and per artist (play counts summed: mean, sample std,\n"
               "quantiles, the share above 150,000 per user / 15,000 per artist and a\n"
               "histogram below), artists tagged per user, tagging sessions per\n"
               "(user, artist), the share of repeated tags, and friends' taste overlap\n"
               "(Jaccard, cosine, shared artists) against as many random non-friend\n"
               "pairs.",
    .opts = opts,
    .run = run,
};
