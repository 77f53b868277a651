/* A team of threads kept for many rounds (see team.h).
 * SPDX-License-Identifier: MIT */
#include "core/team.h"
#include "core/alloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* How long a member spins at the barrier before it sleeps. */
#define SPIN_NS 200000

typedef struct member {
    lr__team *team;
    int tid;
} member;

struct lr__team {
    lr__team_fn fn;
    void *ctx;
    int n;                 /* members, the calling thread included */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int arrived;
    atomic_uint gen;       /* barriers passed */
    atomic_int stop;
    int go;                /* under mu: 0 until all started, then 1 to work, -1 to quit */
    pthread_t *th;         /* [n], th[0] unused */
    member *members;       /* [n] */
};

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

/* The last to arrive resets the count before it opens the next
 * generation, so nobody can arrive early at the next barrier and be
 * counted in this one; the counter and generation are sequentially
 * consistent atomics, and the sleepers synchronise through mu. */
void lr__team_barrier(lr__team *t)
{
    const unsigned gen = atomic_load(&t->gen);
    if (atomic_fetch_add(&t->arrived, 1) == t->n - 1) {
        atomic_store(&t->arrived, 0);
        pthread_mutex_lock(&t->mu);
        atomic_fetch_add(&t->gen, 1);
        pthread_cond_broadcast(&t->cv);
        pthread_mutex_unlock(&t->mu);
        return;
    }
    const uint64_t start = now_ns();
    for (unsigned spin = 1; atomic_load(&t->gen) == gen; spin++) {
        cpu_relax();
        if (spin % 256 == 0 && now_ns() - start > SPIN_NS) {
            pthread_mutex_lock(&t->mu);
            while (atomic_load(&t->gen) == gen)
                pthread_cond_wait(&t->cv, &t->mu);
            pthread_mutex_unlock(&t->mu);
            return;
        }
    }
}

static void *helper(void *arg)
{
    const member *me = arg;
    lr__team *t = me->team;
    pthread_mutex_lock(&t->mu);
    while (t->go == 0)
        pthread_cond_wait(&t->cv, &t->mu);
    const int go = t->go;
    pthread_mutex_unlock(&t->mu);
    if (go < 0)
        return NULL;
    for (;;) {
        lr__team_barrier(t); /* a round starts, or the team stops */
        if (atomic_load(&t->stop))
            return NULL;
        t->fn(t, t->ctx, me->tid);
        lr__team_barrier(t);
    }
}

static void destroy(lr__team *t)
{
    pthread_cond_destroy(&t->cv);
    pthread_mutex_destroy(&t->mu);
    free(t->th);
    free(t->members);
    free(t);
}

lr__team *lr__team_start(int n, lr__team_fn fn, void *ctx)
{
    if (n < 2)
        return NULL;
    lr__team *t = lr__calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->fn = fn;
    t->ctx = ctx;
    t->n = n;
    atomic_init(&t->arrived, 0);
    atomic_init(&t->gen, 0u);
    atomic_init(&t->stop, 0);
    t->th = lr__calloc((size_t)n, sizeof *t->th);
    t->members = lr__calloc((size_t)n, sizeof *t->members);
    if (!t->th || !t->members) {
        free(t->th);
        free(t->members);
        free(t);
        return NULL;
    }
    if (pthread_mutex_init(&t->mu, NULL)) {
        free(t->th);
        free(t->members);
        free(t);
        return NULL;
    }
    if (pthread_cond_init(&t->cv, NULL)) {
        pthread_mutex_destroy(&t->mu);
        free(t->th);
        free(t->members);
        free(t);
        return NULL;
    }
    int started = 1;
    for (; started < n; started++) {
        t->members[started] = (member){t, started};
        if (pthread_create(&t->th[started], NULL, helper, &t->members[started]))
            break;
    }
    const int ok = started == n;
    pthread_mutex_lock(&t->mu);
    t->go = ok ? 1 : -1;
    pthread_cond_broadcast(&t->cv);
    pthread_mutex_unlock(&t->mu);
    if (!ok) {
        for (int w = 1; w < started; w++)
            pthread_join(t->th[w], NULL);
        destroy(t);
        return NULL;
    }
    return t;
}

void lr__team_round(lr__team *t)
{
    lr__team_barrier(t);
    t->fn(t, t->ctx, 0);
    lr__team_barrier(t);
}

void lr__team_stop(lr__team *t)
{
    if (!t)
        return;
    atomic_store(&t->stop, 1);
    lr__team_barrier(t);
    for (int w = 1; w < t->n; w++)
        pthread_join(t->th[w], NULL);
    destroy(t);
}
