/*
 * Unit tests for the tables behind tini/dumb-init parity and the power
 * button: signal names, signal-rewrite= and exit-remap= maps (each bound
 * at its limit and one past), /proc stat parsing and the descendant walk,
 * the acpi_event genetlink messages and input uevents.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "acpi_event.h"
#include "procscan.h"
#include "sigmap.h"
#include "signame.h"
#include "uevent.h"

static int parse(const char *s)
{
	return gd_sig_parse(s, strlen(s));
}

static void test_sig_names(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(parse("TERM"), SIGTERM);
	assert_int_equal(parse("SIGTERM"), SIGTERM);
	assert_int_equal(parse("15"), 15);
	assert_int_equal(parse("RTMIN"), GD_SIG_RTMIN);
	assert_int_equal(parse("SIGRTMIN+4"), GD_SIG_RTMIN + 4);
	assert_int_equal(parse("RTMIN+30"), GD_SIG_LAST);
	assert_int_equal(parse("RTMIN+31"), -1);       /* one past the last */
	assert_int_equal(parse("64"), GD_SIG_LAST);
	assert_int_equal(parse("65"), -1);
	assert_int_equal(parse("0"), -1);
	assert_int_equal(parse("term"), -1);           /* names are upper case */
	assert_int_equal(parse("SIG"), -1);
	assert_int_equal(parse(""), -1);
	assert_string_equal(gd_sig_name(SIGQUIT, buf, sizeof buf), "SIGQUIT");
	assert_string_equal(gd_sig_name(GD_SIG_RTMIN + 4, buf, sizeof buf),
			    "SIGRTMIN+4");
	assert_string_equal(gd_sig_name(99, buf, sizeof buf), "signal 99");
}

static void test_sigmap(void **state)
{
	struct gd_sigmap m;
	char err[GD_MAP_ERR_MAX];

	(void)state;
	gd_sigmap_init(&m);
	assert_int_equal(gd_sigmap_parse(&m, "TERM:QUIT\n1:0\nRTMIN+30:USR1",
					 err, sizeof err), 0);
	assert_int_equal(gd_sigmap_apply(&m, SIGTERM), SIGQUIT);
	assert_int_equal(gd_sigmap_apply(&m, SIGHUP), 0);  /* dropped */
	assert_int_equal(gd_sigmap_apply(&m, GD_SIG_LAST), SIGUSR1);
	assert_int_equal(gd_sigmap_apply(&m, SIGUSR2), SIGUSR2);
	assert_int_equal(gd_sigmap_parse(&m, "15", err, sizeof err), -1);
	assert_non_null(strstr(err, "not FROM:TO"));
	assert_int_equal(gd_sigmap_parse(&m, "65:1", err, sizeof err), -1);
	assert_non_null(strstr(err, "FROM is no signal"));
	assert_int_equal(gd_sigmap_parse(&m, "15:65", err, sizeof err), -1);
	assert_int_equal(gd_sigmap_parse(&m, "15:00", err, sizeof err), -1);
}

static void test_exitmap(void **state)
{
	struct gd_exitmap m;
	char err[GD_MAP_ERR_MAX];

	(void)state;
	gd_exitmap_init(&m);
	assert_int_equal(gd_exitmap_parse(&m, "143\n7:3\n255:254", err,
					  sizeof err), 0);
	assert_int_equal(gd_exitmap_apply(&m, 143), 0);
	assert_int_equal(gd_exitmap_apply(&m, 7), 3);
	assert_int_equal(gd_exitmap_apply(&m, GD_EXIT_CODE_MAX), 254);
	assert_int_equal(gd_exitmap_apply(&m, 1), 1);
	assert_int_equal(gd_exitmap_parse(&m, "256", err, sizeof err), -1);
	assert_int_equal(gd_exitmap_parse(&m, "1:256", err, sizeof err), -1);
	assert_int_equal(gd_exitmap_parse(&m, "x:1", err, sizeof err), -1);
	assert_int_equal(gd_exitmap_parse(&m, ":1", err, sizeof err), -1);
	assert_non_null(strstr(err, "0..255"));
}

static void test_proc_stat(void **state)
{
	static const char odd[] = "42 (a) b (c)) S 7 42 42 0 -1 4194560 ...";
	static const char zombie[] = "9 (sh) Z 1 9 9 0";
	struct gd_proc p;

	(void)state;
	assert_int_equal(gd_proc_stat_parse(odd, sizeof odd - 1, &p), 0);
	assert_int_equal(p.pid, 42);
	assert_int_equal(p.ppid, 7);
	assert_int_equal(p.pgid, 42);
	assert_int_equal(p.state, 'S');
	assert_int_equal(gd_proc_stat_parse(zombie, sizeof zombie - 1, &p), 0);
	assert_int_equal(p.state, 'Z');
	assert_int_equal(gd_proc_stat_parse("12 (x", 5, &p), -1);
	assert_int_equal(gd_proc_stat_parse("12 (x) S", 8, &p), -1);
	assert_int_equal(gd_proc_stat_parse("", 0, &p), -1);
}

static void test_descendants(void **state)
{
	/* 100 is guestd; 101 its child, 103 a grandchild whose parent 102
	 * comes later in the table, 104 a zombie child, 200 unrelated */
	struct gd_proc tab[] = {
		{ 103, 102, 103, 'S' }, { 200, 1, 200, 'S' },
		{ 101, 100, 101, 'S' }, { 102, 101, 101, 'S' },
		{ 104, 100, 104, 'Z' }, { 100, 1, 100, 'S' },
	};
	int n = gd_proc_descendants(tab, 6, 100);

	(void)state;
	assert_int_equal(n, 4);
	assert_int_equal(tab[0].pid, 103);
	assert_int_equal(tab[1].pid, 101);
	assert_int_equal(tab[2].pid, 102);
	assert_int_equal(tab[3].pid, 104);
	assert_int_equal(gd_proc_descendants(tab, 0, 100), 0);
}

/* A controller answer as the kernel builds one: family id, groups. */
static size_t family_reply(uint8_t *b, const char *group, uint32_t id)
{
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN, glen = strlen(group) + 1;
	uint16_t u16;
	uint32_t u32;

	memset(b, 0, 256);
	u16 = GENL_ID_CTRL;
	memcpy(b + 4, &u16, 2);
	u16 = 8; memcpy(b + off, &u16, 2);            /* FAMILY_ID attr */
	u16 = CTRL_ATTR_FAMILY_ID; memcpy(b + off + 2, &u16, 2);
	u16 = 0x1c; memcpy(b + off + 4, &u16, 2);
	off += 8;
	u16 = (uint16_t)(4 + 4 + ((4 + glen + 3) & ~3u) + 8);
	memcpy(b + off, &u16, 2);                     /* MCAST_GROUPS */
	u16 = CTRL_ATTR_MCAST_GROUPS | NLA_F_NESTED; memcpy(b + off + 2, &u16, 2);
	u16 = (uint16_t)(4 + ((4 + glen + 3) & ~3u) + 8);
	memcpy(b + off + 4, &u16, 2);                 /* group 1 */
	u16 = 1 | NLA_F_NESTED; memcpy(b + off + 6, &u16, 2);
	u16 = (uint16_t)(4 + glen); memcpy(b + off + 8, &u16, 2);
	u16 = CTRL_ATTR_MCAST_GRP_NAME; memcpy(b + off + 10, &u16, 2);
	memcpy(b + off + 12, group, glen);
	off += 12 + ((glen + 3) & ~3u);
	u16 = 8; memcpy(b + off, &u16, 2);
	u16 = CTRL_ATTR_MCAST_GRP_ID; memcpy(b + off + 2, &u16, 2);
	memcpy(b + off + 4, &id, 4);
	off += 8;
	u32 = (uint32_t)off;
	memcpy(b, &u32, 4);
	return off;
}

static void test_genl_family(void **state)
{
	uint8_t req[64], b[256];
	uint16_t family;
	uint32_t group;
	int32_t err = -ENOENT;
	size_t len;

	(void)state;
	len = gd_genl_family_request(req, sizeof req, 7);
	assert_int_equal(len, NLMSG_HDRLEN + GENL_HDRLEN + 16);
	assert_int_equal(req[NLMSG_HDRLEN], CTRL_CMD_GETFAMILY);
	assert_string_equal((char *)req + NLMSG_HDRLEN + GENL_HDRLEN + 4,
			    GD_ACPI_FAMILY);
	assert_int_equal(gd_genl_family_request(req, len - 1, 7), 0);
	len = family_reply(b, GD_ACPI_GROUP, 9);
	assert_int_equal(gd_genl_family_reply(b, len, &family, &group), 0);
	assert_int_equal(family, 0x1c);
	assert_int_equal(group, 9);
	assert_int_equal(gd_genl_family_reply(b, len - 1, &family, &group),
			 -EPROTO);
	len = family_reply(b, "other_group", 9);
	assert_int_equal(gd_genl_family_reply(b, len, &family, &group),
			 -EPROTO);
	memset(b, 0, 32);
	b[0] = 36;
	b[4] = NLMSG_ERROR;
	memcpy(b + NLMSG_HDRLEN, &err, 4);
	assert_int_equal(gd_genl_family_reply(b, 36, &family, &group), -ENOENT);
}

static size_t acpi_event_msg(uint8_t *b, uint16_t family, const char *cls,
			     const char *bus)
{
	uint32_t len = NLMSG_HDRLEN + GENL_HDRLEN + 4 + 44, type = 0x80;
	uint16_t u16;

	memset(b, 0, len);
	memcpy(b, &len, 4);
	memcpy(b + 4, &family, 2);
	b[NLMSG_HDRLEN] = 1;                      /* ACPI_GENL_CMD_EVENT */
	u16 = 4 + 44; memcpy(b + 20, &u16, 2);
	u16 = 1; memcpy(b + 22, &u16, 2);         /* ACPI_GENL_ATTR_EVENT */
	memcpy(b + 24, cls, strlen(cls));
	memcpy(b + 24 + 20, bus, strlen(bus));
	memcpy(b + 24 + 36, &type, 4);
	return len;
}

static void test_acpi_event(void **state)
{
	uint8_t b[256];
	struct gd_acpi_event ev;
	size_t off = 0, len;

	(void)state;
	len = acpi_event_msg(b, 0x1c, "button/power", "LNXPWRBN:00");
	len += acpi_event_msg(b + len, 0x1c, "ac_adapter", "ACPI0003:00");
	assert_int_equal(gd_acpi_event_next(b, len, &off, 0x1c, &ev), 1);
	assert_string_equal(ev.device_class, "button/power");
	assert_string_equal(ev.bus_id, "LNXPWRBN:00");
	assert_int_equal(ev.type, 0x80);
	assert_true(gd_acpi_event_is_power(&ev));
	assert_int_equal(gd_acpi_event_next(b, len, &off, 0x1c, &ev), 1);
	assert_false(gd_acpi_event_is_power(&ev));
	assert_int_equal(gd_acpi_event_next(b, len, &off, 0x1c, &ev), 0);
	off = 0; /* another family's message is not an ACPI event */
	assert_int_equal(gd_acpi_event_next(b, len, &off, 0x1d, &ev), 0);
	off = 0; /* cut short */
	assert_int_equal(gd_acpi_event_next(b, 40, &off, 0x1c, &ev), 0);
}

static void test_uevent_input(void **state)
{
	static const char add[] = "add@/devices/LNXPWRBN:00/input/input1/event1"
		"\0ACTION=add\0SUBSYSTEM=input\0DEVNAME=input/event1\0MAJOR=13";
	static const char mouse[] = "add@/x\0SUBSYSTEM=input\0DEVNAME=input/mouse0";
	static const char rm[] = "remove@/x\0SUBSYSTEM=input\0DEVNAME=input/event1";
	static const char blk[] = "add@/x\0SUBSYSTEM=block\0DEVNAME=input/event1";

	(void)state;
	assert_int_equal(gd_uevent_input_add(add, sizeof add), 1);
	assert_int_equal(gd_uevent_input_add(mouse, sizeof mouse), -1);
	assert_int_equal(gd_uevent_input_add(rm, sizeof rm), -1);
	assert_int_equal(gd_uevent_input_add(blk, sizeof blk), -1);
	/* not NUL-terminated: refused rather than read past */
	assert_int_equal(gd_uevent_input_add(add, sizeof add - 1), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sig_names),
		cmocka_unit_test(test_sigmap),
		cmocka_unit_test(test_exitmap),
		cmocka_unit_test(test_proc_stat),
		cmocka_unit_test(test_descendants),
		cmocka_unit_test(test_genl_family),
		cmocka_unit_test(test_acpi_event),
		cmocka_unit_test(test_uevent_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
