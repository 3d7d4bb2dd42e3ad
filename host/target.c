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

	if (t->kind != GC_T_VSOCK) { /* unix, and hybrid's relay socket */
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

/* Digits only, in decimal (a hybrid relay reads the port as decimal). */
static int parse_dec_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;

	for (; *s; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > 0xffffffffull)
			return -1;
	}
	*out = (uint32_t)v;
	return 0;
}

int gc_target_hybrid(struct gc_target *t, const char *spec)
{
	char path[sizeof t->path];
	const char *colon = strrchr(spec, ':');
	uint32_t port = GD_DEFAULT_VSOCK_PORT;
	size_t n = strlen(spec);

	if (colon && colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		if (parse_dec_u32(colon + 1, &port))
			return -1;
		n = (size_t)(colon - spec);
	}
	if (n >= sizeof path)
		return -1;
	memcpy(path, spec, n);
	path[n] = '\0';
	if (gc_target_unix(t, path))
		return -1;
	t->kind = GC_T_HYBRID;
	t->port = port;
	snprintf(t->desc, sizeof t->desc, "hybrid:%s:%u", t->path, port);
	return 0;
}

int gc_target_parse(struct gc_target *t, const char *text)
{
	if (strncmp(text, "unix:", 5) == 0)
		return gc_target_unix(t, text + 5);
	if (strncmp(text, "vsock:", 6) == 0)
		return gc_target_vsock(t, text + 6);
	if (strncmp(text, "hybrid:", 7) == 0)
		return gc_target_hybrid(t, text + 7);
	return -1;
}
