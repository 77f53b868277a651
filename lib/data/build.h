/* Raw HetRec tables -> a processed dataset, applying every policy of
 * docs/data.md.  SPDX-License-Identifier: MIT */
#ifndef LR_DATA_BUILD_H
#define LR_DATA_BUILD_H

#include "data/dataset.h"
#include "ingest/hetrec.h"
#include "ingest/lastfm360k.h"

/* A HetRec directory: users from user_artists.dat, artists from
 * artists.dat, kept tags and tag uses, symmetric friends, report. */
int lr__build_hetrec(lr_dataset **out, const lr__hetrec *h, const lr_options *opts);

/* One listens file alone (LR_SOURCE_LISTENS): users and artists are the
 * IDs it names, artists named by their ID; no tags, no friends. */
int lr__build_listens(lr_dataset **out, const lr__raw_listens *l, const lr_options *opts);

/* A listens file over the users and artists of a catalogue
 * (LR_SOURCE_SPLIT); an ID the catalogue lacks is LR_E_NOTFOUND. */
int lr__build_on_catalogue(lr_dataset **out, const lr__raw_listens *l,
                           const lr_dataset *catalogue);

/* A lastfm-360K data set (LR_SOURCE_LASTFM360K) through lr__build_hetrec,
 * with the users' keys (moved out of r) and the reader's counters. */
int lr__build_lastfm360k(lr_dataset **out, lr__lastfm360k *r, const lr_options *opts);

#endif
