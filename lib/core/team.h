/* A team of threads kept for many rounds of work.  SPDX-License-Identifier: MIT
 *
 * lr__parallel_for starts and joins its threads on every call.  Work cut
 * into many short rounds that must meet in between (bpr's sub-epochs: 2T
 * a pass over the data) pays that each time: on a shared 2-core machine
 * every start waited for a time slice, and two threads spent three times
 * as long meeting as working.  A team starts its helpers once; they meet
 * at a barrier that spins briefly before it sleeps, since the members of
 * a balanced round are usually only microseconds apart and a spinning
 * thread keeps its core.
 */
#ifndef LR_CORE_TEAM_H
#define LR_CORE_TEAM_H

typedef struct lr__team lr__team;

/* Member tid's part of a round (tid 0 is the thread that calls
 * lr__team_round).  It may meet the others with lr__team_barrier, as
 * many times as every other member does. */
typedef void (*lr__team_fn)(lr__team *t, void *ctx, int tid);

/* Start n - 1 helper threads that run fn(t, ctx, tid) once per round.
 * NULL when n < 2 or when a thread or memory cannot be had: nothing is
 * left running, and the caller does its rounds another way. */
lr__team *lr__team_start(int n, lr__team_fn fn, void *ctx);

/* One round: every member runs fn once, the caller as member 0; returns
 * when all have finished.  What a member wrote before is visible to all
 * after every barrier and after the round. */
void lr__team_round(lr__team *t);

/* Returns when every member has arrived. */
void lr__team_barrier(lr__team *t);

/* Stop and join the helpers and free the team (NULL is fine). */
void lr__team_stop(lr__team *t);

#endif
