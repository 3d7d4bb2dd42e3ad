/*
 * Unit tests for the parsing behind PID 1 duties: command-line splitting
 * (exec=, shutdown-cmd=), the workload environment, passwd/group lookups,
 * modules.dep matching and the shutdown mode names. Each bound is tested
 * at its limit and one past.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "argsplit.h"
#include "envset.h"
#include "idfile.h"
#include "moddep.h"
#include "proto_pid1.h"

static void test_split_words(void **state)
{
	char buf[] = "  /bin/sh  -c 'echo a  b' \"x y\"z back\\ slash\t";
	char *argv[8];
	const char *err = NULL;

	(void)state;
	assert_int_equal(gd_argv_split(buf, argv, 7, &err), 5);
	assert_string_equal(argv[0], "/bin/sh");
	assert_string_equal(argv[1], "-c");
	assert_string_equal(argv[2], "echo a  b");
	assert_string_equal(argv[3], "x yz");
	assert_string_equal(argv[4], "back slash");
	assert_null(argv[5]);
}

static void test_split_edges(void **state)
{
	char empty[] = "   ", quote[] = "a 'b c", dq[] = "\"it's\" '\"q\"'";
	char *argv[4];
	const char *err = NULL;

	(void)state;
	assert_int_equal(gd_argv_split(empty, argv, 3, &err), 0);
	assert_null(argv[0]);
	assert_int_equal(gd_argv_split(quote, argv, 3, &err), -1);
	assert_string_equal(err, "unterminated quote");
	assert_int_equal(gd_argv_split(dq, argv, 3, &err), 2);
	assert_string_equal(argv[0], "it's");
	assert_string_equal(argv[1], "\"q\"");
}

static void test_split_limit(void **state)
{
	char at[] = "a b c d", past[] = "a b c d e";
	char *argv[5];
	const char *err = NULL;

	(void)state;
	assert_int_equal(gd_argv_split(at, argv, 4, &err), 4);
	assert_null(argv[4]);
	assert_int_equal(gd_argv_split(past, argv, 4, &err), -1);
	assert_string_equal(err, "too many words");
}

static void test_env_defaults_and_replace(void **state)
{
	static struct gd_envset e;
	const char *err = NULL;

	(void)state;
	gd_env_init(&e);
	assert_int_equal(e.count, 3);
	assert_string_equal(gd_env_get(&e, "PATH"), GD_ENV_DEFAULT_PATH);
	assert_string_equal(gd_env_get(&e, "HOME"), "/");
	assert_int_equal(gd_env_put(&e, "HOME=/root", 10, &err), 0);
	assert_int_equal(gd_env_put(&e, "A_1=x=y", 7, &err), 0);
	assert_int_equal(e.count, 4);
	assert_string_equal(gd_env_get(&e, "HOME"), "/root");
	assert_string_equal(gd_env_get(&e, "A_1"), "x=y");
	assert_null(gd_env_get(&e, "A"));
	assert_null(e.vars[4]);
	assert_int_equal(gd_env_put(&e, "NOEQUALS", 8, &err), -1);
	assert_int_equal(gd_env_put(&e, "1X=y", 4, &err), -1);
	assert_int_equal(gd_env_put(&e, "=y", 2, &err), -1);
	assert_int_equal(gd_env_put(&e, "A-B=y", 5, &err), -1);
	assert_string_equal(err, "not NAME=VALUE");
}

static void test_env_limits(void **state)
{
	static struct gd_envset e;
	static char big[GD_ENV_TEXT_MAX];
	const char *err = NULL;
	char v[16];

	(void)state;
	gd_env_init(&e);
	for (int i = e.count; i < GD_ENV_MAX; i++) {
		int n = snprintf(v, sizeof v, "V%d=1", i);

		assert_int_equal(gd_env_put(&e, v, (size_t)n, &err), 0);
	}
	assert_int_equal(e.count, GD_ENV_MAX);
	assert_int_equal(gd_env_put(&e, "ONE_MORE=1", 10, &err), -1);
	assert_string_equal(err, "too many variables");
	assert_int_equal(gd_env_put(&e, "V10=2", 5, &err), 0); /* replace: fine */

	gd_env_init(&e);
	memset(big, 'x', sizeof big);
	big[0] = 'B';
	big[1] = '=';
	/* exactly the room left (with its NUL), then one byte more */
	assert_int_equal(gd_env_put(&e, big, sizeof e.text - e.used - 1, &err), 0);
	gd_env_init(&e);
	assert_int_equal(gd_env_put(&e, big, sizeof e.text - e.used, &err), -1);
	assert_string_equal(err, "environment text full");
}

static const char passwd[] =
	"root:x:0:0:root:/root:/bin/bash\n"
	"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
	"bad:x:12a:1:::\n"
	"big:x:4294967295:1:::\n"
	"max:x:4294967294:7:::\n"
	"short:x:5\n"
	"last:x:1000:1001::/home/last:/bin/sh";

static void test_passwd(void **state)
{
	uint32_t id = 1, gid = 1;
	size_t n = sizeof passwd - 1;

	(void)state;
	assert_int_equal(gd_idfile_lookup(passwd, n, "root", &id, &gid), 0);
	assert_int_equal(id, 0);
	assert_int_equal(gd_idfile_lookup(passwd, n, "nobody", &id, &gid), 0);
	assert_int_equal(id, 65534);
	assert_int_equal(gid, 65534);
	assert_int_equal(gd_idfile_lookup(passwd, n, "last", &id, &gid), 0);
	assert_int_equal(gid, 1001);
	assert_int_equal(gd_idfile_lookup(passwd, n, "max", &id, &gid), 0);
	assert_int_equal(id, GD_ID_MAX);
	assert_int_equal(gd_idfile_lookup(passwd, n, "big", &id, &gid), -1);
	assert_int_equal(gd_idfile_lookup(passwd, n, "bad", &id, &gid), -1);
	assert_int_equal(gd_idfile_lookup(passwd, n, "short", &id, &gid), -1);
	assert_int_equal(gd_idfile_lookup(passwd, n, "short", &id, NULL), 0);
	assert_int_equal(gd_idfile_lookup(passwd, n, "nobod", &id, &gid), -1);
	assert_int_equal(gd_idfile_lookup(passwd, n, "", &id, &gid), -1);
}

static void test_id_parse(void **state)
{
	uint32_t id;

	(void)state;
	assert_int_equal(gd_id_parse("0", &id), 0);
	assert_int_equal(gd_id_parse("4294967294", &id), 0);
	assert_int_equal(id, 4294967294u);
	assert_int_equal(gd_id_parse("4294967295", &id), -1);
	assert_int_equal(gd_id_parse("99999999999", &id), -1);
	assert_int_equal(gd_id_parse("", &id), -1);
	assert_int_equal(gd_id_parse("-1", &id), -1);
	assert_int_equal(gd_id_parse("nobody", &id), -1);
}

static void test_moddep(void **state)
{
	static const char l1[] = "kernel/net/vmw_vsock/vsock_loopback.ko: "
				 "kernel/net/vmw_vsock/vsock.ko";
	static const char l2[] = "kernel/drivers/virtio/virtio_pci.ko.zst:";
	static const char l3[] = "vsock.ko:";

	(void)state;
	assert_int_equal(gd_moddep_match(l1, strlen(l1), "vsock_loopback"),
			 (size_t)(strchr(l1, ':') - l1));
	assert_int_equal(gd_moddep_match(l1, strlen(l1), "vsock-loopback"), 38);
	assert_int_equal(gd_moddep_match(l1, strlen(l1), "vsock"), 0);
	assert_int_equal(gd_moddep_match(l1, strlen(l1), "loopback"), 0);
	assert_int_equal(gd_moddep_match(l2, strlen(l2), "virtio-pci"), strlen(l2) - 1);
	assert_int_equal(gd_moddep_match(l3, strlen(l3), "vsock"), 8);
	assert_int_equal(gd_moddep_match(l3, strlen(l3), ""), 0);
	assert_int_equal(gd_moddep_match("no colon", 8, "no"), 0);
	assert_int_equal(gd_module_compressed("/x/a.ko.xz"), 1);
	assert_int_equal(gd_module_compressed("a.ko.zst"), 1);
	assert_int_equal(gd_module_compressed("a.ko.gz"), 1);
	assert_int_equal(gd_module_compressed("a.ko"), 0);
	assert_int_equal(gd_module_compressed(".ko.xz"), 0);
}

/* The default image's list as mkinitramfs orders it, with modules.dep's needs. */
static void test_mod_waves_default(void **state)
{
	/* 0 virtio_ring, 1 virtio, 2 virtio_pci_legacy_dev,
	 * 3 virtio_pci_modern_dev, 4 virtio_pci, 5 virtio_console, 6 vsock,
	 * 7 vmw_vsock_virtio_transport_common, 8 vmw_vsock_virtio_transport,
	 * 9 vsock_loopback, 10 button, 11 evdev */
	const uint32_t needs[] = { 0, 0x1, 0, 0, 0xf, 0x3, 0, 0x40, 0xc3, 0xc0,
				   0, 0 };
	const uint8_t known[12] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	const unsigned want[] = { 0, 1, 0, 0, 2, 2, 0, 1, 2, 2, 0, 0 };
	unsigned wave[12];

	(void)state;
	assert_int_equal(gd_mod_waves(needs, known, 12, wave), 3);
	assert_memory_equal(wave, want, sizeof want);
}

static void test_mod_waves_shapes(void **state)
{
	const uint32_t diamond[] = { 0, 0x1, 0x1, 0x6 };
	const uint32_t forward[] = { 0x2, 0 }; /* 0 "needs" 1: not counted */
	const uint32_t none[3] = { 0 };
	const uint8_t all[4] = { 1, 1, 1, 1 }, mid_unknown[3] = { 1, 0, 1 };
	unsigned wave[4];

	(void)state;
	assert_int_equal(gd_mod_waves(none, all, 0, wave), 0);
	assert_int_equal(gd_mod_waves(none, all, 3, wave), 1);
	assert_int_equal(wave[2], 0);
	assert_int_equal(gd_mod_waves(diamond, all, 4, wave), 3);
	assert_int_equal(wave[1], 1);
	assert_int_equal(wave[2], 1);
	assert_int_equal(wave[3], 2);
	assert_int_equal(gd_mod_waves(forward, all, 2, wave), 1);
	/* a module of unknown needs stands between the others */
	assert_int_equal(gd_mod_waves(none, mid_unknown, 3, wave), 3);
	assert_int_equal(wave[0], 0);
	assert_int_equal(wave[1], 1);
	assert_int_equal(wave[2], 2);
}

/* GD_MODWAVE_MAX modules are planned; one more is left alone. */
static void test_mod_waves_limit(void **state)
{
	uint32_t needs[GD_MODWAVE_MAX + 1] = { 0 };
	uint8_t known[GD_MODWAVE_MAX + 1];
	unsigned wave[GD_MODWAVE_MAX + 1];

	(void)state;
	memset(known, 1, sizeof known);
	for (unsigned i = 1; i <= GD_MODWAVE_MAX; i++)
		needs[i] = 1u << (i - 1) % 32; /* a chain */
	wave[GD_MODWAVE_MAX] = 12345;
	assert_int_equal(gd_mod_waves(needs, known, GD_MODWAVE_MAX, wave),
			 GD_MODWAVE_MAX);
	assert_int_equal(wave[GD_MODWAVE_MAX - 1], GD_MODWAVE_MAX - 1);
	assert_int_equal(gd_mod_waves(needs, known, GD_MODWAVE_MAX + 1, wave),
			 GD_MODWAVE_MAX);
	assert_int_equal(wave[GD_MODWAVE_MAX], 12345);
}

static void test_mode_names(void **state)
{
	(void)state;
	assert_string_equal(gd_sd_mode_name(GD_SD_POWEROFF), "poweroff");
	assert_string_equal(gd_sd_mode_name(GD_SD_REBOOT), "reboot");
	assert_string_equal(gd_sd_mode_name(GD_SD_HALT), "halt");
	assert_null(gd_sd_mode_name(3));
	assert_int_equal(gd_sd_mode_parse("halt"), GD_SD_HALT);
	assert_int_equal(gd_sd_mode_parse("restart"), -1);
	assert_string_equal(gd_sd_phase_name(GD_SDP_DELEGATED), "delegated");
	assert_string_equal(gd_sd_phase_name(99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words),
		cmocka_unit_test(test_split_edges),
		cmocka_unit_test(test_split_limit),
		cmocka_unit_test(test_env_defaults_and_replace),
		cmocka_unit_test(test_env_limits),
		cmocka_unit_test(test_passwd),
		cmocka_unit_test(test_id_parse),
		cmocka_unit_test(test_moddep),
		cmocka_unit_test(test_mod_waves_default),
		cmocka_unit_test(test_mod_waves_shapes),
		cmocka_unit_test(test_mod_waves_limit),
		cmocka_unit_test(test_mode_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
