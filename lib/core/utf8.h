/* UTF-8 validation, Latin-1 repair and search folding. SPDX-License-Identifier: MIT */
#ifndef LR_CORE_UTF8_H
#define LR_CORE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when the bytes at s
 * do not start a valid, shortest-form, non-surrogate sequence within len. */
size_t lr__utf8_seq(const unsigned char *s, size_t len, uint32_t *cp);

/* 1 when all len bytes are valid UTF-8. */
int lr__utf8_valid(const char *s, size_t len);

/* Copy s to a new NUL-terminated string in which every byte that is not
 * part of valid UTF-8 is read as Latin-1 (so 0xE9 becomes "é"); *fixes
 * counts such bytes.  NULL on out of memory. */
char *lr__utf8_repair(const char *s, size_t len, uint64_t *fixes);

/* A search key: lower case, accents removed (Latin-1 Supplement and Latin
 * Extended-A map to their base letters, ß to "ss"), other characters kept.
 * The input must be valid UTF-8.  NULL on out of memory. */
char *lr__utf8_fold(const char *s);

/* 1 for the white space a name may hold: ASCII's and the no-break space. */
int lr__cp_is_space(uint32_t cp);

/* cp lower-cased for ASCII, Latin-1, Greek and Cyrillic capitals (each to
 * a letter of the same encoded length); any other code point as it is. */
uint32_t lr__cp_lower(uint32_t cp);

/* Encode cp as UTF-8 into out (4 bytes room); returns the length. */
size_t lr__utf8_put(uint32_t cp, char *out);

#endif
