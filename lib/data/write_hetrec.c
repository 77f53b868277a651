/* SPDX-License-Identifier: MIT */
#include "data/write_hetrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *lr__tag_words(const char *camel)
{
    size_t n = strlen(camel);
    char *out = lr__malloc(2 * n + 1, 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = camel[i];
        if (c >= 'A' && c <= 'Z') {
            if (o > 0)
                out[o++] = ' ';
            c = (char)(c + 32);
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return out;
}

void lr__civil_date(int64_t time_ms, int *year, int *month, int *day)
{
    int64_t z = time_ms / 86400000;
    if (time_ms % 86400000 < 0)
        z--;
    /* Howard Hinnant's days_from_civil inverse, valid for any day count. */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = (int)(yoe + era * 400 + (m <= 2));
    *month = (int)m;
    *day = (int)d;
}

/* Text as one TSV field; `space` stands in for ' ' (URLs use '+'). */
static void put_text(lr__out *o, const char *s, char space)
{
    for (; *s && !o->rc; s++) {
        char c = *s;
        if (c == '\t' || c == '\n' || c == '\r' || c == ' ')
            c = space;
        if (fputc(c, o->f.fp) == EOF)
            o->rc = lr__fail(LR_E_IO, "%s: write failed: %s", o->f.path, strerror(errno));
    }
}

static int begin(lr__out *o, const char *dir, const char *name, const char *header)
{
    if (lr__out_open(o, dir, name) == LR_OK)
        lr__out_put(o, "%s\n", header);
    return o->rc;
}

static int write_artists(const lr_dataset *ds, const char *dir)
{
    lr__out o;
    if (begin(&o, dir, "artists.dat", "id\tname\turl\tpictureURL"))
        return o.rc;
    for (int32_t a = 0; a < ds->n_artists && !o.rc; a++) {
        const char *name = lr__strtab_get(&ds->artist_names, a);
        lr__out_put(&o, "%d\t", ds->artist_ids[a]);
        put_text(&o, name, ' ');
        /* Last.fm's URL form; HetRec leaves some picture URLs empty too. */
        lr__out_put(&o, "\thttp://www.last.fm/music/");
        put_text(&o, name, '+');
        lr__out_put(&o, "\t\n");
    }
    return lr__out_finish(&o);
}

static int write_tags(const lr_dataset *ds, const char *dir)
{
    lr__out o;
    if (begin(&o, dir, "tags.dat", "tagID\ttagValue"))
        return o.rc;
    for (int32_t t = 0; t < ds->n_tags && !o.rc; t++) {
        char *words = lr__tag_words(lr__strtab_get(&ds->tag_names, t));
        if (!words) {
            o.rc = lr__fail_oom("a tag's words");
            break;
        }
        lr__out_put(&o, "%d\t", ds->tag_ids[t]);
        put_text(&o, words, ' ');
        lr__out_put(&o, "\n");
        free(words);
    }
    return lr__out_finish(&o);
}

/* Listen counts are whole numbers in HetRec; %.9g prints any float
 * exactly and a whole one without a decimal point. */
static int write_listens(const lr_dataset *ds, const char *dir)
{
    lr__out o;
    if (begin(&o, dir, "user_artists.dat", "userID\tartistID\tweight"))
        return o.rc;
    const lr__csr *l = &ds->listens;
    for (int32_t u = 0; u < l->rows && !o.rc; u++)
        for (int64_t i = l->ptr[u]; i < l->ptr[u + 1]; i++)
            lr__out_put(&o, "%d\t%d\t%.9g\n", ds->user_ids[u], ds->artist_ids[l->idx[i]],
                (double)l->val[i]);
    return lr__out_finish(&o);
}

static int write_friends(const lr_dataset *ds, const char *dir)
{
    lr__out o;
    if (begin(&o, dir, "user_friends.dat", "userID\tfriendID"))
        return o.rc;
    const lr__csr *f = &ds->friends;
    for (int32_t u = 0; u < f->rows && !o.rc; u++)
        for (int64_t i = f->ptr[u]; i < f->ptr[u + 1]; i++)
            lr__out_put(&o, "%d\t%d\n", ds->user_ids[u], ds->user_ids[f->idx[i]]);
    return lr__out_finish(&o);
}

static int write_tag_uses(const lr_dataset *ds, const char *dir)
{
    lr__out o;
    if (begin(&o, dir, "user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear"))
        return o.rc;
    for (int64_t i = 0; i < ds->n_tag_uses && !o.rc; i++) {
        const lr__tag_use *t = &ds->tag_uses[i];
        int y, m, d;
        lr__civil_date(t->time_ms, &y, &m, &d);
        lr__out_put(&o, "%d\t%d\t%d\t%d\t%d\t%d\n", ds->user_ids[t->user], ds->artist_ids[t->artist],
            ds->tag_ids[t->tag], d, m, y);
    }
    return lr__out_finish(&o);
}

int lr__write_hetrec(const lr_dataset *ds, const char *dir)
{
    if (!*dir)
        return lr__fail(LR_E_INVALID, "write HetRec: empty directory name");
    /* mkdir -p: the tool's `synth OUTDIR` may name a fresh nested path */
    int rc = lr__make_dirs(dir);
    if (rc == LR_OK)
        rc = write_artists(ds, dir);
    if (rc == LR_OK)
        rc = write_tags(ds, dir);
    if (rc == LR_OK)
        rc = write_listens(ds, dir);
    if (rc == LR_OK)
        rc = write_friends(ds, dir);
    if (rc == LR_OK)
        rc = write_tag_uses(ds, dir);
    return rc;
}
