/* A minimal streaming JSON writer for the tool's --json output.
 * SPDX-License-Identifier: MIT */
#ifndef LASTREC_TOOL_JSON_H
#define LASTREC_TOOL_JSON_H

#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 16

/* Commas and indentation are tracked here so callers only say what to write.
 * Every call takes the member's key; pass NULL inside arrays and at the top. */
typedef struct json_writer {
    FILE *fp;
    int depth;
    int count[JSON_MAX_DEPTH]; /* members written at each depth */
} json_writer;

void json_init(json_writer *w, FILE *fp);
void json_object_begin(json_writer *w, const char *key);
void json_object_end(json_writer *w);
void json_array_begin(json_writer *w, const char *key);
void json_array_end(json_writer *w);
void json_string(json_writer *w, const char *key, const char *value);
void json_int(json_writer *w, const char *key, int64_t value);
/* Non-finite numbers have no JSON spelling; they are written as null. */
void json_number(json_writer *w, const char *key, double value);
void json_null(json_writer *w, const char *key);
/* Ends the document with a newline. */
void json_finish(json_writer *w);

#endif
