/* Taste overlap between users and the per-item distributions behind
 * `lastrec analyze`.  SPDX-License-Identifier: MIT */
#ifndef LR_DATA_OVERLAP_H
#define LR_DATA_OVERLAP_H

#include "data/dataset.h"

#include <stddef.h>
#include <stdint.h>

/* Overlap of users u and v (dense): out[0] shared artists, out[1] Jaccard
 * (shared / artists either listened to; 0 when both have none), out[2]
 * cosine of the log1p(listen count) vectors (0 when either is empty). */
void lr__overlap(const lr_dataset *ds, int32_t u, int32_t v, double out[3]);

/* Draw `want` unordered pairs of distinct users who are not friends,
 * uniformly and with replacement, each stored as (lower, higher) dense
 * index in pairs[2i], pairs[2i+1] (room for 2 * want).  When no such pair
 * exists (fewer than two users, or everyone is friends with everyone),
 * *got is 0; otherwise it is want. */
int lr__random_nonfriend_pairs(const lr_dataset *ds, uint64_t seed, size_t want,
                               int32_t *pairs, size_t *got);

/* One value per item of distribution `which` (enum lr_distribution) in a
 * new array *out of *n values (free()).  Items come in ID order: users,
 * artists, kept tags, (user, artist) pairs, friend pairs (u < v); random
 * pairs in drawing order, as many as there are friend pairs, seeded by the
 * default LR_OPT_SEED.  "Per user" means every user of the catalogue except
 * for LR_DIST_USER_TAG_REPEATS, which covers users with tag uses.
 *
 * LR_DIST_TAG_SESSIONS counts distinct UTC days (floor(time_ms / 86400000))
 * among the uses of each tagged (user, artist).
 *
 * LR_DIST_USER_TAG_REPEATS: a user's uses are taken in time order (ties by
 * artist, then tag); a use is a repeat when an earlier use by that user put
 * the same tag on a different artist.  The value is repeats / uses. */
int lr__distribution(const lr_dataset *ds, int which, double **out, size_t *n);

#endif
