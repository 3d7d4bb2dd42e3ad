/* Connection slots: accept, non-blocking reads and writes, deadlines. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "conn.h"
#include "gate.h"
#include "kv.h"
#include "sysinfo.h"
#include "transport.h"

#define GD_ACCEPT_BUDGET 8

/*
 * The slots' buffers: untouched until a slot is used (conn.h). A slot's
 * buffers start on a page and fill whole pages, so that they can go back
 * to the kernel when it closes (gd_conn_release) without a byte of a
 * neighbour's.
 */
#define BUFS_ALIGN 4096

static struct slot_bufs {
	_Alignas(BUFS_ALIGN) struct gd_conn_bufs b;
} conn_bufs[GD_MAX_CONNS];

void gd_conns_init(struct gd_agent *a)
{
	for (int i = 0; i < GD_MAX_CONNS; i++) {
		a->net->conns[i].fd = -1;
		a->net->conns[i].sess.in = &conn_bufs[i].b.in;
		a->net->conns[i].out = &conn_bufs[i].b.out;
	}
	memset(a->net->live, 0, sizeof a->net->live);
	a->net->warm_slot = -1;
}

/*
 * bss is private anonymous memory: a page given back reads as zeros when
 * next touched, and gd_conn_fresh sets every field the buffers' users
 * read before the slot serves again. With pages larger than BUFS_ALIGN
 * the range shrinks to the whole pages inside the slot's own.
 */
static void release_range(struct gd_agent *a, const void *from,
			  const void *to)
{
	static int logged;
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE), lo, hi;

	if (!pg || (pg & (pg - 1)))
		return;
	lo = ((uintptr_t)from + pg - 1) & ~(pg - 1);
	hi = (uintptr_t)to & ~(pg - 1);
	if (lo < hi && madvise((void *)lo, hi - lo, MADV_DONTNEED) && !logged) {
		logged = 1;
		gd_logf(&a->log, GD_LOG_WARN, "slot buffers kept: madvise: %s",
			strerror(errno));
	}
}

void gd_conn_release(struct gd_agent *a, struct gd_conn *c)
{
	unsigned slot = (unsigned)(c - a->net->conns);

	if (slot < GD_MAX_CONNS)
		release_range(a, &conn_bufs[slot], &conn_bufs[slot] + 1);
}

/*
 * The same, but the first page of the input buffer and of the queue stay:
 * all that a small exchange touches.
 */
static void release_tail(struct gd_agent *a, unsigned slot)
{
	const uint8_t *base = (const uint8_t *)&conn_bufs[slot];
	size_t out_page = offsetof(struct gd_conn_bufs, out) &
			  ~(size_t)(BUFS_ALIGN - 1);

	release_range(a, base + BUFS_ALIGN, base + out_page);
	release_range(a, base + out_page + BUFS_ALIGN, &conn_bufs[slot] + 1);
}

/*
 * A closed slot's pages go back, but for the lowest free slot, the one
 * the next newcomer takes (libmini/slots.c): it keeps its first pages,
 * so that a host that connects again and again pays no page faults. The
 * slot kept so before gives its pages back once it is no longer lowest.
 */
static void release_closed(struct gd_agent *a, struct gd_conn *c)
{
	struct gd_net *n = a->net;
	unsigned slot = (unsigned)(c - n->conns), lowest = 0;

	while (lowest < GD_MAX_CONNS && n->conns[lowest].fd >= 0)
		lowest++;
	if (slot != lowest) {
		gd_conn_release(a, c);
		return;
	}
	if (n->warm_slot >= 0 && (unsigned)n->warm_slot != slot &&
	    n->conns[n->warm_slot].fd < 0)
		gd_conn_release(a, &n->conns[n->warm_slot]);
	release_tail(a, slot);
	n->warm_slot = (int)slot;
}

/*
 * The live mask (conn.h, struct gd_net's live) spares the loop a walk of
 * every slot on every wake-up: gd_conn_attach sets a slot's bit, and a walk that
 * finds the slot closed (gd_conn_close, or a serial port given up) drops
 * it. A set bit is a hint, the fd the truth. The walks below are written
 * out rather than calling gd_conn_next: they run on every wake-up.
 */
#define LIVE_WORDS ((GD_MAX_CONNS + 31) / 32)

struct gd_conn *gd_conn_next(struct gd_agent *a, int *pos)
{
	for (int i = *pos; i < GD_MAX_CONNS;) {
		uint32_t w = a->net->live[i / 32] >> (i % 32);

		if (!w) {
			i = (i / 32 + 1) * 32;
			continue;
		}
		i += __builtin_ctz(w);
		if (a->net->conns[i].fd >= 0) {
			*pos = i + 1;
			return &a->net->conns[i];
		}
		a->net->live[i / 32] &= ~(1u << (i % 32));
		i++;
	}
	*pos = GD_MAX_CONNS;
	return NULL;
}

int gd_conns_pollfds(struct gd_agent *a, struct pollfd *pfd,
		     struct gd_conn **owner)
{
	int n = 0;

	for (int w = 0; w < LIVE_WORDS; w++) {
		for (uint32_t m = a->net->live[w]; m; m &= m - 1) {
			int i = w * 32 + __builtin_ctz(m);
			struct gd_conn *c = &a->net->conns[i];

			if (c->fd < 0) {
				a->net->live[w] &= ~(1u << (i % 32));
				continue;
			}
			if (c->hung)
				continue;
			owner[n] = c;
			pfd[n].fd = c->fd;
			pfd[n].events = gd_conn_events(c);
			pfd[n++].revents = 0;
		}
	}
	return n;
}

/* All slots taken: tell the peer in one best-effort write, then close. */
static void refuse_busy(struct gd_agent *a, int fd, enum gd_proto proto,
			uint64_t key, const char *why)
{
	gd_out_notice(a, fd, proto == GD_PROTO_QGA, GD_S_BUSY, why);
	close(fd);
	a->net->stats.refused_busy++;
	gd_peer_stats_count(&a->net->stats.peers, key, GD_PE_REFUSED);
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

/* The newcomer's slot class and peer key: the host and root first. */
static int classify(const struct gd_listener *l, int fd,
		    const struct sockaddr_storage *ss, socklen_t sl,
		    uint64_t *key, struct gd_peer_cred *pc)
{
	if (l->kind == GD_LK_VSOCK) {
		struct sockaddr_vm vm = { .svm_cid = VMADDR_CID_ANY };

		/* a short address (none of the kernel's) is nobody's */
		memcpy(&vm, ss, sl < sizeof vm ? sl : sizeof vm);
		*key = gd_peer_key(GD_PK_CID, vm.svm_cid);
		return vm.svm_cid == GD_PEER_CID_HOST ? GD_SC_PRIV : GD_SC_GUEST;
	}
	gd_peer_cred_read(fd, pc);
	if (pc->err) {
		*key = gd_peer_key(GD_PK_OTHER, 0);
		return GD_SC_GUEST;
	}
	*key = gd_peer_key(GD_PK_UID, pc->uc.uid);
	return pc->uc.uid == 0 ? GD_SC_PRIV : GD_SC_GUEST;
}

static void slot_view(const struct gd_agent *a, struct gd_slot_info *v)
{
	/* A free slot's queue is not read: its pages were given back. */
	for (int i = 0; i < GD_MAX_CONNS; i++) {
		const struct gd_conn *c = &a->net->conns[i];

		v[i] = (struct gd_slot_info){
			.cls = c->fd < 0 ? GD_SC_FREE : c->slot_class,
			.peer = c->peer_key,
			.partial_since = c->sess.partial_since,
			.quiet_since = c->quiet_since,
			.busy = c->fd >= 0 && gd_out_len(c) > 0,
			.watching = c->sess.served || c->sess.kv_watch,
		};
	}
}

static const char *peer_name(uint64_t key, char *buf, size_t cap)
{
	static const char *const kinds[] = { "other", "uid", "CID", "serial" };
	unsigned kind = (unsigned)(key >> 32);

	snprintf(buf, cap, "%s %u", kind < 4 ? kinds[kind] : "?",
		 (unsigned)(key & 0xffffffffu));
	return buf;
}

/* A slot for a newcomer per slots.h (its index), or -1 once refused. */
static int take_slot(struct gd_agent *a, int fd, int cls, uint64_t key,
		     enum gd_proto proto)
{
	struct gd_slot_info view[GD_MAX_CONNS];
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);
	char who[32], victim[32], why[80];
	int slot = -1;

	slot_view(a, view);
	switch (gd_slot_choose(view, GD_MAX_CONNS, cls, key, now, &slot)) {
	case GD_SLOT_TAKE:
		return slot;
	case GD_SLOT_EVICT:
		gd_refusal_log(a, "to keep %s (%s, %s): evicted for %s",
			       a->net->conns[slot].peer,
			       peer_name(a->net->conns[slot].peer_key, victim,
					 sizeof victim),
			       view[slot].partial_since ? "partial frame"
							: "idle",
			       peer_name(key, who, sizeof who));
		a->net->stats.evicted++;
		gd_peer_stats_count(&a->net->stats.peers, a->net->conns[slot].peer_key,
				    GD_PE_EVICTED);
		gd_conn_close(a, &a->net->conns[slot], "evicted for a newcomer");
		return slot;
	case GD_SLOT_REFUSE_PEER:
		snprintf(why, sizeof why, "too many connections from %s "
			 "(at most %d per peer)", peer_name(key, who, sizeof who),
			 GD_SLOTS_PER_PEER);
		break;
	default:
		snprintf(why, sizeof why, "all connection slots in use");
	}
	gd_refusal_log(a, "a connection of %s: %s",
		       peer_name(key, who, sizeof who), why);
	refuse_busy(a, fd, proto, key, why);
	return -1;
}

/*
 * At most GD_ACCEPT_BUDGET connections per wakeup and listener: a peer
 * that reconnects as fast as it is refused would otherwise keep the loop
 * accepting, and every other listener and connection waiting (poll(2)
 * wakes us again for the rest).
 */
void gd_conn_accept(struct gd_agent *a, struct gd_listener *l)
{
	for (int budget = GD_ACCEPT_BUDGET; budget > 0; budget--) {
		struct sockaddr_storage ss = { 0 };
		socklen_t sl = sizeof ss;
		struct gd_peer_cred pc = { .err = ENOTSOCK };
		struct gd_conn *c;
		char local[64];
		uint64_t key;
		int cls, slot, fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR &&
			    errno != ECONNABORTED)
				gd_logf(&a->log, GD_LOG_WARN, "accept on %s: %s",
					l->desc, strerror(errno));
			return;
		}
		cls = classify(l, fd, &ss, sl, &key, &pc);
		if (l->policy == GD_LP_LOCAL
			    ? gd_local_admit(a, fd, &pc, local, sizeof local)
			    : gd_peer_admit(a, l, fd, &ss, &pc)) {
			gd_peer_stats_count(&a->net->stats.peers, key, GD_PE_REFUSED);
			continue;
		}
		slot = take_slot(a, fd, cls, key, l->proto);
		if (slot < 0)
			continue;
		c = &a->net->conns[slot];
		gd_conn_attach(a, c, fd,
			       l->policy == GD_LP_LOCAL ? local : "unix",
			       l->proto);
		c->slot_class = cls;
		c->peer_key = key;
		if (l->policy == GD_LP_LOCAL)
			c->sess.kv_role = GD_KV_ROLE_GUEST;
		else
			describe_peer(c, l->kind, &ss);
		a->net->stats.accepted++;
		gd_peer_stats_count(&a->net->stats.peers, key, GD_PE_ACCEPTED);
		gd_logf(&a->log, GD_LOG_DEBUG, "connection from %s", c->peer);
	}
}

void gd_conn_attach(struct gd_agent *a, struct gd_conn *c, int fd,
		    const char *peer, enum gd_proto proto)
{
	unsigned slot = (unsigned)(c - a->net->conns);

	c->fd = fd;
	if (slot < GD_MAX_CONNS)
		a->net->live[slot / 32] |= 1u << (slot % 32);
	c->serial = 0;
	c->slot_class = GD_SC_GUEST; /* the caller says better */
	c->peer_key = gd_peer_key(GD_PK_OTHER, 0);
	c->quiet_since = gd_clock_ns(CLOCK_MONOTONIC);
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
	release_closed(a, c);
}

uint64_t gd_frame_deadline_ns(const struct gd_agent *a)
{
	uint32_t ms = a->cfg.frame_deadline_ms ? a->cfg.frame_deadline_ms
					       : GD_FRAME_DEADLINE_MS;

	return (uint64_t)ms * 1000000u;
}

/*
 * At most GD_READ_BUDGET bytes per wakeup: a peer that keeps sending must
 * not keep the loop from the others (poll wakes us again for the rest).
 * Returns 1 when the last gd_conn_process answered everything it could
 * (it did not stop for room): processing again before a flush finds
 * nothing new.
 */
static int read_in(struct gd_agent *a, struct gd_conn *c)
{
	size_t budget = GD_READ_BUDGET;
	int settled = 0;

	for (;;) {
		size_t room;
		uint8_t *dst;
		ssize_t n;

		if (gd_out_room(c) < c->sess.ops->answer_max || c->sess.closing ||
		    budget == 0)
			return settled; /* answers pending: the peer reads first */
		dst = c->sess.ops->in_space(c->sess.in, &room);
		if (room == 0) {
			settled = !gd_conn_process(a, c);
			continue;
		}
		if (room > budget)
			room = budget;
		n = read(c->fd, dst, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return settled;
		if (n <= 0) {
			c->eof = 1;
			return settled;
		}
		budget -= (size_t)n;
		c->quiet_since = a->woke_ns;
		c->sess.ops->in_commit(c, (size_t)n);
		settled = !gd_conn_process(a, c);
		if ((size_t)n < room)
			return settled; /* drained: poll(2) says when more comes */
	}
}

/*
 * Frames already buffered get no further POLLIN, so answer and flush until
 * they are all answered or the peer must read before we can go on (POLLOUT).
 */
void gd_conn_io(struct gd_agent *a, struct gd_conn *c, short revents)
{
	int full, settled = 0;

	/*
	 * Serial: a hang-up is handled before reading, so that a host that
	 * connected again meanwhile keeps the request it already sent.
	 */
	if (c->serial && (revents & (POLLHUP | POLLERR)) &&
	    gd_serial_hung(a, c))
		return;
	if (revents & (POLLIN | POLLHUP | POLLERR))
		settled = read_in(a, c);
	if (c->serial && c->eof) {
		gd_conn_close(a, c, "hang-up"); /* the next host starts clean */
		return;
	}
	do {
		full = settled ? 0 : gd_conn_process(a, c);
		settled = 0;
		if (c->sess.ops->io_turn)
			c->sess.ops->io_turn(a, c);
		if (gd_out_len(c))
			c->sess.served = 1;
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
	if (!c->eof && !c->sess.closing && gd_out_room(c) >= c->sess.ops->answer_max)
		ev |= POLLIN;
	if (gd_out_len(c) || c->sess.kv_dropped)
		ev |= POLLOUT;
	return ev;
}

/*
 * When c's deadline falls (0: none): a frame partly received, or answers
 * the peer does not read, for longer than limit (the whole-frame deadline).
 * While answers wait for the peer, guestd reads nothing more, so a frame
 * cut by its last read is not the peer's delay: only the stall counts.
 */
static uint64_t due_at(const struct gd_conn *c, uint64_t limit,
		       const char **why)
{
	uint64_t due = 0;

	if (c->fd < 0)
		return 0;
	if (c->sess.partial_since && !c->sess.stalled_since) {
		due = c->sess.partial_since + limit;
		*why = "frame not completed";
	}
	if (c->sess.stalled_since) {
		due = c->sess.stalled_since + limit;
		*why = "answers not read";
	}
	return due;
}

void gd_conns_expire(struct gd_agent *a, uint64_t now)
{
	uint64_t limit = gd_frame_deadline_ns(a);

	for (int w = 0; w < LIVE_WORDS; w++) {
		for (uint32_t m = a->net->live[w]; m; m &= m - 1) {
			struct gd_conn *c = &a->net->conns[w * 32 + __builtin_ctz(m)];
			const char *why = NULL;
			uint64_t due = due_at(c, limit, &why);

			if (!due || now < due)
				continue;
			gd_logf(&a->log, GD_LOG_WARN, "%s: %s within %llu ms",
				c->peer, why, (unsigned long long)(limit / 1000000u));
			gd_conn_close(a, c, "deadline");
		}
	}
}

uint64_t gd_conns_due(const struct gd_agent *a)
{
	uint64_t best = GD_DUE_NEVER, limit = gd_frame_deadline_ns(a);

	for (int w = 0; w < LIVE_WORDS; w++) {
		for (uint32_t m = a->net->live[w]; m; m &= m - 1) {
			const char *why;
			uint64_t due = due_at(&a->net->conns[w * 32 + __builtin_ctz(m)],
					      limit, &why);

			if (due)
				best = gd_due_min(best, due);
		}
	}
	return best;
}
