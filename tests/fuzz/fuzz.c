/* SPDX-License-Identifier: MIT */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void die(const char *what)
{
    fprintf(stderr, "fuzz harness: %s: %s\n", what, lr_last_error());
    abort();
}

static char *dir_path;

static void remove_tree(const char *path)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "fuzz harness: could not remove %s\n", path);
}

static void cleanup(void) { remove_tree(dir_path); }

const char *fuzz_dir(void)
{
    if (dir_path)
        return dir_path;
    struct stat st;
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) ? "/dev/shm" : "/tmp";
    static char path[512];
    snprintf(path, sizeof path, "%s/lastrec-fuzz-XXXXXX", base);
    if (!mkdtemp(path))
        die("mkdtemp");
    dir_path = path;
    atexit(cleanup);
    return dir_path;
}

lr_dataset *fuzz_dataset(void)
{
    static lr_dataset *ds;
    if (ds)
        return ds;
    lr_options *o;
    if (lr_options_new(&o) != LR_OK ||
        lr_options_set_string(o, "synth_users=20,synth_artists=40,synth_tags=12,"
                                 "synth_clusters=3,synth_artists_per_user=6,"
                                 "synth_friends_per_user=2,seed=3") != LR_OK ||
        lr_dataset_synthesize(&ds, o) != LR_OK)
        die("synthesize");
    lr_options_free(o);
    return ds;
}

const char *fuzz_hetrec_dir(const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    if (lr_dataset_write_hetrec(fuzz_dataset(), path) != LR_OK)
        die("write_hetrec");
    return path;
}

const char *fuzz_model_file(int algo, const char *name)
{
    static char path[600];
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
    lr_options *o = NULL;
    lr_model *m = NULL;
    if (lr_options_new(&o) != LR_OK ||
        lr_options_set_string(o, "threads=1,factors=4,epochs=2,min_listeners=1") != LR_OK ||
        lr_model_new(&m, algo, o) != LR_OK || lr_model_fit(m, fuzz_dataset(), NULL) != LR_OK ||
        lr_model_save(m, path) != LR_OK)
        die("model");
    lr_model_free(m);
    lr_options_free(o);
    return path;
}

void fuzz_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || (size && fwrite(data, 1, size, fp) != size) || fclose(fp) != 0) {
        perror(path);
        abort();
    }
}

const char *fuzz_text(const uint8_t *data, size_t size)
{
    static char *buf;
    static size_t cap;
    if (size + 1 > cap) {
        free(buf);
        cap = size + 1;
        buf = malloc(cap);
        if (!buf)
            abort();
    }
    memcpy(buf, data, size);
    buf[size] = '\0';
    return buf;
}
