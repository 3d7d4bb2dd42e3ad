/*
 * Unit tests for the pure parts of the QGA credential commands:
 * libmini/shacrypt.c (SHA-512 crypt against glibc's crypt(3) for keys
 * around the 64-byte block and salts up to 16), libmini/pwfile.c (passwd
 * lookup, the shadow line rewrite, the crypt string check) and
 * libmini/authkeys.c (qemu-ga 7.2's line rules, bytes as it writes them).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "authkeys.h"
#include "pwfile.h"
#include "shacrypt.h"

static void test_sha512_crypt(void **state)
{
	static const struct { const char *key, *salt, *want; } v[] = {
		{ "Hello world!", "saltstring", "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1" },
		{ "", "abcdefghijklmnop", "$6$abcdefghijklmnop$6.vC8ffobuN7AxcHvesxeeksF2DXFfpYyFt3PFU8pYpEQPhWFSN7hwaUQRfHg/LkfB3jIPEitUcU7ZTqjaQUp1" },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "ab", "$6$ab$jJ0JKpcKeTClUMLQxap/pY8XzZDlO4biLLovk8fVGLaE4t52bto0gyekQs9CufrDwjH.bpV74nlWd0KNS.pxj0" },
		{ "pw\xc3\xa9", "./Z", "$6$./Z$9fuzgwW8Yr2wnfifnH2MKQ4bq533POoUWX3.TmyPJA/E5vyiXvypLK7erKoUQPeVgRQo6cjWCtz3NziDDOpSG0" },
	};
	char y[201], out[GD_SHACRYPT_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		assert_int_equal(gd_sha512_crypt(v[i].key, v[i].salt,
						 strlen(v[i].salt), out, sizeof out),
				 strlen(v[i].want));
		assert_string_equal(out, v[i].want);
	}
	memset(y, 'y', 200);
	y[200] = '\0';
	gd_sha512_crypt(y, "0123456789abcdefXYZ", 19, out, sizeof out); /* cut to 16 */
	assert_string_equal(out, "$6$0123456789abcdef$G9SgByq2n0quWx91rg86cfJvu1JmXliBWYeZRSrSJL8QotKJc.7I9Oz82nj6q0rkduema9qmrmz0hhMNBKLKC.");
	assert_int_equal(gd_sha512_crypt("k", "s", 1, out, GD_SHACRYPT_LEN), -1);
}

static void test_pw_find(void **state)
{
	static const char pw[] = "root:x:0:0:root:/root:/bin/sh\n"
				 "tester:x:12345:12346:T:/home/t:/bin/sh\n"
				 "bad:x:1x:2:B:/b:/bin/sh\n"
				 "short:x:1:2\n"
				 "last:x:7:8::/l:";
	struct gd_pw p;

	(void)state;
	assert_int_equal(gd_pw_find(pw, sizeof pw - 1, "tester", &p), 0);
	assert_int_equal(p.uid, 12345);
	assert_int_equal(p.gid, 12346);
	assert_string_equal(p.home, "/home/t");
	assert_int_equal(gd_pw_find(pw, sizeof pw - 1, "last", &p), 0);
	assert_string_equal(p.home, "/l");
	assert_int_equal(gd_pw_find(pw, sizeof pw - 1, "test", &p), GD_PW_NO_USER);
	assert_int_equal(gd_pw_find(pw, sizeof pw - 1, "", &p), GD_PW_NO_USER);
	assert_int_equal(gd_pw_find(pw, sizeof pw - 1, "bad", &p), GD_PW_BAD_LINE);
	assert_int_equal(gd_pw_find(pw, sizeof pw - 1, "short", &p), GD_PW_BAD_LINE);
}

static void test_shadow_set(void **state)
{
	static const char sh[] = "root:*:19000:0:99999:7:::\n"
				 "tester:!:19000:0:99999:7:::\n"
				 "nohome:*:19000:0:99999:7:::";
	char out[256];
	long n;

	(void)state;
	n = gd_shadow_set(sh, sizeof sh - 1, "tester", "$6$s$h", 20000, out,
			  sizeof out);
	assert_true(n > 0);
	out[n] = '\0';
	assert_string_equal(out, "root:*:19000:0:99999:7:::\n"
				 "tester:$6$s$h:20000:0:99999:7:::\n"
				 "nohome:*:19000:0:99999:7:::");
	n = gd_shadow_set(sh, sizeof sh - 1, "nohome", "x", 0, out, sizeof out);
	out[n] = '\0';
	assert_string_equal(out + n - 23, "nohome:x:0:0:99999:7:::");
	assert_int_equal(gd_shadow_set(sh, sizeof sh - 1, "teste", "x", 1, out,
				       sizeof out), GD_PW_NO_USER);
	/* exactly the length fits; one byte less does not */
	n = gd_shadow_set(sh, sizeof sh - 1, "root", "ab", 20000, out, sizeof out);
	assert_int_equal(gd_shadow_set(sh, sizeof sh - 1, "root", "ab", 20000,
				       out, (size_t)n), n);
	assert_int_equal(gd_shadow_set(sh, sizeof sh - 1, "root", "ab", 20000,
				       out, (size_t)n - 1), GD_PW_TOO_BIG);
}

static void test_crypt_ok(void **state)
{
	(void)state;
	assert_true(gd_crypt_ok("$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1"));
	assert_true(gd_crypt_ok("$y$j9T$F5Jx5fExrKuPp53xLKQ..1$X3DX6M94c7o.9agCG9G317fhZg9SqC.5i5rd.RhAtQ7"));
	assert_true(gd_crypt_ok("$6$rounds=10000$s$h"));
	assert_true(gd_crypt_ok("abJnggxhB/yWI"));   /* DES */
	assert_false(gd_crypt_ok("abJnggxhB/yW"));   /* 12 */
	assert_false(gd_crypt_ok("$6$s$h:0"));
	assert_false(gd_crypt_ok("$6$s$h x"));
	assert_false(gd_crypt_ok("$6"));
	assert_false(gd_crypt_ok("$$$$"));
	assert_false(gd_crypt_ok("!locked"));
	assert_false(gd_crypt_ok(""));
}

static void test_authkeys(void **state)
{
	const char *k12[] = { "algo key1 comments", "algo key2 comments" };
	const char *dup[] = { "k1 a", "k3 c", "k3 c" };
	const char *k5[] = { "k5" };
	char out[128];
	long n;

	(void)state;
	/* qemu-ga's own unit test: add, dedupe, no final newline */
	n = gd_ak_add("algo key2 comments", 18, 1, k12, 2, out, sizeof out);
	assert_int_equal(n, 37);
	assert_memory_equal(out, "algo key2 comments\nalgo key1 comments", 37);
	assert_int_equal(gd_ak_add("", 0, 0, dup, 3, out, sizeof out), 9);
	assert_memory_equal(out, "k1 a\nk3 c", 9);
	/* the bytes qemu-ga 7.2 wrote for this file (empty lines kept) */
	n = gd_ak_add("k1 a\n#c\n\nk2 b\n", 14, 1, k5, 1, out, sizeof out);
	assert_int_equal(n, 17);
	assert_memory_equal(out, "k1 a\n#c\n\nk2 b\n\nk5", 17);
	assert_int_equal(gd_ak_add("k1", 2, 0, NULL, 0, out, sizeof out), 0);
	assert_int_equal(gd_ak_add("", 0, 1, k5, 1, out, 2), 2);
	assert_int_equal(gd_ak_add("", 0, 1, k5, 1, out, 1), GD_AK_TOO_BIG);
	/* remove: qemu-ga's unit test */
	n = gd_ak_remove("algo key1 comments\nalgo key1 comments\n# a commented "
			 "line\nalgo some-key another\n", 79, k12, 2, out,
			 sizeof out);
	assert_int_equal(n, 41);
	assert_memory_equal(out, "# a commented line\nalgo some-key another\n", 41);
	assert_true(gd_ak_key_ok("", 0));
	assert_true(gd_ak_key_ok("ssh-ed25519 AAAA x", 18));
	assert_false(gd_ak_key_ok("#x", 2));
	assert_false(gd_ak_key_ok("a\nb", 3));
	assert_false(gd_ak_key_ok("a", 2)); /* a NUL inside */
}

static void test_authkeys_get(void **state)
{
	static const char f[] = "k1 a\n#c\n\n  k2 b \t\nk3\n";
	const char *want[] = { "k3", "k2 b", "k1 a" }, *k;
	size_t end = sizeof f; /* len + 1 */
	long n;
	int i = 0;

	(void)state;
	while ((n = gd_ak_prev_key(f, &end, &k)) >= 0) {
		assert_true(i < 3);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(k, want[i], (size_t)n);
		i++;
	}
	assert_int_equal(i, 3);
	end = 1;
	assert_int_equal(gd_ak_prev_key("", &end, &k), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha512_crypt),
		cmocka_unit_test(test_pw_find),
		cmocka_unit_test(test_shadow_set),
		cmocka_unit_test(test_crypt_ok),
		cmocka_unit_test(test_authkeys),
		cmocka_unit_test(test_authkeys_get),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
