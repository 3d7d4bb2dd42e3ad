/*
 * Unit tests for libmini/hvguid.c and the SOCKADDR_HV mirror in
 * host/hvsock_win.h: VSOCK port <-> service GUID, text form, Windows byte
 * layout, the VMID wildcard table, and the --hyperv target syntax.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "hvguid.h"
#include "hvsock_win.h"

static void
assert_guid_str(const struct gd_guid *g, const char *want)
{
	char buf[GD_GUID_STR_SIZE];

	memset(buf, 'x', sizeof buf);
	assert_int_equal(gd_guid_format(g, buf), GD_GUID_STR_LEN);
	assert_string_equal(buf, want);
}

static void
test_vsock_ports(void **state)
{
	static const struct {
		uint32_t port;
		const char *guid;
	} v[] = {
		{ 0u, "00000000-facb-11e6-bd58-64006a7986d3" },
		{ 1u, "00000001-facb-11e6-bd58-64006a7986d3" },
		{ 22u, "00000016-facb-11e6-bd58-64006a7986d3" },
		{ 2761u, "00000ac9-facb-11e6-bd58-64006a7986d3" },
		{ 0x7fffffffu, "7fffffff-facb-11e6-bd58-64006a7986d3" },
		{ 0xffffffffu, "ffffffff-facb-11e6-bd58-64006a7986d3" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct gd_guid g, p;
		uint32_t port = 12345;

		gd_guid_from_vsock_port(v[i].port, &g);
		assert_guid_str(&g, v[i].guid);
		assert_int_equal(gd_guid_to_vsock_port(&g, &port), 0);
		assert_int_equal(port, v[i].port);
		/* And back from the text. */
		assert_int_equal(gd_guid_parse(v[i].guid, &p), 0);
		assert_true(gd_guid_equal(&p, &g));
		port = 12345;
		assert_int_equal(gd_guid_to_vsock_port(&p, &port), 0);
		assert_int_equal(port, v[i].port);
	}
}

static void
test_vsock_refuses_other_guids(void **state)
{
	static const char *const bad[] = {
		"a42e7cda-d03f-480c-9cc2-a4de20abb878", /* HV_GUID_PARENT */
		"00000000-0000-0000-0000-000000000000",
		"00000ac9-facb-11e6-bd58-64006a7986d2", /* last byte */
		"00000ac9-facc-11e6-bd58-64006a7986d3", /* data2 */
		"00000ac9-facb-11e7-bd58-64006a7986d3", /* data3 */
		"00000ac9-facb-11e6-bc58-64006a7986d3", /* data4[0] */
		"999e53d4-3d5c-4c3e-8779-bed06ec056e1", /* VM Session Service */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct gd_guid g;
		uint32_t port = 777;

		assert_int_equal(gd_guid_parse(bad[i], &g), 0);
		assert_int_equal(gd_guid_to_vsock_port(&g, &port), -1);
		assert_int_equal(port, 777);
		assert_int_equal(gd_guid_to_vsock_port(&g, NULL), -1);
	}
	{
		struct gd_guid g;

		gd_guid_from_vsock_port(5, &g);
		assert_int_equal(gd_guid_to_vsock_port(&g, NULL), 0);
	}
}

static void
test_parse_format_round_trip(void **state)
{
	static const char *const canon[] = {
		"00000000-0000-0000-0000-000000000000",
		"ffffffff-ffff-ffff-ffff-ffffffffffff",
		"0123abcd-4567-89ef-fedc-ba9876543210",
		"90db8b89-0d35-4f79-8ce9-49ea0ac8b7cd",
		"e0e16197-dd56-4a10-9195-5ee7a155a838",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof canon / sizeof canon[0]; i++) {
		struct gd_guid g;

		assert_int_equal(gd_guid_parse(canon[i], &g), 0);
		assert_guid_str(&g, canon[i]);
	}
}

static void
test_parse_fields(void **state)
{
	struct gd_guid g;
	static const uint8_t d4[8] = {
		0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10
	};

	(void)state;
	assert_int_equal(gd_guid_parse("0123abcd-4567-89ef-fedc-ba9876543210",
		&g), 0);
	assert_int_equal(g.data1, 0x0123abcdu);
	assert_int_equal(g.data2, 0x4567u);
	assert_int_equal(g.data3, 0x89efu);
	assert_memory_equal(g.data4, d4, 8);
}

static void
test_parse_braces_and_case(void **state)
{
	struct gd_guid want, g;

	(void)state;
	gd_guid_from_vsock_port(2761, &want);
	assert_int_equal(gd_guid_parse(
		"{00000ac9-facb-11e6-bd58-64006a7986d3}", &g), 0);
	assert_true(gd_guid_equal(&g, &want));
	assert_int_equal(gd_guid_parse(
		"00000AC9-FACB-11E6-BD58-64006A7986D3", &g), 0);
	assert_true(gd_guid_equal(&g, &want));
	assert_int_equal(gd_guid_parse(
		"{00000Ac9-fAcB-11e6-Bd58-64006a7986D3}", &g), 0);
	assert_true(gd_guid_equal(&g, &want));
	/* Output is always lowercase, without braces. */
	assert_guid_str(&g, "00000ac9-facb-11e6-bd58-64006a7986d3");

	/* gd_guid_parse_n on a prefix of a longer string. */
	assert_int_equal(gd_guid_parse_n(
		"00000ac9-facb-11e6-bd58-64006a7986d3:2761", 36, &g), 0);
	assert_true(gd_guid_equal(&g, &want));
	assert_int_equal(gd_guid_parse_n(
		"00000ac9-facb-11e6-bd58-64006a7986d3:2761", 37, &g), -1);
}

static void
test_parse_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		"{}",
		"00000ac9-facb-11e6-bd58-64006a7986d",     /* 35 chars */
		"00000ac9-facb-11e6-bd58-64006a7986d30",   /* 37 chars */
		"00000ac9-facb-11e6-bd58-64006a7986d3 ",   /* trailing space */
		" 00000ac9-facb-11e6-bd58-64006a7986d3",   /* leading space */
		"00000ac9-facb-11e6-bd58-64006a7986d3}",   /* lone brace */
		"{00000ac9-facb-11e6-bd58-64006a7986d3",   /* lone brace */
		"(00000ac9-facb-11e6-bd58-64006a7986d3)",  /* wrong brackets */
		"{00000ac9-facb-11e6-bd58-64006a7986d3}x", /* trailing junk */
		"{{00000ac9-facb-11e6-bd58-64006a7986d3}}",
		"00000ac9facb11e6bd5864006a7986d3",        /* no dashes */
		"00000ac9-facb11e6-bd58-64006a7986d3x",    /* dash missing */
		"00000ac9-facb-11e6-bd5864006a7986d3-",    /* dash moved */
		"00000ac-9facb-11e6-bd58-64006a7986d3",    /* dash moved */
		"0000Gac9-facb-11e6-bd58-64006a7986d3",    /* bad hex */
		"00000ac9-facb-11e6-bd58-64006a7986dz",    /* bad hex */
		"00000ac9-facb-11e6-bd58-6400 a7986d3",    /* space inside */
		"00000ac9_facb_11e6_bd58_64006a7986d3",    /* wrong separator */
		"+0000ac9-facb-11e6-bd58-64006a7986d3",    /* sign */
		"0x000ac9-facb-11e6-bd58-64006a7986d3",    /* prefix */
		"00000ac9-facb-11e6-bd58-64006a7986d3-00000ac9-facb",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct gd_guid g;

		memset(&g, 0x5a, sizeof g);
		if (gd_guid_parse(bad[i], &g) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		/* *out untouched on failure. */
		assert_int_equal(g.data1, 0x5a5a5a5au);
		assert_int_equal(g.data4[7], 0x5a);
	}
}

static void
test_bytes_layout(void **state)
{
	static const uint8_t want[16] = {
		0xc9, 0x0a, 0x00, 0x00, 0xcb, 0xfa, 0xe6, 0x11,
		0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3
	};
	static const uint8_t parent[16] = {
		0xda, 0x7c, 0x2e, 0xa4, 0x3f, 0xd0, 0x0c, 0x48,
		0x9c, 0xc2, 0xa4, 0xde, 0x20, 0xab, 0xb8, 0x78
	};
	struct gd_guid g, back;
	uint8_t b[16];

	(void)state;
	gd_guid_from_vsock_port(2761, &g);
	gd_guid_to_bytes(&g, b);
	assert_memory_equal(b, want, 16);
	gd_guid_from_bytes(want, &back);
	assert_true(gd_guid_equal(&back, &g));

	assert_int_equal(gd_hv_wildcard_lookup("HV_GUID_PARENT", &g), 0);
	gd_guid_to_bytes(&g, b);
	assert_memory_equal(b, parent, 16);
	gd_guid_from_bytes(parent, &back);
	assert_guid_str(&back, "a42e7cda-d03f-480c-9cc2-a4de20abb878");
}

static void
test_equal(void **state)
{
	struct gd_guid a, b;

	(void)state;
	gd_guid_from_vsock_port(1, &a);
	b = a;
	assert_true(gd_guid_equal(&a, &b));
	b.data4[7] ^= 1;
	assert_false(gd_guid_equal(&a, &b));
	b = a;
	b.data3 ^= 1;
	assert_false(gd_guid_equal(&a, &b));
	b = a;
	b.data1 ^= 1;
	assert_false(gd_guid_equal(&a, &b));
}

static const struct {
	const char *name;
	const char *guid;
} wildcards[] = {
	/* Microsoft, "Make your own integration services", VMID Wildcards */
	{ "HV_GUID_ZERO", "00000000-0000-0000-0000-000000000000" },
	{ "HV_GUID_WILDCARD", "00000000-0000-0000-0000-000000000000" },
	{ "HV_GUID_BROADCAST", "ffffffff-ffff-ffff-ffff-ffffffffffff" },
	{ "HV_GUID_CHILDREN", "90db8b89-0d35-4f79-8ce9-49ea0ac8b7cd" },
	{ "HV_GUID_LOOPBACK", "e0e16197-dd56-4a10-9195-5ee7a155a838" },
	{ "HV_GUID_PARENT", "a42e7cda-d03f-480c-9cc2-a4de20abb878" },
};
#define N_WC (sizeof wildcards / sizeof wildcards[0])

static void
test_wildcard_lookup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < N_WC; i++) {
		struct gd_guid g;
		char lower[32];
		size_t k;

		assert_int_equal(gd_hv_wildcard_lookup(wildcards[i].name, &g),
			0);
		assert_guid_str(&g, wildcards[i].guid);

		/* ASCII case is ignored. */
		for (k = 0; wildcards[i].name[k] != '\0'; k++) {
			char c = wildcards[i].name[k];
			lower[k] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
		}
		lower[k] = '\0';
		assert_int_equal(gd_hv_wildcard_lookup(lower, &g), 0);
		assert_guid_str(&g, wildcards[i].guid);
	}
}

static void
test_wildcard_unknown(void **state)
{
	static const char *const bad[] = {
		"", "HV_GUID_", "HV_GUID_PAREN", "HV_GUID_PARENTS",
		"HV_GUID_SILOHOST", "HV_GUID_VSOCK_TEMPLATE", "PARENT",
		"parent", " HV_GUID_PARENT", "HV_GUID_PARENT ",
		"HV_GUID_PARENTHV_GUID_PARENTHV_GUID_PARENTHV_GUID_PARENT",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct gd_guid g;

		memset(&g, 0x5a, sizeof g);
		if (gd_hv_wildcard_lookup(bad[i], &g) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(g.data1, 0x5a5a5a5au);
	}
}

static void
test_wildcard_iteration(void **state)
{
	size_t i;
	const char *name;
	struct gd_guid g;

	(void)state;
	assert_int_equal(gd_hv_wildcard_count(), N_WC);
	for (i = 0; i < gd_hv_wildcard_count(); i++) {
		struct gd_guid byname;

		name = NULL;
		assert_int_equal(gd_hv_wildcard_at(i, &name, &g), 0);
		assert_non_null(name);
		assert_string_equal(name, wildcards[i].name);
		assert_guid_str(&g, wildcards[i].guid);
		assert_int_equal(gd_hv_wildcard_lookup(name, &byname), 0);
		assert_true(gd_guid_equal(&byname, &g));
		/* Either output may be NULL. */
		assert_int_equal(gd_hv_wildcard_at(i, NULL, &g), 0);
		assert_int_equal(gd_hv_wildcard_at(i, &name, NULL), 0);
	}
	name = "unchanged";
	assert_int_equal(gd_hv_wildcard_at(N_WC, &name, &g), -1);
	assert_string_equal(name, "unchanged");
	assert_int_equal(gd_hv_wildcard_at((size_t)-1, &name, &g), -1);
}

static void
test_target_parse(void **state)
{
	struct gd_guid vm;
	uint32_t port;

	(void)state;
	assert_int_equal(gd_hv_target_parse(
		"a42e7cda-d03f-480c-9cc2-a4de20abb878", 2761, &vm, &port), 0);
	assert_guid_str(&vm, "a42e7cda-d03f-480c-9cc2-a4de20abb878");
	assert_int_equal(port, 2761);

	assert_int_equal(gd_hv_target_parse(
		"{A42E7CDA-D03F-480C-9CC2-A4DE20ABB878}:22", 2761, &vm, &port),
		0);
	assert_guid_str(&vm, "a42e7cda-d03f-480c-9cc2-a4de20abb878");
	assert_int_equal(port, 22);

	assert_int_equal(gd_hv_target_parse("HV_GUID_LOOPBACK:4294967295",
		2761, &vm, &port), 0);
	assert_guid_str(&vm, "e0e16197-dd56-4a10-9195-5ee7a155a838");
	assert_int_equal(port, 0xffffffffu);

	assert_int_equal(gd_hv_target_parse("hv_guid_parent:0", 2761,
		&vm, &port), 0);
	assert_guid_str(&vm, "a42e7cda-d03f-480c-9cc2-a4de20abb878");
	assert_int_equal(port, 0);
}

static void
test_target_rejects(void **state)
{
	static const char *const bad[] = {
		"",
		":2761",
		"HV_GUID_PARENT:",
		"HV_GUID_PARENT:4294967296",
		"HV_GUID_PARENT:99999999999",
		"HV_GUID_PARENT:-1",
		"HV_GUID_PARENT:+1",
		"HV_GUID_PARENT:27 61",
		"HV_GUID_PARENT:2761:1",
		"HV_GUID_PARENT:0x10",
		"nosuchvm:2761",
		"a42e7cda-d03f-480c-9cc2-a4de20abb87:2761",
		"a42e7cda-d03f-480c-9cc2-a4de20abb8789:2761",
		"a42e7cda-d03f-480c-9cc2-a4de20abb878a42e7cda-d03f-480c",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct gd_guid vm;
		uint32_t port = 4242;

		memset(&vm, 0x5a, sizeof vm);
		if (gd_hv_target_parse(bad[i], 2761, &vm, &port) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(port, 4242);
		assert_int_equal(vm.data1, 0x5a5a5a5au);
	}
}

static void
test_sockaddr_hv_layout(void **state)
{
	struct gd_sockaddr_hv sa;
	struct gd_guid vm, svc;
	uint8_t raw[36];

	(void)state;
	/* Documented SOCKADDR_HV: USHORT, USHORT, GUID, GUID. */
	assert_int_equal(sizeof(struct gd_sockaddr_hv), 36);
	assert_int_equal(offsetof(struct gd_sockaddr_hv, family), 0);
	assert_int_equal(offsetof(struct gd_sockaddr_hv, reserved), 2);
	assert_int_equal(offsetof(struct gd_sockaddr_hv, vm_id), 4);
	assert_int_equal(offsetof(struct gd_sockaddr_hv, service_id), 20);
	assert_int_equal(GD_AF_HYPERV, 34);
	assert_int_equal(GD_HV_PROTOCOL_RAW, 1);

	/* A filled address has the bytes Windows expects (x86 is LE). */
	memset(&sa, 0xee, sizeof sa);
	sa.family = GD_AF_HYPERV;
	sa.reserved = 0;
	assert_int_equal(gd_hv_wildcard_lookup("HV_GUID_LOOPBACK", &vm), 0);
	gd_guid_from_vsock_port(2761, &svc);
	gd_guid_to_bytes(&vm, sa.vm_id);
	gd_guid_to_bytes(&svc, sa.service_id);
	memcpy(raw, &sa, sizeof raw);
	{
		static const uint8_t want[36] = {
			0x22, 0x00, 0x00, 0x00,
			0x97, 0x61, 0xe1, 0xe0, 0x56, 0xdd, 0x10, 0x4a,
			0x91, 0x95, 0x5e, 0xe7, 0xa1, 0x55, 0xa8, 0x38,
			0xc9, 0x0a, 0x00, 0x00, 0xcb, 0xfa, 0xe6, 0x11,
			0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3
		};
		const uint16_t one = 1;

		/* The family bytes depend on host order; Windows is LE. */
		if (*(const uint8_t *)&one == 1)
			assert_memory_equal(raw, want, 36);
		else
			assert_memory_equal(raw + 4, want + 4, 32);
	}
}

/* The 36 bytes --hyperv connects with: gd_hv_target_parse, then fill. */
static void
assert_target_sockaddr(const char *spec, const uint8_t want[36])
{
	struct gd_sockaddr_hv sa;
	struct gd_guid vm;
	uint32_t port;
	uint8_t raw[36];
	const uint16_t one = 1;

	assert_int_equal(gd_hv_target_parse(spec, 2761, &vm, &port), 0);
	memset(&sa, 0xee, sizeof sa);
	gd_sockaddr_hv_fill(&sa, &vm, port);
	assert_int_equal(sa.family, GD_AF_HYPERV);
	assert_int_equal(sa.reserved, 0);
	memcpy(raw, &sa, sizeof raw);
	/* The family bytes depend on host order; Windows is LE. */
	if (*(const uint8_t *)&one == 1)
		assert_memory_equal(raw, want, 36);
	else
		assert_memory_equal(raw + 4, want + 4, 32);
}

static void
test_target_sockaddr(void **state)
{
	static const uint8_t parent_default_port[36] = {
		0x22, 0x00, 0x00, 0x00,
		0xda, 0x7c, 0x2e, 0xa4, 0x3f, 0xd0, 0x0c, 0x48,
		0x9c, 0xc2, 0xa4, 0xde, 0x20, 0xab, 0xb8, 0x78,
		0xc9, 0x0a, 0x00, 0x00, 0xcb, 0xfa, 0xe6, 0x11,
		0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3
	};
	static const uint8_t zero_max_port[36] = {
		0x22, 0x00, 0x00, 0x00,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xff, 0xff, 0xff, 0xff, 0xcb, 0xfa, 0xe6, 0x11,
		0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3
	};
	static const uint8_t guid_port_22[36] = {
		0x22, 0x00, 0x00, 0x00,
		0xe0, 0x04, 0x25, 0x3f, 0x89, 0x4f, 0xd3, 0x11,
		0x9a, 0x0c, 0x03, 0x05, 0xe8, 0x2c, 0x33, 0x01,
		0x16, 0x00, 0x00, 0x00, 0xcb, 0xfa, 0xe6, 0x11,
		0xbd, 0x58, 0x64, 0x00, 0x6a, 0x79, 0x86, 0xd3
	};

	(void)state;
	assert_target_sockaddr("HV_GUID_PARENT", parent_default_port);
	assert_target_sockaddr("hv_guid_zero:4294967295", zero_max_port);
	assert_target_sockaddr("HV_GUID_WILDCARD:4294967295", zero_max_port);
	assert_target_sockaddr("{3F2504E0-4F89-11D3-9A0C-0305E82C3301}:22",
			       guid_port_22);
	assert_target_sockaddr("3f2504e0-4f89-11d3-9a0c-0305e82c3301:22",
			       guid_port_22);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vsock_ports),
		cmocka_unit_test(test_vsock_refuses_other_guids),
		cmocka_unit_test(test_parse_format_round_trip),
		cmocka_unit_test(test_parse_fields),
		cmocka_unit_test(test_parse_braces_and_case),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_bytes_layout),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_wildcard_lookup),
		cmocka_unit_test(test_wildcard_unknown),
		cmocka_unit_test(test_wildcard_iteration),
		cmocka_unit_test(test_target_parse),
		cmocka_unit_test(test_target_rejects),
		cmocka_unit_test(test_sockaddr_hv_layout),
		cmocka_unit_test(test_target_sockaddr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
