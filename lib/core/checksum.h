/* CRC-32C (Castagnoli) over section payloads of binary files.
 * SPDX-License-Identifier: MIT */
#ifndef LR_CORE_CHECKSUM_H
#define LR_CORE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

/* Continue a CRC: start with crc = 0. */
uint32_t lr__crc32c(uint32_t crc, const void *data, size_t len);

#endif
