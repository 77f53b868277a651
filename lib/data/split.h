/* Holdout splits of a dataset's listens into training and test sides.
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_SPLIT_H
#define LR_DATA_SPLIT_H

#include "data/dataset.h"

#include <stdint.h>

/* How many of a user's n artists LR_SPLIT_PER_USER holds out:
 * max(1, round(fraction * n)) when n >= 2, none for a single artist.
 * fraction 0 holds out nothing at all: the floor of one exists so that
 * every user with a choice takes part in evaluation, which a caller who
 * asks for no holdout does not want. */
int64_t lr__holdout_count(int64_t n, double fraction);

/* Split ds's listens (method: enum lr_split_method) into two datasets that
 * share ds's catalogue; each keeps its own listens and derived statistics.
 * The training side drops the tag uses of held-out pairs (as
 * lr__split_drop_held_tags would with the test side's listens).
 * The same (ds, method, fraction, seed) give the same sides. */
int lr__split(const lr_dataset *ds, int method, double fraction, uint64_t seed,
              lr_dataset **train, lr_dataset **test);

/* Remove from train's tag uses every (user, artist, tag) whose pair is held
 * out, add their number to train's report (tag_uses_held_out) and derive
 * train's statistics again, so top tags and tag counts follow.  A pair is
 * held out when held has it, or (all not NULL) when all has it and train's
 * listens do not: all is then the data set train is one side of, and
 * whatever of it train lacks is the other side, in whichever file it is.
 * held and all are users x artists of train's catalogue; either may be
 * NULL.  Fails only on out of memory. */
int lr__split_drop_held_tags(lr_dataset *train, const lr__csr *held, const lr__csr *all);

#endif
