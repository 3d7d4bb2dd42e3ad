/*
 * Crash-safe persistence of one KV pool in a directory, as two
 * generation files NAME.0 and NAME.1 (kvfile.h format).
 *
 * A save writes NAME.tmp, fsyncs it, renames it over the older of the two
 * generation files and fsyncs the directory; only then does it return 0.
 * The newer file is never touched, so at every instant (kill -9, power
 * loss) at least one complete, checksummed generation exists, and after a
 * successful save the newest one holds exactly the saved table.
 *
 * A load reads the newest file whose checksum and structure are good. A
 * damaged newer file is reported in the message and the older generation
 * is used; the next save overwrites the damaged file.
 *
 * The caller owns the directory fd, the names and the staging buffer
 * (at least GD_KVF_BUF_MIN bytes; larger means fewer write calls).
 */
#ifndef GD_KVSTORE_H
#define GD_KVSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "kvtable.h"

#define GD_KVS_NAME_MAX 32

struct gd_kv_store {
	int dirfd;
	uint8_t pool;
	char name[GD_KVS_NAME_MAX]; /* file name stem, e.g. "kv-host" */
	uint64_t generation;        /* of the newest good file, 0 if none */
	int next;                   /* generation file the next save replaces */
	uint8_t *buf;
	size_t cap;
};

/* Set up s; nothing is read yet. -1 if name is too long. */
int gd_kvs_init(struct gd_kv_store *s, int dirfd, const char *name,
		uint8_t pool, uint8_t *buf, size_t cap);

/*
 * Load the newest good generation into t (cleared first). Returns 0 when
 * all is well (also when no file exists yet), 1 when a damaged or
 * unreadable file was found and skipped: msg[cap] then says which and why,
 * and t holds the newest good generation, or nothing if there is none.
 */
int gd_kvs_load(struct gd_kv_store *s, struct gd_kv_table *t, char *msg,
		size_t cap);

/* Save t durably; 0, or -1 with errno and msg[cap] saying which step failed. */
int gd_kvs_save(struct gd_kv_store *s, const struct gd_kv_table *t, char *msg,
		size_t cap);

#endif
