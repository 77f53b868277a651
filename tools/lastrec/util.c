/* Argument parsing, error reporting, loading and formatting shared by the
 * subcommands.  SPDX-License-Identifier: MIT */
#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Print @p text from column @p indent, wrapped at word boundaries so no
 * line passes 79 columns. */
void tool_wrap(FILE *fp, const char *text, int indent)
{
    const int width = 79 - indent;
    int col = 0;
    while (*text) {
        int len = (int)strcspn(text, " ");
        if (col && col + 1 + len > width) {
            fprintf(fp, "\n%*s", indent, "");
            col = 0;
        } else if (col) {
            fputc(' ', fp);
            col++;
        }
        fwrite(text, 1, (size_t)len, fp);
        col += len;
        text += len;
        text += strspn(text, " ");
    }
    fputc('\n', fp);
}

/* The short form of option @p name, or 0. */
static char short_of(const tool_cmd *cmd, const char *name)
{
    size_t len = strlen(name);
    for (const char *p = cmd->short_opts; p && *p; p += strcspn(p, " "), p += strspn(p, " "))
        if (p[1] == '=' && !strncmp(p + 2, name, len) && (p[2 + len] == ' ' || !p[2 + len]))
            return p[0];
    return 0;
}

void tool_usage(const tool_cmd *cmd, FILE *fp)
{
    fprintf(fp, "usage: lastrec %s %s%s[options]\n", cmd->name, cmd->args,
            *cmd->args ? " " : "");
    if (cmd->details)
        fprintf(fp, "\n%s\n", cmd->details);
    fputs("\noptions:\n", fp);
    for (const tool_opt *o = cmd->opts; o->name; o++) {
        char left[64], spelled[32], c = short_of(cmd, o->name);
        if (c)
            snprintf(spelled, sizeof spelled, "-%c, --%s", c, o->name);
        else
            snprintf(spelled, sizeof spelled, "%s%s", o->name[1] ? "--" : "-", o->name);
        snprintf(left, sizeof left, "%s%s%s", spelled, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        fprintf(fp, "  %-22s ", left);
        tool_wrap(fp, o->help, 25);
    }
    fprintf(fp, "  %-22s ", "-q, --quiet");
    tool_wrap(fp, "no progress on stderr", 25);
    fprintf(fp, "  %-22s ", "--progress");
    tool_wrap(fp, "progress as plain lines when stderr is not a terminal (a stage's "
                  "start, then at most one line every 5 s)", 25);
    fprintf(fp, "  %-22s %s\n", "-h, --help", "print this help and exit");
}

/* ----------------------------------------------------------- did you mean */

/* Optimal string alignment distance, ASCII case ignored, capped at
 * NEAR_CAP (longer words are cut: nobody mistypes past 64 bytes).  With
 * @p part, the distance of @p a to the closest part of @p b (the rest of
 * b is free), plus one: "Beatels" is one edit from a part of "The
 * Beatles", which a whole name one edit away still beats. */
#define NEAR_CAP 64
static int near_distance(const char *a, const char *b, int part)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > NEAR_CAP)
        n = NEAR_CAP;
    if (m > NEAR_CAP)
        m = NEAR_CAP;
    int d[NEAR_CAP + 1][NEAR_CAP + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = part ? 0 : (int)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int v = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < v)
                v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    if (!part)
        return d[n][m];
    int best = d[n][0];
    for (size_t j = 1; j <= m; j++)
        best = d[n][j] < best ? d[n][j] : best;
    return best + 1;
}

void tool_near_init(tool_near *nr, const char *word)
{
    memset(nr, 0, sizeof *nr);
    nr->word = word;
}

void tool_near_add(tool_near *nr, const char *candidate, int32_t id)
{
    size_t len = strlen(nr->word);
    if (len == 0 || !candidate || !*candidate)
        return;
    int d = near_distance(nr->word, candidate, 0);
    if (nr->part) {
        int p = near_distance(nr->word, candidate, 1);
        d = p < d ? p : d;
    }
    int limit = len < 3 ? 1 : (int)(len + 1) / 3;
    /* "fact" for "factors": a word that starts a candidate is close. */
    if (d > limit && len >= 3 && !strncasecmp(candidate, nr->word, len))
        d = limit;
    if (d > limit || d == 0)
        return;
    /* Keep the closest, in order; among equals the first offered first. */
    int at = nr->n;
    while (at > 0 && nr->dist[at - 1] > d)
        at--;
    if (at == TOOL_NEAR_MAX)
        return;
    int last = nr->n < TOOL_NEAR_MAX ? nr->n : TOOL_NEAR_MAX - 1;
    for (int i = last; i > at; i--) {
        nr->name[i] = nr->name[i - 1];
        nr->id[i] = nr->id[i - 1];
        nr->dist[i] = nr->dist[i - 1];
    }
    nr->name[at] = candidate;
    nr->id[at] = id;
    nr->dist[at] = d;
    if (nr->n < TOOL_NEAR_MAX)
        nr->n++;
}

const char *tool_near_text(const tool_near *nr, const char *before, const char *after,
                           char *buf, size_t size)
{
    size_t len = 0;
    int k = 0;
    buf[0] = '\0';
    /* Only the closest: "did you mean 'factors'", not everything two
     * edits away, unless several are equally close. */
    while (k < nr->n && nr->dist[k] == nr->dist[0])
        k++;
    for (int i = 0; i < k && len < size; i++) {
        if (i)
            len += (size_t)snprintf(buf + len, size - len, "%s", i + 1 < k ? ", " : " or ");
        if (len < size)
            len += (size_t)snprintf(buf + len, size - len, "%s%s%s", before, nr->name[i],
                                    after);
    }
    return buf;
}

int tool_usage_error(const tool_cmd *cmd, const char *fmt, ...)
{
    va_list ap;
    fputs("lastrec: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (cmd)
        fprintf(stderr, "\nTry 'lastrec %s --help'.\n", cmd->name);
    else
        fputs("\nTry 'lastrec help'.\n", stderr);
    return TOOL_USAGE;
}

/* Tables longer than TOOL_MAX_OPTS would overrun tool_args; the options past
 * that limit are simply not found, which the tool tests would catch. */
static int find_opt(const tool_cmd *cmd, const char *name, size_t len)
{
    for (int i = 0; i < TOOL_MAX_OPTS && cmd->opts[i].name; i++)
        if (strlen(cmd->opts[i].name) == len && !strncmp(cmd->opts[i].name, name, len))
            return i;
    return -1;
}

/* The option spelled -c: a listed short form, or a one-letter name. */
static int find_short(const tool_cmd *cmd, char c)
{
    for (int i = 0; i < TOOL_MAX_OPTS && cmd->opts[i].name; i++)
        if (short_of(cmd, cmd->opts[i].name) == c ||
            (cmd->opts[i].name[0] == c && !cmd->opts[i].name[1]))
            return i;
    return -1;
}

/* The library's option keys, for "did you mean". */
static void near_library_keys(tool_near *nr)
{
    int key;
    for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
        const char *name;
        if (lr_option_info(key, &name, NULL, NULL, NULL, NULL) == LR_OK)
            tool_near_add(nr, name, key);
    }
}

/* Whether @p name is one of the library's option keys. */
static int is_library_key(const char *name)
{
    int key;
    for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
        const char *kn;
        if (lr_option_info(key, &kn, NULL, NULL, NULL, NULL) == LR_OK && !strcmp(kn, name))
            return key;
    }
    return 0;
}

/* "--factor": the command's closest options; failing those, a library
 * key the command takes through --opt. */
static int unknown_option(const tool_cmd *cmd, const char *name, size_t len)
{
    char word[64], near[256];
    snprintf(word, sizeof word, "%.*s", (int)(len < 63 ? len : 63), name);
    tool_near nr;
    tool_near_init(&nr, word);
    for (int i = 0; i < TOOL_MAX_OPTS && cmd->opts[i].name; i++)
        tool_near_add(&nr, cmd->opts[i].name, 0);
    tool_near_text(&nr, "'--", "'", near, sizeof near);
    if (!*near && find_opt(cmd, "opt", 3) >= 0) {
        /* "--learning_rate 0.1": a library key, set through --opt. */
        if (is_library_key(word)) {
            snprintf(near, sizeof near, "'--opt %s=VALUE'", word);
        } else {
            tool_near_init(&nr, word);
            near_library_keys(&nr);
            tool_near_text(&nr, "'--opt ", "=VALUE'", near, sizeof near);
        }
    }
    if (!strncmp(near, "'--opt", 6)) {
        fprintf(stderr, "lastrec: %s: unknown option '--%s'; did you mean %s?\n"
                "Run 'lastrec help options' for the keys --opt takes.\n", cmd->name, word, near);
        return TOOL_USAGE;
    }
    return tool_usage_error(cmd, "%s: unknown option '--%s'%s%s%s", cmd->name, word,
                            *near ? "; did you mean " : "", near, *near ? "?" : "");
}

int tool_parse(const tool_cmd *cmd, int argc, char **argv, tool_args *out)
{
    memset(out, 0, sizeof *out);
    out->cmd = cmd;
    /* --help wins over anything else on the line, mistakes included, so
     * someone fixing a command line can always ask. */
    for (int i = 0; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            tool_usage(cmd, stdout);
            return -1;
        }
    }
    int only_positionals = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_positionals || arg[0] != '-' || arg[1] == '\0') {
            if (out->npos == (int)(sizeof out->pos / sizeof out->pos[0]) ||
                out->npos == cmd->npos)
                return tool_usage_error(cmd, "%s: unexpected argument '%s'",
                                        cmd->name, arg);
            out->pos[out->npos++] = arg;
            continue;
        }
        if (!strcmp(arg, "--")) {
            only_positionals = 1;
            continue;
        }
        /* Every command's progress switches (progress.h). */
        if (!strcmp(arg, "--quiet") || !strcmp(arg, "-q")) {
            out->quiet = 1;
            continue;
        }
        if (!strcmp(arg, "--progress")) {
            out->progress = 1;
            continue;
        }
        const char *name, *eq;
        size_t len;
        int k;
        if (arg[1] != '-') {
            /* "-k 5" and "-k5", as getopt accepts; no bundling of flags. */
            k = find_short(cmd, arg[1]);
            if (k < 0 || (arg[2] && !cmd->opts[k].metavar))
                return tool_usage_error(cmd, "%s: unknown option '%s'", cmd->name, arg);
            name = cmd->opts[k].name;
            len = strlen(name);
            eq = arg[2] ? arg + 1 : NULL;
        } else {
            /* Both "--users 5" and "--users=5", as getopt_long accepts. */
            name = arg + 2;
            eq = strchr(name, '=');
            len = eq ? (size_t)(eq - name) : strlen(name);
            k = find_opt(cmd, name, len);
            if (k < 0)
                return unknown_option(cmd, name, len);
        }
        const tool_opt *o = &cmd->opts[k];
        const char *value = "";
        const char *dash = o->name[1] ? "--" : "-";
        if (o->metavar) {
            if (eq)
                value = eq + 1;
            else if (i + 1 < argc)
                value = argv[++i];
            else
                return tool_usage_error(cmd, "%s: option '%s%s' needs a value (%s)",
                                        cmd->name, dash, o->name, o->metavar);
        } else if (eq) {
            return tool_usage_error(cmd, "%s: option '%s%s' takes no value",
                                    cmd->name, dash, o->name);
        }
        if (out->nvalues[k] == TOOL_MAX_REPEAT)
            return tool_usage_error(cmd, "%s: option '%s%s' given too often",
                                    cmd->name, dash, o->name);
        out->values[k][out->nvalues[k]++] = value;
    }
    if (out->npos != cmd->npos)
        return tool_usage_error(cmd, "%s: expected %s", cmd->name, cmd->args);
    return TOOL_OK;
}

const char *tool_value(const tool_args *a, const char *name)
{
    int k = find_opt(a->cmd, name, strlen(name));
    return k < 0 || !a->nvalues[k] ? NULL : a->values[k][a->nvalues[k] - 1];
}

int tool_flag(const tool_args *a, const char *name)
{
    return tool_value(a, name) != NULL;
}

int tool_fail(int status, const char *path)
{
    tool_progress_done();
    if (status == LR_E_CANCELLED && tool_progress_interrupted()) {
        /* The library's message names the callback; the person pressed
         * Ctrl-C.  Nothing half-made is left (outputs are written whole). */
        fputs("lastrec: interrupted\n", stderr);
        return TOOL_INTERRUPTED;
    }
    const char *msg = lr_last_error();
    if (!msg || !*msg)
        msg = lr_strerror(status);
    if (path && !strstr(msg, path))
        fprintf(stderr, "lastrec: %s: %s\n", path, msg);
    else
        fprintf(stderr, "lastrec: %s\n", msg);
    return TOOL_BAD_INPUT;
}

/* The library's warnings (threads cut to the CPUs, friend rows completed)
 * are for the person at the command line: on stderr, after any progress
 * line is cleared. */
static void log_to_stderr(int level, const char *message, void *user_data)
{
    (void)user_data;
    tool_progress_done();
    fprintf(stderr, "lastrec: %s%s\n", level == LR_LOG_ERROR ? "error: " : "warning: ",
            message);
}

void tool_log_init(void)
{
    lr_set_log_handler(log_to_stderr, LR_LOG_WARNING, NULL);
}

/* A failed --opt: the library's message, the closest keys to each
 * unknown one, and where the keys are listed (not the command's --help,
 * which does not list them). */
static int bad_opt(const char *text)
{
    fprintf(stderr, "lastrec: --opt %s: %s", text, lr_last_error());
    char near[256] = "";
    for (const char *p = text; *p;) {
        size_t len = strcspn(p, ","), klen = strcspn(p, "=,");
        char key[64];
        while (klen && *p == ' ')
            p++, len--, klen--;
        while (klen && p[klen - 1] == ' ')
            klen--;
        snprintf(key, sizeof key, "%.*s", (int)(klen < 63 ? klen : 63), p);
        int known = is_library_key(key);
        if (!known && *key) {
            tool_near nr;
            tool_near_init(&nr, key);
            near_library_keys(&nr);
            tool_near_text(&nr, "'", "'", near, sizeof near);
            break;
        }
        p += len;
        p += *p == ',';
    }
    if (*near)
        fprintf(stderr, "; did you mean %s?", near);
    fputs("\nRun 'lastrec help options' for every key with its range and defaults.\n", stderr);
    return TOOL_USAGE;
}

int tool_options(const tool_args *a, lr_options **out)
{
    lr_options *opts = NULL;
    int rc = lr_options_new(&opts);
    if (rc != LR_OK) {
        tool_fail(rc, NULL);
        return TOOL_BAD_INPUT;
    }
    int k = find_opt(a->cmd, "opt", 3);
    for (int i = 0; k >= 0 && i < a->nvalues[k]; i++) {
        rc = lr_options_set_string(opts, a->values[k][i]);
        if (rc != LR_OK) {
            lr_options_free(opts);
            return bad_opt(a->values[k][i]);
        }
    }
    /* The shorthands, checked against the library's own bounds. */
    static const struct {
        const char *name;
        int key;
    } shorthands[] = {
        {"seed", LR_OPT_SEED},
        {"threads", LR_OPT_THREADS},
        {"factors", LR_OPT_FACTORS},
        {"epochs", LR_OPT_EPOCHS},
    };
    for (size_t i = 0; i < sizeof shorthands / sizeof shorthands[0]; i++) {
        const char *text = tool_value(a, shorthands[i].name);
        double min = 0, max = 0;
        long long v;
        if (!text)
            continue;
        lr_option_info(shorthands[i].key, NULL, NULL, &min, &max, NULL);
        if (tool_parse_int(text, (long long)min, (long long)max, &v) != 0 ||
            lr_options_set_int(opts, shorthands[i].key, v) != LR_OK) {
            lr_options_free(opts);
            return tool_usage_error(a->cmd, "%s: --%s: '%s' is not a whole number from %.0f%s "
                                    "to %.0f", a->cmd->name, shorthands[i].name, text, min,
                                    shorthands[i].key == LR_OPT_THREADS ? " (all CPUs)" : "",
                                    max);
        }
    }
    /* Always attached, even when nothing is drawn: Ctrl-C stops the work
     * through it. */
    tool_progress_attach(opts);
    *out = opts;
    return TOOL_OK;
}

/* ------------------------------------------------------ the kind of a path */

/* The HetRec files by their header line (tab-separated; a CR may end it). */
static const struct {
    const char *file, *header;
} hetrec_files[] = {
    {"artists.dat", "id\tname\turl\tpictureURL"},
    {"tags.dat", "tagID\ttagValue"},
    {"user_artists.dat", "userID\tartistID\tweight"},
    {"user_friends.dat", "userID\tfriendID"},
    {"user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear"},
    {"user_taggedartists-timestamps.dat", "userID\tartistID\ttagID\ttimestamp"},
};
#define N_HETREC_REQUIRED 5 /* all but the timestamps file */
#define N_HETREC (sizeof hetrec_files / sizeof hetrec_files[0])

/* The first line of a file (at most size - 1 bytes, without CR LF); the
 * number of bytes read, or -1. */
static long first_line(const char *path, char *buf, size_t size)
{
    /* Never block on a FIFO or a device: open without waiting, then read
     * only a regular file (the library's loaders do the same). */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -1;
    }
    ssize_t got = read(fd, buf, size - 1);
    close(fd);
    size_t n = got > 0 ? (size_t)got : 0;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    return (long)n;
}

/* What a file is, by its first bytes: "a model file", "a snapshot",
 * "HetRec's artists.dat", "a listens file"; NULL when unknown. */
static const char *file_kind(const char *path)
{
    char head[256];
    long n = first_line(path, head, sizeof head);
    if (n < 0)
        return NULL;
    if (n >= 8 && !memcmp(head, "LRMODEL", 8))
        return "a model file (written by 'lastrec train')";
    if (n >= 8 && !memcmp(head, "LRDSNAP", 8))
        return "a data set snapshot (written by 'lastrec snapshot')";
    int sha1 = n >= 41 && head[40] == '\t';
    for (int i = 0; sha1 && i < 40; i++)
        sha1 = strchr("0123456789abcdefABCDEF", head[i]) != NULL;
    if (sha1)
        return "a data set (lastfm-360K plays file)";
    static char kind[96];
    for (size_t i = 0; i < N_HETREC; i++)
        if (!strcmp(head, hetrec_files[i].header)) {
            if (!strcmp(hetrec_files[i].file, "user_artists.dat"))
                return "a listens file (user_artists.dat format)";
            snprintf(kind, sizeof kind, "HetRec's %s (by its header)", hetrec_files[i].file);
            return kind;
        }
    return NULL;
}

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* How many of the required HetRec files directory @p path has; the names
 * of the others, comma-separated, into @p missing (may be NULL). */
static size_t hetrec_found(const char *path, char *missing, size_t size)
{
    char file[4096];
    size_t found = 0, len = 0;
    if (missing)
        missing[0] = '\0';
    for (size_t i = 0; i < N_HETREC_REQUIRED; i++) {
        snprintf(file, sizeof file, "%s/%s", path, hetrec_files[i].file);
        if (access(file, F_OK) == 0) {
            found++;
        } else if (missing && len < size) {
            snprintf(missing + len, size - len, "%s%s", len ? ", " : "", hetrec_files[i].file);
            len += strlen(missing + len);
        }
    }
    return found;
}

int tool_wrong_kind(const tool_cmd *cmd, const char *path, int want_model)
{
    const char *name = cmd->name;
    if (want_model) {
        const char *kind = is_dir(path) ? (hetrec_found(path, NULL, 0) == N_HETREC_REQUIRED
                                               ? "a HetRec data directory"
                                               : "a directory")
                                        : file_kind(path);
        if (!kind || !strncmp(kind, "a model file", 12))
            return 0;
        /* Data that a model can be trained from: say how. */
        int data = !strcmp(kind, "a HetRec data directory") || !strncmp(kind, "a listens", 9) ||
                   !strncmp(kind, "a data set", 10);
        tool_progress_done();
        fprintf(stderr, "lastrec: %s: this is %s, not a model file.\n"
                "'lastrec %s' reads a model file written by 'lastrec train', e.g.\n"
                "  lastrec train %s --algo als -o als.lrmodel\n"
                "  lastrec %s als.lrmodel ...\n", path, kind, name, data ? path : "DATA", name);
        return 1;
    }
    if (is_dir(path)) {
        char missing[512], plays[4096];
        /* A lastfm-360K directory: its reader's message stands. */
        snprintf(plays, sizeof plays, "%s/usersha1-artmbid-artname-plays.tsv", path);
        if (access(plays, F_OK) == 0)
            return 0;
        size_t found = hetrec_found(path, missing, sizeof missing);
        if (found == N_HETREC_REQUIRED)
            return 0;
        tool_progress_done();
        if (found == 0)
            fprintf(stderr, "lastrec: %s: not a HetRec directory: it has none of its files.\n"
                    "Expected the HetRec 2011 Last.fm 2K files: artists.dat, tags.dat,\n"
                    "user_artists.dat, user_friends.dat, user_taggedartists.dat (and\n"
                    "optionally user_taggedartists-timestamps.dat).\n", path);
        else
            fprintf(stderr, "lastrec: %s: an incomplete HetRec directory: %s missing.\n"
                    "Expected artists.dat, tags.dat, user_artists.dat, user_friends.dat\n"
                    "and user_taggedartists.dat (user_taggedartists-timestamps.dat is\n"
                    "optional).\n", path, missing);
        return 1;
    }
    const char *kind = file_kind(path);
    if (!kind || !strncmp(kind, "a listens file", 14) || !strncmp(kind, "a data set", 10))
        return 0;
    tool_progress_done();
    fprintf(stderr, "lastrec: %s: this is %s, not a data set.\n"
            "'lastrec %s' reads a HetRec directory, a listens file (user_artists.dat\n"
            "format) or a snapshot",
            path, kind, name);
    if (!strncmp(kind, "HetRec's", 8))
        fputs("; for the whole data set give this file's directory", stderr);
    else if (!strncmp(kind, "a model file", 12))
        fputs(";\na model file is read by 'lastrec recommend' and 'lastrec similar'", stderr);
    fputs(".\n", stderr);
    return 1;
}

int tool_load(const tool_args *a, const char *path, lr_dataset **out)
{
    lr_options *opts = NULL;
    int rc = tool_options(a, &opts);
    if (rc != TOOL_OK)
        return rc;
    rc = lr_dataset_load(out, path, opts);
    lr_options_free(opts);
    if (rc != LR_OK)
        return tool_wrong_kind(a->cmd, path, 0) ? TOOL_BAD_INPUT : tool_fail(rc, path);
    tool_progress_done();
    return TOOL_OK;
}

int tool_parse_int(const char *text, long long min, long long max, long long *value)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (!*text || *end || errno || v < min || v > max)
        return -1;
    *value = v;
    return 0;
}

int tool_parse_double(const char *text, double min, double max, double *value)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (!*text || *end || errno || !isfinite(v) || v < min || v > max)
        return -1;
    *value = v;
    return 0;
}

/* -------------------------------------------------------------- formatting */

const char *tool_fmt(char *buf, size_t size, double value, int decimals)
{
    if (!isfinite(value)) {
        snprintf(buf, size, "n/a");
        return buf;
    }
    char raw[64];
    snprintf(raw, sizeof raw, "%.*f", decimals, fabs(value));
    const char *dot = strchr(raw, '.');
    size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
    size_t o = 0;
    /* "-0.000" would read as a negative number that is not there. */
    if (value < 0 && strspn(raw, "0.") != strlen(raw) && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; i < int_len && o + 1 < size; i++) {
        if (i && (int_len - i) % 3 == 0 && o + 2 < size)
            buf[o++] = ',';
        buf[o++] = raw[i];
    }
    for (const char *p = raw + int_len; *p && o + 1 < size; p++)
        buf[o++] = *p;
    buf[o] = '\0';
    return buf;
}

const char *tool_source_name(int64_t kind)
{
    switch (kind) {
    case LR_SOURCE_HETREC: return "HetRec directory";
    case LR_SOURCE_LISTENS: return "listens file";
    case LR_SOURCE_SNAPSHOT: return "snapshot";
    case LR_SOURCE_SYNTHETIC: return "synthetic";
    case LR_SOURCE_SPLIT: return "split";
    case LR_SOURCE_BUILDER: return "builder";
    case LR_SOURCE_LASTFM360K: return "lastfm-360K file";
    default: return "unknown";
    }
}

const char *tool_source_key(int64_t kind)
{
    switch (kind) {
    case LR_SOURCE_HETREC: return "hetrec";
    case LR_SOURCE_LISTENS: return "listens";
    case LR_SOURCE_SNAPSHOT: return "snapshot";
    case LR_SOURCE_SYNTHETIC: return "synthetic";
    case LR_SOURCE_SPLIT: return "split";
    case LR_SOURCE_BUILDER: return "builder";
    case LR_SOURCE_LASTFM360K: return "lastfm360k";
    default: return "unknown";
    }
}

int tool_oom(const char *path, size_t n, size_t size, const char *what)
{
    tool_progress_done();
    /* the library's wording (lib/core/alloc.c) */
    double v = (double)n * (double)size;
    char amount[96];
    static const char *const unit[] = {"kB", "MB", "GB", "TB", "PB", "EB"};
    int u = -1;
    while (v >= 999.5 && u < 5) {
        v /= 1000;
        u++;
    }
    if (u < 0)
        snprintf(amount, sizeof amount, "%.0f bytes", v);
    else if (n > 1 && size > 1)
        snprintf(amount, sizeof amount, "%.3g %s (%zu x %zu bytes)", v, unit[u], n, size);
    else
        snprintf(amount, sizeof amount, "%.3g %s (%.0f bytes)", v, unit[u],
                 (double)n * (double)size);
    fprintf(stderr, "lastrec: %s%sout of memory: %s for %s\n", path ? path : "", path ? ": " : "",
            amount, what);
    return TOOL_BAD_INPUT;
}
