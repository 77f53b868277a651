/* SPDX-License-Identifier: MIT */
#include "data/split.h"
#include "core/alloc.h"
#include "core/error.h"
#include "core/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int64_t lr__holdout_count(int64_t n, double fraction)
{
    if (n < 2 || !(fraction > 0))
        return 0;
    /* round() is half away from zero, as docs/evaluation.md specifies. */
    double r = round(fraction * (double)n);
    int64_t h = r >= (double)n ? n : (int64_t)r;
    return h < 1 ? 1 : h;
}

/* Mark h of the n entries starting at held[0] by a partial Fisher–Yates
 * over their positions (scratch holds n slots). */
static void hold_some(lr__rng *rng, uint8_t *held, int64_t n, int64_t h, int64_t *scratch)
{
    for (int64_t i = 0; i < n; i++)
        scratch[i] = i;
    for (int64_t i = 0; i < h; i++) {
        int64_t j = i + (int64_t)lr__rng_below(rng, (uint64_t)(n - i));
        int64_t t = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = t;
        held[scratch[i]] = 1;
    }
}

static int mark_per_user(const lr__csr *l, double fraction, uint64_t seed, uint8_t *held)
{
    int64_t longest = 0;
    for (int32_t u = 0; u < l->rows; u++)
        if (l->ptr[u + 1] - l->ptr[u] > longest)
            longest = l->ptr[u + 1] - l->ptr[u];
    int64_t *scratch = lr__malloc((size_t)longest, sizeof *scratch);
    if (!scratch)
        return lr__fail_oom("the split's row scratch");
    lr__rng rng;
    lr__rng_seed(&rng, seed);
    for (int32_t u = 0; u < l->rows; u++) {
        int64_t n = l->ptr[u + 1] - l->ptr[u];
        hold_some(&rng, held + l->ptr[u], n, lr__holdout_count(n, fraction), scratch);
    }
    free(scratch);
    return LR_OK;
}

/* pandas' DataFrame.sample(frac=f) takes round(f * rows) rows. */
static int mark_random_pairs(const lr__csr *l, double fraction, uint64_t seed, uint8_t *held)
{
    int64_t n = l->nnz;
    double r = round(fraction * (double)n);
    int64_t h = r >= (double)n ? n : (int64_t)r;
    int64_t *scratch = lr__malloc((size_t)n, sizeof *scratch);
    if (!scratch)
        return lr__fail_oom("the split's row scratch");
    lr__rng rng;
    lr__rng_seed(&rng, seed);
    hold_some(&rng, held, n, h, scratch);
    free(scratch);
    return LR_OK;
}

/* The rows of l whose mark equals want, in their original order, so each
 * user's row stays sorted. */
static int select_rows(lr__csr *out, const lr__csr *l, const uint8_t *held, uint8_t want)
{
    int64_t nnz = 0;
    for (int64_t i = 0; i < l->nnz; i++)
        nnz += held[i] == want;
    out->rows = l->rows;
    out->cols = l->cols;
    out->nnz = nnz;
    out->ptr = lr__calloc((size_t)l->rows + 1, sizeof *out->ptr);
    out->idx = lr__malloc((size_t)nnz, sizeof *out->idx);
    out->val = lr__malloc((size_t)nnz, sizeof *out->val);
    if (!out->ptr || !out->idx || !out->val) {
        lr__csr_free(out);
        return lr__fail_oom("a split's listens");
    }
    int64_t o = 0;
    for (int32_t u = 0; u < l->rows; u++) {
        for (int64_t i = l->ptr[u]; i < l->ptr[u + 1]; i++)
            if (held[i] == want) {
                out->idx[o] = l->idx[i];
                out->val[o] = l->val[i];
                o++;
            }
        out->ptr[u + 1] = o;
    }
    return LR_OK;
}

/* Whether (u, a) is held out, by one of two rules: the marks of a split
 * being made, or the sides of a split loaded from files. */
typedef struct held_rule {
    const lr__csr *listens; /* marks: the split's source listens ... */
    const uint8_t *marks;   /* ... and their marks, 1 = held out */
    const lr__csr *held;    /* files: the held-out pairs, or NULL ... */
    const lr__csr *all;     /* ... or every pair, train's being the rest */
    const lr__csr *train;
} held_rule;

static int is_held(const held_rule *r, int32_t u, int32_t a)
{
    if (r->marks) {
        const int64_t p = lr__csr_find(r->listens, u, a);
        return p >= 0 && r->marks[p];
    }
    if (r->held && lr__csr_find(r->held, u, a) >= 0)
        return 1;
    return r->all && lr__csr_find(r->all, u, a) >= 0 && lr__csr_find(r->train, u, a) < 0;
}

/* Drop side's tag uses whose pair the rule holds out and count them in its
 * report; its statistics are left for the caller to derive.  Compacted in
 * place: the kept uses stay in (user, artist, tag, time) order, and a
 * pair's uses are adjacent, so each pair is looked up once. */
static void drop_held_tag_uses(lr_dataset *side, const held_rule *r)
{
    lr__tag_use *t = side->tag_uses;
    int64_t o = 0;
    for (int64_t i = 0; i < side->n_tag_uses;) {
        int64_t e = i + 1;
        while (e < side->n_tag_uses && t[e].user == t[i].user && t[e].artist == t[i].artist)
            e++;
        if (!is_held(r, t[i].user, t[i].artist))
            for (int64_t j = i; j < e; j++)
                t[o++] = t[j];
        i = e;
    }
    side->report.tag_uses_held_out += side->n_tag_uses - o;
    side->n_tag_uses = o;
}

/* The training side (want 0) drops the tag uses of held-out pairs before
 * its statistics are derived, once; the test side keeps every tag use: it
 * is the catalogue the held-out listens are scored against, and no model
 * learns from it. */
static int make_side(const lr_dataset *ds, const uint8_t *held, uint8_t want,
                     const char *source, lr_dataset **out)
{
    lr_dataset *side;
    int rc = lr__dataset_copy_catalogue(&side, ds, LR_SOURCE_SPLIT, source);
    if (rc == LR_OK)
        rc = select_rows(&side->listens, &ds->listens, held, want);
    if (rc == LR_OK && want == 0) {
        const held_rule r = {&ds->listens, held, NULL, NULL, NULL};
        drop_held_tag_uses(side, &r);
    }
    if (rc == LR_OK)
        rc = lr__dataset_derive(side);
    if (rc) {
        lr_dataset_free(side);
        return rc;
    }
    *out = side;
    return LR_OK;
}

int lr__split_drop_held_tags(lr_dataset *train, const lr__csr *held, const lr__csr *all)
{
    const held_rule r = {NULL, NULL, held, all, &train->listens};
    drop_held_tag_uses(train, &r);
    return lr__dataset_derive(train);
}

int lr__split(const lr_dataset *ds, int method, double fraction, uint64_t seed,
              lr_dataset **train, lr_dataset **test)
{
    *train = *test = NULL;
    if (method != LR_SPLIT_PER_USER && method != LR_SPLIT_RANDOM_PAIRS)
        return lr__fail(LR_E_INVALID, "split: unknown method %d", method);
    if (!(fraction >= 0 && fraction <= 1))
        return lr__fail(LR_E_INVALID, "split: holdout fraction %g is outside [0, 1]", fraction);
    uint8_t *held = lr__calloc((size_t)ds->listens.nnz, 1);
    if (!held)
        return lr__fail_oom("the split's held-out marks");
    int rc = method == LR_SPLIT_PER_USER
                 ? mark_per_user(&ds->listens, fraction, seed, held)
                 : mark_random_pairs(&ds->listens, fraction, seed, held);
    const char *how = method == LR_SPLIT_PER_USER ? "per-user" : "random-pairs";
    char src[512];
    if (rc == LR_OK) {
        snprintf(src, sizeof src, "%s [train: %s holdout %g, seed %llu]", ds->source, how,
                 fraction, (unsigned long long)seed);
        rc = make_side(ds, held, 0, src, train);
    }
    if (rc == LR_OK) {
        snprintf(src, sizeof src, "%s [test: %s holdout %g, seed %llu]", ds->source, how,
                 fraction, (unsigned long long)seed);
        rc = make_side(ds, held, 1, src, test);
    }
    free(held);
    if (rc) {
        lr_dataset_free(*train);
        lr_dataset_free(*test);
        *train = *test = NULL;
    }
    return rc;
}
