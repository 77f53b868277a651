/* lastrec: the command-line face of liblastrec.  This file only dispatches;
 * each subcommand lives in its own file.  SPDX-License-Identifier: MIT */
#include "results.h" /* the query commands */
#include "util.h"

#include <errno.h>
#include <string.h>

static const tool_cmd *const commands[] = {
    &tool_cmd_info, &tool_cmd_analyze, &tool_cmd_synth, &tool_cmd_snapshot,
    &tool_cmd_train, &tool_cmd_eval, &tool_cmd_recommend, &tool_cmd_similar, NULL,
};

static void usage(FILE *fp)
{
    fputs("usage: lastrec COMMAND ARGS [options]\n"
          "       lastrec help [COMMAND | options]\n"
          "       lastrec --version\n"
          "\ncommands:\n",
          fp);
    for (int i = 0; commands[i]; i++)
        fprintf(fp, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fputs("  help       print this help, a command's help, or the library options\n"
          "\nRun 'lastrec COMMAND --help' for a command's options.\n"
          "Exit status: 0 success, 1 bad input (the reason on stderr), 2 usage error.\n",
          fp);
}

/* The keys --opt accepts, read from the library so the list never goes
 * stale. */
static void list_options(FILE *fp)
{
    fputs("Library options for --opt KEY=VALUE (several as KEY=VALUE,KEY=VALUE):\n\n", fp);
    fprintf(fp, "  %-24s %-7s %-10s %s\n", "key", "type", "default", "range");
    int key;
    for (size_t i = 0; (key = lr_option_key_at(i)) != 0; i++) {
        const char *name;
        int type;
        double min, max, def;
        if (lr_option_info(key, &name, &type, &min, &max, &def) != LR_OK)
            continue;
        if (type == LR_OPTTYPE_INT)
            fprintf(fp, "  %-24s %-7s %-10.0f %.0f to %.0f\n", name, "int", def, min, max);
        else
            fprintf(fp, "  %-24s %-7s %-10g %g to %g\n", name, "double", def, min, max);
    }
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
    if (argc > 1)
        return tool_usage_error(NULL, "help: expected at most one topic");
    if (!strcmp(argv[0], "help")) {
        usage(stdout);
        return TOOL_OK;
    }
    if (!strcmp(argv[0], "options")) {
        list_options(stdout);
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
    printf("%s\n", lr_build_info());
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
    return cmd->run(&args);
}

int main(int argc, char **argv)
{
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
