/* The lastrec tool's shared pieces: command table, argument parsing, loading
 * with progress, number formatting.  SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_UTIL_H
#define LASTREC_TOOL_UTIL_H

#include <lastrec/lastrec.h>

#include "progress.h"

#include <stdio.h>

/* Exit statuses, as docs/cli.md promises them. */
enum {
    TOOL_OK = 0,
    TOOL_BAD_INPUT = 1,
    TOOL_USAGE = 2
};

#define TOOL_MAX_OPTS 16
#define TOOL_MAX_REPEAT 16

/* One option of a command; metavar NULL means a flag without a value. */
typedef struct tool_opt {
    const char *name; /* "users" for --users */
    const char *metavar;
    const char *help;
} tool_opt;

/* What the parser found: positionals, and per option of the command's table
 * every value given, in order (a flag's value is ""). */
typedef struct tool_args {
    const struct tool_cmd *cmd;
    const char *pos[4];
    int npos;
    const char *values[TOOL_MAX_OPTS][TOOL_MAX_REPEAT];
    int nvalues[TOOL_MAX_OPTS];
    int quiet, progress; /* --quiet, --progress: every command's */
} tool_args;

typedef struct tool_cmd {
    const char *name;
    const char *args;    /* positionals for the usage line: "PATH" */
    int npos;            /* exactly this many positionals */
    const char *summary; /* one line, for `lastrec help` */
    const char *details; /* a paragraph after the usage line, or NULL */
    const tool_opt *opts; /* terminated by an entry with name NULL */
    /* Short forms, "o=output v=verbose" for -o and -v; an option whose
     * name is one letter is spelled -k without being listed.  May be NULL. */
    const char *short_opts;
    int (*run)(const tool_args *a);
} tool_cmd;

extern const tool_cmd tool_cmd_info, tool_cmd_analyze, tool_cmd_synth,
    tool_cmd_snapshot, tool_cmd_split, tool_cmd_train, tool_cmd_eval;
extern const tool_cmd tool_cmd_embed; /* embed.c */

/* The options every data-reading command shares, for the commands' tables. */
#define TOOL_OPT_JSON {"json", NULL, "print JSON instead of text"}
#define TOOL_OPT_OPT                                                         \
    {"opt", "KEY=VALUE", "set a library option, e.g. min_tag_uses=3 "        \
                         "(repeatable; `lastrec help options` lists them)"}

/* Shorthands for the options every training command takes; tool_options
 * applies them after every --opt, so they win over it. */
#define TOOL_OPT_SEED                                                        \
    {"seed", "S", "seed of every random choice (shorthand for --opt seed=S; " \
                  "default 42)"}
#define TOOL_OPT_THREADS                                                     \
    {"threads", "N", "worker threads, 0 = all CPUs, never more than the "   \
                     "online CPUs (shorthand for --opt threads=N)"}
#define TOOL_OPT_FACTORS                                                     \
    {"factors", "N", "embedding size (shorthand for --opt factors=N; the "  \
                     "default depends on the algorithm)"}
#define TOOL_OPT_EPOCHS                                                      \
    {"epochs", "N", "training epochs (shorthand for --opt epochs=N; the "   \
                    "default depends on the algorithm)"}

void tool_usage(const tool_cmd *cmd, FILE *fp);

/* Print @p text, then a newline, wrapped at spaces so no line passes 79
 * columns; lines after the first start at column @p indent. */
void tool_wrap(FILE *fp, const char *text, int indent);

/* Send the library's warnings and errors to stderr ("lastrec: warning: ");
 * once, at start-up. */
void tool_log_init(void);

/* Parse argv (after the command name).  Returns TOOL_OK, TOOL_USAGE after
 * printing why, or -1 when --help was asked and answered. */
int tool_parse(const tool_cmd *cmd, int argc, char **argv, tool_args *out);

/* The last value of option @p name, or NULL when absent. */
const char *tool_value(const tool_args *a, const char *name);
int tool_flag(const tool_args *a, const char *name);

/* A status from lastrec turned into the message on stderr; @p path is named
 * when the library's message does not already name it. */
int tool_fail(int status, const char *path);
#if defined(__GNUC__)
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TOOL_PRINTF(f, a)
#endif

/* A command-line problem: message on stderr, TOOL_USAGE. */
int tool_usage_error(const tool_cmd *cmd, const char *fmt, ...) TOOL_PRINTF(2, 3);

/* "Did you mean": the closest of the candidates offered to a mistyped
 * word, by edit distance (ignoring ASCII case; a swap of two neighbouring
 * letters is one edit), within about a third of the word's length; a
 * candidate the word starts is close too. */
#define TOOL_NEAR_MAX 4
typedef struct tool_near {
    const char *word;
    const char *name[TOOL_NEAR_MAX]; /* borrowed from the caller */
    int32_t id[TOOL_NEAR_MAX];
    int dist[TOOL_NEAR_MAX];
    int n;
    int part; /* set after init: a close part of a candidate counts too
                 (artist names, which are searched by their parts) */
} tool_near;
void tool_near_init(tool_near *nr, const char *word);
void tool_near_add(tool_near *nr, const char *candidate, int32_t id);
/* "'factors'" or "'factors' or 'epochs'": the closest names, each between
 * @p before and @p after ("'--" and "'"); "" when nothing is close. */
const char *tool_near_text(const tool_near *nr, const char *before, const char *after,
                           char *buf, size_t size);

/* Options from every --opt, then the shorthands the command has (--seed,
 * --threads, --factors, --epochs), with the progress display attached
 * (progress.h).  On failure prints the reason and returns
 * TOOL_USAGE. */
int tool_options(const tool_args *a, lr_options **out);

/* When @p path is the wrong kind of thing for a command (a directory
 * without HetRec files, one HetRec file, a model file where data is
 * wanted, data where a model file is wanted), print on stderr what it is
 * and what was expected, and return 1; else 0 (nothing printed).
 * @p want_model: the command reads a model file, not data. */
int tool_wrong_kind(const tool_cmd *cmd, const char *path, int want_model);

/* Load PATH with the command's options; prints the failure itself. */
int tool_load(const tool_args *a, const char *path, lr_dataset **out);

/* Parse a whole decimal integer in [min, max]. */
int tool_parse_int(const char *text, long long min, long long max,
                   long long *value);
/* Parse a finite decimal number in [min, max]. */
int tool_parse_double(const char *text, double min, double max, double *value);

/* Format with thousands separators: "36,566.583" for (36566.5833, 3). */
const char *tool_fmt(char *buf, size_t size, double value, int decimals);

/* "HetRec directory" for text; "hetrec" for JSON. */
const char *tool_source_name(int64_t kind);
const char *tool_source_key(int64_t kind);

/* The tool's own allocation of n items of size bytes failed: says so on
 * stderr as the library does ("out of memory: 4.8 kB (600 x 8 bytes) for
 * the training history"), after "path: " when path is not NULL.  Returns
 * TOOL_BAD_INPUT. */
int tool_oom(const char *path, size_t n, size_t size, const char *what);

#endif
