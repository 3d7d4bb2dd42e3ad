#include "target.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

int gc_target_unix(struct gc_target *t, const char *path)
{
	memset(t, 0, sizeof *t);
	if (!*path || strlen(path) >= sizeof t->path)
		return -1;
	t->kind = GC_T_UNIX;
	memcpy(t->path, path, strlen(path) + 1);
	snprintf(t->desc, sizeof t->desc, "unix:%s", path);
	return 0;
}

static int parse_u32(const char *s, uint32_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || v > 0xffffffffull)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int gc_target_vsock(struct gc_target *t, const char *spec)
{
	char cid[32];
	const char *colon = strchr(spec, ':');
	size_t n = colon ? (size_t)(colon - spec) : strlen(spec);

	memset(t, 0, sizeof *t);
	t->kind = GC_T_VSOCK;
	t->port = GD_DEFAULT_VSOCK_PORT;
	if (n == 0 || n >= sizeof cid)
		return -1;
	memcpy(cid, spec, n);
	cid[n] = '\0';
	if (parse_u32(cid, &t->cid) || (colon && parse_u32(colon + 1, &t->port)))
		return -1;
	snprintf(t->desc, sizeof t->desc, "vsock:%u:%u", t->cid, t->port);
	return 0;
}

int gc_target_connect(const struct gc_target *t)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	struct sockaddr_vm sv = { .svm_family = AF_VSOCK };
	struct sockaddr *sa;
	socklen_t sl;
	int fd;

	if (t->kind == GC_T_UNIX) {
		memcpy(su.sun_path, t->path, strlen(t->path) + 1);
		sa = (struct sockaddr *)&su;
		sl = sizeof su;
	} else {
		sv.svm_cid = t->cid;
		sv.svm_port = t->port;
		sa = (struct sockaddr *)&sv;
		sl = sizeof sv;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, sl) == 0 || errno == EINPROGRESS)
		return fd;
	{
		int err = errno;

		close(fd);
		errno = err;
	}
	return -1;
}
