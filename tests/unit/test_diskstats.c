/*
 * Unit tests for libmini/diskstats.c: /proc/diskstats lines of 20, 18, 14
 * and 7 fields as qemu-ga 7.2's sscanf counts them; short, odd and
 * over-long lines skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "diskstats.h"

static void test_lines(void **state)
{
	char text[600];
	struct gd_diskstat d;
	size_t pos = 0;

	(void)state;
	strcpy(text, "   7       0 loop0 586 0 20308 114 201 36 282 261 0 300 625 "
		     "18 18 222044 5 168 244\n"
		     " 252 0 vda 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15\n"
		     "   8 1 sda1 10 20 30 40\n"
		     "   8 2 sdb 1 2 3 4 5 6 7 8 9 10 11\n"
		     "   8 3 bad 1 2 x\n"
		     "   9 0 odd 1 2 3 4 5 6\n"
		     "1 2\n"
		     "   9 1 ");
	memset(text + strlen(text), 'n', GD_DISKSTAT_NAME_MAX);
	strcpy(text + strlen(text) - 0, " 1 2 3 4\n");
	assert_int_equal(gd_diskstat_next(text, strlen(text), &pos, &d), 1);
	assert_string_equal(d.name, "loop0");
	assert_int_equal(d.n, 20);
	assert_int_equal(d.v[13], 222044);
	assert_int_equal(d.v[16], 244);
	assert_int_equal(gd_diskstat_next(text, strlen(text), &pos, &d), 1);
	assert_int_equal(d.major, 252);
	assert_int_equal(d.n, 18);
	assert_int_equal(gd_diskstat_next(text, strlen(text), &pos, &d), 1);
	assert_string_equal(d.name, "sda1");
	assert_int_equal(d.n, 7);
	assert_int_equal(d.v[3], 40);
	assert_int_equal(gd_diskstat_next(text, strlen(text), &pos, &d), 1);
	assert_int_equal(d.n, 14);
	assert_int_equal(d.minor, 2);
	/* "bad" (5 fields), "odd" (9: listed, as qemu-ga does), "1 2", a long name */
	assert_int_equal(gd_diskstat_next(text, strlen(text), &pos, &d), 1);
	assert_string_equal(d.name, "odd");
	assert_int_equal(d.n, 9);
	assert_int_equal(gd_diskstat_next(text, strlen(text), &pos, &d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
