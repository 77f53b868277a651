/* lr_dataset_builder_*: argument checks; the work is in lib/data/builder.c.
 * SPDX-License-Identifier: MIT */
#include "lastrec.h"
#include "core/error.h"
#include "data/builder.h"

#include <stddef.h>

/* A builder takes elements until it is finished, or broken by a failed
 * allocation. */
static int usable(const lr_dataset_builder *b, const char *call)
{
    if (!b)
        return lr__fail(LR_E_INVALID, "%s: builder is NULL", call);
    if (b->state == LR__BUILDER_FINISHED)
        return lr__fail(LR_E_INVALID, "%s: the builder is finished (lr_dataset_builder_finish "
                        "ran); only lr_dataset_builder_free remains", call);
    if (b->state == LR__BUILDER_BROKEN)
        return lr__fail(LR_E_INVALID, "%s: the builder ran out of memory in an earlier call; "
                        "only lr_dataset_builder_free remains", call);
    return LR_OK;
}

/* The arrays of a call: NULL only when there is nothing to read. */
static int arrays(const char *call, size_t n, const void *a, const char *an, const void *b,
                  const char *bn, const void *c, const char *cn)
{
    if (n == 0)
        return LR_OK;
    if (!a)
        return lr__fail(LR_E_INVALID, "%s: %s is NULL", call, an);
    if (!b)
        return lr__fail(LR_E_INVALID, "%s: %s is NULL", call, bn);
    if (cn && !c)
        return lr__fail(LR_E_INVALID, "%s: %s is NULL", call, cn);
    return LR_OK;
}

int lr_dataset_builder_new(lr_dataset_builder **out, const lr_options *opts)
{
    if (!out)
        return lr__fail(LR_E_INVALID, "lr_dataset_builder_new: out is NULL");
    return lr__builder_new(out, opts);
}

int lr_dataset_builder_add_listens(lr_dataset_builder *b, const int32_t *users,
                                   const int32_t *artists, const int64_t *counts, size_t n)
{
    static const char call[] = "lr_dataset_builder_add_listens";
    int rc = usable(b, call);
    if (rc == LR_OK)
        rc = arrays(call, n, users, "users", artists, "artists", counts, "counts");
    return rc ? rc : lr__builder_add_listens(b, users, artists, counts, n);
}

int lr_dataset_builder_add_listen(lr_dataset_builder *b, int32_t user, int32_t artist,
                                  int64_t count)
{
    return lr_dataset_builder_add_listens(b, &user, &artist, &count, 1);
}

int lr_dataset_builder_set_artist_name(lr_dataset_builder *b, int32_t artist,
                                       const char *name)
{
    static const char call[] = "lr_dataset_builder_set_artist_name";
    int rc = usable(b, call);
    if (rc == LR_OK && !name)
        rc = lr__fail(LR_E_INVALID, "%s: name is NULL", call);
    return rc ? rc : lr__builder_set_artist_name(b, artist, name);
}

int lr_dataset_builder_set_tag_name(lr_dataset_builder *b, int32_t tag, const char *name)
{
    static const char call[] = "lr_dataset_builder_set_tag_name";
    int rc = usable(b, call);
    if (rc == LR_OK && !name)
        rc = lr__fail(LR_E_INVALID, "%s: name is NULL", call);
    return rc ? rc : lr__builder_set_tag_name(b, tag, name);
}

int lr_dataset_builder_add_tag_uses(lr_dataset_builder *b, const int32_t *users,
                                    const int32_t *artists, const int32_t *tags,
                                    const int64_t *times_ms, size_t n)
{
    static const char call[] = "lr_dataset_builder_add_tag_uses";
    int rc = usable(b, call);
    if (rc == LR_OK)
        rc = arrays(call, n, users, "users", artists, "artists", tags, "tags");
    return rc ? rc : lr__builder_add_tag_uses(b, users, artists, tags, NULL, times_ms, n);
}

int lr_dataset_builder_add_tag_uses_by_name(lr_dataset_builder *b, const int32_t *users,
                                            const int32_t *artists, const char *const *tags,
                                            const int64_t *times_ms, size_t n)
{
    static const char call[] = "lr_dataset_builder_add_tag_uses_by_name";
    int rc = usable(b, call);
    if (rc == LR_OK)
        rc = arrays(call, n, users, "users", artists, "artists", tags, "tags");
    return rc ? rc : lr__builder_add_tag_uses(b, users, artists, NULL, tags, times_ms, n);
}

int lr_dataset_builder_add_friends(lr_dataset_builder *b, const int32_t *users,
                                   const int32_t *friends, size_t n)
{
    static const char call[] = "lr_dataset_builder_add_friends";
    int rc = usable(b, call);
    if (rc == LR_OK)
        rc = arrays(call, n, users, "users", friends, "friends", NULL, NULL);
    return rc ? rc : lr__builder_add_friends(b, users, friends, n);
}

int lr_dataset_builder_finish(lr_dataset_builder *b, lr_dataset **out)
{
    static const char call[] = "lr_dataset_builder_finish";
    if (out)
        *out = NULL;
    int rc = usable(b, call);
    if (rc == LR_OK && !out)
        rc = lr__fail(LR_E_INVALID, "%s: out is NULL", call);
    return rc ? rc : lr__builder_finish(b, out);
}

void lr_dataset_builder_free(lr_dataset_builder *b) { lr__builder_free(b); }
