#include "kvtable.h"

#include <string.h>

#include "proto.h"
#include "utf8.h"

/* Spreads the bits of every byte of x over the high half. */
static uint64_t mix(uint64_t x)
{
	x *= 0x9e3779b97f4a7c15u;
	return x ^ x >> 29;
}

/* Eight bytes a step; only used to skip slots that cannot match. */
static uint32_t key_hash(const char *key, size_t n)
{
	uint64_t h = n, word;

	for (; n >= 8; n -= 8, key += 8) {
		memcpy(&word, key, 8);
		h = mix(h ^ word);
	}
	word = 0;
	while (n--)
		word = word << 8 | (uint8_t)key[n];
	return (uint32_t)(mix(h ^ word) >> 32);
}

void gd_kv_init(struct gd_kv_table *t, struct gd_kv_meta *meta,
		struct gd_kv_slot *slots, uint32_t cap)
{
	t->meta = meta;
	t->slots = slots;
	t->cap = cap;
	gd_kv_clear(t);
}

/*
 * Entry by entry, writing only those not already zero: a fresh table in
 * zeroed memory (guestd's pools are in bss) then touches none of its pages.
 */
void gd_kv_clear(struct gd_kv_table *t)
{
	for (uint32_t i = 0; i < t->cap; i++) {
		struct gd_kv_meta *m = &t->meta[i];

		if (m->hash || m->klen || m->vlen || m->head || m->next)
			*m = (struct gd_kv_meta){ 0 };
	}
	t->count = 0;
}

uint32_t gd_kv_count(const struct gd_kv_table *t)
{
	return t->count;
}

/* Printable: not C0 (U+0000..U+001F), DEL, or C1 (U+0080..U+009F). */
static int printable(uint32_t cp)
{
	return cp >= 0x20 && cp != 0x7f && (cp < 0x80 || cp > 0x9f);
}

#define BYTES_OF(b) (0x0101010101010101u * (b))

/*
 * 1 when all eight bytes at s are printable ASCII (0x20..0x7e): no byte
 * has its top bit set, is below 0x20, or equals 0x7f. The borrow tricks
 * may flag a byte wrongly only after a byte that really is flagged.
 */
static int printable_ascii8(const uint8_t *s)
{
	uint64_t w, below_space, del;

	memcpy(&w, s, 8);
	below_space = (w - BYTES_OF(0x20)) & ~w;
	del = w ^ BYTES_OF(0x7f);
	del = (del - BYTES_OF(0x01)) & ~del;
	return ((w | below_space | del) & BYTES_OF(0x80)) == 0;
}

/* Checks key[off..n) that starts with a byte other than printable ASCII. */
static __attribute__((noinline)) int check_utf8_from(const uint8_t *s,
						     size_t off, size_t n)
{
	while (off < n) {
		uint32_t cp;
		size_t len;

		if (s[off] >= 0x20 && s[off] < 0x7f) { /* printable ASCII */
			off++;
			continue;
		}
		len = gd_utf8_decode(s + off, n - off, &cp);
		if (len == 0 || !printable(cp))
			return GD_S_BAD_KEY;
		off += len;
	}
	return GD_S_OK;
}

/*
 * Keys are mostly ASCII: that case runs eight bytes a step, in a function
 * with nothing on its stack (the UTF-8 decoder's output would bring the
 * stack protector's canary to every key).
 */
int gd_kv_key_check(const char *key, size_t n)
{
	const uint8_t *s = (const uint8_t *)key;
	size_t off = 0;

	if (n > GD_KV_KEY_MAX)
		return GD_S_TOO_BIG;
	if (n == 0)
		return GD_S_BAD_KEY;
	while (n - off >= 8 && printable_ascii8(s + off))
		off += 8;
	while (off < n && s[off] >= 0x20 && s[off] < 0x7f)
		off++;
	return off == n ? GD_S_OK : check_utf8_from(s, off, n);
}

/* The bucket of a hash: its high bits scaled to cap, no division. */
static uint32_t bucket(const struct gd_kv_table *t, uint32_t h)
{
	return (uint32_t)((uint64_t)h * t->cap >> 32);
}

/*
 * Inline in its three callers: a KV_GET's lookup then runs in
 * gd_kv_get's frame (about 20 instructions less a lookup, 176 bytes more).
 */
GD_INLINE int find(const struct gd_kv_table *t, const char *key, size_t n,
		   uint32_t h)
{
	uint32_t at = t->cap ? t->meta[bucket(t, h)].head : 0;

	while (at) {
		const struct gd_kv_meta *m = &t->meta[at - 1];

		if (m->hash == h && m->klen == n &&
		    gd_mem_eq(t->slots[at - 1].key, key, n))
			return (int)(at - 1);
		at = m->next;
	}
	return -1;
}

/* Put used slot i at the front of its bucket's chain. */
static void chain_add(struct gd_kv_table *t, uint32_t i)
{
	struct gd_kv_meta *b = &t->meta[bucket(t, t->meta[i].hash)];

	t->meta[i].next = b->head;
	b->head = (uint16_t)(i + 1);
}

/* Take slot i out of its bucket's chain. */
static void chain_remove(struct gd_kv_table *t, uint32_t i)
{
	uint16_t *to = &t->meta[bucket(t, t->meta[i].hash)].head;

	while (*to && *to != i + 1)
		to = &t->meta[*to - 1].next;
	if (*to)
		*to = t->meta[i].next;
	t->meta[i].next = 0;
}

/* Slot i's entry fields, leaving the chain fields it carries alone. */
static void put_meta(struct gd_kv_table *t, uint32_t i, uint32_t h,
		     size_t klen, size_t vlen)
{
	t->meta[i].hash = h;
	t->meta[i].klen = (uint16_t)klen;
	t->meta[i].vlen = (uint16_t)vlen;
}

static int free_slot(const struct gd_kv_table *t)
{
	for (uint32_t i = 0; i < t->cap; i++)
		if (t->meta[i].klen == 0)
			return (int)i;
	return -1;
}

static void fill(const struct gd_kv_table *t, uint32_t i, struct gd_kv_entry *e)
{
	e->key = t->slots[i].key;
	e->klen = t->meta[i].klen;
	e->value = t->slots[i].value;
	e->vlen = t->meta[i].vlen;
}

static void save(const struct gd_kv_table *t, uint32_t i, struct gd_kv_undo *u)
{
	if (!u)
		return;
	u->idx = i;
	u->meta = t->meta[i];
	if (u->meta.klen) {
		memcpy(u->slot.key, t->slots[i].key, u->meta.klen);
		memcpy(u->slot.value, t->slots[i].value, u->meta.vlen);
	}
}

int gd_kv_get(const struct gd_kv_table *t, const char *key, size_t klen,
	      struct gd_kv_entry *e)
{
	int i;

	if (klen == 0 || klen > GD_KV_KEY_MAX)
		return GD_S_NOT_FOUND;
	i = find(t, key, klen, key_hash(key, klen));
	if (i < 0)
		return GD_S_NOT_FOUND;
	fill(t, (uint32_t)i, e);
	return GD_S_OK;
}

int gd_kv_set(struct gd_kv_table *t, const char *key, size_t klen,
	      const void *value, size_t vlen, struct gd_kv_undo *undo)
{
	uint32_t h;
	int st = gd_kv_key_check(key, klen), i;

	if (st != GD_S_OK)
		return st;
	if (vlen > GD_KV_VALUE_MAX)
		return GD_S_TOO_BIG;
	h = key_hash(key, klen);
	i = find(t, key, klen, h);
	if (i >= 0) {
		save(t, (uint32_t)i, undo);
	} else {
		i = free_slot(t);
		if (i < 0)
			return GD_S_POOL_FULL;
		save(t, (uint32_t)i, undo);
		t->meta[i].hash = h; /* picks the chain */
		chain_add(t, (uint32_t)i);
		t->count++;
	}
	memcpy(t->slots[i].key, key, klen);
	if (vlen)
		memcpy(t->slots[i].value, value, vlen);
	put_meta(t, (uint32_t)i, h, klen, vlen);
	return GD_S_OK;
}

int gd_kv_del(struct gd_kv_table *t, const char *key, size_t klen,
	      struct gd_kv_undo *undo)
{
	int i;

	if (klen == 0 || klen > GD_KV_KEY_MAX)
		return GD_S_NOT_FOUND;
	i = find(t, key, klen, key_hash(key, klen));
	if (i < 0)
		return GD_S_NOT_FOUND;
	save(t, (uint32_t)i, undo);
	chain_remove(t, (uint32_t)i);
	t->meta[i].klen = 0;
	t->count--;
	return GD_S_OK;
}

void gd_kv_undo(struct gd_kv_table *t, const struct gd_kv_undo *u)
{
	uint32_t i = u->idx;
	int was_used, is_used = u->meta.klen != 0;

	if (i >= t->cap)
		return;
	was_used = t->meta[i].klen != 0;
	if (was_used)
		chain_remove(t, i);
	if (is_used) {
		memcpy(t->slots[i].key, u->slot.key, u->meta.klen);
		memcpy(t->slots[i].value, u->slot.value, u->meta.vlen);
	}
	put_meta(t, i, u->meta.hash, u->meta.klen, u->meta.vlen);
	if (is_used)
		chain_add(t, i);
	t->count = t->count - (uint32_t)was_used + (uint32_t)is_used;
}

int gd_kv_next(const struct gd_kv_table *t, uint32_t *cursor,
	       struct gd_kv_entry *e)
{
	for (uint32_t i = *cursor; i < t->cap; i++) {
		if (t->meta[i].klen) {
			fill(t, i, e);
			*cursor = i + 1;
			return 1;
		}
	}
	*cursor = t->cap;
	return 0;
}
