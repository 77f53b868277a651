/* The public header under strict C99, as users may compile: the test is that this
 * compiles with -std=c99 -pedantic -Werror; running checks that the header
 * and library agree on the version.  SPDX-License-Identifier: MIT */
#include <lastrec/lastrec.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    lr_options *opts = NULL;
    enum lr_status ok = LR_OK;
    if (lr_options_new(&opts) != ok) {
        fprintf(stderr, "lr_options_new: %s\n", lr_last_error());
        return 1;
    }
    lr_options_free(opts);
    if (LR_VERSION_NUMBER != lr_version_number() ||
        strcmp(LR_VERSION_STRING, lr_version_string()) != 0) {
        fprintf(stderr, "header %s (%d), library %s (%u)\n", LR_VERSION_STRING,
                LR_VERSION_NUMBER, lr_version_string(), lr_version_number());
        return 1;
    }
    printf("C99: lastrec %s\n", lr_version_string());
    return 0;
}
