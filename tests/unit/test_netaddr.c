/*
 * Unit test for libmini/netaddr.c against the running kernel: the
 * loopback interface must show 127.0.0.1/8, and every address printed
 * must parse back. Compared with `ip -o addr` when iproute2 is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "netaddr.h"

struct seen {
	int n, lo4;
	char all[8192];
};

static void collect(void *ctx, const struct gd_netaddr *a)
{
	struct seen *s = ctx;
	char ip[GD_NETADDR_TEXT_MAX];
	uint8_t bin[16];
	char *slash;
	size_t len = strlen(s->all);

	s->n++;
	if (strcmp(a->ifname, "lo") == 0 && strcmp(a->text, "127.0.0.1/8") == 0)
		s->lo4 = 1;
	memcpy(ip, a->text, sizeof ip);
	slash = strchr(ip, '/');
	assert_non_null(slash);
	*slash = '\0';
	assert_int_equal(inet_pton(a->family, ip, bin), 1);
	assert_true(a->family == AF_INET || a->family == AF_INET6);
	assert_true(a->prefix <= (a->family == AF_INET ? 32 : 128));
	snprintf(s->all + len, sizeof s->all - len, "%s %s\n", a->ifname,
		 a->text);
}

static void compare_with_ip(const char *all)
{
	char line[512], want[256];
	FILE *p = popen("ip -o addr 2>/dev/null", "r");
	int lines = 0;

	if (!p)
		return;
	while (fgets(line, sizeof line, p)) {
		char idx[16], ifname[64], fam[16], addr[128];

		if (sscanf(line, "%15s %63s %15s %127s", idx, ifname, fam,
			   addr) != 4)
			continue;
		snprintf(want, sizeof want, "%s %s\n", ifname, addr);
		if (!strstr(all, want))
			fail_msg("ip lists '%s %s', we did not:\n%s", ifname,
				 addr, all);
		lines++;
	}
	pclose(p);
	printf("# %d addresses also listed by ip(8)\n", lines);
}

static void test_loopback_and_count(void **state)
{
	static uint8_t buf[GD_NETADDR_BUF_MIN];
	static struct seen s;
	int n;

	(void)state;
	n = gd_netaddr_dump(collect, &s, buf, sizeof buf, 1000);
	assert_true(n > 0);
	assert_int_equal(n, s.n);
	assert_true(s.lo4);
	/* iproute2, when installed, must list the same addresses */
	compare_with_ip(s.all);
}

static void test_small_buffer(void **state)
{
	static uint8_t buf[GD_NETADDR_BUF_MIN];
	struct seen s = { 0 };

	(void)state;
	assert_int_equal(gd_netaddr_dump(collect, &s, buf, sizeof buf - 1, 1000),
			 -1);
	assert_int_equal(errno, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_and_count),
		cmocka_unit_test(test_small_buffer),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
