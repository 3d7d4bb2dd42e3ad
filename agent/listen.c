/* Listening sockets: a unix stream socket and AF_VSOCK. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "agent.h"

#define GD_LISTEN_BACKLOG 64

static struct gd_listener *add(struct gd_agent *a, int fd,
			       enum gd_listener_kind kind)
{
	struct gd_listener *l = &a->listeners[a->nlisteners++];

	l->fd = fd;
	l->kind = kind;
	l->proto = GD_PROTO_NATIVE;
	return l;
}

/* A leftover socket file nobody listens on may be replaced; a live one not. */
static int unix_path_free(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
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
	memcpy(sa.sun_path, path, strlen(path) + 1);
	busy = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
	close(fd);
	if (busy) {
		errno = EADDRINUSE;
		return -1;
	}
	return unlink(path);
}

static int open_unix(struct gd_agent *a, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, rc;

	if (strlen(path) >= sizeof sa.sun_path) {
		gd_logf(&a->log, GD_LOG_ERR, "unix socket path too long: %s",
			path);
		return -1;
	}
	if (unix_path_free(path)) {
		gd_logf(&a->log, GD_LOG_ERR, "unix socket %s: %s", path,
			errno == EADDRINUSE ? "another agent is listening there"
					    : strerror(errno));
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	old = umask(0177); /* the socket is created 0600 */
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc || listen(fd, GD_LISTEN_BACKLOG))
		goto fail;
	gd_strlcpy(add(a, fd, GD_LK_UNIX)->desc, path,
		   sizeof a->listeners[0].desc);
	gd_logf(&a->log, GD_LOG_INFO, "listening on unix %s", path);
	return 0;
fail:
	gd_logf(&a->log, GD_LOG_ERR, "unix socket %s: %s", path,
		strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

/* Returns 1 when the kernel has no AF_VSOCK (not an error for guestd). */
static int open_vsock(struct gd_agent *a, uint32_t port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY,
				  .svm_port = port };
	struct gd_listener *l;
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 && (errno == EAFNOSUPPORT || errno == ENODEV)) {
		gd_logf(&a->log, GD_LOG_WARN,
			"no AF_VSOCK in this kernel (load the vsock modules); "
			"not listening on vsock");
		return 1;
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    listen(fd, GD_LISTEN_BACKLOG)) {
		gd_logf(&a->log, GD_LOG_ERR, "vsock port %u: %s", port,
			errno == EADDRINUSE ? "port already in use"
					    : strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	l = add(a, fd, GD_LK_VSOCK);
	memcpy(l->desc, "vsock", 6);
	gd_logf(&a->log, GD_LOG_INFO, "listening on vsock port %u", port);
	return 0;
}

/* rc from opening one listener; on success, that listener speaks QGA. */
static int speak_qga(struct gd_agent *a, int rc)
{
	struct gd_listener *l = &a->listeners[a->nlisteners - 1];

	if (rc == 0) {
		l->proto = GD_PROTO_QGA;
		gd_logf(&a->log, GD_LOG_INFO,
			"%s: QEMU guest agent protocol", l->desc);
	}
	return rc;
}

/*
 * QGA has no authentication. With a key set, a QGA listener on vsock or
 * unix would serve anyone who can reach it without the key, so it is
 * opened only when qga-trust=channel says the channel is trusted. 1 to
 * open it; 0 when refused (logged as an error).
 */
static int qga_allowed(struct gd_agent *a, const char *what)
{
	if (!a->auth_on)
		return 1;
	if (strcmp(a->cfg.qga_trust, "channel") == 0) {
		gd_logf(&a->log, GD_LOG_WARN, "%s: QEMU guest agent protocol "
			"without authentication (qga-trust=channel): anyone who "
			"can connect is trusted", what);
		return 1;
	}
	gd_logf(&a->log, GD_LOG_ERR, "%s not opened: the QEMU guest agent "
		"protocol cannot prove key-file's key; set qga-trust=channel "
		"to serve it unauthenticated", what);
	return 0;
}

int gd_listeners_open(struct gd_agent *a)
{
	int failed = 0;

	a->nlisteners = 0;
	if (a->cfg.unix_path[0] && open_unix(a, a->cfg.unix_path))
		failed = 1;
	if (a->cfg.vsock && open_vsock(a, a->cfg.vsock_port) < 0)
		failed = 1;
	if (a->cfg.qga_unix[0] && (!qga_allowed(a, "qga-unix") ||
				    speak_qga(a, open_unix(a, a->cfg.qga_unix))))
		failed = 1;
	if (a->cfg.qga_vsock_port && (!qga_allowed(a, "qga-vsock-port") ||
		speak_qga(a, open_vsock(a, a->cfg.qga_vsock_port)) < 0))
		failed = 1;
	return failed ? -1 : 0;
}

void gd_listeners_close(struct gd_agent *a)
{
	for (int i = 0; i < a->nlisteners; i++) {
		close(a->listeners[i].fd);
		if (a->listeners[i].kind == GD_LK_UNIX)
			unlink(a->listeners[i].desc);
	}
	a->nlisteners = 0;
}
