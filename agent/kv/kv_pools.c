/* The three KV pools: static storage, who writes what, applying changes. */
#include <string.h>

#include "agent.h"
#include "kv.h"

static struct gd_kv_meta host_meta[GD_KV_POOL_ENTRIES];
static struct gd_kv_slot host_slots[GD_KV_POOL_ENTRIES];
static struct gd_kv_meta guest_meta[GD_KV_POOL_ENTRIES];
static struct gd_kv_slot guest_slots[GD_KV_POOL_ENTRIES];
static struct gd_kv_meta auto_meta[GD_KV_AUTO_ENTRIES];
static struct gd_kv_slot auto_slots[GD_KV_AUTO_ENTRIES];
static struct gd_kv_undo undo; /* what the change being saved replaced */

void gd_kv_start(struct gd_agent *a)
{
	struct gd_kv *kv = a->kv;

	gd_kv_init(&kv->pools[GD_KV_POOL_HOST], host_meta, host_slots,
		   GD_KV_POOL_ENTRIES);
	gd_kv_init(&kv->pools[GD_KV_POOL_GUEST], guest_meta, guest_slots,
		   GD_KV_POOL_ENTRIES);
	gd_kv_init(&kv->pools[GD_KV_POOL_AUTO], auto_meta, auto_slots,
		   GD_KV_AUTO_ENTRIES);
	kv->dirfd = -1;
	gd_kv_persist_start(a);
	/* the auto pool is filled when first read or watched (svc_kv.c):
	 * every read refreshes it, and start-up is on the boot's path */
}

int gd_kv_pool_writable(int role, int pool, const char **why)
{
	if (pool == GD_KV_POOL_HOST && role == GD_KV_ROLE_HOST)
		return 1;
	if (pool == GD_KV_POOL_GUEST && role == GD_KV_ROLE_GUEST)
		return 1;
	if (pool == GD_KV_POOL_AUTO)
		*why = "the auto pool is filled by guestd and read-only";
	else if (pool == GD_KV_POOL_HOST)
		*why = "the host pool is read-only to guest processes";
	else
		*why = "the guest pool is read-only to the host";
	return 0;
}

static const char *set_error(int status, size_t klen)
{
	switch (status) {
	case GD_S_TOO_BIG:
		return klen > GD_KV_KEY_MAX ? "key over 512 bytes"
					    : "value over 2048 bytes";
	case GD_S_BAD_KEY:
		return "key must be 1..512 bytes of printable UTF-8";
	case GD_S_POOL_FULL:
		return "pool full (1024 entries): delete a key first";
	default:
		return "cannot store the key";
	}
}

int gd_kv_apply_set(struct gd_agent *a, const struct gd_conn *origin, int pool,
		    const char *key, size_t klen, const void *val, size_t vlen,
		    const char **why)
{
	struct gd_kv_table *t = &a->kv->pools[pool];
	struct gd_kv_entry e;
	int st;

	if (gd_kv_get(t, key, klen, &e) == GD_S_OK && e.vlen == vlen &&
	    gd_mem_eq(e.value, val, vlen))
		return GD_S_OK; /* already stored (and saved): no change */
	if (gd_kv_persist_frozen(a, pool, why))
		return GD_S_BUSY;
	st = gd_kv_set(t, key, klen, val, vlen, &undo);
	if (st != GD_S_OK) {
		*why = set_error(st, klen);
		return st;
	}
	if (gd_kv_persist_save(a, pool, why)) {
		gd_kv_undo(t, &undo);
		return GD_S_INTERNAL;
	}
	gd_kv_announce(a, origin, pool, key, klen, GD_KV_CHANGE_SET);
	return GD_S_OK;
}

int gd_kv_apply_del(struct gd_agent *a, const struct gd_conn *origin, int pool,
		    const char *key, size_t klen, const char **why)
{
	struct gd_kv_table *t = &a->kv->pools[pool];

	if (gd_kv_persist_frozen(a, pool, why))
		return GD_S_BUSY;
	if (gd_kv_del(t, key, klen, &undo) != GD_S_OK) {
		*why = "no such key";
		return GD_S_NOT_FOUND;
	}
	if (gd_kv_persist_save(a, pool, why)) {
		gd_kv_undo(t, &undo);
		return GD_S_INTERNAL;
	}
	gd_kv_announce(a, origin, pool, key, klen, GD_KV_CHANGE_DEL);
	return GD_S_OK;
}
