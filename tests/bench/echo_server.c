/*
 * echo_server: the physical limit for `make bench`.
 *
 *   echo_server PATH [RESPONSE_PAYLOAD_BYTES]
 *
 * Listens on a unix stream socket and answers every guestd-framed request
 * (16-byte header + payload) with a response frame of the size guestd
 * sends for PING (64 payload bytes unless told otherwise): same op and id,
 * RESPONSE flag, zero payload. It does no protocol work beyond framing:
 * no CRC, no TLVs, no clock. One poll(2) loop, one read and one write per
 * wake-up, so what it costs is what the kernel costs to move the bytes.
 * SIGTERM ends it cleanly (valgrind then writes its counts).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define EC_MAX_CONNS 64
#define EC_HDR 16
#define EC_MAX_PAYLOAD 8192
#define EC_IN_CAP (4 * (EC_HDR + EC_MAX_PAYLOAD))
#define EC_OUT_CAP (64 * 1024)
#define EC_PING_PAYLOAD 64 /* guestd's PING answer: 2 x u64 TLV + boot id */
#define EC_F_RESPONSE 0x01

struct ec_conn {
	int fd;
	size_t in_len, out_len, out_off;
	uint8_t in[EC_IN_CAP];
	uint8_t out[EC_OUT_CAP];
};

static struct ec_conn conns[EC_MAX_CONNS];
static volatile sig_atomic_t stop;
static size_t resp_payload = EC_PING_PAYLOAD;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0 || strlen(path) >= sizeof sa.sun_path)
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) || listen(fd, 64))
		return -1;
	return fd;
}

static void accept_all(int lfd)
{
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		int i;

		for (i = 0; i < EC_MAX_CONNS && conns[i].fd >= 0; i++)
			;
		if (i == EC_MAX_CONNS) {
			close(fd);
			continue;
		}
		conns[i].fd = fd;
		conns[i].in_len = conns[i].out_len = conns[i].out_off = 0;
	}
}

/* Answer every whole frame in c->in while the answer fits in c->out. */
static void answer_frames(struct ec_conn *c)
{
	size_t off = 0, resp = EC_HDR + resp_payload;

	while (c->in_len - off >= EC_HDR && c->out_len + resp <= EC_OUT_CAP) {
		const uint8_t *h = c->in + off;
		size_t total = EC_HDR + (size_t)(h[12] | h[13] << 8);
		uint8_t *r = c->out + c->out_len;

		if (c->in_len - off < total)
			break;
		memcpy(r, h, EC_HDR);
		r[3] = EC_F_RESPONSE;
		r[12] = (uint8_t)resp_payload;
		r[13] = (uint8_t)(resp_payload >> 8);
		memset(r + EC_HDR, 0, resp_payload);
		c->out_len += resp;
		off += total;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
}

static void serve(struct ec_conn *c, short revents)
{
	ssize_t n;

	if (revents & (POLLIN | POLLHUP | POLLERR)) {
		n = read(c->fd, c->in + c->in_len, EC_IN_CAP - c->in_len);
		if (n <= 0 && !(n < 0 && errno == EAGAIN)) {
			close(c->fd);
			c->fd = -1;
			return;
		}
		if (n > 0)
			c->in_len += (size_t)n;
	}
	answer_frames(c);
	if (c->out_len > c->out_off) {
		n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n > 0)
			c->out_off += (size_t)n;
		if (c->out_off == c->out_len)
			c->out_len = c->out_off = 0;
	}
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	struct pollfd pfd[1 + EC_MAX_CONNS];
	struct ec_conn *owner[1 + EC_MAX_CONNS];
	int lfd;

	if (argc < 2 || argc > 3)
		return 2;
	if (argc == 3)
		resp_payload = (size_t)strtoul(argv[2], NULL, 10);
	if (resp_payload > EC_MAX_PAYLOAD)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	for (int i = 0; i < EC_MAX_CONNS; i++)
		conns[i].fd = -1;
	lfd = listen_unix(argv[1]);
	if (lfd < 0)
		return 1;
	while (!stop) {
		int n = 0;

		pfd[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < EC_MAX_CONNS; i++) {
			if (conns[i].fd < 0)
				continue;
			owner[n] = &conns[i];
			pfd[n++] = (struct pollfd){
				.fd = conns[i].fd,
				.events = conns[i].out_len ? POLLOUT : POLLIN };
		}
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;
		if (pfd[0].revents)
			accept_all(lfd);
		for (int i = 1; i < n; i++)
			if (pfd[i].revents)
				serve(owner[i], pfd[i].revents);
	}
	unlink(argv[1]);
	return 0;
}
