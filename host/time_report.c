/* guestctl time: human lines or one JSON object per target (or per sync). */
#include <stdio.h>
#include <time.h>

#include "cmd_time.h"
#include "freqdisc.h"
#include "guestctl.h"
#include "json_out.h"
#include "proto_time.h"
#include "sysinfo.h"

#define GC_TIME_JSON_MAX 2048
/* "suspend,step,vmgenid,set" and its NUL, with room to spare */
#define GC_TIME_JUMP_NAMES_MAX 40
/* freq_text's longest line, with room to spare */
#define GC_TIME_FREQ_TEXT_MAX 128

const char *gc_time_action_name(int action)
{
	switch (action) {
	case GD_TA_NONE: return "none";
	case GD_TA_STEP: return "step";
	case GD_TA_SLEW: return "slew";
	default: return "unknown";
	}
}

const char *gc_time_rtc_name(int rtc)
{
	switch (rtc) {
	case GD_RTC_NOT_ASKED: return "not-asked";
	case GD_RTC_WRITTEN: return "written";
	case GD_RTC_ABSENT: return "absent";
	case GD_RTC_FAILED: return "failed";
	default: return "unknown";
	}
}

const char *gc_time_jump_names(char *out, size_t cap, uint32_t kinds)
{
	static const struct { uint32_t bit; const char *name; } jumps[] = {
		{ GD_JUMP_SUSPEND, "suspend" }, { GD_JUMP_STEP, "step" },
		{ GD_JUMP_VMGENID, "vmgenid" }, { GD_JUMP_SET, "set" },
	};
	size_t len = 0;

	out[0] = '\0';
	for (size_t i = 0; i < sizeof jumps / sizeof jumps[0] && len < cap; i++)
		if (kinds & jumps[i].bit)
			len += (size_t)snprintf(out + len, cap - len, "%s%s",
						len ? "," : "", jumps[i].name);
	if (len == 0)
		snprintf(out, cap, "unknown");
	return out;
}

/* "+1.234567 ms" */
static const char *ms(char *buf, size_t cap, int64_t ns)
{
	uint64_t mag = gd_abs64(ns);

	snprintf(buf, cap, "%c%llu.%06llu ms", ns < 0 ? '-' : '+',
		 (unsigned long long)(mag / 1000000u),
		 (unsigned long long)(mag % 1000000u));
	return buf;
}

/* "+15036.123 ppm" from ppb */
static const char *ppm(char *buf, size_t cap, int64_t ppb)
{
	uint64_t mag = gd_abs64(ppb);

	snprintf(buf, cap, "%c%llu.%03llu ppm", ppb < 0 ? '-' : '+',
		 (unsigned long long)(mag / 1000u),
		 (unsigned long long)(mag % 1000u));
	return buf;
}

/* "+15036.123 ppm (tracking, 2 updates; last error -0.412 +- 0.300 ppm)" */
static const char *freq_text(char *buf, size_t cap, const struct gc_time_guest *g)
{
	char f[32], e[32], b[32];
	int n = snprintf(buf, cap, "%s", ppm(f, sizeof f, g->freq));

	if (n >= 0 && (size_t)n < cap && g->have_freq_state)
		n += snprintf(buf + n, cap - (size_t)n, " (%s, %u update%s",
			      gd_fd_state_name(g->freq_state), g->freq_updates,
			      g->freq_updates == 1 ? "" : "s");
	if (n >= 0 && (size_t)n < cap && g->have_freq_state && g->have_freq_error)
		n += snprintf(buf + n, cap - (size_t)n, "; last error %s +- %s",
			      ppm(e, sizeof e, g->freq_error),
			      ppm(b, sizeof b, (int64_t)g->freq_bound) + 1);
	if (n >= 0 && (size_t)n < cap && g->have_freq_state)
		snprintf(buf + n, cap - (size_t)n, ")");
	return buf;
}

/* "2026-11-22T07:00:00.123456789Z" */
static const char *utc(char *buf, size_t cap, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!gmtime_r(&sec, &tm)) {
		snprintf(buf, cap, "?");
		return buf;
	}
	snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09lluZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned long long)(ns % 1000000000u));
	return buf;
}

static void human_measure(const struct gc_time_state *s, const char *label)
{
	char a[48];

	printf("%-22s %s (guest minus host)\n", label,
	       ms(a, sizeof a, s->round.result.offset));
	printf("%-22s %s\n", "round_trip",
	       ms(a, sizeof a, s->round.result.delay) + 1);
	printf("%-22s %zu (%zu valid, best #%zu)\n", "samples", s->round.count,
	       s->round.valid, s->round.index + 1);
}

static void human(struct gc_run *r)
{
	const struct gc_time_opts *o = gc_time_opts();
	struct gc_time_state *s = gc_time_state(r);
	char a[48];

	printf("%-22s %s\n", "target", r->target->desc);
	if (o->sync) {
		printf("%-22s %s\n", "offset_before",
		       ms(a, sizeof a, s->before.result.offset));
		printf("%-22s %s\n", "action", gc_time_action_name(s->action));
		printf("%-22s %s\n", "correction", ms(a, sizeof a, s->correction));
		if (o->rtc)
			printf("%-22s %s\n", "rtc", gc_time_rtc_name(s->rtc));
	}
	human_measure(s, o->sync ? "residual" : "offset");
	printf("%-22s %s\n", "guest_realtime", utc(a, sizeof a, s->guest.realtime));
	printf("%-22s %llu.%09llu s\n", "guest_boottime",
	       (unsigned long long)(s->guest.boottime / 1000000000u),
	       (unsigned long long)(s->guest.boottime % 1000000000u));
	if (s->guest.have_slew)
		printf("%-22s %s\n", "slew_left", ms(a, sizeof a, s->guest.slew_left));
	if (s->guest.have_freq) {
		char f[GC_TIME_FREQ_TEXT_MAX];

		printf("%-22s %s\n", "frequency",
		       freq_text(f, sizeof f, &s->guest));
	}
	if (o->sync && s->freq_verdict >= 0)
		printf("%-22s %s\n", "frequency_verdict",
		       gd_fd_verdict_name(s->freq_verdict));
}

static void one_line(struct gc_run *r)
{
	struct gc_time_state *s = gc_time_state(r);
	char a[48], b[48];

	printf("%s %s %s rtt %s\n", r->target->desc,
	       gc_time_opts()->sync ? "residual" : "offset",
	       ms(a, sizeof a, s->round.result.offset),
	       ms(b, sizeof b, s->round.result.delay) + 1);
}

static void json_freq(struct gd_json *j, const struct gc_time_state *s,
		      int sync)
{
	const struct gc_time_guest *g = &s->guest;

	if (g->have_freq) {
		gd_json_key(j, "freq_ppb");
		gd_json_i64(j, g->freq);
	}
	if (g->have_freq_state) {
		gd_json_key(j, "freq_state");
		gd_json_str(j, gd_fd_state_name(g->freq_state));
		gd_json_key(j, "freq_updates");
		gd_json_u64(j, g->freq_updates);
	}
	if (g->have_freq_error) {
		gd_json_key(j, "freq_error_ppb");
		gd_json_i64(j, g->freq_error);
		gd_json_key(j, "freq_bound_ppb");
		gd_json_u64(j, g->freq_bound);
	}
	if (sync && s->freq_verdict >= 0) {
		gd_json_key(j, "freq_verdict");
		gd_json_str(j, gd_fd_verdict_name(s->freq_verdict));
	}
}

static void json_fields(struct gd_json *j, struct gc_run *r)
{
	const struct gc_time_opts *o = gc_time_opts();
	struct gc_time_state *s = gc_time_state(r);

	if (o->sync) {
		gd_json_key(j, "offset_before_ns");
		gd_json_i64(j, s->before.result.offset);
		gd_json_key(j, "delay_before_ns");
		gd_json_i64(j, s->before.result.delay);
		gd_json_key(j, "action");
		gd_json_str(j, gc_time_action_name(s->action));
		gd_json_key(j, "correction_ns");
		gd_json_i64(j, s->correction);
		gd_json_key(j, "rtc");
		gd_json_str(j, gc_time_rtc_name(s->rtc));
	}
	gd_json_key(j, o->sync ? "residual_ns" : "offset_ns");
	gd_json_i64(j, s->round.result.offset);
	gd_json_key(j, "delay_ns");
	gd_json_i64(j, s->round.result.delay);
	gd_json_key(j, "samples");
	gd_json_u64(j, s->round.count);
	gd_json_key(j, "valid_samples");
	gd_json_u64(j, s->round.valid);
	gd_json_key(j, "guest_realtime_ns");
	gd_json_u64(j, s->guest.realtime);
	gd_json_key(j, "guest_monotonic_ns");
	gd_json_u64(j, s->guest.monotonic);
	gd_json_key(j, "guest_boottime_ns");
	gd_json_u64(j, s->guest.boottime);
	if (s->guest.have_slew) {
		gd_json_key(j, "slew_left_ns");
		gd_json_i64(j, s->guest.slew_left);
	}
	json_freq(j, s, o->sync);
}

static void json(struct gc_run *r, const char *event)
{
	static uint8_t storage[GC_TIME_JSON_MAX];
	struct gd_buf b;
	struct gd_json j;

	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "target");
	gd_json_str(&j, r->target->desc);
	gd_json_key(&j, "command");
	gd_json_str(&j, gc_time_opts()->sync ? "time sync" : "time");
	gd_json_key(&j, "ok");
	gd_json_bool(&j, 1);
	if (event) {
		gd_json_key(&j, "event");
		gd_json_str(&j, event);
		gd_json_key(&j, "reason");
		gd_json_str(&j, gc_time_state(r)->reason);
		gd_json_key(&j, "sync_number");
		gd_json_u64(&j, gc_time_state(r)->syncs);
		if (gc_time_state(r)->jump_kinds) {
			char names[GC_TIME_JUMP_NAMES_MAX];

			gd_json_key(&j, "jump");
			gd_json_str(&j, gc_time_jump_names(names, sizeof names,
					gc_time_state(r)->jump_kinds));
		}
	}
	json_fields(&j, r);
	gd_json_obj_end(&j);
	if (gd_json_ok(&j))
		printf("%.*s\n", (int)b.len, (const char *)b.data);
}

void gc_time_report(struct gc_run *r)
{
	if (r->exit_code) {
		gc_report_run(r);
		return;
	}
	if (r->ctx->json)
		json(r, NULL);
	else if (r->ctx->ntargets > 1)
		one_line(r);
	else
		human(r);
	fflush(stdout);
}

void gc_time_report_sync(struct gc_run *r)
{
	struct gc_time_state *s = gc_time_state(r);

	if (r->ctx->json) {
		json(r, "sync");
	} else {
		char now[48], a[48], b[48], c[48], f[48];
		char names[GC_TIME_JUMP_NAMES_MAX];

		printf("%s %s sync %u (%s%s%s): offset %s, %s %s, residual %s",
		       utc(now, sizeof now, gd_clock_ns(CLOCK_REALTIME)),
		       r->target->desc, s->syncs, s->reason,
		       s->jump_kinds ? ": " : "",
		       s->jump_kinds ? gc_time_jump_names(names, sizeof names,
							  s->jump_kinds) : "",
		       ms(a, sizeof a, s->before.result.offset),
		       gc_time_action_name(s->action),
		       ms(b, sizeof b, s->correction),
		       ms(c, sizeof c, s->round.result.offset));
		if (s->guest.have_freq)
			printf(", frequency %s%s%s%s", ppm(f, sizeof f, s->guest.freq),
			       s->freq_verdict >= 0 ? " (" : "",
			       s->freq_verdict >= 0 ?
				       gd_fd_verdict_name(s->freq_verdict) : "",
			       s->freq_verdict >= 0 ? ")" : "");
		printf("\n");
	}
	fflush(stdout);
}
