/*
 * Listening sockets: unix stream sockets (the host's, 0600, and the
 * guest-local one for `guestd kv`, 0666: its peers are checked by
 * credentials, gate/local_gate.c) and AF_VSOCK.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "conn.h"
#include "gate.h"

#define GD_LISTEN_BACKLOG 64

static struct gd_listener *add(struct gd_agent *a, int fd,
			       enum gd_listener_kind kind)
{
	struct gd_listener *l = &a->net->listeners[a->net->nlisteners++];

	gd_poll_changed(a);
	l->fd = fd;
	l->kind = kind;
	l->proto = GD_PROTO_NATIVE;
	l->policy = GD_LP_HOST;
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

/* The socket file's mode: 0600 for the host's, 0666 for the local one. */
static mode_t unix_umask(enum gd_listen_policy policy)
{
	return policy == GD_LP_LOCAL ? 0111 : 0177;
}

/* Why open_unix failed, for its caller's line. */
static const char *unix_failure(int err)
{
	return err == EADDRINUSE ? "another agent is listening there"
	       : err == EMFILE ? "too many listeners"
	       : err == ENAMETOOLONG ? "path too long" : strerror(err);
}

/* A listening unix socket at path with policy's mode; -1 with errno set. */
static int open_unix(struct gd_agent *a, const char *path,
		     enum gd_listen_policy policy)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct gd_listener *l;
	mode_t old;
	int fd, rc, err;

	if (a->net->nlisteners >= GD_MAX_LISTENERS ||
	    strlen(path) >= sizeof sa.sun_path) {
		errno = a->net->nlisteners >= GD_MAX_LISTENERS ? EMFILE
							       : ENAMETOOLONG;
		return -1;
	}
	if (unix_path_free(path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	old = umask(unix_umask(policy));
	rc = bind(fd, (struct sockaddr *)&sa, sizeof sa);
	umask(old);
	if (rc || listen(fd, GD_LISTEN_BACKLOG)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	l = add(a, fd, GD_LK_UNIX);
	l->policy = policy;
	gd_strlcpy(l->desc, path, sizeof l->desc);
	return 0;
}

static int open_host_unix(struct gd_agent *a, const char *path)
{
	if (open_unix(a, path, GD_LP_HOST)) {
		gd_logf(&a->log, GD_LOG_ERR, "unix socket %s: %s", path,
			unix_failure(errno));
		return -1;
	}
	gd_logf(&a->log, GD_LOG_INFO, "listening on unix %s", path);
	return 0;
}

/*
 * The guest-local socket: never fatal, the host transports and every
 * other service go on without it.
 */
static void open_local(struct gd_agent *a)
{
	const char *path = a->cfg.local_sock;

	if (!path[0])
		return;
	gd_local_gate_setup(a);
	if (open_unix(a, path, GD_LP_LOCAL)) {
		gd_logf(&a->log, GD_LOG_WARN, "local socket %s: %s; `guestd kv` "
			"will not work", path, unix_failure(errno));
		return;
	}
	gd_logf(&a->log, GD_LOG_INFO, "listening for guest processes on %s",
		path);
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
	struct gd_listener *l = &a->net->listeners[a->net->nlisteners - 1];

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

	a->net->nlisteners = 0;
	if (a->cfg.unix_path[0] && open_host_unix(a, a->cfg.unix_path))
		failed = 1;
	if (a->cfg.vsock && open_vsock(a, a->cfg.vsock_port) < 0)
		failed = 1;
	if (a->cfg.qga_unix[0] && (!qga_allowed(a, "qga-unix") ||
				    speak_qga(a, open_host_unix(a, a->cfg.qga_unix))))
		failed = 1;
	if (a->cfg.qga_vsock_port && (!qga_allowed(a, "qga-vsock-port") ||
		speak_qga(a, open_vsock(a, a->cfg.qga_vsock_port)) < 0))
		failed = 1;
	open_local(a);
	return failed ? -1 : 0;
}

void gd_listeners_close(struct gd_agent *a)
{
	for (int i = 0; i < a->net->nlisteners; i++) {
		close(a->net->listeners[i].fd);
		if (a->net->listeners[i].kind == GD_LK_UNIX)
			unlink(a->net->listeners[i].desc);
	}
	a->net->nlisteners = 0;
	gd_poll_changed(a);
}
