/* SPDX-License-Identifier: MIT */
#include "ingest/hetrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/log.h"
#include "core/options.h"
#include "core/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const ARTIST_COLS[] = {"id", "name", "url", "pictureURL"};
static const char *const TAG_COLS[] = {"tagID", "tagValue"};
static const char *const LISTEN_COLS[] = {"userID", "artistID", "weight"};
static const char *const FRIEND_COLS[] = {"userID", "friendID"};
static const char *const USE_COLS[] = {"userID", "artistID", "tagID", "day", "month", "year"};
static const char *const TIME_COLS[] = {"userID", "artistID", "tagID", "timestamp"};

#define NCOLS(a) ((int)(sizeof(a) / sizeof((a)[0])))

int64_t lr__civil_ms(int64_t year, int month, int day)
{
    /* Howard Hinnant's days_from_civil: years start in March so the leap
     * day falls at the end, and 400-year eras repeat exactly. */
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400000;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static int progress(const lr_options *opts, const char *path, uint64_t done, uint64_t total)
{
    char stage[128];
    snprintf(stage, sizeof stage, "read %s", base_name(path));
    return lr__progress_report(lr__opt_progress(opts), stage, done, total);
}

/* Open a file, announce it, and give a row bound for sizing its table. */
static int start(lr__tsv *t, const char *path, const char *const *cols, int ncols,
                 const lr_options *opts, size_t *rows)
{
    int rc = lr__tsv_open(t, path, cols, ncols, (size_t)lr__opt_int(opts, LR_OPT_MAX_LINE));
    if (rc)
        return rc;
    rc = progress(opts, path, 0, t->len);
    if (rc) {
        lr__tsv_close(t);
        return rc;
    }
    /* the same stage as progress() names, from inside the rows */
    t->progress = lr__opt_progress(opts);
    snprintf(t->stage, sizeof t->stage, "read %s", base_name(path));
    *rows = lr__tsv_rows_bound(t);
    return LR_OK;
}

/* The end of a file: the status of the last lr__tsv_next (0 = end). */
static int finish(lr__tsv *t, int rc, const lr_options *opts)
{
    if (rc == LR_OK)
        rc = progress(opts, t->path, t->len, t->len);
    lr__tsv_close(t);
    return rc;
}

/* ------------------------------------------------------- artists, tags */

static void named_free(lr__raw_named *r)
{
    free(r->path);
    free(r->id);
    free(r->name);
    lr__blob_free(&r->names);
    memset(r, 0, sizeof *r);
}

static int named_rows(lr__tsv *t, lr__raw_named *r, uint64_t *fixes)
{
    int k;
    while ((k = lr__tsv_next(t)) == 1) {
        int rc = lr__tsv_int(t, 0, &r->id[r->n]);
        if (rc == LR_OK)
            rc = lr__tsv_text(t, 1, &r->names, &r->name[r->n], fixes);
        if (rc)
            return rc;
        r->n++;
    }
    return k;
}

static int read_named(lr__raw_named *r, const char *path, const char *const *cols,
                      int ncols, const lr_options *opts, uint64_t *fixes)
{
    lr__tsv t;
    size_t rows;
    int rc = start(&t, path, cols, ncols, opts, &rows);
    if (rc)
        return rc;
    r->id = lr__malloc(rows, sizeof *r->id);
    r->name = lr__malloc(rows, sizeof *r->name);
    /* Names are a fraction of each row; one guess saves most regrowth. */
    if (!r->id || !r->name ||
        lr__grow((void **)&r->names.data, &r->names.cap, t.len / 4 + 64, 1) != LR_OK)
        rc = lr__fail_oom("the artists' rows");
    else
        rc = named_rows(&t, r, fixes);
    return finish(&t, rc, opts);
}

/* --------------------------------------------------------------- listens */

void lr__raw_listens_free(lr__raw_listens *l)
{
    free(l->path);
    free(l->user);
    free(l->artist);
    free(l->weight);
    memset(l, 0, sizeof *l);
}

/* Listen counts are stored as float (DESIGN.md, "Data model"), which holds
 * every whole number up to 2^24 = 16,777,216 exactly and rounds some above:
 * 16777219 reads back as 16777220.  The largest count in the HetRec data is
 * 352,698, so the limit is documented (docs/data.md) and a file that
 * crosses it loads with one warning naming the first such line: doubles
 * everywhere would double the memory of every model and query. */
static void warn_rounded(const lr__tsv *t, uint64_t n, uint64_t line, int32_t first)
{
    if (n)
        lr__log(LR_LOG_WARNING,
                "%s:%llu: field 'weight': %d plays is stored as %.0f (listen counts above "
                "16,777,216 keep float precision); %llu such row%s in the file",
                t->path, (unsigned long long)line, (int)first, (double)(float)first,
                (unsigned long long)n, n == 1 ? "" : "s");
}

static int listen_rows(lr__tsv *t, lr__raw_listens *l)
{
    int k;
    uint64_t rounded = 0, first_line = 0;
    int32_t first = 0;
    while ((k = lr__tsv_next(t)) == 1) {
        size_t i = l->n;
        int rc = lr__tsv_int(t, 0, &l->user[i]);
        if (rc == LR_OK)
            rc = lr__tsv_int(t, 1, &l->artist[i]);
        if (rc == LR_OK)
            rc = lr__tsv_int(t, 2, &l->weight[i]);
        if (rc == LR_OK && l->weight[i] == 0)
            rc = lr__tsv_fail(t, LR_E_RANGE, 2,
                              "zero plays (a listened artist has at least 1 play)");
        if (rc)
            return rc;
        if ((double)(float)l->weight[i] != (double)l->weight[i] && !rounded++) {
            first_line = t->line;
            first = l->weight[i];
        }
        l->n++;
    }
    if (k == 0)
        warn_rounded(t, rounded, first_line, first);
    return k;
}

static int read_listens_at(lr__raw_listens *l, const lr_options *opts)
{
    lr__tsv t;
    size_t rows;
    int rc = start(&t, l->path, LISTEN_COLS, NCOLS(LISTEN_COLS), opts, &rows);
    if (rc)
        return rc;
    l->user = lr__malloc(rows, sizeof *l->user);
    l->artist = lr__malloc(rows, sizeof *l->artist);
    l->weight = lr__malloc(rows, sizeof *l->weight);
    if (!l->user || !l->artist || !l->weight)
        rc = lr__fail_oom("the listens' rows");
    else
        rc = listen_rows(&t, l);
    return finish(&t, rc, opts);
}

int lr__hetrec_read_listens(lr__raw_listens *l, const char *path, const lr_options *opts)
{
    memset(l, 0, sizeof *l);
    l->path = lr__strdup(path);
    int rc = l->path ? read_listens_at(l, opts) : lr__fail_oom("the listens file's path");
    if (rc)
        lr__raw_listens_free(l);
    return rc;
}

/* --------------------------------------------------------------- friends */

static void friends_free(lr__raw_friends *f)
{
    free(f->path);
    free(f->user);
    free(f->friend_id);
    memset(f, 0, sizeof *f);
}

static int friend_rows(lr__tsv *t, lr__raw_friends *f)
{
    int k;
    while ((k = lr__tsv_next(t)) == 1) {
        size_t i = f->n;
        int rc = lr__tsv_int(t, 0, &f->user[i]);
        if (rc == LR_OK)
            rc = lr__tsv_int(t, 1, &f->friend_id[i]);
        /* A loop would put a user among their own friends and count a
         * pair of one; the data never has it, so it is a fault. */
        if (rc == LR_OK && f->user[i] == f->friend_id[i])
            rc = lr__tsv_fail(t, LR_E_RANGE, 1, "user %d is listed as their own friend",
                              f->user[i]);
        if (rc)
            return rc;
        f->n++;
    }
    return k;
}

static int read_friends(lr__raw_friends *f, const lr_options *opts)
{
    lr__tsv t;
    size_t rows;
    int rc = start(&t, f->path, FRIEND_COLS, NCOLS(FRIEND_COLS), opts, &rows);
    if (rc)
        return rc;
    f->user = lr__malloc(rows, sizeof *f->user);
    f->friend_id = lr__malloc(rows, sizeof *f->friend_id);
    if (!f->user || !f->friend_id)
        rc = lr__fail_oom("the friendships' rows");
    else
        rc = friend_rows(&t, f);
    return finish(&t, rc, opts);
}

/* ------------------------------------------------------------- tag uses */

static void uses_free(lr__raw_uses *u)
{
    free(u->path);
    free(u->user);
    free(u->artist);
    free(u->tag);
    free(u->time_ms);
    memset(u, 0, sizeof *u);
}

static int uses_alloc(lr__raw_uses *u, size_t rows)
{
    u->user = lr__malloc(rows, sizeof *u->user);
    u->artist = lr__malloc(rows, sizeof *u->artist);
    u->tag = lr__malloc(rows, sizeof *u->tag);
    u->time_ms = lr__malloc(rows, sizeof *u->time_ms);
    if (!u->user || !u->artist || !u->tag || !u->time_ms)
        return lr__fail_oom("the tag assignments' rows");
    return LR_OK;
}

static int use_keys(const lr__tsv *t, lr__raw_uses *u, size_t i)
{
    int rc = lr__tsv_int(t, 0, &u->user[i]);
    if (rc == LR_OK)
        rc = lr__tsv_int(t, 1, &u->artist[i]);
    if (rc == LR_OK)
        rc = lr__tsv_int(t, 2, &u->tag[i]);
    return rc;
}

static int date_field(const lr__tsv *t, int i, int32_t lo, int32_t hi, int32_t *v)
{
    int rc = lr__tsv_int(t, i, v);
    if (rc == LR_OK && (*v < lo || *v > hi))
        rc = lr__tsv_fail(t, LR_E_RANGE, i, "%d is outside %d..%d", *v, lo, hi);
    return rc;
}

/* The day is checked but not used: the time is the first of the month
 * (docs/data.md says why).  Rows come in runs of one month, so the last
 * month's time is kept. */
typedef struct month_cache {
    int32_t year, month;
    int64_t ms;
} month_cache;

static int use_date(const lr__tsv *t, month_cache *c, int64_t *ms)
{
    int32_t day, month, year;
    int rc = date_field(t, 3, 1, 31, &day);
    if (rc == LR_OK)
        rc = date_field(t, 4, 1, 12, &month);
    if (rc == LR_OK)
        rc = date_field(t, 5, 1, 9999, &year);
    if (rc)
        return rc;
    if (year != c->year || month != c->month)
        *c = (month_cache){year, month, lr__civil_ms(year, month, 1)};
    *ms = c->ms;
    return LR_OK;
}

static int use_rows(lr__tsv *t, lr__raw_uses *u, int timestamps)
{
    month_cache cache = {0, 0, 0};
    int k;
    while ((k = lr__tsv_next(t)) == 1) {
        size_t i = u->n;
        int rc = use_keys(t, u, i);
        if (rc == LR_OK)
            rc = timestamps ? lr__tsv_int64(t, 3, &u->time_ms[i])
                            : use_date(t, &cache, &u->time_ms[i]);
        if (rc)
            return rc;
        u->n++;
    }
    return k;
}

static int read_uses(lr__raw_uses *u, int timestamps, const lr_options *opts)
{
    lr__tsv t;
    size_t rows;
    int rc = timestamps ? start(&t, u->path, TIME_COLS, NCOLS(TIME_COLS), opts, &rows)
                        : start(&t, u->path, USE_COLS, NCOLS(USE_COLS), opts, &rows);
    if (rc)
        return rc;
    rc = uses_alloc(u, rows);
    if (rc == LR_OK)
        rc = use_rows(&t, u, timestamps);
    return finish(&t, rc, opts);
}

/* ------------------------------------------------------------- directory */

void lr__hetrec_free(lr__hetrec *h)
{
    free(h->dir);
    named_free(&h->artists);
    named_free(&h->tags);
    lr__raw_listens_free(&h->listens);
    friends_free(&h->friends);
    uses_free(&h->uses);
    uses_free(&h->times);
    memset(h, 0, sizeof *h);
}

static int set_paths(lr__hetrec *h, const char *dir)
{
    h->dir = lr__strdup(dir);
    h->artists.path = lr__path_join(dir, LR_HETREC_ARTISTS);
    h->tags.path = lr__path_join(dir, LR_HETREC_TAGS);
    h->listens.path = lr__path_join(dir, LR_HETREC_LISTENS);
    h->friends.path = lr__path_join(dir, LR_HETREC_FRIENDS);
    h->uses.path = lr__path_join(dir, LR_HETREC_USES);
    h->times.path = lr__path_join(dir, LR_HETREC_TIMES);
    if (!h->dir || !h->artists.path || !h->tags.path || !h->listens.path ||
        !h->friends.path || !h->uses.path || !h->times.path)
        return lr__fail_oom("the data files' paths");
    /* The timestamps file is the one optional file. */
    if (access(h->times.path, F_OK) != 0) {
        free(h->times.path);
        h->times.path = NULL;
    }
    return LR_OK;
}

int lr__hetrec_read(lr__hetrec *h, const char *dir, const lr_options *opts)
{
    memset(h, 0, sizeof *h);
    int rc = set_paths(h, dir);
    if (rc == LR_OK)
        rc = read_named(&h->artists, h->artists.path, ARTIST_COLS, NCOLS(ARTIST_COLS), opts,
                        &h->latin1_fixes);
    if (rc == LR_OK)
        rc = read_named(&h->tags, h->tags.path, TAG_COLS, NCOLS(TAG_COLS), opts,
                        &h->latin1_fixes);
    if (rc == LR_OK)
        rc = read_listens_at(&h->listens, opts);
    if (rc == LR_OK)
        rc = read_friends(&h->friends, opts);
    if (rc == LR_OK)
        rc = read_uses(&h->uses, 0, opts);
    if (rc == LR_OK && h->times.path)
        rc = read_uses(&h->times, 1, opts);
    if (rc)
        lr__hetrec_free(h);
    return rc;
}
