/*
 * The guest-local socket's gate (`guestd kv`; the socket is a listener of
 * transport/listen.c with policy GD_LP_LOCAL, mode 0666): its peers are
 * checked with SO_PEERCRED and SO_PEERGROUPS: root, or a uid / gid listed
 * in kv-allow-uid / kv-allow-gid. A refused peer gets one NOT_PERMITTED
 * frame, then EOF. An admitted one may use KV and the basic ops only.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "gate.h"
#include "kv.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13; older kernels: primary gid only */
#endif

static int parse_id(const char *s, int n, uint32_t *id)
{
	uint64_t v = 0;

	while (n > 0 && (*s == ' ' || *s == '\t')) { /* "1000, 65534" */
		s++;
		n--;
	}
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n <= 0 || n > 10)
		return -1;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > 0xfffffffeu)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

static int listed(const char *list, uint32_t id)
{
	const char *e;
	size_t pos = 0;
	uint32_t v;
	int n;

	while ((n = gd_cfg_list_next(list, &pos, &e)) >= 0)
		if (parse_id(e, n, &v) == 0 && v == id)
			return 1;
	return 0;
}

static void check_list(struct gd_agent *a, const char *name, const char *list)
{
	const char *e;
	size_t pos = 0;
	uint32_t v;
	int n;

	while ((n = gd_cfg_list_next(list, &pos, &e)) >= 0)
		if (parse_id(e, n, &v))
			gd_logf(&a->log, GD_LOG_WARN,
				"%s: '%.*s' is not a numeric id; ignored", name,
				n, e);
}

void gd_local_gate_setup(struct gd_agent *a)
{
	check_list(a, "kv-allow-uid", a->cfg.kv_allow_uid);
	check_list(a, "kv-allow-gid", a->cfg.kv_allow_gid);
}

static int groups_allowed(const struct gd_agent *a, int fd)
{
	static gid_t groups[GD_KV_MAX_GROUPS];
	socklen_t len = sizeof groups;

	if (!a->cfg.kv_allow_gid[0] ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len))
		return 0;
	for (size_t i = 0; i < len / sizeof groups[0]; i++)
		if (listed(a->cfg.kv_allow_gid, groups[i]))
			return 1;
	return 0;
}

static int peer_allowed(const struct gd_agent *a, int fd,
			const struct ucred *uc)
{
	return uc->uid == 0 || listed(a->cfg.kv_allow_uid, uc->uid) ||
	       listed(a->cfg.kv_allow_gid, uc->gid) || groups_allowed(a, fd);
}

static void refuse(struct gd_agent *a, int fd, const char *peer,
		   const char *msg)
{
	gd_out_notice(a, fd, 0, GD_S_NOT_PERMITTED, msg);
	gd_refusal_log(a, "%s: %s", peer, msg);
	close(fd);
}

int gd_local_admit(struct gd_agent *a, int fd, const struct gd_peer_cred *pc,
		   char *peer, size_t cap)
{
	const struct ucred *uc = &pc->uc;
	char msg[160];

	if (pc->err) {
		refuse(a, fd, "local", "cannot read the peer's credentials");
		return -1;
	}
	snprintf(peer, cap, "local:pid=%d,uid=%u,gid=%u", (int)uc->pid,
		 (unsigned)uc->uid, (unsigned)uc->gid);
	if (peer_allowed(a, fd, uc))
		return 0;
	snprintf(msg, sizeof msg, "uid %u is not allowed on guestd's local "
		 "socket (see kv-allow-uid, kv-allow-gid)", (unsigned)uc->uid);
	refuse(a, fd, peer, msg);
	return -1;
}

int gd_local_op_refused(const struct gd_conn *c, uint16_t op)
{
	if (c->sess.kv_role != GD_KV_ROLE_GUEST)
		return 0;
	switch (op) {
	case GD_OP_HELLO:
	case GD_OP_PING:
	case GD_OP_INFO:
	case GD_OP_KV_GET:
	case GD_OP_KV_SET:
	case GD_OP_KV_DEL:
	case GD_OP_KV_LIST:
	case GD_OP_KV_WATCH:
		return 0;
	default:
		return 1;
	}
}
