/* Progress on stderr for every command (progress.h says what it shows
 * when).  SPDX-License-Identifier: MIT */
#include "progress.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* Seconds between redraws of the bar: more often would cost more than
 * the work on fast stages and flicker. */
#define REDRAW_S 0.1
/* Seconds between plain lines of one stage in a log. */
#define LINE_S 5.0
/* The bar's widest; narrower when the terminal is. */
#define BAR_MAX 30

enum { SHOW_NOTHING, SHOW_BAR, SHOW_LINES };

static int show = SHOW_NOTHING;
static int quiet;
static int epoch_lines;         /* train -v in a log: one line per epoch */
static const char *label = "";  /* borrowed from the command */
static int drawn;               /* a bar is on the terminal's last line */
static double last_report = -1; /* when the library last reported */
static volatile sig_atomic_t interrupted;
static int note_on_sigint;      /* 1: stderr is a terminal, 2: a log */

/* The stage being shown.  Its elapsed time counts from when the work
 * before it ended (a fit's first report comes after its first epoch);
 * rate and time left from its first report to its latest (t-SNE's first
 * comes after a long setup that says nothing of the iterations' pace). */
static struct {
    char name[128];
    double t_start, t0, last_draw, last_line;
    uint64_t done0, done, total;
    int lines; /* plain lines written for it */
} st;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The first Ctrl-C asks the library to stop at its next report, so that
 * it frees what it made and no output is left half-written; a second one
 * ends the process at once, for work that does not report. */
static void on_sigint(int sig)
{
    if (interrupted) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    interrupted = 1;
    /* write() is safe in a handler; stdio is not. */
    static const char on_tty[] = "\r\033[Klastrec: stopping (Ctrl-C again to stop at once)\n";
    static const char on_log[] = "lastrec: stopping (Ctrl-C again to stop at once)\n";
    ssize_t w = 0;
    if (note_on_sigint == 1)
        w = write(STDERR_FILENO, on_tty, sizeof on_tty - 1);
    else if (note_on_sigint == 2)
        w = write(STDERR_FILENO, on_log, sizeof on_log - 1);
    (void)w;
}

void tool_progress_setup(int q, int lines)
{
    quiet = q;
    last_report = now();
    int tty = isatty(STDERR_FILENO);
    show = q ? SHOW_NOTHING : tty ? SHOW_BAR : lines ? SHOW_LINES : SHOW_NOTHING;
    note_on_sigint = q ? 0 : tty ? 1 : 2;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    /* Reads and writes in progress carry on; the work stops at its next
     * report. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
}

int tool_progress_interrupted(void)
{
    return interrupted != 0;
}

int tool_progress_drawing(void)
{
    return show == SHOW_BAR;
}

int tool_progress_quiet(void)
{
    return quiet;
}

/* "950", "12.3k", "4.56M": counts and rates in three or four digits. */
static const char *si(char *buf, size_t size, double v)
{
    static const char units[] = " kMGT";
    int u = 0;
    while (v >= 999.5 && u < 4)
        v /= 1000, u++;
    if (u == 0)
        snprintf(buf, size, v >= 10 || v == (double)(uint64_t)v ? "%.0f" : "%.2f", v);
    else
        snprintf(buf, size, v >= 100 ? "%.0f%c" : v >= 10 ? "%.1f%c" : "%.2f%c", v, units[u]);
    return buf;
}

/* "0:07", "12:34", "1:02:03". */
static const char *clock_text(char *buf, size_t size, double s)
{
    unsigned long t = s > 0 && s < 1e8 ? (unsigned long)(s + 0.5) : 0;
    if (t >= 3600)
        snprintf(buf, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, size, "%lu:%02lu", t / 60, t % 60);
    return buf;
}

/* The rate in units a second since the stage began, or a negative number
 * while too little time has passed to say. */
static double rate_of(double t, uint64_t total)
{
    double dt = t - st.t0;
    /* "1 of 1 steps at 3.18/s" says nothing */
    if (total == 1)
        return -1;
    if (dt < 0.2 || st.done <= st.done0)
        return -1;
    return (double)(st.done - st.done0) / dt;
}

static int columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* One line: "als: epoch 3/15 [######......] 20% 1.50/s 0:02 elapsed, 0:08
 * left", cut to the terminal's width so it never wraps (a wrapped line
 * cannot be redrawn in place). */
static void draw_bar(uint64_t total, double t)
{
    /* the library's "read FILE" stages count bytes */
    const char *unit = strncmp(st.name, "read ", 5) ? "" : "B";
    char head[256], tail[128], a[32], b[32], r[32], e[32], l[32];
    double rate = rate_of(t, total), frac = total ? (double)st.done / (double)total : 0;
    if (total)
        snprintf(head, sizeof head, "%s%s%s %s/%s%s", label, *label ? ": " : "", st.name,
                 si(a, sizeof a, (double)st.done), si(b, sizeof b, (double)total), unit);
    else
        snprintf(head, sizeof head, "%s%s%s %s%s", label, *label ? ": " : "", st.name,
                 si(a, sizeof a, (double)st.done), unit);
    size_t o = 0;
    tail[0] = '\0';
    if (total)
        o += (size_t)snprintf(tail + o, sizeof tail - o, " %3.0f%%", 100 * frac);
    if (rate > 0)
        o += (size_t)snprintf(tail + o, sizeof tail - o, " %s%s/s", si(r, sizeof r, rate), unit);
    o += (size_t)snprintf(tail + o, sizeof tail - o, " %s elapsed",
                          clock_text(e, sizeof e, t - st.t_start));
    if (rate > 0 && total > st.done && o < sizeof tail)
        snprintf(tail + o, sizeof tail - o, ", %s left",
                 clock_text(l, sizeof l, (double)(total - st.done) / rate));
    char line[512], bar[BAR_MAX + 1] = "";
    int width = columns() - 1;
    /* the bar's width from the longest tail, not this one's, so that it
     * does not jump as the rate and time left come and go */
    int room = width - (int)strlen(head) - 3 - (int)sizeof " 100% 999k/s 99:59 elapsed, 99:59 left";
    if (total && room >= 8) {
        int n = room < BAR_MAX ? room : BAR_MAX;
        int fill = (int)(n * (frac > 1 ? 1 : frac));
        memset(bar, '#', (size_t)fill);
        memset(bar + fill, '.', (size_t)(n - fill));
        bar[n] = '\0';
        snprintf(line, sizeof line, "%s [%s]%s", head, bar, tail);
    } else {
        snprintf(line, sizeof line, "%s%s", head, tail);
    }
    if ((int)strlen(line) > width && width < (int)sizeof line)
        line[width] = '\0';
    fprintf(stderr, "\r\033[K%s", line);
    fflush(stderr);
    drawn = 1;
}

/* A log's line: "lastrec: read user_artists.dat: 12.3M/45.6M (27%),
 * 8.20M/s, 0:01 elapsed, 0:04 left". */
static void write_line(uint64_t total, double t)
{
    char a[32], b[32], r[32], e[32], l[32];
    const char *unit = strncmp(st.name, "read ", 5) ? "" : "B";
    double rate = rate_of(t, total);
    fprintf(stderr, "lastrec: %s%s%s: %s", label, *label ? ": " : "", st.name,
            si(a, sizeof a, (double)st.done));
    if (total)
        fprintf(stderr, "/%s", si(b, sizeof b, (double)total));
    fputs(unit, stderr);
    if (total)
        fprintf(stderr, " (%.0f%%)", 100.0 * (double)st.done / (double)total);
    if (rate > 0)
        fprintf(stderr, ", %s%s/s", si(r, sizeof r, rate), unit);
    fprintf(stderr, ", %s elapsed", clock_text(e, sizeof e, t - st.t_start));
    if (rate > 0 && total > st.done)
        fprintf(stderr, ", %s left", clock_text(l, sizeof l, (double)(total - st.done) / rate));
    fputc('\n', stderr);
    fflush(stderr);
    st.last_line = t;
    st.lines++;
}

static int on_progress(const char *stage, uint64_t done, uint64_t total, void *user_data)
{
    (void)user_data;
    if (interrupted)
        return 1;
    double t = now();
    /* A new stage, or the same one started again (the next model's
     * epochs, the next file), measures its rate afresh.  Stages are told
     * apart by their first word and total: t-SNE's name carries its
     * current KL, and a report's steps are one count of seven. */
    size_t word = strcspn(stage, " "), old_word = strcspn(st.name, " ");
    int fresh = word != old_word || strncmp(stage, st.name, word) != 0 || total != st.total ||
                done < st.done || !st.name[0];
    snprintf(st.name, sizeof st.name, "%s", stage);
    if (fresh) {
        st.t_start = done > 0 ? last_report : t;
        st.t0 = t;
        st.done0 = done;
        st.total = total;
        st.last_draw = st.last_line = 0;
        st.lines = 0;
    }
    st.done = done;
    last_report = t;
    if (epoch_lines && !strcmp(stage, "epoch")) {
        /* train -v's log, as before this unit: every epoch. */
        fprintf(stderr, "%s: epoch %llu/%llu (%.2f s)\n", label, (unsigned long long)done,
                (unsigned long long)total, t - st.t_start);
        return 0;
    }
    int end = total && done >= total;
    if (show == SHOW_BAR) {
        if (fresh || end || t - st.last_draw >= REDRAW_S) {
            draw_bar(total, t);
            st.last_draw = t;
        }
    } else if (show == SHOW_LINES) {
        /* A stage's start, then every LINE_S, and its end when that
         * says something new: a short stage stays one line. */
        if (fresh || t - st.last_line >= LINE_S || (end && st.lines && t - st.last_line >= 1))
            write_line(total, t);
    }
    return 0;
}

int tool_progress_step(const char *stage, uint64_t done, uint64_t total)
{
    return on_progress(stage, done, total, NULL) ? TOOL_INTERRUPTED : 0;
}

void tool_progress_attach(lr_options *opts)
{
    lr_options_set_progress(opts, on_progress, NULL);
}

void tool_progress_model(lr_options *opts, const char *l, int verbose)
{
    label = l ? l : "";
    epoch_lines = verbose && !quiet && show != SHOW_BAR;
    st.name[0] = '\0';
    last_report = now();
    tool_progress_attach(opts);
}

void tool_progress_done(void)
{
    if (drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
        drawn = 0;
    }
    label = "";
}
