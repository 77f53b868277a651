/* Write the seed corpus of every fuzz target into OUTDIR/<target>/: the
 * synthetic data set's files, whole and cut to their first rows, its
 * snapshot, a model of each algorithm, option texts for every option, and
 * artist names as searches and --like arguments.  Never the real data.
 * scripts/fuzz runs it before the targets; tests/fuzz/seeds/ adds small
 * hand-made files of the real files' shape (CRLF, Latin-1, a BOM).
 * usage: fuzz_seeds OUTDIR    SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *out_dir;

static void put(const char *target, const char *name, const void *data, size_t size)
{
    char path[900];
    snprintf(path, sizeof path, "%s/%s", out_dir, target);
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", out_dir, target, name);
    fuzz_write(path, data, size);
}

static char *slurp(const char *path, size_t *size)
{
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        exit(1);
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (!b || fread(b, 1, (size_t)n, fp) != (size_t)n)
        exit(1);
    fclose(fp);
    b[n] = '\0';
    *size = (size_t)n;
    return b;
}

/* A file whole, and cut after its header and first four rows. */
static void put_file(const char *target, const char *path)
{
    size_t n;
    char *b = slurp(path, &n);
    put(target, "whole", b, n);
    size_t cut = 0;
    for (int lines = 0; cut < n && lines < 5; cut++)
        if (b[cut] == '\n')
            lines++;
    put(target, "head", b, cut);
    free(b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: fuzz_seeds OUTDIR\n");
        return 2;
    }
    out_dir = argv[1];
    mkdir(out_dir, 0777);
    static const char *const files[][2] = {
        {"artists", "artists.dat"},
        {"tags", "tags.dat"},
        {"user_artists", "user_artists.dat"},
        {"user_friends", "user_friends.dat"},
        {"user_taggedartists", "user_taggedartists.dat"},
        {"listens", "user_artists.dat"},
    };
    const char *dir = fuzz_hetrec_dir("seeds");
    char path[900];
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[i][1]);
        put_file(files[i][0], path);
    }

    /* The synthetic set has no timestamps file: one made from the tag
     * uses, each use at noon UTC of its day. */
    snprintf(path, sizeof path, "%s/%s", dir, "user_taggedartists.dat");
    size_t n_uses;
    char *uses = slurp(path, &n_uses);
    size_t cap = 2 * n_uses + 64, len = 0;
    char *times = malloc(cap);
    if (!times)
        return 1;
    len += (size_t)snprintf(times, cap, "userID\tartistID\ttagID\ttimestamp\n");
    char *line = strchr(uses, '\n');
    int u, a, t, d, mo, y, rows = 0;
    while (line && sscanf(line + 1, "%d\t%d\t%d\t%d\t%d\t%d", &u, &a, &t, &d, &mo, &y) == 6 &&
           len + 80 < cap && rows++ < 200) {
        /* days from 1970-01-01 to y-mo-d (Howard Hinnant's days_from_civil) */
        int yy = y - (mo <= 2), era = yy / 400, yoe = yy - era * 400;
        int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long long days = (long long)era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
        len += (size_t)snprintf(times + len, cap - len, "%d\t%d\t%d\t%lld\n", u, a, t,
                                days * 86400000LL + 43200000LL);
        line = strchr(line + 1, '\n');
    }
    put("timestamps", "whole", times, len);
    free(times);
    free(uses);

    /* The same data as a lastfm-360K plays file, quirks and two bad
     * lines planted. */
    lr_options *l360 = NULL;
    snprintf(path, sizeof path, "%s/l360-seed", fuzz_dir());
    if (lr_options_new(&l360) != LR_OK ||
        lr_options_set_int(l360, LR_OPT_SYNTH_BAD_LINES, 2) != LR_OK ||
        lr_dataset_write_lastfm360k(fuzz_dataset(), path, l360) != LR_OK)
        return 1;
    lr_options_free(l360);
    snprintf(path, sizeof path, "%s/l360-seed/usersha1-artmbid-artname-plays.tsv", fuzz_dir());
    put_file("lastfm360k", path);

    snprintf(path, sizeof path, "%s/seed.lrsnap", fuzz_dir());
    if (lr_dataset_save(fuzz_dataset(), path) != LR_OK)
        return 1;
    put_file("snapshot", path);

    for (int algo = LR_ALGO_POP; lr_algorithm_name(algo); algo++) {
        size_t n;
        char *b = slurp(fuzz_model_file(algo, "seed.lrmodel"), &n);
        put("model", lr_algorithm_name(algo), b, n);
        free(b);
    }

    /* Every option at its default, one text per option, and all in one. */
    char all[8192] = "";
    for (size_t i = 0;; i++) {
        int key = lr_option_key_at(i);
        if (key <= 0)
            break;
        const char *name;
        int type;
        double min, max, def;
        lr_option_info(key, &name, &type, &min, &max, &def);
        char text[160];
        snprintf(text, sizeof text, "%s=%.17g", name, def);
        put("options", name, text, strlen(text));
        if (strlen(all) + strlen(text) + 2 < sizeof all) {
            if (*all)
                strcat(all, ",");
            strcat(all, text);
        }
    }
    put("options", "all", all, strlen(all));

    /* Names of the data set: whole, their start, as --like NAME=COUNT and
     * id:ID=COUNT. */
    int32_t ids[6];
    if (lr_dataset_ids(fuzz_dataset(), LR_IDS_ARTISTS, ids, 6, NULL) != LR_E_BUFSIZE &&
        lr_dataset_ids(fuzz_dataset(), LR_IDS_ARTISTS, ids, 6, NULL) != LR_OK)
        return 1;
    size_t n_ids = 0;
    lr_dataset_ids(fuzz_dataset(), LR_IDS_ARTISTS, NULL, 0, &n_ids);
    int32_t *all_ids = malloc(n_ids * sizeof *all_ids);
    if (!all_ids || lr_dataset_ids(fuzz_dataset(), LR_IDS_ARTISTS, all_ids, n_ids, NULL) != LR_OK)
        return 1;
    for (size_t i = 0; i < n_ids && i < 6; i++) {
        const char *name = lr_dataset_artist_name(fuzz_dataset(), all_ids[i]);
        char text[300], file[32];
        snprintf(file, sizeof file, "name%zu", i);
        put("search", file, name, strlen(name));
        snprintf(file, sizeof file, "prefix%zu", i);
        put("search", file, name, strlen(name) < 3 ? strlen(name) : 3);
        snprintf(text, sizeof text, "%s=%zu", name, 10 * (i + 1));
        snprintf(file, sizeof file, "like%zu", i);
        put("like", file, text, strlen(text));
        snprintf(text, sizeof text, "id:%d=2.5", (int)all_ids[i]);
        snprintf(file, sizeof file, "id%zu", i);
        put("like", file, text, strlen(text));
    }
    free(all_ids);
    return 0;
}
