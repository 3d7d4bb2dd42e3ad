#include "client.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "sysinfo.h"

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

	if (!*s || *s == '-')
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

static void set_deadline(struct gc_client *c)
{
	c->deadline = gd_clock_ns(CLOCK_MONOTONIC) +
		      (uint64_t)c->timeout_ms * 1000000u;
}

static int remaining_ms(const struct gc_client *c)
{
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);

	if (now >= c->deadline)
		return 0;
	return (int)((c->deadline - now + 999999) / 1000000);
}

/* Wait for events on c->fd until the deadline; 1 ready, 0 timeout, -1 error. */
static int wait_fd(struct gc_client *c, short events)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = events };
		int ms = remaining_ms(c), r;

		if (ms == 0)
			return 0;
		r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : r;
	}
}

static int fail(struct gc_client *c, int code, const char *what, int err)
{
	if (err)
		snprintf(c->error, sizeof c->error, "%s: %s", what,
			 strerror(err));
	else
		snprintf(c->error, sizeof c->error, "%s", what);
	return code;
}

int gc_connect(struct gc_client *c, const struct gc_target *t, int timeout_ms)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	struct sockaddr_vm sv = { .svm_family = AF_VSOCK };
	struct sockaddr *sa;
	socklen_t sl;
	int err = 0, r;
	socklen_t el = sizeof err;

	memset(c, 0, sizeof *c);
	c->timeout_ms = timeout_ms;
	c->next_id = 1;
	gd_dec_init(&c->dec);
	set_deadline(c);
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
	c->fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (c->fd < 0)
		return fail(c, GC_EXIT_CONNECT, "socket", errno);
	if (connect(c->fd, sa, sl) == 0)
		return GC_EXIT_OK;
	if (errno != EINPROGRESS && errno != EAGAIN)
		return fail(c, GC_EXIT_CONNECT, "connect", errno);
	r = wait_fd(c, POLLOUT);
	if (r == 0)
		return fail(c, GC_EXIT_TIMEOUT, "connect timed out", 0);
	if (r < 0 || getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el))
		return fail(c, GC_EXIT_CONNECT, "connect", errno);
	if (err)
		return fail(c, GC_EXIT_CONNECT, "connect", err);
	return GC_EXIT_OK;
}

void gc_close(struct gc_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static int send_all(struct gc_client *c, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = send(c->fd, p, n, MSG_NOSIGNAL);
		int r;

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno != EAGAIN)
			return fail(c, GC_EXIT_PROTOCOL, "send", errno);
		r = wait_fd(c, POLLOUT);
		if (r == 0)
			return fail(c, GC_EXIT_TIMEOUT, "timed out sending", 0);
		if (r < 0)
			return fail(c, GC_EXIT_PROTOCOL, "poll", errno);
	}
	return GC_EXIT_OK;
}

/* Read until a frame for id arrives. */
static int receive(struct gc_client *c, uint32_t id, struct gd_frame *resp)
{
	for (;;) {
		int r = gd_dec_next(&c->dec, resp);
		size_t room;
		uint8_t *dst;
		ssize_t n;

		if (r == GD_DEC_FRAME) {
			if ((resp->hdr.flags & GD_F_RESPONSE) &&
			    (resp->hdr.id == id || resp->hdr.id == 0))
				return GC_EXIT_OK;
			continue; /* an event or a stale answer */
		}
		if (r == GD_DEC_ERROR || r == GD_DEC_GARBAGE)
			return fail(c, GC_EXIT_PROTOCOL,
				    "malformed frame from the agent", 0);
		r = wait_fd(c, POLLIN);
		if (r == 0)
			return fail(c, GC_EXIT_TIMEOUT,
				    "timed out waiting for the agent", 0);
		if (r < 0)
			return fail(c, GC_EXIT_PROTOCOL, "poll", errno);
		dst = gd_dec_space(&c->dec, &room);
		n = recv(c->fd, dst, room, 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return fail(c, GC_EXIT_PROTOCOL, "recv", errno);
		if (n == 0)
			return fail(c, GC_EXIT_PROTOCOL,
				    "the agent closed the connection", 0);
		gd_dec_commit(&c->dec, (size_t)n);
	}
}

int gc_call(struct gc_client *c, uint8_t *req, size_t req_len,
	    struct gd_frame *resp)
{
	struct gd_hdr h;
	uint32_t id = c->next_id++;
	int r;

	if (c->next_id == 0)
		c->next_id = 1;
	if (gd_hdr_unpack(req, &h))
		return fail(c, GC_EXIT_PROTOCOL, "bad request frame", 0);
	h.id = id;
	gd_hdr_pack(&h, req);
	set_deadline(c);
	r = send_all(c, req, req_len);
	return r ? r : receive(c, id, resp);
}

int gc_call_simple(struct gc_client *c, uint16_t op, struct gd_frame *resp)
{
	uint8_t storage[GD_HDR_LEN];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = op };

	gd_buf_init(&b, storage, sizeof storage);
	gd_frame_begin(&w, &b, &h);
	gd_frame_end(&w);
	return gc_call(c, b.data, b.len, resp);
}

int gc_hello(struct gc_client *c, uint32_t *caps)
{
	uint8_t storage[64];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = GD_OP_HELLO };
	struct gd_frame resp;
	struct gd_tlv_view tv;
	int r;

	gd_buf_init(&b, storage, sizeof storage);
	gd_frame_begin(&w, &b, &h);
	gd_tlv_u16(&w, GD_T_PROTO_VERSION, GD_PROTO_VERSION);
	gd_frame_end(&w);
	r = gc_call(c, b.data, b.len, &resp);
	if (r)
		return r;
	if (resp.hdr.status != GD_S_OK) {
		snprintf(c->error, sizeof c->error, "hello refused: %s",
			 gd_status_name(resp.hdr.status));
		return GC_EXIT_AGENT;
	}
	*caps = 0;
	if (gd_tlv_find(resp.payload, resp.hdr.length, GD_T_CAPS, &tv) == 0)
		gd_tlv_get_u32(&tv, caps);
	return GC_EXIT_OK;
}
