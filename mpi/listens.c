/* Streamed reading of HetRec-format files for liblastrec-mpi.
 * SPDX-License-Identifier: MIT
 *
 * liblastrec's reader (lib/ingest/tsv.c) holds a whole file in memory,
 * which is what a process of an MPI fit must not do with the shared
 * listens file: each process keeps only its shard's rows.  This reader
 * takes one line at a time and applies the same rules to the lines it
 * sees (docs/data.md): the exact header after an optional UTF-8 BOM, LF or
 * CRLF, no NUL byte, at most LR_OPT_MAX_LINE bytes a line, blank lines
 * only at the end, the exact field count, plain non-negative decimal
 * integers; every message reads "path:line: field 'name': problem".
 */
#include "listens.h"
#include "core/alloc.h"
#include "core/error.h"
#include "data/dataset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int lm_open(lm_reader *r, const char *path, const char *const *names, int nfields,
            size_t max_line)
{
    memset(r, 0, sizeof *r);
    r->path = path;
    r->names = names;
    r->nfields = nfields;
    r->max_line = max_line;
    r->f = fopen(path, "rb");
    if (!r->f)
        return lr__fail(LR_E_IO, "%s: cannot open: %s", path, strerror(errno));
    ssize_t n = getline(&r->line, &r->cap, r->f);
    if (n < 0) {
        int io = ferror(r->f);
        lm_close(r);
        return io ? lr__fail(LR_E_IO, "%s: cannot read: %s", path, strerror(errno))
                  : lr__fail(LR_E_EMPTY, "%s: the file is empty", path);
    }
    r->lineno = 1;
    char *s = r->line;
    size_t len = (size_t)n;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        len -= 3;
    }
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
        s[--len] = 0;
    char want[256];
    size_t w = 0;
    for (int i = 0; i < nfields; i++)
        w += (size_t)snprintf(want + w, sizeof want - w, "%s%s", i ? "\t" : "", names[i]);
    if (strcmp(s, want) != 0) {
        lm_close(r);
        return lr__fail_at(LR_E_HEADER, path, 1, NULL,
                           "the header is not the expected column names separated by tabs");
    }
    return LR_OK;
}

int lm_next(lm_reader *r)
{
    for (;;) {
        ssize_t n = getline(&r->line, &r->cap, r->f);
        if (n < 0)
            return ferror(r->f) ? lr__fail(LR_E_IO, "%s: cannot read: %s", r->path,
                                           strerror(errno))
                                : 0;
        r->lineno++;
        size_t len = (size_t)n;
        if (memchr(r->line, 0, len))
            return lr__fail_at(LR_E_ENCODING, r->path, r->lineno, NULL, "a NUL byte");
        if (len > 0 && r->line[len - 1] == '\n')
            len--;
        if (len > 0 && r->line[len - 1] == '\r')
            len--;
        r->line[len] = 0;
        if (len > r->max_line)
            return lr__fail_at(LR_E_TOOLONG, r->path, r->lineno, NULL,
                               "the line is longer than %zu bytes", r->max_line);
        if (len == 0) {
            if (!r->blank)
                r->blank = r->lineno;
            continue;
        }
        if (r->blank)
            return lr__fail_at(LR_E_PARSE, r->path, r->blank, NULL,
                               "a blank line before the end of the file");
        int nf = 0;
        char *p = r->line;
        for (;;) {
            if (nf == LM_MAX_FIELDS || nf == r->nfields)
                return lr__fail_at(LR_E_PARSE, r->path, r->lineno, NULL,
                                   "more than %d tab-separated fields", r->nfields);
            r->field[nf++] = p;
            char *tab = strchr(p, '\t');
            if (!tab)
                break;
            *tab = 0;
            p = tab + 1;
        }
        if (nf != r->nfields)
            return lr__fail_at(LR_E_PARSE, r->path, r->lineno, NULL,
                               "%d tab-separated fields, expected %d", nf, r->nfields);
        return 1;
    }
}

int lm_int(const lm_reader *r, int i, int32_t *out)
{
    const char *s = r->field[i];
    if (!*s)
        return lr__fail_at(LR_E_PARSE, r->path, r->lineno, r->names[i], "empty");
    int64_t v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return lr__fail_at(LR_E_PARSE, r->path, r->lineno, r->names[i],
                               "'%.40s' is not a whole number", s);
        v = v * 10 + (*p - '0');
        if (v > INT32_MAX)
            return lr__fail_at(LR_E_RANGE, r->path, r->lineno, r->names[i],
                               "'%.40s' is above %d", s, INT32_MAX);
    }
    *out = (int32_t)v;
    return LR_OK;
}

void lm_close(lm_reader *r)
{
    if (r->f)
        fclose(r->f);
    free(r->line);
    r->f = NULL;
    r->line = NULL;
}

/* ------------------------------------------------------------ ID sets */

static int cmp_i32(const void *a, const void *b)
{
    const int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

static void compact(lm_ids *s)
{
    if (s->n == 0)
        return;
    qsort(s->v, s->n, sizeof *s->v, cmp_i32);
    size_t o = 1;
    for (size_t i = 1; i < s->n; i++)
        if (s->v[i] != s->v[o - 1])
            s->v[o++] = s->v[i];
    s->n = o;
}

/* Files list a user's rows together, so consecutive repeats are dropped
 * at once; whatever repeats later is sorted out when the array fills,
 * which keeps it within twice the distinct IDs. */
int lm_ids_add(lm_ids *s, int32_t id)
{
    if (s->n > 0 && s->v[s->n - 1] == id)
        return LR_OK;
    if (s->n == s->cap) {
        compact(s);
        if ((s->cap == 0 || s->n > s->cap / 2) &&
            lr__grow((void **)&s->v, &s->cap, s->cap < 1024 ? 1024 : s->cap * 2,
                     sizeof *s->v) != LR_OK)
            return lr__fail_oom("the IDs of the listens file");
    }
    s->v[s->n++] = id;
    return LR_OK;
}

void lm_ids_finish(lm_ids *s)
{
    compact(s);
}

int32_t lm_ids_find(const lm_ids *s, int32_t id)
{
    /* the catalogue's sets are checked to hold at most INT32_MAX IDs
     * (als_mpi.c) before rows are looked up in them */
    return lr__index_of(s->v, (int32_t)s->n, id);
}

void lm_ids_free(lm_ids *s)
{
    free(s->v);
    memset(s, 0, sizeof *s);
}
