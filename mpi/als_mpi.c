/* lr_mpi_als_train: implicit ALS over MPI processes.
 * SPDX-License-Identifier: MIT
 *
 * Every process runs lib/model/als.c's pieces (model/als.h) on its own
 * rows, in the order als_fit runs them, so that the factors are those of
 * lr_model_fit() bit for bit whatever the number of processes:
 *
 *  - users and artists are split into one contiguous range of dense
 *    indices per process, balanced by listen count (plus one per row, for
 *    the rows' fixed cost);
 *  - every process holds ALL factors: after each half-sweep the solved
 *    rows are all-gathered (MPI_Allgatherv, in place), so the Gram matrix,
 *    its eigenbasis and the rotation of the fixed side are computed from
 *    the same numbers in the same order everywhere, as by one process;
 *  - a row's solve reads only its own listens (held by the process that
 *    owns the row, in the same order as in the dataset's CSR) and the
 *    other side's factors;
 *  - the start is drawn per row from the seed (one RNG stream per row),
 *    so it does not depend on who draws it; every process draws all rows;
 *  - BM25's statistics are global: document frequencies come from the
 *    listen counts every process gathers while streaming the file, the
 *    users' row sums are summed by their owners and all-gathered, then
 *    normalised by the same sequential mean;
 *  - the loss is the only sum reduced across processes (MPI_Allreduce of
 *    the per-process sums over listened pairs): it matches the
 *    single-process loss to rounding, not bit for bit.
 *
 * Every step that can fail on one process ends in agree(): a collective
 * that makes every process return a failing process's status and message,
 * so that no process waits in a collective for one that gave up.
 */
#include <lastrec/lastrec_mpi.h>

#include "listens.h"

#include "lastrec.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/file.h"
#include "core/options.h"
#include "data/dataset.h"
#include "data/sparse.h"
#include "ingest/lastfm360k.h"
#include "model/als.h"
#include "model/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const LISTEN_COLS[] = {"userID", "artistID", "weight"};
static const char *const ARTIST_COLS[] = {"id", "name", "url", "pictureURL"};

typedef struct fit {
    MPI_Comm comm;
    int rank, size;
    const char *data, *listens; /* borrowed paths */
    int has_train;              /* listens is a split's training side */
    char *dir_listens, *dir_artists; /* owned: DATA/user_artists.dat, DATA/artists.dat or NULL */
    lr_options *opts;           /* owned */
    lr_model *m;                /* owned: options resolved; rank 0 fills it */
    size_t max_line;
    lm_ids users, artists;      /* the catalogue: dense index = position */
    /* owned: a lastfm-360K DATA loaded whole, or NULL.  Its users and
     * artists are numbered by the whole file (first appearance, a name's
     * merge with an MBID), which no process can do from its rows alone;
     * without --train its listens are the rows, taken from here, and it is
     * freed once this process has its shard. */
    lr_dataset *whole;
    int32_t nu, na;
    int64_t *pu, *pa;           /* owned: [n + 1] every row's listens, prefix sums */
    int64_t nnz;
    int32_t *ub, *ab;           /* owned: [size + 1] range of each process */
    int *ucount, *udispl, *acount, *adispl; /* owned: the ranges for MPI */
    lr__csr lu, la;             /* owned: this process's user rows and artist rows */
    lr__als_side shape_u, shape_a; /* every row's count (ptr = pu, pa) */
    lr__als_work w;
    float *uf, *af;             /* owned: all factors */
    MPI_Datatype row_t;
} fit;

/* ------------------------------------------------------------ agreement */

/* Every process's rc; when any failed, every process returns one
 * failure's status and message: the lowest status code, and of equal
 * codes the lowest rank's. */
static int agree(fit *f, int rc)
{
    struct {
        int v, r;
    } in = {rc == LR_OK ? 1 : rc, f->rank}, out;
    MPI_Allreduce(&in, &out, 1, MPI_2INT, MPI_MINLOC, f->comm);
    if (out.v == 1)
        return LR_OK;
    char msg[1024];
    if (f->rank == out.r)
        snprintf(msg, sizeof msg, "%s", lr_last_error());
    MPI_Bcast(msg, (int)sizeof msg, MPI_CHAR, out.r, f->comm);
    if (f->size == 1)
        return lr__fail(out.v, "%s", msg);
    return lr__fail(out.v, "process %d of %d: %s", out.r, f->size, msg);
}

/* --------------------------------------------------------------- input */

/* lastfm-360K DATA: loaded whole, as lr_dataset_load() numbers it. */
static int whole_catalogue(fit *f)
{
    int rc = lr_dataset_load(&f->whole, f->data, f->opts);
    const lr_dataset *ds = f->whole;
    for (int32_t u = 0; rc == LR_OK && u < ds->n_users; u++)
        rc = lm_ids_add(&f->users, ds->user_ids[u]);
    for (int32_t a = 0; rc == LR_OK && a < ds->n_artists; a++)
        rc = lm_ids_add(&f->artists, ds->artist_ids[a]);
    if (rc)
        return rc;
    lm_ids_finish(&f->users);
    lm_ids_finish(&f->artists);
    f->nu = ds->n_users;
    f->na = ds->n_artists;
    if (f->listens) { /* --train: the rows come from that file */
        lr_dataset_free(f->whole);
        f->whole = NULL;
    } else {
        f->listens = f->data;
    }
    return LR_OK;
}

/* The users and artists of DATA, as lr_dataset_load() numbers them: a
 * HetRec directory's artists are artists.dat's, its users those of
 * user_artists.dat; a listens file's are its own. */
static int read_catalogue(fit *f)
{
    struct stat st;
    if (stat(f->data, &st) != 0)
        return lr__fail(LR_E_IO, "%s: no such file or directory", f->data);
    if (S_ISDIR(st.st_mode) ? lr__lastfm360k_dir(f->data) : lr__lastfm360k_file(f->data))
        return whole_catalogue(f);
    int rc = LR_OK;
    const char *users_from = f->data;
    if (S_ISDIR(st.st_mode)) {
        f->dir_listens = lr__path_join(f->data, "user_artists.dat");
        f->dir_artists = lr__path_join(f->data, "artists.dat");
        if (!f->dir_listens || !f->dir_artists)
            return lr__fail_oom("a path");
        users_from = f->dir_listens;
        lm_reader r;
        if ((rc = lm_open(&r, f->dir_artists, ARTIST_COLS, 4, f->max_line)) != LR_OK)
            return rc;
        int k = 0;
        size_t rows = 0;
        while (rc == LR_OK && (k = lm_next(&r)) == 1) {
            int32_t id;
            if ((rc = lm_int(&r, 0, &id)) == LR_OK)
                rc = lm_ids_add(&f->artists, id);
            rows++;
        }
        if (rc == LR_OK && k < 0)
            rc = k;
        lm_close(&r);
        if (rc)
            return rc;
        lm_ids_finish(&f->artists);
        if (f->artists.n != rows)
            return lr__fail(LR_E_DUPLICATE, "%s: an artist ID repeats (%zu rows, %zu IDs)",
                            f->dir_artists, rows, f->artists.n);
    }
    lm_reader r;
    if ((rc = lm_open(&r, users_from, LISTEN_COLS, 3, f->max_line)) != LR_OK)
        return rc;
    int k = 0;
    while (rc == LR_OK && (k = lm_next(&r)) == 1) {
        int32_t u, a;
        if ((rc = lm_int(&r, 0, &u)) == LR_OK && (rc = lm_int(&r, 1, &a)) == LR_OK)
            rc = lm_ids_add(&f->users, u);
        if (rc == LR_OK && f->dir_artists == NULL)
            rc = lm_ids_add(&f->artists, a);
    }
    if (rc == LR_OK && k < 0)
        rc = k;
    lm_close(&r);
    if (rc)
        return rc;
    lm_ids_finish(&f->users);
    lm_ids_finish(&f->artists);
    if (f->users.n > INT32_MAX || f->artists.n > INT32_MAX)
        return lr__fail(LR_E_RANGE, "%s: more than %d users or artists", f->data, INT32_MAX);
    f->nu = (int32_t)f->users.n;
    f->na = (int32_t)f->artists.n;
    f->listens = f->listens ? f->listens : users_from;
    return LR_OK;
}

/* One row of the listens file as dense indices and a count. */
static int listen_row(const fit *f, const lm_reader *r, int32_t *u, int32_t *a, int32_t *w)
{
    int32_t uid, aid;
    int rc;
    if ((rc = lm_int(r, 0, &uid)) || (rc = lm_int(r, 1, &aid)) || (rc = lm_int(r, 2, w)))
        return rc;
    if (*w == 0)
        return lr__fail_at(LR_E_RANGE, r->path, r->lineno, "weight",
                           "zero plays (a listened artist has at least 1 play)");
    if ((*u = lm_ids_find(&f->users, uid)) < 0)
        return lr__fail_at(LR_E_NOTFOUND, r->path, r->lineno, "userID",
                           "user %d is not in the catalogue %s", uid, f->data);
    if ((*a = lm_ids_find(&f->artists, aid)) < 0)
        return lr__fail_at(LR_E_NOTFOUND, r->path, r->lineno, "artistID",
                           "artist %d is not in the catalogue %s", aid, f->data);
    return LR_OK;
}

/* First pass: every row's listen count, for the shape of both sides
 * (which rows are empty), BM25's document frequencies and the ranges. */
static int count_listens(fit *f)
{
    f->pu = lr__calloc((size_t)f->nu + 1, sizeof *f->pu);
    f->pa = lr__calloc((size_t)f->na + 1, sizeof *f->pa);
    if (!f->pu || !f->pa)
        return lr__fail_oom("the listen counts");
    if (f->whole) {
        const lr__csr *x = &f->whole->listens;
        for (int32_t u = 0; u < f->nu; u++)
            f->pu[u + 1] = x->ptr[u + 1];
        for (int64_t p = 0; p < x->nnz; p++)
            f->pa[x->idx[p] + 1]++;
        for (int32_t a = 0; a < f->na; a++)
            f->pa[a + 1] += f->pa[a];
        f->nnz = x->nnz;
        if (f->nnz == 0)
            return lr__fail(LR_E_INVALID, "%s: the training data has no listens", f->listens);
        return LR_OK;
    }
    lm_reader r;
    int rc = lm_open(&r, f->listens, LISTEN_COLS, 3, f->max_line);
    if (rc)
        return rc;
    int k = 0;
    while (rc == LR_OK && (k = lm_next(&r)) == 1) {
        int32_t u = 0, a = 0, w = 0;
        if ((rc = listen_row(f, &r, &u, &a, &w)) == LR_OK) {
            f->pu[u + 1]++;
            f->pa[a + 1]++;
            f->nnz++;
        }
    }
    if (rc == LR_OK && k < 0)
        rc = k;
    lm_close(&r);
    if (rc)
        return rc;
    if (f->nnz == 0)
        return lr__fail(LR_E_INVALID, "%s: the training data has no listens", f->listens);
    for (int32_t u = 0; u < f->nu; u++)
        f->pu[u + 1] += f->pu[u];
    for (int32_t a = 0; a < f->na; a++)
        f->pa[a + 1] += f->pa[a];
    return LR_OK;
}

/* Contiguous ranges of rows, one per process, of about equal listens + rows. */
static void split(const int64_t *p, int32_t n, int parts, int32_t *b)
{
    const double total = (double)p[n] + n;
    b[0] = 0;
    int t = 1;
    for (int32_t r = 0; r < n && t < parts; r++) {
        const double acc = (double)p[r + 1] + r + 1;
        while (t < parts && acc >= total * t / parts)
            b[t++] = r + 1;
    }
    while (t <= parts)
        b[t++] = n;
}

static int ranges(fit *f)
{
    const size_t P = (size_t)f->size;
    f->ub = lr__malloc(P + 1, sizeof *f->ub);
    f->ab = lr__malloc(P + 1, sizeof *f->ab);
    f->ucount = lr__malloc(P, sizeof *f->ucount);
    f->udispl = lr__malloc(P, sizeof *f->udispl);
    f->acount = lr__malloc(P, sizeof *f->acount);
    f->adispl = lr__malloc(P, sizeof *f->adispl);
    if (!f->ub || !f->ab || !f->ucount || !f->udispl || !f->acount || !f->adispl)
        return lr__fail_oom("the processes' ranges");
    split(f->pu, f->nu, f->size, f->ub);
    split(f->pa, f->na, f->size, f->ab);
    for (size_t p = 0; p < P; p++) {
        f->udispl[p] = f->ub[p];
        f->ucount[p] = f->ub[p + 1] - f->ub[p];
        f->adispl[p] = f->ab[p];
        f->acount[p] = f->ab[p + 1] - f->ab[p];
    }
    return LR_OK;
}

typedef struct tvec {
    lr__triplet *t;
    size_t n, cap;
} tvec;

static int tvec_push(tvec *v, int32_t row, int32_t col, float val)
{
    if (v->n == v->cap &&
        lr__grow((void **)&v->t, &v->cap, v->cap < 4096 ? 4096 : v->cap * 2, sizeof *v->t))
        return lr__fail_oom("this process's listens");
    v->t[v->n++] = (lr__triplet){row, col, val};
    return LR_OK;
}

static int to_csr(const fit *f, lr__csr *m, int32_t rows, int32_t cols, const tvec *v,
                  int by_user)
{
    size_t dup = 0;
    int rc = lr__csr_from_triplets(m, rows, cols, v->t, v->n, 1, &dup);
    if (rc == LR_E_DUPLICATE) {
        const lr__triplet *t = &v->t[dup];
        const int32_t u = by_user ? t->row : t->col, a = by_user ? t->col : t->row;
        rc = lr__fail(LR_E_DUPLICATE, "%s: user %d and artist %d have more than one row",
                      f->listens, f->users.v[u], f->artists.v[a]);
    }
    return rc;
}

/* Second pass: keep this process's rows, as CSR by user and by artist
 * (sorted within a row, as the dataset's). */
static int read_shard(fit *f)
{
    const int32_t u0 = f->ub[f->rank], u1 = f->ub[f->rank + 1];
    const int32_t a0 = f->ab[f->rank], a1 = f->ab[f->rank + 1];
    tvec tu = {0}, ta = {0};
    lm_reader r = {0};
    int rc = f->whole ? LR_OK : lm_open(&r, f->listens, LISTEN_COLS, 3, f->max_line);
    if (rc)
        return rc;
    if (f->whole) {
        const lr__csr *x = &f->whole->listens;
        for (int32_t u = 0; rc == LR_OK && u < f->nu; u++)
            for (int64_t p = x->ptr[u]; rc == LR_OK && p < x->ptr[u + 1]; p++) {
                const int32_t a = x->idx[p];
                if (u >= u0 && u < u1)
                    rc = tvec_push(&tu, u, a, x->val[p]);
                if (rc == LR_OK && a >= a0 && a < a1)
                    rc = tvec_push(&ta, a, u, x->val[p]);
            }
        lr_dataset_free(f->whole);
        f->whole = NULL;
    }
    int k = 0;
    while (rc == LR_OK && r.f && (k = lm_next(&r)) == 1) {
        int32_t u = 0, a = 0, w = 0;
        if ((rc = listen_row(f, &r, &u, &a, &w)) != LR_OK)
            break;
        if (u >= u0 && u < u1)
            rc = tvec_push(&tu, u, a, (float)w);
        if (rc == LR_OK && a >= a0 && a < a1)
            rc = tvec_push(&ta, a, u, (float)w);
    }
    if (rc == LR_OK && k < 0)
        rc = k;
    if (r.f)
        lm_close(&r);
    if (rc == LR_OK)
        rc = to_csr(f, &f->lu, f->nu, f->na, &tu, 1);
    free(tu.t);
    if (rc == LR_OK)
        rc = to_csr(f, &f->la, f->na, f->nu, &ta, 0);
    free(ta.t);
    /* the file changed between the passes */
    if (rc == LR_OK && (f->lu.ptr[u1] - f->lu.ptr[u0] != f->pu[u1] - f->pu[u0] ||
                        f->la.ptr[a1] - f->la.ptr[a0] != f->pa[a1] - f->pa[a0]))
        rc = lr__fail(LR_E_IO, "%s: the file changed while it was read", f->listens);
    return rc;
}

/* ----------------------------------------------------------------- fit */

static int prepare(fit *f)
{
    const lr_options *o = &f->m->opts;
    const int k = (int)lr__opt_int(o, LR_OPT_FACTORS);
    const int t = (int)lr__opt_int(o, LR_OPT_TRANSFORM);
    const int solver = (int)lr__opt_int(o, LR_OPT_SOLVER);
    const int steps = (int)lr__opt_int(o, LR_OPT_CG_STEPS);
    const float alpha = (float)lr__opt_double(o, LR_OPT_ALPHA);
    const int threads = lr__opt_threads(o);
    const int32_t u0 = f->ub[f->rank], u1 = f->ub[f->rank + 1];
    const int32_t a0 = f->ab[f->rank], a1 = f->ab[f->rank + 1];
    lr__als_work *w = &f->w;
    int rc;

    if (t == LR_TRANSFORM_BM25) {
        if ((rc = lr__als_bm25_alloc(&w->z, o, f->nu, f->na)) != LR_OK)
            return rc;
        for (int32_t a = 0; a < f->na; a++)
            lr__als_bm25_set_idf(&w->z, a, (double)f->nu, f->pa[a + 1] - f->pa[a]);
        for (int32_t u = u0; u < u1; u++) {
            double sum = 0;
            for (int64_t e = f->lu.ptr[u]; e < f->lu.ptr[u + 1]; e++)
                sum += f->lu.val[e];
            w->z.norm[u] = sum;
        }
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, w->z.norm, f->ucount, f->udispl,
                       MPI_DOUBLE, f->comm);
        lr__als_bm25_normalise(&w->z, f->nu);
    }
    if ((rc = lr__als_make_side(&w->su, &f->lu, 1, t, alpha, &w->z)) != LR_OK ||
        (rc = lr__als_make_side(&w->sa, &f->la, 0, t, alpha, &w->z)) != LR_OK)
        return rc;
    /* the choice of basis counts every row, not only this process's */
    int64_t c[4] = {w->su.listened, w->su.warm, w->sa.listened, w->sa.warm};
    MPI_Allreduce(MPI_IN_PLACE, c, 4, MPI_INT64_T, MPI_SUM, f->comm);
    if (solver == LR_SOLVER_CG) {
        w->su.diag = lr__als_use_diag(c[2], c[1], c[0], steps);
        w->sa.diag = lr__als_use_diag(c[0], c[3], c[2], steps);
    }
    if ((rc = lr__als_balance(&w->su, threads, k, solver, steps, u0, u1)) != LR_OK ||
        (rc = lr__als_balance(&w->sa, threads, k, solver, steps, a0, a1)) != LR_OK)
        return rc;
    f->shape_u = (lr__als_side){.rows = f->nu, .ptr = f->pu};
    f->shape_a = (lr__als_side){.rows = f->na, .ptr = f->pa};
    f->uf = lr__malloc((size_t)f->nu * (size_t)k, sizeof *f->uf);
    f->af = lr__malloc((size_t)f->na * (size_t)k, sizeof *f->af);
    if (!f->uf || !f->af)
        return lr__fail_oom("als's factors");
    if ((rc = lr__als_work_alloc(w, k, solver, threads, (size_t)(f->nu > f->na ? f->nu : f->na),
                                 (size_t)f->na)) != LR_OK)
        return rc;
    const uint64_t seed = (uint64_t)lr__opt_int(o, LR_OPT_SEED);
    const double scale = lr__opt_double(o, LR_OPT_INIT_SCALE);
    if ((rc = lr__als_init(f->uf, &f->shape_u, k, scale, seed, 0, threads)) != LR_OK ||
        (rc = lr__als_init(f->af, &f->shape_a, k, scale, seed, (uint64_t)f->nu, threads)) != LR_OK)
        return rc;
    MPI_Type_contiguous(k, MPI_FLOAT, &f->row_t);
    MPI_Type_commit(&f->row_t);
    return LR_OK;
}

static int finite_gram(const float *G, int k, const char *which, int sweep)
{
    for (size_t i = 0; i < (size_t)k * (size_t)k; i++)
        if (!isfinite(G[i]))
            return lr__fail(LR_E_NUMERIC,
                            "als: the %s factors went non-finite in sweep %d; lower alpha (or use "
                            "the log1p or bm25 transform) or raise regularization",
                            which, sweep);
    return LR_OK;
}

/* The epochs of als_fit, with an all-gather after each half-sweep. */
static int epochs(fit *f, lr_mpi_epoch_fn fn, void *user_data)
{
    lr_model *m = f->m;
    const lr_options *o = &m->opts;
    const int k = (int)lr__opt_int(o, LR_OPT_FACTORS);
    const int n_epochs = (int)lr__opt_int(o, LR_OPT_EPOCHS);
    const int solver = (int)lr__opt_int(o, LR_OPT_SOLVER);
    const int steps = (int)lr__opt_int(o, LR_OPT_CG_STEPS);
    const float lambda = (float)lr__opt_double(o, LR_OPT_REGULARIZATION);
    const int threads = lr__opt_threads(o);
    const size_t kk = (size_t)k * (size_t)k;
    const int32_t a0 = f->ab[f->rank], a1 = f->ab[f->rank + 1];
    const int32_t own = f->ucount[f->rank] + f->acount[f->rank];
    const uint64_t row_bytes = (uint64_t)k * sizeof(float);
    const uint64_t received = (uint64_t)(f->nu + f->na - own) * row_bytes;
    const uint64_t sent = (uint64_t)own * row_bytes * (uint64_t)(f->size - 1);
    lr__als_work *w = &f->w;
    lr__fit_ctx ctx = {.progress = lr__opt_progress(o), .t0 = lr__now()};
    lr__als_solve_job job = {k, solver, steps, w->A0, w->Dinv, w->Q, NULL, NULL, NULL,
                             w->scratch, w->scratch_len, NULL, NULL, w->gather_rows,
                             w->gather_at};
    int rc = lr__als_gram(f->af, &f->shape_a, k, w->part, threads, w->G);
    if ((rc = agree(f, rc)) != LR_OK)
        return rc;
    for (int ep = 0; ep < n_epochs; ep++) {
        const double t0 = MPI_Wtime();
        double tx = 0, tg = 0, s;
        /* users, given the artists */
        rc = finite_gram(w->G, k, "artist", ep + 1);
        if (rc == LR_OK) {
            job.obs = job.sq = NULL;
            rc = lr__als_half_sweep(w, &job, &w->su, f->uf, &f->shape_a, f->af, w->G, lambda,
                                    threads);
        }
        s = MPI_Wtime();
        if ((rc = agree(f, rc)) != LR_OK)
            return rc;
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, f->uf, f->ucount, f->udispl,
                       f->row_t, f->comm);
        tx += MPI_Wtime() - s;

        /* artists, given the users */
        s = MPI_Wtime();
        rc = lr__als_gram(f->uf, &f->shape_u, k, w->part, threads, w->GX);
        tg += MPI_Wtime() - s;
        if (rc == LR_OK)
            rc = finite_gram(w->GX, k, "user", ep + 1);
        if (rc == LR_OK) {
            job.obs = w->obs;
            job.sq = w->sq;
            rc = lr__als_half_sweep(w, &job, &w->sa, f->af, &f->shape_u, f->uf, w->GX, lambda,
                                    threads);
        }
        s = MPI_Wtime();
        if ((rc = agree(f, rc)) != LR_OK)
            return rc;
        MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, f->af, f->acount, f->adispl,
                       f->row_t, f->comm);
        tx += MPI_Wtime() - s;
        if (w->sa.diag) { /* X'X in the new basis is diag(w) (to rounding) */
            memset(w->GX, 0, kk * sizeof *w->GX);
            for (int i = 0; i < k; i++)
                w->GX[(size_t)i * (size_t)k + (size_t)i] = w->w[i];
        }
        s = MPI_Wtime();
        rc = lr__als_gram(f->af, &f->shape_a, k, w->part, threads, w->G);
        tg += MPI_Wtime() - s;

        /* the loss as als_fit's: <X'X, Y'Y> from the Gram matrices every
         * process has, the listened pairs' terms summed across processes */
        double all_sq = 0, nx = 0, ny = 0, sums[2] = {0, 0};
        for (size_t i = 0; i < kk; i++)
            all_sq += (double)w->GX[i] * (double)w->G[i];
        for (int i = 0; i < k; i++) {
            nx += w->GX[(size_t)i * (size_t)k + (size_t)i];
            ny += w->G[(size_t)i * (size_t)k + (size_t)i];
        }
        for (int32_t a = a0; a < a1; a++)
            if (f->pa[a + 1] > f->pa[a]) {
                sums[0] += w->obs[a];
                sums[1] += w->sq[a];
            }
        s = MPI_Wtime();
        MPI_Allreduce(MPI_IN_PLACE, sums, 2, MPI_DOUBLE, MPI_SUM, f->comm);
        tx += MPI_Wtime() - s;
        double row[LR__HIST_FIELDS];
        lr__history_row_init(row);
        row[LR_HISTORY_LOSS_OBSERVED - 1] = sums[0];
        row[LR_HISTORY_LOSS_L2 - 1] = (double)lambda * (nx + ny);
        row[LR_HISTORY_LOSS - 1] = sums[0] - sums[1] + all_sq + (double)lambda * (nx + ny);
        if (rc == LR_OK && !isfinite(row[LR_HISTORY_LOSS - 1]))
            rc = lr__fail(LR_E_NUMERIC, "als: the training loss overflowed in sweep %d", ep + 1);
        if (rc == LR_OK)
            rc = lr__history_epoch(m, &ctx, row, (uint64_t)ep + 1, (uint64_t)n_epochs);
        if (rc == LR_OK && fn &&
            fn(f->rank, ep + 1, MPI_Wtime() - t0, tx, tg, received, sent,
               row[LR_HISTORY_LOSS - 1], user_data) != 0)
            rc = lr__fail(LR_E_CANCELLED, "lr_mpi_als_train: stopped by the epoch callback "
                          "after epoch %d", ep + 1);
        if ((rc = agree(f, rc)) != LR_OK)
            return rc;
    }
    return LR_OK;
}

/* ------------------------------------------------------------- rank 0 */

static int same_ids(const int32_t *a, const lm_ids *b, int32_t n)
{
    return (size_t)n == b->n && (n == 0 || memcmp(a, b->v, (size_t)n * sizeof *a) == 0);
}

/* The model file carries the catalogue and the training listens: rank 0
 * loads the data set as `lastrec train` does, checks that it numbers the
 * users and artists as the fit did, and writes. */
static int write_model(fit *f, const char *path)
{
    lr_dataset *ds = NULL, *tr = NULL;
    int rc = lr_dataset_load(&ds, f->data, f->opts);
    if (rc == LR_OK && f->has_train)
        rc = lr_dataset_load_split(&tr, NULL, f->listens, NULL, ds, f->opts);
    const lr_dataset *on = tr ? tr : ds;
    if (rc == LR_OK && (!same_ids(on->user_ids, &f->users, on->n_users) ||
                        !same_ids(on->artist_ids, &f->artists, on->n_artists) ||
                        on->listens.nnz != f->nnz))
        rc = lr__fail(LR_E_INVALID,
                      "%s: the data set reads as %d users, %d artists and %lld listens whole, "
                      "but as %d, %d and %lld streamed (did a file change?)",
                      f->data, on->n_users, on->n_artists, (long long)on->listens.nnz, f->nu,
                      f->na, (long long)f->nnz);
    lr_model *m = f->m;
    if (rc == LR_OK)
        rc = lr__model_take_catalogue(m, on);
    lr_dataset_free(tr);
    lr_dataset_free(ds);
    if (rc == LR_OK) {
        m->k = (int32_t)lr__opt_int(&m->opts, LR_OPT_FACTORS);
        m->user_f = f->uf;
        m->artist_f = f->af;
        f->uf = f->af = NULL;
        rc = lr__model_prepare(m);
    }
    if (rc == LR_OK) {
        m->fitted = 1;
        rc = lr_model_save(m, path);
    }
    return rc;
}

static void fit_free(fit *f)
{
    free(f->dir_listens);
    free(f->dir_artists);
    lr_options_free(f->opts);
    lr_model_free(f->m);
    lm_ids_free(&f->users);
    lm_ids_free(&f->artists);
    lr_dataset_free(f->whole);
    free(f->pu);
    free(f->pa);
    free(f->ub);
    free(f->ab);
    free(f->ucount);
    free(f->udispl);
    free(f->acount);
    free(f->adispl);
    lr__csr_free(&f->lu);
    lr__csr_free(&f->la);
    lr__als_work_free(&f->w);
    free(f->uf);
    free(f->af);
    if (f->row_t != MPI_DATATYPE_NULL)
        MPI_Type_free(&f->row_t);
}

int lr_mpi_als_train(MPI_Comm comm, const char *data, const char *train_path, const char *options,
                     const char *model_path, lr_mpi_epoch_fn fn, void *user_data)
{
    lr_clear_error();
    const double t0 = MPI_Wtime();
    fit f = {.comm = comm, .data = data, .listens = train_path, .has_train = train_path != NULL,
             .row_t = MPI_DATATYPE_NULL};
    MPI_Comm_rank(comm, &f.rank);
    MPI_Comm_size(comm, &f.size);
    int rc = LR_OK;
    if (!data || !model_path)
        rc = lr__fail(LR_E_INVALID, "lr_mpi_als_train: data and model_path are required");
    if (rc == LR_OK)
        rc = lr_options_new(&f.opts);
    if (rc == LR_OK && options)
        rc = lr_options_set_string(f.opts, options);
    if (rc == LR_OK)
        rc = lr_model_new(&f.m, LR_ALGO_ALS, f.opts);
    if (rc == LR_OK)
        f.max_line = (size_t)lr__opt_int(f.opts, LR_OPT_MAX_LINE);
    if ((rc = agree(&f, rc)) == LR_OK)
        rc = agree(&f, read_catalogue(&f));
    if (rc == LR_OK)
        rc = agree(&f, count_listens(&f));
    if (rc == LR_OK)
        rc = agree(&f, ranges(&f));
    if (rc == LR_OK)
        rc = agree(&f, read_shard(&f));
    if (rc == LR_OK)
        rc = agree(&f, prepare(&f));
    if (rc == LR_OK && fn) {
        const int32_t own = f.ucount[f.rank] + f.acount[f.rank];
        rc = fn(f.rank, 0, MPI_Wtime() - t0, 0, 0, 0, 0, NAN, user_data) == 0
                 ? LR_OK
                 : lr__fail(LR_E_CANCELLED, "lr_mpi_als_train: stopped by the epoch callback "
                            "before the first epoch (this process: %d of %d rows)",
                            (int)own, (int)(f.nu + f.na));
        rc = agree(&f, rc);
    }
    if (rc == LR_OK)
        rc = epochs(&f, fn, user_data);
    if (rc == LR_OK) {
        /* what rank 0 no longer needs, before it reads the data set whole */
        lr__csr_free(&f.lu);
        lr__csr_free(&f.la);
        lr__als_work_free(&f.w);
        memset(&f.w, 0, sizeof f.w);
        rc = agree(&f, f.rank == 0 ? write_model(&f, model_path) : LR_OK);
    }
    fit_free(&f);
    return rc;
}

const char *lr_mpi_last_error(void)
{
    return lr_last_error();
}

const char *lr_mpi_lastrec_version(void)
{
    return lr_version_string();
}
