#include "fields.h"
#include "proto_pid1.h"
#include "proto_kv.h"
#include "proto_conn.h"
#include "buf.h"

#include <string.h>

enum kind { K_STR, K_U8, K_U16, K_U32, K_U64, K_CAPS, K_NS, K_PEER };

struct field {
	uint16_t type;
	enum kind kind;
	const char *name;
};

static const struct field fields[] = {
	{ GD_T_AGENT_VERSION, K_STR, "agent_version" },
	{ GD_T_PROTO_VERSION, K_U16, "protocol_version" },
	{ GD_T_CAPS, K_CAPS, "capabilities" },
	{ GD_T_KERNEL, K_STR, "kernel" },
	{ GD_T_ARCH, K_STR, "arch" },
	{ GD_T_HOSTNAME, K_STR, "hostname" },
	{ GD_T_OS_NAME, K_STR, "os" },
	{ GD_T_PID, K_U32, "pid" },
	{ GD_T_AGENT_UPTIME, K_NS, "agent_uptime_ns" },
	{ GD_T_SYS_UPTIME, K_NS, "system_uptime_ns" },
	{ GD_T_BOOT_ID, K_STR, "boot_id" },
	{ GD_T_WORKLOAD_STATE, K_U8, "workload_state" },
	{ GD_T_EXIT_STATUS, K_U32, "workload_exit_status" },
	{ GD_T_MAX_PAYLOAD, K_U32, "max_payload" },
	{ GD_T_MESSAGE, K_STR, "message" },
	{ GD_T_SHUTDOWN_MODE, K_U8, "shutdown_mode" },
	{ GD_T_GRACE_MS, K_U32, "grace_ms" },
	{ GD_T_FORCE, K_U8, "force" },
	{ GD_T_SHUTDOWN_VIA, K_STR, "shutdown_via" },
	{ GD_T_SHUTDOWN_PHASE, K_U8, "shutdown_phase" },
	{ GD_T_WORKLOAD_PID, K_U32, "workload_pid" },
	{ GD_T_RESTARTS, K_U32, "workload_restarts" },
	{ GD_T_REAPED, K_U64, "reaped" },
	{ GD_T_EXIT_CODE, K_U32, "workload_exit_code" },
	{ GD_T_EXIT_SIGNAL, K_U32, "workload_exit_signal" },
	{ GD_T_KV_PERSISTENT, K_U8, "kv_persistent" },
	{ GD_T_KV_STORE_ERROR, K_STR, "kv_store_error" },
	{ GD_T_KV_KEY_MAX, K_U32, "kv_key_max" },
	{ GD_T_KV_VALUE_MAX, K_U32, "kv_value_max" },
	{ GD_T_KV_POOL_MAX, K_U32, "kv_pool_max" },
	{ GD_T_CONN_SLOTS, K_U32, "conn_slots" },
	{ GD_T_CONN_IN_USE, K_U32, "conn_in_use" },
	{ GD_T_CONN_REFUSED, K_U64, "conn_refused" },
	{ GD_T_CONN_EVICTED, K_U64, "conn_evicted" },
	{ GD_T_CONN_PEER, K_PEER, "peers" },
};

static const char *const peer_kinds[] = { "other", "uid", "cid", "serial" };

struct peer_counts {
	const char *kind;
	uint32_t id;
	uint64_t accepted, refused, evicted;
};

static int peer_parse(const struct gd_tlv_view *tv, struct peer_counts *p)
{
	if (tv->len != GD_CONN_PEER_LEN)
		return -1;
	p->kind = tv->val[0] < 4 ? peer_kinds[tv->val[0]] : "unknown";
	p->id = gd_get_u32(tv->val + 1);
	p->accepted = gd_get_u64(tv->val + 5);
	p->refused = gd_get_u64(tv->val + 13);
	p->evicted = gd_get_u64(tv->val + 21);
	return 0;
}

/* Every CONN_PEER of the payload as one JSON array of objects. */
static void peers_json(struct gd_json *j, const uint8_t *payload, size_t len)
{
	size_t off = 0;
	struct gd_tlv_view tv;
	struct peer_counts p;

	gd_json_key(j, "peers");
	gd_json_arr_begin(j);
	while (gd_tlv_next(payload, len, &off, &tv) == 1) {
		if (tv.type != GD_T_CONN_PEER || peer_parse(&tv, &p))
			continue;
		gd_json_obj_begin(j);
		gd_json_key(j, "kind");
		gd_json_str(j, p.kind);
		gd_json_key(j, "id");
		gd_json_u64(j, p.id);
		gd_json_key(j, "accepted");
		gd_json_u64(j, p.accepted);
		gd_json_key(j, "refused");
		gd_json_u64(j, p.refused);
		gd_json_key(j, "evicted");
		gd_json_u64(j, p.evicted);
		gd_json_obj_end(j);
	}
	gd_json_arr_end(j);
}

static const char *const cap_names[] = {
	"ping", "info", "shutdown", "time", "kv", "auth", "events",
};

void gc_caps_text(uint32_t caps, const char *sep, char *out, size_t cap)
{
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++) {
		if (!(caps & (1u << i)))
			continue;
		len += (size_t)snprintf(out + len, len < cap ? cap - len : 0,
					"%s%s", len ? sep : "", cap_names[i]);
		if (len >= cap)
			return;
	}
}

static const struct field *find(uint16_t type)
{
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (fields[i].type == type)
			return &fields[i];
	return NULL;
}

static int number(const struct field *f, const struct gd_tlv_view *tv,
		  uint64_t *v)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	switch (f->kind) {
	case K_U8:
		if (gd_tlv_get_u8(tv, &u8))
			return -1;
		*v = u8;
		return 0;
	case K_U16:
		if (gd_tlv_get_u16(tv, &u16))
			return -1;
		*v = u16;
		return 0;
	case K_U32:
	case K_CAPS:
		if (gd_tlv_get_u32(tv, &u32))
			return -1;
		*v = u32;
		return 0;
	default:
		return gd_tlv_get_u64(tv, v);
	}
}

void gc_fields_json(struct gd_json *j, const uint8_t *payload, size_t len)
{
	size_t off = 0;
	struct gd_tlv_view tv;

	int peers_done = 0;

	while (gd_tlv_next(payload, len, &off, &tv) == 1) {
		const struct field *f = find(tv.type);
		uint64_t v;

		if (!f)
			continue;
		if (f->kind == K_PEER) {
			if (!peers_done)
				peers_json(j, payload, len);
			peers_done = 1;
			continue;
		}
		if (f->kind == K_STR) {
			gd_json_key(j, f->name);
			gd_json_strn(j, (const char *)tv.val, tv.len);
			continue;
		}
		if (number(f, &tv, &v))
			continue;
		gd_json_key(j, f->name);
		if (f->kind == K_CAPS) {
			gd_json_arr_begin(j);
			for (size_t i = 0; i < 32; i++)
				if ((v & (1u << i)) &&
				    i < sizeof cap_names / sizeof cap_names[0])
					gd_json_str(j, cap_names[i]);
			gd_json_arr_end(j);
		} else {
			gd_json_u64(j, v);
		}
	}
}

void gc_fields_human(FILE *out, const uint8_t *payload, size_t len)
{
	size_t off = 0;
	struct gd_tlv_view tv;

	while (gd_tlv_next(payload, len, &off, &tv) == 1) {
		const struct field *f = find(tv.type);
		char caps[128];
		struct peer_counts p;
		uint64_t v;

		if (!f)
			continue;
		if (f->kind == K_PEER) {
			if (peer_parse(&tv, &p) == 0)
				fprintf(out, "%-22s %s %u: %llu accepted, %llu "
					"refused, %llu evicted\n", "peer", p.kind,
					p.id, (unsigned long long)p.accepted,
					(unsigned long long)p.refused,
					(unsigned long long)p.evicted);
		} else if (f->kind == K_STR) {
			fprintf(out, "%-22s %.*s\n", f->name, (int)tv.len,
				(const char *)tv.val);
		} else if (number(f, &tv, &v) == 0) {
			if (f->kind == K_CAPS) {
				gc_caps_text((uint32_t)v, " ", caps, sizeof caps);
				fprintf(out, "%-22s %s\n", f->name, caps);
			} else if (f->kind == K_NS) {
				fprintf(out, "%-22s %llu.%03llus\n", f->name,
					(unsigned long long)(v / 1000000000u),
					(unsigned long long)(v / 1000000u % 1000));
			} else {
				fprintf(out, "%-22s %llu\n", f->name,
					(unsigned long long)v);
			}
		}
	}
}
