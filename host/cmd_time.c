/*
 * guestctl time [--samples N]
 * guestctl time sync [--mode step|slew|auto] [--freq learn|hold|reset]
 *                    [--rtc] [--samples N] [--watch [--interval S]]
 *
 * A measurement is N TIME_GET exchanges; the one with the lowest round
 * trip gives the offset (libmini/timesync.h). sync measures, sends
 * TIME_SET with the host time matching the guest's receive stamp of the
 * best sample, and measures again: that offset is the residual. --watch
 * stays connected and syncs again on a clock-jump event and every S s.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd_time.h"
#include "guestctl.h"
#include "proto_time.h"
#include "sysinfo.h"

static struct gc_time_opts opts = {
	.mode = GD_TM_AUTO,
	.freq_mode = GD_TF_LEARN,
	.samples = GC_TIME_DEFAULT_SAMPLES,
	.interval_s = GC_TIME_DEFAULT_INTERVAL_S,
};

const struct gc_time_opts *gc_time_opts(void)
{
	return &opts;
}

struct gc_time_state *gc_time_state(struct gc_run *r)
{
	return (struct gc_time_state *)r->scratch.bytes;
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "guestctl time: %s%s%s\nusage: guestctl time "
		"[--samples N]\n       guestctl time sync [--mode step|slew|"
		"auto] [--freq learn|hold|reset] [--rtc] [--samples N]\n"
		"                          [--watch [--interval S]]\n", what,
		arg ? ": " : "", arg ? arg : "");
	return GC_EXIT_USAGE;
}

static int parse_uint(const char *s, unsigned min, unsigned max, unsigned *v)
{
	char *end;
	unsigned long n;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || *end || n < min || n > max)
		return -1;
	*v = (unsigned)n;
	return 0;
}

static int parse_mode(const char *s, int *mode)
{
	static const char *const names[] = { "auto", "step", "slew" };

	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*mode = i; /* GD_TM_AUTO, GD_TM_STEP, GD_TM_SLEW */
			return 0;
		}
	return -1;
}

static int parse_freq(const char *s, int *mode)
{
	static const char *const names[] = { "learn", "hold", "reset" };

	for (int i = 0; s && i < 3; i++)
		if (strcmp(s, names[i]) == 0) {
			*mode = i; /* GD_TF_LEARN, GD_TF_HOLD, GD_TF_RESET */
			return 0;
		}
	return -1;
}

static int parse_opt(int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (strcmp(a, "--samples") == 0) {
		if (parse_uint(v, 1, GC_TIME_MAX_SAMPLES, &opts.samples))
			return usage_error("--samples takes 1..64", v);
	} else if (opts.sync && strcmp(a, "--mode") == 0) {
		if (parse_mode(v, &opts.mode))
			return usage_error("--mode is step, slew or auto", v);
	} else if (opts.sync && strcmp(a, "--freq") == 0) {
		if (parse_freq(v, &opts.freq_mode))
			return usage_error("--freq is learn, hold or reset", v);
	} else if (opts.sync && strcmp(a, "--interval") == 0) {
		if (parse_uint(v, 1, GC_TIME_MAX_INTERVAL_S, &opts.interval_s))
			return usage_error("--interval takes 1..86400 s", v);
	} else if (opts.sync && strcmp(a, "--rtc") == 0) {
		opts.rtc = 1;
		return GC_EXIT_OK;
	} else if (opts.sync && strcmp(a, "--watch") == 0) {
		opts.watch = 1;
		return GC_EXIT_OK;
	} else {
		return usage_error("unknown argument", a);
	}
	++*i; /* the value */
	return GC_EXIT_OK;
}

static int time_parse(struct gc_ctx *ctx, int argc, char **argv)
{
	int i = 1, interval_given = 0;

	(void)ctx;
	if (argc > 1 && strcmp(argv[1], "sync") == 0) {
		opts.sync = 1;
		i = 2;
	}
	for (; i < argc; i++) {
		int r;

		interval_given |= strcmp(argv[i], "--interval") == 0;
		r = parse_opt(argc, argv, &i);
		if (r)
			return r;
	}
	if (interval_given && !opts.watch)
		return usage_error("--interval needs --watch", NULL);
	return GC_EXIT_OK;
}

static int send_time_get(struct gc_run *r)
{
	gc_req_begin(r, GD_OP_TIME_GET);
	gc_time_state(r)->sent++;
	return GC_STEP_SEND;
}

static int start_round(struct gc_run *r, int phase)
{
	struct gc_time_state *s = gc_time_state(r);

	s->phase = phase;
	s->sent = 0;
	gd_ts_best_init(&s->round);
	return send_time_get(r);
}

static int get_u64(const struct gd_frame *f, uint16_t type, uint64_t *v)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv))
		return -1;
	return gd_tlv_get_u64(&tv, v);
}

static int get_u8(const struct gd_frame *f, uint16_t type, uint8_t *v)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv))
		return -1;
	return gd_tlv_get_u8(&tv, v);
}

static int get_u32(const struct gd_frame *f, uint16_t type, uint32_t *v)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv))
		return -1;
	return gd_tlv_get_u32(&tv, v);
}

/* The discipline's TLVs, in TIME_GET and TIME_SET answers alike. */
static void keep_freq(struct gc_time_guest *g, const struct gd_frame *f)
{
	uint64_t v, bound;

	g->have_freq = get_u64(f, GD_T_TIME_FREQ, &v) == 0;
	g->freq = g->have_freq ? (int64_t)v : 0;
	g->have_freq_state = get_u8(f, GD_T_TIME_FREQ_STATE, &g->freq_state) == 0;
	if (get_u32(f, GD_T_TIME_FREQ_UPDATES, &g->freq_updates))
		g->freq_updates = 0;
	g->have_freq_error = get_u64(f, GD_T_TIME_FREQ_ERROR, &v) == 0 &&
			     get_u64(f, GD_T_TIME_FREQ_BOUND, &bound) == 0;
	g->freq_error = g->have_freq_error ? (int64_t)v : 0;
	g->freq_bound = g->have_freq_error ? bound : 0;
}

static void keep_guest_clocks(struct gc_time_state *s, const struct gd_frame *f)
{
	uint64_t left;

	s->guest = (struct gc_time_guest){ 0 };
	get_u64(f, GD_T_TIME_REALTIME, &s->guest.realtime);
	get_u64(f, GD_T_TIME_MONOTONIC, &s->guest.monotonic);
	get_u64(f, GD_T_TIME_BOOTTIME, &s->guest.boottime);
	if (get_u64(f, GD_T_TIME_SLEW_LEFT, &left) == 0) {
		s->guest.slew_left = (int64_t)left;
		s->guest.have_slew = 1;
	}
	keep_freq(&s->guest, f);
}

/* Add the sample of a TIME_GET answer; -1 if the answer lacks stamps. */
static int add_sample(struct gc_run *r, const struct gd_frame *f)
{
	struct gc_time_state *s = gc_time_state(r);
	struct gd_ts_sample smp = { .t1 = r->sent_real, .t4 = r->recv_real };

	if (get_u64(f, GD_T_TIME_RECV, &smp.t2) ||
	    get_u64(f, GD_T_TIME_SEND, &smp.t3))
		return -1;
	if (gd_ts_best_add(&s->round, &smp) == 1)
		keep_guest_clocks(s, f);
	return 0;
}

/* TIME_SET carrying the host time that matched the best sample's t2. */
static int send_time_set(struct gc_run *r)
{
	struct gc_time_state *s = gc_time_state(r);
	uint64_t t2 = s->round.sample.t2;
	int64_t host = (int64_t)t2 - s->round.result.offset;
	struct gd_frame_writer *w;

	if (host <= 0 || !gd_time_host_ok((uint64_t)host))
		return gc_done_fail(r, GC_EXIT_USAGE, "the host clock reads "
				    "%lld ns: not setting the guest from it",
				    (long long)host);
	s->before = s->round;
	s->phase = GC_TP_SET;
	w = gc_req_begin(r, GD_OP_TIME_SET);
	gd_tlv_u64(w, GD_T_TIME_HOST, (uint64_t)host);
	gd_tlv_u64(w, GD_T_TIME_GUEST_REF, t2);
	gd_tlv_u8(w, GD_T_TIME_MODE, (uint8_t)opts.mode);
	gd_tlv_u64(w, GD_T_TIME_DELAY, (uint64_t)s->round.result.delay);
	if (opts.freq_mode != GD_TF_LEARN)
		gd_tlv_u8(w, GD_T_TIME_FREQ_MODE, (uint8_t)opts.freq_mode);
	if (opts.rtc)
		gd_tlv_u8(w, GD_T_TIME_RTC, 1);
	return GC_STEP_SEND;
}

static int on_time_set(struct gc_run *r, const struct gd_frame *f)
{
	struct gc_time_state *s = gc_time_state(r);
	struct gd_tlv_view tv;
	uint64_t corr = 0;
	uint8_t verdict;

	if (f->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, f);
	s->freq_verdict = get_u8(f, GD_T_TIME_FREQ_VERDICT, &verdict) ? -1 : verdict;
	s->action = GD_TA_NONE;
	s->rtc = GD_RTC_NOT_ASKED;
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_TIME_ACTION, &tv) == 0)
		gd_tlv_get_u8(&tv, &s->action);
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_TIME_RTC_RESULT, &tv) == 0)
		gd_tlv_get_u8(&tv, &s->rtc);
	get_u64(f, GD_T_TIME_CORRECTION, &corr);
	s->correction = (int64_t)corr;
	return start_round(r, GC_TP_VERIFY);
}

static uint32_t jump_kinds_of(const struct gd_frame *f)
{
	struct gd_tlv_view tv;
	uint32_t kinds = 0;

	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_TIME_JUMP_KIND,
			&tv) == 0)
		(void)gd_tlv_get_u32(&tv, &kinds);
	return kinds;
}

static int resync_on_jump(struct gc_run *r, uint32_t kinds)
{
	struct gc_time_state *s = gc_time_state(r);

	s->reason = "clock-jump";
	s->jump_kinds = kinds;
	s->jump_pending = 0;
	s->pending_kinds = 0;
	return start_round(r, GC_TP_MEASURE);
}

/* A clock jump while a round runs: that round may straddle it, so the
 * watch syncs once more when it is done. */
static void time_event_while_busy(struct gc_run *r, const struct gd_frame *f)
{
	struct gc_time_state *s = gc_time_state(r);

	if (!opts.watch || f->hdr.op != GD_EV_CLOCK_JUMP)
		return;
	s->jump_pending = 1;
	s->pending_kinds |= jump_kinds_of(f);
}

static int wait_interval(struct gc_run *r)
{
	struct gc_time_state *s = gc_time_state(r);

	s->phase = GC_TP_IDLE;
	r->wake_at = gd_clock_ns(CLOCK_MONOTONIC) +
		     (uint64_t)opts.interval_s * 1000000000u;
	return GC_STEP_WAIT;
}

/* A measurement round is complete. */
static int round_done(struct gc_run *r)
{
	struct gc_time_state *s = gc_time_state(r);

	if (!s->round.valid)
		return gc_done_fail(r, GC_EXIT_PROTOCOL, "none of %u samples "
				    "was causal (clock changed meanwhile?)",
				    s->sent);
	if (s->phase == GC_TP_MEASURE && opts.sync)
		return send_time_set(r);
	if (s->phase == GC_TP_VERIFY && opts.watch) {
		s->syncs++;
		gc_time_report_sync(r);
		if (s->jump_pending) /* the clock moved under this round */
			return resync_on_jump(r, s->pending_kinds);
		return wait_interval(r);
	}
	return gc_done_ok(r, NULL);
}

static int on_time_get(struct gc_run *r, const struct gd_frame *f)
{
	struct gc_time_state *s = gc_time_state(r);

	if (f->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, f);
	if (add_sample(r, f))
		return gc_done_fail(r, GC_EXIT_PROTOCOL,
				    "TIME_GET answer without its stamps");
	return s->sent < opts.samples ? send_time_get(r) : round_done(r);
}

static int on_idle(struct gc_run *r, const struct gd_frame *f)
{
	struct gc_time_state *s = gc_time_state(r);

	if (r->woke) {
		s->reason = "interval";
		s->jump_kinds = 0;
		return start_round(r, GC_TP_MEASURE);
	}
	if (f && f->hdr.op == GD_EV_CLOCK_JUMP)
		return resync_on_jump(r, jump_kinds_of(f));
	return GC_STEP_WAIT; /* another event: keep waiting */
}

static int time_step(struct gc_run *r, const struct gd_frame *f)
{
	struct gc_time_state *s = gc_time_state(r);

	if (!f && !r->woke) { /* connected: the engine zeroed the scratch */
		s->reason = "start";
		if (!(r->agent_caps & GD_CAP_TIME))
			return gc_done_fail(r, GC_EXIT_AGENT, "the agent does "
					    "not offer the time service");
		return start_round(r, GC_TP_MEASURE);
	}
	if (s->phase == GC_TP_IDLE)
		return on_idle(r, f);
	if (!f || (f->hdr.flags & GD_F_EVENT)) /* the engine sends neither */
		return gc_done_fail(r, GC_EXIT_PROTOCOL, "unexpected %s while "
				    "measuring", f ? "event" : "wake-up");
	return s->phase == GC_TP_SET ? on_time_set(r, f) : on_time_get(r, f);
}

const struct gc_cmd gc_cmd_time = {
	.name = "time",
	.usage = "time [sync] [OPTS]    guest clock offset and round trip; "
		 "sync sets the guest clock\n"
		 "                          (--samples N, sync: --mode "
		 "step|slew|auto, --freq learn|hold|reset,\n"
		 "                          --rtc, --watch [--interval S])",
	.parse = time_parse,
	.step = time_step,
	.report = gc_time_report,
	.event_while_busy = time_event_while_busy,
};
