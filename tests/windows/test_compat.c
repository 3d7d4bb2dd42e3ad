/*
 * guestctl's Windows layer (host/compat_win.c, host/connect_win.c,
 * libmini/clock_win.c) against a real Winsock: built by `make windows` as
 * build/win/test_compat.exe and run under Wine by
 * tests/integration/test_windows.sh. Wine has neither AF_UNIX nor
 * AF_HYPERV, so the socket checks use TCP on 127.0.0.1, which goes through
 * the same calls (non-blocking connect, select, recv, send, SO_ERROR).
 *
 * Prints one line per check, "ok - NAME" or "not ok - NAME: DETAIL".
 */
#include "hvsock_win.h" /* first: winsock2.h before windows.h */
#include <ws2tcpip.h>
#include <windows.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "compat.h"
#include "fdlimit.h"
#include "hmac.h"
#include "keyfile.h"
#include "sysinfo.h"
#include "target.h"

static int failures;

static void check(int good, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (good) {
		printf("ok - %s\n", name);
		return;
	}
	failures++;
	printf("not ok - %s: ", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* A blocking TCP listener on 127.0.0.1 (any port); *addr gets its address. */
static SOCKET listener(struct sockaddr_in *addr)
{
	SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
	int len = sizeof *addr;

	memset(addr, 0, sizeof *addr);
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (s == INVALID_SOCKET || bind(s, (struct sockaddr *)addr, len) ||
	    getsockname(s, (struct sockaddr *)addr, &len) || listen(s, 4))
		return INVALID_SOCKET;
	return s;
}

/* Start a non-blocking connect with gc_win_socket; the fd or -1. */
static int start_connect(const struct sockaddr_in *addr)
{
	int fd = gc_win_socket(AF_INET, IPPROTO_TCP);

	if (fd < 0)
		return -1;
	if (connect((SOCKET)fd, (const struct sockaddr *)addr, sizeof *addr) &&
	    WSAGetLastError() != WSAEWOULDBLOCK) {
		gc_sock_close(fd);
		return -1;
	}
	return fd;
}

static short poll_one(int fd, short events, int timeout_ms)
{
	gc_pollfd p = { .fd = fd, .events = events };

	if (gc_poll(&p, 1, timeout_ms) < 0)
		return -1;
	return p.revents;
}

static void test_stream(void)
{
	struct sockaddr_in addr;
	SOCKET l = listener(&addr), a;
	char buf[16];
	int fd;
	ssize_t n;
	short ev;

	check(l != INVALID_SOCKET, "TCP listener on 127.0.0.1", "%d",
	      WSAGetLastError());
	fd = start_connect(&addr);
	check(fd >= 0, "gc_win_socket + non-blocking connect", "errno %d", errno);
	ev = poll_one(fd, POLLOUT, 5000);
	check(ev == POLLOUT, "gc_poll: connected socket is writable",
	      "revents %#x", ev);
	check(gc_sock_error(fd) == 0, "gc_sock_error: 0 once connected",
	      "%d", gc_sock_error(fd));
	n = gc_sock_recv(fd, buf, sizeof buf);
	check(n == -1 && errno == EAGAIN,
	      "gc_sock_recv with nothing to read: -1, EAGAIN (non-blocking)",
	      "n %d errno %d", (int)n, errno);
	ev = poll_one(fd, POLLIN, 50);
	check(ev == 0, "gc_poll: nothing to read times out", "revents %#x", ev);
	a = accept(l, NULL, NULL);
	check(a != INVALID_SOCKET && send(a, "ping", 4, 0) == 4,
	      "accept and send from the peer", "%d", WSAGetLastError());
	ev = poll_one(fd, POLLIN, 5000);
	check(ev == POLLIN, "gc_poll: readable after the peer sent",
	      "revents %#x", ev);
	n = gc_sock_recv(fd, buf, sizeof buf);
	check(n == 4 && memcmp(buf, "ping", 4) == 0, "gc_sock_recv reads it",
	      "n %d", (int)n);
	n = gc_sock_send(fd, "pong", 4);
	check(n == 4 && recv(a, buf, sizeof buf, 0) == 4 &&
	      memcmp(buf, "pong", 4) == 0, "gc_sock_send reaches the peer",
	      "n %d", (int)n);
	closesocket(a);
	ev = poll_one(fd, POLLIN, 5000);
	n = gc_sock_recv(fd, buf, sizeof buf);
	check(ev == POLLIN && n == 0, "peer closed: readable, then recv 0",
	      "revents %#x n %d", ev, (int)n);
	check(gc_sock_close(fd) == 0, "gc_sock_close", "errno %d", errno);
	closesocket(l);
}

/* What WSAPoll misses before Windows 10 2004: a refused connect. */
static void test_refused(void)
{
	struct sockaddr_in addr;
	SOCKET l = listener(&addr);
	int fd, err;
	short ev;

	closesocket(l); /* nothing listens on addr now */
	fd = start_connect(&addr);
	check(fd >= 0, "connect to a closed port starts", "errno %d", errno);
	ev = poll_one(fd, POLLOUT, 5000);
	check(ev > 0 && (ev & POLLERR), "gc_poll: refused connect is POLLERR",
	      "revents %#x", ev);
	err = gc_sock_error(fd);
	check(err == WSAECONNREFUSED, "gc_sock_error: WSAECONNREFUSED",
	      "%d", err);
	check(strstr(gc_strerror(err), "(WSAECONNREFUSED)") != NULL,
	      "gc_strerror names it", "%s", gc_strerror(err));
	gc_sock_close(fd);
}

static void test_poll_edges(void)
{
	static gc_pollfd many[GC_WIN_POLL_MAX + 1];
	gc_pollfd none[2] = { { .fd = -1, .events = POLLIN },
			      { .fd = -1, .events = POLLOUT } };
	uint64_t t0 = gd_clock_ns(CLOCK_MONOTONIC), waited;
	int r = gc_poll(none, 2, 60);

	waited = gd_clock_ns(CLOCK_MONOTONIC) - t0;
	check(r == 0 && none[0].revents == 0 && none[1].revents == 0,
	      "gc_poll with no socket: 0", "r %d", r);
	check(waited >= 55000000u && waited < 2000000000u,
	      "gc_poll with no socket sleeps its timeout (60 ms)",
	      "%llu ns", (unsigned long long)waited);
	for (size_t i = 0; i < GC_WIN_POLL_MAX + 1; i++)
		many[i].fd = -1;
	r = gc_poll(many, GC_WIN_POLL_MAX, 0);
	check(r == 0, "gc_poll takes GC_WIN_POLL_MAX entries", "r %d", r);
	r = gc_poll(many, GC_WIN_POLL_MAX + 1, 0);
	check(r == -1 && errno == EINVAL,
	      "gc_poll refuses GC_WIN_POLL_MAX + 1 entries", "r %d", r);
	check(gc_fd_slots(GC_WIN_POLL_MAX + 5) == GC_WIN_POLL_MAX &&
	      gc_fd_slots(3) == 3, "gc_fd_slots: at most GC_WIN_POLL_MAX", "");
}

static void test_errors(void)
{
	check(strstr(gc_strerror(EAGAIN), "WSAEWOULDBLOCK") != NULL,
	      "gc_strerror(EAGAIN) is WSAEWOULDBLOCK's text", "%s",
	      gc_strerror(EAGAIN));
	check(strstr(gc_strerror(WSAEAFNOSUPPORT), "WSAEAFNOSUPPORT") != NULL,
	      "gc_strerror names WSAEAFNOSUPPORT", "%s",
	      gc_strerror(WSAEAFNOSUPPORT));
	check(strstr(gc_strerror(10999), "10999") != NULL,
	      "gc_strerror: an unnamed Winsock code shows its number", "%s",
	      gc_strerror(10999));
	check(strcmp(gc_strerror(ENOENT), strerror(ENOENT)) == 0,
	      "gc_strerror: a C library errno is strerror's", "%s",
	      gc_strerror(ENOENT));
}

static void test_clocks(void)
{
	uint64_t real = gd_clock_ns(CLOCK_REALTIME);
	uint64_t now = (uint64_t)time(NULL) * 1000000000u;
	uint64_t m1 = gd_clock_ns(CLOCK_MONOTONIC), m2;

	check(real + 2000000000u > now && real < now + 2000000000u,
	      "CLOCK_REALTIME agrees with time() within 2 s", "%llu vs %llu",
	      (unsigned long long)real, (unsigned long long)now);
	Sleep(20);
	m2 = gd_clock_ns(CLOCK_MONOTONIC);
	check(m1 > 0 && m2 >= m1 + 15000000u && m2 < m1 + 2000000000u,
	      "CLOCK_MONOTONIC advances with Sleep(20)", "%llu -> %llu",
	      (unsigned long long)m1, (unsigned long long)m2);
	check(gd_clock_ns(12345) == 0, "an unknown clock gives 0", "");
}

/* Our SOCKADDR_HV against one built from mingw-w64's own hvsocket.h. */
static void test_hyperv_addr(void)
{
	static const struct {
		const char *spec;
		const GUID *vm;
		unsigned long port;
	} v[] = {
		{ "HV_GUID_PARENT", &HV_GUID_PARENT, 2761 },
		{ "hv_guid_loopback:22", &HV_GUID_LOOPBACK, 22 },
		{ "HV_GUID_CHILDREN:4294967295", &HV_GUID_CHILDREN, 4294967295ul },
		{ "HV_GUID_ZERO:0", &HV_GUID_ZERO, 0 },
		{ "HV_GUID_WILDCARD", &HV_GUID_WILDCARD, 2761 },
		{ "HV_GUID_BROADCAST:1", &HV_GUID_BROADCAST, 1 },
		{ "{A42E7CDA-D03F-480C-9CC2-A4DE20ABB878}:9", &HV_GUID_PARENT, 9 },
	};

	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		struct gc_target t;
		struct gd_sockaddr_hv ours;
		SOCKADDR_HV want;
		char name[96];

		memset(&want, 0, sizeof want);
		want.Family = AF_HYPERV;
		want.VmId = *v[i].vm;
		want.ServiceId = HV_GUID_VSOCK_TEMPLATE;
		want.ServiceId.Data1 = v[i].port;
		snprintf(name, sizeof name, "--hyperv %s: SOCKADDR_HV as "
			 "hvsocket.h builds it", v[i].spec);
		check(gc_target_hyperv(&t, v[i].spec) == 0 &&
		      (gd_sockaddr_hv_fill(&ours, &t.hv_vm, t.port),
		       memcmp(&ours, &want, sizeof want) == 0), name, "differs");
	}
}

static void test_transports(void)
{
	struct gc_target t;

	errno = 0;
	check(gc_target_vsock(&t, "3") == 0 && gc_target_unavailable(&t) &&
	      gc_target_connect(&t) == -1 && errno == WSAEAFNOSUPPORT,
	      "vsock: unavailable, connect refuses", "errno %d", errno);
	check(gc_target_hybrid(&t, "C:\\vm.sock:2761") == 0 &&
	      gc_target_unavailable(&t), "hybrid: unavailable", "");
	check(gc_target_hyperv(&t, "HV_GUID_PARENT") == 0 &&
	      !gc_target_unavailable(&t), "hyperv: available", "");
	check(gc_target_unix(&t, "C:\\guestd.sock") == 0 &&
	      !gc_target_unavailable(&t), "unix: available", "");
}

/* hex[2n] into out[n] */
static void unhex(const char *hex, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

/* CNG's HMAC-SHA256 against docs/auth.md's vectors (BearSSL, Python). */
static void test_hmac(void)
{
	uint8_t k[32], cn[32], sn[32], got[32], want[32], ks[32], frame[16];
	uint8_t one[32], three[32];

	for (int i = 0; i < 32; i++) {
		k[i] = (uint8_t)i;
		cn[i] = (uint8_t)(0x20 + i);
		sn[i] = (uint8_t)(0x40 + i);
	}
	gd_auth_client_proof(k, cn, sn, got);
	unhex("860bb23988f1d55f09fa371e6d14e8de98cb158d398de741a43276850a57d099",
	      want, 32);
	check(memcmp(got, want, 32) == 0, "auth: client proof vector", "");
	gd_auth_session_key(k, cn, sn, ks);
	unhex("fc3fa9e8cec4fb59e385637f4816feea756ee82dc84dc7dd1bae416beca0fe24",
	      want, 32);
	check(memcmp(ks, want, 32) == 0, "auth: session key vector", "");
	unhex("4744010402000000010000000000b664", frame, 16);
	gd_auth_frame_mac(ks, GD_AUTH_TO_AGENT, 0, frame, 16, got);
	unhex("b2d903b1fc6e72ba3d75bd75690867502d88a67c615ba3dd5d9733cb31bbbf1e",
	      want, 32);
	check(memcmp(got, want, 32) == 0, "auth: PING frame MAC vector", "");
	gd_hmac_sha256_3(k, 32, "abc", 3, "", 0, "", 0, one);
	gd_hmac_sha256_3(k, 32, "a", 1, "", 0, "bc", 2, three);
	check(memcmp(one, three, 32) == 0, "hmac: empty parts add nothing", "");
}

static void test_random(void)
{
	uint8_t a[32], b[32], zero[32] = { 0 };

	check(gd_random(a, sizeof a) == 0 && gd_random(b, sizeof b) == 0 &&
	      memcmp(a, b, 32) != 0 && memcmp(a, zero, 32) != 0,
	      "gd_random: two draws of 32 bytes differ", "");
}

/* dir: a Windows path to an empty directory the caller made, with
 * "open644" (a valid key, mode 0644) and "junk600" (not a key) in it. */
static void test_key_files(const char *dir)
{
	uint8_t key[32], back[32];
	char path[300], err[300];

	snprintf(path, sizeof path, "%s\\new.key", dir);
	gd_random(key, sizeof key);
	check(gd_key_file_create(path, key, err, sizeof err) == 0,
	      "keyfile: create", "%s", err);
	check(gd_key_file_load(path, back, err, sizeof err) == 0 &&
	      memcmp(key, back, 32) == 0, "keyfile: load what create wrote",
	      "%s", err);
	check(gd_key_file_create(path, key, err, sizeof err) == -1 &&
	      strstr(err, "already exists (not overwritten)"),
	      "keyfile: create never overwrites", "%s", err);
	snprintf(path, sizeof path, "%s\\open644", dir);
	check(gd_key_file_load(path, back, err, sizeof err) == -1 &&
	      strstr(err, "Everyone may read it"),
	      "keyfile: one Everyone may read is refused", "%s", err);
	snprintf(path, sizeof path, "%s\\junk600", dir);
	check(gd_key_file_load(path, back, err, sizeof err) == -1 &&
	      strstr(err, "not 32 raw bytes or 64 hex digits"),
	      "keyfile: not a key is refused", "%s", err);
	snprintf(path, sizeof path, "%s\\missing", dir);
	check(gd_key_file_load(path, back, err, sizeof err) == -1 &&
	      strstr(err, "cannot open it (Windows error 2)"),
	      "keyfile: a missing file is refused", "%s", err);
}

int main(int argc, char **argv)
{
	WSADATA wsa;

	/* for the test's own sockets; gc_win_socket starts Winsock itself */
	check(WSAStartup(MAKEWORD(2, 2), &wsa) == 0, "WSAStartup", "");
	test_stream();
	test_refused();
	test_poll_edges();
	test_errors();
	test_clocks();
	test_hyperv_addr();
	test_transports();
	test_hmac();
	test_random();
	if (argc > 1)
		test_key_files(argv[1]);
	printf("# %d failed\n", failures);
	return failures != 0;
}
