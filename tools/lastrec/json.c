/* SPDX-License-Identifier: MIT */
#include "json.h"

#include <math.h>
#include <stdlib.h>

void json_init(json_writer *w, FILE *fp)
{
    w->fp = fp;
    w->depth = 0;
    w->count[0] = 0;
}

static void indent(json_writer *w)
{
    fputc('\n', w->fp);
    for (int i = 0; i < w->depth; i++)
        fputs("  ", w->fp);
}

/* Length of the valid UTF-8 sequence at s, or 0 when the bytes there are not
 * one (overlong forms and surrogates included), following RFC 3629. */
static int utf8_len(const unsigned char *s)
{
    unsigned c = s[0];
    if (c < 0x80)
        return 1;
    int n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (int i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xBF)
            return 0;
    return n;
}

/* Strings come from files and the command line, so they may hold any byte;
 * a byte that is not UTF-8 is written as its Latin-1 code point, the same
 * reading the loader gives it, so the output always parses. */
static void write_string(FILE *fp, const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    fputc('"', fp);
    while (*s) {
        unsigned c = *s;
        if (c == '"' || c == '\\') {
            fputc('\\', fp);
            fputc((int)c, fp);
            s++;
        } else if (c == '\n') {
            fputs("\\n", fp);
            s++;
        } else if (c == '\t') {
            fputs("\\t", fp);
            s++;
        } else if (c == '\r') {
            fputs("\\r", fp);
            s++;
        } else if (c < 0x20 || c == 0x7F) {
            fprintf(fp, "\\u%04x", c);
            s++;
        } else {
            int n = utf8_len(s);
            if (n == 0) {
                fprintf(fp, "\\u%04x", c);
                s++;
            } else {
                fwrite(s, 1, (size_t)n, fp);
                s += n;
            }
        }
    }
    fputc('"', fp);
}

static void member(json_writer *w, const char *key)
{
    if (w->depth > 0) {
        if (w->count[w->depth]++)
            fputc(',', w->fp);
        indent(w);
    }
    if (key) {
        write_string(w->fp, key);
        fputs(": ", w->fp);
    }
}

static void open_(json_writer *w, const char *key, char bracket)
{
    member(w, key);
    fputc(bracket, w->fp);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->count[w->depth] = 0;
}

static void close_(json_writer *w, char bracket)
{
    int empty = w->count[w->depth] == 0;
    if (w->depth > 0)
        w->depth--;
    if (!empty)
        indent(w);
    fputc(bracket, w->fp);
}

void json_object_begin(json_writer *w, const char *key) { open_(w, key, '{'); }
void json_object_end(json_writer *w) { close_(w, '}'); }
void json_array_begin(json_writer *w, const char *key) { open_(w, key, '['); }
void json_array_end(json_writer *w) { close_(w, ']'); }

void json_string(json_writer *w, const char *key, const char *value)
{
    member(w, key);
    if (value)
        write_string(w->fp, value);
    else
        fputs("null", w->fp);
}

void json_int(json_writer *w, const char *key, int64_t value)
{
    member(w, key);
    fprintf(w->fp, "%lld", (long long)value);
}

void json_number(json_writer *w, const char *key, double value)
{
    member(w, key);
    if (!isfinite(value))
        fputs("null", w->fp);
    else if (value == floor(value) && fabs(value) < 1e15)
        fprintf(w->fp, "%.0f", value);
    else {
        /* The shortest of 15 or 17 significant digits that reads back as
         * the same double: exact, without 0.10000000000000001 noise. */
        char buf[32];
        snprintf(buf, sizeof buf, "%.15g", value);
        if (strtod(buf, NULL) != value)
            snprintf(buf, sizeof buf, "%.17g", value);
        fputs(buf, w->fp);
    }
}

void json_null(json_writer *w, const char *key)
{
    member(w, key);
    fputs("null", w->fp);
}

void json_finish(json_writer *w)
{
    fputc('\n', w->fp);
    fflush(w->fp);
}
