/*
 * A key-value table in caller-owned storage: fixed-size slots, no
 * allocation, no global state. The limits are Hyper-V KVP's.
 *
 *   static struct gd_kv_meta meta[GD_KV_POOL_ENTRIES];
 *   static struct gd_kv_slot slots[GD_KV_POOL_ENTRIES];
 *   struct gd_kv_table t;
 *   gd_kv_init(&t, meta, slots, GD_KV_POOL_ENTRIES);
 *
 * Keys are 1..GD_KV_KEY_MAX bytes of well-formed, printable UTF-8: no
 * C0 control (which covers NUL and newline), no DEL, no C1 control.
 * Values are 0..GD_KV_VALUE_MAX arbitrary bytes.
 *
 * Lookups follow a hash chain through the small meta array: meta[b].head
 * starts the chain of the entries whose hash picks bucket b, so a lookup,
 * hit or miss, reads a few meta entries whatever the table holds and
 * touches only the slot it finds. An entry keeps its slot until deleted,
 * which makes the slot index a stable cursor for paged listing: an entry
 * present for a whole listing is returned exactly once.
 *
 * Functions that can fail return a GD_S_* status (proto.h).
 */
#ifndef GD_KVTABLE_H
#define GD_KVTABLE_H

#include <stddef.h>
#include <stdint.h>

#define GD_KV_KEY_MAX 512        /* bytes, Hyper-V's key limit */
#define GD_KV_VALUE_MAX 2048     /* bytes, Hyper-V's value limit */
#ifndef GD_KV_POOL_ENTRIES /* -D to build with another size */
#define GD_KV_POOL_ENTRIES 1024  /* entries per pool */
/* A chain link is 1 + a slot index in 16 bits (struct gd_kv_meta). */
_Static_assert(GD_KV_POOL_ENTRIES < 65535, "kv chain links are 16 bits");
#endif

struct gd_kv_meta {
	uint32_t hash;
	uint16_t klen; /* 0: the slot is free */
	uint16_t vlen;
	uint16_t head; /* bucket of this index: 1 + its first slot, 0 empty */
	uint16_t next; /* this slot's chain: 1 + the next slot, 0 last */
};

struct gd_kv_slot {
	char key[GD_KV_KEY_MAX];
	uint8_t value[GD_KV_VALUE_MAX];
};

struct gd_kv_table {
	struct gd_kv_meta *meta;
	struct gd_kv_slot *slots;
	uint32_t cap;
	uint32_t count;
};

/* One entry, pointing into the table: valid until the table changes. */
struct gd_kv_entry {
	const char *key;
	size_t klen;
	const uint8_t *value;
	size_t vlen;
};

/* What a slot held before a set or del, so the change can be undone. */
struct gd_kv_undo {
	uint32_t idx;
	struct gd_kv_meta meta;
	struct gd_kv_slot slot;
};

/* Use meta[cap] and slots[cap] (cap <= 65535), empty. */
void gd_kv_init(struct gd_kv_table *t, struct gd_kv_meta *meta,
		struct gd_kv_slot *slots, uint32_t cap);
void gd_kv_clear(struct gd_kv_table *t);
uint32_t gd_kv_count(const struct gd_kv_table *t);

/* GD_S_OK, GD_S_TOO_BIG (over GD_KV_KEY_MAX) or GD_S_BAD_KEY. */
int gd_kv_key_check(const char *key, size_t n);

/* GD_S_OK with *e filled, or GD_S_NOT_FOUND. */
int gd_kv_get(const struct gd_kv_table *t, const char *key, size_t klen,
	      struct gd_kv_entry *e);
/*
 * Insert or replace. GD_S_OK, GD_S_TOO_BIG, GD_S_BAD_KEY or
 * GD_S_POOL_FULL (the table is unchanged on error). When undo is not
 * NULL it receives the slot's previous state.
 */
int gd_kv_set(struct gd_kv_table *t, const char *key, size_t klen,
	      const void *value, size_t vlen, struct gd_kv_undo *undo);
/* GD_S_OK or GD_S_NOT_FOUND; undo as for gd_kv_set. */
int gd_kv_del(struct gd_kv_table *t, const char *key, size_t klen,
	      struct gd_kv_undo *undo);
/* Put back what a successful gd_kv_set or gd_kv_del changed. */
void gd_kv_undo(struct gd_kv_table *t, const struct gd_kv_undo *undo);

/*
 * Iterate in slot order: *cursor starts at 0. Returns 1 with *e filled
 * and *cursor moved past the entry, or 0 when no entry is left.
 */
int gd_kv_next(const struct gd_kv_table *t, uint32_t *cursor,
	       struct gd_kv_entry *e);

#endif
