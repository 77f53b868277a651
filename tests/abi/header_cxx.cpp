// The public header as C++11, for C++ callers: extern "C" linkage, no C-only
// constructs.  SPDX-License-Identifier: MIT
#include <lastrec/lastrec.h>

#include <cstdio>
#include <cstring>

int main()
{
    lr_options *opts = nullptr;
    if (lr_options_new(&opts) != LR_OK) {
        std::fprintf(stderr, "lr_options_new: %s\n", lr_last_error());
        return 1;
    }
    lr_options_free(opts);
    // C++ has no implicit int-to-enum conversion: the enums must be usable as
    // plain ints at the API boundary.
    const int key = LR_OPT_MIN_TAG_USES;
    if (lr_option_info(key, nullptr, nullptr, nullptr, nullptr, nullptr) != LR_OK)
        return 1;
    if (LR_VERSION_NUMBER != lr_version_number() ||
        std::strcmp(LR_VERSION_STRING, lr_version_string()) != 0) {
        std::fprintf(stderr, "header %s, library %s\n", LR_VERSION_STRING,
                     lr_version_string());
        return 1;
    }
    std::printf("C++: lastrec %s\n", lr_version_string());
    return 0;
}
