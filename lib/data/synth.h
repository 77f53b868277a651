/* A HetRec-shaped synthetic dataset with known taste structure.
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_SYNTH_H
#define LR_DATA_SYNTH_H

#include "core/progress.h"
#include "data/dataset.h"

#include <stdint.h>

typedef struct lr__synth_params {
    int64_t users, artists, clusters, tags;
    int64_t artists_per_user, friends_per_user;
    int64_t min_tag_uses;
    uint64_t seed;
    const lr__progress *progress; /* borrowed from the options; NULL: none */
} lr__synth_params;

/* LR_OPT_SYNTH_*, LR_OPT_MIN_TAG_USES, LR_OPT_SEED and the progress
 * callback of opts (defaults when NULL). */
void lr__synth_params_from(lr__synth_params *p, const lr_options *opts);

/* The hidden structure the data were drawn from, by dense index, for
 * tests that check the data carry it.  clusters may be fewer than asked
 * for: never more than there are artists. */
typedef struct lr__synth_truth {
    int32_t clusters;
    int32_t *user_cluster;   /* [n_users] the user's main cluster */
    int32_t *user_cluster2;  /* [n_users] a second cluster, or -1 */
    int32_t *artist_cluster; /* [n_artists] */
} lr__synth_truth;

void lr__synth_truth_free(lr__synth_truth *t);

/* Build the dataset (kind LR_SOURCE_SYNTHETIC, source "synthetic").
 *
 * Artists fall into taste clusters; popularity is Zipf over a random
 * global ranking, so it is Zipf-like inside each cluster too.  A user has
 * a main cluster, a quarter of users a second one; picks come mostly from
 * the user's clusters and a tenth from global popularity.  Every artist
 * gets at least one listener, so the catalogue has exactly p->artists.
 * Listen counts are lognormal integers >= 1 scaled by a per-user level.
 * Tags: each cluster owns a list of genre tags (a root like "Rock" and
 * prefixed forms like "PostRock"), a tenth of tags are general
 * ("SeenLive"), a fifth are noise with a steep tail; tags used at most
 * min_tag_uses times are dropped and counted as the loader does.  Friends
 * are mostly drawn within the user's main cluster.  External IDs have
 * gaps, as HetRec's do.  truth may be NULL. */
int lr__synthesize(lr_dataset **out, const lr__synth_params *p, lr__synth_truth *truth);

#endif
