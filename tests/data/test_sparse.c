/* The sparse unit: CSR construction, counting, transpose, access, checks.
 * SPDX-License-Identifier: MIT */
#include "testutil.h"
#include "lastrec.h"
#include "data/sparse.h"

/* The 3 x 4 matrix
 *   [ .  5  .  7 ]
 *   [ .  .  .  . ]
 *   [ 2  .  9  . ]
 * given out of order. */
static const lr__triplet shuffled[] = {
    {2, 2, 9}, {0, 3, 7}, {2, 0, 2}, {0, 1, 5},
};

static void build(lr__csr *m)
{
    ck_assert_lr_ok(lr__csr_from_triplets(m, 3, 4, shuffled, 4, 1, NULL));
}

START_TEST(from_triplets_sorts_rows)
{
    lr__csr m;
    build(&m);
    ck_assert_int_eq(m.rows, 3);
    ck_assert_int_eq(m.cols, 4);
    ck_assert_int_eq(m.nnz, 4);
    const int64_t ptr[] = {0, 2, 2, 4};
    const int32_t idx[] = {1, 3, 0, 2};
    const float val[] = {5, 7, 2, 9};
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(m.ptr[i], ptr[i]);
    for (int i = 0; i < 4; i++) {
        ck_assert_int_eq(m.idx[i], idx[i]);
        ck_assert_float_eq(m.val[i], val[i]);
    }
    ck_assert(lr__csr_valid(&m));
    lr__csr_free(&m);
}
END_TEST

START_TEST(from_triplets_pattern_only)
{
    lr__csr m;
    ck_assert_lr_ok(lr__csr_from_triplets(&m, 3, 4, shuffled, 4, 0, NULL));
    ck_assert_ptr_null(m.val);
    const int32_t *idx;
    static const float sentinel = 1;
    const float *val = &sentinel; /* must be overwritten with NULL */
    ck_assert_int_eq(lr__csr_row(&m, 2, &idx, &val), 2);
    ck_assert_ptr_null(val);
    ck_assert_int_eq(idx[0], 0);
    ck_assert_int_eq(idx[1], 2);
    lr__csr_free(&m);
}
END_TEST

START_TEST(duplicate_names_the_later_entry)
{
    const lr__triplet t[] = {{1, 1, 1}, {0, 2, 1}, {1, 0, 1}, {0, 2, 3}, {1, 1, 4}};
    lr__csr m;
    size_t at = 99;
    ck_assert_lr_fail(lr__csr_from_triplets(&m, 2, 3, t, 5, 1, &at), LR_E_DUPLICATE, "(0, 2)");
    ck_assert_uint_eq(at, 3); /* (0, 2) repeats first in row order, at index 3 */
    ck_assert_ptr_null(m.ptr);

    const lr__triplet u[] = {{1, 1, 1}, {0, 0, 1}, {1, 1, 4}};
    ck_assert_lr_fail(lr__csr_from_triplets(&m, 2, 3, u, 3, 1, &at), LR_E_DUPLICATE, "(1, 1)");
    ck_assert_uint_eq(at, 2);
    /* dup_at may be NULL */
    ck_assert_lr_fail(lr__csr_from_triplets(&m, 2, 3, u, 3, 1, NULL), LR_E_DUPLICATE, "twice");
}
END_TEST

START_TEST(out_of_range_rejected)
{
    lr__csr m;
    const lr__triplet bad_col[] = {{0, 0, 1}, {1, 4, 1}};
    ck_assert_lr_fail(lr__csr_from_triplets(&m, 2, 4, bad_col, 2, 1, NULL), LR_E_INVALID,
                      "entry 1 (1, 4)");
    const lr__triplet bad_row[] = {{2, 0, 1}};
    ck_assert_lr_fail(lr__csr_from_triplets(&m, 2, 4, bad_row, 1, 1, NULL), LR_E_INVALID,
                      "outside 2 x 4");
    const lr__triplet negative[] = {{0, -1, 1}};
    ck_assert_lr_fail(lr__csr_from_triplets(&m, 2, 4, negative, 1, 1, NULL), LR_E_INVALID,
                      "outside");
    ck_assert_lr_fail(lr__csr_from_triplets(&m, -1, 4, NULL, 0, 1, NULL), LR_E_INVALID,
                      "negative size");
}
END_TEST

START_TEST(empty_matrices)
{
    lr__csr m, t;
    ck_assert_lr_ok(lr__csr_from_triplets(&m, 0, 0, NULL, 0, 1, NULL));
    ck_assert_int_eq(m.nnz, 0);
    ck_assert(lr__csr_valid(&m));
    ck_assert_lr_ok(lr__csr_transpose(&t, &m));
    ck_assert(lr__csr_valid(&t));
    lr__csr_free(&t);
    lr__csr_free(&m);

    /* rows but no entries: every row is empty and found nothing */
    ck_assert_lr_ok(lr__csr_from_triplets(&m, 5, 3, NULL, 0, 1, NULL));
    const int32_t *idx;
    for (int32_t r = 0; r < 5; r++) {
        ck_assert_int_eq(lr__csr_row(&m, r, &idx, NULL), 0);
        ck_assert_int_eq(lr__csr_find(&m, r, 0), -1);
    }
    ck_assert_lr_ok(lr__csr_transpose(&t, &m));
    ck_assert_int_eq(t.rows, 3);
    ck_assert_int_eq(t.cols, 5);
    ck_assert(lr__csr_valid(&t));
    lr__csr_free(&t);
    lr__csr_free(&m);

    ck_assert_lr_ok(lr__csr_count_pairs(&m, 4, 4, NULL, NULL, 0));
    ck_assert_int_eq(m.nnz, 0);
    ck_assert(lr__csr_valid(&m));
    lr__csr_free(&m);
}
END_TEST

START_TEST(count_pairs_counts)
{
    const int32_t r[] = {2, 0, 2, 0, 2, 1, 0};
    const int32_t c[] = {1, 3, 1, 0, 0, 2, 3};
    lr__csr m;
    ck_assert_lr_ok(lr__csr_count_pairs(&m, 3, 4, r, c, 7));
    ck_assert(lr__csr_valid(&m));
    ck_assert_int_eq(m.nnz, 5);
    /* row 0: (0)x1 (3)x2; row 1: (2)x1; row 2: (0)x1 (1)x2 */
    const int32_t idx[] = {0, 3, 2, 0, 1};
    const float val[] = {1, 2, 1, 1, 2};
    for (int i = 0; i < 5; i++) {
        ck_assert_int_eq(m.idx[i], idx[i]);
        ck_assert_float_eq(m.val[i], val[i]);
    }
    lr__csr_free(&m);

    const int32_t bad[] = {3};
    ck_assert_lr_fail(lr__csr_count_pairs(&m, 3, 4, bad, c, 1), LR_E_INVALID, "pair 0 (3, 1)");
}
END_TEST

START_TEST(transpose_twice_is_identity)
{
    lr__csr m, t, tt;
    build(&m);
    ck_assert_lr_ok(lr__csr_transpose(&t, &m));
    ck_assert(lr__csr_valid(&t));
    ck_assert_int_eq(t.rows, 4);
    ck_assert_int_eq(t.cols, 3);
    /* column 0 of m holds row 2 with value 2 */
    const int32_t *idx;
    const float *val;
    ck_assert_int_eq(lr__csr_row(&t, 0, &idx, &val), 1);
    ck_assert_int_eq(idx[0], 2);
    ck_assert_float_eq(val[0], 2);
    ck_assert_int_eq(lr__csr_row(&t, 3, &idx, &val), 1);
    ck_assert_int_eq(idx[0], 0);
    ck_assert_float_eq(val[0], 7);

    ck_assert_lr_ok(lr__csr_transpose(&tt, &t));
    ck_assert_int_eq(tt.rows, m.rows);
    ck_assert_int_eq(tt.cols, m.cols);
    ck_assert_int_eq(tt.nnz, m.nnz);
    ck_assert_mem_eq(tt.ptr, m.ptr, ((size_t)m.rows + 1) * sizeof *m.ptr);
    ck_assert_mem_eq(tt.idx, m.idx, (size_t)m.nnz * sizeof *m.idx);
    ck_assert_mem_eq(tt.val, m.val, (size_t)m.nnz * sizeof *m.val);
    lr__csr_free(&tt);
    lr__csr_free(&t);
    lr__csr_free(&m);
}
END_TEST

START_TEST(copy_is_deep)
{
    lr__csr m, c;
    build(&m);
    ck_assert_lr_ok(lr__csr_copy(&c, &m));
    m.val[0] = 100;
    ck_assert_float_eq(c.val[0], 5);
    ck_assert_ptr_ne(c.idx, m.idx);
    lr__csr_free(&m);
    ck_assert(lr__csr_valid(&c));
    lr__csr_free(&c);
}
END_TEST

START_TEST(row_access_and_find)
{
    lr__csr m;
    build(&m);
    const int32_t *idx;
    const float *val;
    ck_assert_int_eq(lr__csr_row(&m, 0, &idx, &val), 2);
    ck_assert_int_eq(idx[1], 3);
    ck_assert_float_eq(val[1], 7);
    ck_assert_int_eq(lr__csr_row(&m, 1, &idx, &val), 0);
    ck_assert_int_eq(lr__csr_find(&m, 0, 3), 1);
    ck_assert_int_eq(lr__csr_find(&m, 2, 2), 3);
    ck_assert_int_eq(lr__csr_find(&m, 2, 1), -1);
    ck_assert_int_eq(lr__csr_find(&m, 1, 0), -1);
    ck_assert_int_eq(lr__csr_find(&m, 0, 0), -1);
    lr__csr_free(&m);
}
END_TEST

START_TEST(rows_dot_over_shared_columns)
{
    static const lr__triplet t[] = {{0, 1, 2}, {0, 3, 3}, {1, 0, 1}, {1, 3, 4}};
    lr__csr m;
    ck_assert_lr_ok(lr__csr_from_triplets(&m, 3, 4, t, 4, 1, NULL));
    ck_assert_double_eq(lr__csr_rows_dot(&m, 0, 1), 12); /* column 3 alone */
    ck_assert_double_eq(lr__csr_rows_dot(&m, 1, 0), 12);
    ck_assert_double_eq(lr__csr_rows_dot(&m, 0, 0), 13);
    ck_assert_double_eq(lr__csr_rows_dot(&m, 0, 2), 0); /* an empty row */
    lr__csr_free(&m);
}
END_TEST

START_TEST(valid_rejects_broken_structures)
{
    lr__csr m;
    build(&m);
    ck_assert(lr__csr_valid(&m));

    m.idx[1] = 1; /* not strictly ascending: 1, 1 */
    ck_assert(!lr__csr_valid(&m));
    m.idx[1] = 0; /* descending */
    ck_assert(!lr__csr_valid(&m));
    m.idx[1] = 4; /* out of range */
    ck_assert(!lr__csr_valid(&m));
    m.idx[1] = -1;
    ck_assert(!lr__csr_valid(&m));
    m.idx[1] = 3;
    ck_assert(lr__csr_valid(&m));

    m.ptr[0] = 1; /* must start at 0 */
    ck_assert(!lr__csr_valid(&m));
    m.ptr[0] = 0;
    m.ptr[3] = 3; /* must end at nnz */
    ck_assert(!lr__csr_valid(&m));
    m.ptr[3] = 4;
    m.ptr[2] = 1; /* decreasing */
    ck_assert(!lr__csr_valid(&m));
    m.ptr[2] = 2;
    m.ptr[1] = 9; /* past nnz */
    ck_assert(!lr__csr_valid(&m));
    m.ptr[1] = 2;
    ck_assert(lr__csr_valid(&m));

    m.nnz = -1;
    ck_assert(!lr__csr_valid(&m));
    m.nnz = 4;
    m.rows = -1;
    ck_assert(!lr__csr_valid(&m));
    m.rows = 3;
    int64_t *ptr = m.ptr;
    m.ptr = NULL;
    ck_assert(!lr__csr_valid(&m));
    m.ptr = ptr;
    lr__csr_free(&m);
}
END_TEST

START_TEST(free_is_null_safe_and_idempotent)
{
    lr__csr m;
    build(&m);
    lr__csr_free(&m);
    ck_assert_ptr_null(m.ptr);
    lr__csr_free(&m);
    lr__csr_free(NULL);
}
END_TEST

/* A larger random matrix: construction from shuffled triplets agrees with
 * a dense reference, and the transpose agrees with it column-wise. */
START_TEST(random_matrix_matches_dense)
{
    enum { R = 37, C = 53 };
    static float dense[R][C];
    lr__triplet t[R * C];
    size_t n = 0;
    unsigned x = 12345;
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            x = x * 1103515245u + 12345u;
            dense[r][c] = ((x >> 16) % 5 == 0) ? (float)(1 + (x >> 20) % 100) : 0;
            if (dense[r][c] != 0)
                t[n++] = (lr__triplet){r, c, dense[r][c]};
        }
    for (size_t i = n; i > 1; i--) { /* reverse-ish shuffle */
        x = x * 1103515245u + 12345u;
        size_t j = (x >> 8) % i;
        lr__triplet tmp = t[i - 1];
        t[i - 1] = t[j];
        t[j] = tmp;
    }
    lr__csr m, tr;
    ck_assert_lr_ok(lr__csr_from_triplets(&m, R, C, t, n, 1, NULL));
    ck_assert_lr_ok(lr__csr_transpose(&tr, &m));
    ck_assert_int_eq(m.nnz, (int64_t)n);
    for (int r = 0; r < R; r++)
        for (int c = 0; c < C; c++) {
            int64_t p = lr__csr_find(&m, r, c), q = lr__csr_find(&tr, c, r);
            ck_assert_int_eq(p >= 0, dense[r][c] != 0);
            ck_assert_int_eq(q >= 0, dense[r][c] != 0);
            if (p >= 0) {
                ck_assert_float_eq(m.val[p], dense[r][c]);
                ck_assert_float_eq(tr.val[q], dense[r][c]);
            }
        }
    lr__csr_free(&tr);
    lr__csr_free(&m);
}
END_TEST

static Suite *sparse_suite(void)
{
    Suite *s = suite_create("sparse");
    TCase *tc = tcase_create("csr");
    tcase_add_test(tc, from_triplets_sorts_rows);
    tcase_add_test(tc, from_triplets_pattern_only);
    tcase_add_test(tc, duplicate_names_the_later_entry);
    tcase_add_test(tc, out_of_range_rejected);
    tcase_add_test(tc, empty_matrices);
    tcase_add_test(tc, count_pairs_counts);
    tcase_add_test(tc, transpose_twice_is_identity);
    tcase_add_test(tc, copy_is_deep);
    tcase_add_test(tc, row_access_and_find);
    tcase_add_test(tc, rows_dot_over_shared_columns);
    tcase_add_test(tc, valid_rejects_broken_structures);
    tcase_add_test(tc, free_is_null_safe_and_idempotent);
    tcase_add_test(tc, random_matrix_matches_dense);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(sparse_suite()); }
