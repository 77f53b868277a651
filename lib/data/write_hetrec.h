/* A dataset written back as a HetRec 2011 directory.
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_WRITE_HETREC_H
#define LR_DATA_WRITE_HETREC_H

#include "data/dataset.h"

#include <stddef.h>
#include <stdint.h>

/* Write artists.dat, tags.dat, user_artists.dat, user_friends.dat (both
 * directions of every pair) and user_taggedartists.dat (day, month, year of
 * each use in UTC) into dir, creating it when missing.  Each file goes
 * through lr__afile, so a reader sees the old file or the whole new one.
 *
 * Tag names are written as HetRec has them, lower-case words ("hip hop"
 * for "HipHop"), so that loading the directory gives the same CamelCase
 * names back.  A tab, CR or LF inside a name would break the format and
 * is written as a space. */
int lr__write_hetrec(const lr_dataset *ds, const char *dir);

/* The HetRec spelling of a CamelCase tag name: a space before every ASCII
 * capital but the first, all ASCII letters lower-cased ("PostRock" ->
 * "post rock").  lr__camel_case() of the result is the name again.  NULL
 * on out of memory. */
char *lr__tag_words(const char *camel);

/* Civil date (UTC) of a time in milliseconds since 1970. */
void lr__civil_date(int64_t time_ms, int *year, int *month, int *day);

#endif
