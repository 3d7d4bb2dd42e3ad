/*
 * The guest-local socket (`guestd kv`): a unix socket any local user may
 * connect to (mode 0666), whose peers are then checked with SO_PEERCRED
 * and SO_PEERGROUPS: root, or a uid / gid listed in kv-allow-uid /
 * kv-allow-gid. A refused peer gets one NOT_PERMITTED frame, then EOF.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "agent.h"
#include "gate.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13; older kernels: primary gid only */
#endif

#define GD_KV_LOCAL_BACKLOG 64

/* Replace a socket file nobody listens on; refuse a live one or a non-socket. */
static int path_free(const char *path, const struct sockaddr_un *sa)
{
	struct stat st;
	int fd, busy;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISSOCK(st.st_mode)) {
		errno = EEXIST;
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	busy = connect(fd, (const struct sockaddr *)sa, sizeof *sa) == 0;
	close(fd);
	if (busy) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(path);
}

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

static void add_listener(struct gd_agent *a, int fd, const char *path)
{
	struct gd_listener *l = &a->listeners[a->nlisteners++];

	l->fd = fd;
	l->kind = GD_LK_UNIX;
	l->local = 1;
	gd_strlcpy(l->desc, path, sizeof l->desc);
}

void gd_kv_local_open(struct gd_agent *a)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = a->cfg.local_sock;
	mode_t old;
	int fd = -1, rc;

	if (!path[0])
		return;
	check_list(a, "kv-allow-uid", a->cfg.kv_allow_uid);
	check_list(a, "kv-allow-gid", a->cfg.kv_allow_gid);
	if (a->nlisteners >= GD_MAX_LISTENERS || strlen(path) >= sizeof sa.sun_path) {
		gd_logf(&a->log, GD_LOG_ERR, "local socket %s: %s", path,
			a->nlisteners >= GD_MAX_LISTENERS ? "too many listeners"
							  : "path too long");
		return;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (path_free(path, &sa))
		goto fail;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	old = umask(0111); /* 0666: SO_PEERCRED decides, not the file mode */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc || listen(fd, GD_KV_LOCAL_BACKLOG))
		goto fail;
	add_listener(a, fd, path);
	gd_logf(&a->log, GD_LOG_INFO, "listening for guest processes on %s",
		path);
	return;
fail:
	/* not fatal: the host transports and every other service go on */
	gd_logf(&a->log, GD_LOG_WARN, "local socket %s: %s; `guestd kv` "
		"will not work", path, errno == EADDRINUSE
		? "another agent is listening there" : strerror(errno));
	if (fd >= 0)
		close(fd);
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

int gd_kv_local_admit(struct gd_agent *a, const struct gd_listener *l,
		      int fd, char *peer, size_t cap)
{
	struct ucred uc;
	socklen_t len = sizeof uc;
	char msg[160];

	if (!l->local)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len)) {
		refuse(a, fd, "local", "cannot read the peer's credentials");
		return -1;
	}
	snprintf(peer, cap, "local:pid=%d,uid=%u,gid=%u", (int)uc.pid,
		 (unsigned)uc.uid, (unsigned)uc.gid);
	if (peer_allowed(a, fd, &uc))
		return 0;
	snprintf(msg, sizeof msg, "uid %u is not allowed on guestd's local "
		 "socket (see kv-allow-uid, kv-allow-gid)", (unsigned)uc.uid);
	refuse(a, fd, peer, msg);
	return -1;
}

void gd_kv_conn_accepted(struct gd_conn *c, const struct gd_listener *l)
{
	c->sess.kv_role = l->local ? GD_KV_ROLE_GUEST : GD_KV_ROLE_HOST;
}

int gd_kv_op_refused(const struct gd_conn *c, uint16_t op)
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
