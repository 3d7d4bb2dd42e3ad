/*
 * Unit tests for libmini/timesync.c: the four-timestamp offset and delay,
 * lowest-delay sample selection, the step/slew decision around the
 * 128 ms threshold and the slew limit, and libkrun's datagram.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "proto_time.h"
#include "timesync.h"

#define MS 1000000LL
#define S 1000000000LL

/*
 * Eight TIME_GET exchanges recorded against guestd on a unix socket on the
 * development machine (one clock, so the true offset is 0): t1, t4 from a
 * Python client, t2, t3 from the agent. Sample 5 has the lowest delay.
 */
static const struct gd_ts_sample same_clock[] = {
	{ 1795331169956285894ull, 1795331169956432337ull,
	  1795331169956442596ull, 1795331169956560367ull },
	{ 1795331169956662708ull, 1795331169956774356ull,
	  1795331169956781489ull, 1795331169956872770ull },
	{ 1795331169956908707ull, 1795331169957008744ull,
	  1795331169957015436ull, 1795331169957108330ull },
	{ 1795331169957182849ull, 1795331169957457722ull,
	  1795331169957464044ull, 1795331169957559643ull },
	{ 1795331169957602363ull, 1795331169957688934ull,
	  1795331169957693142ull, 1795331169957768313ull },
	{ 1795331169957805733ull, 1795331169957892735ull,
	  1795331169957897654ull, 1795331169957970891ull },
	{ 1795331169958002621ull, 1795331169958176594ull,
	  1795331169958189207ull, 1795331169958279938ull },
	{ 1795331169958314853ull, 1795331169958411823ull,
	  1795331169958418956ull, 1795331169958503546ull },
};

/*
 * Eight TIME_GET exchanges recorded from a QEMU guest (TCG) booted with
 * -rtc base= an hour behind, over virtio-serial, t1 and t4 from a Python
 * client on the host. Sample 1 met an 8 ms delay and is off by 1.3 ms;
 * sample 7 has the lowest delay.
 */
static const struct gd_ts_sample hour_behind[] = {
	{ 1795333070673836372ull, 1795329469888822303ull,
	  1795329469889698119ull, 1795333070676197016ull },
	{ 1795333070676285171ull, 1795329469895440894ull,
	  1795329469895493423ull, 1795333070684586525ull },
	{ 1795333070684639003ull, 1795329469898458270ull,
	  1795329469898497243ull, 1795333070684962257ull },
	{ 1795333070684992694ull, 1795329469902861264ull,
	  1795329469902963665ull, 1795333070689484493ull },
	{ 1795333070689533665ull, 1795329469903377748ull,
	  1795329469903406963ull, 1795333070689871356ull },
	{ 1795333070689899869ull, 1795329469903731499ull,
	  1795329469903759181ull, 1795333070690184090ull },
	{ 1795333070690211100ull, 1795329469904052839ull,
	  1795329469904078146ull, 1795333070690547499ull },
	{ 1795333070690575651ull, 1795329469904387624ull,
	  1795329469904414555ull, 1795333070690839354ull },
};

static void test_eval_formula(void **state)
{
	struct gd_ts_sample s = { 1000, 1600, 1700, 2100 };
	struct gd_ts_result r;

	(void)state;
	assert_int_equal(gd_ts_eval(&s, &r), 0);
	/* ((1600-1000) + (1700-2100)) / 2 = (600 - 400) / 2 */
	assert_int_equal(r.offset, 100);
	/* (2100-1000) - (1700-1600) */
	assert_int_equal(r.delay, 1000);
}

static void test_eval_symmetric_path_is_exact(void **state)
{
	/* guest 5 s behind, 300 us each way, guest holds it 40 us */
	uint64_t t1 = 1700000000000000000ull;
	struct gd_ts_sample s = { t1, t1 - 5 * S + 300000, t1 - 5 * S + 340000,
				  t1 + 640000 };
	struct gd_ts_result r;

	(void)state;
	assert_int_equal(gd_ts_eval(&s, &r), 0);
	assert_int_equal(r.offset, -5 * S);
	assert_int_equal(r.delay, 600000);
}

static void test_eval_rejects_noncausal(void **state)
{
	struct gd_ts_result r;
	struct gd_ts_sample back = { 2000, 10, 20, 1999 };   /* t4 < t1 */
	struct gd_ts_sample held = { 1000, 500, 400, 2000 }; /* t3 < t2 */
	struct gd_ts_sample long_hold = { 1000, 0, 1001, 2000 };
	struct gd_ts_sample exact_hold = { 1000, 0, 1000, 2000 };

	(void)state;
	assert_int_equal(gd_ts_eval(&back, &r), -1);
	assert_int_equal(gd_ts_eval(&held, &r), -1);
	assert_int_equal(gd_ts_eval(&long_hold, &r), -1);
	assert_int_equal(gd_ts_eval(&exact_hold, &r), 0);
	assert_int_equal(r.delay, 0);
}

static void test_eval_stamp_limit(void **state)
{
	uint64_t last = GD_TIME_STAMP_LIMIT_NS - 1;
	struct gd_ts_sample at_limit = { last - 10, 5, 6, last };
	struct gd_ts_sample past = { last - 10, 5, 6, last + 1 };
	struct gd_ts_sample far = { 0, last, last, 10 };
	struct gd_ts_result r;

	(void)state;
	assert_int_equal(gd_ts_eval(&at_limit, &r), 0);
	assert_int_equal(gd_ts_eval(&past, &r), -1);
	/* the largest offsets stay exact */
	assert_int_equal(gd_ts_eval(&far, &r), 0);
	assert_int_equal(r.offset, (int64_t)last - 5);
}

static void test_select_recorded(void **state)
{
	struct gd_ts_result best, r;
	int i = gd_ts_select(same_clock, 8, &best);

	(void)state;
	assert_int_equal(i, 5);
	assert_int_equal(best.delay, 160239);
	assert_int_equal(best.offset, 6882);
	for (size_t k = 0; k < 8; k++) {
		assert_int_equal(gd_ts_eval(&same_clock[k], &r), 0);
		assert_true(r.delay >= best.delay);
		/* the true offset, 0, lies within offset +- delay/2 */
		assert_true(gd_abs64(r.offset) <= (uint64_t)r.delay / 2);
	}
}

static void test_select_recorded_guest(void **state)
{
	struct gd_ts_result best, r;

	(void)state;
	assert_int_equal(gd_ts_select(hour_behind, 8, &best), 7);
	assert_int_equal(best.delay, 236772);
	assert_true(best.offset == -3600786306413LL);
	/* every sample's interval, offset +- delay/2, holds the best one */
	for (size_t k = 0; k < 8; k++) {
		assert_int_equal(gd_ts_eval(&hour_behind[k], &r), 0);
		assert_true(gd_abs64(r.offset - best.offset) <=
			    (uint64_t)(r.delay + best.delay) / 2);
	}
	/* the 8 ms sample alone would have been 1.3 ms off */
	assert_int_equal(gd_ts_eval(&hour_behind[1], &r), 0);
	assert_true(r.delay == 8248825);
	assert_true(gd_abs64(r.offset - best.offset) > 1000000);
	/* auto steps an hour; slewing it is refused */
	assert_int_equal(gd_time_decide(GD_TM_AUTO, -best.offset), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, -best.offset), -1);
}

static void test_select_skips_invalid_and_keeps_first_tie(void **state)
{
	struct gd_ts_sample s[] = {
		{ 2000, 0, 0, 1000 },       /* invalid */
		{ 1000, 1500, 1500, 2000 }, /* delay 1000 */
		{ 3000, 3400, 3400, 3800 }, /* delay 800 */
		{ 5000, 5300, 5300, 5800 }, /* delay 800, later */
		{ 9000, 0, 10, 8000 },      /* invalid */
	};
	struct gd_ts_result best;
	struct gd_ts_best b;

	(void)state;
	assert_int_equal(gd_ts_select(s, 5, &best), 2);
	assert_int_equal(best.delay, 800);
	assert_int_equal(best.offset, 0);
	assert_int_equal(gd_ts_select(s, 1, &best), -1);
	assert_int_equal(gd_ts_select(s, 0, &best), -1);

	gd_ts_best_init(&b);
	assert_int_equal(gd_ts_best_add(&b, &s[0]), -1);
	assert_int_equal(gd_ts_best_add(&b, &s[1]), 1);
	assert_int_equal(gd_ts_best_add(&b, &s[2]), 1);
	assert_int_equal(gd_ts_best_add(&b, &s[3]), 0);
	assert_int_equal(gd_ts_best_add(&b, &s[4]), -1);
	assert_int_equal(b.count, 5);
	assert_int_equal(b.valid, 3);
	assert_int_equal(b.index, 2);
	assert_memory_equal(&b.sample, &s[2], sizeof s[2]);
}

static void test_decide_threshold(void **state)
{
	int64_t th = GD_TIME_STEP_THRESHOLD_NS;

	(void)state;
	assert_int_equal(th, 128 * MS);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, th - 1), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, th), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, th + 1), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, -(th - 1)), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, -th), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, -th - 1), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, 1), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, 0), GD_TA_NONE);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, 3600 * S), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, INT64_MIN), GD_TA_STEP);
}

static void test_decide_modes(void **state)
{
	int64_t max = GD_TIME_SLEW_MAX_NS;

	(void)state;
	assert_int_equal(gd_time_decide(GD_TM_STEP, 1), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_STEP, -1), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_STEP, 0), GD_TA_NONE);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, 3600 * MS), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, max), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, -max), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, max + 1), -1);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, -max - 1), -1);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, 0), GD_TA_NONE);
	assert_int_equal(gd_time_decide(3, 1), -1);
	assert_int_equal(gd_time_decide(-1, 1), -1);
}

static void test_decide_recorded(void **state)
{
	struct gd_ts_result best;

	(void)state;
	assert_int_equal(gd_ts_select(same_clock, 8, &best), 5);
	assert_int_equal(gd_time_decide(GD_TM_AUTO, -best.offset), GD_TA_SLEW);
	assert_int_equal(gd_time_decide(GD_TM_STEP, -best.offset), GD_TA_STEP);
	assert_int_equal(gd_time_decide(GD_TM_SLEW, -best.offset), GD_TA_SLEW);
}

static void test_host_ok(void **state)
{
	(void)state;
	assert_false(gd_time_host_ok(0));
	assert_false(gd_time_host_ok(GD_TIME_HOST_MIN_NS - 1));
	assert_true(gd_time_host_ok(GD_TIME_HOST_MIN_NS));
	assert_true(gd_time_host_ok(GD_TIME_STAMP_LIMIT_NS - 1));
	assert_false(gd_time_host_ok(GD_TIME_STAMP_LIMIT_NS));
}

static void test_krun_datagram(void **state)
{
	/* 1763800000.123456789 s, little-endian, as libkrun's VMM writes it */
	static const uint8_t dgram[9] = { 0x15, 0x4d, 0x31, 0x4e,
					  0xc1, 0x46, 0x7a, 0x18, 0xff };
	uint64_t host = 0;

	(void)state;
	assert_int_equal(gd_krun_parse(dgram, 8, &host), 0);
	assert_true(host == 1763800000123456789ull);
	assert_int_equal(gd_krun_parse(dgram, 7, &host), -1);
	assert_int_equal(gd_krun_parse(dgram, 9, &host), -1);
	assert_int_equal(gd_krun_parse(dgram, 0, &host), -1);
}

static void test_krun_threshold(void **state)
{
	uint64_t g = 1763800000000000000ull;
	uint64_t th = (uint64_t)GD_KRUN_STEP_MIN_NS;

	(void)state;
	assert_false(gd_krun_should_step(g, g));
	assert_false(gd_krun_should_step(g + th, g));
	assert_false(gd_krun_should_step(g - th, g));
	assert_true(gd_krun_should_step(g + th + 1, g));
	assert_true(gd_krun_should_step(g - th - 1, g));
	assert_true(gd_krun_should_step(0, g));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_formula),
		cmocka_unit_test(test_eval_symmetric_path_is_exact),
		cmocka_unit_test(test_eval_rejects_noncausal),
		cmocka_unit_test(test_eval_stamp_limit),
		cmocka_unit_test(test_select_recorded),
		cmocka_unit_test(test_select_recorded_guest),
		cmocka_unit_test(test_select_skips_invalid_and_keeps_first_tie),
		cmocka_unit_test(test_decide_threshold),
		cmocka_unit_test(test_decide_modes),
		cmocka_unit_test(test_decide_recorded),
		cmocka_unit_test(test_host_ok),
		cmocka_unit_test(test_krun_datagram),
		cmocka_unit_test(test_krun_threshold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
