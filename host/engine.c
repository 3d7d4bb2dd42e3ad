/* The engine: one poll loop driving up to ctx->parallel targets. */
#include "engine.h"
#include "guestctl.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sysinfo.h"

enum phase { P_IDLE, P_CONNECTING, P_HELLO, P_REQUEST, P_WAITING, P_DONE };

static uint64_t mono(void)
{
	return gd_clock_ns(CLOCK_MONOTONIC);
}

static uint64_t io_deadline(const struct gc_run *r)
{
	return mono() + (uint64_t)r->ctx->timeout_ms * 1000000u;
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
	r->deadline = io_deadline(r);
	r->stamp_pending = 1;
}

static void finish(struct gc_run *r)
{
	if (r->fd >= 0)
		close(r->fd);
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
	queue_request(r);
	r->phase = P_HELLO;
}

static void start(struct gc_run *r, const struct gc_ctx *ctx,
		  const struct gc_target *t)
{
	memset(r, 0, offsetof(struct gc_run, result));
	r->ctx = ctx;
	r->target = t;
	r->next_id = 1;
	r->started = mono();
	gd_buf_init(&r->out, r->outbuf, sizeof r->outbuf);
	gd_dec_init(&r->dec);
	r->fd = gc_target_connect(t);
	if (r->fd < 0) {
		r->exit_code = GC_EXIT_CONNECT;
		snprintf(r->error, sizeof r->error, "connect: %s",
			 strerror(errno));
		r->phase = P_DONE;
		return;
	}
	r->phase = P_CONNECTING;
	r->deadline = io_deadline(r);
}

static void connected(struct gc_run *r)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		gc_done_fail(r, GC_EXIT_CONNECT, "connect: %s",
			     strerror(err ? err : errno));
		finish(r);
		return;
	}
	send_hello(r);
}

static void on_hello(struct gc_run *r, const struct gd_frame *f)
{
	struct gd_tlv_view tv;

	if (f->hdr.status != GD_S_OK) {
		gc_done_agent_error(r, f);
		finish(r);
		return;
	}
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
	} else if ((r->phase == P_WAITING || r->phase == P_REQUEST) &&
		   (f->hdr.flags & GD_F_EVENT)) {
		if (r->phase == P_WAITING)
			apply_step(r, r->ctx->cmd->step(r, f));
	}
}

static void read_frames(struct gc_run *r)
{
	struct gd_frame f;
	size_t room;
	uint8_t *dst = gd_dec_space(&r->dec, &room);
	ssize_t n = read(r->fd, dst, room);
	int res;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		gc_done_fail(r, GC_EXIT_PROTOCOL, "%s",
			     n == 0 ? "the agent closed the connection"
				    : strerror(errno));
		finish(r);
		return;
	}
	gd_dec_commit(&r->dec, (size_t)n);
	while (r->phase != P_DONE && (res = gd_dec_next(&r->dec, &f)) != GD_DEC_NEED) {
		if (res != GD_DEC_FRAME) {
			gc_done_fail(r, GC_EXIT_PROTOCOL,
				     "malformed frame from the agent");
			finish(r);
			return;
		}
		on_frame(r, &f);
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
	n = send(r->fd, r->out.data, r->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		gc_done_fail(r, GC_EXIT_PROTOCOL, "send: %s", strerror(errno));
		finish(r);
		return;
	}
	gd_buf_consume(&r->out, (size_t)n);
}

static void on_events(struct gc_run *r, short revents)
{
	if (r->phase == P_CONNECTING) {
		if (revents & (POLLOUT | POLLERR | POLLHUP))
			connected(r);
		if (r->phase == P_DONE)
			return;
	}
	if (revents & POLLOUT)
		write_out(r);
	if (r->phase != P_DONE && (revents & (POLLIN | POLLHUP | POLLERR)))
		read_frames(r);
	if (r->phase != P_DONE && r->out.len)
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
	gc_done_fail(r, GC_EXIT_TIMEOUT, "timed out after %d ms %s",
		     r->ctx->timeout_ms,
		     r->phase == P_CONNECTING ? "connecting"
					      : "waiting for the agent");
	finish(r);
}

static short wanted(const struct gc_run *r)
{
	if (r->phase == P_CONNECTING)
		return POLLOUT;
	return (short)(POLLIN | (r->out.len ? POLLOUT : 0));
}

static int poll_timeout(struct gc_run *runs, size_t n, uint64_t now)
{
	uint64_t best = 0;

	for (size_t i = 0; i < n; i++)
		if (runs[i].phase != P_IDLE && runs[i].phase != P_DONE &&
		    runs[i].deadline && (!best || runs[i].deadline < best))
			best = runs[i].deadline;
	if (!best)
		return -1;
	return best <= now ? 0 : (int)((best - now + 999999) / 1000000);
}

int gc_engine_run(struct gc_ctx *ctx)
{
	size_t slots = (size_t)ctx->parallel < ctx->ntargets ? (size_t)ctx->parallel
							       : ctx->ntargets;
	struct gc_run *runs = calloc(slots, sizeof *runs);
	struct pollfd *pfd = calloc(slots, sizeof *pfd);
	size_t next = 0, active = 0, ok = 0, failed = 0;
	int last_exit = GC_EXIT_OK;
	uint64_t t0 = mono();

	if (!runs || !pfd) {
		free(runs);
		free(pfd);
		fprintf(stderr, "guestctl: out of memory\n");
		return GC_EXIT_CONNECT;
	}
	while (next < ctx->ntargets || active) {
		uint64_t now;

		for (size_t i = 0; i < slots; i++) {
			struct gc_run *r = &runs[i];

			if (r->phase == P_DONE) {
				(ctx->cmd->report ? ctx->cmd->report : gc_report_run)(r);
				last_exit = r->exit_code;
				if (r->exit_code)
					failed++;
				else
					ok++;
				r->phase = P_IDLE;
				active--;
			}
			if (r->phase == P_IDLE && next < ctx->ntargets) {
				start(r, ctx, &ctx->targets[next++]);
				active++;
				i--; /* it may already be done */
				continue;
			}
			pfd[i].fd = r->phase == P_IDLE ? -1 : r->fd;
			pfd[i].events = r->phase == P_IDLE ? 0 : wanted(r);
			pfd[i].revents = 0;
		}
		if (!active)
			break;
		if (poll(pfd, (nfds_t)slots, poll_timeout(runs, slots, mono())) < 0 &&
		    errno != EINTR)
			break;
		now = mono();
		for (size_t i = 0; i < slots; i++) {
			if (runs[i].phase == P_IDLE || runs[i].phase == P_DONE)
				continue;
			if (pfd[i].revents)
				on_events(&runs[i], pfd[i].revents);
			if (runs[i].phase != P_DONE)
				on_deadline(&runs[i], now);
		}
	}
	if (ctx->ntargets > 1)
		gc_report_summary(ctx, ok, failed, mono() - t0);
	free(runs);
	free(pfd);
	if (ctx->ntargets == 1)
		return last_exit;
	return failed ? GC_EXIT_AGENT : GC_EXIT_OK;
}
