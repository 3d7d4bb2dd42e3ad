/*
 * Unit tests for libmini/clockwatch.c (suspend and realtime-step
 * detection from clock samples) and libmini/uevent.c (the vmgenid uevent).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "clockwatch.h"
#include "proto_time.h"
#include "uevent.h"

#define MS 1000000ull
#define S 1000000000ull

/* A sample whose four reads took 2 us. */
static struct gd_clock_sample at(uint64_t mono, uint64_t real, uint64_t boot)
{
	return (struct gd_clock_sample){ mono, real, boot, mono + 2000 };
}

static void test_steady_clocks_report_nothing(void **state)
{
	struct gd_clock_watch w;
	struct gd_clock_jump j;
	uint64_t real0 = 1763800000000000000ull;

	(void)state;
	gd_clock_watch_init(&w);
	/* first sample only sets the baseline */
	assert_int_equal(gd_clock_watch_check(&w, &(struct gd_clock_sample){
		5 * S, real0, 5 * S + 7 * MS, 5 * S + 1 }, &j), 0);
	for (uint64_t t = 1; t <= 10; t++) {
		struct gd_clock_sample s = at(5 * S + t * S, real0 + t * S,
					      5 * S + 7 * MS + t * S);

		assert_int_equal(gd_clock_watch_check(&w, &s, &j), 0);
	}
	/* 9 ms of read jitter is still below the 10 ms jump threshold */
	{
		struct gd_clock_sample s = at(16 * S, real0 + 11 * S + 9 * MS,
					      16 * S + 7 * MS);

		assert_int_equal(gd_clock_watch_check(&w, &s, &j), 0);
	}
}

static void test_suspend(void **state)
{
	struct gd_clock_watch w;
	struct gd_clock_jump j;
	uint64_t real0 = 1763800000000000000ull;
	struct gd_clock_sample before = at(100 * S, real0, 100 * S);
	/* 1 s of monotonic later; boottime and realtime gained 30 s more */
	struct gd_clock_sample after = at(101 * S, real0 + 31 * S, 131 * S);

	(void)state;
	gd_clock_watch_init(&w);
	gd_clock_watch_check(&w, &before, &j);
	assert_int_equal(gd_clock_watch_check(&w, &after, &j), GD_JUMP_SUSPEND);
	assert_true(j.suspended == 30 * S);
	assert_int_equal(j.stepped, 0);
	/* the new baseline includes the suspend */
	after = at(102 * S, real0 + 32 * S, 132 * S);
	assert_int_equal(gd_clock_watch_check(&w, &after, &j), 0);
}

static void test_step_threshold(void **state)
{
	static const struct {
		int64_t step;
		unsigned want;
	} v[] = {
		{ (int64_t)GD_CLOCK_JUMP_MIN_NS, 0 },
		{ (int64_t)GD_CLOCK_JUMP_MIN_NS + 1, GD_JUMP_STEP },
		{ -(int64_t)GD_CLOCK_JUMP_MIN_NS, 0 },
		{ -(int64_t)GD_CLOCK_JUMP_MIN_NS - 1, GD_JUMP_STEP },
		{ 3600 * (int64_t)S, GD_JUMP_STEP },
		{ -3600 * (int64_t)S, GD_JUMP_STEP },
	};
	uint64_t real0 = 1763800000000000000ull;

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct gd_clock_watch w;
		struct gd_clock_jump j;
		struct gd_clock_sample a = at(S, real0, S);
		struct gd_clock_sample b = at(2 * S, real0 + S + (uint64_t)v[i].step,
					      2 * S);

		gd_clock_watch_init(&w);
		gd_clock_watch_check(&w, &a, &j);
		assert_int_equal(gd_clock_watch_check(&w, &b, &j), v[i].want);
		assert_int_equal(j.stepped, v[i].want ? v[i].step : 0);
	}
}

static void test_suspend_and_step_together(void **state)
{
	struct gd_clock_watch w;
	struct gd_clock_jump j;
	uint64_t real0 = 1763800000000000000ull;
	struct gd_clock_sample a = at(10 * S, real0, 10 * S);
	/* slept 5 s, and someone set the clock back 2 s meanwhile */
	struct gd_clock_sample b = at(11 * S, real0 + 6 * S - 2 * S, 16 * S);

	(void)state;
	gd_clock_watch_init(&w);
	gd_clock_watch_check(&w, &a, &j);
	assert_int_equal(gd_clock_watch_check(&w, &b, &j),
			 GD_JUMP_SUSPEND | GD_JUMP_STEP);
	assert_true(j.suspended == 5 * S);
	assert_int_equal(j.stepped, -2 * (int64_t)S);
}

static void test_own_step_is_not_reported(void **state)
{
	struct gd_clock_watch w;
	struct gd_clock_jump j;
	uint64_t real0 = 1763796400000000000ull;
	struct gd_clock_sample a = at(10 * S, real0, 10 * S);
	struct gd_clock_sample b = at(11 * S, real0 + S + 3600 * S + 5 * S, 11 * S);

	(void)state;
	gd_clock_watch_init(&w);
	gd_clock_watch_shift(&w, 3600 * (int64_t)S); /* no baseline: no-op */
	gd_clock_watch_check(&w, &a, &j);
	gd_clock_watch_shift(&w, 3600 * (int64_t)S);
	/* our own hour is hidden, the 5 s someone else added is not */
	assert_int_equal(gd_clock_watch_check(&w, &b, &j), GD_JUMP_STEP);
	assert_int_equal(j.stepped, 5 * (int64_t)S);
}

static void test_untrusted_sample_is_ignored(void **state)
{
	struct gd_clock_watch w;
	struct gd_clock_jump j;
	uint64_t real0 = 1763800000000000000ull;
	struct gd_clock_sample a = at(10 * S, real0, 10 * S);
	struct gd_clock_sample slow = { 11 * S, real0 + 9 * S, 11 * S,
					11 * S + GD_CLOCK_READ_MAX_NS + 1 };
	struct gd_clock_sample edge = { 12 * S, real0 + 2 * S, 12 * S,
					12 * S + GD_CLOCK_READ_MAX_NS };
	struct gd_clock_sample back = { 12 * S, real0, 12 * S, 12 * S - 1 };

	(void)state;
	gd_clock_watch_init(&w);
	gd_clock_watch_check(&w, &a, &j);
	assert_int_equal(gd_clock_watch_check(&w, &slow, &j), 0);
	assert_int_equal(gd_clock_watch_check(&w, &back, &j), 0);
	/* the baseline is still a's: edge (reads within the limit) is steady */
	assert_int_equal(gd_clock_watch_check(&w, &edge, &j), 0);
}

#define UEV(s) s, sizeof s - 1

static void test_uevent_vmgenid(void **state)
{
	/* shaped like what drivers/virt/vmgenid.c sends (KOBJ_CHANGE) */
	static const char real[] =
		"change@/devices/platform/QEMUVGID:00\0ACTION=change\0"
		"DEVPATH=/devices/platform/QEMUVGID:00\0SUBSYSTEM=platform\0"
		"NEW_VMGENID=1\0DRIVER=vmgenid\0MODALIAS=acpi:QEMUVGID:\0"
		"SEQNUM=2214";
	static const char last_field[] =
		"change@/devices/LNXSYSTM:00/QEMUVGID:00\0ACTION=change\0"
		"NEW_VMGENID=1";
	static const char synth[] =
		"change@/devices/virtual/mem/null\0ACTION=change\0"
		"SYNTH_UUID=0\0SYNTH_ARG_NEW_VMGENID=1\0SEQNUM=9";
	static const char add[] =
		"add@/devices/platform/QEMUVGID:00\0ACTION=add\0NEW_VMGENID=1";
	static const char other[] =
		"change@/devices/virtual/net/lo\0ACTION=change\0NEW_VMGENID=10";
	static const char udev[] = "libudev\0\xfe\xed\xca\xfe NEW_VMGENID=1";

	(void)state;
	assert_int_equal(gd_uevent_is_vmgenid(UEV(real)), 1);
	assert_int_equal(gd_uevent_is_vmgenid(UEV(last_field)), 1);
	/* truncated in the middle of the field */
	assert_int_equal(gd_uevent_is_vmgenid(last_field, sizeof last_field - 2), 0);
	assert_int_equal(gd_uevent_is_vmgenid(UEV(synth)), 0);
	assert_int_equal(gd_uevent_is_vmgenid(UEV(add)), 0);
	assert_int_equal(gd_uevent_is_vmgenid(UEV(other)), 0);
	assert_int_equal(gd_uevent_is_vmgenid(UEV(udev)), 0);
	assert_int_equal(gd_uevent_is_vmgenid("change@", 7), 0);
	assert_int_equal(gd_uevent_is_vmgenid("chan", 4), 0);
	assert_int_equal(gd_uevent_is_vmgenid("", 0), 0);
}

static void test_uevent_virtio_port(void **state)
{
	/* what drivers/char/virtio_console.c's device_create sends, then the
	 * change uevent once the host has told the port's name */
	static const char add[] =
		"add@/devices/pci0000:00/0000:00:04.0/virtio1/virtio-ports/vport1p1"
		"\0ACTION=add\0SUBSYSTEM=virtio-ports\0MAJOR=251\0MINOR=1\0"
		"DEVNAME=vport1p1\0SEQNUM=1210";
	static const char change[] =
		"change@/devices/pci0000:00/0000:00:04.0/virtio1/virtio-ports/"
		"vport1p1\0ACTION=change\0SUBSYSTEM=virtio-ports\0SEQNUM=1211";
	static const char rm[] =
		"remove@/devices/virtio1/virtio-ports/vport1p1\0ACTION=remove\0"
		"SUBSYSTEM=virtio-ports";
	static const char tty[] =
		"add@/devices/virtual/tty/ttyS1\0ACTION=add\0SUBSYSTEM=tty";

	(void)state;
	assert_int_equal(gd_uevent_is_virtio_port(add, sizeof add), 1);
	assert_int_equal(gd_uevent_is_virtio_port(change, sizeof change), 1);
	/* cut: the last field has no terminator */
	assert_int_equal(gd_uevent_is_virtio_port(UEV(change)), 0);
	assert_int_equal(gd_uevent_is_virtio_port(rm, sizeof rm), 0);
	assert_int_equal(gd_uevent_is_virtio_port(tty, sizeof tty), 0);
	assert_int_equal(gd_uevent_is_virtio_port("add@", 5), 0);
	assert_int_equal(gd_uevent_is_virtio_port("change", 7), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steady_clocks_report_nothing),
		cmocka_unit_test(test_uevent_virtio_port),
		cmocka_unit_test(test_suspend),
		cmocka_unit_test(test_step_threshold),
		cmocka_unit_test(test_suspend_and_step_together),
		cmocka_unit_test(test_own_step_is_not_reported),
		cmocka_unit_test(test_untrusted_sample_is_ignored),
		cmocka_unit_test(test_uevent_vmgenid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
