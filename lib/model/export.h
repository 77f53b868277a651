/* Serving export: a model's vectors as files other programs read
 * (docs/formats.md, "Serving export").  SPDX-License-Identifier: MIT */
#ifndef LR_MODEL_EXPORT_H
#define LR_MODEL_EXPORT_H

#include "model/model.h"

#include <stddef.h>

/* The npy file names, for the tool and the tests that read them back. */
#define LR__EXPORT_USERS_NPY "users.npy"
#define LR__EXPORT_ARTISTS_NPY "artists.npy"
#define LR__EXPORT_BIAS_NPY "artist_bias.npy"
#define LR__EXPORT_USERS_TSV "users.tsv"
#define LR__EXPORT_ARTISTS_TSV "artists.tsv"

/* The NumPy format 1.0 preamble of a little-endian float32 array of
 * rows x cols (cols 0: a vector of rows) into buf: magic, version, header
 * length, the header dict padded with spaces and a newline so the data
 * starts at a multiple of 64 bytes.  Returns its length (a multiple of
 * 64), or 0 when cap is too small; 128 bytes always suffice. */
size_t lr__npy_header(char *buf, size_t cap, size_t rows, size_t cols);

/* Write m's user and artist vectors, their ID maps and artist biases
 * into dir (created when missing) as docs/formats.md describes.  m has
 * factors (lr__model_has_factors); the api layer refuses the rest.
 * Every file goes to a temporary first and none is renamed until all are
 * written and synced.  LR_E_IO naming the file or directory, LR_E_NOMEM,
 * LR_E_INVALID for an empty dir. */
int lr__model_export_npy(const lr_model *m, const char *dir);

#endif
