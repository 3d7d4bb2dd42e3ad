/*
 * Unit tests for the pure parts of the issue 17 QGA commands: base64 as
 * QEMU and glib read and write it (libmini/base64.h), /proc/stat and
 * /proc/loadavg (libmini/procstat.h), utmp records (libmini/utmp.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"
#include "procstat.h"
#include "utmp.h"

static long dec(const char *in, uint8_t *out, size_t cap)
{
	return gd_b64_decode(in, strlen(in), out, cap);
}

static void test_b64_roundtrip(void **state)
{
	static uint8_t bytes[300], back[300];
	static char text[GD_B64_ENC_LEN(300) + 1];

	(void)state;
	for (size_t i = 0; i < sizeof bytes; i++)
		bytes[i] = (uint8_t)(i * 7 + 3);
	for (size_t n = 0; n <= sizeof bytes; n++) {
		long e = gd_b64_encode(bytes, n, text, sizeof text);

		assert_int_equal(e, GD_B64_ENC_LEN(n));
		assert_int_equal(gd_b64_decode(text, (size_t)e, back, n), n);
		assert_memory_equal(back, bytes, n);
	}
	assert_int_equal(gd_b64_encode(bytes, 3, text, 3), -1); /* no room */
}

static void test_b64_glib_rules(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_int_equal(dec("aGVsbG8=", out, sizeof out), 5);
	assert_memory_equal(out, "hello", 5);
	assert_int_equal(dec("aGVs\nbG8=\n", out, sizeof out), 5); /* newlines */
	assert_int_equal(dec("QQ==", out, sizeof out), 1);
	assert_int_equal(out[0], 'A');
	assert_int_equal(dec("QQ", out, sizeof out), 0);    /* short group dropped */
	assert_int_equal(dec("QUJD", out, sizeof out), 3);
	assert_int_equal(dec("", out, sizeof out), 0);
	assert_int_equal(dec("QUJ*", out, sizeof out), GD_B64_BAD_CHAR);
	assert_int_equal(dec("QU J", out, sizeof out), GD_B64_BAD_CHAR);
	assert_int_equal(dec("QUJDRA==", out, 3), GD_B64_TOO_BIG); /* 4 > 3 */
	assert_int_equal(dec("QUJD", out, 3), 3);                  /* at cap */
	assert_int_equal(gd_b64_decoded_len("QUJDRA==", 8), 4);
}

static const char stat_text[] =
	"cpu  10 20 30 40 50 60 70 80 90 100\n"
	"cpu0 100 200 300 400 500 600 700 800 900 1000\n"
	"cpu1 1 2 3 4\n"
	"intr 1 2 3\n"
	"cpu12 5 6 7 8 9\n"
	"ctxt 42\n";

static void test_cpustat(void **state)
{
	struct gd_cpustat s;
	size_t pos = 0;
	size_t len = sizeof stat_text - 1;

	(void)state;
	assert_int_equal(gd_cpustat_next(stat_text, len, &pos, &s), 1);
	assert_int_equal(s.cpu, 0);
	assert_int_equal(s.nfields, 10);
	assert_int_equal(s.f[9], 1000);
	assert_int_equal(gd_cpustat_next(stat_text, len, &pos, &s), 1);
	assert_int_equal(s.cpu, 1);
	assert_int_equal(s.nfields, 4); /* an old kernel: no iowait... */
	assert_int_equal(gd_cpustat_next(stat_text, len, &pos, &s), 1);
	assert_int_equal(s.cpu, 12);
	assert_int_equal(s.nfields, 5);
	assert_int_equal(s.f[4], 9);
	assert_int_equal(gd_cpustat_next(stat_text, len, &pos, &s), 0);
	pos = 0;
	assert_int_equal(gd_cpustat_next("cpu3 1 2 3\n", 11, &pos, &s), -1);
}

static void test_loadavg(void **state)
{
	double l[3];

	(void)state;
	assert_int_equal(gd_loadavg_parse("0.52 1.00 12.25 2/300 999\n", l), 0);
	assert_true(l[0] == 0.52 && l[1] == 1.0 && l[2] == 12.25);
	assert_int_equal(gd_loadavg_parse("0.52 x", l), -1);
	assert_int_equal(gd_loadavg_parse("", l), -1);
}

static void record(uint8_t *r, int type, const char *user, int32_t sec,
		   int32_t usec)
{
	memset(r, 0, GD_UTMP_RECORD);
	r[0] = (uint8_t)type;
	memcpy(r + 44, user, strlen(user) > 32 ? 32 : strlen(user));
	memcpy(r + 340, &sec, 4);   /* x86-64: little-endian */
	memcpy(r + 344, &usec, 4);
}

static void test_utmp(void **state)
{
	uint8_t r[GD_UTMP_RECORD];
	struct gd_utmp_login u;

	(void)state;
	record(r, 7, "alice", 1700000000, 250000);
	assert_int_equal(gd_utmp_login(r, &u), 1);
	assert_string_equal(u.user, "alice");
	assert_int_equal(u.sec, 1700000000);
	assert_int_equal(u.usec, 250000);
	record(r, 8, "bob", 1, 0);     /* DEAD_PROCESS */
	assert_int_equal(gd_utmp_login(r, &u), 0);
	record(r, 7, "", 1, 0);        /* no name */
	assert_int_equal(gd_utmp_login(r, &u), 0);
	record(r, 7, "0123456789abcdef0123456789abcdefXYZ", 1, 0); /* 32, no NUL */
	assert_int_equal(gd_utmp_login(r, &u), 1);
	assert_int_equal(strlen(u.user), GD_UTMP_USER_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_b64_roundtrip),
		cmocka_unit_test(test_b64_glib_rules),
		cmocka_unit_test(test_cpustat),
		cmocka_unit_test(test_loadavg),
		cmocka_unit_test(test_utmp),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
