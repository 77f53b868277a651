/* lastrec embed: what a model's artist vectors say (docs/embed.md): each
 * artist's norm against its fans, and PCA and t-SNE maps, one row per
 * artist.  SPDX-License-Identifier: MIT */
#include "json.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the run computed: norms of every artist, and the maps asked for. */
typedef struct embed_run {
    const char *path;
    lr_model *m;
    size_t n_artists;
    int32_t *ids;     /* [n_artists] the model's artists */
    double *norm, *plays;
    int64_t *fans;
    double stat[LR_NORMS_ZERO_LISTENED + 1];
    int pca_n;        /* components asked for, 0 for none */
    lr_map *pca, *tsne;
    double *pca_xy, *tsne_xy;
    double *var, *share;
    int32_t *map_ids; /* the rows of the maps (the same artists for both) */
    size_t map_rows;
    double tsne_seconds;
    int metric;
    double perplexity;
} embed_run;

static void run_free(embed_run *r)
{
    free(r->ids);
    free(r->norm);
    free(r->plays);
    free(r->fans);
    free(r->pca_xy);
    free(r->tsne_xy);
    free(r->var);
    free(r->share);
    free(r->map_ids);
    lr_map_free(r->pca);
    lr_map_free(r->tsne);
    lr_model_free(r->m);
}

/* The map options from the command line into @p opts, after --opt (so
 * they win over it, as the shorthands do). */
static int map_options(const tool_args *a, lr_options *opts)
{
    static const struct {
        const char *name;
        int key;
    } flags[] = {
        {"perplexity", LR_OPT_TSNE_PERPLEXITY},
        {"iterations", LR_OPT_TSNE_ITERATIONS},
        {"min-fans", LR_OPT_MAP_MIN_FANS},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        const char *text = tool_value(a, flags[i].name);
        const char *key;
        int type;
        double min, max, v;
        if (!text)
            continue;
        lr_option_info(flags[i].key, &key, &type, &min, &max, NULL);
        long long n;
        int bad = type == LR_OPTTYPE_INT ? tool_parse_int(text, (long long)min, (long long)max, &n)
                                         : tool_parse_double(text, min, max, &v);
        if (!bad)
            bad = type == LR_OPTTYPE_INT ? lr_options_set_int(opts, flags[i].key, n)
                                         : lr_options_set_double(opts, flags[i].key, v);
        if (bad)
            return tool_usage_error(a->cmd, "embed: --%s: '%s' is not a %s from %g to %g "
                                    "(shorthand for --opt %s=VALUE)", flags[i].name, text,
                                    type == LR_OPTTYPE_INT ? "whole number" : "number", min, max,
                                    key);
    }
    const char *metric = tool_value(a, "metric");
    int64_t mv;
    if (metric && lr_option_value_lookup(LR_OPT_TSNE_METRIC, metric, &mv) != LR_OK)
        return tool_usage_error(a->cmd, "embed: --metric is 'cosine' or 'euclidean', got '%s'",
                                metric);
    if (metric)
        lr_options_set_int(opts, LR_OPT_TSNE_METRIC, mv);
    return TOOL_OK;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A map's IDs and coordinates into fresh arrays. */
static int fetch_map(const lr_map *map, int32_t **ids, size_t *rows, double **xy)
{
    size_t n = (size_t)lr_map_stat(map, LR_MAP_ROWS), d = (size_t)lr_map_stat(map, LR_MAP_DIMS);
    *ids = malloc((n ? n : 1) * sizeof **ids);
    *xy = malloc((n * d > 0 ? n * d : 1) * sizeof **xy);
    if (!*ids || !*xy)
        return tool_oom(NULL, n * (d + 1), sizeof **xy, "the map's IDs and coordinates");
    int st = lr_map_ids(map, *ids, n, NULL);
    if (st == LR_OK)
        st = lr_map_coords(map, *xy, n * d, NULL);
    if (st != LR_OK)
        return tool_fail(st, NULL);
    *rows = n;
    return TOOL_OK;
}

static int compute(const tool_args *a, lr_options *opts, embed_run *r)
{
    int st = lr_model_load(&r->m, r->path);
    if (st != LR_OK)
        return tool_wrong_kind(a->cmd, r->path, 1) ? TOOL_BAD_INPUT : tool_fail(st, r->path);
    size_t n = 0;
    st = lr_model_artist_norms(r->m, NULL, NULL, NULL, 0, &n);
    if (st != LR_E_BUFSIZE && st != LR_OK)
        return tool_fail(st, r->path);
    r->n_artists = n;
    r->ids = malloc((n ? n : 1) * sizeof *r->ids);
    r->norm = malloc((n ? n : 1) * sizeof *r->norm);
    r->plays = malloc((n ? n : 1) * sizeof *r->plays);
    r->fans = malloc((n ? n : 1) * sizeof *r->fans);
    if (!r->ids || !r->norm || !r->plays || !r->fans)
        return tool_oom(r->path, (n ? n : 1) * 4, sizeof *r->norm, "the artists' norms");
    st = lr_model_ids(r->m, LR_IDS_ARTISTS, r->ids, n, NULL);
    if (st == LR_OK)
        st = lr_model_artist_norms(r->m, r->norm, r->fans, r->plays, n, NULL);
    for (int s = LR_NORMS_PEARSON; st == LR_OK && s <= LR_NORMS_ZERO_LISTENED; s++)
        st = lr_model_norm_stat(r->m, s, &r->stat[s]);
    if (st != LR_OK)
        return tool_fail(st, r->path);
    double v;
    lr_options_get_double(opts, LR_OPT_TSNE_PERPLEXITY, &v);
    r->perplexity = v;
    lr_options_get_double(opts, LR_OPT_TSNE_METRIC, &v);
    r->metric = (int)v;
    if (r->pca_n) {
        if ((st = lr_model_pca(&r->pca, r->m, r->pca_n, opts)) != LR_OK)
            return tool_fail(st, r->path);
        r->var = malloc((size_t)r->pca_n * sizeof *r->var);
        r->share = malloc((size_t)r->pca_n * sizeof *r->share);
        if (!r->var || !r->share)
            return tool_oom(r->path, (size_t)r->pca_n * 2, sizeof *r->var,
                            "the components' variances");
        if ((st = lr_map_variance(r->pca, r->var, r->share, (size_t)r->pca_n, NULL)) != LR_OK)
            return tool_fail(st, NULL);
        int rc = fetch_map(r->pca, &r->map_ids, &r->map_rows, &r->pca_xy);
        if (rc != TOOL_OK)
            return rc;
    }
    if (tool_flag(a, "tsne")) {
        const double t0 = seconds_now();
        st = lr_model_tsne(&r->tsne, r->m, opts);
        tool_progress_done();
        if (st != LR_OK)
            return tool_fail(st, r->path);
        r->tsne_seconds = seconds_now() - t0;
        int32_t *ids;
        size_t rows;
        int rc = fetch_map(r->tsne, &ids, &rows, &r->tsne_xy);
        if (rc != TOOL_OK) {
            free(ids);
            return rc;
        }
        /* Both maps take the same artists (docs/embed.md); say so loudly
         * should that ever stop being true rather than misalign rows. */
        if (r->map_ids && (rows != r->map_rows ||
                           memcmp(ids, r->map_ids, rows * sizeof *ids) != 0)) {
            free(ids);
            fprintf(stderr, "lastrec: embed: the PCA and t-SNE maps hold different artists\n");
            return TOOL_BAD_INPUT;
        }
        free(r->map_ids);
        r->map_ids = ids;
        r->map_rows = rows;
    }
    return TOOL_OK;
}

/* ------------------------------------------------------------- output */

/* Index of each map row's artist among the model's artists (both lists
 * ascend). */
static size_t *row_index(const embed_run *r)
{
    size_t *idx = malloc((r->map_rows ? r->map_rows : 1) * sizeof *idx);
    if (!idx)
        return NULL;
    for (size_t i = 0, j = 0; i < r->map_rows; i++) {
        while (j < r->n_artists && r->ids[j] < r->map_ids[i])
            j++;
        idx[i] = j;
    }
    return idx;
}

/* A field of a tab-separated row: tabs and line breaks in names become
 * spaces so a row stays one line of fields. */
static void tsv_text(FILE *fp, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s, fp);
}

static int write_tsv(FILE *fp, const embed_run *r)
{
    const int maps = r->pca || r->tsne;
    size_t *idx = maps ? row_index(r) : NULL;
    if (maps && !idx)
        return -1;
    fputs("artist_id\tname\ttop_tag\tfans\tplays\tnorm", fp);
    for (int j = 0; j < r->pca_n; j++)
        fprintf(fp, "\tpc%d", j + 1);
    if (r->tsne)
        fputs("\ttsne_x\ttsne_y", fp);
    fputc('\n', fp);
    const size_t rows = maps ? r->map_rows : r->n_artists;
    for (size_t i = 0; i < rows; i++) {
        const size_t a = maps ? idx[i] : i;
        fprintf(fp, "%d\t", (int)r->ids[a]);
        tsv_text(fp, lr_model_artist_name(r->m, r->ids[a]));
        fputc('\t', fp);
        tsv_text(fp, lr_model_artist_top_tag(r->m, r->ids[a]));
        /* %.17g: every double read back exactly */
        fprintf(fp, "\t%lld\t%.17g\t%.17g", (long long)r->fans[a], r->plays[a], r->norm[a]);
        for (int j = 0; j < r->pca_n; j++)
            fprintf(fp, "\t%.17g", r->pca_xy[i * (size_t)r->pca_n + (size_t)j]);
        if (r->tsne)
            fprintf(fp, "\t%.17g\t%.17g", r->tsne_xy[2 * i], r->tsne_xy[2 * i + 1]);
        fputc('\n', fp);
    }
    free(idx);
    return ferror(fp) ? -1 : 0;
}

/* -o FILE: written under a temporary name beside it (O_EXCL, so the umask
 * applies as to any output) and renamed once complete, as `lastrec split`
 * writes its files: a failure never leaves half a table at FILE. */
static int write_file(const char *path, const embed_run *r)
{
    char tmp[4096 + 48];
    int fd = -1;
    for (int attempt = 0; fd < 0 && attempt < 100; attempt++) {
        if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%d", path, (long)getpid(), attempt) >=
            sizeof tmp) {
            errno = ENAMETOOLONG;
            break;
        }
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    FILE *fp = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!fp) {
        fprintf(stderr, "lastrec: %s: cannot create a temporary file beside it: %s\n", path,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(tmp);
        }
        return TOOL_BAD_INPUT;
    }
    int bad = write_tsv(fp, r) != 0 || fflush(fp) != 0 || fsync(fileno(fp)) != 0;
    const int err = errno;
    bad |= fclose(fp) != 0;
    if (bad || rename(tmp, path) != 0) {
        fprintf(stderr, "lastrec: %s: %s failed: %s\n", path, bad ? "write" : "rename",
                strerror(bad ? err : errno));
        unlink(tmp);
        return TOOL_BAD_INPUT;
    }
    return TOOL_OK;
}

static const char *metric_name(int metric)
{
    const char *s = lr_option_value_name(LR_OPT_TSNE_METRIC, metric);
    return s ? s : "?";
}

/* The summary lines, on stderr: the table may be on stdout. */
static void print_summary(const embed_run *r)
{
    char b1[32];
    fprintf(stderr,
            "norms: Pearson r(norm, log(1 + fans)) = %.4f, Spearman rho(norm, fans) = %.4f, "
            "over %s artists with a training listener and a non-zero vector",
            r->stat[LR_NORMS_PEARSON], r->stat[LR_NORMS_SPEARMAN],
            tool_fmt(b1, sizeof b1, r->stat[LR_NORMS_USED], 0));
    fprintf(stderr, " (%s zero vectors left out)\n",
            tool_fmt(b1, sizeof b1, r->stat[LR_NORMS_ZERO], 0));
    if (r->pca) {
        fprintf(stderr, "pca: %s artists, explained variance", tool_fmt(b1, sizeof b1,
                                                                         (double)r->map_rows, 0));
        double sum = 0;
        for (int j = 0; j < r->pca_n; j++) {
            fprintf(stderr, "%s %.2f%%", j ? "," : "", 100 * r->share[j]);
            sum += r->share[j];
        }
        fprintf(stderr, " (%.2f%% in all)\n", 100 * sum);
    }
    if (r->tsne)
        fprintf(stderr,
                "tsne: %s artists, %s, perplexity %g, %.0f iterations: KL %.4f, 10-NN "
                "preservation %.4f (%.1f s)\n",
                tool_fmt(b1, sizeof b1, (double)r->map_rows, 0), metric_name(r->metric),
                r->perplexity, lr_map_stat(r->tsne, LR_MAP_ITERATIONS),
                lr_map_stat(r->tsne, LR_MAP_KL), lr_map_stat(r->tsne, LR_MAP_NN_PRESERVATION),
                r->tsne_seconds);
}

static void write_json(const embed_run *r, const char *out)
{
    json_writer w;
    json_init(&w, stdout);
    json_object_begin(&w, NULL);
    json_string(&w, "model", r->path);
    json_string(&w, "algorithm", lr_algorithm_name(lr_model_algorithm(r->m)));
    json_int(&w, "artists", (int64_t)r->n_artists);
    json_object_begin(&w, "norms");
    json_number(&w, "pearson_log_fans", r->stat[LR_NORMS_PEARSON]);
    json_number(&w, "spearman_fans", r->stat[LR_NORMS_SPEARMAN]);
    json_int(&w, "used", (int64_t)r->stat[LR_NORMS_USED]);
    json_int(&w, "zero_vectors", (int64_t)r->stat[LR_NORMS_ZERO]);
    json_int(&w, "zero_vectors_listened", (int64_t)r->stat[LR_NORMS_ZERO_LISTENED]);
    json_object_end(&w);
    if (r->pca) {
        json_object_begin(&w, "pca");
        json_int(&w, "artists", (int64_t)r->map_rows);
        json_int(&w, "components", r->pca_n);
        json_number(&w, "total_variance", lr_map_stat(r->pca, LR_MAP_TOTAL_VARIANCE));
        json_array_begin(&w, "variance");
        for (int j = 0; j < r->pca_n; j++)
            json_number(&w, NULL, r->var[j]);
        json_array_end(&w);
        json_array_begin(&w, "explained");
        for (int j = 0; j < r->pca_n; j++)
            json_number(&w, NULL, r->share[j]);
        json_array_end(&w);
        json_object_end(&w);
    }
    if (r->tsne) {
        json_object_begin(&w, "tsne");
        json_int(&w, "artists", (int64_t)r->map_rows);
        json_string(&w, "metric", metric_name(r->metric));
        json_number(&w, "perplexity", r->perplexity);
        json_int(&w, "iterations", (int64_t)lr_map_stat(r->tsne, LR_MAP_ITERATIONS));
        json_number(&w, "kl", lr_map_stat(r->tsne, LR_MAP_KL));
        json_number(&w, "nn_preservation", lr_map_stat(r->tsne, LR_MAP_NN_PRESERVATION));
        json_number(&w, "seconds", r->tsne_seconds);
        json_object_end(&w);
    }
    if (out) {
        json_string(&w, "output", out);
    } else {
        const int maps = r->pca || r->tsne;
        size_t *idx = maps ? row_index(r) : NULL;
        const size_t rows = maps && idx ? r->map_rows : maps ? 0 : r->n_artists;
        json_array_begin(&w, "rows");
        for (size_t i = 0; i < rows; i++) {
            const size_t a = maps ? idx[i] : i;
            json_object_begin(&w, NULL);
            json_int(&w, "artist_id", r->ids[a]);
            json_string(&w, "name", lr_model_artist_name(r->m, r->ids[a]));
            json_string(&w, "top_tag", lr_model_artist_top_tag(r->m, r->ids[a]));
            json_int(&w, "fans", r->fans[a]);
            json_number(&w, "plays", r->plays[a]);
            json_number(&w, "norm", r->norm[a]);
            if (r->pca) {
                json_array_begin(&w, "pca");
                for (int j = 0; j < r->pca_n; j++)
                    json_number(&w, NULL, r->pca_xy[i * (size_t)r->pca_n + (size_t)j]);
                json_array_end(&w);
            }
            if (r->tsne) {
                json_array_begin(&w, "tsne");
                json_number(&w, NULL, r->tsne_xy[2 * i]);
                json_number(&w, NULL, r->tsne_xy[2 * i + 1]);
                json_array_end(&w);
            }
            json_object_end(&w);
        }
        json_array_end(&w);
        free(idx);
    }
    json_object_end(&w);
    json_finish(&w);
}

static int run(const tool_args *a)
{
    embed_run r = {.path = a->pos[0]};
    const char *pca = tool_value(a, "pca");
    long long pn = 0;
    if (pca && tool_parse_int(pca, 1, 4096, &pn) != 0)
        return tool_usage_error(a->cmd, "embed: --pca takes a number of components from 1 to "
                                "the model's factors, got '%s'", pca);
    r.pca_n = (int)pn;
    lr_options *opts = NULL;
    int rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    rc = map_options(a, opts);
    if (rc == TOOL_OK)
        rc = compute(a, opts, &r);
    const char *out = tool_value(a, "output");
    if (rc == TOOL_OK && out)
        rc = write_file(out, &r);
    if (rc == TOOL_OK && tool_flag(a, "json")) {
        write_json(&r, out);
    } else if (rc == TOOL_OK) {
        if (!out && write_tsv(stdout, &r) != 0) {
            /* write_tsv fails for a write error or for its index */
            if (ferror(stdout)) {
                fprintf(stderr, "lastrec: embed: cannot write the table\n");
                rc = TOOL_BAD_INPUT;
            } else {
                rc = tool_oom("embed", r.map_rows ? r.map_rows : 1, sizeof(size_t),
                              "the map rows' index");
            }
        }
        print_summary(&r);
    }
    run_free(&r);
    lr_options_free(opts);
    return rc;
}

static const tool_opt opts[] = {
    {"norms", NULL, "each artist's vector norm against its fans (always computed; the "
                    "default when no map is asked for)"},
    {"pca", "N", "a PCA map: N principal components (1 to the model's factors)"},
    {"tsne", NULL, "a 2-D t-SNE map of the artist vectors"},
    {"perplexity", "P", "t-SNE's perplexity, below (artists - 1) / 3 (default 30; shorthand "
                        "for --opt tsne_perplexity=P)"},
    {"metric", "cosine|euclidean", "t-SNE's distance between vectors (default cosine)"},
    {"iterations", "N", "t-SNE's iterations, at least tsne_exaggeration_iterations (250) "
                        "(default 750)"},
    {"min-fans", "N", "maps take the artists with at least N training listeners (default 1; "
                      "zero vectors are always left out)"},
    {"output", "FILE", "write the rows to FILE (tab-separated) instead of stdout"},
    TOOL_OPT_JSON,
    TOOL_OPT_SEED,
    TOOL_OPT_THREADS,
    TOOL_OPT_OPT,
    {NULL, NULL, NULL},
};

const tool_cmd tool_cmd_embed = {
    .name = "embed",
    .args = "MODEL",
    .npos = 1,
    .summary = "norms, PCA and t-SNE maps of a model's artist vectors",
    .details = "MODEL is a model file written by 'lastrec train' with artist vectors\n"
               "(mf, als, bpr, blend, softmax).  One row per artist: ID, name, top tag,\n"
               "fans, plays, the vector's norm, then the coordinates of each map asked\n"
               "for.  Without a map every artist of the model is listed; with one, the\n"
               "artists it maps (at least --min-fans listeners, a non-zero vector).\n"
               "The correlations of norm with fans, the explained variance, the KL\n"
               "divergence and neighbourhood preservation go to stderr (with --json,\n"
               "into the JSON, rows included unless -o is given).  docs/embed.md says\n"
               "what each figure is.",
    .opts = opts,
    .short_opts = "o=output",
    .run = run,
};
