#include "proto.h"

#include <string.h>

/*
 * Four bits at a time: every frame header is checked and every answer
 * sealed, and bit by bit this was a third of guestd's instructions per
 * ping. A nibble table costs 32 bytes where a byte table costs 512.
 */
static const uint16_t crc16_nibble[16] = {
	0x0000, 0x1021, 0x2042, 0x3063, 0x4084, 0x50a5, 0x60c6, 0x70e7,
	0x8108, 0x9129, 0xa14a, 0xb16b, 0xc18c, 0xd1ad, 0xe1ce, 0xf1ef
};

uint16_t gd_crc16(const uint8_t *p, size_t n)
{
	uint16_t crc = 0xffff;

	while (n--) {
		crc = (uint16_t)(crc << 4) ^
		      crc16_nibble[(crc >> 12) ^ (*p >> 4)];
		crc = (uint16_t)(crc << 4) ^
		      crc16_nibble[(crc >> 12) ^ (*p++ & 0x0f)];
	}
	return crc;
}

void gd_hdr_pack(const struct gd_hdr *h, uint8_t *out)
{
	out[0] = GD_MAGIC0;
	out[1] = GD_MAGIC1;
	out[2] = h->version;
	out[3] = h->flags;
	gd_set_u16(out + 4, h->op);
	gd_set_u16(out + 6, h->status);
	gd_set_u32(out + 8, h->id);
	gd_set_u16(out + 12, h->length);
	gd_set_u16(out + 14, gd_crc16(out, 14));
}

int gd_hdr_unpack(const uint8_t *in, struct gd_hdr *h)
{
	if (in[0] != GD_MAGIC0 || in[1] != GD_MAGIC1)
		return -1;
	if (gd_get_u16(in + 14) != gd_crc16(in, 14))
		return -1;
	h->version = in[2];
	h->flags = in[3];
	h->op = gd_get_u16(in + 4);
	h->status = gd_get_u16(in + 6);
	h->id = gd_get_u32(in + 8);
	h->length = gd_get_u16(in + 12);
	return 0;
}

int gd_frame_begin(struct gd_frame_writer *w, struct gd_buf *out,
		   const struct gd_hdr *h)
{
	uint8_t zero[GD_HDR_LEN] = { 0 };

	w->out = out;
	w->start = out->len;
	w->hdr = *h;
	w->hdr.length = 0;
	return gd_buf_put(out, zero, sizeof zero);
}

static size_t payload_len(const struct gd_frame_writer *w)
{
	return w->out->len - w->start - GD_HDR_LEN;
}

int gd_tlv_bytes(struct gd_frame_writer *w, uint16_t type, const void *v,
		 size_t n)
{
	uint8_t th[GD_TLV_HDR_LEN];

	if (n > 0xffff || payload_len(w) + GD_TLV_HDR_LEN + n > GD_MAX_PAYLOAD)
		return -1;
	if (gd_buf_room(w->out) < GD_TLV_HDR_LEN + n)
		return -1;
	gd_set_u16(th, type);
	gd_set_u16(th + 2, (uint16_t)n);
	gd_buf_put(w->out, th, sizeof th);
	gd_buf_put(w->out, v, n);
	return 0;
}

int gd_tlv_str(struct gd_frame_writer *w, uint16_t type, const char *s)
{
	return gd_tlv_bytes(w, type, s, strlen(s));
}

int gd_tlv_u8(struct gd_frame_writer *w, uint16_t type, uint8_t v)
{
	return gd_tlv_bytes(w, type, &v, 1);
}

int gd_tlv_u16(struct gd_frame_writer *w, uint16_t type, uint16_t v)
{
	uint8_t b[2];

	gd_set_u16(b, v);
	return gd_tlv_bytes(w, type, b, sizeof b);
}

int gd_tlv_u32(struct gd_frame_writer *w, uint16_t type, uint32_t v)
{
	uint8_t b[4];

	gd_set_u32(b, v);
	return gd_tlv_bytes(w, type, b, sizeof b);
}

int gd_tlv_u64(struct gd_frame_writer *w, uint16_t type, uint64_t v)
{
	uint8_t b[8];

	gd_set_u64(b, v);
	return gd_tlv_bytes(w, type, b, sizeof b);
}

int gd_frame_end(struct gd_frame_writer *w)
{
	w->hdr.length = (uint16_t)payload_len(w);
	gd_hdr_pack(&w->hdr, w->out->data + w->start);
	return 0;
}

void gd_frame_abort(struct gd_frame_writer *w)
{
	w->out->len = w->start;
}

int gd_tlv_next(const uint8_t *payload, size_t len, size_t *off,
		struct gd_tlv_view *tv)
{
	size_t o = *off;

	if (o == len)
		return 0;
	if (len - o < GD_TLV_HDR_LEN)
		return -1;
	tv->type = gd_get_u16(payload + o);
	tv->len = gd_get_u16(payload + o + 2);
	if (len - o - GD_TLV_HDR_LEN < tv->len)
		return -1;
	tv->val = payload + o + GD_TLV_HDR_LEN;
	*off = o + GD_TLV_HDR_LEN + tv->len;
	return 1;
}

int gd_tlv_check(const uint8_t *payload, size_t len)
{
	size_t off = 0;
	struct gd_tlv_view tv;
	int r;

	while ((r = gd_tlv_next(payload, len, &off, &tv)) == 1)
		;
	return r;
}

int gd_tlv_find(const uint8_t *payload, size_t len, uint16_t type,
		struct gd_tlv_view *tv)
{
	size_t off = 0;

	while (gd_tlv_next(payload, len, &off, tv) == 1)
		if (tv->type == type)
			return 0;
	return -1;
}

int gd_tlv_get_u8(const struct gd_tlv_view *tv, uint8_t *v)
{
	if (tv->len != 1)
		return -1;
	*v = tv->val[0];
	return 0;
}

int gd_tlv_get_u16(const struct gd_tlv_view *tv, uint16_t *v)
{
	if (tv->len != 2)
		return -1;
	*v = gd_get_u16(tv->val);
	return 0;
}

int gd_tlv_get_u32(const struct gd_tlv_view *tv, uint32_t *v)
{
	if (tv->len != 4)
		return -1;
	*v = gd_get_u32(tv->val);
	return 0;
}

int gd_tlv_get_u64(const struct gd_tlv_view *tv, uint64_t *v)
{
	if (tv->len != 8)
		return -1;
	*v = gd_get_u64(tv->val);
	return 0;
}

int gd_tlv_get_str(const struct gd_tlv_view *tv, char *dst, size_t cap)
{
	if ((size_t)tv->len >= cap || memchr(tv->val, 0, tv->len))
		return -1;
	memcpy(dst, tv->val, tv->len);
	dst[tv->len] = '\0';
	return 0;
}

static const char *const status_names[GD_S_COUNT] = {
	[GD_S_OK] = "ok",
	[GD_S_BAD_FRAME] = "bad-frame",
	[GD_S_BAD_VERSION] = "bad-version",
	[GD_S_TOO_BIG] = "too-big",
	[GD_S_UNKNOWN_OP] = "unknown-op",
	[GD_S_BAD_TLV] = "bad-tlv",
	[GD_S_MISSING_FIELD] = "missing-field",
	[GD_S_BAD_VALUE] = "bad-value",
	[GD_S_BAD_FLAGS] = "bad-flags",
	[GD_S_AUTH_REQUIRED] = "auth-required",
	[GD_S_AUTH_FAILED] = "auth-failed",
	[GD_S_NOT_FOUND] = "not-found",
	[GD_S_READ_ONLY] = "read-only",
	[GD_S_POOL_FULL] = "pool-full",
	[GD_S_BAD_KEY] = "bad-key",
	[GD_S_BUSY] = "busy",
	[GD_S_NOT_PERMITTED] = "not-permitted",
	[GD_S_UNSUPPORTED] = "unsupported",
	[GD_S_TIMEOUT] = "timeout",
	[GD_S_INTERNAL] = "internal",
};

const char *gd_status_name(uint16_t status)
{
	if (status < GD_S_COUNT && status_names[status])
		return status_names[status];
	return "unknown";
}

const char *gd_op_name(uint16_t op)
{
	switch (op) {
	case GD_OP_HELLO: return "hello";
	case GD_OP_PING: return "ping";
	case GD_OP_INFO: return "info";
	case GD_OP_SHUTDOWN: return "shutdown";
	case GD_OP_TIME_GET: return "time-get";
	case GD_OP_TIME_SET: return "time-set";
	case GD_OP_KV_GET: return "kv-get";
	case GD_OP_KV_SET: return "kv-set";
	case GD_OP_KV_DEL: return "kv-del";
	case GD_OP_KV_LIST: return "kv-list";
	case GD_OP_KV_WATCH: return "kv-watch";
	case GD_EV_READY: return "ready";
	case GD_EV_WORKLOAD_EXIT: return "workload-exit";
	case GD_EV_SHUTTING_DOWN: return "shutting-down";
	case GD_EV_CLOCK_JUMP: return "clock-jump";
	case GD_EV_KV_CHANGED: return "kv-changed";
	default: return "unknown";
	}
}
