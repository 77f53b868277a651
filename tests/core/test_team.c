/* The team unit (lib/core/team.c): helpers started once run every round,
 * meet at barriers in the middle of one, and see what the others wrote
 * before each meeting.  SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "core/team.h"

#include <string.h>

#define MEMBERS 3
#define STEPS 50

/* Each step, member tid writes its own cell, meets the others, then reads
 * every cell of that step: a barrier that let anyone through early would
 * show a stale cell. */
typedef struct work {
    int round;
    int cell[MEMBERS];
    int seen[MEMBERS];    /* cells that held the expected value, per member */
    int rounds[MEMBERS];  /* rounds run, per member */
} work;

static void body(lr__team *t, void *ctx, int tid)
{
    work *w = ctx;
    for (int step = 0; step < STEPS; step++) {
        w->cell[tid] = w->round * 1000 + step;
        lr__team_barrier(t);
        for (int m = 0; m < MEMBERS; m++)
            w->seen[tid] += w->cell[m] == w->round * 1000 + step;
        lr__team_barrier(t); /* nobody writes the next step's cell before all have read */
    }
    w->rounds[tid]++;
}

START_TEST(rounds_and_barriers)
{
    work w;
    memset(&w, 0, sizeof w);
    lr__team *t = lr__team_start(MEMBERS, body, &w);
    ck_assert_ptr_nonnull(t);
    for (w.round = 1; w.round <= 20; w.round++)
        lr__team_round(t); /* the caller's writes between rounds are seen too */
    lr__team_stop(t);
    for (int m = 0; m < MEMBERS; m++) {
        ck_assert_int_eq(w.rounds[m], 20);
        ck_assert_int_eq(w.seen[m], 20 * STEPS * MEMBERS);
    }
}
END_TEST

static void nothing(lr__team *t, void *ctx, int tid)
{
    (void)t;
    (void)ctx;
    (void)tid;
}

START_TEST(one_member_is_no_team)
{
    ck_assert_ptr_null(lr__team_start(1, nothing, NULL));
    ck_assert_ptr_null(lr__team_start(0, nothing, NULL));
    lr__team_stop(NULL);
    /* started and stopped without a round */
    lr__team *t = lr__team_start(2, nothing, NULL);
    ck_assert_ptr_nonnull(t);
    lr__team_stop(t);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("team");
    TCase *c = tcase_create("team");
    tcase_set_timeout(c, 60);
    tcase_add_test(c, rounds_and_barriers);
    tcase_add_test(c, one_member_is_no_team);
    suite_add_tcase(s, c);
    return lr_test_run(s);
}
