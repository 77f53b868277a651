/* File suite: whole-file reads and all-or-nothing writes.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "core/file.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

START_TEST(read_whole_file)
{
    lr_test_place p = lr_test_make_place("a.txt");
    LR_TEST_WRITE_STR(p.dir, "a.txt", "line one\nline\0two");
    char *data = NULL;
    size_t len = 0;
    ck_assert_lr_ok(lr__read_file(p.path, &data, &len));
    ck_assert_uint_eq(len, 13); /* LR_TEST_WRITE_STR stops at the NUL */
    ck_assert(memcmp(data, "line one\nline", 13) == 0);
    ck_assert_int_eq(data[len], '\0');
    free(data);
    /* Binary data with NULs, and an empty file. */
    static const char bin[] = {'a', 0, 'b', 0, (char)0xff};
    lr_test_write(p.dir, "b.bin", bin, sizeof bin);
    char path[700];
    snprintf(path, sizeof path, "%s/b.bin", p.dir);
    ck_assert_lr_ok(lr__read_file(path, &data, &len));
    ck_assert_uint_eq(len, sizeof bin);
    ck_assert(memcmp(data, bin, sizeof bin) == 0);
    free(data);
    lr_test_write(p.dir, "empty", "", 0);
    snprintf(path, sizeof path, "%s/empty", p.dir);
    ck_assert_lr_ok(lr__read_file(path, &data, &len));
    ck_assert_uint_eq(len, 0);
    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(data[0], '\0');
    free(data);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(read_failures_name_path)
{
    lr_test_place p = lr_test_make_place("missing.dat");
    char *data = (char *)&data;
    size_t len = 99;
    ck_assert_lr_fail(lr__read_file(p.path, &data, &len), LR_E_IO, p.path);
    ck_assert(strstr(lr_last_error(), "No such file"));
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(len, 0);
    ck_assert_lr_fail(lr__read_file(p.dir, &data, &len), LR_E_IO, "not a regular file");
    ck_assert(strstr(lr_last_error(), p.dir));
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(commit_writes_and_cleans_up)
{
    lr_test_place p = lr_test_make_place("out.txt");
    lr__afile f;
    ck_assert_lr_ok(lr__afile_open(&f, p.path));
    ck_assert_lr_ok(lr__afile_write(&f, "hello ", 6));
    ck_assert_lr_ok(lr__afile_write(&f, "", 0));
    /* Until the commit, the target does not exist: readers never see half. */
    ck_assert_int_ne(access(p.path, F_OK), 0);
    ck_assert_lr_ok(lr__afile_write(&f, "world", 5));
    ck_assert_lr_ok(lr__afile_commit(&f));
    char *data;
    size_t len;
    ck_assert_lr_ok(lr__read_file(p.path, &data, &len));
    ck_assert_str_eq(data, "hello world");
    free(data);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1); /* no temporary left */
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(commit_replaces_existing)
{
    umask(022);
    lr_test_place p = lr_test_make_place("out.txt");
    LR_TEST_WRITE_STR(p.dir, "out.txt", "old and longer contents");
    lr__afile f;
    ck_assert_lr_ok(lr__afile_open(&f, p.path));
    ck_assert_lr_ok(lr__afile_write(&f, "new", 3));
    char *data;
    size_t len;
    ck_assert_lr_ok(lr__read_file(p.path, &data, &len)); /* old until commit */
    ck_assert_str_eq(data, "old and longer contents");
    free(data);
    ck_assert_lr_ok(lr__afile_commit(&f));
    ck_assert_lr_ok(lr__read_file(p.path, &data, &len));
    ck_assert_str_eq(data, "new");
    free(data);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    /* Not the 0600 of a temporary file. */
    struct stat st;
    ck_assert_int_eq(stat(p.path, &st), 0);
    ck_assert_uint_eq(st.st_mode & 0777, 0644);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(abort_leaves_nothing)
{
    lr_test_place p = lr_test_make_place("out.txt");
    lr__afile f;
    ck_assert_lr_ok(lr__afile_open(&f, p.path));
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1); /* the temporary */
    ck_assert_lr_ok(lr__afile_write(&f, "partial", 7));
    lr__afile_abort(&f);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr__afile_abort(&f); /* safe on a closed file */
    /* An existing target survives an aborted replacement untouched. */
    LR_TEST_WRITE_STR(p.dir, "out.txt", "keep me");
    ck_assert_lr_ok(lr__afile_open(&f, p.path));
    ck_assert_lr_ok(lr__afile_write(&f, "partial", 7));
    lr__afile_abort(&f);
    char *data;
    size_t len;
    ck_assert_lr_ok(lr__read_file(p.path, &data, &len));
    ck_assert_str_eq(data, "keep me");
    free(data);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(open_in_missing_directory)
{
    lr_test_place p = lr_test_make_place("x");
    char path[700];
    snprintf(path, sizeof path, "%s/no/such/file.txt", p.dir);
    lr__afile f;
    ck_assert_lr_fail(lr__afile_open(&f, path), LR_E_IO, path);
    ck_assert_ptr_null(f.fp);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(failed_commit_removes_temporary)
{
    /* A directory made in the target's place while the file is written:
     * the rename onto it fails at commit time. */
    lr_test_place p = lr_test_make_place("target");
    lr__afile f;
    ck_assert_lr_ok(lr__afile_open(&f, p.path));
    ck_assert_lr_ok(lr__afile_write(&f, "data", 4));
    ck_assert_int_eq(mkdir(p.path, 0700), 0);
    LR_TEST_WRITE_STR(p.path, "inside", "x");
    ck_assert_lr_fail(lr__afile_commit(&f), LR_E_IO, p.path);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    ck_assert(lr__is_dir(p.path));
    /* A directory already there is refused at once. */
    ck_assert_lr_fail(lr__afile_open(&f, p.path), LR_E_IO, "is a directory");
    ck_assert_ptr_null(f.fp);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    lr_test_remove_dir(p.path);
    lr_test_remove_dir(p.dir);
}
END_TEST

static void write_all(const char *path, const char *text)
{
    lr__afile f;
    ck_assert_lr_ok(lr__afile_open(&f, path));
    ck_assert_lr_ok(lr__afile_write(&f, text, strlen(text)));
    ck_assert_lr_ok(lr__afile_commit(&f));
}

static void assert_contents(const char *path, const char *want)
{
    char *data;
    size_t len;
    ck_assert_lr_ok(lr__read_file(path, &data, &len));
    ck_assert_str_eq(data, want);
    free(data);
}

static int is_link(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISLNK(st.st_mode);
}

/* Through a symbolic link (relative, absolute, a chain, dangling) the
 * file the link names is replaced and the link stays a link. */
START_TEST(symlink_target_replaced_link_kept)
{
    lr_test_place p = lr_test_make_place("real.txt");
    char link[700], abs_link[700], chain[700], dangling[700], made[700];
    snprintf(link, sizeof link, "%s/link", p.dir);
    snprintf(abs_link, sizeof abs_link, "%s/abs", p.dir);
    snprintf(chain, sizeof chain, "%s/chain", p.dir);
    snprintf(dangling, sizeof dangling, "%s/dangling", p.dir);
    snprintf(made, sizeof made, "%s/made.txt", p.dir);
    LR_TEST_WRITE_STR(p.dir, "real.txt", "old");
    ck_assert_int_eq(symlink("real.txt", link), 0);
    ck_assert_int_eq(symlink(p.path, abs_link), 0);
    ck_assert_int_eq(symlink("link", chain), 0);
    ck_assert_int_eq(symlink("made.txt", dangling), 0);

    write_all(link, "one");
    ck_assert(is_link(link));
    assert_contents(p.path, "one");
    write_all(abs_link, "two");
    ck_assert(is_link(abs_link));
    assert_contents(p.path, "two");
    write_all(chain, "three");
    ck_assert(is_link(chain) && is_link(link));
    assert_contents(p.path, "three");
    /* A dangling link: the file it names is created. */
    write_all(dangling, "four");
    ck_assert(is_link(dangling));
    assert_contents(made, "four");
    /* a loop is refused with a message, not followed forever */
    char loop[700];
    snprintf(loop, sizeof loop, "%s/loop", p.dir);
    ck_assert_int_eq(symlink("loop", loop), 0);
    lr__afile f;
    ck_assert_int_ne(lr__afile_open(&f, loop), LR_OK);
    ck_assert(strstr(lr_last_error(), loop));
    ck_assert_int_eq(lr_test_count_entries(p.dir), 7); /* no temporary left */
    lr_test_remove_dir(p.dir);
}
END_TEST

/* A device is written to, never renamed over: /dev/null stays a device
 * (as root, a rename would have replaced it by a regular file).  A FIFO
 * with a reader gets the bytes; one without fails at once. */
START_TEST(device_and_fifo_written_directly)
{
    write_all("/dev/null", "discarded");
    struct stat st;
    ck_assert_int_eq(stat("/dev/null", &st), 0);
    ck_assert(S_ISCHR(st.st_mode));

    lr_test_place p = lr_test_make_place("fifo");
    ck_assert_int_eq(mkfifo(p.path, 0600), 0);
    lr__afile f;
    ck_assert_lr_fail(lr__afile_open(&f, p.path), LR_E_IO, "a FIFO nobody reads");
    int rd = open(p.path, O_RDONLY | O_NONBLOCK);
    ck_assert_int_ge(rd, 0);
    write_all(p.path, "through the pipe");
    char buf[64] = {0};
    ck_assert_int_eq(read(rd, buf, sizeof buf - 1), 16);
    ck_assert_str_eq(buf, "through the pipe");
    close(rd);
    ck_assert_int_eq(lstat(p.path, &st), 0);
    ck_assert(S_ISFIFO(st.st_mode));
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* A name of NAME_MAX bytes can be written: the temporary's name is short
 * whatever the target's (it used to append ".tmp-PID-N" and fail). */
START_TEST(longest_name_written)
{
    char name[NAME_MAX + 1];
    memset(name, 'x', NAME_MAX);
    name[NAME_MAX] = '\0';
    lr_test_place p = lr_test_make_place("x");
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", p.dir, name);
    lr__afile f;
    ck_assert_lr_ok(lr__afile_open(&f, path));
    /* the temporary shows which target it is for, and whose it is */
    char want[64];
    snprintf(want, sizeof want, "%.32s.lrtmp-%ld-", name, (long)getpid());
    ck_assert_msg(strstr(f.tmp, want) != NULL, "temporary %s", f.tmp);
    ck_assert_uint_lt(strlen(strrchr(f.tmp, '/') + 1), 64);
    ck_assert_lr_ok(lr__afile_write(&f, "long", 4));
    ck_assert_lr_ok(lr__afile_commit(&f));
    assert_contents(path, "long");
    ck_assert_int_eq(lr_test_count_entries(p.dir), 1);
    lr_test_remove_dir(p.dir);
}
END_TEST

START_TEST(is_dir)
{
    lr_test_place p = lr_test_make_place("f");
    LR_TEST_WRITE_STR(p.dir, "f", "x");
    ck_assert(lr__is_dir(p.dir));
    ck_assert(!lr__is_dir(p.path));
    ck_assert(!lr__is_dir("/no/such/dir"));
    lr_test_remove_dir(p.dir);
}
END_TEST

/* ----------------------------------------------------- umask of others */

typedef struct saver {
    char path[400];
    atomic_int stop;
    atomic_int rounds;
} saver;

static void *keep_saving(void *arg)
{
    saver *s = arg;
    while (!atomic_load(&s->stop)) {
        lr__afile f;
        if (lr__afile_open(&f, s->path) == LR_OK)
            lr__afile_abort(&f);
        atomic_fetch_add(&s->rounds, 1);
    }
    return NULL;
}

START_TEST(other_threads_keep_their_umask)
{
    /* Saving must not touch the process umask: a host thread creating a
     * file meanwhile would get it world-writable. */
    umask(022);
    lr_test_place p = lr_test_make_place("saved");
    saver s;
    memset(&s, 0, sizeof s);
    snprintf(s.path, sizeof s.path, "%s", p.path);
    char other[500];
    snprintf(other, sizeof other, "%s/other", p.dir);
    pthread_t t;
    ck_assert_int_eq(pthread_create(&t, NULL, keep_saving, &s), 0);
    int wrong = 0;
    for (int i = 0; i < 20000; i++) {
        int fd = open(other, O_CREAT | O_WRONLY | O_TRUNC, 0666);
        ck_assert_int_ge(fd, 0);
        struct stat st;
        ck_assert_int_eq(fstat(fd, &st), 0);
        wrong += (st.st_mode & 0777) != 0644;
        close(fd);
        unlink(other);
    }
    atomic_store(&s.stop, 1);
    pthread_join(t, NULL);
    ck_assert_int_gt(s.rounds, 100);
    ck_assert_msg(wrong == 0, "%d of 20000 files created with the wrong mode", wrong);
    ck_assert_int_eq(lr_test_count_entries(p.dir), 0);
    lr_test_remove_dir(p.dir);
}
END_TEST

/* A FIFO with no writer blocks open(2) forever unless the open does not
 * wait: the read must fail at once, naming the file (Check's timeout
 * fails the test if it hangs).  /dev/null is a device: refused too. */
START_TEST(fifo_and_device_refused_at_once)
{
    lr_test_place p = lr_test_make_place("fifo");
    ck_assert_int_eq(mkfifo(p.path, 0600), 0);
    char *data = (char *)&data;
    size_t len = 99;
    time_t t0 = time(NULL);
    ck_assert_lr_fail(lr__read_file(p.path, &data, &len), LR_E_IO, "not a regular file");
    ck_assert(strstr(lr_last_error(), p.path));
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(len, 0);
    int fd = 123;
    ck_assert_lr_fail(lr__open_regular(p.path, &fd), LR_E_IO, "not a regular file");
    ck_assert_int_eq(fd, -1);
    ck_assert_lr_fail(lr__read_file("/dev/null", &data, &len), LR_E_IO,
                      "/dev/null: not a regular file");
    ck_assert(time(NULL) - t0 < 5);
    /* A regular file opens, and its descriptor reads normally. */
    LR_TEST_WRITE_STR(p.dir, "plain", "abc");
    char plain[700];
    snprintf(plain, sizeof plain, "%s/plain", p.dir);
    ck_assert_lr_ok(lr__open_regular(plain, &fd));
    char buf[4] = {0};
    ck_assert_int_eq(read(fd, buf, 3), 3);
    ck_assert_str_eq(buf, "abc");
    close(fd);
    lr_test_remove_dir(p.dir);
}
END_TEST

static Suite *file_suite(void)
{
    Suite *s = suite_create("file");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, read_whole_file);
    tcase_add_test(tc, read_failures_name_path);
    tcase_add_test(tc, fifo_and_device_refused_at_once);
    tcase_add_test(tc, commit_writes_and_cleans_up);
    tcase_add_test(tc, commit_replaces_existing);
    tcase_add_test(tc, abort_leaves_nothing);
    tcase_add_test(tc, open_in_missing_directory);
    tcase_add_test(tc, failed_commit_removes_temporary);
    tcase_add_test(tc, symlink_target_replaced_link_kept);
    tcase_add_test(tc, device_and_fifo_written_directly);
    tcase_add_test(tc, longest_name_written);
    tcase_add_test(tc, is_dir);
    tcase_add_test(tc, other_threads_keep_their_umask);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(file_suite()); }
