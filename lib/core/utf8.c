/* SPDX-License-Identifier: MIT */
#include "core/utf8.h"
#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

size_t lr__utf8_seq(const unsigned char *s, size_t len, uint32_t *cp)
{
    if (len == 0)
        return 0;
    unsigned c = s[0];
    uint32_t v;
    size_t n;
    if (c < 0x80) {
        if (cp) *cp = c;
        return 1;
    } else if (c >= 0xc2 && c <= 0xdf) {
        n = 2; v = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        n = 3; v = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4; v = c & 0x07;
    } else {
        return 0;
    }
    if (len < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3f);
    }
    if ((n == 3 && v < 0x800) || (n == 4 && (v < 0x10000 || v > 0x10ffff)) ||
        (v >= 0xd800 && v <= 0xdfff))
        return 0;
    if (cp) *cp = v;
    return n;
}

int lr__utf8_valid(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        if (p[i] < 0x80) { i++; continue; }
        size_t n = lr__utf8_seq(p + i, len - i, NULL);
        if (!n)
            return 0;
        i += n;
    }
    return 1;
}

size_t lr__utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xc0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xe0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        o[2] = (unsigned char)(0x80 | (cp & 0x3f));
        return 3;
    }
    o[0] = (unsigned char)(0xf0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
    o[3] = (unsigned char)(0x80 | (cp & 0x3f));
    return 4;
}

char *lr__utf8_repair(const char *s, size_t len, uint64_t *fixes)
{
    /* A Latin-1 byte grows to at most two bytes. */
    char *out = lr__malloc(2 * len + 1, 1);
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        size_t n = p[i] < 0x80 ? 1 : lr__utf8_seq(p + i, len - i, NULL);
        if (n) {
            memcpy(out + o, p + i, n);
            o += n;
            i += n;
        } else {
            o += lr__utf8_put(p[i], out + o);
            i++;
            if (fixes) (*fixes)++;
        }
    }
    out[o] = '\0';
    return out;
}

/* Base letters of U+00C0..U+017F; 0 = keep the code point as it is. */
static const char fold_c0[] =
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyts" /* C0..DF; D7 ×, DE Þ, DF ß (ts: see below) */
    "aaaaaaaceeeeiiii" "dnooooo\0ouuuuyty" /* E0..FF */
    "aaaaaaccccccccdd" "ddeeeeeeeeeegggg" /* 100..11F */
    "gggghhhhiiiiiiii" "iijjjjkkklllllll" /* 120..13F */
    "lllnnnnnnnnnoooo" "oooorrrrrrssssss" /* 140..15F */
    "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs"; /* 160..17F */

char *lr__utf8_fold(const char *s)
{
    size_t len = strlen(s);
    char *out = lr__malloc(2 * len + 1, 1); /* ß → ss is the only growth, 2 → 2 bytes */
    if (!out)
        return NULL;
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0, o = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = lr__utf8_seq(p + i, len - i, &cp);
        if (!n) { /* not expected: callers pass repaired text */
            out[o++] = (char)p[i++];
            continue;
        }
        if (cp < 0x80) {
            out[o++] = (char)((cp >= 'A' && cp <= 'Z') ? cp + 32 : cp);
        } else if (cp == 0xdf) {
            out[o++] = 's';
            out[o++] = 's';
        } else if (cp >= 0xc0 && cp <= 0x17f && fold_c0[cp - 0xc0] &&
                   cp != 0xde && cp != 0xfe) {
            out[o++] = fold_c0[cp - 0xc0];
        } else if (cp >= 0x391 && cp <= 0x3a9) { /* Greek capitals */
            o += lr__utf8_put(cp + 32, out + o);
        } else if (cp >= 0x410 && cp <= 0x42f) { /* Cyrillic capitals */
            o += lr__utf8_put(cp + 32, out + o);
        } else {
            memcpy(out + o, p + i, n);
            o += n;
        }
        i += n;
    }
    out[o] = '\0';
    return out;
}

int lr__cp_is_space(uint32_t cp)
{
    return cp == ' ' || cp == '\t' || cp == '\v' || cp == '\f' || cp == '\r' || cp == 0xA0;
}

uint32_t lr__cp_lower(uint32_t cp)
{
    if (cp >= 'A' && cp <= 'Z')
        return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7)        /* Latin-1: À..Þ but × */
        return cp + 32;
    if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2)     /* Greek capitals */
        return cp + 32;
    if (cp >= 0x410 && cp <= 0x42F)                    /* Cyrillic А..Я */
        return cp + 32;
    if (cp >= 0x400 && cp <= 0x40F)                    /* Cyrillic Ѐ..Џ */
        return cp + 80;
    return cp;
}
