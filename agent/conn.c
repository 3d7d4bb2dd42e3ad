/* Connection slots: accept, non-blocking reads and writes, deadlines. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "agent.h"
#include "qga.h"
#include "serial.h"
#include "sysinfo.h"

void gd_conns_init(struct gd_agent *a)
{
	for (int i = 0; i < GD_MAX_CONNS; i++)
		a->conns[i].fd = -1;
}

static struct gd_conn *free_slot(struct gd_agent *a)
{
	for (int i = 0; i < GD_MAX_CONNS; i++)
		if (a->conns[i].fd < 0)
			return &a->conns[i];
	return NULL;
}

/* All slots taken: tell the peer in one best-effort write, then close. */
static void refuse_busy(struct gd_agent *a, int fd, enum gd_proto proto)
{
	static const char qga_busy[] = "{\"error\": {\"class\": \"GenericError\", "
				       "\"desc\": \"all connection slots in use\"}}\n";
	uint8_t frame[sizeof qga_busy + GD_HDR_LEN + 64];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION,
			    .flags = GD_F_RESPONSE, .status = GD_S_BUSY };

	gd_buf_init(&b, frame, sizeof frame);
	if (proto == GD_PROTO_QGA) { /* the same notice, in QGA's words */
		gd_buf_put(&b, qga_busy, sizeof qga_busy - 1);
	} else {
		gd_frame_begin(&w, &b, &h);
		gd_tlv_str(&w, GD_T_MESSAGE, "all connection slots in use");
		gd_frame_end(&w);
	}
	if (send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		gd_logf(&a->log, GD_LOG_DEBUG, "busy notice not sent: %s",
			strerror(errno));
	close(fd);
	a->stats.refused_busy++;
}

static void describe_peer(struct gd_conn *c, enum gd_listener_kind kind,
			  const struct sockaddr_storage *ss)
{
	if (kind == GD_LK_VSOCK) {
		const struct sockaddr_vm *vm = (const void *)ss;

		snprintf(c->peer, sizeof c->peer, "vsock:%u:%u", vm->svm_cid,
			 vm->svm_port);
	} else {
		memcpy(c->peer, "unix", 5);
	}
}

void gd_conn_accept(struct gd_agent *a, struct gd_listener *l)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof ss;
		struct gd_conn *c;
		int fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				gd_logf(&a->log, GD_LOG_WARN, "accept on %s: %s",
					l->desc, strerror(errno));
			return;
		}
		c = free_slot(a);
		if (!c) {
			refuse_busy(a, fd, l->proto);
			continue;
		}
		gd_conn_attach(a, c, fd, "unix");
		gd_conn_speak(c, l->proto);
		describe_peer(c, l->kind, &ss);
		if (gd_kv_conn_accepted(a, c, l)) {
			gd_conn_close(a, c, "peer not permitted");
			continue;
		}
		a->stats.accepted++;
		gd_logf(&a->log, GD_LOG_DEBUG, "connection from %s", c->peer);
	}
}

void gd_conn_attach(struct gd_agent *a, struct gd_conn *c, int fd,
		    const char *peer)
{
	(void)a;
	c->fd = fd;
	c->eof = 0;
	c->serial = 0;
	c->hung = 0;
	c->partial_since = 0;
	c->rx_real = 0;
	c->tx_stamp_pending = 0;
	gd_dec_init(&c->dec);
	gd_buf_init(&c->out, c->outbuf, sizeof c->outbuf);
	gd_strlcpy(c->peer, peer, sizeof c->peer);
	c->proto = GD_PROTO_NATIVE;
	gd_kv_conn_reset(c);
}

void gd_conn_speak(struct gd_conn *c, enum gd_proto proto)
{
	c->proto = proto;
	if (proto == GD_PROTO_QGA)
		gd_jf_init(&c->qga_in);
}

void gd_conn_close(struct gd_agent *a, struct gd_conn *c, const char *why)
{
	if (c->fd < 0)
		return;
	gd_logf(&a->log, GD_LOG_DEBUG, "closing %s: %s", c->peer, why);
	if (c->serial) {
		gd_serial_hangup(a, c);
		return;
	}
	close(c->fd);
	c->fd = -1;
}

/*
 * read(2)/write(2) rather than recv/send so any stream fd works; SIGPIPE
 * is ignored process-wide, so a vanished peer is just EPIPE.
 */
/* Write what is queued; 0 while the connection is usable, -1 if it broke. */
static int flush_out(struct gd_conn *c)
{
	while (c->out.len) {
		ssize_t n;

		gd_time_tx_patch(c);
		n = write(c->fd, c->out.data, c->out.len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -1;
		gd_buf_consume(&c->out, (size_t)n);
		gd_time_tx_sent(c, (size_t)n);
	}
	return 0;
}

/* Output room c needs before it may take a request: one whole answer. */
static size_t answer_room(const struct gd_conn *c)
{
	return c->proto == GD_PROTO_QGA ? GD_QGA_RESP_MAX : GD_MAX_FRAME;
}

/* Where the next read goes, for the protocol c speaks. */
static uint8_t *in_space(struct gd_conn *c, size_t *room)
{
	if (c->proto == GD_PROTO_QGA)
		return (uint8_t *)gd_jf_space(&c->qga_in, room);
	return gd_dec_space(&c->dec, room);
}

static void in_commit(struct gd_conn *c, size_t n)
{
	if (c->proto == GD_PROTO_QGA)
		gd_jf_commit(&c->qga_in, n);
	else
		gd_dec_commit(&c->dec, n);
}

/*
 * Decode and answer whole frames while there is room for an answer.
 * Returns 1 when it stopped for lack of room (frames may be left).
 */
static int process(struct gd_agent *a, struct gd_conn *c)
{
	struct gd_frame f;
	int full = 0;

	if (c->proto == GD_PROTO_QGA) /* no deadline: qemu-ga has none */
		return gd_qga_process(a, c);
	for (;;) {
		int r;

		if (gd_buf_room(&c->out) < GD_MAX_FRAME) {
			full = 1;
			break;
		}
		r = gd_dec_next(&c->dec, &f);
		if (r == GD_DEC_NEED)
			break;
		gd_dispatch(a, c, r, &f);
	}
	if (!gd_dec_partial(&c->dec))
		c->partial_since = 0;
	else if (!c->partial_since)
		c->partial_since = gd_clock_ns(CLOCK_MONOTONIC);
	return full;
}

static void read_in(struct gd_agent *a, struct gd_conn *c)
{
	for (;;) {
		size_t room;
		uint8_t *dst;
		ssize_t n;

		if (gd_buf_room(&c->out) < answer_room(c))
			return; /* answers pending: let the peer read first */
		dst = in_space(c, &room);
		if (room == 0) {
			process(a, c);
			continue;
		}
		n = read(c->fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->eof = 1;
			return;
		}
		gd_time_rx_stamp(c);
		in_commit(c, (size_t)n);
		process(a, c);
		if ((size_t)n < room)
			return; /* drained: poll(2) says when more comes */
	}
}

/*
 * Frames already buffered get no further POLLIN, so answer and flush until
 * they are all answered or the peer must read before we can go on (POLLOUT).
 */
void gd_conn_io(struct gd_agent *a, struct gd_conn *c, short revents)
{
	int full;

	/*
	 * Serial: a hang-up is handled before reading, so that a host that
	 * connected again meanwhile keeps the request it already sent.
	 */
	if (c->serial && (revents & (POLLHUP | POLLERR)) &&
	    gd_serial_hung(a, c))
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		read_in(a, c);
	if (c->serial && c->eof) {
		gd_conn_close(a, c, "hang-up"); /* the next host starts clean */
		return;
	}
	do {
		full = process(a, c);
		gd_kv_conn_io(a, c);
		if (flush_out(c)) {
			gd_conn_close(a, c, "write failed");
			return;
		}
	} while (full && c->out.len == 0);
	if (c->eof && !full && c->out.len == 0)
		gd_conn_close(a, c, "peer closed");
}

short gd_conn_events(const struct gd_conn *c)
{
	short ev = 0;

	if (c->fd < 0)
		return 0;
	if (!c->eof && gd_buf_room(&c->out) >= answer_room(c))
		ev |= POLLIN;
	if (c->out.len || c->kv_dropped)
		ev |= POLLOUT;
	return ev;
}

void gd_conns_expire(struct gd_agent *a, uint64_t now)
{
	uint64_t limit = (uint64_t)GD_FRAME_DEADLINE_MS * 1000000u;

	for (int i = 0; i < GD_MAX_CONNS; i++) {
		struct gd_conn *c = &a->conns[i];

		if (c->fd >= 0 && c->partial_since &&
		    now - c->partial_since >= limit) {
			gd_logf(&a->log, GD_LOG_WARN,
				"%s: frame not completed within %d ms",
				c->peer, GD_FRAME_DEADLINE_MS);
			gd_conn_close(a, c, "frame deadline");
		}
	}
}

int gd_conns_next_timeout(const struct gd_agent *a, uint64_t now)
{
	uint64_t limit = (uint64_t)GD_FRAME_DEADLINE_MS * 1000000u;
	int best = -1;

	for (int i = 0; i < GD_MAX_CONNS; i++) {
		const struct gd_conn *c = &a->conns[i];
		uint64_t due;
		int ms;

		if (c->fd < 0 || !c->partial_since)
			continue;
		due = c->partial_since + limit;
		ms = due <= now ? 0 : (int)((due - now + 999999) / 1000000);
		if (best < 0 || ms < best)
			best = ms;
	}
	return best;
}
