/* HELLO, PING and INFO: negotiation, liveness and identity. */
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "gate.h"
#include "native.h"
#include "sysinfo.h"

uint32_t gd_agent_caps(const struct gd_agent *a)
{
	return GD_CAP_PING | GD_CAP_INFO | GD_CAP_KV | GD_CAP_TIME |
	       GD_CAP_EVENTS | GD_CAP_SHUTDOWN | gd_auth_caps(a);
}

int gd_svc_hello(struct gd_req *r)
{
	const struct gd_frame *f = r->frame;
	struct gd_tlv_view tv;
	uint16_t peer_version = GD_PROTO_VERSION;

	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_PROTO_VERSION, &tv) == 0 &&
	    gd_tlv_get_u16(&tv, &peer_version)) {
		r->errmsg = "PROTO_VERSION must be a u16";
		return GD_S_BAD_TLV;
	}
	if (peer_version < GD_PROTO_VERSION) {
		r->errmsg = "client protocol version too old (1 required)";
		return GD_S_BAD_VERSION;
	}
	if (gd_tlv_u16(r->w, GD_T_PROTO_VERSION, GD_PROTO_VERSION) ||
	    gd_tlv_u32(r->w, GD_T_CAPS, gd_agent_caps(r->agent)) ||
	    gd_tlv_str(r->w, GD_T_AGENT_VERSION, GD_AGENT_VERSION) ||
	    gd_tlv_u32(r->w, GD_T_MAX_PAYLOAD, GD_MAX_PAYLOAD))
		return GD_S_INTERNAL;
	return gd_auth_hello(r);
}

/* The boot id, read on first use rather than on every ping; "" if unknown. */
static const char *boot_id(struct gd_agent *a)
{
	if (!a->boot_id[0] && gd_boot_id(a->boot_id, sizeof a->boot_id))
		a->boot_id[0] = '\0'; /* unknown for now: try next time */
	return a->boot_id;
}

/* guestd's uptime when it woke for this request: no clock read of its own. */
static uint64_t agent_uptime(const struct gd_agent *a)
{
	return a->woke_ns > a->start_ns ? a->woke_ns - a->start_ns : 0;
}

/*
 * CLOCK_BOOTTIME for the requests of one wake-up, read at the first of
 * them: 64 pipelined pings take one clock read, not 64.
 */
static uint64_t boot_at_wake(const struct gd_agent *a)
{
	static uint64_t woke_ns, boot_ns;

	if (!boot_ns || woke_ns != a->woke_ns) {
		woke_ns = a->woke_ns;
		boot_ns = gd_clock_ns(CLOCK_BOOTTIME);
	}
	return boot_ns;
}

static int put_uptimes(struct gd_req *r)
{
	const char *id = boot_id(r->agent);

	if (gd_tlv_u64(r->w, GD_T_AGENT_UPTIME, agent_uptime(r->agent)) ||
	    gd_tlv_u64(r->w, GD_T_SYS_UPTIME, boot_at_wake(r->agent)))
		return -1;
	if (id[0] && gd_tlv_str(r->w, GD_T_BOOT_ID, id))
		return -1;
	return 0;
}

/*
 * PING's answer from a template. All of it but the two uptimes stays the
 * same from one ping to the next until the workload or shutdown state
 * changes (gd_svc_pid1_state_key) or the boot id becomes known: it is
 * written once with the TLV writers, kept, and then copied with the
 * uptimes patched in place (a quarter of the instructions of a ping).
 */
#define PING_TPL_MAX 128

static struct {
	const struct gd_agent *agent; /* whose state it holds; NULL: none */
	uint64_t key;                 /* gd_svc_pid1_state_key() */
	int have_id;                  /* the boot id is in it */
	size_t len, up;               /* bytes; AGENT_UPTIME's value at up */
	uint8_t bytes[PING_TPL_MAX];
} ping_tpl;

int gd_svc_ping(struct gd_req *r)
{
	struct gd_agent *a = r->agent;
	uint64_t key = gd_svc_pid1_state_key(a);
	int have_id = boot_id(a)[0] != '\0';
	size_t start = r->w->out->len, up;
	uint8_t *v;

	if (ping_tpl.agent == a && ping_tpl.key == key &&
	    ping_tpl.have_id == have_id) {
		if (gd_tlv_raw(r->w, ping_tpl.bytes, ping_tpl.len))
			return GD_S_INTERNAL;
		v = r->w->out->data + start + ping_tpl.up;
		gd_set_u64(v, agent_uptime(a));
		/* SYS_UPTIME's value: past this one and its TLV header */
		gd_set_u64(v + 8 + GD_TLV_HDR_LEN, boot_at_wake(a));
		return GD_S_OK;
	}
	if (gd_svc_put_pid1_state(r, 0))
		return GD_S_INTERNAL;
	up = r->w->out->len - start + GD_TLV_HDR_LEN;
	if (put_uptimes(r))
		return GD_S_INTERNAL;
	ping_tpl.agent = NULL;
	if (r->w->out->len - start <= sizeof ping_tpl.bytes) {
		ping_tpl.len = r->w->out->len - start;
		memcpy(ping_tpl.bytes, r->w->out->data + start, ping_tpl.len);
		ping_tpl.up = up;
		ping_tpl.key = key;
		ping_tpl.have_id = have_id;
		ping_tpl.agent = a;
	}
	return GD_S_OK;
}

int gd_svc_info(struct gd_req *r)
{
	struct utsname u;
	char os[256];

	if (uname(&u))
		memset(&u, 0, sizeof u);
	if (gd_tlv_str(r->w, GD_T_AGENT_VERSION, GD_AGENT_VERSION) ||
	    gd_tlv_u16(r->w, GD_T_PROTO_VERSION, GD_PROTO_VERSION) ||
	    gd_tlv_u32(r->w, GD_T_CAPS, gd_agent_caps(r->agent)) ||
	    gd_tlv_str(r->w, GD_T_KERNEL, u.release) ||
	    gd_tlv_str(r->w, GD_T_ARCH, u.machine) ||
	    gd_tlv_str(r->w, GD_T_HOSTNAME, u.nodename) ||
	    gd_tlv_u32(r->w, GD_T_PID, (uint32_t)getpid()))
		return GD_S_INTERNAL;
	if (gd_os_pretty_name(os, sizeof os) == 0 &&
	    gd_tlv_str(r->w, GD_T_OS_NAME, os))
		return GD_S_INTERNAL;
	if (gd_svc_put_pid1_state(r, 1) || put_uptimes(r) || gd_kv_info(r) ||
	    gd_svc_conns_info(r))
		return GD_S_INTERNAL;
	return GD_S_OK;
}
