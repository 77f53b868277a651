/* Listens kept in an SQLite database, not in files: read them through
 * lr_dataset_builder, fit an implicit-feedback ALS model and recommend
 * artists for some users.
 *
 *   cc sqlite_listens.c $(pkg-config --cflags --libs lastrec sqlite3) -o sqlite_listens
 *   ./sqlite_listens DATABASE [USER_ID...]       (default: the first user)
 *   ./sqlite_listens --files PATH [USER_ID...]   (the same from a data set on disk)
 *
 * The database has the tables a host application might keep:
 *
 *   listens(user_id INTEGER, artist_id INTEGER, plays INTEGER)
 *   artists(id INTEGER PRIMARY KEY, name TEXT)
 *   tags(id INTEGER PRIMARY KEY, name TEXT)
 *   tag_uses(user_id INTEGER, artist_id INTEGER, tag_id INTEGER, time_ms INTEGER)
 *   friends(user_id INTEGER, friend_id INTEGER)       (optional)
 *
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows go to the builder in batches: one call per batch, not per row. */
#define BATCH 4096
/* A failure of SQLite's, already printed: positive, unlike lastrec's LR_E_*
 * codes, so the two never mix. */
#define SQL_FAILED 1
#define SQL_ID_RANGE (-1)

static int fail(int rc)
{
    fprintf(stderr, "%s: %s\n", lr_strerror(rc), lr_last_error());
    return 1;
}

/* A query's rows, prepared; NULL after printing SQLite's message. */
static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", sql, sqlite3_errmsg(db));
        return NULL;
    }
    return st;
}

/* The next row: 1, or 0 at the end, or 0 with *rc = SQL_FAILED after printing
 * SQLite's error (a failed step is not the end of the table). */
static int row(sqlite3 *db, sqlite3_stmt *st, int *rc)
{
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW)
        return 1;
    if (step != SQLITE_DONE) {
        fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
        *rc = SQL_FAILED;
    }
    return 0;
}

/* IDs are 32-bit in lastrec: a larger one in the database is refused here
 * rather than cut short. */
static int id_column(sqlite3_stmt *st, int col, int32_t *out)
{
    sqlite3_int64 v = sqlite3_column_int64(st, col);
    if (v < INT32_MIN || v > INT32_MAX) {
        fprintf(stderr, "sqlite: ID %lld does not fit 32 bits\n", (long long)v);
        return SQL_ID_RANGE;
    }
    *out = (int32_t)v;
    return 0;
}

static int read_listens(sqlite3 *db, lr_dataset_builder *b)
{
    sqlite3_stmt *st = prepare(db, "SELECT user_id, artist_id, plays FROM listens");
    if (!st)
        return SQL_FAILED;
    int32_t users[BATCH], artists[BATCH];
    int64_t plays[BATCH];
    size_t n = 0;
    int rc = LR_OK;
    while (rc == LR_OK && row(db, st, &rc)) {
        if (id_column(st, 0, &users[n]) || id_column(st, 1, &artists[n])) {
            sqlite3_finalize(st);
            return SQL_FAILED;
        }
        plays[n++] = sqlite3_column_int64(st, 2);
        if (n == BATCH) {
            rc = lr_dataset_builder_add_listens(b, users, artists, plays, n);
            n = 0;
        }
    }
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_listens(b, users, artists, plays, n);
    sqlite3_finalize(st);
    return rc;
}

/* Names by ID (artists or tags): the query gives (id, name) rows and the
 * setter files each one with the builder. */
typedef int (*name_setter)(lr_dataset_builder *b, int32_t id, const char *name);

static int read_names(sqlite3 *db, lr_dataset_builder *b, const char *sql, name_setter set)
{
    sqlite3_stmt *st = prepare(db, sql);
    if (!st)
        return SQL_FAILED;
    int rc = LR_OK;
    int32_t id;
    while (rc == LR_OK && row(db, st, &rc)) {
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (id_column(st, 0, &id)) {
            rc = SQL_FAILED;
            break;
        }
        /* the builder copies the name: SQLite's buffer may go at the next step */
        rc = set(b, id, name ? name : "");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Tag uses by the database's tag IDs, as the files have them; a program
 * with names only would call lr_dataset_builder_add_tag_uses_by_name. */
static int read_tag_uses(sqlite3 *db, lr_dataset_builder *b)
{
    sqlite3_stmt *st = prepare(db, "SELECT user_id, artist_id, tag_id, time_ms FROM tag_uses");
    if (!st)
        return SQL_FAILED;
    int32_t users[BATCH], artists[BATCH], tags[BATCH];
    int64_t times[BATCH];
    size_t n = 0;
    int rc = LR_OK;
    while (rc == LR_OK && row(db, st, &rc)) {
        if (id_column(st, 0, &users[n]) || id_column(st, 1, &artists[n]) ||
            id_column(st, 2, &tags[n])) {
            rc = SQL_FAILED;
            break;
        }
        times[n] = sqlite3_column_int64(st, 3);
        if (++n == BATCH) {
            rc = lr_dataset_builder_add_tag_uses(b, users, artists, tags, times, n);
            n = 0;
        }
    }
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_tag_uses(b, users, artists, tags, times, n);
    sqlite3_finalize(st);
    return rc;
}

static int read_friends(sqlite3 *db, lr_dataset_builder *b)
{
    sqlite3_stmt *st = NULL;
    /* The one optional table: a prepare error means it is absent. */
    if (sqlite3_prepare_v2(db, "SELECT user_id, friend_id FROM friends", -1, &st, NULL) !=
        SQLITE_OK)
        return LR_OK;
    int32_t users[BATCH], friends[BATCH];
    size_t n = 0;
    int rc = LR_OK;
    while (rc == LR_OK && row(db, st, &rc)) {
        if (id_column(st, 0, &users[n]) || id_column(st, 1, &friends[n])) {
            rc = SQL_FAILED;
            break;
        }
        if (++n == BATCH) {
            rc = lr_dataset_builder_add_friends(b, users, friends, n);
            n = 0;
        }
    }
    if (rc == LR_OK)
        rc = lr_dataset_builder_add_friends(b, users, friends, n);
    sqlite3_finalize(st);
    return rc;
}

/* The dataset from the database: LR_OK, SQL_FAILED after printing SQLite's
 * complaint, or a negative LR_E_* code from lastrec. */
static int load_database(const char *path, lr_dataset **out)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        fprintf(stderr, "sqlite: %s: %s\n", path, sqlite3_errmsg(db));
        sqlite3_close(db);
        return SQL_FAILED;
    }
    lr_dataset_builder *b = NULL;
    int rc = lr_dataset_builder_new(&b, NULL);
    if (rc == LR_OK)
        rc = read_names(db, b, "SELECT id, name FROM artists",
                        lr_dataset_builder_set_artist_name);
    if (rc == LR_OK)
        rc = read_listens(db, b);
    if (rc == LR_OK)
        rc = read_names(db, b, "SELECT id, name FROM tags", lr_dataset_builder_set_tag_name);
    if (rc == LR_OK)
        rc = read_tag_uses(db, b);
    if (rc == LR_OK)
        rc = read_friends(db, b);
    if (rc == LR_OK)
        rc = lr_dataset_builder_finish(b, out); /* the same cleaning as files get */
    lr_dataset_builder_free(b);
    sqlite3_close(db);
    return rc;
}

static void print_recommendations(lr_query *q, int32_t user, size_t n)
{
    printf("top %zu artists for user %d:\n", n, (int)user);
    for (size_t r = 0; r < n; r++) {
        int32_t id;
        double score;
        lr_query_result(q, r, &id, &score);
        printf("%2zu. %7d  %-30s %-14s %.6f\n", r + 1, (int)id, lr_query_result_name(q, r),
               lr_query_result_top_tag(q, r), score);
    }
}

int main(int argc, char **argv)
{
    int files = argc > 1 && strcmp(argv[1], "--files") == 0;
    if (argc < 2 + files) {
        fprintf(stderr, "usage: %s DATABASE [USER_ID...]\n       %s --files PATH [USER_ID...]\n",
                argv[0], argv[0]);
        return 2;
    }
    const char *path = argv[1 + files];
    lr_dataset *ds = NULL;
    int rc = files ? lr_dataset_load(&ds, path, NULL) : load_database(path, &ds);
    if (rc == SQL_FAILED)
        return 1;
    if (rc != LR_OK)
        return fail(rc);
    printf("%s: %lld users, %lld artists, %lld listens, %lld tags kept\n", path,
           (long long)lr_dataset_count(ds, LR_COUNT_USERS),
           (long long)lr_dataset_count(ds, LR_COUNT_ARTISTS),
           (long long)lr_dataset_count(ds, LR_COUNT_LISTENS),
           (long long)lr_dataset_count(ds, LR_COUNT_TAGS));

    lr_model *m = NULL;
    lr_query *q = NULL;
    rc = lr_model_new(&m, LR_ALGO_ALS, NULL);
    if (rc == LR_OK)
        rc = lr_model_fit(m, ds, NULL);
    if (rc == LR_OK)
        rc = lr_query_new(&q, m);
    /* Without users named, the first: ask for the size, then fill. */
    size_t n = 0, nusers = (size_t)(argc - 2 - files);
    int32_t *users = NULL;
    if (rc == LR_OK && nusers == 0) {
        lr_dataset_ids(ds, LR_IDS_USERS, NULL, 0, &n);
        users = malloc((n ? n : 1) * sizeof *users);
        rc = users ? lr_dataset_ids(ds, LR_IDS_USERS, users, n, &n) : LR_E_NOMEM;
        nusers = n ? 1 : 0;
    } else if (rc == LR_OK) {
        users = malloc(nusers * sizeof *users);
        rc = users ? LR_OK : LR_E_NOMEM;
        for (size_t i = 0; rc == LR_OK && i < nusers; i++)
            users[i] = (int32_t)atol(argv[2 + files + i]);
    }
    lr_dataset_free(ds); /* the model keeps what queries need */
    for (size_t i = 0; rc == LR_OK && i < nusers; i++) {
        rc = lr_query_recommend_user(q, users[i], &n);
        if (rc == LR_OK)
            print_recommendations(q, users[i], n);
    }
    free(users);
    lr_query_free(q);
    lr_model_free(m);
    return rc == LR_OK ? 0 : fail(rc);
}
