/*
 * Unit tests for libmini/auth.c and keyfile.c: docs/auth.md's test
 * vectors byte for byte, key parsing, and the MAC rules (a changed,
 * replayed, reordered, reflected or cross-session frame fails).
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth.h"
#include "keyfile.h"

/* docs/auth.md, "Test vectors". */
#define V_PROOF "860bb23988f1d55f09fa371e6d14e8de98cb158d398de741a43276850a57d099"
#define V_KS "fc3fa9e8cec4fb59e385637f4816feea756ee82dc84dc7dd1bae416beca0fe24"
#define V_REQ "4744010402000000010000000000b664" \
	"b2d903b1fc6e72ba3d75bd75690867502d88a67c615ba3dd5d9733cb31bbbf1e"
#define V_ANS "4744010502000000010000000000ffbc" \
	"522e2ea8aa666c7114c5aa00977afbb6c98567c1b5fdad88f4c55376042fce70"
#define V_REQ2 "4744010402000000020000000600f000010002006869" \
	"28e44bd2c7bfb40d2243b015f50ceb54ecea8d2dc3133789da325408ea0c5e8a"

#define V_HELLO1 "4744010001000000010000002a00136d" "0200020001005000" "2000" \
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
#define V_ANS1 "4744010101000000010000002400" "5596" "50002000" \
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
#define V_HELLO2 "4744010001000000020000002400fc80" "51002000" V_PROOF

static size_t unhex(const char *s, uint8_t *out)
{
	size_t n = strlen(s) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void fill(uint8_t *p, size_t n, uint8_t first)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(first + i);
}

/* K = 00..1f, cn = 20..3f, sn = 40..5f */
static void vector_inputs(uint8_t *k, uint8_t *cn, uint8_t *sn)
{
	fill(k, GD_AUTH_KEY_LEN, 0x00);
	fill(cn, GD_AUTH_NONCE_LEN, 0x20);
	fill(sn, GD_AUTH_NONCE_LEN, 0x40);
}

static void test_vectors(void **state)
{
	uint8_t k[32], cn[32], sn[32], out[32], want[64], frame[64];
	struct gd_auth_session agent = { 0 }, host = { 0 };
	size_t n;

	(void)state;
	vector_inputs(k, cn, sn);
	gd_auth_client_proof(k, cn, sn, out);
	unhex(V_PROOF, want);
	assert_memory_equal(out, want, 32);
	assert_true(gd_auth_proof_ok(k, cn, sn, want));
	gd_auth_session_key(k, cn, sn, out);
	unhex(V_KS, want);
	assert_memory_equal(out, want, 32);

	/* The host seals the PING; the agent opens it and seals its answer. */
	memcpy(host.client_nonce, cn, 32);
	memcpy(host.server_nonce, sn, 32);
	agent = host;
	gd_auth_session_start(&host, k, 0);
	gd_auth_session_start(&agent, k, 1);
	n = unhex(V_REQ, frame);
	assert_int_equal(gd_auth_seal(&host, frame, GD_HDR_LEN, out), 0);
	assert_memory_equal(out, frame + GD_HDR_LEN, GD_MAC_LEN);
	assert_int_equal(gd_auth_open(&agent, frame, n - GD_MAC_LEN,
				      frame + n - GD_MAC_LEN), 0);
	n = unhex(V_ANS, frame);
	assert_int_equal(gd_auth_seal(&agent, frame, n - GD_MAC_LEN, out), 0);
	assert_memory_equal(out, frame + n - GD_MAC_LEN, GD_MAC_LEN);
	assert_int_equal(gd_auth_open(&host, frame, n - GD_MAC_LEN,
				      frame + n - GD_MAC_LEN), 0);
	/* Second request: sequence 1, with a payload. */
	n = unhex(V_REQ2, frame);
	assert_int_equal(gd_auth_seal(&host, frame, n - GD_MAC_LEN, out), 0);
	assert_memory_equal(out, frame + n - GD_MAC_LEN, GD_MAC_LEN);
	assert_int_equal(gd_auth_open(&agent, frame, n - GD_MAC_LEN,
				      frame + n - GD_MAC_LEN), 0);
}

/* The handshake frames of docs/auth.md, built with libmini's writer. */
static void test_hello_frames(void **state)
{
	uint8_t k[32], cn[32], sn[32], proof[32], want[128], storage[128];
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = GD_OP_HELLO,
			    .id = 1 };
	struct gd_frame_writer w;
	struct gd_buf b;
	size_t n;

	(void)state;
	vector_inputs(k, cn, sn);
	gd_buf_init(&b, storage, sizeof storage);
	gd_frame_begin(&w, &b, &h);
	gd_tlv_u16(&w, GD_T_PROTO_VERSION, 1);
	gd_tlv_bytes(&w, GD_T_AUTH_NONCE, cn, 32);
	gd_frame_end(&w);
	n = unhex(V_HELLO1, want);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, want, n);

	gd_buf_init(&b, storage, sizeof storage);
	h.flags = GD_F_RESPONSE;
	gd_frame_begin(&w, &b, &h);
	gd_tlv_bytes(&w, GD_T_AUTH_NONCE, sn, 32);
	gd_frame_end(&w);
	n = unhex(V_ANS1, want);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, want, n);

	gd_buf_init(&b, storage, sizeof storage);
	h.flags = 0;
	h.id = 2;
	gd_auth_client_proof(k, cn, sn, proof);
	gd_frame_begin(&w, &b, &h);
	gd_tlv_bytes(&w, GD_T_AUTH_PROOF, proof, 32);
	gd_frame_end(&w);
	n = unhex(V_HELLO2, want);
	assert_int_equal(b.len, n);
	assert_memory_equal(b.data, want, n);
}

static void test_wrong_proof(void **state)
{
	uint8_t k[32], cn[32], sn[32], p[32];

	(void)state;
	vector_inputs(k, cn, sn);
	gd_auth_client_proof(k, cn, sn, p);
	for (size_t bit = 0; bit < 256; bit++) {
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_false(gd_auth_proof_ok(k, cn, sn, p));
		p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	assert_true(gd_auth_proof_ok(k, cn, sn, p));
	k[31] ^= 1; /* another key */
	assert_false(gd_auth_proof_ok(k, cn, sn, p));
	k[31] ^= 1;
	sn[0] ^= 1; /* a proof recorded for another challenge */
	assert_false(gd_auth_proof_ok(k, cn, sn, p));
}

struct pair {
	struct gd_auth_session host, agent;
};

static void start_pair(struct pair *p, uint8_t sn_first)
{
	uint8_t k[32];

	memset(p, 0, sizeof *p);
	fill(k, 32, 0);
	fill(p->host.client_nonce, 32, 0x20);
	fill(p->host.server_nonce, 32, sn_first);
	p->agent = p->host;
	gd_auth_session_start(&p->host, k, 0);
	gd_auth_session_start(&p->agent, k, 1);
}

static void test_mac_rules(void **state)
{
	uint8_t f1[GD_HDR_LEN + 4] = "GD\x01\x04\x02\0\0\0\x01\0\0\0\x04\0\0\0xyzw";
	uint8_t f2[sizeof f1], m1[32], m2[32];
	struct pair p, other;

	(void)state;
	memcpy(f2, f1, sizeof f1);
	f2[8] = 2;
	start_pair(&p, 0x40);
	assert_int_equal(gd_auth_seal(&p.host, f1, sizeof f1, m1), 0);
	assert_int_equal(gd_auth_seal(&p.host, f2, sizeof f2, m2), 0);
	/* Reordered: the second frame first. */
	assert_int_equal(gd_auth_open(&p.agent, f2, sizeof f2, m2), -1);
	/* Changed: every bit of the frame and of the MAC. */
	for (size_t bit = 0; bit < 8 * sizeof f1; bit++) {
		f1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(gd_auth_open(&p.agent, f1, sizeof f1, m1), -1);
		f1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	for (size_t bit = 0; bit < 256; bit++) {
		m1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_int_equal(gd_auth_open(&p.agent, f1, sizeof f1, m1), -1);
		m1[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	/* Cross-session: same key, another agent nonce. */
	start_pair(&other, 0x41);
	assert_int_equal(gd_auth_open(&other.agent, f1, sizeof f1, m1), -1);
	/* Reflected: the host cannot accept its own frame back. */
	assert_int_equal(gd_auth_open(&p.host, f1, sizeof f1, m1), -1);
	/* In order: accepted; replayed: refused. */
	assert_int_equal(gd_auth_open(&p.agent, f1, sizeof f1, m1), 0);
	assert_int_equal(gd_auth_open(&p.agent, f1, sizeof f1, m1), -1);
	assert_int_equal(gd_auth_open(&p.agent, f2, sizeof f2, m2), 0);
	/* Sequence numbers are a bound too: the last one is never used. */
	p.host.send_seq = UINT64_MAX - 1;
	assert_int_equal(gd_auth_seal(&p.host, f1, sizeof f1, m1), 0);
	assert_int_equal(gd_auth_seal(&p.host, f1, sizeof f1, m1), -1);
	p.agent.recv_seq = UINT64_MAX;
	assert_int_equal(gd_auth_open(&p.agent, f1, sizeof f1, m1), -1);
	/* No session: nothing seals or opens. */
	gd_auth_session_clear(&p.host);
	assert_int_equal(gd_auth_seal(&p.host, f1, sizeof f1, m1), -1);
	assert_int_equal(gd_auth_open(&p.host, f1, sizeof f1, m1), -1);
}

static int parses(const char *text, size_t n, uint8_t *key)
{
	return gd_auth_key_parse((const uint8_t *)text, n, key);
}

static void test_key_parse(void **state)
{
	static const char hex[] =
		"000102030405060708090a0b0c0d0e0f101112131415161718191A1B1C1D1E1F";
	char buf[80];
	uint8_t key[32], want[32];
	char out[65];

	(void)state;
	fill(want, 32, 0);
	assert_int_equal(parses(hex, 64, key), 0);
	assert_memory_equal(key, want, 32);
	snprintf(buf, sizeof buf, "%s\n", hex);
	assert_int_equal(parses(buf, 65, key), 0);
	snprintf(buf, sizeof buf, "%s\r\n", hex);
	assert_int_equal(parses(buf, 66, key), 0);
	assert_memory_equal(key, want, 32);
	/* Raw: exactly 32 bytes, whatever they are. */
	assert_int_equal(parses("0123456789abcdef0123456789abcdef", 32, key), 0);
	assert_int_equal(key[0], '0');
	/* One digit short, one too many, a bad digit, two newlines, empty. */
	assert_int_equal(parses(hex, 63, key), -1);
	snprintf(buf, sizeof buf, "%s0", hex);
	assert_int_equal(parses(buf, 65, key), -1);
	snprintf(buf, sizeof buf, "%s", hex);
	buf[10] = 'g';
	assert_int_equal(parses(buf, 64, key), -1);
	snprintf(buf, sizeof buf, "%s\n\n", hex);
	assert_int_equal(parses(buf, 66, key), -1);
	assert_int_equal(parses("", 0, key), -1);
	assert_int_equal(parses(hex, 31, key), -1);
	assert_int_equal(parses(hex, 33, key), -1);
	gd_auth_key_hex(want, out);
	assert_string_equal(out, "000102030405060708090a0b0c0d0e0f"
				 "101112131415161718191a1b1c1d1e1f");
}

static char dir[64];

static void path_in(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void write_file(const char *path, const char *text, size_t n, int mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, n), (ssize_t)n);
	assert_int_equal(fchmod(fd, (mode_t)mode), 0);
	close(fd);
}

static void test_key_file(void **state)
{
	static const char hex[] =
		"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n";
	char p[128], link[128], err[256], big[GD_AUTH_KEYFILE_MAX + 2];
	uint8_t key[32], want[32], made[32];
	struct stat st;

	(void)state;
	fill(want, 32, 0);
	path_in(p, sizeof p, "k");
	write_file(p, hex, sizeof hex - 1, 0600);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), 0);
	assert_memory_equal(key, want, 32);
	write_file(p, hex, sizeof hex - 1, 0400);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), 0);
	/* Readable or writable by group or others: refused, saying why. */
	write_file(p, hex, sizeof hex - 1, 0640);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), -1);
	assert_non_null(strstr(err, "chmod 600"));
	write_file(p, hex, sizeof hex - 1, 0602);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), -1);
	/* Owned by another (non-root) user: refused even at 0600. */
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(gd_key_file_load(p, key, err, sizeof err), -1);
		assert_non_null(strstr(err, "another user"));
		assert_int_equal(chown(p, 0, 0), 0);
	}
	/* Not a regular file, a symlink, missing, malformed, too long. */
	assert_int_equal(gd_key_file_load(dir, key, err, sizeof err), -1);
	write_file(p, hex, sizeof hex - 1, 0600);
	path_in(link, sizeof link, "link");
	assert_int_equal(symlink(p, link), 0);
	assert_int_equal(gd_key_file_load(link, key, err, sizeof err), -1);
	path_in(p, sizeof p, "missing");
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), -1);
	assert_non_null(strstr(err, "No such file"));
	path_in(p, sizeof p, "short");
	write_file(p, hex, 40, 0600);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), -1);
	assert_non_null(strstr(err, "64 hex digits"));
	memset(big, 'a', sizeof big);
	write_file(p, big, sizeof big, 0600);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), -1);
	/* Created 0600 whatever the umask, then loadable; never overwritten. */
	path_in(p, sizeof p, "new");
	umask(0);
	fill(made, 32, 7);
	assert_int_equal(gd_key_file_create(p, made, err, sizeof err), 0);
	umask(022);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 65);
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), 0);
	assert_memory_equal(key, made, 32);
	assert_int_equal(gd_key_file_create(p, want, err, sizeof err), -1);
	assert_non_null(strstr(err, "already exists"));
	assert_int_equal(gd_key_file_load(p, key, err, sizeof err), 0);
	assert_memory_equal(key, made, 32);
}

static void test_random_and_ct(void **state)
{
	uint8_t a[32] = { 0 }, b[32] = { 0 }, zero[32] = { 0 };

	(void)state;
	assert_true(gd_ct_equal(a, b, 32));
	b[31] = 0x80;
	assert_false(gd_ct_equal(a, b, 32));
	assert_true(gd_ct_equal(a, b, 31));
	assert_int_equal(gd_random(a, sizeof a), 0);
	assert_int_equal(gd_random(b, sizeof b), 0);
	assert_false(gd_ct_equal(a, b, 32));
	assert_false(gd_ct_equal(a, zero, 32));
	gd_wipe(a, sizeof a);
	assert_memory_equal(a, zero, 32);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/gdauth.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[96];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_hello_frames),
		cmocka_unit_test(test_wrong_proof),
		cmocka_unit_test(test_mac_rules),
		cmocka_unit_test(test_key_parse),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_random_and_ct),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
