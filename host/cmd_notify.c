/*
 * notify-listen: receive sd_notify messages a guest sends to the host
 * (guestd's notify=), print them, and exit once the awaited assignment
 * (READY=1 by default) arrives, so a host waits for readiness instead of
 * polling a port. Runs locally: it listens, it does not reach an agent.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "guestctl.h"
#include "json_out.h"
#include "sysinfo.h"

#define GC_NOTIFY_MSG_MAX 4096

struct listen_opts {
	int type;
	uint32_t port;
	const char *wait_for;
	int timeout_ms;
};

static int parse_opts(struct gc_ctx *ctx, int argc, char **argv,
		      struct listen_opts *o)
{
	o->type = SOCK_SEQPACKET;
	o->port = 0;
	o->wait_for = "READY=1";
	o->timeout_ms = ctx->timeout_ms;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		char *end;

		if (!v)
			return -1;
		if (strcmp(argv[i], "--type") == 0) {
			if (strcmp(v, "stream") == 0)
				o->type = SOCK_STREAM;
			else if (strcmp(v, "seqpacket") == 0)
				o->type = SOCK_SEQPACKET;
			else if (strcmp(v, "dgram") == 0)
				o->type = SOCK_DGRAM;
			else
				return -1;
		} else if (strcmp(argv[i], "--port") == 0) {
			unsigned long p = strtoul(v, &end, 10);

			if (*end || !*v || p == 0 || p > 0xfffffffeul)
				return -1;
			o->port = (uint32_t)p;
		} else if (strcmp(argv[i], "--wait-for") == 0) {
			o->wait_for = v;
		} else {
			return -1;
		}
		i++;
	}
	return o->port ? 0 : -1;
}

/* Print one message; 1 if it holds the awaited line. */
static int show(const struct gc_ctx *ctx, const struct listen_opts *o,
		const struct sockaddr_vm *from, const char *msg, size_t n)
{
	static uint8_t storage[GC_NOTIFY_MSG_MAX * 6 + 256];
	char src[48];
	int found = 0;

	snprintf(src, sizeof src, "vsock:%u:%u", from->svm_cid, from->svm_port);
	for (const char *line = msg; line < msg + n;) {
		const char *nl = memchr(line, '\n', (size_t)(msg + n - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(msg + n - line);

		if (len == strlen(o->wait_for) && !memcmp(line, o->wait_for, len))
			found = 1;
		if (!ctx->json)
			printf("%s %.*s\n", src, (int)len, line);
		line += len + 1;
	}
	if (ctx->json) {
		struct gd_buf b;
		struct gd_json j;

		gd_buf_init(&b, storage, sizeof storage);
		gd_json_init(&j, &b);
		gd_json_obj_begin(&j);
		gd_json_key(&j, "command");
		gd_json_str(&j, "notify-listen");
		gd_json_key(&j, "from");
		gd_json_str(&j, src);
		gd_json_key(&j, "message");
		gd_json_strn(&j, msg, n);
		gd_json_obj_end(&j);
		printf("%.*s\n", (int)b.len, (const char *)b.data);
	}
	fflush(stdout);
	return found;
}

/* Read one message from a fresh connection (stream: until EOF). */
static ssize_t read_message(int fd, char *buf, size_t cap, int stream)
{
	size_t len = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 1000) != 1)
			return len ? (ssize_t)len : -1;
		n = read(fd, buf + len, cap - len);
		if (n <= 0)
			return len ? (ssize_t)len : -1;
		len += (size_t)n;
		if (!stream || len == cap)
			return (ssize_t)len;
	}
}

static int receive(const struct gc_ctx *ctx, const struct listen_opts *o,
		   int lfd)
{
	static char msg[GC_NOTIFY_MSG_MAX];
	uint64_t end = gd_clock_ns(CLOCK_MONOTONIC) +
		       (uint64_t)o->timeout_ms * 1000000u;

	for (;;) {
		uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		struct sockaddr_vm from = { 0 };
		socklen_t fl = sizeof from;
		ssize_t n;
		int fd;

		if (now >= end || poll(&p, 1, (int)((end - now) / 1000000u) + 1) != 1) {
			fprintf(stderr, "guestctl notify-listen: no %s within %d ms\n",
				o->wait_for, o->timeout_ms);
			return GC_EXIT_TIMEOUT;
		}
		if (o->type == SOCK_DGRAM) {
			n = recvfrom(lfd, msg, sizeof msg, 0, (struct sockaddr *)&from, &fl);
		} else {
			fd = accept4(lfd, (struct sockaddr *)&from, &fl, SOCK_CLOEXEC);
			if (fd < 0)
				continue;
			n = read_message(fd, msg, sizeof msg, o->type == SOCK_STREAM);
			close(fd);
		}
		if (n > 0 && show(ctx, o, &from, msg, (size_t)n))
			return GC_EXIT_OK;
	}
}

static int notify_listen(struct gc_ctx *ctx, int argc, char **argv)
{
	struct listen_opts o;
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK, .svm_cid = VMADDR_CID_ANY };
	int fd, r;

	if (parse_opts(ctx, argc, argv, &o)) {
		fprintf(stderr, "usage: guestctl [--timeout MS] notify-listen --port N "
			"[--type seqpacket|stream|dgram] [--wait-for LINE]\n");
		return GC_EXIT_USAGE;
	}
	sa.svm_port = o.port;
	fd = socket(AF_VSOCK, o.type | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    (o.type != SOCK_DGRAM && listen(fd, 16))) {
		fprintf(stderr, "guestctl notify-listen: vsock port %u: %s\n", o.port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return GC_EXIT_CONNECT;
	}
	r = receive(ctx, &o, fd);
	close(fd);
	return r;
}

const struct gc_cmd gc_cmd_notify_listen = {
	.name = "notify-listen",
	.usage = "notify-listen --port N [--type T] [--wait-for LINE]  wait for a guest's sd_notify",
	.local = notify_listen,
};
