/*
 * guestd protocol v1: frame header, op codes, status codes, TLV payloads.
 * docs/protocol.md is the normative description; this header mirrors it.
 *
 * Frame = 16-byte header + payload (0..GD_MAX_PAYLOAD bytes of TLVs).
 * All integers are little-endian.
 *
 *   off size field
 *   0   2    magic      'G' 'D' (0x47 0x44)
 *   2   1    version    GD_PROTO_VERSION
 *   3   1    flags      GD_F_*
 *   4   2    op         GD_OP_*
 *   6   2    status     GD_S_* (0 in requests)
 *   8   4    id         request id, echoed in the response
 *   12  2    length     payload length
 *   14  2    hcrc       CRC-16/CCITT-FALSE of bytes 0..13
 */
#ifndef GD_PROTO_H
#define GD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define GD_PROTO_VERSION 1
#define GD_MAGIC0 0x47
#define GD_MAGIC1 0x44
#define GD_HDR_LEN 16
#define GD_MAX_PAYLOAD 8192
#define GD_MAC_LEN 32     /* HMAC-SHA256 trailer when GD_F_MAC is set */
#define GD_MAX_FRAME (GD_HDR_LEN + GD_MAX_PAYLOAD + GD_MAC_LEN)
#define GD_TLV_HDR_LEN 4
#define GD_MAX_STR 2048 /* longest string value the agent emits */
#define GD_DEFAULT_VSOCK_PORT 2761

/* Header flags. */
#define GD_F_RESPONSE 0x01 /* answer to the request with the same id */
#define GD_F_EVENT 0x02    /* unsolicited message from the agent, id 0 */
#define GD_F_MAC 0x04      /* a 32-byte MAC trailer follows the payload */
#define GD_F_KNOWN (GD_F_RESPONSE | GD_F_EVENT | GD_F_MAC)

enum gd_op {
	GD_OP_HELLO = 1,
	GD_OP_PING = 2,
	GD_OP_INFO = 3,
	GD_OP_SHUTDOWN = 4,
	GD_OP_TIME_GET = 5,
	GD_OP_TIME_SET = 6,
	GD_OP_KV_GET = 7,
	GD_OP_KV_SET = 8,
	GD_OP_KV_DEL = 9,
	GD_OP_KV_LIST = 10,
	GD_OP_KV_WATCH = 11,
	/* events (flag GD_F_EVENT) */
	GD_EV_READY = 0x100,
	GD_EV_WORKLOAD_EXIT = 0x101,
	GD_EV_SHUTTING_DOWN = 0x102,
	GD_EV_CLOCK_JUMP = 0x103,
	GD_EV_KV_CHANGED = 0x104
};

enum gd_status {
	GD_S_OK = 0,
	GD_S_BAD_FRAME = 1,    /* bytes that are not a frame were skipped */
	GD_S_BAD_VERSION = 2,  /* header version not spoken */
	GD_S_TOO_BIG = 3,      /* length over GD_MAX_PAYLOAD, or a field over its limit */
	GD_S_UNKNOWN_OP = 4,
	GD_S_BAD_TLV = 5,      /* payload is not a well-formed TLV sequence */
	GD_S_MISSING_FIELD = 6,
	GD_S_BAD_VALUE = 7,
	GD_S_BAD_FLAGS = 8,
	GD_S_AUTH_REQUIRED = 9,
	GD_S_AUTH_FAILED = 10,
	GD_S_NOT_FOUND = 11,
	GD_S_READ_ONLY = 12,
	GD_S_POOL_FULL = 13,
	GD_S_BAD_KEY = 14,
	GD_S_BUSY = 15,
	GD_S_NOT_PERMITTED = 16,
	GD_S_UNSUPPORTED = 17,
	GD_S_TIMEOUT = 18,
	GD_S_INTERNAL = 19,
	GD_S_COUNT
};

/* TLV types: one global registry (docs/protocol.md, "TLV types"). */
enum gd_tlv {
	GD_T_MESSAGE = 1,       /* str: human-readable error detail */
	GD_T_PROTO_VERSION = 2, /* u16 */
	GD_T_CAPS = 3,          /* u32: GD_CAP_* bits */
	GD_T_AGENT_VERSION = 4, /* str */
	GD_T_AGENT_UPTIME = 5,  /* u64 ns since guestd started (CLOCK_MONOTONIC) */
	GD_T_SYS_UPTIME = 6,    /* u64 ns since boot (CLOCK_BOOTTIME) */
	GD_T_BOOT_ID = 7,       /* str: /proc/sys/kernel/random/boot_id */
	GD_T_KERNEL = 8,        /* str: uname release */
	GD_T_HOSTNAME = 9,      /* str */
	GD_T_OS_NAME = 10,      /* str: PRETTY_NAME of os-release */
	GD_T_PID = 11,          /* u32: guestd's pid */
	GD_T_WORKLOAD_STATE = 12, /* u8: GD_WL_* */
	GD_T_EXIT_STATUS = 13,  /* u32: last workload wait status */
	GD_T_MAX_PAYLOAD = 14,  /* u32 */
	GD_T_ARCH = 15          /* str: uname machine */
};

/* Capability bits (HELLO, INFO). */
#define GD_CAP_PING 0x0001u
#define GD_CAP_INFO 0x0002u
#define GD_CAP_SHUTDOWN 0x0004u
#define GD_CAP_TIME 0x0008u
#define GD_CAP_KV 0x0010u
#define GD_CAP_AUTH 0x0020u
#define GD_CAP_EVENTS 0x0040u

/* Workload states. */
enum gd_workload_state {
	GD_WL_NONE = 0,
	GD_WL_RUNNING = 1,
	GD_WL_EXITED = 2
};

struct gd_hdr {
	uint8_t version;
	uint8_t flags;
	uint16_t op;
	uint16_t status;
	uint32_t id;
	uint16_t length;
};

/* CRC-16/CCITT-FALSE (poly 0x1021, init 0xffff). */
uint16_t gd_crc16(const uint8_t *p, size_t n);

/* Serialise h into out[GD_HDR_LEN], computing hcrc. */
void gd_hdr_pack(const struct gd_hdr *h, uint8_t *out);
/* Parse in[GD_HDR_LEN]; -1 on bad magic or CRC, 0 otherwise. */
int gd_hdr_unpack(const uint8_t *in, struct gd_hdr *h);

/*
 * Frame building. gd_frame_begin reserves the header in out; TLVs are
 * appended with gd_tlv_*; gd_frame_end writes the final header.
 * Every call returns 0 or -1 when out or GD_MAX_PAYLOAD would overflow,
 * in which case the frame must be abandoned (truncate out to start).
 */
struct gd_frame_writer {
	struct gd_buf *out;
	size_t start;
	struct gd_hdr hdr;
};
int gd_frame_begin(struct gd_frame_writer *w, struct gd_buf *out,
		   const struct gd_hdr *h);
int gd_tlv_bytes(struct gd_frame_writer *w, uint16_t type, const void *v,
		 size_t n);
int gd_tlv_str(struct gd_frame_writer *w, uint16_t type, const char *s);
int gd_tlv_u8(struct gd_frame_writer *w, uint16_t type, uint8_t v);
int gd_tlv_u16(struct gd_frame_writer *w, uint16_t type, uint16_t v);
int gd_tlv_u32(struct gd_frame_writer *w, uint16_t type, uint32_t v);
int gd_tlv_u64(struct gd_frame_writer *w, uint16_t type, uint64_t v);
/* Append n bytes that are already whole TLVs (a kept template). */
int gd_tlv_raw(struct gd_frame_writer *w, const void *p, size_t n);
int gd_frame_end(struct gd_frame_writer *w);
/* Drop the frame being written from out. */
void gd_frame_abort(struct gd_frame_writer *w);

/*
 * TLV reading. gd_tlv_check validates that payload is a sequence of whole
 * TLVs (0, or -1). gd_tlv_find returns the first TLV of a type.
 */
struct gd_tlv_view {
	uint16_t type;
	uint16_t len;
	const uint8_t *val;
};
int gd_tlv_check(const uint8_t *payload, size_t len);
/*
 * Iterate: *off starts at 0; returns 1 with *tv filled, 0 at end, -1 bad.
 * Inline: gd_tlv_check and gd_tlv_find walk every request's TLVs with
 * it, and a call per TLV cost more than the step.
 */
GD_INLINE int gd_tlv_next(const uint8_t *payload, size_t len, size_t *off,
			  struct gd_tlv_view *tv)
{
	size_t o = *off, left = len - o;

	if (left < GD_TLV_HDR_LEN)
		return left ? -1 : 0;
	tv->type = gd_get_u16(payload + o);
	tv->len = gd_get_u16(payload + o + 2);
	if (left - GD_TLV_HDR_LEN < tv->len)
		return -1;
	tv->val = payload + o + GD_TLV_HDR_LEN;
	*off = o + GD_TLV_HDR_LEN + tv->len;
	return 1;
}
int gd_tlv_find(const uint8_t *payload, size_t len, uint16_t type,
		struct gd_tlv_view *tv);
/* Typed getters: 0 on success, -1 if the length does not match the type. */
int gd_tlv_get_u8(const struct gd_tlv_view *tv, uint8_t *v);
int gd_tlv_get_u16(const struct gd_tlv_view *tv, uint16_t *v);
int gd_tlv_get_u32(const struct gd_tlv_view *tv, uint32_t *v);
int gd_tlv_get_u64(const struct gd_tlv_view *tv, uint64_t *v);
/* Copy a string TLV into dst[cap] with NUL; -1 if it does not fit or has NUL. */
int gd_tlv_get_str(const struct gd_tlv_view *tv, char *dst, size_t cap);

/* Names for logs and guestctl; "unknown" for values not listed. */
const char *gd_status_name(uint16_t status);
const char *gd_op_name(uint16_t op);

#endif
