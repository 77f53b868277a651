/* lastrec split: hold out a share of each user's artists the way the
 * evaluation protocol does (docs/evaluation.md) and write both sides as
 * listens files, the pair `lastrec eval --train --test` and LASTREC_SPLIT
 * take.  SPDX-License-Identifier: MIT */
#include "out.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { TRAIN, TEST, SIDES };
static const char *const side_name[SIDES] = {"train.dat", "test.dat"};

/* One side on its way to disk (tools/lastrec/out.c): under a temporary
 * name, renamed only once both sides are complete. */
typedef tool_out side_file;

/* 1 when @p dir holds any entry, 0 when it is empty, -1 (errno set) when it
 * cannot be read. */
static int has_entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int found = 0;
    const struct dirent *e;
    while (!found && (e = readdir(d)) != NULL)
        found = strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(d);
    return found;
}

/* Refuse before any work is done, so a long load never ends in "OUTDIR is
 * not empty"; *exists tells the caller whether to create it later. */
static int check_outdir(const char *dir, int force, int *exists)
{
    struct stat st;
    *exists = stat(dir, &st) == 0;
    if (!*exists) {
        if (errno == ENOENT)
            return TOOL_OK;
        fprintf(stderr, "lastrec: %s: %s\n", dir, strerror(errno));
        return TOOL_BAD_INPUT;
    }
    if (!S_ISDIR(st.st_mode)) {
        fprintf(stderr, "lastrec: %s: exists and is not a directory\n", dir);
        return TOOL_BAD_INPUT;
    }
    int full = has_entries(dir);
    if (full < 0) {
        fprintf(stderr, "lastrec: %s: cannot read the directory: %s\n", dir, strerror(errno));
        return TOOL_BAD_INPUT;
    }
    if (full && !force) {
        fprintf(stderr,
                "lastrec: %s: the directory is not empty; give --force to replace "
                "train.dat and test.dat in it\n",
                dir);
        return TOOL_BAD_INPUT;
    }
    return TOOL_OK;
}

/* mkdir -p, since OUTDIR is often a fresh nested path (splits/seed7). */
static int make_dirs(const char *dir)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s", dir) >= sizeof path) {
        fprintf(stderr, "lastrec: %s: path too long\n", dir);
        return TOOL_BAD_INPUT;
    }
    for (char *s = path + 1;; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(path, 0777) != 0 && errno != EEXIST) {
            fprintf(stderr, "lastrec: %s: cannot create directory: %s\n", path,
                    strerror(errno));
            return TOOL_BAD_INPUT;
        }
        *s = c;
        if (c == '\0')
            return TOOL_OK;
    }
}

static int open_side(side_file *f, const char *dir, const char *name)
{
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path) {
        fprintf(stderr, "lastrec: %s: path too long\n", dir);
        return TOOL_BAD_INPUT;
    }
    return tool_out_open(f, path);
}

/* The rows of one side in user_artists.dat format, users and artists by
 * ascending ID; *with_rows counts the users that have any. */
static int write_rows(side_file *f, const lr_dataset *ds, const int32_t *users,
                      size_t n_users, int32_t *artists, float *counts, size_t cap,
                      int64_t *with_rows)
{
    *with_rows = 0;
    int bad = fputs("userID\tartistID\tweight\n", f->fp) == EOF;
    for (size_t u = 0; u < n_users && !bad; u++) {
        size_t n = 0;
        int st = lr_dataset_user_listens(ds, users[u], artists, counts, cap, &n);
        if (st != LR_OK)
            return tool_fail(st, NULL);
        *with_rows += n > 0;
        /* %.9g prints any float exactly and a whole count without a point,
         * as the library's own HetRec writer does. */
        for (size_t i = 0; i < n && !bad; i++)
            bad = fprintf(f->fp, "%d\t%d\t%.9g\n", (int)users[u], (int)artists[i],
                          (double)counts[i]) < 0;
    }
    if (bad) {
        fprintf(stderr, "lastrec: %s: write failed: %s\n", f->path, strerror(errno));
        return TOOL_BAD_INPUT;
    }
    /* The data must be on disk before the rename makes it visible. */
    return tool_out_close(f);
}

/* Both sides are complete on disk before either is renamed, so a failure
 * while writing (a full disk, say) leaves an earlier split whole. */
static int write_sides(const char *dir, lr_dataset *const sides[SIDES],
                       int64_t users_with[SIDES])
{
    size_t n_users = 0, n_artists = 0;
    lr_dataset_ids(sides[TRAIN], LR_IDS_USERS, NULL, 0, &n_users);
    lr_dataset_ids(sides[TRAIN], LR_IDS_ARTISTS, NULL, 0, &n_artists);
    int32_t *users = malloc((n_users ? n_users : 1) * sizeof *users);
    int32_t *artists = malloc((n_artists ? n_artists : 1) * sizeof *artists);
    float *counts = malloc((n_artists ? n_artists : 1) * sizeof *counts);
    side_file f[SIDES] = {{.fp = NULL}, {.fp = NULL}};
    int rc = TOOL_OK, st;
    if (!users || !artists || !counts) {
        rc = tool_oom(dir, (n_users ? n_users : 1) + 2 * (n_artists ? n_artists : 1),
                      sizeof *users, "the users, artists and counts");
    } else if ((st = lr_dataset_ids(sides[TRAIN], LR_IDS_USERS, users, n_users, NULL)) != LR_OK) {
        rc = tool_fail(st, NULL);
    }
    for (int s = 0; s < SIDES && rc == TOOL_OK; s++) {
        rc = open_side(&f[s], dir, side_name[s]);
        if (rc == TOOL_OK)
            rc = write_rows(&f[s], sides[s], users, n_users, artists, counts, n_artists,
                            &users_with[s]);
    }
    /* Both closed (on disk) before either is renamed; a failed side
     * leaves both temporaries to be removed. */
    for (int s = 0; s < SIDES && rc == TOOL_OK; s++)
        rc = tool_out_close(&f[s]);
    for (int s = 0; s < SIDES && rc == TOOL_OK; s++)
        rc = tool_out_publish(&f[s]);
    for (int s = 0; s < SIDES; s++)
        tool_out_abort(&f[s]); /* frees what was published; removes the rest */
    free(users);
    free(artists);
    free(counts);
    return rc;
}

/* The command line, checked before any data is read. */
static int parse(const tool_args *a, lr_options *opts)
{
    const char *holdout = tool_value(a, "holdout"), *seed = tool_value(a, "seed");
    if (holdout) {
        double f;
        /* Holding out nothing would make a test side nobody can be
         * evaluated on. */
        if (tool_parse_double(holdout, 0, 1, &f) != 0 || f == 0)
            return tool_usage_error(a->cmd, "split: --holdout: '%s' is not a fraction above 0 "
                                    "and at most 1", holdout);
        lr_options_set_double(opts, LR_OPT_HOLDOUT_FRACTION, f);
    }
    if (seed) {
        long long v;
        if (tool_parse_int(seed, 0, 9007199254740991LL, &v) != 0)
            return tool_usage_error(a->cmd, "split: --seed: '%s' is not a whole number from 0",
                                    seed);
        lr_options_set_int(opts, LR_OPT_SEED, v);
    }
    return TOOL_OK;
}

static int run(const tool_args *a)
{
    const char *data = a->pos[0], *dir = a->pos[1];
    lr_options *opts = NULL;
    int rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    int exists = 0;
    rc = parse(a, opts);
    if (rc == TOOL_OK)
        rc = check_outdir(dir, tool_flag(a, "force"), &exists);
    lr_dataset *all = NULL, *sides[SIDES] = {NULL, NULL};
    if (rc == TOOL_OK) {
        int st = lr_dataset_load(&all, data, opts);
        if (st == LR_OK)
            st = lr_dataset_split(all, LR_SPLIT_PER_USER, opts, &sides[TRAIN], &sides[TEST]);
        if (st != LR_OK)
            rc = tool_fail(st, data);
        tool_progress_done();
    }
    if (rc == TOOL_OK && !exists)
        rc = make_dirs(dir);
    int64_t users_with[SIDES] = {0, 0};
    if (rc == TOOL_OK)
        rc = write_sides(dir, sides, users_with);
    if (rc == TOOL_OK) {
        double fraction = 0;
        int64_t seed = 0;
        lr_options_get_double(opts, LR_OPT_HOLDOUT_FRACTION, &fraction);
        lr_options_get_int(opts, LR_OPT_SEED, &seed);
        char tr[32], te[32], u[32], all_u[32];
        printf("%s: per-user holdout %g, seed %lld, of %s: train.dat %s user-artist pairs, "
               "test.dat %s; %s of %s users have held-out artists\n",
               dir, fraction, (long long)seed, data,
               tool_fmt(tr, sizeof tr, (double)lr_dataset_count(sides[TRAIN], LR_COUNT_LISTENS), 0),
               tool_fmt(te, sizeof te, (double)lr_dataset_count(sides[TEST], LR_COUNT_LISTENS), 0),
               tool_fmt(u, sizeof u, (double)users_with[TEST], 0),
               tool_fmt(all_u, sizeof all_u, (double)lr_dataset_count(all, LR_COUNT_USERS), 0));
    }
    lr_dataset_free(sides[TRAIN]);
    lr_dataset_free(sides[TEST]);
    lr_dataset_free(all);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"holdout", "F", "share of each user's artists held out, above 0 and at most 1 "
                     "(default 0.2)"},
    {"seed", "N", "seed of the random choice (default 42)"},
    {"force", NULL, "write into OUTDIR even if it is not empty, replacing train.dat "
                    "and test.dat"},
    TOOL_OPT_OPT,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_split = {
    .name = "split",
    .args = "DATA OUTDIR",
    .npos = 2,
    .summary = "hold out a share of each user's artists; write train.dat and test.dat",
    .details = "Loads DATA (a HetRec directory, a listens file or a snapshot) and holds\n"
               "out round(F*n) of each user's n artists at random (at least 1; a user\n"
               "with one artist keeps it), as docs/evaluation.md describes.  Writes\n"
               "OUTDIR/train.dat and OUTDIR/test.dat in user_artists.dat format, each\n"
               "under a temporary name and renamed once both are complete.  OUTDIR is\n"
               "created if missing; one that holds files is refused unless --force.\n"
               "The same DATA, F and N give byte-identical files.",
    .opts = opts,
    .run = run,
};
