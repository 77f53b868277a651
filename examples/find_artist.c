/* Search artist names the way a person types them: "beyonce" finds
 * "Beyoncé".
 *
 *   cc find_artist.c $(pkg-config --cflags --libs lastrec) -o find_artist
 *   ./find_artist PATH [TEXT]      (TEXT defaults to "the")
 *
 * SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>

#define SHOW 10

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s PATH [TEXT]\n", argv[0]);
        return 2;
    }
    const char *text = argc == 3 ? argv[2] : "the";
    lr_dataset *ds = NULL;
    int rc = lr_dataset_load(&ds, argv[1], NULL);
    if (rc != LR_OK) {
        fprintf(stderr, "%s: %s\n", lr_strerror(rc), lr_last_error());
        return 1;
    }
    int32_t ids[SHOW];
    size_t found = 0;
    rc = lr_dataset_find_artist(ds, text, ids, SHOW, &found);
    if (rc != LR_OK) {
        fprintf(stderr, "%s\n", lr_last_error());
        lr_dataset_free(ds);
        return 1;
    }
    printf("%zu artists match \"%s\"%s\n", found, text, found > SHOW ? "; the best ten:" : "");
    for (size_t i = 0; i < found && i < SHOW; i++) {
        double fans = 0;
        lr_dataset_artist_stat(ds, ids[i], LR_STAT_COUNT, &fans);
        /* The name is borrowed from the dataset: no copy, no free. */
        printf("  %7d  %-40s %6.0f fans\n", (int)ids[i], lr_dataset_artist_name(ds, ids[i]), fans);
    }
    lr_dataset_free(ds);
    return 0;
}
