/*
 * The frequency discipline in the agent (docs/time.md, "Holding the
 * time"): libmini/freqdisc.c learns from the offsets TIME_SET reports,
 * this file tells it about every clock move guestd makes (steps, the part
 * of a slew that ran), puts the learned correction in force with
 * adjtimex, and drops it when the clock watch sees the machine change
 * under the guest (a suspend, a new VM generation).
 *
 * It stays away from a clock another program disciplines (the kernel
 * PLL is on, the clock is marked synchronised, or the correction in
 * force is not the one guestd set) until a host asks for a reset.
 */
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "proto_time.h"
#include "time_svc.h"
#include "timesync.h"

#define PPB_PER_PPM 1000
#define NS_PER_MS 1000000

/* "+15036.123 ppm" */
static const char *ppm(char *buf, size_t cap, int64_t ppb)
{
	uint64_t mag = gd_abs64(ppb);

	snprintf(buf, cap, "%c%llu.%03llu ppm", ppb < 0 ? '-' : '+',
		 (unsigned long long)(mag / PPB_PER_PPM),
		 (unsigned long long)(mag % PPB_PER_PPM));
	return buf;
}

/* The part of guestd's own slew that ran since it was last accounted. */
static void settle_slew(struct gd_time_disc *t)
{
	int64_t left;

	if (!t->slew_pending || gd_clock_slew_left(&left))
		return;
	gd_fd_applied(&t->fd, t->slew_pending - left);
	t->slew_pending = left;
}

int gd_time_step(struct gd_agent *a, int64_t correction, unsigned kind,
		 const struct gd_conn *requester)
{
	struct gd_time_disc *t = &a->time->disc;
	int err;

	settle_slew(t);
	err = gd_clock_step(correction);
	if (err)
		return err;
	t->slew_pending = 0; /* the step cancelled what was left */
	gd_fd_applied(&t->fd, correction);
	gd_time_stepped(a, correction, kind, requester);
	return 0;
}

int gd_time_slew(struct gd_agent *a, int64_t correction)
{
	struct gd_time_disc *t = &a->time->disc;
	int err;

	settle_slew(t);
	err = gd_clock_slew(correction);
	if (!err)
		t->slew_pending = correction; /* it replaced the remainder */
	return err;
}

void gd_disc_init(struct gd_agent *a)
{
	struct gd_time_disc *t = &a->time->disc;
	int64_t in_force = 0;
	int external = 0, state = GD_FD_LEARNING;
	char buf[32];

	if (gd_clock_freq_read(&in_force, &external))
		in_force = 0;
	if (!a->cfg.time_discipline)
		state = GD_FD_OFF;
	else if (external)
		state = GD_FD_EXTERNAL;
	gd_fd_init(&t->fd, in_force, state);
	t->slew_pending = 0;
	t->owned = 0;
	t->last_verdict = GD_FD_IGNORED;
	if (state == GD_FD_EXTERNAL)
		gd_logf(&a->log, GD_LOG_INFO, "clock frequency: another "
			"program disciplines the clock (%s in force); leaving "
			"it alone", ppm(buf, sizeof buf, in_force));
}

/* Put d->freq in force; on a refusal, believe the kernel instead. */
static void put_in_force(struct gd_agent *a, int verdict)
{
	struct gd_time_disc *t = &a->time->disc;
	int64_t now = 0;
	int external, err = gd_clock_freq_set(t->fd.freq);
	char f[32], e[32], b[32];

	if (err) {
		t->kernel_errors++;
		gd_logf(&a->log, GD_LOG_WARN, "clock frequency %s: adjtimex: "
			"%s", ppm(f, sizeof f, t->fd.freq), strerror(err));
		if (gd_clock_freq_read(&now, &external) == 0)
			t->fd.freq = now;
		return;
	}
	t->owned = 1;
	gd_logf(&a->log, GD_LOG_INFO, "clock frequency %s %s in force "
		"(measured %s +- %s over %llu ms)",
		verdict == GD_FD_REVERT ? "reverted:" : "learned:",
		ppm(f, sizeof f, t->fd.freq), ppm(e, sizeof e, t->fd.last_error),
		ppm(b, sizeof b, t->fd.last_bound) + 1,
		(unsigned long long)(t->fd.last_interval / NS_PER_MS));
}

/*
 * Back to nominal and learning again. The kernel is written only when
 * guestd put the correction there or the host asked: a correction found
 * at start (another program's, or the machine's own) is never dropped
 * by a jump.
 */
static void reset(struct gd_agent *a, const char *why, int asked)
{
	struct gd_time_disc *t = &a->time->disc;
	int had = t->fd.freq != 0;

	gd_fd_init(&t->fd, 0, GD_FD_LEARNING);
	if (!t->owned && !asked) { /* not ours to drop: learn on top of it */
		gd_disc_init(a);
		return;
	}
	t->owned = 0;
	if (gd_clock_freq_set(0)) {
		t->kernel_errors++;
		gd_disc_init(a); /* whatever the kernel still has */
		return;
	}
	if (had)
		gd_logf(&a->log, GD_LOG_INFO, "clock frequency: correction "
			"dropped (%s); learning again", why);
}

/* Someone else changed the frequency or took the clock over. */
static int taken_over(struct gd_agent *a)
{
	struct gd_time_disc *t = &a->time->disc;
	int64_t in_force;
	int external;

	if (gd_clock_freq_read(&in_force, &external))
		return 0;
	if (in_force - t->fd.freq > 1 || t->fd.freq - in_force > 1)
		external = 1;
	if (external) {
		gd_fd_init(&t->fd, in_force, GD_FD_EXTERNAL);
		gd_logf(&a->log, GD_LOG_INFO, "clock frequency: another "
			"program disciplines the clock; leaving it alone");
	}
	return external;
}

int gd_disc_observe(struct gd_agent *a, uint64_t host_ns, int64_t offset,
		    uint64_t err_ns, int mode)
{
	struct gd_time_disc *t = &a->time->disc;
	int verdict = GD_FD_IGNORED;

	if (mode == GD_TF_RESET && a->cfg.time_discipline) {
		reset(a, "asked by the host", 1);
		verdict = GD_FD_RESET;
	} else if (mode == GD_TF_LEARN && (t->fd.state == GD_FD_LEARNING ||
					   t->fd.state == GD_FD_TRACKING) &&
		   !taken_over(a)) {
		settle_slew(t);
		if (t->slew_pending)
			err_ns += GD_SLEW_READ_ERR_NS;
		verdict = gd_fd_observe(&t->fd, host_ns, offset, err_ns);
		if (verdict == GD_FD_UPDATE || verdict == GD_FD_REVERT)
			put_in_force(a, verdict);
	}
	t->last_verdict = verdict;
	return verdict;
}

void gd_disc_on_jump(struct gd_agent *a, unsigned kinds)
{
	struct gd_time_disc *t = &a->time->disc;

	if (t->fd.state != GD_FD_LEARNING && t->fd.state != GD_FD_TRACKING)
		return;
	if (kinds & (GD_JUMP_SUSPEND | GD_JUMP_VMGENID))
		reset(a, kinds & GD_JUMP_VMGENID ? "new VM generation" :
			 "the guest was suspended", 0);
	else if (kinds & GD_JUMP_STEP)
		gd_fd_restart(&t->fd); /* the phase is broken, the rate is not */
}

int gd_disc_put(struct gd_agent *a, struct gd_frame_writer *w)
{
	const struct gd_freq_disc *fd = &a->time->disc.fd;
	int64_t in_force;
	int external;

	if (gd_clock_freq_read(&in_force, &external) == 0 &&
	    gd_tlv_u64(w, GD_T_TIME_FREQ, (uint64_t)in_force))
		return -1;
	if (gd_tlv_u8(w, GD_T_TIME_FREQ_STATE, (uint8_t)fd->state) ||
	    gd_tlv_u32(w, GD_T_TIME_FREQ_UPDATES, fd->updates))
		return -1;
	if (fd->have_estimate &&
	    (gd_tlv_u64(w, GD_T_TIME_FREQ_ERROR, (uint64_t)fd->last_error) ||
	     gd_tlv_u64(w, GD_T_TIME_FREQ_BOUND, (uint64_t)fd->last_bound)))
		return -1;
	return 0;
}
