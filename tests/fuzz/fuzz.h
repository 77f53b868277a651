/* Shared pieces of the libFuzzer targets: a scratch directory, the seed
 * data set (synthetic, never the real data) and writing an input to a
 * file for the loaders, which read files.  SPDX-License-Identifier: MIT */
#ifndef LR_FUZZ_H
#define LR_FUZZ_H

#include <lastrec/lastrec.h>

#include <stddef.h>
#include <stdint.h>

/* A directory of this process's own, made once (under TMPDIR, or /dev/shm
 * when it exists: each input is written to a file, and memory is faster
 * than a disk).  Static storage. */
const char *fuzz_dir(void);

/* The small synthetic data set every target builds on (the catalogue of
 * the listens target, the artists searched, the model's training data). */
lr_dataset *fuzz_dataset(void);

/* fuzz_dataset() written as a HetRec directory fuzz_dir()/name; returns
 * the path in static storage. */
const char *fuzz_hetrec_dir(const char *name);

/* A model of algorithm algo fitted on fuzz_dataset(), saved at
 * fuzz_dir()/name; returns the path in static storage. */
const char *fuzz_model_file(int algo, const char *name);

/* Write data to path whole (aborting on an I/O error: a harness fault). */
void fuzz_write(const char *path, const uint8_t *data, size_t size);

/* data as a NUL-terminated string (cut at its first NUL), in a buffer
 * owned by the harness, reused by the next call. */
const char *fuzz_text(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
