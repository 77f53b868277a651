/* The lastrec tool's progress display, one unit for every command: the
 * library's progress callback drawn as a bar on a terminal, as plain
 * lines in a log when asked (--progress), nothing with --quiet; and
 * Ctrl-C turned into the callback's cancel.  SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_PROGRESS_H
#define LASTREC_TOOL_PROGRESS_H

#include <lastrec/lastrec.h>

/* The exit status of a run stopped by Ctrl-C: 128 + SIGINT, what a shell
 * reports for a program the signal ended (docs/cli.md). */
#define TOOL_INTERRUPTED 130

/* Once per run, after the command line is parsed: @p quiet (--quiet)
 * draws nothing; @p lines (--progress) writes plain lines when stderr is
 * not a terminal, where nothing is drawn otherwise.  Installs the Ctrl-C
 * handler whatever is drawn, so that cancelling works with --quiet too. */
void tool_progress_setup(int quiet, int lines);

/* Report the work started with @p opts to the display (and so to Ctrl-C).
 * @p opts is borrowed; the callback it gets holds no pointer into it. */
void tool_progress_attach(lr_options *opts);

/* Progress of model work on @p opts (copied into each model, so call it
 * before lr_model_new): the display's lines are labelled @p label
 * (borrowed; it must outlive the work), and epochs draw as a bar; when
 * stderr is not a terminal, @p verbose (train -v) writes one line per
 * epoch (unless --quiet). */
void tool_progress_model(lr_options *opts, const char *label, int verbose);

/* A step of the tool's own that the library does not report (writing an
 * output), shown as the library's stages are: @p stage (borrowed, copied)
 * has @p done of @p total units done.  TOOL_INTERRUPTED after Ctrl-C
 * (then do not start the step), else 0. */
int tool_progress_step(const char *stage, uint64_t done, uint64_t total);

/* Clear the bar, if one is drawn, so that what follows starts a line. */
void tool_progress_done(void);

/* Whether a bar is being drawn on a terminal (a command with a step log
 * of its own writes it only when not). */
int tool_progress_drawing(void);

/* Whether --quiet was given. */
int tool_progress_quiet(void);

/* Whether Ctrl-C was pressed: the callback then asks the library to stop,
 * and the run ends with TOOL_INTERRUPTED. */
int tool_progress_interrupted(void);

#endif
