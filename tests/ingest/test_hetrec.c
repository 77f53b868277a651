/* HetRec directories: the cross-file checks and the processing policies of
 * docs/data.md on a small hand-made directory.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "lastrec.h"
#include "data/dataset.h"
#include "ingest/hetrec.h"

/* The fixture, built so that each policy shows in the counts:
 * - artist 4 is in artists.dat but nobody listens to it; artist 99 is not
 *   in artists.dat at all: 3 tag uses on those 2 artists are dropped;
 * - tag 3 has 3 uses in the file but 2 after that drop, so it is rare at
 *   min_tag_uses = 2; tag 4 is never used; tags 1, 2 and 5 have 3 uses;
 * - artist 1 has tags 2 and 1 once each (2 first in the file), artist 3
 *   tags 5 and 2 once each: ties go to the lower tag ID;
 * - tag 5's name holds one Latin-1 byte; tags.dat has CRLF line ends and
 *   user_artists.dat a BOM;
 * - friend row 10 -> 30 has no reverse row. */
static const char ARTISTS[] = "id\tname\turl\tpictureURL\n"
                              "1\tAlpha\thttp://www.last.fm/music/Alpha\thttp://p/1.jpg\n"
                              "2\tBeta Band\tu\tp\n"
                              "3\tGamma\tu\t\n"
                              "4\tNobody\tu\tp\n";
static const char TAGS[] = "tagID\ttagValue\r\n"
                           "1\thip hop\r\n"
                           "2\tpost-rock\r\n"
                           "3\trare_tag\r\n"
                           "4\tnever used\r\n"
                           "5\tcaf\xe9 music\r\n";
static const char LISTENS[] = "\xEF\xBB\xBFuserID\tartistID\tweight\n"
                              "10\t1\t100\n"
                              "10\t2\t50\n"
                              "20\t1\t30\n"
                              "20\t3\t7\n"
                              "30\t2\t1\n";
static const char FRIENDS[] = "userID\tfriendID\n"
                              "10\t20\n"
                              "20\t10\n"
                              "10\t30\n";
static const char USES[] = "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                           "10\t1\t2\t1\t4\t2009\n"
                           "20\t1\t1\t1\t4\t2009\n"
                           "10\t2\t1\t1\t5\t2009\n"
                           "10\t2\t5\t1\t5\t2009\n"
                           "30\t2\t5\t1\t6\t2010\n"
                           "20\t3\t5\t1\t6\t2010\n"
                           "20\t3\t2\t1\t6\t2010\n"
                           "30\t2\t2\t1\t6\t2010\n"
                           "30\t2\t1\t9\t7\t2009\n"
                           "10\t1\t3\t1\t1\t2008\n"
                           "20\t3\t3\t1\t1\t2008\n"
                           "10\t4\t3\t1\t1\t2008\n"
                           "20\t99\t1\t1\t1\t2008\n"
                           "30\t99\t2\t1\t1\t1956\n";

#define APR_2009_MS 1238544000000LL /* 2009-04-01T00:00:00Z */

static char dir[256];

static void put(const char *name, const char *text)
{
    LR_TEST_WRITE_STR(dir, name, text);
}

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "%s", lr_test_tmpdir());
    put("artists.dat", ARTISTS);
    put("tags.dat", TAGS);
    put("user_artists.dat", LISTENS);
    put("user_friends.dat", FRIENDS);
    put("user_taggedartists.dat", USES);
}

static int load_dir(void)
{
    lr_dataset *ds = NULL;
    int rc = lr_dataset_load(&ds, dir, NULL);
    ck_assert_msg(rc == LR_OK || ds == NULL, "a failed load must leave *out NULL");
    lr_dataset_free(ds);
    return rc;
}

static lr_dataset *load_ok(const lr_options *o)
{
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, dir, o));
    return ds;
}

static lr_dataset *load_min(int min_tag_uses)
{
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    ck_assert_lr_ok(lr_options_set_int(o, LR_OPT_MIN_TAG_USES, min_tag_uses));
    lr_dataset *ds = load_ok(o);
    lr_options_free(o);
    return ds;
}

#define ck_count(ds, which, want) ck_assert_int_eq(lr_dataset_count((ds), (which)), (want))

static double artist_stat(const lr_dataset *ds, int32_t id, int which)
{
    double v;
    ck_assert_lr_ok(lr_dataset_artist_stat(ds, id, which, &v));
    return v;
}

/* The time of the kept use (user, artist, tag), by external IDs. */
static int64_t use_time(const lr_dataset *ds, int32_t user, int32_t artist, int32_t tag)
{
    const lr__tag_use *u;
    int64_t n = lr__dataset_ua_tags(ds, lr__user_index(ds, user), lr__artist_index(ds, artist), &u);
    for (int64_t i = 0; i < n; i++)
        if (u[i].tag == lr__tag_index(ds, tag))
            return u[i].time_ms;
    ck_abort_msg("no kept use (%d, %d, %d)", user, artist, tag);
    return 0;
}

/* ---------------------------------------------------------- policies */

START_TEST(policy_counts)
{
    make_dir();
    lr_dataset *ds = load_ok(NULL);
    ck_count(ds, LR_COUNT_SOURCE_KIND, LR_SOURCE_HETREC);
    ck_count(ds, LR_COUNT_USERS, 3);
    ck_count(ds, LR_COUNT_ARTISTS, 4);
    ck_count(ds, LR_COUNT_LISTENS, 5);
    ck_count(ds, LR_COUNT_TAGS_IN_FILE, 5);
    ck_count(ds, LR_COUNT_TAGS, 3);
    ck_count(ds, LR_COUNT_TAGS_DROPPED, 2);
    ck_count(ds, LR_COUNT_TAG_USES_IN_FILE, 14);
    ck_count(ds, LR_COUNT_TAG_USES_UNLISTENED, 3);
    ck_count(ds, LR_COUNT_ARTISTS_UNLISTENED, 2);
    ck_count(ds, LR_COUNT_TAG_USES_RARE, 2);
    ck_count(ds, LR_COUNT_TAG_USES, 9);
    ck_count(ds, LR_COUNT_MIN_TAG_USES, 2);
    ck_count(ds, LR_COUNT_LATIN1_FIXES, 1);
    ck_count(ds, LR_COUNT_TIMESTAMPS_MERGED, 0);
    ck_count(ds, LR_COUNT_FRIEND_ROWS, 3);
    ck_count(ds, LR_COUNT_FRIEND_ROWS_ONE_WAY, 1);
    ck_count(ds, LR_COUNT_FRIEND_PAIRS, 2);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(names_camel_case_and_latin1)
{
    make_dir();
    lr_dataset *ds = load_ok(NULL);
    int32_t ids[8];
    size_t n;
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_TAGS, ids, 8, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ids[0], 1);
    ck_assert_int_eq(ids[1], 2);
    ck_assert_int_eq(ids[2], 5);
    ck_assert_str_eq(lr_dataset_tag_name(ds, 1), "HipHop");
    ck_assert_str_eq(lr_dataset_tag_name(ds, 2), "PostRock");
    ck_assert_str_eq(lr_dataset_tag_name(ds, 5), "Caf\xc3\xa9Music");
    ck_assert_ptr_null(lr_dataset_tag_name(ds, 3)); /* rare */
    ck_assert_ptr_null(lr_dataset_tag_name(ds, 4)); /* never used */
    ck_assert_str_eq(lr_dataset_artist_name(ds, 2), "Beta Band");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 4), "Nobody");
    lr_dataset_free(ds);
}
END_TEST

START_TEST(top_tags_and_ties)
{
    make_dir();
    lr_dataset *ds = load_ok(NULL);
    ck_assert_double_eq(artist_stat(ds, 1, LR_STAT_TOP_TAG), 1); /* 1 vs 2, 2 first in file */
    ck_assert_double_eq(artist_stat(ds, 2, LR_STAT_TOP_TAG), 1); /* 1 vs 5, twice each */
    ck_assert_double_eq(artist_stat(ds, 3, LR_STAT_TOP_TAG), 2); /* 2 vs 5, 5 first in file */
    ck_assert_double_eq(artist_stat(ds, 4, LR_STAT_TOP_TAG), -1);
    ck_assert_double_eq(artist_stat(ds, 2, LR_STAT_TAG_USES), 5);
    int32_t tags[4];
    int64_t counts[4];
    size_t n;
    ck_assert_lr_ok(lr_dataset_artist_tags(ds, 2, tags, counts, 4, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(tags[0], 1);
    ck_assert_int_eq(counts[0], 2);
    ck_assert_int_eq(tags[1], 5);
    ck_assert_int_eq(counts[1], 2);
    ck_assert_int_eq(tags[2], 2);
    ck_assert_int_eq(counts[2], 1);
    ck_assert_double_eq(artist_stat(ds, 4, LR_STAT_COUNT), 0);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(user_artist_tags)
{
    make_dir();
    lr_dataset *ds = load_ok(NULL);
    int32_t tags[4];
    size_t n;
    ck_assert_lr_ok(lr_dataset_user_artist_tags(ds, 30, 2, tags, 4, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(tags[0], 1);
    ck_assert_int_eq(tags[1], 2);
    ck_assert_int_eq(tags[2], 5);
    /* Tag 3 on (10, 1) went with its rare tag. */
    ck_assert_lr_ok(lr_dataset_user_artist_tags(ds, 10, 1, tags, 4, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(tags[0], 2);
    /* Kept uses are sorted by (user, artist, tag). */
    for (int64_t i = 1; i < ds->n_tag_uses; i++) {
        const lr__tag_use *a = &ds->tag_uses[i - 1], *b = &ds->tag_uses[i];
        ck_assert(a->user < b->user || (a->user == b->user && (a->artist < b->artist ||
                  (a->artist == b->artist && a->tag < b->tag))));
    }
    lr_dataset_free(ds);
}
END_TEST

START_TEST(min_tag_uses_option)
{
    make_dir();
    lr_dataset *ds = load_min(1);
    ck_count(ds, LR_COUNT_TAGS, 4);
    ck_count(ds, LR_COUNT_TAGS_DROPPED, 1);
    ck_count(ds, LR_COUNT_TAG_USES, 11);
    ck_count(ds, LR_COUNT_TAG_USES_RARE, 0);
    ck_count(ds, LR_COUNT_MIN_TAG_USES, 1);
    ck_assert_str_eq(lr_dataset_tag_name(ds, 3), "RareTag");
    lr_dataset_free(ds);
    ds = load_min(3);
    ck_count(ds, LR_COUNT_TAGS, 0);
    ck_count(ds, LR_COUNT_TAGS_DROPPED, 5);
    ck_count(ds, LR_COUNT_TAG_USES, 0);
    ck_count(ds, LR_COUNT_TAG_USES_RARE, 11);
    ck_count(ds, LR_COUNT_TAG_USES_UNLISTENED, 3);
    ck_assert_double_eq(artist_stat(ds, 1, LR_STAT_TOP_TAG), -1);
    lr_dataset_free(ds);
    /* 0 keeps every used tag; the never-used one still goes. */
    ds = load_min(0);
    ck_count(ds, LR_COUNT_TAGS, 4);
    ck_count(ds, LR_COUNT_TAGS_DROPPED, 1);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(friends_symmetric)
{
    make_dir();
    lr_dataset *ds = load_ok(NULL);
    int32_t f[4];
    size_t n;
    ck_assert_lr_ok(lr_dataset_user_friends(ds, 10, f, 4, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(f[0], 20);
    ck_assert_int_eq(f[1], 30);
    ck_assert_lr_ok(lr_dataset_user_friends(ds, 30, f, 4, &n)); /* completed */
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(f[0], 10);
    ck_assert_lr_ok(lr_dataset_user_friends(ds, 20, f, 4, &n));
    ck_assert_uint_eq(n, 1);
    ck_assert_int_eq(f[0], 10);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(time_first_of_month)
{
    make_dir();
    lr_dataset *ds = load_ok(NULL);
    ck_assert_int_eq(use_time(ds, 10, 1, 2), APR_2009_MS);
    ck_assert_int_eq(use_time(ds, 20, 1, 1), APR_2009_MS);
    /* The day field (9) does not move the time off the first of the month. */
    ck_assert_int_eq(use_time(ds, 30, 2, 1), 1246406400000LL); /* 2009-07-01 */
    lr_dataset_free(ds);
}
END_TEST

START_TEST(civil_time)
{
    ck_assert_int_eq(lr__civil_ms(1970, 1, 1), 0);
    ck_assert_int_eq(lr__civil_ms(2009, 4, 1), APR_2009_MS);
    ck_assert_int_eq(lr__civil_ms(1956, 1, 1), -441849600000LL);
    ck_assert_int_eq(lr__civil_ms(2000, 2, 1), 949363200000LL);
    ck_assert_int_eq(lr__civil_ms(2000, 3, 1), 951868800000LL);
    ck_assert_int_eq(lr__civil_ms(1600, 3, 1), -11670912000000LL);
    ck_assert_int_eq(lr__civil_ms(1, 1, 1), -62135596800000LL);
    ck_assert_int_eq(lr__civil_ms(9999, 12, 1), 253399622400000LL);
}
END_TEST

START_TEST(timestamps_merge)
{
    make_dir();
    put("user_taggedartists-timestamps.dat", "userID\tartistID\ttagID\ttimestamp\r\n"
                                             "30\t2\t1\t-1000\r\n"
                                             "10\t1\t2\t1238536800000\r\n"
                                             "20\t99\t1\t5\r\n");
    lr_dataset *ds = load_ok(NULL);
    ck_count(ds, LR_COUNT_TIMESTAMPS_MERGED, 3);
    ck_assert_int_eq(use_time(ds, 10, 1, 2), 1238536800000LL);
    ck_assert_int_eq(use_time(ds, 30, 2, 1), -1000);
    ck_assert_int_eq(use_time(ds, 20, 1, 1), APR_2009_MS); /* no timestamp row */
    ck_count(ds, LR_COUNT_TAG_USES, 9);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(timestamps_unmatched)
{
    make_dir();
    put("user_taggedartists-timestamps.dat", "userID\tartistID\ttagID\ttimestamp\n"
                                             "10\t1\t2\t1238536800000\n"
                                             "10\t1\t5\t1238536800000\n");
    ck_assert_lr_fail(load_dir(), LR_E_NOTFOUND,
                      "user_taggedartists-timestamps.dat:3: user 10, artist 1 and tag 5 have "
                      "no row in user_taggedartists.dat");
}
END_TEST

START_TEST(timestamps_duplicate)
{
    make_dir();
    put("user_taggedartists-timestamps.dat", "userID\tartistID\ttagID\ttimestamp\n"
                                             "10\t1\t2\t1\n"
                                             "20\t1\t1\t1\n"
                                             "10\t1\t2\t2\n");
    ck_assert_lr_fail(load_dir(), LR_E_DUPLICATE,
                      "user_taggedartists-timestamps.dat:4: user 10, artist 1 and tag 2 repeat "
                      "line 2");
}
END_TEST

START_TEST(unsorted_and_sparse_ids)
{
    /* Rows out of order and IDs too far apart for a direct table take the
     * radix-sort and binary-search paths. */
    snprintf(dir, sizeof dir, "%s", lr_test_tmpdir());
    put("artists.dat", "id\tname\turl\tpictureURL\n"
                       "2000000000\tFar\tu\tp\n70000\tMid\tu\tp\n5\tNear\tu\tp\n");
    put("tags.dat", "tagID\ttagValue\n1900000000\tz\n3\ta\n");
    put("user_artists.dat", "userID\tartistID\tweight\n"
                            "1500000000\t5\t1\n7\t2000000000\t2\n7\t70000\t3\n1500000000\t70000\t4\n");
    put("user_friends.dat", "userID\tfriendID\n1500000000\t7\n7\t1500000000\n");
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "7\t70000\t1900000000\t1\t1\t2010\n"
                                  "1500000000\t70000\t1900000000\t1\t1\t2010\n"
                                  "7\t2000000000\t3\t1\t1\t2010\n"
                                  "7\t2000000000\t1900000000\t1\t1\t2010\n"
                                  "7\t70000\t3\t1\t1\t2010\n"
                                  "1500000000\t5\t3\t1\t1\t2010\n");
    lr_dataset *ds = load_min(0);
    int32_t ids[4];
    size_t n;
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_ARTISTS, ids, 4, &n));
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(ids[0], 5);
    ck_assert_int_eq(ids[1], 70000);
    ck_assert_int_eq(ids[2], 2000000000);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 2000000000), "Far");
    ck_assert_str_eq(lr_dataset_artist_name(ds, 5), "Near");
    ck_assert_lr_ok(lr_dataset_ids(ds, LR_IDS_USERS, ids, 4, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(ids[0], 7);
    ck_assert_int_eq(ids[1], 1500000000);
    ck_assert_str_eq(lr_dataset_tag_name(ds, 1900000000), "Z");
    ck_count(ds, LR_COUNT_TAG_USES, 6);
    ck_count(ds, LR_COUNT_FRIEND_PAIRS, 1);
    ck_assert_double_eq(artist_stat(ds, 70000, LR_STAT_TOTAL_LISTENS), 7);
    for (int64_t i = 1; i < ds->n_tag_uses; i++) {
        const lr__tag_use *a = &ds->tag_uses[i - 1], *b = &ds->tag_uses[i];
        ck_assert(a->user < b->user || (a->user == b->user && (a->artist < b->artist ||
                  (a->artist == b->artist && a->tag < b->tag))));
    }
    int32_t tags[4];
    ck_assert_lr_ok(lr_dataset_user_artist_tags(ds, 7, 70000, tags, 4, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(tags[0], 3);
    ck_assert_int_eq(tags[1], 1900000000);
    lr_dataset_free(ds);
}
END_TEST

/* ------------------------------------------------------------- errors */

START_TEST(missing_directory_or_file)
{
    lr_dataset *ds = NULL;
    ck_assert_lr_fail(lr_dataset_load(&ds, "/nonexistent/hetrec", NULL), LR_E_IO,
                      "/nonexistent/hetrec");
    make_dir();
    char p[512];
    snprintf(p, sizeof p, "%s/tags.dat", dir);
    ck_assert_int_eq(remove(p), 0);
    ck_assert_lr_fail(load_dir(), LR_E_IO, "tags.dat");
}
END_TEST

START_TEST(header_in_directory)
{
    make_dir();
    put("user_friends.dat", "userID\tfriend\n10\t20\n");
    ck_assert_lr_fail(load_dir(), LR_E_HEADER,
                      "user_friends.dat:1: wrong header: expected \"userID\\tfriendID\"");
    make_dir();
    put("artists.dat", "");
    ck_assert_lr_fail(load_dir(), LR_E_EMPTY, "artists.dat: the file is empty");
}
END_TEST

START_TEST(nul_in_names)
{
    make_dir();
    static const char bad[] = "id\tname\turl\tpictureURL\n1\tA\tu\tp\n2\tB\0x\tu\tp\n";
    lr_test_write(dir, "artists.dat", bad, sizeof bad - 1);
    ck_assert_lr_fail(load_dir(), LR_E_ENCODING, "artists.dat:3: NUL byte");
}
END_TEST

START_TEST(latin1_artist_name)
{
    make_dir();
    put("artists.dat", "id\tname\turl\tpictureURL\n1\tMot\xf6rhead\tu\tp\n2\tB\tu\tp\n"
                       "3\tC\tu\tp\n4\tD\tu\tp\n");
    lr_dataset *ds = load_ok(NULL);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 1), "Mot\xc3\xb6rhead");
    ck_count(ds, LR_COUNT_LATIN1_FIXES, 2);
    lr_dataset_free(ds);
}
END_TEST

START_TEST(friend_unknown_user)
{
    make_dir();
    put("user_friends.dat", "userID\tfriendID\n10\t20\n20\t10\n10\t77\n");
    ck_assert_lr_fail(load_dir(), LR_E_NOTFOUND,
                      "user_friends.dat:4: field 'friendID': user 77 is not in user_artists.dat");
    put("user_friends.dat", "userID\tfriendID\n10\t20\n77\t10\n");
    ck_assert_lr_fail(load_dir(), LR_E_NOTFOUND,
                      "user_friends.dat:3: field 'userID': user 77 is not in user_artists.dat");
}
END_TEST

START_TEST(friend_self)
{
    make_dir();
    put("user_friends.dat", "userID\tfriendID\n10\t20\n20\t20\n");
    ck_assert_lr_fail(load_dir(), LR_E_RANGE,
                      "user_friends.dat:3: field 'friendID': user 20 is listed as their own friend");
}
END_TEST

START_TEST(friend_duplicate)
{
    make_dir();
    put("user_friends.dat", "userID\tfriendID\n10\t20\n20\t10\n10\t30\n10\t20\n");
    ck_assert_lr_fail(load_dir(), LR_E_DUPLICATE,
                      "user_friends.dat:5: user 10 and friend 20 repeat line 2");
}
END_TEST

START_TEST(tag_use_unknown_tag)
{
    make_dir();
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "10\t1\t2\t1\t4\t2009\n"
                                  "10\t1\t42\t1\t4\t2009\n");
    ck_assert_lr_fail(load_dir(), LR_E_NOTFOUND,
                      "user_taggedartists.dat:3: field 'tagID': tag 42 is not in tags.dat");
}
END_TEST

START_TEST(tag_use_unknown_user)
{
    make_dir();
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "10\t1\t2\t1\t4\t2009\n"
                                  "11\t1\t2\t1\t4\t2009\n");
    ck_assert_lr_fail(load_dir(), LR_E_NOTFOUND,
                      "user_taggedartists.dat:3: field 'userID': user 11 is not in "
                      "user_artists.dat");
}
END_TEST

START_TEST(tag_use_duplicate)
{
    make_dir();
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "10\t1\t2\t1\t4\t2009\n"
                                  "20\t1\t1\t1\t4\t2009\n"
                                  "10\t1\t2\t1\t5\t2009\n");
    ck_assert_lr_fail(load_dir(), LR_E_DUPLICATE,
                      "user_taggedartists.dat:4: user 10, artist 1 and tag 2 repeat line 2");
}
END_TEST

START_TEST(tag_use_bad_date)
{
    make_dir();
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "10\t1\t2\t1\t13\t2009\n");
    ck_assert_lr_fail(load_dir(), LR_E_RANGE,
                      "user_taggedartists.dat:2: field 'month': 13 is outside 1..12");
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "10\t1\t2\t0\t1\t2009\n");
    ck_assert_lr_fail(load_dir(), LR_E_RANGE, "user_taggedartists.dat:2: field 'day':");
    put("user_taggedartists.dat", "userID\tartistID\ttagID\tday\tmonth\tyear\n"
                                  "10\t1\t2\t1\t1\tMMIX\n");
    ck_assert_lr_fail(load_dir(), LR_E_PARSE, "user_taggedartists.dat:2: field 'year':");
}
END_TEST

START_TEST(listen_unknown_artist)
{
    make_dir();
    put("user_artists.dat", "userID\tartistID\tweight\n10\t1\t5\n10\t5\t5\n");
    ck_assert_lr_fail(load_dir(), LR_E_NOTFOUND,
                      "user_artists.dat:3: field 'artistID': artist 5 is not in artists.dat");
}
END_TEST

START_TEST(listen_duplicate_and_zero)
{
    make_dir();
    put("user_artists.dat", "userID\tartistID\tweight\n10\t1\t5\n20\t1\t5\n10\t1\t6\n");
    ck_assert_lr_fail(load_dir(), LR_E_DUPLICATE,
                      "user_artists.dat:4: user 10 and artist 1 repeat line 2");
    put("user_artists.dat", "userID\tartistID\tweight\n10\t1\t5\n20\t1\t0\n");
    ck_assert_lr_fail(load_dir(), LR_E_RANGE,
                      "user_artists.dat:3: field 'weight': zero plays");
}
END_TEST

START_TEST(duplicate_ids)
{
    make_dir();
    put("artists.dat", "id\tname\turl\tpictureURL\n1\tA\tu\tp\n2\tB\tu\tp\n1\tC\tu\tp\n");
    ck_assert_lr_fail(load_dir(), LR_E_DUPLICATE,
                      "artists.dat:4: field 'id': artist 1 repeats line 2");
    make_dir();
    put("tags.dat", "tagID\ttagValue\n1\ta\n5\tb\n3\tc\n5\td\n");
    ck_assert_lr_fail(load_dir(), LR_E_DUPLICATE,
                      "tags.dat:5: field 'tagID': tag 5 repeats line 3");
}
END_TEST

/* ------------------------------------------------- progress, catalogue */

typedef struct progress_log {
    char stages[16][64];
    int n;
    const char *cancel_at;
} progress_log;

static int on_progress(const char *stage, uint64_t done, uint64_t total, void *ud)
{
    progress_log *log = ud;
    ck_assert_uint_le(done, total);
    if (done == 0 && log->n < 16)
        snprintf(log->stages[log->n++], 64, "%s", stage);
    return log->cancel_at && strcmp(stage, log->cancel_at) == 0;
}

START_TEST(progress_and_cancel)
{
    make_dir();
    lr_options *o;
    ck_assert_lr_ok(lr_options_new(&o));
    progress_log log = {.n = 0};
    lr_options_set_progress(o, on_progress, &log);
    lr_dataset *ds = load_ok(o);
    lr_dataset_free(ds);
    static const char *const want[] = {"read artists.dat", "read tags.dat",
                                       "read user_artists.dat", "read user_friends.dat",
                                       "read user_taggedartists.dat", "process data"};
    ck_assert_int_eq(log.n, 6);
    for (int i = 0; i < 6; i++)
        ck_assert_str_eq(log.stages[i], want[i]);

    static const char *const cancel[] = {"read tags.dat", "process data"};
    for (int i = 0; i < 2; i++) {
        log = (progress_log){.n = 0, .cancel_at = cancel[i]};
        ds = (lr_dataset *)&log;
        ck_assert_lr_fail(lr_dataset_load(&ds, dir, o), LR_E_CANCELLED, cancel[i]);
        ck_assert_ptr_null(ds);
    }
    lr_options_free(o);
}
END_TEST

START_TEST(listens_on_catalogue)
{
    make_dir();
    char missing[512];
    lr_dataset *cat = load_ok(NULL);
    const char *train = LR_TEST_WRITE_STR(dir, "train.dat", "userID\tartistID\tweight\r\n"
                                                            "10\t1\t100\r\n"
                                                            "30\t4\t3\r\n");
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load_listens(&ds, train, cat, NULL));
    ck_count(ds, LR_COUNT_SOURCE_KIND, LR_SOURCE_SPLIT);
    ck_count(ds, LR_COUNT_USERS, 3);
    ck_count(ds, LR_COUNT_ARTISTS, 4);
    ck_count(ds, LR_COUNT_LISTENS, 2);
    ck_count(ds, LR_COUNT_TAGS, 3);
    ck_count(ds, LR_COUNT_FRIEND_PAIRS, 2);
    ck_assert_str_eq(lr_dataset_artist_name(ds, 1), "Alpha");
    ck_assert_double_eq(artist_stat(ds, 4, LR_STAT_TOTAL_LISTENS), 3);
    lr_dataset_free(ds);

    const char *bad = LR_TEST_WRITE_STR(dir, "test.dat", "userID\tartistID\tweight\n"
                                                         "10\t1\t100\n"
                                                         "11\t1\t3\n");
    ds = (lr_dataset *)cat;
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, bad, cat, NULL), LR_E_NOTFOUND,
                      "test.dat:3: field 'userID': user 11 is not in the catalogue");
    ck_assert_ptr_null(ds);
    bad = LR_TEST_WRITE_STR(dir, "test.dat", "userID\tartistID\tweight\n10\t99\t3\n");
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, bad, cat, NULL), LR_E_NOTFOUND,
                      "test.dat:2: field 'artistID': artist 99 is not in the catalogue");
    bad = LR_TEST_WRITE_STR(dir, "test.dat", "userID\tartistID\tweight\n10\t1\t3\n10\t1\t4\n");
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, bad, cat, NULL), LR_E_DUPLICATE,
                      "test.dat:3: user 10 and artist 1 repeat line 2");
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, train, NULL, NULL), LR_E_INVALID,
                      "catalogue");
    snprintf(missing, sizeof missing, "%s/nothere.dat", dir);
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, missing, cat, NULL), LR_E_IO,
                      "nothere.dat: cannot open");
    ck_assert_lr_fail(lr_dataset_load_listens(&ds, dir, cat, NULL), LR_E_IO,
                      "not a regular file");
    lr_dataset_free(cat);
}
END_TEST

/* Counts above 2^24 cannot all be held in a float: the file loads, the
 * rounding is what float rounding gives, and one warning names the first
 * rounded line and how many there are; exact counts warn nothing. */
static char big_warning[1024];
static int big_warnings;

static void keep_warning(int level, const char *message, void *user_data)
{
    (void)user_data;
    if (level == LR_LOG_WARNING) {
        snprintf(big_warning, sizeof big_warning, "%s", message);
        big_warnings++;
    }
}

START_TEST(counts_above_2_24_warn)
{
    make_dir();
    const char *path = LR_TEST_WRITE_STR(dir, "big.dat", "userID\tartistID\tweight\n"
                                                         "1\t1\t16777216\n"
                                                         "1\t2\t16777219\n"
                                                         "2\t1\t5\n"
                                                         "2\t3\t2147483647\n");
    lr_set_log_handler(keep_warning, LR_LOG_WARNING, NULL);
    lr_dataset *ds = NULL;
    ck_assert_lr_ok(lr_dataset_load(&ds, path, NULL));
    ck_assert_int_eq(big_warnings, 1);
    ck_assert_msg(strstr(big_warning, "big.dat:3: field 'weight': 16777219 plays is stored as "
                                      "16777220") && strstr(big_warning, "2 such rows"),
                  "warning: %s", big_warning);
    int32_t artists[3];
    float counts[3];
    size_t n = 0;
    ck_assert_lr_ok(lr_dataset_user_listens(ds, 1, artists, counts, 3, &n));
    ck_assert_uint_eq(n, 2);
    ck_assert_float_eq(counts[0], 16777216.0f);
    ck_assert_float_eq(counts[1], 16777220.0f);
    lr_dataset_free(ds);
    /* exact counts: nothing to say */
    path = LR_TEST_WRITE_STR(dir, "small.dat", "userID\tartistID\tweight\n1\t1\t16777216\n");
    ck_assert_lr_ok(lr_dataset_load(&ds, path, NULL));
    ck_assert_int_eq(big_warnings, 1);
    lr_dataset_free(ds);
    lr_set_log_handler(NULL, 0, NULL);
}
END_TEST

START_TEST(snapshot_magic_goes_to_the_snapshot_reader)
{
    make_dir();
    static const char fake[] = "LRDSNAP\0not really a snapshot";
    const char *p = lr_test_write(dir, "x.snap", fake, sizeof fake - 1);
    lr_dataset *ds = NULL;
    ck_assert_lr_fail(lr_dataset_load(&ds, p, NULL), LR_E_FORMAT, "x.snap");
    ck_assert_ptr_null(ds);
}
END_TEST

static Suite *hetrec_suite(void)
{
    Suite *s = suite_create("hetrec");
    TCase *pol = tcase_create("policies");
    tcase_add_test(pol, policy_counts);
    tcase_add_test(pol, names_camel_case_and_latin1);
    tcase_add_test(pol, top_tags_and_ties);
    tcase_add_test(pol, user_artist_tags);
    tcase_add_test(pol, min_tag_uses_option);
    tcase_add_test(pol, friends_symmetric);
    tcase_add_test(pol, time_first_of_month);
    tcase_add_test(pol, civil_time);
    tcase_add_test(pol, timestamps_merge);
    tcase_add_test(pol, unsorted_and_sparse_ids);
    tcase_add_test(pol, latin1_artist_name);
    suite_add_tcase(s, pol);
    TCase *err = tcase_create("errors");
    tcase_add_test(err, missing_directory_or_file);
    tcase_add_test(err, header_in_directory);
    tcase_add_test(err, nul_in_names);
    tcase_add_test(err, friend_unknown_user);
    tcase_add_test(err, friend_self);
    tcase_add_test(err, friend_duplicate);
    tcase_add_test(err, tag_use_unknown_tag);
    tcase_add_test(err, tag_use_unknown_user);
    tcase_add_test(err, tag_use_duplicate);
    tcase_add_test(err, tag_use_bad_date);
    tcase_add_test(err, timestamps_unmatched);
    tcase_add_test(err, timestamps_duplicate);
    tcase_add_test(err, listen_unknown_artist);
    tcase_add_test(err, listen_duplicate_and_zero);
    tcase_add_test(err, duplicate_ids);
    suite_add_tcase(s, err);
    TCase *api = tcase_create("api");
    tcase_add_test(api, progress_and_cancel);
    tcase_add_test(api, listens_on_catalogue);
    tcase_add_test(api, counts_above_2_24_warn);
    tcase_add_test(api, snapshot_magic_goes_to_the_snapshot_reader);
    suite_add_tcase(s, api);
    return s;
}

int main(void)
{
    return lr_test_run(hetrec_suite());
}
