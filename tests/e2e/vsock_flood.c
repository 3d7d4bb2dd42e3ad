/*
 * Guest-local AF_VSOCK clients for tests/e2e/test_slots_vsock.sh, run inside
 * the QEMU guest against guestd over vsock_loopback (CID 1). Built by the
 * test with musl-gcc -static. Every result is one short "WL:" line on
 * stdout (the guest console), which the host test reads.
 *
 *   vsock_flood stall CID PORT N   open N connections, send each the first
 *                                  byte of a frame, then say how many guestd
 *                                  kept and how it refused the rest; hold
 *                                  them until killed
 *   vsock_flood loop CID PORT S    for S seconds: connect, send a partial
 *                                  frame (every other time) or nothing,
 *                                  close, as fast as possible; say how many
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* linux/vm_sockets.h, restated: musl-gcc does not see the kernel headers. */
struct vm_addr {
	sa_family_t svm_family;
	unsigned short svm_reserved1;
	unsigned int svm_port;
	unsigned int svm_cid;
	unsigned char svm_flags;
	unsigned char svm_zero[3];
};

#define MAX_CONNS 64
#define HDR 16
#define STATUS_BUSY 15 /* GD_S_BUSY */
#define T_MESSAGE 1    /* GD_T_MESSAGE */

static int vconnect(unsigned cid, unsigned port)
{
	struct vm_addr a = { .svm_family = AF_VSOCK, .svm_port = port,
			     .svm_cid = cid };
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof a)) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* What guestd sent on fd within ms: 0 nothing (held), 1 a BUSY notice
 * (its message in msg), 2 something else or EOF. */
static int verdict(int fd, int ms, char *msg, size_t cap)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	uint8_t buf[512];
	size_t got = 0, off;
	ssize_t n;

	if (poll(&p, 1, ms) <= 0)
		return 0;
	while (got < sizeof buf) {
		n = read(fd, buf + got, sizeof buf - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < HDR || buf[0] != 'G' || buf[1] != 'D' ||
	    le16(buf + 6) != STATUS_BUSY)
		return 2;
	msg[0] = '\0';
	for (off = HDR; off + 4 <= got && off + 4 <= (size_t)HDR + le16(buf + 12);) {
		uint16_t t = le16(buf + off), l = le16(buf + off + 2);

		if (off + 4 + l > got)
			break;
		if (t == T_MESSAGE) {
			snprintf(msg, cap, "%.*s", (int)l, (char *)buf + off + 4);
			break;
		}
		off += 4 + (size_t)l;
	}
	return 1;
}

static _Noreturn void stall(unsigned cid, unsigned port, int n)
{
	static int fds[MAX_CONNS];
	char msg[160] = "", m[160];
	int held = 0, busy = 0, other = 0, failed = 0;

	if (n > MAX_CONNS)
		n = MAX_CONNS;
	for (int i = 0; i < n; i++) {
		fds[i] = vconnect(cid, port);
		if (fds[i] < 0) {
			failed++;
			continue;
		}
		(void)!write(fds[i], "G", 1); /* refused: the verdict says */
	}
	for (int i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		switch (verdict(fds[i], i == 0 ? 1000 : 200, m, sizeof m)) {
		case 0:
			held++;
			break;
		case 1:
			busy++;
			memcpy(msg, m, sizeof msg);
			close(fds[i]);
			break;
		default:
			other++;
			close(fds[i]);
		}
	}
	printf("WL: stall opened %d held %d busy %d other %d failed %d\n",
	       n, held, busy, other, failed);
	if (busy)
		printf("WL: stall busy: %s\n", msg);
	fflush(stdout);
	for (;;)
		pause();
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int loop(unsigned cid, unsigned port, double secs)
{
	static const uint8_t partial[5] = { 'G', 'D', 1, 0, 2 };
	double end = now_s() + secs;
	long made = 0, failed = 0;
	int last_err = 0;

	while (now_s() < end) {
		int fd = vconnect(cid, port);

		if (fd < 0) {
			failed++;
			last_err = errno;
			continue;
		}
		if (++made % 2) /* refused and closed already: no matter */
			(void)!write(fd, partial, sizeof partial);
		close(fd);
	}
	printf("WL: loop pid %d made %ld failed %ld (%s)\n", (int)getpid(), made,
	       failed, last_err ? strerror(last_err) : "-");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "stall"))
		stall((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]),
		      atoi(argv[4]));
	if (argc == 5 && !strcmp(argv[1], "loop"))
		return loop((unsigned)atoi(argv[2]), (unsigned)atoi(argv[3]),
			    atof(argv[4]));
	fprintf(stderr, "usage: vsock_flood stall CID PORT N | loop CID PORT SECS\n");
	return 2;
}
