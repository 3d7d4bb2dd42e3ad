/*
 * The on-disk form of one KV pool, written and read through a file
 * descriptor with a caller-owned staging buffer (no allocation).
 *
 *   off size field                      (integers little-endian)
 *   0   4    magic "GDKV"
 *   4   2    format version (GD_KVF_VERSION)
 *   6   1    pool number
 *   7   1    0 (reserved)
 *   8   8    generation (grows by one per save)
 *   16  4    entry count
 *   20  ...  count records: klen u16, vlen u16, key, value
 *   end 4    CRC-32 (crc32.h) of every byte before it
 *
 * A file is good only if the magic, version, pool, every record (keys
 * valid, sizes within the table's limits, no duplicates), the count, the
 * CRC and the exact length all check out.
 */
#ifndef GD_KVFILE_H
#define GD_KVFILE_H

#include <stddef.h>
#include <stdint.h>

#include "kvtable.h"

#define GD_KVF_VERSION 1
#define GD_KVF_HDR_LEN 20
#define GD_KVF_REC_HDR_LEN 4
/* Smallest staging buffer the functions accept: a header plus a record. */
#define GD_KVF_BUF_MIN (GD_KVF_HDR_LEN + GD_KVF_REC_HDR_LEN + \
			GD_KV_KEY_MAX + GD_KV_VALUE_MAX + 4)

struct gd_kvf_info {
	uint8_t pool;
	uint64_t generation;
	uint32_t count;
};

/*
 * Write t as pool/generation to fd (at its current offset). Returns 0,
 * or -1 with errno set (EINVAL if cap < GD_KVF_BUF_MIN).
 */
int gd_kvf_write(int fd, const struct gd_kv_table *t, uint8_t pool,
		 uint64_t generation, uint8_t *buf, size_t cap);

/*
 * Read only the header; 0 with *info filled, -1 when the file is too
 * short or not a GDKV file of this version (*why says which).
 */
int gd_kvf_peek(int fd, struct gd_kvf_info *info, const char **why);

/*
 * Clear t and load the whole file into it, checking everything. Returns
 * 0 with *info filled, or -1 with t cleared and *why set to a short
 * reason ("bad checksum", "truncated", "read error", ...).
 */
int gd_kvf_read(int fd, struct gd_kv_table *t, uint8_t pool,
		struct gd_kvf_info *info, uint8_t *buf, size_t cap,
		const char **why);

#endif
