/* The one random number generator every random choice in lastrec draws from:
 * xoshiro256** seeded through splitmix64, so a seed fixes every result.
 * SPDX-License-Identifier: MIT */
#ifndef LR_CORE_RNG_H
#define LR_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

typedef struct lr__rng { uint64_t s[4]; } lr__rng;

void lr__rng_seed(lr__rng *r, uint64_t seed);
/* An independent stream for worker `stream` of a seeded computation: the
 * same (seed, stream) gives the same numbers whatever the thread timing. */
void lr__rng_seed_stream(lr__rng *r, uint64_t seed, uint64_t stream);
uint64_t lr__rng_next(lr__rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double lr__rng_uniform(lr__rng *r);
/* Uniform integer in [0, bound), unbiased (Lemire); bound > 0. */
uint64_t lr__rng_below(lr__rng *r, uint64_t bound);
/* Standard normal (Marsaglia polar method; the spare is discarded so that
 * the stream position depends only on the number of calls). */
double lr__rng_normal(lr__rng *r);
/* Fisher–Yates shuffle of n int32 values. */
void lr__rng_shuffle_i32(lr__rng *r, int32_t *a, size_t n);

#endif
