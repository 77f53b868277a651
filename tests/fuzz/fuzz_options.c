/* The input as the text of lr_options_set_string ("key=value,...").  A
 * text that sets options must leave them readable and in range.
 * SPDX-License-Identifier: MIT */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lr_options *o;
    if (lr_options_new(&o) != LR_OK)
        return 0;
    if (lr_options_set_string(o, fuzz_text(data, size)) == LR_OK) {
        for (size_t i = 0;; i++) {
            int key = lr_option_key_at(i);
            if (key <= 0)
                break;
            const char *name;
            int type;
            double min, max, def, v;
            int64_t iv;
            if (lr_option_info(key, &name, &type, &min, &max, &def) != LR_OK)
                __builtin_trap();
            if (type == LR_OPTTYPE_INT) {
                if (lr_options_get_int(o, key, &iv) != LR_OK || (double)iv < min ||
                    (double)iv > max)
                    __builtin_trap();
            } else if (lr_options_get_double(o, key, &v) != LR_OK || !(v >= min && v <= max)) {
                __builtin_trap();
            }
        }
    }
    lr_options_free(o);
    return 0;
}
