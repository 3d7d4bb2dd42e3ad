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
#include "gate.h"
#include "qga.h"
#include "serial.h"
#include "serve.h"
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
	gd_out_notice(a, fd, proto == GD_PROTO_QGA, GD_S_BUSY,
		      "all connection slots in use");
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
		if (gd_peer_admit(a, l, fd, &ss))
			continue;
		c = free_slot(a);
		if (!c) {
			refuse_busy(a, fd, l->proto);
			continue;
		}
		gd_conn_attach(a, c, fd, "unix", l->proto);
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
		    const char *peer, enum gd_proto proto)
{
	(void)a;
	c->fd = fd;
	c->serial = 0;
	gd_strlcpy(c->peer, peer, sizeof c->peer);
	gd_conn_fresh(c, proto);
}

void gd_conn_fresh(struct gd_conn *c, enum gd_proto proto)
{
	c->eof = 0;
	c->hung = 0;
	gd_session_reset(&c->sess, proto);
	gd_out_reset(c);
}

void gd_conn_close(struct gd_agent *a, struct gd_conn *c, const char *why)
{
	if (c->fd < 0)
		return;
	gd_logf(&a->log, GD_LOG_DEBUG, "closing %s: %s", c->peer, why);
	gd_conn_fresh(c, c->sess.proto); /* keys and watches gone at once */
	if (c->serial) {
		gd_serial_hangup(a, c);
		return;
	}
	close(c->fd);
	c->fd = -1;
}

/* Output room c needs before it may take a request: one whole answer. */
static size_t answer_room(const struct gd_conn *c)
{
	return c->sess.proto == GD_PROTO_QGA ? GD_QGA_RESP_MAX : GD_MAX_FRAME;
}

/* Where the next read goes, for the protocol c speaks. */
static uint8_t *in_space(struct gd_conn *c, size_t *room)
{
	if (c->sess.proto == GD_PROTO_QGA)
		return (uint8_t *)gd_jf_space(&c->sess.in.qga, room);
	return gd_dec_space(&c->sess.in.dec, room);
}

static void in_commit(struct gd_conn *c, size_t n)
{
	if (c->sess.proto == GD_PROTO_QGA)
		gd_jf_commit(&c->sess.in.qga, n);
	else
		gd_dec_commit(&c->sess.in.dec, n);
}

/*
 * At most GD_READ_BUDGET bytes per wakeup: a peer that keeps sending must
 * not keep the loop from the others (poll wakes us again for the rest).
 */
static void read_in(struct gd_agent *a, struct gd_conn *c)
{
	size_t budget = GD_READ_BUDGET;

	for (;;) {
		size_t room;
		uint8_t *dst;
		ssize_t n;

		if (gd_out_room(c) < answer_room(c) || c->sess.closing ||
		    budget == 0)
			return; /* answers pending: let the peer read first */
		dst = in_space(c, &room);
		if (room == 0) {
			gd_conn_process(a, c);
			continue;
		}
		if (room > budget)
			room = budget;
		n = read(c->fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			c->eof = 1;
			return;
		}
		budget -= (size_t)n;
		gd_time_rx_stamp(c);
		in_commit(c, (size_t)n);
		gd_conn_process(a, c);
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
		full = gd_conn_process(a, c);
		gd_kv_conn_io(a, c);
		if (gd_out_flush(c)) {
			gd_conn_close(a, c, "write failed");
			return;
		}
	} while (full && gd_out_len(c) == 0);
	if (c->eof && !full && gd_out_len(c) == 0)
		gd_conn_close(a, c, "peer closed");
	else if (c->sess.closing && gd_out_len(c) == 0)
		gd_conn_close(a, c, "refused after an authentication failure");
}

short gd_conn_events(const struct gd_conn *c)
{
	short ev = 0;

	if (c->fd < 0)
		return 0;
	if (!c->eof && !c->sess.closing && gd_out_room(c) >= answer_room(c))
		ev |= POLLIN;
	if (gd_out_len(c) || c->sess.kv_dropped)
		ev |= POLLOUT;
	return ev;
}

/*
 * When c's deadline falls (0: none): a frame partly received, or answers
 * the peer does not read, for longer than the whole-frame deadline.
 */
static uint64_t due_at(const struct gd_agent *a, const struct gd_conn *c,
		       const char **why)
{
	uint64_t limit = gd_frame_deadline_ns(a), due = 0;

	if (c->fd < 0)
		return 0;
	if (c->sess.partial_since) {
		due = c->sess.partial_since + limit;
		*why = "frame not completed";
	}
	if (c->sess.stalled_since &&
	    (!due || c->sess.stalled_since + limit < due)) {
		due = c->sess.stalled_since + limit;
		*why = "answers not read";
	}
	return due;
}

void gd_conns_expire(struct gd_agent *a, uint64_t now)
{
	for (int i = 0; i < GD_MAX_CONNS; i++) {
		struct gd_conn *c = &a->conns[i];
		const char *why = NULL;
		uint64_t due = due_at(a, c, &why);

		if (due && now >= due) {
			gd_logf(&a->log, GD_LOG_WARN, "%s: %s within %llu ms",
				c->peer, why, (unsigned long long)
				(gd_frame_deadline_ns(a) / 1000000u));
			gd_conn_close(a, c, "deadline");
		}
	}
}

uint64_t gd_conns_due(const struct gd_agent *a)
{
	uint64_t best = GD_DUE_NEVER;

	for (int i = 0; i < GD_MAX_CONNS; i++) {
		const char *why;
		uint64_t due = due_at(a, &a->conns[i], &why);

		if (due)
			best = gd_due_min(best, due);
	}
	return best;
}
