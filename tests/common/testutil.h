/* Shared helpers for the Check suites. SPDX-License-Identifier: MIT */
#ifndef LR_TESTUTIL_H
#define LR_TESTUTIL_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Run one suite the Meson way: fork mode unless CK_FORK=no, exit status
 * EXIT_FAILURE on any failure. */
static inline int lr_test_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* A fresh temporary directory for the calling test; the path is static
 * storage for the test's process. */
static inline const char *lr_test_tmpdir(void)
{
    static char path[256];
    const char *base = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/lastrec-test-XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(path))
        ck_abort_msg("mkdtemp failed");
    return path;
}

/* Write bytes to dir/name; returns the full path in static storage. */
static inline const char *lr_test_write(const char *dir, const char *name,
                                        const void *data, size_t len)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    ck_assert_msg(fp != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(data, 1, len, fp), len);
    fclose(fp);
    return path;
}

/* Entries of a directory other than . and .. (to see that no temporary
 * file was left behind). */
static inline int lr_test_count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            n++;
    closedir(d);
    return n;
}

/* Remove a flat directory made by lr_test_tmpdir(). */
static inline void lr_test_remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    char p[1024];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

/* A temporary directory and a file name in it, owned by one test. */
typedef struct lr_test_place {
    char dir[256];
    char path[400];
} lr_test_place;

static inline lr_test_place lr_test_make_place(const char *name)
{
    lr_test_place p;
    snprintf(p.dir, sizeof p.dir, "%s", lr_test_tmpdir());
    snprintf(p.path, sizeof p.path, "%s/%s", p.dir, name);
    return p;
}

#define LR_TEST_WRITE_STR(dir, name, str) lr_test_write((dir), (name), (str), strlen(str))

/* Assert a call fails with `status` and its message contains `needle`. */
#define ck_assert_lr_fail(call, status, needle)                                   \
    do {                                                                          \
        int rc_ = (call);                                                         \
        ck_assert_msg(rc_ == (status), "%s: got %d (%s), want %d; message: %s",   \
                      #call, rc_, lr_strerror(rc_), (status), lr_last_error());   \
        ck_assert_msg(strstr(lr_last_error(), (needle)) != NULL,                  \
                      "%s: message '%s' lacks '%s'", #call, lr_last_error(),      \
                      (needle));                                                  \
    } while (0)

#define ck_assert_lr_ok(call)                                                     \
    do {                                                                          \
        int rc_ = (call);                                                         \
        ck_assert_msg(rc_ == 0, "%s: %d (%s): %s", #call, rc_, lr_strerror(rc_),  \
                      lr_last_error());                                           \
    } while (0)

#endif
