/*
 * CRC-32 (IEEE 802.3, reflected poly 0xedb88320, init and xorout
 * 0xffffffff): the checksum zlib, gzip and Python's zlib.crc32 compute,
 * so files written with it can be checked by other tools.
 *
 * Incremental: crc = gd_crc32_update(0, a, n); crc = gd_crc32_update(crc,
 * b, m); gives the CRC of a followed by b. gd_crc32_update(0, "", 0) = 0.
 */
#ifndef GD_CRC32_H
#define GD_CRC32_H

#include <stddef.h>
#include <stdint.h>

uint32_t gd_crc32_update(uint32_t crc, const void *p, size_t n);

#endif
