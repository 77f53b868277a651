/* Model files: a fitted lr_model in one binary, versioned, little-endian,
 * checksummed file (layout in docs/formats.md, "Model file").
 * SPDX-License-Identifier: MIT */
#ifndef LR_MODEL_FILE_H
#define LR_MODEL_FILE_H

#include "model/model.h"

/* The first 8 bytes of every model file (the string with its NUL). */
#define LR_MODEL_MAGIC "LRMODEL"

/* The layout this build writes, and the oldest it still reads (version 1
 * is version 2 without the softmax tower's sections). */
#define LR_MODEL_FILE_VERSION 2u
#define LR_MODEL_FILE_OLDEST 1u

/* Write the fitted model m to path through a temporary file renamed into
 * place.  LR_E_INVALID (unfitted, or arrays that do not match the
 * algorithm: a bug, nothing is written), LR_E_IO (path and reason),
 * LR_E_NOMEM. */
int lr__model_file_write(const lr_model *m, const char *path);

/* Read a model file, checking every size, offset, checksum and invariant
 * before using a value; the result is fitted and has no progress callback.
 * LR_E_IO (cannot read), LR_E_FORMAT (path, section and problem),
 * LR_E_NOMEM.  *out is NULL on failure. */
int lr__model_file_read(lr_model **out, const char *path);

#endif
