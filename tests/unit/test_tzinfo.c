/*
 * Unit tests for libmini/tzinfo.c against glibc's own reading of the same
 * zones: every offset, abbreviation and DST flag from TZif files in
 * /usr/share/zoneinfo (Debian's tzdata) and from POSIX TZ strings, over
 * 1901-2100 and around each instant glibc changes offset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "sysinfo.h"
#include "tzinfo.h"

#define SPAN_START (-2177452800LL) /* 1901-01-01 */
#define SPAN_END 4102444800LL      /* 2100-01-01 */
#define STEP (86400LL * 5 + 3607)

static void glibc_at(int64_t t, struct gd_tz_info *out)
{
	time_t tt = (time_t)t;
	struct tm tm;

	assert_non_null(localtime_r(&tt, &tm));
	out->utoff = (int32_t)tm.tm_gmtoff;
	out->isdst = tm.tm_isdst > 0;
	snprintf(out->abbr, sizeof out->abbr, "%s", tm.tm_zone);
}

static int changes(int64_t a, int64_t b)
{
	struct gd_tz_info x, y;

	glibc_at(a, &x);
	glibc_at(b, &y);
	return x.utoff != y.utoff || x.isdst != y.isdst;
}

/* Compare at t and, when glibc changes offset within the step, around it. */
static int compare(const char *what, int64_t t, const struct gd_tz_info *mine)
{
	struct gd_tz_info want;

	glibc_at(t, &want);
	if (want.utoff == mine->utoff && want.isdst == mine->isdst &&
	    strcmp(want.abbr, mine->abbr) == 0)
		return 0;
	print_error("%s at %lld: glibc %d %d %s, tzinfo %d %d %s\n", what,
		    (long long)t, want.utoff, want.isdst, want.abbr, mine->utoff,
		    mine->isdst, mine->abbr);
	return 1;
}

static uint8_t tzif[GD_TZ_FILE_MAX];

static int check_zone(const char *zone)
{
	char path[256];
	long n;
	int bad = 0;

	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	n = gd_read_small_file(path, (char *)tzif, sizeof tzif);
	assert_true(n > 0);
	setenv("TZ", path, 1);
	tzset();
	for (int64_t t = SPAN_START; t < SPAN_END && bad < 5; t += STEP) {
		struct gd_tz_info mine;

		if (gd_tz_tzif(tzif, (size_t)n, t, &mine))
			fail_msg("%s refused at %lld", zone, (long long)t);
		bad += compare(zone, t, &mine);
		/* the instant glibc changes offset: one second each side */
		for (int64_t lo = t, hi = changes(t, t + STEP) ? t + STEP : t;
		     hi - lo > 1;) {
			struct gd_tz_info a, b;
			int64_t mid = lo + (hi - lo) / 2;

			glibc_at(lo, &a);
			glibc_at(mid, &b);
			if (a.utoff != b.utoff || a.isdst != b.isdst)
				hi = mid;
			else
				lo = mid;
			if (hi - lo == 1) {
				gd_tz_tzif(tzif, (size_t)n, lo, &mine);
				bad += compare(zone, lo, &mine);
				gd_tz_tzif(tzif, (size_t)n, hi, &mine);
				bad += compare(zone, hi, &mine);
			}
		}
	}
	return bad;
}

static void test_zones_match_glibc(void **state)
{
	static const char *zones[] = {
		"Etc/UTC", "Europe/Berlin", "Europe/Dublin", "Europe/London",
		"America/New_York", "America/St_Johns", "America/Sao_Paulo",
		"America/Nuuk", "Australia/Sydney", "Australia/Lord_Howe",
		"Pacific/Chatham", "Asia/Kolkata", "Asia/Tehran",
		"Africa/Casablanca", "Pacific/Apia", "Antarctica/Troll",
	};
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < sizeof zones / sizeof zones[0]; i++)
		bad += check_zone(zones[i]);
	assert_int_equal(bad, 0);
}

static void test_posix_matches_glibc(void **state)
{
	static const char *rules[] = {
		"UTC0", "CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT",
		"EST5EDT,M3.2.0,M11.1.0", "<+0530>-5:30",
		"AEST-10AEDT,M10.1.0,M4.1.0/3", "IST-1GMT0,M10.5.0,M3.5.0/1",
		"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "NZST-12NZDT,M9.5.0,M4.1.0/3",
		"XXX3YYY,J60/25,J300/-1", "AAA-3:30BBB-4:45:10,45/1:30,280",
		"<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
	};
	int bad = 0;

	(void)state;
	setenv("TZDIR", "/nonexistent", 1); /* "EST5EDT" is also a file name */
	for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
		setenv("TZ", rules[i], 1);
		tzset();
		for (int64_t t = 0; t < SPAN_END && bad < 5; t += STEP / 3) {
			struct gd_tz_info mine;

			assert_int_equal(gd_tz_posix(rules[i], strlen(rules[i]),
						     t, &mine), 0);
			bad += compare(rules[i], t, &mine);
		}
	}
	assert_int_equal(bad, 0);
}

static void test_refused(void **state)
{
	static const char *bad_rules[] = {
		"", "1", "CET", "CET-", "CET-1CEST,M3.5", "CET-1CEST,M13.1.0,M10.5.0",
		"CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,J0,J5", "<+05", "CET-25",
		"CET-1CEST,M3.5.0,M10.5.0/168", "CET-1CEST,M3.5.0,M10.5.0x",
	};
	struct gd_tz_info out;
	long n;

	(void)state;
	for (size_t i = 0; i < sizeof bad_rules / sizeof bad_rules[0]; i++)
		if (gd_tz_posix(bad_rules[i], strlen(bad_rules[i]), 0, &out) == 0)
			fail_msg("accepted '%s'", bad_rules[i]);
	n = gd_read_small_file("/usr/share/zoneinfo/Europe/Berlin", (char *)tzif,
			       sizeof tzif);
	assert_true(n > 100);
	for (long cut = 0; cut < n - 1; cut += 7) /* every truncation but the footer's */
		if (gd_tz_tzif(tzif, (size_t)cut, 0, &out) == 0 && cut < n - 40)
			fail_msg("accepted a file cut at %ld of %ld", cut, n);
	tzif[0] = 'X';
	assert_int_equal(gd_tz_tzif(tzif, (size_t)n, 0, &out), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zones_match_glibc),
		cmocka_unit_test(test_posix_matches_glibc),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
