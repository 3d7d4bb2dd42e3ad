/* KV_GET, KV_SET, KV_DEL, KV_LIST, KV_WATCH and KV facts for INFO. */
#include "kv.h"
#include "native.h"

/* Space a LIST answer keeps for its closing CURSOR TLV. */
#define LIST_TAIL (GD_TLV_HDR_LEN + 4)

/*
 * The request TLVs a KV op reads (POOL .. KEYS_ONLY), each its first
 * occurrence, taken in one walk of the payload: a gd_tlv_find per field
 * walked it once per field (about 150 of a pipelined KV_SET's 1,340
 * instructions).
 */
#define FIELD_FIRST GD_T_KV_POOL
#define FIELD_COUNT (GD_T_KV_KEYS_ONLY - GD_T_KV_POOL + 1)

struct kv_fields {
	struct gd_tlv_view tlv[FIELD_COUNT];
	uint32_t seen; /* bit (type - FIELD_FIRST): tlv[] holds that type */
};

/*
 * Also the check of the payload that gd_dispatch makes for other ops
 * (gd_tlv_check), in the same walk: -1 with r->errmsg set when the payload
 * is not a sequence of whole TLVs, where gd_tlv_check would refuse it.
 * Every KV handler calls it first, before reading or changing anything.
 */
GD_INLINE int walk_fields(struct gd_req *r, struct kv_fields *f)
{
	const uint8_t *p = r->frame->payload;
	size_t left = r->frame->hdr.length;
	uint32_t seen = 0;

	while (left >= GD_TLV_HDR_LEN) {
		uint16_t type = gd_get_u16(p), n = gd_get_u16(p + 2);
		unsigned slot = (unsigned)type - FIELD_FIRST;

		if (left - GD_TLV_HDR_LEN < n)
			break;
		if (slot < FIELD_COUNT && !(seen & (1u << slot))) {
			seen |= 1u << slot;
			f->tlv[slot] = (struct gd_tlv_view){
				.type = type, .len = n, .val = p + GD_TLV_HDR_LEN
			};
		}
		p += GD_TLV_HDR_LEN + n;
		left -= GD_TLV_HDR_LEN + n;
	}
	f->seen = seen;
	if (left) {
		r->errmsg = GD_MSG_BAD_TLV;
		return -1;
	}
	return 0;
}

/*
 * KV_GET and KV_SET walk inline (their walk, the call and the handler
 * frame then share registers: 15 instructions less a pipelined GET, 17 a
 * SET); the colder ops share this one copy.
 */
static __attribute__((noinline)) int read_fields(struct gd_req *r,
						 struct kv_fields *f)
{
	return walk_fields(r, f);
}

/* The field of this type, or NULL when the request has none. */
static const struct gd_tlv_view *field(const struct kv_fields *f,
				       uint16_t type)
{
	unsigned slot = (unsigned)type - FIELD_FIRST;

	return f->seen & (1u << slot) ? &f->tlv[slot] : NULL;
}

/* Optional u8 TLV: 0 absent (*v untouched), 1 present, -1 wrong width. */
static int opt_u8(const struct kv_fields *f, uint16_t type, uint8_t *v)
{
	const struct gd_tlv_view *tv = field(f, type);

	if (!tv)
		return 0;
	return gd_tlv_get_u8(tv, v) ? -1 : 1;
}

/*
 * POOL: required unless *pool is preset to -1 meaning "any". Inline: *pool
 * then stays in a register of the handler (13 instructions less a GET or
 * SET than the call, 96 bytes more).
 */
GD_INLINE int get_pool(struct gd_req *r, const struct kv_fields *f,
		       int optional, int *pool)
{
	const struct gd_tlv_view *tv = field(f, GD_T_KV_POOL);

	if (!tv) {
		*pool = -1;
		if (optional)
			return GD_S_OK;
		r->errmsg = "POOL is required (0 host, 1 guest, 2 auto)";
		return GD_S_MISSING_FIELD;
	}
	if (tv->len != 1) {
		r->errmsg = "POOL must be a u8";
		return GD_S_BAD_TLV;
	}
	if (tv->val[0] >= GD_KV_NPOOLS) {
		r->errmsg = "POOL must be 0 (host), 1 (guest) or 2 (auto)";
		return GD_S_BAD_VALUE;
	}
	*pool = tv->val[0];
	return GD_S_OK;
}

/* KEY's bytes, not yet checked (check_key). */
static int find_key(struct gd_req *r, const struct kv_fields *f,
		    const char **key, size_t *klen)
{
	const struct gd_tlv_view *tv = field(f, GD_T_KV_KEY);

	if (!tv) {
		r->errmsg = "KEY is required";
		return GD_S_MISSING_FIELD;
	}
	*key = (const char *)tv->val;
	*klen = tv->len;
	return GD_S_OK;
}

static int check_key(struct gd_req *r, const char *key, size_t klen)
{
	int st = gd_kv_key_check(key, klen);

	if (st == GD_S_TOO_BIG)
		r->errmsg = "key over 512 bytes";
	else if (st != GD_S_OK)
		r->errmsg = "key must be printable UTF-8 without control "
			    "characters (NUL, newline, tab...), 1..512 bytes";
	return st;
}

static int get_key(struct gd_req *r, const struct kv_fields *f,
		   const char **key, size_t *klen)
{
	int st = find_key(r, f, key, klen);

	return st != GD_S_OK ? st : check_key(r, *key, *klen);
}

/*
 * Refresh the auto pool before answering from it. A refresh may queue
 * KV_CHANGED events on this very connection, so the answer frame the
 * dispatcher began (still empty) is set aside and begun again after them.
 */
static int refresh_auto(struct gd_req *r)
{
	struct gd_hdr h = r->w->hdr;

	gd_frame_abort(r->w);
	gd_kv_auto_refresh(r->agent);
	/* events leave GD_MAX_FRAME free, so the answer still fits */
	return gd_out_begin(r->conn, r->w, &h) ? GD_S_INTERNAL : GD_S_OK;
}

static int check_writable(struct gd_req *r, int pool)
{
	if (gd_kv_pool_writable(r->conn->sess.kv_role, pool, &r->errmsg))
		return GD_S_OK;
	return GD_S_READ_ONLY;
}

int gd_svc_kv_get(struct gd_req *r)
{
	struct kv_fields f;
	struct gd_kv_entry e;
	const char *key;
	size_t klen;
	int pool, st;

	if (walk_fields(r, &f))
		return GD_S_BAD_TLV;
	st = get_pool(r, &f, 0, &pool);
	if (st == GD_S_OK)
		st = find_key(r, &f, &key, &klen);
	/* the auto pool is refreshed for a valid key only, as before */
	if (st == GD_S_OK && pool == GD_KV_POOL_AUTO &&
	    (st = check_key(r, key, klen)) == GD_S_OK)
		st = refresh_auto(r);
	if (st != GD_S_OK)
		return st;
	/*
	 * A key found is one that was checked when it was stored: only a
	 * miss needs the check, to tell a bad key from an absent one.
	 */
	if (gd_kv_get(&r->agent->kv->pools[pool], key, klen, &e) != GD_S_OK) {
		if ((st = check_key(r, key, klen)) != GD_S_OK)
			return st;
		r->errmsg = "no such key";
		return GD_S_NOT_FOUND;
	}
	return gd_tlv_bytes(r->w, GD_T_KV_VALUE, e.value, e.vlen)
		       ? GD_S_INTERNAL : GD_S_OK;
}

int gd_svc_kv_set(struct gd_req *r)
{
	struct kv_fields f;
	const struct gd_tlv_view *value;
	const char *key;
	size_t klen;
	int pool, st;

	if (walk_fields(r, &f))
		return GD_S_BAD_TLV;
	st = get_pool(r, &f, 0, &pool);
	if (st != GD_S_OK || (st = check_writable(r, pool)) != GD_S_OK ||
	    (st = get_key(r, &f, &key, &klen)) != GD_S_OK)
		return st;
	value = field(&f, GD_T_KV_VALUE);
	if (!value) {
		r->errmsg = "VALUE is required";
		return GD_S_MISSING_FIELD;
	}
	if (value->len > GD_KV_VALUE_MAX) {
		r->errmsg = "value over 2048 bytes";
		return GD_S_TOO_BIG;
	}
	return gd_kv_apply_set(r->agent, r->conn, pool, key, klen, value->val,
			       value->len, &r->errmsg);
}

int gd_svc_kv_del(struct gd_req *r)
{
	struct kv_fields f;
	const char *key;
	size_t klen;
	int pool, st;

	if (read_fields(r, &f))
		return GD_S_BAD_TLV;
	st = get_pool(r, &f, 0, &pool);
	if (st != GD_S_OK || (st = check_writable(r, pool)) != GD_S_OK ||
	    (st = get_key(r, &f, &key, &klen)) != GD_S_OK)
		return st;
	return gd_kv_apply_del(r->agent, r->conn, pool, key, klen, &r->errmsg);
}

static size_t payload_len(const struct gd_frame_writer *w)
{
	return w->out->len - w->start - GD_HDR_LEN;
}

/* Append entries from *cursor while they fit; 0, or -1 if the writer failed. */
static int list_page(struct gd_req *r, const struct gd_kv_table *t,
		     uint32_t *cursor, int keys_only)
{
	struct gd_kv_entry e;
	uint32_t at = *cursor;

	while (gd_kv_next(t, &at, &e)) {
		size_t need = GD_TLV_HDR_LEN + e.klen +
			      (keys_only ? 0 : GD_TLV_HDR_LEN + e.vlen);

		if (payload_len(r->w) + need + LIST_TAIL > GD_MAX_PAYLOAD)
			return 0; /* *cursor still points at this entry */
		if (gd_tlv_bytes(r->w, GD_T_KV_KEY, e.key, e.klen) ||
		    (!keys_only &&
		     gd_tlv_bytes(r->w, GD_T_KV_VALUE, e.value, e.vlen)))
			return -1;
		*cursor = at;
	}
	*cursor = t->cap; /* nothing left */
	return 0;
}

int gd_svc_kv_list(struct gd_req *r)
{
	struct kv_fields f;
	const struct gd_tlv_view *cursor_tlv;
	const struct gd_kv_table *t;
	struct gd_kv_entry e;
	uint32_t cursor = 0, probe;
	uint8_t keys_only = 0;
	int pool, st;

	if (read_fields(r, &f))
		return GD_S_BAD_TLV;
	st = get_pool(r, &f, 0, &pool);
	if (st != GD_S_OK)
		return st;
	cursor_tlv = field(&f, GD_T_KV_CURSOR);
	if (cursor_tlv && gd_tlv_get_u32(cursor_tlv, &cursor)) {
		r->errmsg = "CURSOR must be a u32";
		return GD_S_BAD_TLV;
	}
	if (opt_u8(&f, GD_T_KV_KEYS_ONLY, &keys_only) < 0) {
		r->errmsg = "KEYS_ONLY must be a u8";
		return GD_S_BAD_TLV;
	}
	if (pool == GD_KV_POOL_AUTO && cursor == 0 && refresh_auto(r))
		return GD_S_INTERNAL;
	t = &r->agent->kv->pools[pool];
	if (gd_tlv_u32(r->w, GD_T_KV_COUNT, gd_kv_count(t)) ||
	    list_page(r, t, &cursor, keys_only))
		return GD_S_INTERNAL;
	probe = cursor;
	if (gd_kv_next(t, &probe, &e) &&
	    gd_tlv_u32(r->w, GD_T_KV_CURSOR, cursor))
		return GD_S_INTERNAL;
	return GD_S_OK;
}

int gd_svc_kv_watch(struct gd_req *r)
{
	struct kv_fields f;
	uint8_t on = 1;
	int pool, st;
	unsigned bits;

	if (read_fields(r, &f))
		return GD_S_BAD_TLV;
	st = get_pool(r, &f, 1, &pool);
	if (st != GD_S_OK)
		return st;
	if (opt_u8(&f, GD_T_KV_WATCH_ON, &on) < 0) {
		r->errmsg = "WATCH_ON must be a u8";
		return GD_S_BAD_TLV;
	}
	bits = pool < 0 ? (1u << GD_KV_NPOOLS) - 1 : 1u << pool;
	if (on)
		r->conn->sess.kv_watch |= (uint8_t)bits;
	else
		r->conn->sess.kv_watch &= (uint8_t)~bits;
	if (on && (bits & (1u << GD_KV_POOL_AUTO)) && refresh_auto(r))
		return GD_S_INTERNAL;
	return gd_tlv_u8(r->w, GD_T_KV_WATCHING, r->conn->sess.kv_watch)
		       ? GD_S_INTERNAL : GD_S_OK;
}

int gd_kv_info(struct gd_req *r)
{
	const struct gd_kv *kv = r->agent->kv;

	if (gd_tlv_u8(r->w, GD_T_KV_PERSISTENT,
		      (uint8_t)gd_kv_persistent(r->agent)) ||
	    gd_tlv_u32(r->w, GD_T_KV_KEY_MAX, GD_KV_KEY_MAX) ||
	    gd_tlv_u32(r->w, GD_T_KV_VALUE_MAX, GD_KV_VALUE_MAX) ||
	    gd_tlv_u32(r->w, GD_T_KV_POOL_MAX, GD_KV_POOL_ENTRIES))
		return -1;
	if (kv->store_error[0] &&
	    gd_tlv_str(r->w, GD_T_KV_STORE_ERROR, kv->store_error))
		return -1;
	return 0;
}
