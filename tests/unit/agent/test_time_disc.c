/*
 * Unit tests for the agent's side of the time discipline
 * (agent/time/time_disc.c, and TIME_SET in agent/native/svc_time.c): which
 * TIME_SET measurements it trusts and learns from, and what it keeps.
 * libmini/freqdisc.c's arithmetic has its own tests (test_freqdisc); here
 * the agent's part: the error bound it gives a sample (half the round
 * trip the host measured, widened while one of its own slews runs), the
 * part of a slew that ran accounted as a clock move, hold and reset
 * modes, leaving alone a clock another program disciplines, what it puts
 * in force and when the kernel refuses.
 *
 * The clock moves land in fake_clock.c (linked instead of clock_set.c):
 * nothing here can step, slew or re-tune this machine's clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <time.h>

#include "fake_clock.h"
#include "harness.h"
#include "native.h"
#include "proto_time.h"
#include "sysinfo.h"
#include "time_svc.h"
#include "timesync.h"

#define MS 1000000LL
#define US 1000LL
#define S 1000000000LL
#define T0 (1700000000ULL * S) /* host realtime of the first sample */
#define PPM_100 100000LL       /* 100 ppm in ppb */
#define CORRECTED_100 (-99990LL) /* gd_fd_corrected(0, +100 ppm) */

static struct gd_time_disc *disc = &th_time.disc;
static struct th_answer ans[TH_MAX_ANSWERS];
static struct th_req req;

static int setup(void **state)
{
	(void)state;
	th_setup();
	fake_clock_reset();
	th_agent.cfg.time_discipline = 1;
	gd_disc_init(&th_agent);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	th_teardown();
	return 0;
}

static int observe(int64_t at, int64_t offset, int64_t err, int mode)
{
	int v = gd_disc_observe(&th_agent, T0 + (uint64_t)at, offset,
				(uint64_t)err, mode);

	assert_int_equal(disc->last_verdict, v);
	return v;
}

static void test_init_states(void **state)
{
	(void)state;
	assert_int_equal(disc->fd.state, GD_FD_LEARNING);
	assert_int_equal(disc->fd.freq, 0);
	assert_int_equal(disc->last_verdict, GD_FD_IGNORED);
	assert_false(disc->owned);
	/* a correction found in force is learned on top of, not dropped */
	fake_clock.freq = 1234;
	gd_disc_init(&th_agent);
	assert_int_equal(disc->fd.state, GD_FD_LEARNING);
	assert_int_equal(disc->fd.freq, 1234);
	/* another program's discipline (NTP) */
	fake_clock.external = 1;
	gd_disc_init(&th_agent);
	assert_int_equal(disc->fd.state, GD_FD_EXTERNAL);
	assert_non_null(strstr(th_last_log(), "another program disciplines"));
	/* time-discipline=0 */
	th_agent.cfg.time_discipline = 0;
	gd_disc_init(&th_agent);
	assert_int_equal(disc->fd.state, GD_FD_OFF);
	assert_int_equal(fake_clock.freq_sets, 0);
}

/* Samples 10 s apart with a tight bound teach the rate, put in force. */
static void test_learns_rate(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	/* too soon to say anything (GD_FD_MIN_INTERVAL_NS) */
	assert_int_equal(observe(S / 2, 50 * US, 1 * US, GD_TF_LEARN), GD_FD_KEEP);
	assert_int_equal(fake_clock.freq_sets, 0);
	/* the guest gained 1 ms in 10 s: +100 ppm */
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_UPDATE);
	assert_int_equal(disc->fd.last_error, PPM_100);
	assert_int_equal(disc->fd.last_bound, 200); /* 2 us over 10 s */
	assert_int_equal(disc->fd.freq, CORRECTED_100);
	assert_int_equal(fake_clock.freq_sets, 1);
	assert_int_equal(fake_clock.freq, CORRECTED_100);
	assert_true(disc->owned);
	assert_int_equal(disc->fd.state, GD_FD_TRACKING);
	assert_non_null(strstr(th_last_log(), "learned: -99.990 ppm in force"));
}

/*
 * A sample whose round trip was long is not trusted to decide: the
 * reference is kept and the interval grows until the bound is small
 * enough beside the error.
 */
static void test_long_round_trip_not_trusted(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 300 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(observe(10 * S, 1 * MS, 300 * US, GD_TF_LEARN), GD_FD_KEEP);
	assert_int_equal(disc->fd.last_bound, 60000); /* 600 us over 10 s */
	assert_int_equal(fake_clock.freq_sets, 0);
	assert_int_equal(disc->fd.freq, 0);
	assert_int_equal(disc->fd.ref_host, T0); /* the reference is kept */
	assert_int_equal(observe(100 * S, 10 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_UPDATE);
	assert_int_equal(disc->fd.last_error, PPM_100);
	assert_int_equal(fake_clock.freq, CORRECTED_100);
}

/* What guestd's own slew moved is no frequency error. */
static void test_slew_accounted(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(gd_time_slew(&th_agent, 1 * MS), 0);
	assert_int_equal(fake_clock.slews, 1);
	assert_int_equal(disc->slew_pending, 1 * MS);
	fake_clock.slew_left = 0; /* the kernel ran it all */
	/* a perfect clock: the offset moved by the slew alone */
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_KEEP);
	assert_int_equal(disc->fd.last_error, 0);
	assert_int_equal(disc->slew_pending, 0);
	assert_int_equal(fake_clock.freq_sets, 0);
}

/*
 * While a slew runs, what it has done is known only to GD_SLEW_READ_ERR_NS:
 * the same +100 ppm that decides with a settled clock does not decide
 * then; once the slew is over the rest of it is accounted and it does.
 */
static void test_running_slew_widens_bound(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(gd_time_slew(&th_agent, 1 * MS), 0);
	fake_clock.slew_left = 400 * US; /* 600 us of it ran */
	assert_int_equal(observe(10 * S, 600 * US + 1 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_KEEP);
	assert_int_equal(disc->fd.last_error, PPM_100);
	assert_int_equal(disc->fd.last_bound, 50200); /* (1 + 1 + 500) us / 10 s */
	assert_int_equal(disc->slew_pending, 400 * US);
	assert_int_equal(fake_clock.freq_sets, 0);
	fake_clock.slew_left = 0;
	assert_int_equal(observe(20 * S, 1 * MS + 2 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_UPDATE);
	assert_int_equal(disc->fd.last_error, PPM_100);
	assert_int_equal(fake_clock.freq, CORRECTED_100);
}

/* A step guestd made is accounted too (gd_time_step). */
static void test_step_accounted(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(gd_time_step(&th_agent, -3 * S, GD_JUMP_SET, NULL), 0);
	assert_int_equal(fake_clock.steps, 1);
	assert_int_equal(fake_clock.stepped, -3 * S);
	assert_int_equal(th_agent.time->jumps, 1);
	/* the guest gained 1 ms besides the step */
	assert_int_equal(observe(10 * S, -3 * S + 1 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_UPDATE);
	assert_int_equal(disc->fd.last_error, PPM_100);
}

/* Hold mode, a discipline turned off, or another's: nothing learned. */
static void test_ignored(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_HOLD), GD_FD_IGNORED);
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_HOLD), GD_FD_IGNORED);
	assert_false(disc->fd.has_ref);
	th_agent.cfg.time_discipline = 0;
	gd_disc_init(&th_agent);
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_IGNORED);
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_IGNORED);
	assert_int_equal(observe(11 * S, 1 * MS, 1 * US, GD_TF_RESET), GD_FD_IGNORED);
	assert_false(disc->fd.has_ref);
	assert_int_equal(fake_clock.freq_sets, 0);
}

/* Another program changes the frequency: guestd stands back. */
static void test_taken_over(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_UPDATE);
	fake_clock.freq = 5000; /* not what guestd put there */
	assert_int_equal(observe(20 * S, 1 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_IGNORED);
	assert_int_equal(disc->fd.state, GD_FD_EXTERNAL);
	assert_int_equal(disc->fd.freq, 5000);
	assert_int_equal(fake_clock.freq_sets, 1);
	assert_int_equal(observe(30 * S, 5 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_IGNORED);
	assert_int_equal(fake_clock.freq, 5000);
	/* a host may ask for it back */
	assert_int_equal(observe(40 * S, 0, 1 * US, GD_TF_RESET), GD_FD_RESET);
	assert_int_equal(fake_clock.freq, 0);
	assert_int_equal(disc->fd.state, GD_FD_LEARNING);
}

/* A clock marked synchronised (NTP) is another's too. */
static void test_external_flag(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	fake_clock.external = 1;
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN),
			 GD_FD_IGNORED);
	assert_int_equal(disc->fd.state, GD_FD_EXTERNAL);
	assert_int_equal(fake_clock.freq_sets, 0);
}

/* The kernel refuses the correction: guestd believes the kernel. */
static void test_kernel_refuses(void **state)
{
	(void)state;
	fake_clock.freq = 700;
	gd_disc_init(&th_agent);
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	fake_clock.err = EPERM;
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_UPDATE);
	assert_int_equal(fake_clock.freq_sets, 1);
	assert_int_equal(disc->kernel_errors, 1);
	assert_int_equal(disc->fd.freq, 700);
	assert_int_equal(fake_clock.freq, 700);
	assert_false(disc->owned);
	assert_non_null(strstr(th_last_log(), "adjtimex"));
}

/* Reset: back to nominal, learning from scratch. */
static void test_reset(void **state)
{
	(void)state;
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_UPDATE);
	assert_int_equal(observe(15 * S, 1 * MS, 1 * US, GD_TF_RESET), GD_FD_RESET);
	assert_int_equal(fake_clock.freq_sets, 2);
	assert_int_equal(fake_clock.freq, 0);
	assert_int_equal(disc->fd.freq, 0);
	assert_int_equal(disc->fd.state, GD_FD_LEARNING);
	assert_false(disc->fd.has_ref);
	assert_int_equal(disc->fd.updates, 0);
	assert_false(disc->owned);
	assert_int_equal(observe(16 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
}

/*
 * Jumps: a suspend or a new VM generation drops a correction guestd put
 * in force (not one it found), a step only restarts the measurement.
 */
static void test_jumps(void **state)
{
	(void)state;
	fake_clock.freq = 1234; /* found at start: not guestd's */
	gd_disc_init(&th_agent);
	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	gd_disc_on_jump(&th_agent, GD_JUMP_SUSPEND);
	assert_int_equal(fake_clock.freq_sets, 0);
	assert_int_equal(fake_clock.freq, 1234);
	assert_false(disc->fd.has_ref);

	assert_int_equal(observe(0, 0, 1 * US, GD_TF_LEARN), GD_FD_FIRST);
	assert_int_equal(observe(10 * S, 1 * MS, 1 * US, GD_TF_LEARN), GD_FD_UPDATE);
	assert_true(disc->owned);
	gd_disc_on_jump(&th_agent, GD_JUMP_STEP);
	assert_false(disc->fd.has_ref);
	assert_int_equal(fake_clock.freq_sets, 1); /* the rate is kept */
	assert_int_equal(disc->fd.freq, fake_clock.freq);
	gd_disc_on_jump(&th_agent, GD_JUMP_VMGENID);
	assert_int_equal(fake_clock.freq_sets, 2);
	assert_int_equal(fake_clock.freq, 0);
	assert_int_equal(disc->fd.state, GD_FD_LEARNING);
}

/* A u64 or u8 TLV of an answer. */
static uint64_t u64_of(const struct th_answer *a, uint16_t type)
{
	struct gd_tlv_view tv;
	uint64_t v;

	assert_int_equal(th_tlv(a, type, &tv), 0);
	assert_int_equal(gd_tlv_get_u64(&tv, &v), 0);
	return v;
}

static uint8_t u8_of(const struct th_answer *a, uint16_t type)
{
	struct gd_tlv_view tv;
	uint8_t v;

	assert_int_equal(th_tlv(a, type, &tv), 0);
	assert_int_equal(gd_tlv_get_u8(&tv, &v), 0);
	return v;
}

static void time_set(struct gd_conn *c, uint32_t id, uint64_t host,
		     uint64_t ref, uint8_t mode, uint64_t delay)
{
	th_req_begin(&req, GD_OP_TIME_SET, id, 0);
	gd_tlv_u64(&req.w, GD_T_TIME_HOST, host);
	gd_tlv_u64(&req.w, GD_T_TIME_GUEST_REF, ref);
	gd_tlv_u8(&req.w, GD_T_TIME_MODE, mode);
	gd_tlv_u64(&req.w, GD_T_TIME_DELAY, delay);
	th_req_end(&req);
	th_send(c, &req);
}

/*
 * TIME_SET over the wire: the correction is host minus the guest
 * reference, the round trip's half is the sample's bound, the verdict
 * and the state come back in the answer.
 */
static void test_time_set_slew(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint64_t ref = gd_clock_ns(CLOCK_REALTIME) - 1 * MS;

	(void)state;
	time_set(c, 1, ref + 5 * MS, ref, GD_TM_SLEW, 2 * US);
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.status, GD_S_OK);
	assert_int_equal(ans[0].hdr.id, 1);
	assert_int_equal(u8_of(&ans[0], GD_T_TIME_ACTION), GD_TA_SLEW);
	assert_int_equal(u64_of(&ans[0], GD_T_TIME_CORRECTION), 5 * MS);
	assert_int_equal(u8_of(&ans[0], GD_T_TIME_FREQ_VERDICT), GD_FD_FIRST);
	assert_int_equal(u8_of(&ans[0], GD_T_TIME_FREQ_STATE), GD_FD_LEARNING);
	assert_int_equal(u8_of(&ans[0], GD_T_TIME_RTC_RESULT), GD_RTC_NOT_ASKED);
	assert_int_equal(fake_clock.slews, 1);
	assert_int_equal(fake_clock.last_slew, 5 * MS);
	assert_int_equal(fake_clock.steps, 0);
	assert_int_equal(disc->fd.ref_phase, -5 * MS);
	assert_int_equal(disc->fd.ref_err, 1 * US);
	assert_int_equal(disc->slew_pending, 5 * MS);
}

/* A step: made, accounted, and announced to the other connections. */
static void test_time_set_step(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	struct gd_conn *other = th_attach(1, GD_PROTO_NATIVE);
	uint64_t ref = gd_clock_ns(CLOCK_REALTIME) - 1 * MS;
	struct gd_tlv_view tv;
	uint32_t kind;

	(void)state;
	time_set(c, 2, ref - 2 * S, ref, GD_TM_STEP, 0);
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.status, GD_S_OK);
	assert_int_equal(u8_of(&ans[0], GD_T_TIME_ACTION), GD_TA_STEP);
	assert_int_equal((int64_t)u64_of(&ans[0], GD_T_TIME_CORRECTION), -2 * S);
	assert_int_equal(fake_clock.steps, 1);
	assert_int_equal(fake_clock.stepped, -2 * S);
	assert_int_equal(disc->fd.applied, -2 * S);
	th_one(other, &ans[0]);
	assert_int_equal(ans[0].hdr.flags, GD_F_EVENT);
	assert_int_equal(ans[0].hdr.op, GD_EV_CLOCK_JUMP);
	assert_int_equal(th_tlv(&ans[0], GD_T_TIME_JUMP_KIND, &tv), 0);
	assert_int_equal(gd_tlv_get_u32(&tv, &kind), 0);
	assert_int_equal(kind, GD_JUMP_SET);
	assert_int_equal((int64_t)u64_of(&ans[0], GD_T_TIME_STEPPED), -2 * S);
}

/* Refused before anything moves: a reference in the guest's future. */
static void test_time_set_refused(void **state)
{
	struct gd_conn *c = th_attach(0, GD_PROTO_NATIVE);
	uint64_t later = gd_clock_ns(CLOCK_REALTIME) + 60 * S;

	(void)state;
	time_set(c, 3, later, later, GD_TM_SLEW, 0);
	th_one(c, &ans[0]);
	assert_int_equal(ans[0].hdr.status, GD_S_BAD_VALUE);
	assert_int_equal(fake_clock.slews + fake_clock.steps, 0);
	assert_int_equal(disc->last_verdict, GD_FD_IGNORED);
	assert_false(disc->fd.has_ref);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_states),
		T(test_learns_rate),
		T(test_long_round_trip_not_trusted),
		T(test_slew_accounted),
		T(test_running_slew_widens_bound),
		T(test_step_accounted),
		T(test_ignored),
		T(test_taken_over),
		T(test_external_flag),
		T(test_kernel_refuses),
		T(test_reset),
		T(test_jumps),
		T(test_time_set_slew),
		T(test_time_set_step),
		T(test_time_set_refused),
	};
#undef T

	return cmocka_run_group_tests(tests, NULL, NULL);
}
