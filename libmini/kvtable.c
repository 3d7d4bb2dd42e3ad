#include "kvtable.h"

#include <string.h>

#include "proto.h"
#include "utf8.h"

/* FNV-1a: cheap, and only used to skip slots that cannot match. */
static uint32_t key_hash(const char *key, size_t n)
{
	uint32_t h = 0x811c9dc5u;

	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)key[i];
		h *= 0x01000193u;
	}
	return h;
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

		if (m->hash || m->klen || m->vlen)
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

int gd_kv_key_check(const char *key, size_t n)
{
	const uint8_t *s = (const uint8_t *)key;
	size_t off = 0;

	if (n > GD_KV_KEY_MAX)
		return GD_S_TOO_BIG;
	if (n == 0)
		return GD_S_BAD_KEY;
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

static int find(const struct gd_kv_table *t, const char *key, size_t n,
		uint32_t h)
{
	for (uint32_t i = 0; i < t->cap; i++) {
		const struct gd_kv_meta *m = &t->meta[i];

		if (m->klen == n && m->hash == h &&
		    gd_mem_eq(t->slots[i].key, key, n))
			return (int)i;
	}
	return -1;
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
	if (i < 0) {
		i = free_slot(t);
		if (i < 0)
			return GD_S_POOL_FULL;
		t->count++;
	}
	save(t, (uint32_t)i, undo);
	memcpy(t->slots[i].key, key, klen);
	if (vlen)
		memcpy(t->slots[i].value, value, vlen);
	t->meta[i] = (struct gd_kv_meta){ .hash = h, .klen = (uint16_t)klen,
					  .vlen = (uint16_t)vlen };
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
	if (is_used) {
		memcpy(t->slots[i].key, u->slot.key, u->meta.klen);
		memcpy(t->slots[i].value, u->slot.value, u->meta.vlen);
	}
	t->meta[i] = u->meta;
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
