/* Load a data set and print its size and its five most played artists.
 *
 *   cc dataset_info.c $(pkg-config --cflags --libs lastrec) -o dataset_info
 *   ./dataset_info PATH      (a HetRec directory, listens file or snapshot)
 *
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>
#include <stdlib.h>

#define TOP 5

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PATH\n", argv[0]);
        return 2;
    }
    lr_dataset *ds = NULL;
    int rc = lr_dataset_load(&ds, argv[1], NULL);
    if (rc != LR_OK) {
        fprintf(stderr, "%s: %s\n", lr_strerror(rc), lr_last_error());
        return 1;
    }
    printf("%lld users, %lld artists, %lld listens, %lld tags\n",
           (long long)lr_dataset_count(ds, LR_COUNT_USERS),
           (long long)lr_dataset_count(ds, LR_COUNT_ARTISTS),
           (long long)lr_dataset_count(ds, LR_COUNT_LISTENS),
           (long long)lr_dataset_count(ds, LR_COUNT_TAGS));

    /* Ask for the size first, then fill a buffer we own (the M4 pattern). */
    size_t n = 0;
    lr_dataset_ids(ds, LR_IDS_ARTISTS, NULL, 0, &n);
    int32_t *ids = malloc((n ? n : 1) * sizeof *ids);
    if (!ids || lr_dataset_ids(ds, LR_IDS_ARTISTS, ids, n, &n) != LR_OK) {
        fprintf(stderr, "cannot list artists: %s\n", lr_last_error());
        free(ids);
        lr_dataset_free(ds);
        return 1;
    }

    /* A partial selection of the TOP largest totals, kept sorted. */
    int32_t best[TOP];
    double best_total[TOP];
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        double total = 0;
        lr_dataset_artist_stat(ds, ids[i], LR_STAT_TOTAL_LISTENS, &total);
        if (kept == TOP && total <= best_total[TOP - 1])
            continue;
        size_t j = kept < TOP ? kept++ : TOP - 1;
        for (; j > 0 && best_total[j - 1] < total; j--) {
            best[j] = best[j - 1];
            best_total[j] = best_total[j - 1];
        }
        best[j] = ids[i];
        best_total[j] = total;
    }
    for (size_t i = 0; i < kept; i++) {
        double fans = 0, top_tag = -1;
        lr_dataset_artist_stat(ds, best[i], LR_STAT_COUNT, &fans);
        lr_dataset_artist_stat(ds, best[i], LR_STAT_TOP_TAG, &top_tag);
        const char *tag = top_tag >= 0 ? lr_dataset_tag_name(ds, (int32_t)top_tag) : NULL;
        printf("%zu. %s: %.0f listens by %.0f fans, top tag %s\n", i + 1,
               lr_dataset_artist_name(ds, best[i]), best_total[i], fans,
               tag ? tag : "(none)");
    }
    free(ids);
    lr_dataset_free(ds);
    return 0;
}
