/* Unit tests for libmini/osrelease.c: keys, quoting, absent keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "osrelease.h"

static const char text[] =
	"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"
	"NAME='Debian GNU/Linux'\n"
	"VERSION_ID=\"12\"\n"
	"ID=debian\n"
	"ID_LIKE=\n"
	"QUOTED=\"a \\\"b\\\" c\"\n"
	"VERSION_CODENAME=bookworm";

static void test_keys(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(gd_os_release_get(text, "ID", out, sizeof out), 0);
	assert_string_equal(out, "debian");
	assert_int_equal(gd_os_release_get(text, "VERSION_ID", out, sizeof out), 0);
	assert_string_equal(out, "12");
	assert_int_equal(gd_os_release_get(text, "NAME", out, sizeof out), 0);
	assert_string_equal(out, "Debian GNU/Linux");
	assert_int_equal(gd_os_release_get(text, "QUOTED", out, sizeof out), 0);
	assert_string_equal(out, "a \"b\" c");
	assert_int_equal(gd_os_release_get(text, "VERSION_CODENAME", out,
					   sizeof out), 0);
	assert_string_equal(out, "bookworm");
	assert_int_equal(gd_os_release_get(text, "ID_LIKE", out, sizeof out), 0);
	assert_string_equal(out, "");
	/* "VERSION" is a prefix of VERSION_ID, not a key here */
	assert_int_equal(gd_os_release_get(text, "VERSION", out, sizeof out), -1);
	assert_int_equal(gd_os_release_get("", "ID", out, sizeof out), -1);
	assert_int_equal(gd_os_release_get(text, "PRETTY_NAME", out, 7), 0);
	assert_string_equal(out, "Debian");
}

static void test_read_this_system(void **state)
{
	char buf[GD_OS_RELEASE_MAX], id[64];

	(void)state;
	assert_true(gd_os_release_read(buf, sizeof buf) > 0);
	assert_int_equal(gd_os_release_get(buf, "ID", id, sizeof id), 0);
	assert_true(id[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_read_this_system),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
