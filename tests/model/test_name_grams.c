/* Artist names as character n-gram tf-idf vectors (lib/model/name_grams.c).
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "model/name_grams.h"
#include <math.h>
#include <string.h>

static lr__csr grams_of(char *const *names, int32_t n)
{
    lr__strtab t;
    ck_assert_lr_ok(lr__strtab_from_array(&t, names, n));
    lr__csr x;
    ck_assert_lr_ok(lr__name_grams(&x, &t, n));
    lr__strtab_free(&t);
    ck_assert_int_eq(x.rows, n);
    return x;
}

/* Rows have unit length, so their dot product is their cosine. */
static double cosine(const lr__csr *x, int32_t a, int32_t b) { return lr__csr_rows_dot(x, a, b); }

static double norm(const lr__csr *x, int32_t a) { return sqrt(cosine(x, a, a)); }

/* Case does not matter, in any of the scripts lr__cp_lower folds; rows
 * have unit length, indices ascend. */
START_TEST(case_folds_and_rows_are_unit)
{
    char *names[] = {"ABBA", "abba", "Кино", "КИНО", "Ελευθερία", "ελευθερία"};
    lr__csr x = grams_of(names, 6);
    for (int32_t a = 0; a < 6; a += 2)
        ck_assert_double_eq_tol(cosine(&x, a, a + 1), 1.0, 1e-6);
    for (int32_t a = 0; a < 6; a++) {
        ck_assert_double_eq_tol(norm(&x, a), 1.0, 1e-6);
        for (int64_t p = x.ptr[a] + 1; p < x.ptr[a + 1]; p++)
            ck_assert_int_lt(x.idx[p - 1], x.idx[p]);
    }
    lr__csr_free(&x);
}
END_TEST

/* What names share is what they are alike in: a Cyrillic name is nearer
 * another Cyrillic one than a Latin one, a Portuguese spelling nearer
 * another; an n-gram that only one name has is dropped, so a name that
 * shares nothing is the zero vector, as is an empty one. */
START_TEST(shared_script_is_near)
{
    char *names[] = {"Сплин", "Би-2 Сплин", "Coldplay", "Caetano Veloso", "Gal Costa e Caetano",
                     "Qwxz", "", "Radiohead Coldplay"};
    lr__csr x = grams_of(names, 8);
    ck_assert_double_gt(cosine(&x, 0, 1), 0.3);
    ck_assert_double_lt(cosine(&x, 0, 2), 1e-9);
    ck_assert_double_gt(cosine(&x, 3, 4), cosine(&x, 3, 2));
    ck_assert_double_gt(cosine(&x, 2, 7), 0.3);
    ck_assert_int_eq(x.ptr[6] - x.ptr[5], 0); /* "Qwxz" */
    ck_assert_int_eq(x.ptr[7] - x.ptr[6], 0); /* "" */
    lr__csr_free(&x);
}
END_TEST

/* Bytes that are not UTF-8 are read as themselves: no crash, and the
 * same bytes give the same vector. */
START_TEST(invalid_utf8_read_as_bytes)
{
    char *names[] = {"Bj\xf6rk", "Bj\xf6rk", "\xff\xfe", "Bjork"};
    lr__csr x = grams_of(names, 4);
    ck_assert_double_eq_tol(cosine(&x, 0, 1), 1.0, 1e-6);
    ck_assert_double_gt(cosine(&x, 0, 3), 0.0); /* " bj" is shared */
    lr__csr_free(&x);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("name_grams");
    TCase *t = tcase_create("core");
    tcase_add_test(t, case_folds_and_rows_are_unit);
    tcase_add_test(t, shared_script_is_near);
    tcase_add_test(t, invalid_utf8_read_as_bytes);
    suite_add_tcase(s, t);
    return lr_test_run(s);
}
