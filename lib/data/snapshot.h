/* Dataset snapshots: the primary part of a processed dataset in one binary,
 * versioned, little-endian, checksummed file (layout in docs/formats.md).
 * SPDX-License-Identifier: MIT */
#ifndef LR_DATA_SNAPSHOT_H
#define LR_DATA_SNAPSHOT_H

#include "core/progress.h"
#include "data/dataset.h"

/* The first 8 bytes of every snapshot (the string with its NUL), which is
 * how lr_dataset_load recognises one. */
#define LR_SNAPSHOT_MAGIC "LRDSNAP"

/* The layout this build writes; it reads this one and version 1 (which
 * has no user keys and 11 counters; docs/formats.md). */
#define LR_SNAPSHOT_VERSION 2u

/* Write the primary data of ds to path through a temporary file renamed
 * into place.  LR_E_IO (path and reason) or LR_E_NOMEM. */
int lr__snapshot_write(const lr_dataset *ds, const char *path);

/* Read a snapshot, check every size, offset, checksum and invariant before
 * using it, and derive the statistics.  The result has kind
 * LR_SOURCE_SNAPSHOT and source = path.  LR_E_IO (cannot read),
 * LR_E_FORMAT (path, section and problem), LR_E_NOMEM. */
int lr__snapshot_read(lr_dataset **out, const char *path);

/* The same, telling @p progress (borrowed; NULL: nobody) of its two steps,
 * "load snapshot" and "process data" (the statistics, the longer one on a
 * large set), and LR_E_CANCELLED, with nothing made, when it asks to stop. */
int lr__snapshot_read_progress(lr_dataset **out, const char *path,
                               const lr__progress *progress);

#endif
