/* lastrec: the command-line face of liblastrec.  This file only dispatches;
 * each subcommand lives in its own file.  SPDX-License-Identifier: MIT */
#include "results.h" /* the query commands */
#include "util.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

extern const tool_cmd tool_cmd_report; /* report.c */
extern const tool_cmd tool_cmd_export; /* export.c */

static const tool_cmd *const commands[] = {
    &tool_cmd_info, &tool_cmd_analyze, &tool_cmd_synth, &tool_cmd_snapshot,
    &tool_cmd_split, &tool_cmd_train, &tool_cmd_eval, &tool_cmd_recommend, &tool_cmd_similar,
    &tool_cmd_embed, &tool_cmd_report, &tool_cmd_export, NULL,
};

static void usage(FILE *fp)
{
    fputs("usage: lastrec COMMAND ARGS [options]\n"
          "       lastrec help [COMMAND | options [--algo NAME]]\n"
          "       lastrec --version\n"
          "\ncommands:\n",
          fp);
    for (int i = 0; commands[i]; i++)
        fprintf(fp, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help       print this help, a command's help, or the library options\n"
          "\nRun 'lastrec COMMAND --help' for a command's options.\n"
          "Every command takes -q/--quiet (no progress on stderr) and --progress\n"
          "(progress as plain lines when stderr is not a terminal).\n"
          "Exit status: 0 success, 1 bad input (the reason on stderr), 2 usage error,\n"
          "130 interrupted by Ctrl-C (no output left half-written).\n",
          fp);
}

/* The name of an enum-valued option's value, from the library's one table
 * (lr_option_value_name), so a new name shows here without a change. */
static const char *enum_name(int key, double v)
{
    if (v != (double)(int64_t)v)
        return NULL;
    return lr_option_value_name(key, (int64_t)v);
}

/* A value as the tables show it: an enum by name, an int whole. */
static const char *show_value(char *buf, size_t size, int key, int type, double v)
{
    const char *name = enum_name(key, v);
    if (name)
        snprintf(buf, size, "%s", name);
    else if (type == LR_OPTTYPE_INT)
        snprintf(buf, size, "%.0f", v);
    else
        snprintf(buf, size, "%g", v);
    return buf;
}

/* "0 to 3" or, for an enum, "0 raw, 1 log1p, 2 binary, 3 bm25". */
static const char *show_range(char *buf, size_t size, int key, int type, double min,
                              double max)
{
    if (enum_name(key, min)) {
        size_t len = 0;
        buf[0] = '\0';
        for (int v = (int)min; v <= (int)max && len < size; v++)
            if (enum_name(key, v)) /* a value without a name is not listed */
                len += (size_t)snprintf(buf + len, size - len, "%s%d %s", len ? ", " : "", v,
                                        enum_name(key, v));
    } else if (type == LR_OPTTYPE_INT) {
        snprintf(buf, size, "%.0f to %.0f", min, max);
    } else {
        snprintf(buf, size, "%g to %g", min, max);
    }
    return buf;
}

/* "    transform    0 raw, 1 log1p, 2 binary, 3 bm25", one line per
 * enum-valued option, from the library's table. */
static void list_value_names(FILE *fp)
{
    int key;
    char r[96];
    for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
        const char *name;
        int type;
        double min, max;
        if (lr_option_info(key, &name, &type, &min, &max, NULL) == LR_OK && enum_name(key, min))
            fprintf(fp, "    %-20s %s\n", name, show_range(r, sizeof r, key, type, min, max));
    }
}

/* The algorithms whose defaults the model table shows (pop takes no
 * model option). */
static const int table_algos[] = {LR_ALGO_MF,   LR_ALGO_ALS,   LR_ALGO_BPR,
                                  LR_ALGO_EASE, LR_ALGO_BLEND, LR_ALGO_SOFTMAX};
#define N_TABLE_ALGOS (sizeof table_algos / sizeof table_algos[0])

/* Each algorithm's defaults: a model made with no options set holds them
 * (lr_model_new fills in the algorithm's own). */
static int algo_defaults(int algo, lr_model **m)
{
    lr_options *none = NULL;
    int rc = lr_options_new(&none);
    if (rc == LR_OK)
        rc = lr_model_new(m, algo, none);
    lr_options_free(none);
    return rc;
}

/* The keys --opt accepts, read from the library so the list never goes
 * stale: the general ones with their default, the model ones with each
 * algorithm's (or, with @p algo > 0, one algorithm's, with the ranges). */
static int list_options(FILE *fp, int algo)
{
    lr_model *models[N_TABLE_ALGOS] = {NULL};
    lr_model *one = NULL;
    int rc = LR_OK;
    if (algo > 0)
        rc = algo_defaults(algo, &one);
    for (size_t a = 0; algo <= 0 && rc == LR_OK && a < N_TABLE_ALGOS; a++)
        rc = algo_defaults(table_algos[a], &models[a]);
    if (rc != LR_OK) {
        lr_model_free(one);
        for (size_t a = 0; a < N_TABLE_ALGOS; a++)
            lr_model_free(models[a]);
        return tool_fail(rc, NULL);
    }
    fputs("Library options for --opt KEY=VALUE (several as KEY=VALUE,KEY=VALUE).\n", fp);
    if (algo > 0)
        fprintf(fp, "Defaults are %s's.\n", lr_algorithm_name(algo));
    else
        fputs("\nGeneral options (data loading, splits, synthetic data, threads, seed,\n"
              "maps of artist vectors for 'lastrec embed'):\n", fp);
    fprintf(fp, "\n  %-22s %-7s %-10s %s\n", "key", "type", "default", "range");
    int key;
    char v[32], r[96];
    for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
        const char *name;
        int type;
        double min, max, def;
        if (lr_option_info(key, &name, &type, &min, &max, &def) != LR_OK)
            continue;
        /* the model options have their own table below; the map options
         * (600 on) are no model's and stay here */
        if (algo <= 0 && key >= LR_OPT_FACTORS && key < LR_OPT_TSNE_PERPLEXITY)
            continue;
        if (one)
            lr_model_option(one, key, &def);
        fprintf(fp, "  %-22s %-7s %-10s %s\n", name, type == LR_OPTTYPE_INT ? "int" : "double",
                show_value(v, sizeof v, key, type, def), show_range(r, sizeof r, key, type, min, max));
    }
    if (algo <= 0) {
        fputs("\nModel options: each algorithm's default (pop takes none).  The ranges\n"
              "and one algorithm's list: lastrec help options --algo NAME.\n\n", fp);
        fprintf(fp, "  %-22s", "key");
        for (size_t a = 0; a < N_TABLE_ALGOS; a++)
            fprintf(fp, a + 1 < N_TABLE_ALGOS ? " %-8s" : " %s", lr_algorithm_name(table_algos[a]));
        fputc('\n', fp);
        for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
            const char *name;
            int type;
            if (key < LR_OPT_FACTORS || key >= LR_OPT_TSNE_PERPLEXITY ||
                lr_option_info(key, &name, &type, NULL, NULL, NULL) != LR_OK)
                continue;
            fprintf(fp, "  %-22s", name);
            for (size_t a = 0; a < N_TABLE_ALGOS; a++) {
                double d = 0;
                lr_model_option(models[a], key, &d);
                fprintf(fp, a + 1 < N_TABLE_ALGOS ? " %-8s" : " %s",
                        show_value(v, sizeof v, key, type, d));
            }
            fputc('\n', fp);
        }
        fputs("\nNamed values: --opt takes the name or its number (optimizer=sgd or\n"
              "optimizer=1):\n", fp);
        list_value_names(fp);
        fputs("A key an algorithm does not use shows the general value and is ignored\n"
              "(docs/models.md lists each algorithm's options).\n", fp);
    }
    lr_model_free(one);
    for (size_t a = 0; a < N_TABLE_ALGOS; a++)
        lr_model_free(models[a]);
    return TOOL_OK;
}

/* help options [--algo NAME] */
static int help_options(int argc, char **argv)
{
    if (argc == 0)
        return list_options(stdout, 0);
    const char *name = NULL;
    if (argc == 2 && !strcmp(argv[0], "--algo"))
        name = argv[1];
    else if (argc == 1 && !strncmp(argv[0], "--algo=", 7))
        name = argv[0] + 7;
    if (!name)
        return tool_usage_error(NULL, "help options: expected nothing or --algo NAME");
    int algo;
    if (lr_algorithm_lookup(name, &algo) != LR_OK)
        return tool_usage_error(NULL, "help options --algo: %s", lr_last_error());
    return list_options(stdout, algo);
}

static const tool_cmd *find_command(const char *name)
{
    for (int i = 0; commands[i]; i++)
        if (!strcmp(commands[i]->name, name))
            return commands[i];
    return NULL;
}

/* "unknown command 'trian'; did you mean 'train'?" */
static int unknown_command(const char *what, const char *name)
{
    tool_near nr;
    tool_near_init(&nr, name);
    for (int i = 0; commands[i]; i++)
        tool_near_add(&nr, commands[i]->name, 0);
    tool_near_add(&nr, "help", 0);
    if (!strcmp(what, "help topic"))
        tool_near_add(&nr, "options", 0);
    char near[160];
    tool_near_text(&nr, "'", "'", near, sizeof near);
    return tool_usage_error(NULL, "unknown %s '%s'%s%s%s", what, name,
                            *near ? "; did you mean " : "", near, *near ? "?" : "");
}

static int help(int argc, char **argv)
{
    if (argc == 0) {
        usage(stdout);
        return TOOL_OK;
    }
    /* Every command takes --help, help too (it answers with the overview,
     * which says what help does). */
    for (int i = 0; i < argc; i++)
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return TOOL_OK;
        }
    if (!strcmp(argv[0], "options"))
        return help_options(argc - 1, argv + 1);
    if (argc > 1)
        return tool_usage_error(NULL, "help: expected at most one topic");
    if (!strcmp(argv[0], "help")) {
        usage(stdout);
        return TOOL_OK;
    }
    const tool_cmd *cmd = find_command(argv[0]);
    if (!cmd)
        return unknown_command("help topic", argv[0]);
    tool_usage(cmd, stdout);
    return TOOL_OK;
}

static int version(void)
{
    printf("lastrec %s\n", lr_version_string());
    /* A tool run against another build of the library than it was compiled
     * with is worth knowing about in a bug report. */
    if (lr_version_number() != LR_VERSION_NUMBER)
        printf("built with lastrec.h %s\n", LR_VERSION_STRING);
    /* lr_build_info() is one line of "; "-separated parts, the version
     * first: one part a line reads better. */
    const char *info = lr_build_info(), *p = strstr(info, "; ");
    for (p = p ? p + 2 : info; *p;) {
        size_t len = strcspn(p, ";");
        printf("%.*s\n", (int)len, p);
        p += len;
        p += strspn(p, "; ");
    }
    return TOOL_OK;
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TOOL_USAGE;
    }
    const char *name = argv[1];
    if (!strcmp(name, "--version") || !strcmp(name, "-V"))
        return argc == 2 ? version()
                         : tool_usage_error(NULL, "--version takes no arguments");
    if (!strcmp(name, "--help") || !strcmp(name, "-h") || !strcmp(name, "help"))
        return help(argc - 2, argv + 2);
    const tool_cmd *cmd = find_command(name);
    if (!cmd)
        return unknown_command("command", name);
    tool_args args;
    int rc = tool_parse(cmd, argc - 2, argv + 2, &args);
    if (rc < 0)
        return TOOL_OK; /* --help was answered */
    if (rc != TOOL_OK)
        return rc;
    tool_progress_setup(args.quiet, args.progress);
    rc = cmd->run(&args);
    /* Ctrl-C ends as interrupted even when the work had no report left to
     * stop at and finished (its output is then whole): a script must not
     * carry on as if nobody had pressed it. */
    return tool_progress_interrupted() ? TOOL_INTERRUPTED : rc;
}

/* Under an address-space limit (ulimit -v), run OpenBLAS on the calling
 * thread.  OpenBLAS 0.3.21 starts its worker threads when the library
 * loads, before main, and each maps a 128 MB buffer as it starts; when
 * that mmap fails it retries forever, and the process hangs at exit
 * waiting for the worker (seen at 100 MB with every algorithm, even pop).
 * Only the environment at start-up can prevent it, so the tool restarts
 * itself once with OPENBLAS_NUM_THREADS=1.  A BLAS thread count the user
 * set is left alone; so is everything when exec fails. */
static void blas_threads_under_limit(char **argv)
{
    struct rlimit as;
    if (getrlimit(RLIMIT_AS, &as) != 0 || as.rlim_cur == RLIM_INFINITY)
        return;
    if (getenv("OPENBLAS_NUM_THREADS") || getenv("GOTO_NUM_THREADS") ||
        getenv("OMP_NUM_THREADS"))
        return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) != 0)
        return;
    execv("/proc/self/exe", argv);
    unsetenv("OPENBLAS_NUM_THREADS");
}

int main(int argc, char **argv)
{
    blas_threads_under_limit(argv);
    tool_log_init();
    int rc = dispatch(argc, argv);
    /* A full disk or a closed pipe must not pass for success. */
    int err = fflush(stdout) != 0 ? errno : 0;
    if (err || ferror(stdout)) {
        if (err != EPIPE)
            fprintf(stderr, "lastrec: cannot write output: %s\n",
                    err ? strerror(err) : "write error");
        return rc == TOOL_OK ? TOOL_BAD_INPUT : rc;
    }
    return rc;
}
