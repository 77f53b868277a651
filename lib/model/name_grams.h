/* Artist names as tf-idf vectors of their character n-grams.
 * SPDX-License-Identifier: MIT
 *
 * A name says which script and often which language an artist sings in
 * (Cyrillic, kana, Portuguese or Polish spellings), which the listeners
 * of an artist share; softmax's cold-artist mixture (lib/model/cold_mix.h)
 * reads it for artists nobody played.  The vectors are the usual ones of
 * text retrieval, over word-bounded character n-grams: each word of the
 * name, lower-cased (lr__cp_lower) and padded with a space at each end,
 * gives its n-grams of 2, 3 and 4 code points (a padded word shorter
 * than n gives itself once, and no longer ones); an n-gram's weight is
 * (1 + ln tf) x (ln((1 + N) / (1 + df)) + 1) for N names, df of them
 * holding it; n-grams of a single name are dropped (they match nothing);
 * each row has unit length.  N-grams are told apart by a 64-bit hash of
 * their code points.
 */
#ifndef LR_MODEL_NAME_GRAMS_H
#define LR_MODEL_NAME_GRAMS_H

#include "data/dataset.h"
#include "data/sparse.h"

/* The vectors of names[0, n) as the rows of *out (n x features, indices
 * ascending within a row, values > 0), owned by the caller
 * (lr__csr_free).  A name that is not valid UTF-8 is read byte by byte.
 * LR_OK or LR_E_NOMEM. */
int lr__name_grams(lr__csr *out, const lr__strtab *names, int32_t n);

#endif
