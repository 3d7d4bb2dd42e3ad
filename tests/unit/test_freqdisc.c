/*
 * Unit tests for libmini/freqdisc.c against a simulated guest clock: a
 * natural rate error, the correction in force, syncs that step the
 * measured offset away with a bounded measurement error, pauses and
 * bad measurements. The kernel applies a correction f to a clock whose
 * own error is n as the rate (1 + n)(1 + f), and so does the simulation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "freqdisc.h"

#define US 1000LL
#define MS 1000000LL
#define S 1000000000LL
#define PPM 1000LL /* in ppb */
#define HOST0 1796000000000000000ull

struct sim {
	struct gd_freq_disc d;
	double natural;  /* the clock's own rate error, a fraction */
	double offset;   /* ns, guest minus host */
	uint64_t host;   /* host realtime */
	uint64_t err;    /* measurement error bound */
	unsigned noise;  /* pseudo-random state for the measurement error */
};

static void sim_init(struct sim *s, double natural_ppm)
{
	*s = (struct sim){ .natural = natural_ppm / 1e6, .host = HOST0,
			   .err = 100 * US, .noise = 12345 };
	gd_fd_init(&s->d, 0, GD_FD_LEARNING);
}

/* The guest's rate against the host with the correction in force, - 1. */
static double rate(const struct sim *s)
{
	return (1.0 + s->natural) * (1.0 + (double)s->d.freq / 1e9) - 1.0;
}

static void sim_run(struct sim *s, int64_t ns)
{
	s->offset += rate(s) * (double)ns;
	s->host += (uint64_t)ns;
}

/* A measurement within +-err of the truth, deterministic. */
static int64_t measured(struct sim *s)
{
	double u;

	s->noise = s->noise * 1103515245u + 12345u;
	u = (double)((s->noise >> 8) % 2001) / 1000.0 - 1.0; /* -1..1 */
	return (int64_t)(s->offset + u * (double)s->err);
}

/* A sync: observe the measured offset, then step it away. */
static int sim_sync(struct sim *s)
{
	int64_t m = measured(s);
	int verdict = gd_fd_observe(&s->d, s->host, m, s->err);

	gd_fd_applied(&s->d, -m);
	s->offset -= (double)m;
	return verdict;
}

/* |offset gained in 60 s without a sync| in ns */
static double residual_60s(const struct sim *s)
{
	double r = rate(s) * 60.0 * S;

	return r < 0 ? -r : r;
}

static void watch(struct sim *s, int64_t interval, int64_t total)
{
	sim_sync(s);
	for (int64_t t = 0; t < total; t += interval) {
		sim_run(s, interval);
		sim_sync(s);
	}
}

static void holds_tcg_drift(void **state)
{
	static const double drifts_ppm[] = { 15036, -6568, 3386, -1000, 48000 };
	struct sim s;

	(void)state;
	for (size_t i = 0; i < sizeof drifts_ppm / sizeof drifts_ppm[0]; i++) {
		sim_init(&s, drifts_ppm[i]);
		watch(&s, 10 * S, 60 * S);
		assert_int_equal(s.d.state, GD_FD_TRACKING);
		assert_true(residual_60s(&s) < 0.5 * MS);
		assert_int_equal(s.d.reverts, 0);
	}
}

static void holds_with_the_default_interval(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, -6568);
	watch(&s, 60 * S, 60 * S);
	assert_int_equal(s.d.updates, 1);
	assert_true(residual_60s(&s) < 1 * MS);
}

/* A good clock is left alone: nothing decisive, the interval grows. */
static void good_clock_left_alone(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, 0.5);
	watch(&s, 10 * S, 120 * S);
	assert_int_equal(s.d.updates, 0);
	assert_int_equal(s.d.freq, 0);
	assert_int_equal(s.d.ref_host, HOST0);
	assert_int_equal(sim_sync(&s), GD_FD_KEEP);
	assert_true(s.d.have_estimate);
	assert_true(2 * s.d.last_bound > s.d.last_error);
}

static void min_interval(void **state)
{
	struct gd_freq_disc d;

	(void)state;
	gd_fd_init(&d, 0, GD_FD_LEARNING);
	assert_int_equal(gd_fd_observe(&d, HOST0, 0, 0), GD_FD_FIRST);
	assert_int_equal(gd_fd_observe(&d, HOST0 + GD_FD_MIN_INTERVAL_NS - 1,
				       5 * MS, 0), GD_FD_KEEP);
	assert_false(d.have_estimate);
	/* 5 ms in 1 s: 5000 ppm fast, so slow down by 5000/1.005 ppm */
	assert_int_equal(gd_fd_observe(&d, HOST0 + GD_FD_MIN_INTERVAL_NS,
				       5 * MS, 0), GD_FD_UPDATE);
	assert_int_equal(d.last_error, 5000 * PPM);
	assert_int_equal(d.freq, gd_fd_corrected(0, 5000 * PPM));
	assert_int_equal(d.freq, -4975124);
}

/* A correction just inside +-GD_FD_MAX_PPB is applied, past it dropped. */
static void max_correction(void **state)
{
	struct gd_freq_disc d;
	/* (0 - e) / (1 + e) = 0.1 at e = -1/11: offsets per 11 s */
	int64_t at = -1 * S, past = -1 * S - 2 * MS;

	(void)state;
	assert_int_equal(gd_fd_corrected(0, -90909091), GD_FD_MAX_PPB);
	gd_fd_init(&d, 0, GD_FD_LEARNING);
	gd_fd_observe(&d, HOST0, 0, 0);
	assert_int_equal(gd_fd_observe(&d, HOST0 + 11 * S, at, 0),
			 GD_FD_UPDATE);
	assert_true(d.freq <= GD_FD_MAX_PPB && d.freq > GD_FD_MAX_PPB - 10);

	gd_fd_init(&d, 0, GD_FD_LEARNING);
	gd_fd_observe(&d, HOST0, 0, 0);
	assert_int_equal(gd_fd_observe(&d, HOST0 + 11 * S, past, 0),
			 GD_FD_JUMP);
	assert_int_equal(d.freq, 0);
	assert_int_equal(d.jumps, 1);
	assert_int_equal(d.ref_host, HOST0 + 11 * S); /* a new start */
}

/* The VM paused for 5 s inside a 60 s interval, once tracking. */
static void pause_is_held_once(void **state)
{
	struct sim s;
	int64_t learned;

	(void)state;
	sim_init(&s, 15036);
	watch(&s, 10 * S, 60 * S);
	learned = s.d.freq;
	sim_run(&s, 55 * S);
	s.offset -= 5.0 * S; /* the guest saw 5 s less pass */
	s.host += 5 * S;
	assert_int_equal(sim_sync(&s), GD_FD_OUTLIER);
	assert_int_equal(s.d.freq, learned);
	assert_int_equal(s.d.outliers, 1);
	sim_run(&s, 60 * S);
	sim_sync(&s);
	assert_int_equal(s.d.reverts, 0);
	assert_true(residual_60s(&s) < 0.5 * MS);
}

/* A frequency that really changed (restored on another host) is learned. */
static void confirmed_change_is_learned(void **state)
{
	struct sim s;

	(void)state;
	sim_init(&s, 15036);
	watch(&s, 10 * S, 60 * S);
	s.natural = 12000 / 1e6;
	for (int i = 0; i < 6; i++) {
		sim_run(&s, 10 * S);
		sim_sync(&s);
	}
	assert_true(s.d.outliers >= 1);
	assert_true(residual_60s(&s) < 1 * MS);
}

/* One bad measurement moves the correction; the next interval reverts it. */
static void worse_update_is_reverted(void **state)
{
	struct gd_freq_disc d;
	int64_t before;

	(void)state;
	gd_fd_init(&d, 0, GD_FD_LEARNING);
	gd_fd_observe(&d, HOST0, 0, 10 * US);
	/* a clock that is right, measured 2 ms off once: "200 ppm slow" */
	assert_int_equal(gd_fd_observe(&d, HOST0 + 10 * S, -2 * MS, 10 * US),
			 GD_FD_UPDATE);
	before = d.prev_freq;
	assert_int_equal(before, 0);
	gd_fd_applied(&d, 2 * MS);
	/* with +200 ppm in force the true clock now gains 200 ppm, and the
	 * measurement errs by 2 ms the other way: 400 ppm, worse */
	assert_int_equal(gd_fd_observe(&d, HOST0 + 20 * S, 2 * MS + 2 * MS,
				       10 * US), GD_FD_REVERT);
	assert_int_equal(d.freq, 0);
	assert_int_equal(d.reverts, 1);
}

/* A slew's progress, reported as applied, is not mistaken for drift. */
static void slew_progress_is_not_drift(void **state)
{
	struct gd_freq_disc d;

	(void)state;
	gd_fd_init(&d, 0, GD_FD_LEARNING);
	gd_fd_observe(&d, HOST0, 100 * MS, 10 * US);
	/* the agent slews -100 ms; 20 s later 10 ms of it has run */
	gd_fd_applied(&d, -10 * MS);
	assert_int_equal(gd_fd_observe(&d, HOST0 + 20 * S, 90 * MS, 10 * US),
			 GD_FD_KEEP);
	assert_int_equal(d.updates, 0);
	assert_true(d.last_error == 0);
}

static void restart_and_host_going_back(void **state)
{
	struct gd_freq_disc d;

	(void)state;
	gd_fd_init(&d, 1234, GD_FD_TRACKING);
	gd_fd_observe(&d, HOST0, 0, 0);
	gd_fd_applied(&d, 5 * MS);
	gd_fd_restart(&d);
	assert_int_equal(d.applied, 0);
	assert_int_equal(gd_fd_observe(&d, HOST0 + 5 * S, 7 * MS, 0),
			 GD_FD_FIRST);
	assert_int_equal(gd_fd_observe(&d, HOST0 + 4 * S, 7 * MS, 0),
			 GD_FD_JUMP);
	assert_int_equal(d.freq, 1234);
	assert_int_equal(gd_fd_observe(&d, HOST0 + 5 * S, 7 * MS, 1 * MS),
			 GD_FD_KEEP);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(gd_fd_state_name(GD_FD_TRACKING), "tracking");
	assert_string_equal(gd_fd_state_name(9), "unknown");
	assert_string_equal(gd_fd_verdict_name(GD_FD_REVERT), "reverted");
	assert_string_equal(gd_fd_verdict_name(GD_FD_IGNORED), "ignored");
	assert_string_equal(gd_fd_verdict_name(-1), "unknown");
	assert_string_equal(gd_fd_verdict_name(8), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(holds_tcg_drift),
		cmocka_unit_test(holds_with_the_default_interval),
		cmocka_unit_test(good_clock_left_alone),
		cmocka_unit_test(min_interval),
		cmocka_unit_test(max_correction),
		cmocka_unit_test(pause_is_held_once),
		cmocka_unit_test(confirmed_change_is_learned),
		cmocka_unit_test(worse_update_is_reverted),
		cmocka_unit_test(slew_progress_is_not_drift),
		cmocka_unit_test(restart_and_host_going_back),
		cmocka_unit_test(names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
