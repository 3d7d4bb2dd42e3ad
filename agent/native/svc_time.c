/* TIME_GET and TIME_SET: the guest's clocks, and setting realtime. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "native.h"
#include "proto_time.h"
#include "sysinfo.h"
#include "time_svc.h"
#include "timesync.h"

#define GD_TIME_ERR_MAX 160

struct set_req {
	uint64_t host, ref, delay;
	int has_ref, has_delay;
	uint8_t mode, rtc, freq_mode;
};

static int fail(struct gd_req *r, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct gd_req *r, int status, const char *fmt, ...)
{
	static char msg[GD_TIME_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	r->errmsg = msg;
	return status;
}

/* Optional TLVs: 1 present (*v set), 0 absent, -1 wrong width. */
static int opt_u8(const struct gd_frame *f, uint16_t type, uint8_t *v)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv))
		return 0;
	return gd_tlv_get_u8(&tv, v) ? -1 : 1;
}

static int opt_u64(const struct gd_frame *f, uint16_t type, uint64_t *v)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, type, &tv))
		return 0;
	return gd_tlv_get_u64(&tv, v) ? -1 : 1;
}

static uint64_t received_at(const struct gd_req *r)
{
	return r->conn->sess.rx_real ? r->conn->sess.rx_real
				: gd_clock_ns(CLOCK_REALTIME);
}

static int put_clocks(struct gd_agent *a, struct gd_frame_writer *w)
{
	int64_t left;

	if (gd_tlv_u64(w, GD_T_TIME_REALTIME, gd_clock_ns(CLOCK_REALTIME)) ||
	    gd_tlv_u64(w, GD_T_TIME_MONOTONIC, gd_clock_ns(CLOCK_MONOTONIC)) ||
	    gd_tlv_u64(w, GD_T_TIME_BOOTTIME, gd_clock_ns(CLOCK_BOOTTIME)))
		return -1;
	if (gd_clock_slew_left(&left) == 0 &&
	    gd_tlv_u64(w, GD_T_TIME_SLEW_LEFT, (uint64_t)left))
		return -1;
	return gd_disc_put(a, w);
}

static int put_rtc(struct gd_frame_writer *w)
{
	uint64_t ns;
	int err, rc = gd_rtc_read(&ns, &err);

	if (rc == 0)
		return gd_tlv_u64(w, GD_T_TIME_RTC_NOW, ns);
	return gd_tlv_u8(w, GD_T_TIME_RTC_RESULT, (uint8_t)rc);
}

int gd_svc_time_get(struct gd_req *r)
{
	struct gd_frame_writer *w = r->w;
	uint8_t want_rtc = 0;
	int has = opt_u8(r->frame, GD_T_TIME_RTC, &want_rtc);

	if (has < 0)
		return fail(r, GD_S_BAD_TLV, "TIME_RTC must be a u8");
	if (want_rtc > 1)
		return fail(r, GD_S_BAD_VALUE, "TIME_RTC must be 0 or 1");
	if (gd_tlv_u64(w, GD_T_TIME_RECV, received_at(r)) || put_clocks(r->agent, w) ||
	    (want_rtc && put_rtc(w)))
		return GD_S_INTERNAL;
	/* last, so time_stamp.c can refill it right before the write */
	if (gd_tlv_u64(w, GD_T_TIME_SEND, gd_clock_ns(CLOCK_REALTIME)))
		return GD_S_INTERNAL;
	gd_time_tx_mark(r->conn, w->start);
	return GD_S_OK;
}

static int parse_set(struct gd_req *r, struct set_req *q)
{
	const struct gd_frame *f = r->frame;
	int has = opt_u64(f, GD_T_TIME_HOST, &q->host);

	if (has < 0)
		return fail(r, GD_S_BAD_TLV, "TIME_HOST must be a u64");
	if (!has)
		return fail(r, GD_S_MISSING_FIELD,
			    "TIME_SET needs TIME_HOST (host realtime in ns)");
	if (!gd_time_host_ok(q->host))
		return fail(r, GD_S_BAD_VALUE, "host time %llu ns is not "
			    "between 2000 and 2116", (unsigned long long)q->host);
	q->has_ref = opt_u64(f, GD_T_TIME_GUEST_REF, &q->ref);
	if (q->has_ref < 0)
		return fail(r, GD_S_BAD_TLV, "TIME_GUEST_REF must be a u64");
	if (opt_u8(f, GD_T_TIME_MODE, &q->mode) < 0 ||
	    opt_u8(f, GD_T_TIME_RTC, &q->rtc) < 0)
		return fail(r, GD_S_BAD_TLV, "TIME_MODE and TIME_RTC are u8");
	if (q->mode > GD_TM_SLEW)
		return fail(r, GD_S_BAD_VALUE,
			    "mode must be 0 (auto), 1 (step) or 2 (slew)");
	if (q->rtc > 1)
		return fail(r, GD_S_BAD_VALUE, "TIME_RTC must be 0 or 1");
	q->has_delay = opt_u64(f, GD_T_TIME_DELAY, &q->delay);
	if (q->has_delay < 0 || opt_u8(f, GD_T_TIME_FREQ_MODE, &q->freq_mode) < 0)
		return fail(r, GD_S_BAD_TLV, "TIME_DELAY is a u64 and "
			    "TIME_FREQ_MODE a u8");
	if (q->has_delay && q->delay > GD_TIME_DELAY_MAX_NS)
		return fail(r, GD_S_BAD_VALUE, "TIME_DELAY over %llu s",
			    GD_TIME_DELAY_MAX_NS / 1000000000ull);
	if (q->freq_mode > GD_TF_RESET)
		return fail(r, GD_S_BAD_VALUE, "TIME_FREQ_MODE must be 0 (learn), "
			    "1 (hold) or 2 (reset)");
	return GD_S_OK;
}

/* The guest realtime the host time corresponds to. */
static int reference(struct gd_req *r, const struct set_req *q, uint64_t *ref)
{
	uint64_t now = gd_clock_ns(CLOCK_REALTIME);

	if (!q->has_ref) {
		*ref = received_at(r);
		return GD_S_OK;
	}
	if (q->ref > now)
		return fail(r, GD_S_BAD_VALUE, "guest reference is in the "
			    "guest's future (clock changed?): measure again");
	if (now - q->ref > GD_TIME_REF_MAX_AGE_NS)
		return fail(r, GD_S_BAD_VALUE, "guest reference is older than "
			    "%llu s: measure again",
			    GD_TIME_REF_MAX_AGE_NS / 1000000000ull);
	*ref = q->ref;
	return GD_S_OK;
}

static void log_action(struct gd_agent *a, int action, int64_t correction)
{
	uint64_t mag = gd_abs64(correction);

	if (action == GD_TA_NONE)
		return;
	gd_logf(&a->log, GD_LOG_INFO, "clock %s by %c%llu.%06llu ms",
		action == GD_TA_STEP ? "stepped" : "slewing",
		correction < 0 ? '-' : '+', (unsigned long long)(mag / 1000000u),
		(unsigned long long)(mag % 1000000u));
}

static int apply(struct gd_req *r, int action, int64_t correction)
{
	int err = 0;

	if (action == GD_TA_STEP)
		err = gd_time_step(r->agent, correction, GD_JUMP_SET, r->conn);
	else if (action == GD_TA_SLEW)
		err = gd_time_slew(r->agent, correction);
	if (err == EPERM)
		return fail(r, GD_S_NOT_PERMITTED,
			    "setting the clock needs CAP_SYS_TIME");
	if (err)
		return fail(r, GD_S_INTERNAL, "adjtimex: %s", strerror(err));
	log_action(r->agent, action, correction);
	return GD_S_OK;
}

/* The RTC gets where realtime is headed: a slew's remainder included. */
static uint8_t write_rtc(struct gd_agent *a, int action, int64_t correction)
{
	uint64_t target = gd_clock_ns(CLOCK_REALTIME);
	int err, rc;

	if (action == GD_TA_SLEW)
		target = (uint64_t)((int64_t)target + correction);
	rc = gd_rtc_write(target, &err);
	if (rc == GD_RTC_FAILED)
		gd_logf(&a->log, GD_LOG_WARN, "%s: %s", GD_RTC_PATH,
			strerror(err));
	return (uint8_t)rc;
}

int gd_svc_time_set(struct gd_req *r)
{
	struct set_req q = { 0 };
	uint64_t ref = 0;
	int64_t correction;
	int status, action, verdict;
	uint8_t rtc = GD_RTC_NOT_ASKED;

	status = parse_set(r, &q);
	if (status == GD_S_OK)
		status = reference(r, &q, &ref);
	if (status != GD_S_OK)
		return status;
	correction = (int64_t)q.host - (int64_t)ref;
	action = gd_time_decide(q.mode, correction);
	if (action < 0)
		return fail(r, GD_S_BAD_VALUE, "%llu.%03llu s is too far to "
			    "slew (limit %llu s): step instead",
			    (unsigned long long)(gd_abs64(correction) / 1000000000u),
			    (unsigned long long)(gd_abs64(correction) / 1000000u % 1000),
			    (unsigned long long)(GD_TIME_SLEW_MAX_NS / 1000000000));
	verdict = gd_disc_observe(r->agent, q.host, -correction,
				  q.has_delay ? q.delay / 2 : GD_FD_DEFAULT_ERR_NS,
				  q.freq_mode);
	status = apply(r, action, correction);
	if (status != GD_S_OK)
		return status;
	if (q.rtc)
		rtc = write_rtc(r->agent, action, correction);
	if (gd_tlv_u8(r->w, GD_T_TIME_ACTION, (uint8_t)action) ||
	    gd_tlv_u64(r->w, GD_T_TIME_CORRECTION, (uint64_t)correction) ||
	    gd_tlv_u8(r->w, GD_T_TIME_RTC_RESULT, rtc) ||
	    gd_tlv_u64(r->w, GD_T_TIME_REALTIME, gd_clock_ns(CLOCK_REALTIME)) ||
	    gd_tlv_u8(r->w, GD_T_TIME_FREQ_VERDICT, (uint8_t)verdict) ||
	    gd_disc_put(r->agent, r->w))
		return GD_S_INTERNAL;
	return GD_S_OK;
}
