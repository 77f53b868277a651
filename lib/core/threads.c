/* SPDX-License-Identifier: MIT */
#include "core/threads.h"
#include "core/alloc.h"
#include "core/error.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct job {
    lr__range_fn fn;
    void *ctx;
    int tid;
    size_t begin, end;
    int rc;
    char msg[512];
} job;

static void *run(void *arg)
{
    job *j = arg;
    j->rc = j->fn(j->ctx, j->tid, j->begin, j->end);
    /* The error message is thread-local: carry it back to the caller. */
    if (j->rc != LR_OK) {
        const char *m = lr_last_error();
        size_t i = 0;
        for (; m[i] && i + 1 < sizeof j->msg; i++)
            j->msg[i] = m[i];
        j->msg[i] = '\0';
    }
    return NULL;
}

int lr__parallel_for(int nthreads, size_t n, lr__range_fn fn, void *ctx)
{
    if (nthreads < 1)
        nthreads = 1;
    if ((size_t)nthreads > n)
        nthreads = n ? (int)n : 1;
    if (nthreads == 1)
        return fn(ctx, 0, 0, n);
    job *jobs = lr__calloc((size_t)nthreads, sizeof *jobs);
    pthread_t *th = lr__calloc((size_t)nthreads, sizeof *th);
    char *started = lr__calloc((size_t)nthreads, 1);
    if (!jobs || !th || !started) {
        free(jobs);
        free(th);
        free(started);
        return fn(ctx, 0, 0, n);
    }
    for (int t = 0; t < nthreads; t++) {
        jobs[t].fn = fn;
        jobs[t].ctx = ctx;
        jobs[t].tid = t;
        jobs[t].begin = n * (size_t)t / (size_t)nthreads;
        jobs[t].end = n * (size_t)(t + 1) / (size_t)nthreads;
    }
    for (int t = 1; t < nthreads; t++)
        started[t] = pthread_create(&th[t], NULL, run, &jobs[t]) == 0;
    run(&jobs[0]);
    /* A range whose thread could not start runs here, in order. */
    for (int t = 1; t < nthreads; t++) {
        if (started[t])
            pthread_join(th[t], NULL);
        else
            run(&jobs[t]);
    }
    int rc = LR_OK;
    for (int t = 0; t < nthreads && rc == LR_OK; t++)
        if (jobs[t].rc != LR_OK) {
            rc = jobs[t].rc;
            lr__fail(rc, "%s", jobs[t].msg);
        }
    free(jobs);
    free(th);
    free(started);
    return rc;
}
