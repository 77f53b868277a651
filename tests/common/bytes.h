/* Little-endian readers and writers and whole-file helpers for the suites
 * that take binary files apart (snapshots, model files) by the byte
 * layouts of docs/formats.md, independently of the library's own code,
 * and the check of a refused file's error.
 * SPDX-License-Identifier: MIT */
#ifndef LR_TEST_BYTES_H
#define LR_TEST_BYTES_H

#include "testutil.h"
#include "lastrec.h"
#include "core/file.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static inline void wr32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static inline void wr64(uint8_t *p, uint64_t v)
{
    wr32(p, (uint32_t)v);
    wr32(p + 4, (uint32_t)(v >> 32));
}

static inline double rdf64(const uint8_t *p)
{
    uint64_t u = rd64(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline void wrf64(uint8_t *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    wr64(p, u);
}

static inline void wrf32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    wr32(p, u);
}

/* A whole file in memory (freed with free()). */
typedef struct blob {
    uint8_t *b;
    size_t n;
} blob;

static inline blob slurp(const char *path)
{
    char *data;
    size_t n;
    ck_assert_lr_ok(lr__read_file(path, &data, &n));
    return (blob){(uint8_t *)data, n};
}

/* Write n bytes to path, as a new file each time: truncating one whose
 * pages are still being written back makes ext4 wait for the writeback,
 * thousands of times over in the damage loops. */
static inline void spill(const char *path, const void *data, size_t n)
{
    unlink(path);
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, n, fp), n);
    ck_assert_int_eq(fclose(fp), 0);
}

/* A load of path failed with LR_E_FORMAT (rc), and the message names the
 * file and contains needle and needle2 (each unless NULL). */
static inline void lr_test_format_failure(int rc, const char *path, const char *needle,
                                          const char *needle2)
{
    ck_assert_msg(rc == LR_E_FORMAT, "got %d (%s): %s", rc, lr_strerror(rc), lr_last_error());
    const char *msg = lr_last_error();
    ck_assert_msg(strstr(msg, path) != NULL, "message '%s' does not name the file", msg);
    ck_assert_msg(!needle || strstr(msg, needle), "message '%s' lacks '%s'", msg, needle);
    ck_assert_msg(!needle2 || strstr(msg, needle2), "message '%s' lacks '%s'", msg, needle2);
}

#endif
