/* SPDX-License-Identifier: MIT */
#include "data/sparse.h"
#include "core/alloc.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

void lr__csr_free(lr__csr *m)
{
    if (!m)
        return;
    free(m->ptr);
    free(m->idx);
    free(m->val);
    memset(m, 0, sizeof *m);
}

static int alloc_csr(lr__csr *m, int32_t rows, int32_t cols, int64_t nnz, int with_values)
{
    memset(m, 0, sizeof *m);
    m->rows = rows;
    m->cols = cols;
    m->nnz = nnz;
    m->ptr = lr__calloc((size_t)rows + 1, sizeof *m->ptr);
    m->idx = lr__malloc((size_t)nnz, sizeof *m->idx);
    m->val = with_values ? lr__malloc((size_t)nnz, sizeof *m->val) : NULL;
    if (!m->ptr || !m->idx || (with_values && !m->val)) {
        lr__csr_free(m);
        return lr__fail_oom("a sparse matrix");
    }
    return LR_OK;
}

int lr__csr_from_triplets(lr__csr *m, int32_t rows, int32_t cols,
                          const lr__triplet *t, size_t n, int with_values,
                          size_t *dup_at)
{
    if (rows < 0 || cols < 0 || (int64_t)n < 0)
        return lr__fail(LR_E_INVALID, "sparse matrix: negative size");
    for (size_t i = 0; i < n; i++)
        if (t[i].row < 0 || t[i].row >= rows || t[i].col < 0 || t[i].col >= cols)
            return lr__fail(LR_E_INVALID, "sparse matrix: entry %zu (%d, %d) outside %d x %d",
                            i, t[i].row, t[i].col, rows, cols);
    int rc = alloc_csr(m, rows, cols, (int64_t)n, with_values);
    if (rc)
        return rc;
    /* Two stable counting sorts (by column, then by row) order the entries
     * by (row, column) in O(n + rows + cols) and keep input order among
     * equal pairs, so the later of two duplicates is the one named. */
    size_t *bycol = lr__malloc(n, sizeof *bycol);
    size_t *src = lr__malloc(n, sizeof *src);
    int64_t *cnt = lr__calloc((size_t)(cols > rows ? cols : rows) + 1, sizeof *cnt);
    if (!src || !bycol || !cnt) {
        free(src);
        free(bycol);
        free(cnt);
        lr__csr_free(m);
        return lr__fail_oom("a sparse matrix's transpose");
    }
    for (size_t i = 0; i < n; i++)
        cnt[t[i].col + 1]++;
    for (int32_t c = 0; c < cols; c++)
        cnt[c + 1] += cnt[c];
    for (size_t i = 0; i < n; i++)
        bycol[cnt[t[i].col]++] = i;
    for (size_t i = 0; i < n; i++)
        m->ptr[t[i].row + 1]++;
    for (int32_t r = 0; r < rows; r++)
        m->ptr[r + 1] += m->ptr[r];
    memcpy(cnt, m->ptr, (size_t)rows * sizeof *cnt);
    for (size_t k = 0; k < n; k++) {
        size_t i = bycol[k];
        src[cnt[t[i].row]++] = i;
    }
    free(bycol);
    free(cnt);
    for (int32_t r = 0; r < rows; r++) {
        int64_t b = m->ptr[r], e = m->ptr[r + 1];
        for (int64_t i = b; i < e; i++) {
            const lr__triplet *x = &t[src[i]];
            if (i > b && m->idx[i - 1] == x->col) {
                if (dup_at)
                    *dup_at = src[i];
                rc = lr__fail(LR_E_DUPLICATE, "sparse matrix: entry (%d, %d) given twice",
                              x->row, x->col);
                free(src);
                lr__csr_free(m);
                return rc;
            }
            m->idx[i] = x->col;
            if (m->val)
                m->val[i] = x->val;
        }
    }
    free(src);
    return LR_OK;
}

int lr__csr_transpose(lr__csr *out, const lr__csr *m)
{
    int rc = alloc_csr(out, m->cols, m->rows, m->nnz, m->val != NULL);
    if (rc)
        return rc;
    for (int64_t i = 0; i < m->nnz; i++)
        out->ptr[m->idx[i] + 1]++;
    for (int32_t c = 0; c < m->cols; c++)
        out->ptr[c + 1] += out->ptr[c];
    int64_t *next = lr__malloc((size_t)m->cols + 1, sizeof *next);
    if (!next) {
        lr__csr_free(out);
        return lr__fail_oom("a sparse matrix's column pointers");
    }
    memcpy(next, out->ptr, ((size_t)m->cols + 1) * sizeof *next);
    /* Rows are visited in order, so each output row comes out sorted. */
    for (int32_t r = 0; r < m->rows; r++)
        for (int64_t i = m->ptr[r]; i < m->ptr[r + 1]; i++) {
            int64_t o = next[m->idx[i]]++;
            out->idx[o] = r;
            if (out->val)
                out->val[o] = m->val[i];
        }
    free(next);
    return LR_OK;
}

int lr__csr_copy(lr__csr *out, const lr__csr *m)
{
    int rc = alloc_csr(out, m->rows, m->cols, m->nnz, m->val != NULL);
    if (rc)
        return rc;
    memcpy(out->ptr, m->ptr, ((size_t)m->rows + 1) * sizeof *m->ptr);
    memcpy(out->idx, m->idx, (size_t)m->nnz * sizeof *m->idx);
    if (m->val)
        memcpy(out->val, m->val, (size_t)m->nnz * sizeof *m->val);
    return LR_OK;
}

int64_t lr__csr_find(const lr__csr *m, int32_t r, int32_t c)
{
    int64_t lo = m->ptr[r], hi = m->ptr[r + 1];
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (m->idx[mid] < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < m->ptr[r + 1] && m->idx[lo] == c) ? lo : -1;
}

int lr__csr_valid(const lr__csr *m)
{
    if (m->rows < 0 || m->cols < 0 || m->nnz < 0 || !m->ptr)
        return 0;
    if (m->ptr[0] != 0 || m->ptr[m->rows] != m->nnz)
        return 0;
    for (int32_t r = 0; r < m->rows; r++) {
        int64_t b = m->ptr[r], e = m->ptr[r + 1];
        if (e < b || e > m->nnz)
            return 0;
        for (int64_t i = b; i < e; i++) {
            if (m->idx[i] < 0 || m->idx[i] >= m->cols)
                return 0;
            if (i > b && m->idx[i] <= m->idx[i - 1])
                return 0;
        }
    }
    return 1;
}

int lr__csr_count_pairs(lr__csr *m, int32_t rows, int32_t cols,
                        const int32_t *r, const int32_t *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (r[i] < 0 || r[i] >= rows || c[i] < 0 || c[i] >= cols)
            return lr__fail(LR_E_INVALID, "sparse matrix: pair %zu (%d, %d) outside %d x %d",
                            i, r[i], c[i], rows, cols);
    /* Bucket columns by row, then count each row's columns with a dense
     * marker array that is reset per row: O(n + rows + cols). */
    int64_t *start = lr__calloc((size_t)rows + 1, sizeof *start);
    int32_t *bucket = lr__malloc(n, sizeof *bucket);
    int64_t *pos = lr__malloc((size_t)cols, sizeof *pos);
    int32_t *uniq = lr__malloc(n, sizeof *uniq);
    float *cnt = lr__malloc(n, sizeof *cnt);
    int rc = LR_OK;
    memset(m, 0, sizeof *m);
    if (!start || !bucket || !pos || !uniq || !cnt) {
        rc = lr__fail_oom("the listens' buckets");
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        start[r[i] + 1]++;
    for (int32_t k = 0; k < rows; k++)
        start[k + 1] += start[k];
    {
        int64_t *fill = lr__malloc((size_t)rows + 1, sizeof *fill);
        if (!fill) {
            rc = lr__fail_oom("the listens' row pointers");
            goto done;
        }
        memcpy(fill, start, ((size_t)rows + 1) * sizeof *fill);
        for (size_t i = 0; i < n; i++)
            bucket[fill[r[i]]++] = c[i];
        free(fill);
    }
    for (int32_t k = 0; k < cols; k++)
        pos[k] = -1;
    rc = alloc_csr(m, rows, cols, 0, 1);
    if (rc)
        goto done;
    int64_t nnz = 0;
    for (int32_t row = 0; row < rows; row++) {
        int64_t first = nnz;
        for (int64_t i = start[row]; i < start[row + 1]; i++) {
            int32_t col = bucket[i];
            if (pos[col] < first) { /* not seen in this row */
                pos[col] = nnz;
                uniq[nnz] = col;
                cnt[nnz] = 0;
                nnz++;
            }
            cnt[pos[col]] += 1.0f;
        }
        /* sort this row's distinct columns, carrying counts */
        for (int64_t i = first + 1; i < nnz; i++) {
            int32_t cc = uniq[i];
            float vv = cnt[i];
            int64_t j = i - 1;
            while (j >= first && uniq[j] > cc) {
                uniq[j + 1] = uniq[j];
                cnt[j + 1] = cnt[j];
                j--;
            }
            uniq[j + 1] = cc;
            cnt[j + 1] = vv;
        }
        m->ptr[row + 1] = nnz;
    }
    free(m->idx);
    free(m->val);
    m->nnz = nnz;
    m->idx = lr__malloc((size_t)nnz, sizeof *m->idx);
    m->val = lr__malloc((size_t)nnz, sizeof *m->val);
    if (!m->idx || !m->val) {
        lr__csr_free(m);
        rc = lr__fail_oom("the merged listens");
        goto done;
    }
    memcpy(m->idx, uniq, (size_t)nnz * sizeof *uniq);
    memcpy(m->val, cnt, (size_t)nnz * sizeof *cnt);
done:
    free(start);
    free(bucket);
    free(pos);
    free(uniq);
    free(cnt);
    return rc;
}

double lr__csr_rows_dot(const lr__csr *m, int32_t a, int32_t b)
{
    double d = 0.0;
    for (int64_t p = m->ptr[a], q = m->ptr[b]; p < m->ptr[a + 1] && q < m->ptr[b + 1];) {
        if (m->idx[p] == m->idx[q])
            d += (double)m->val[p++] * m->val[q++];
        else if (m->idx[p] < m->idx[q])
            p++;
        else
            q++;
    }
    return d;
}
