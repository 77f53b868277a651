/* bench_load: how long loading and processing the HetRec 2011 Last.fm 2K
 * data set takes through the public API, and how long its snapshot takes to
 * save and to load.  Not a test: run it by hand or with `meson test
 * --benchmark`.
 *
 *   bench_load [PATH] [RUNS]
 *
 * PATH defaults to $LASTREC_DATA; without either it exits 77 (skipped).
 * RUNS (default 11) loads are timed; the median, because the first run
 * pays for a cold page cache and a busy machine adds outliers, and the
 * minimum, the best the code can do.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include "bench_util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char bench_name[] = "bench_load";

/* The files lr_dataset_load reads from a HetRec directory. */
static const char *const hetrec_files[] = {
    "artists.dat", "tags.dat", "user_artists.dat", "user_friends.dat",
    "user_taggedartists.dat", "user_taggedartists-timestamps.dat",
};

static long long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) ? (long long)st.st_size : -1;
}

/* Bytes of input the loader reads, for MB/s. */
static long long input_bytes(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return (long long)st.st_size;
    long long total = 0;
    char p[4096];
    for (size_t i = 0; i < sizeof hetrec_files / sizeof hetrec_files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", path, hetrec_files[i]);
        long long n = file_size(p);
        total += n > 0 ? n : 0;
    }
    return total;
}

typedef struct timing {
    double median, min;
} timing;

static timing summarize(double *ms, int n)
{
    double med = bench_median(ms, n); /* before ms[0] is read: it sorts */
    timing t = {med, ms[0]};
    return t;
}

static int fail(const char *what, int rc)
{
    fprintf(stderr, "%s: %s: %s: %s\n", bench_name, what, lr_strerror(rc), lr_last_error());
    return EXIT_FAILURE;
}

/* Load `path` runs times; the last dataset is kept in *keep. */
static int time_loads(const char *path, int runs, double *ms, lr_dataset **keep)
{
    for (int i = 0; i < runs; i++) {
        lr_dataset *ds = NULL;
        double t0 = bench_wall_ms();
        int rc = lr_dataset_load(&ds, path, NULL);
        ms[i] = bench_wall_ms() - t0;
        if (rc)
            return fail(path, rc);
        if (i + 1 < runs)
            lr_dataset_free(ds);
        else
            *keep = ds;
    }
    return 0;
}

static int time_saves(const lr_dataset *ds, const char *path, int runs, double *ms)
{
    for (int i = 0; i < runs; i++) {
        double t0 = bench_wall_ms();
        int rc = lr_dataset_save(ds, path);
        ms[i] = bench_wall_ms() - t0;
        if (rc)
            return fail(path, rc);
    }
    return 0;
}

static void print_counts(const lr_dataset *ds)
{
    printf("data:     %lld users, %lld artists, %lld listens, %lld tags, %lld tag uses, "
           "%lld friend pairs\n",
           (long long)lr_dataset_count(ds, LR_COUNT_USERS),
           (long long)lr_dataset_count(ds, LR_COUNT_ARTISTS),
           (long long)lr_dataset_count(ds, LR_COUNT_LISTENS),
           (long long)lr_dataset_count(ds, LR_COUNT_TAGS),
           (long long)lr_dataset_count(ds, LR_COUNT_TAG_USES),
           (long long)lr_dataset_count(ds, LR_COUNT_FRIEND_PAIRS));
}

static void print_timing(const char *what, timing t, int runs, long long bytes)
{
    printf("%-9s median %8.2f ms, min %8.2f ms over %d runs", what, t.median, t.min, runs);
    if (bytes > 0)
        printf("; %7.1f MB/s (median)", bytes / 1e6 / (t.median / 1e3));
    printf("\n");
}

/* The snapshot part: save and reload in a private temporary directory. */
static int bench_snapshot(const lr_dataset *ds, int runs, double *ms)
{
    const char *base = getenv("TMPDIR");
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/lastrec-bench-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(dir)) {
        fprintf(stderr, "bench_load: cannot create a temporary directory: %s\n", strerror(errno));
        return EXIT_FAILURE;
    }
    snprintf(path, sizeof path, "%s/data.lrsnap", dir);
    int rc = time_saves(ds, path, runs, ms);
    if (rc == 0) {
        long long size = file_size(path);
        print_timing("save:", summarize(ms, runs), runs, size);
        lr_dataset *back = NULL;
        rc = time_loads(path, runs, ms, &back);
        if (rc == 0) {
            print_timing("reload:", summarize(ms, runs), runs, size);
            printf("snapshot: %.2f MB\n", size / 1e6);
        }
        lr_dataset_free(back);
    }
    unlink(path);
    rmdir(dir);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : getenv("LASTREC_DATA");
    int runs = argc > 2 ? atoi(argv[2]) : 11;
    if (argc > 3 || runs < 1) {
        fprintf(stderr, "usage: bench_load [PATH] [RUNS]\n");
        return 2;
    }
    if (!path || !*path || access(path, R_OK) != 0) {
        printf("bench_load: skipped: no data set (pass a HetRec directory or set "
               "LASTREC_DATA)%s%s\n", path && *path ? "; cannot read " : "",
               path && *path ? path : "");
        return BENCH_SKIP;
    }
    double *ms = calloc((size_t)runs, sizeof *ms);
    if (!ms)
        return EXIT_FAILURE;
    printf("%s\n", lr_build_info());
    lr_dataset *ds = NULL;
    long long bytes = input_bytes(path);
    int rc = time_loads(path, runs, ms, &ds);
    if (rc == 0) {
        print_counts(ds);
        printf("input:    %s, %.2f MB\n", path, bytes / 1e6);
        timing t = summarize(ms, runs);
        print_timing("load:", t, runs, bytes);
        printf("target:   whole load and processing under 150 ms: %s\n",
               t.median < 150 ? "met" : "NOT met");
        rc = bench_snapshot(ds, runs, ms);
    }
    lr_dataset_free(ds);
    free(ms);
    double rss = bench_peak_rss_mb();
    if (rss >= 0)
        printf("peak RSS: %.1f MB\n", rss);
    return rc;
}
