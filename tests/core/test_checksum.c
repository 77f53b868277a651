/* Checksum suite: CRC-32C against published vectors and a bitwise
 * reference, one-shot and incremental.  SPDX-License-Identifier: MIT */
#include "testutil.h"

#include "core/checksum.h"
#include "core/rng.h"

/* The definition, one bit at a time (reflected polynomial 0x82F63B78). */
static uint32_t reference(const uint8_t *p, size_t n)
{
    uint32_t c = 0xffffffffu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
    }
    return ~c;
}

START_TEST(known_vectors)
{
    ck_assert_uint_eq(lr__crc32c(0, "123456789", 9), 0xe3069283u);
    ck_assert_uint_eq(lr__crc32c(0, "", 0), 0);
    ck_assert_uint_eq(lr__crc32c(0, NULL, 0), 0);
    /* RFC 3720 (iSCSI) B.4: 32 bytes of zeros, of 0xFF, ascending. */
    uint8_t buf[32];
    memset(buf, 0, sizeof buf);
    ck_assert_uint_eq(lr__crc32c(0, buf, 32), 0x8a9136aau);
    memset(buf, 0xff, sizeof buf);
    ck_assert_uint_eq(lr__crc32c(0, buf, 32), 0x62a8ab43u);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)i;
    ck_assert_uint_eq(lr__crc32c(0, buf, 32), 0x46dd794eu);
    for (int i = 0; i < 32; i++)
        buf[i] = (uint8_t)(31 - i);
    ck_assert_uint_eq(lr__crc32c(0, buf, 32), 0x113fdb5cu);
}
END_TEST

START_TEST(matches_reference)
{
    /* Every length to 300 and every start offset to 8, so both the
     * 8-byte loop and the tail run on aligned and unaligned data. */
    static uint8_t data[320];
    lr__rng r;
    lr__rng_seed(&r, 1);
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)lr__rng_next(&r);
    for (size_t off = 0; off < 8; off++)
        for (size_t n = 0; n <= 300; n++)
            ck_assert_msg(lr__crc32c(0, data + off, n) == reference(data + off, n),
                          "offset %zu length %zu", off, n);
}
END_TEST

START_TEST(incremental_equals_one_shot)
{
    static uint8_t data[1000];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 131 + 7);
    uint32_t whole = lr__crc32c(0, data, sizeof data);
    for (size_t cut = 0; cut <= sizeof data; cut++) {
        uint32_t c = lr__crc32c(0, data, cut);
        ck_assert_uint_eq(lr__crc32c(c, data + cut, sizeof data - cut), whole);
    }
    /* Byte by byte, too. */
    uint32_t c = 0;
    for (size_t i = 0; i < sizeof data; i++)
        c = lr__crc32c(c, data + i, 1);
    ck_assert_uint_eq(c, whole);
    ck_assert_uint_eq(lr__crc32c(whole, data, 0), whole);
}
END_TEST

START_TEST(detects_single_bit_flips)
{
    static uint8_t data[64];
    memset(data, 0x5a, sizeof data);
    uint32_t good = lr__crc32c(0, data, sizeof data);
    for (size_t i = 0; i < sizeof data; i++)
        for (int b = 0; b < 8; b++) {
            data[i] ^= (uint8_t)(1u << b);
            ck_assert_uint_ne(lr__crc32c(0, data, sizeof data), good);
            data[i] ^= (uint8_t)(1u << b);
        }
}
END_TEST

static Suite *checksum_suite(void)
{
    Suite *s = suite_create("checksum");
    TCase *tc = tcase_create("crc32c");
    tcase_add_test(tc, known_vectors);
    tcase_add_test(tc, matches_reference);
    tcase_add_test(tc, incremental_equals_one_shot);
    tcase_add_test(tc, detects_single_bit_flips);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return lr_test_run(checksum_suite()); }
