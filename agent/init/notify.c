/* sd_notify to the host (pid1.h): notify= parsed, one message sent. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "agent.h"
#include "pid1.h"

static int parse_u32(const char *s, const char **end, uint32_t *v)
{
	unsigned long long n = 0;
	const char *p = s;

	while (*p >= '0' && *p <= '9') {
		n = n * 10 + (unsigned)(*p - '0');
		if (n > 0xffffffffull)
			return -1;
		p++;
	}
	if (p == s)
		return -1;
	*v = (uint32_t)n;
	*end = p;
	return 0;
}

int gd_notify_parse(const char *spec, struct gd_notify_addr *out)
{
	static const struct { const char *prefix; int type; } forms[] = {
		{ "vsock:", 0 },
		{ "vsock-dgram:", SOCK_DGRAM },
		{ "vsock-stream:", SOCK_STREAM },
		{ "vsock-seqpacket:", SOCK_SEQPACKET },
	};
	const char *p = NULL;

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		size_t n = strlen(forms[i].prefix);

		if (strncmp(spec, forms[i].prefix, n) == 0) {
			out->type = forms[i].type;
			p = spec + n;
			break;
		}
	}
	if (!p || parse_u32(p, &p, &out->cid) || *p++ != ':' ||
	    parse_u32(p, &p, &out->port) || *p)
		return -1;
	return 0;
}

/* One message on one socket of the given type; 0 or -1 with errno. */
static int send_one(const struct gd_notify_addr *na, int type,
		    const char *msg)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = na->cid,
				  .svm_port = na->port };
	struct pollfd p;
	int fd, err = 0, rc = -1;
	socklen_t el = sizeof err;

	fd = socket(AF_VSOCK, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) && errno != EINPROGRESS)
		goto out;
	p = (struct pollfd){ .fd = fd, .events = POLLOUT };
	if (poll(&p, 1, GD_NOTIFY_TIMEOUT_MS) != 1) {
		errno = ETIMEDOUT;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) || err) {
		errno = err ? err : errno;
		goto out;
	}
	if (send(fd, msg, strlen(msg), MSG_NOSIGNAL) == (ssize_t)strlen(msg))
		rc = 0;
out:
	err = errno;
	close(fd);
	errno = err;
	return rc;
}

void gd_notify(struct gd_agent *a, const char *msg)
{
	struct gd_notify_addr na;
	int rc;

	if (!a->cfg.notify[0])
		return;
	if (gd_notify_parse(a->cfg.notify, &na)) {
		gd_logf(&a->log, GD_LOG_WARN, "notify=%s: not vsock[-TYPE]:CID:PORT",
			a->cfg.notify);
		return;
	}
	if (na.type) {
		rc = send_one(&na, na.type, msg);
	} else {
		rc = send_one(&na, SOCK_DGRAM, msg);
		if (rc && (errno == ESOCKTNOSUPPORT || errno == EPROTONOSUPPORT ||
			   errno == EOPNOTSUPP || errno == EAFNOSUPPORT ||
			   errno == ENODEV))
			rc = send_one(&na, SOCK_SEQPACKET, msg);
	}
	if (rc)
		gd_logf(&a->log, GD_LOG_WARN, "notify %s '%s': %s", a->cfg.notify,
			msg, strerror(errno));
	else
		gd_logf(&a->log, GD_LOG_DEBUG, "notified %s", msg);
}
