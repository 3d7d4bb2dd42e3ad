/* The engine: one poll loop driving up to ctx->parallel targets. */
#include "engine.h"
#include "guestctl.h"
#include "hello_auth.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compat.h"
#include "fdlimit.h"
#include "hybrid.h"
#include "sysinfo.h"

enum phase { P_IDLE, P_CONNECTING, P_HELLO, P_REQUEST, P_WAITING, P_DONE,
	     P_HANDSHAKE, /* hybrid: CONNECT sent, waiting for OK */
	     P_BACKOFF    /* no socket: retry the connection at deadline */ };

static uint64_t mono(void)
{
	return gd_clock_ns(CLOCK_MONOTONIC);
}

static uint64_t io_deadline(const struct gc_run *r)
{
	uint64_t d = mono() + (uint64_t)r->ctx->timeout_ms * 1000000u;

	/* wait-ready: one budget for every attempt together */
	if (r->ctx->cmd->retry_until_ready && d > r->give_up)
		d = r->give_up;
	return d;
}

int gc_done_fail(struct gc_run *r, int exit_code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->error, sizeof r->error, fmt, ap);
	va_end(ap);
	r->exit_code = exit_code;
	return GC_STEP_DONE;
}

int gc_done_ok(struct gc_run *r, const struct gd_frame *resp)
{
	r->exit_code = GC_EXIT_OK;
	r->result_len = resp ? resp->hdr.length : 0;
	if (resp)
		memcpy(r->result, resp->payload, resp->hdr.length);
	return GC_STEP_DONE;
}

int gc_done_agent_error(struct gc_run *r, const struct gd_frame *resp)
{
	struct gd_tlv_view tv;

	r->status = resp->hdr.status;
	r->error[0] = '\0';
	if (gd_tlv_find(resp->payload, resp->hdr.length, GD_T_MESSAGE, &tv) == 0)
		snprintf(r->error, sizeof r->error, "%.*s", (int)tv.len,
			 (const char *)tv.val);
	r->exit_code = GC_EXIT_AGENT;
	return GC_STEP_DONE;
}

struct gd_frame_writer *gc_req_begin(struct gc_run *r, uint16_t op)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = op };

	r->out.len = 0;
	gd_frame_begin(&r->w, &r->out, &h);
	return &r->w;
}

/* Seal the request being built and queue it for sending. */
static void queue_request(struct gc_run *r)
{
	r->want_id = r->next_id++;
	if (r->next_id == 0)
		r->next_id = 1;
	r->w.hdr.id = r->want_id;
	gd_frame_end(&r->w);
	gc_auth_seal(r);
	r->deadline = io_deadline(r);
	r->stamp_pending = 1;
}

static void finish(struct gc_run *r)
{
	if (r->fd >= 0)
		gc_sock_close(r->fd);
	r->fd = -1;
	r->phase = P_DONE;
}

static void apply_step(struct gc_run *r, int step)
{
	switch (step) {
	case GC_STEP_SEND:
		queue_request(r);
		r->phase = P_REQUEST;
		break;
	case GC_STEP_WAIT:
		r->phase = P_WAITING;
		r->want_id = 0;
		r->deadline = r->wake_at;
		break;
	default:
		finish(r);
		break;
	}
}

static void send_hello(struct gc_run *r)
{
	struct gd_frame_writer *w = gc_req_begin(r, GD_OP_HELLO);

	gd_tlv_u16(w, GD_T_PROTO_VERSION, GD_PROTO_VERSION);
	if (gc_auth_hello(r, w) == GC_AUTH_FAILED) {
		finish(r);
		return;
	}
	queue_request(r);
	r->phase = P_HELLO;
}

/* The connection could not be made: "transient" failures (the unix
 * listen backlog is full, out of fds) are retried within the timeout by
 * every command; any failure before HELLO is answered is, by wait-ready. */
static int retryable_errno(int err)
{
	return err == EAGAIN || err == EMFILE || err == ENFILE ||
	       err == ENOBUFS || err == ENOMEM;
}

static void stop_retrying(struct gc_run *r)
{
	char last[sizeof r->error];

	memcpy(last, r->error, sizeof last);
	if (r->ctx->cmd->retry_until_ready)
		gc_done_fail(r, GC_EXIT_TIMEOUT,
			     "not ready after %d ms (%u attempts; last: %.100s)",
			     r->ctx->timeout_ms, r->attempts, last);
	else
		gc_done_fail(r, GC_EXIT_TIMEOUT,
			     "timed out after %d ms connecting (%u attempts; "
			     "last: %.100s)", r->ctx->timeout_ms, r->attempts, last);
	finish(r);
}

/* An attempt failed before HELLO was answered; r->error says how. */
static void attempt_failed(struct gc_run *r, int exit_code, int transient)
{
	uint64_t now = mono(), at;

	if (r->fd >= 0)
		gc_sock_close(r->fd);
	r->fd = -1;
	if (!transient && !r->ctx->cmd->retry_until_ready) {
		r->exit_code = exit_code;
		finish(r);
		return;
	}
	if (now >= r->give_up) {
		stop_retrying(r);
		return;
	}
	at = now + (uint64_t)r->backoff_ms * 1000000u;
	r->deadline = at < r->give_up ? at : r->give_up;
	r->backoff_ms = r->backoff_ms * 2 > GC_RETRY_MAX_MS ? GC_RETRY_MAX_MS
							   : r->backoff_ms * 2;
	r->phase = P_BACKOFF;
}

static void attempt(struct gc_run *r)
{
	int err;

	r->attempts++;
	r->next_id = 1;
	r->want_id = 0;
	r->hs_len = 0;
	r->out.len = 0;
	memset(&r->scratch, 0, sizeof r->scratch); /* each attempt starts clean */
	gd_dec_init(&r->dec);
	r->fd = gc_target_connect(r->target);
	if (r->fd >= 0) {
		r->phase = P_CONNECTING;
		r->deadline = io_deadline(r);
		return;
	}
	err = errno;
	snprintf(r->error, sizeof r->error, "connect: %s%s", gc_strerror(err),
		 err == EAGAIN ? " (the agent's listen backlog is full)" : "");
	attempt_failed(r, GC_EXIT_CONNECT, retryable_errno(err));
}

static void start(struct gc_run *r, const struct gc_ctx *ctx,
		  const struct gc_target *t)
{
	const char *unavailable = gc_target_unavailable(t);

	memset(r, 0, offsetof(struct gc_run, result));
	r->ctx = ctx;
	r->target = t;
	r->next_id = 1;
	r->fd = -1;
	r->started = mono();
	r->give_up = r->started + (uint64_t)ctx->timeout_ms * 1000000u;
	r->finished = 0;
	r->attempts = 0;
	r->backoff_ms = GC_RETRY_FIRST_MS;
	gd_buf_init(&r->out, r->outbuf, sizeof r->outbuf);
	if (unavailable) { /* not on this platform: no use retrying */
		gc_done_fail(r, GC_EXIT_CONNECT, "%s", unavailable);
		finish(r);
		return;
	}
	attempt(r);
}

static void connected(struct gc_run *r)
{
	int err = gc_sock_error(r->fd);

	if (err) {
		snprintf(r->error, sizeof r->error, "connect: %s",
			 gc_strerror(err));
		attempt_failed(r, GC_EXIT_CONNECT, retryable_errno(err));
		return;
	}
	if (r->target->kind == GC_T_HYBRID) {
		gc_hybrid_begin(r);
		r->phase = P_HANDSHAKE;
		r->deadline = io_deadline(r);
		return;
	}
	send_hello(r);
}

static void on_hello(struct gc_run *r, const struct gd_frame *f)
{
	struct gd_tlv_view tv;

	if (f->hdr.status == GD_S_BUSY && r->ctx->cmd->retry_until_ready) {
		snprintf(r->error, sizeof r->error, "the agent is busy");
		attempt_failed(r, GC_EXIT_AGENT, 0);
		return;
	}
	if (f->hdr.status != GD_S_OK) {
		gc_done_agent_error(r, f);
		finish(r);
		return;
	}
	switch (gc_auth_on_hello(r, f)) {
	case GC_AUTH_SENT:
		queue_request(r);
		return;
	case GC_AUTH_FAILED:
		finish(r);
		return;
	}
	r->error[0] = '\0'; /* forget earlier attempts */
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_CAPS, &tv) == 0)
		gd_tlv_get_u32(&tv, &r->agent_caps);
	apply_step(r, r->ctx->cmd->step(r, NULL));
}

static void on_frame(struct gc_run *r, const struct gd_frame *f)
{
	/*
	 * Id 0 answers are the agent's notices: BUSY (no slot for us) ends
	 * the call; BAD_FRAME reports bytes it skipped, which on a serial
	 * line may be a previous client's leftovers, so it is not ours.
	 */
	int is_answer = (f->hdr.flags & GD_F_RESPONSE) &&
			(f->hdr.id == r->want_id ||
			 (f->hdr.id == 0 && f->hdr.status != GD_S_BAD_FRAME));

	if (r->phase == P_HELLO && is_answer) {
		on_hello(r, f);
	} else if (r->phase == P_REQUEST && is_answer) {
		r->recv_mono = mono();
		r->recv_real = gd_clock_ns(CLOCK_REALTIME);
		apply_step(r, r->ctx->cmd->step(r, f));
	} else if ((r->phase == P_WAITING || r->phase == P_REQUEST ||
		    r->phase == P_HELLO) && (f->hdr.flags & GD_F_EVENT)) {
		if (r->phase == P_WAITING)
			apply_step(r, r->ctx->cmd->step(r, f));
		else if (r->ctx->cmd->event_while_busy)
			r->ctx->cmd->event_while_busy(r, f);
	}
}

/* A stream failure: before HELLO is answered it ends only this attempt. */
static void stream_failed(struct gc_run *r, int exit_code)
{
	if (r->phase == P_HELLO || r->phase == P_HANDSHAKE)
		attempt_failed(r, exit_code, 0);
	else
		finish(r);
}

static void decode_frames(struct gc_run *r)
{
	struct gd_frame f;
	int res;

	while (r->phase != P_DONE && r->phase != P_BACKOFF &&
	       (res = gd_dec_next(&r->dec, &f)) != GD_DEC_NEED) {
		if (res != GD_DEC_FRAME) {
			gc_done_fail(r, GC_EXIT_PROTOCOL,
				     "malformed frame from the agent");
			finish(r);
			return;
		}
		if (gc_auth_check(r, &f)) {
			finish(r);
			return;
		}
		on_frame(r, &f);
	}
}

/* One read into the decoder, and the frames it completes; recv's result. */
static ssize_t read_some(struct gc_run *r)
{
	size_t room;
	uint8_t *dst = gd_dec_space(&r->dec, &room);
	ssize_t n = gc_sock_recv(r->fd, dst, room);

	if (n > 0) {
		gd_dec_commit(&r->dec, (size_t)n);
		decode_frames(r);
	}
	return n;
}

static void read_frames(struct gc_run *r)
{
	ssize_t n = read_some(r);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		gc_done_fail(r, GC_EXIT_PROTOCOL, "%s",
			     n == 0 ? "the agent closed the connection"
				    : gc_strerror(errno));
		stream_failed(r, GC_EXIT_PROTOCOL);
	}
}

/* Connected, or connecting: has a socket to poll. */
static int live(const struct gc_run *r)
{
	return r->phase != P_IDLE && r->phase != P_DONE && r->phase != P_BACKOFF;
}

/*
 * The agent may answer and close before our bytes go out (a BUSY notice:
 * no slot for us). What it sent is still in our receive queue and says
 * more than the send's EPIPE, so it is read first. The peer is gone:
 * a read returns what is left, then 0 or an error, never blocks.
 */
static void read_before_fail(struct gc_run *r)
{
	while (live(r) && r->phase != P_HANDSHAKE && read_some(r) > 0)
		;
}

static void read_handshake(struct gc_run *r)
{
	int code = GC_EXIT_PROTOCOL;
	int res = gc_hybrid_read(r, &code);

	if (res == GC_HY_FAIL) {
		attempt_failed(r, code, 0);
	} else if (res == GC_HY_OK) {
		send_hello(r);
		decode_frames(r); /* bytes that came with the OK line */
	}
}

static void write_out(struct gc_run *r)
{
	ssize_t n;

	if (r->out.len == 0)
		return;
	if (r->stamp_pending) { /* t1 of a time sample: just before the send */
		r->sent_mono = mono();
		r->sent_real = gd_clock_ns(CLOCK_REALTIME);
		r->stamp_pending = 0;
	}
	n = gc_sock_send(r->fd, r->out.data, r->out.len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		int err = errno;

		if (err == EPIPE || err == ECONNRESET || err == ECONNABORTED)
			read_before_fail(r);
		if (!live(r))
			return;
		gc_done_fail(r, GC_EXIT_PROTOCOL, "send: %s", gc_strerror(err));
		stream_failed(r, GC_EXIT_PROTOCOL);
		return;
	}
	gd_buf_consume(&r->out, (size_t)n);
}

static void on_events(struct gc_run *r, short revents)
{
	if (r->phase == P_CONNECTING) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			connected(r);
		if (!live(r))
			return;
	}
	if (revents & POLLOUT)
		write_out(r);
	if (r->phase == P_HANDSHAKE && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_handshake(r);
	else if (live(r) && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_frames(r);
	if (live(r) && r->out.len)
		write_out(r); /* a step may have queued the next request */
}

static void on_deadline(struct gc_run *r, uint64_t now)
{
	if (!r->deadline || now < r->deadline)
		return;
	if (r->phase == P_WAITING) {
		r->woke = 1;
		r->wake_at = 0;
		apply_step(r, r->ctx->cmd->step(r, NULL));
		r->woke = 0;
		return;
	}
	if (r->phase == P_BACKOFF) {
		if (now >= r->give_up)
			stop_retrying(r);
		else
			attempt(r);
		return;
	}
	gc_done_fail(r, GC_EXIT_TIMEOUT, "timed out after %d ms %s",
		     r->ctx->timeout_ms,
		     r->phase == P_CONNECTING ? "connecting"
		     : r->phase == P_HANDSHAKE ? "waiting for the hybrid relay's OK"
					       : "waiting for the agent");
	if (r->ctx->cmd->retry_until_ready &&
	    (r->phase == P_CONNECTING || r->phase == P_HANDSHAKE ||
	     r->phase == P_HELLO)) {
		stop_retrying(r);
		return;
	}
	finish(r);
}

static short wanted(const struct gc_run *r)
{
	if (r->phase == P_CONNECTING)
		return POLLOUT;
	return (short)(POLLIN | (r->out.len ? POLLOUT : 0));
}

/*
 * The run: slots[] hold up to `nslots` targets in flight. active[] lists
 * the busy slots (pfd[k] polls active[k]), free_slots[] the idle ones, so
 * each turn of the loop costs O(targets in flight), whatever the fleet.
 */
struct engine {
	struct gc_ctx *ctx;
	struct gc_run *slots;
	size_t *active, *free_slots;
	gc_pollfd *pfd;
	size_t nslots, nactive, nfree, next, ok, failed;
	int last_exit;
};

static void conclude(struct engine *e, size_t slot)
{
	struct gc_run *r = &e->slots[slot];

	r->finished = mono();
	(e->ctx->cmd->report ? e->ctx->cmd->report : gc_report_run)(r);
	e->last_exit = r->exit_code;
	if (r->exit_code)
		e->failed++;
	else
		e->ok++;
	r->phase = P_IDLE;
	e->free_slots[e->nfree++] = slot;
}

/* Start queued targets on idle slots; some finish at once (no socket). */
static void fill_slots(struct engine *e)
{
	while (e->nfree && e->next < e->ctx->ntargets) {
		size_t slot = e->free_slots[--e->nfree];

		start(&e->slots[slot], e->ctx, &e->ctx->targets[e->next++]);
		if (e->slots[slot].phase == P_DONE)
			conclude(e, slot);
		else
			e->active[e->nactive++] = slot;
	}
}

static int poll_timeout(const struct engine *e, uint64_t now)
{
	uint64_t best = 0;

	for (size_t k = 0; k < e->nactive; k++) {
		const struct gc_run *r = &e->slots[e->active[k]];

		if (r->deadline && (!best || r->deadline < best))
			best = r->deadline;
	}
	if (!best)
		return -1;
	return best <= now ? 0 : (int)((best - now + 999999) / 1000000);
}

static void poll_once(struct engine *e)
{
	uint64_t now;
	size_t k;

	for (k = 0; k < e->nactive; k++) {
		const struct gc_run *r = &e->slots[e->active[k]];

		e->pfd[k].fd = live(r) ? r->fd : -1;
		e->pfd[k].events = live(r) ? wanted(r) : 0;
		e->pfd[k].revents = 0;
	}
	if (gc_poll(e->pfd, e->nactive, poll_timeout(e, mono())) < 0 &&
	    errno != EINTR) {
		int err = errno;

		for (k = 0; k < e->nactive; k++) {
			gc_done_fail(&e->slots[e->active[k]], GC_EXIT_CONNECT,
				     "poll: %s", gc_strerror(err));
			finish(&e->slots[e->active[k]]);
		}
	}
	now = mono();
	for (k = 0; k < e->nactive;) {
		size_t slot = e->active[k];
		struct gc_run *r = &e->slots[slot];

		if (e->pfd[k].revents && live(r) && r->fd == e->pfd[k].fd)
			on_events(r, e->pfd[k].revents);
		if (r->phase != P_DONE)
			on_deadline(r, now);
		if (r->phase != P_DONE) {
			k++;
			continue;
		}
		conclude(e, slot);
		/* the last entry, not yet handled this turn, takes this place */
		e->nactive--;
		e->active[k] = e->active[e->nactive];
		e->pfd[k] = e->pfd[e->nactive];
	}
}

static int engine_alloc(struct engine *e, struct gc_ctx *ctx)
{
	size_t want = (size_t)ctx->parallel < ctx->ntargets ? (size_t)ctx->parallel
							      : ctx->ntargets;

	memset(e, 0, sizeof *e);
	e->ctx = ctx;
	e->nslots = gc_fd_slots(want);
	if (e->nslots < want)
		fprintf(stderr, "guestctl: the open-file limit allows %zu "
			"connections at a time, not %zu\n", e->nslots, want);
	e->slots = calloc(e->nslots, sizeof *e->slots);
	e->active = calloc(e->nslots, sizeof *e->active);
	e->free_slots = calloc(e->nslots, sizeof *e->free_slots);
	e->pfd = calloc(e->nslots, sizeof *e->pfd);
	if (!e->slots || !e->active || !e->free_slots || !e->pfd)
		return -1;
	for (size_t i = 0; i < e->nslots; i++)
		e->free_slots[e->nfree++] = e->nslots - 1 - i;
	return 0;
}

static void engine_free(struct engine *e)
{
	free(e->slots);
	free(e->active);
	free(e->free_slots);
	free(e->pfd);
}

int gc_engine_run(struct gc_ctx *ctx)
{
	struct engine e;
	uint64_t t0 = mono();

	if (engine_alloc(&e, ctx)) {
		engine_free(&e);
		fprintf(stderr, "guestctl: out of memory\n");
		return GC_EXIT_CONNECT;
	}
	e.last_exit = GC_EXIT_OK;
	for (;;) {
		fill_slots(&e);
		if (!e.nactive)
			break;
		poll_once(&e);
	}
	if (ctx->ntargets > 1)
		gc_report_summary(ctx, e.ok, e.failed, mono() - t0);
	engine_free(&e);
	if (ctx->ntargets == 1)
		return e.last_exit;
	return e.failed ? GC_EXIT_SOME_FAILED : GC_EXIT_OK;
}
