/*
 * pingload: the load client of `make bench`.
 *
 *   pingload rtt   [-n N] [-r ROUNDS] [REQ] TARGET...
 *   pingload pipe  [-n N] [-r ROUNDS] [-d DEPTH] [REQ] TARGET...
 *   pingload conns [-n N] [-r ROUNDS] [-c CONNS] [REQ] TARGET...
 *   pingload start [-w TIMEOUT_MS] [-l LOG] TARGET -- CMD ARGS...
 *
 * TARGET is NAME=KIND:PATH, KIND gd (guestd frames; the echo server speaks
 * them too) or qga (qemu-ga JSON, {"execute":"guest-ping"}). REQ picks the
 * guestd request: -o OP (default 2, PING), TLVs -t TYPE:STRING, -u TYPE:U8.
 *
 * rtt:   one connection per target, N sequential requests, each timed
 *        with CLOCK_MONOTONIC; prints median, p99 and mean.
 * pipe:  one connection, DEPTH requests in flight; prints req/s over
 *        all rounds (rps) and the median round's (rps_med).
 * conns: CONNS connections at once, one request in flight on each; prints
 *        req/s. A peer that serves one client at a time (qemu-ga) gets the
 *        others queued in its backlog, which is what its users see.
 * The N requests of a target are split into ROUNDS, and rounds alternate
 * between targets, so a burst of machine noise hits all of them alike.
 * start: spawn CMD, then connect and ping until the first answer; prints
 *        the ns from just before the spawn to that answer, then SIGTERMs
 *        CMD and reaps it, SIGKILLing it when it has not exited within
 *        PL_STOP_GRACE_MS (Debian's qemu-ga 7.2 can deadlock in its own
 *        SIGTERM handler, which calls g_main_loop_quit).
 * Output: one line per target of KEY=VALUE words. Any wrong answer (bad
 * id, error status, not JSON "return") exits 1 with a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"

#define PL_MAX_TARGETS 8
#define PL_MAX_CONNS 64
#define PL_MAX_DEPTH 1024
#define PL_REQ_CAP (GD_HDR_LEN + GD_MAX_PAYLOAD)
#define PL_IN_CAP (256 * 1024)
#define PL_OUT_CAP (64 * 1024)
#define PL_STOP_GRACE_MS 3000 /* start: SIGTERM to SIGKILL */
#define PL_QGA_PING "{\"execute\":\"guest-ping\"}\n"
#define PL_QGA_OK "{\"return\": {}}"

enum kind { K_GD, K_QGA };

struct target {
	const char *name, *path;
	enum kind kind;
	uint64_t *samples; /* rtt: ns per request; pipe, conns: req/s per round */
	size_t nsamples;
	uint64_t done, ns;  /* pipe, conns: requests answered, time spent */
};

struct conn {
	int fd;
	enum kind kind;
	uint32_t next_id, want_id; /* gd: ids sent and expected, in order */
	uint64_t sent, answered, quota;
	size_t in_len;
	uint8_t in[PL_IN_CAP];
};

static uint8_t req_payload[GD_MAX_PAYLOAD];
static size_t req_payload_len;
static uint16_t req_op = GD_OP_PING;
static pid_t child; /* start: the agent spawned, killed if we give up */
extern char **environ;

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "pingload: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	if (child > 0 && kill(child, SIGKILL) == 0)
		waitpid(child, NULL, 0);
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int connect_unix(const char *path, int nonblock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
				 (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd < 0 || strlen(path) >= sizeof sa.sun_path)
		die("socket: %s", strerror(errno));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0)
		return fd;
	close(fd);
	return -1;
}

/* Append one request to out (cap bytes free); returns its length. */
static size_t put_request(struct conn *c, uint8_t *out)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = req_op,
			    .id = c->next_id++,
			    .length = (uint16_t)req_payload_len };

	if (c->kind == K_QGA) {
		memcpy(out, PL_QGA_PING, sizeof PL_QGA_PING - 1);
		return sizeof PL_QGA_PING - 1;
	}
	gd_hdr_pack(&h, out);
	memcpy(out + GD_HDR_LEN, req_payload, req_payload_len);
	return GD_HDR_LEN + req_payload_len;
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			die("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* Send count requests, batched into as few writes as the buffer allows. */
static void send_requests(struct conn *c, uint64_t count)
{
	static uint8_t out[PL_OUT_CAP];
	size_t len = 0;

	while (count--) {
		if (sizeof out - len < PL_REQ_CAP) {
			write_all(c->fd, out, len);
			len = 0;
		}
		len += put_request(c, out + len);
		c->sent++;
	}
	write_all(c->fd, out, len);
}

/* Length of the whole answer at p[0..len), 0 if it is not all there yet. */
static size_t whole_answer(struct conn *c, const uint8_t *p, size_t len)
{
	size_t total;

	if (c->kind == K_QGA) {
		const uint8_t *nl = memchr(p, '\n', len);

		if (!nl)
			return 0;
		if ((size_t)(nl - p) < sizeof PL_QGA_OK - 1 ||
		    memcmp(p, PL_QGA_OK, sizeof PL_QGA_OK - 1))
			die("qemu-ga answered: %.80s", (const char *)p);
		return (size_t)(nl - p) + 1;
	}
	if (len < GD_HDR_LEN)
		return 0;
	if (p[0] != GD_MAGIC0 || p[1] != GD_MAGIC1 || !(p[3] & GD_F_RESPONSE))
		die("%s", "answer is not a response frame");
	if (gd_get_u16(p + 6) != GD_S_OK)
		die("answer status %s", gd_status_name(gd_get_u16(p + 6)));
	if (gd_get_u32(p + 8) != c->want_id)
		die("%s", "answer id out of order");
	total = GD_HDR_LEN + gd_get_u16(p + 12) +
		(p[3] & GD_F_MAC ? GD_MAC_LEN : 0);
	return len >= total ? total : 0;
}

/* Read what is there (blocking unless O_NONBLOCK); count whole answers. */
static uint64_t read_answers(struct conn *c)
{
	uint64_t got = 0;
	size_t n, off = 0;
	ssize_t r = read(c->fd, c->in + c->in_len, PL_IN_CAP - c->in_len);

	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (r <= 0)
		die("read: %s", r ? strerror(errno) : "peer closed");
	c->in_len += (size_t)r;
	while ((n = whole_answer(c, c->in + off, c->in_len - off)) > 0) {
		off += n;
		c->want_id++;
		got++;
	}
	memmove(c->in, c->in + off, c->in_len - off);
	c->in_len -= off;
	c->answered += got;
	return got;
}

/* Fresh connection state; c->fd is -1 when the connect failed. */
static void conn_open(struct conn *c, const struct target *t, int nonblock)
{
	memset(c, 0, offsetof(struct conn, in));
	c->kind = t->kind;
	c->next_id = c->want_id = 1;
	c->fd = connect_unix(t->path, nonblock);
}

static struct conn conns[PL_MAX_CONNS];

/* One round of pipe or conns: its requests, its time and its own rate. */
static void add_round(struct target *t, uint64_t done, uint64_t ns)
{
	t->done += done;
	t->ns += ns;
	t->samples[t->nsamples++] = ns ? done * 1000000000u / ns : 0;
}

static void rtt_round(struct target *t, struct conn *c, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t0 = now_ns();

		send_requests(c, 1);
		while (!read_answers(c))
			;
		t->samples[t->nsamples++] = now_ns() - t0;
	}
}

static void pipe_round(struct target *t, struct conn *c, uint64_t n,
		       uint64_t depth)
{
	uint64_t t0 = now_ns(), base = c->answered;

	send_requests(c, n < depth ? n : depth);
	while (c->answered - base < n) {
		uint64_t got = read_answers(c);
		uint64_t left = n - (c->sent - base);

		if (got)
			send_requests(c, got < left ? got : left);
	}
	add_round(t, n, now_ns() - t0);
}

/* CONNS connections, one request in flight each, until n are answered. */
static void conns_round(struct target *t, uint64_t n, int nconns)
{
	struct pollfd pfd[PL_MAX_CONNS];
	uint64_t t0 = now_ns(), answered = 0;
	int open = nconns;

	for (int i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		conns[i].quota = n / (uint64_t)nconns +
				 ((uint64_t)i < n % (uint64_t)nconns);
		if (!conns[i].quota)
			open--;
	}
	while (open > 0) {
		int waiting = 0;

		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];

			pfd[i] = (struct pollfd){ .fd = -1 };
			if (!c->quota)
				continue;
			if (c->fd < 0) {
				uint64_t q = c->quota;

				conn_open(c, t, 1);
				c->quota = q;
				if (c->fd < 0 && errno != EAGAIN)
					die("connect %s failed", t->path);
				if (c->fd < 0) { /* backlog full: retry soon */
					waiting = 1;
					continue;
				}
				send_requests(c, 1);
			}
			pfd[i] = (struct pollfd){ .fd = c->fd, .events = POLLIN };
		}
		if (poll(pfd, (nfds_t)nconns, waiting ? 1 : 5000) == 0 && !waiting)
			die("%s", "no answer within 5 s");
		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];

			if (!(pfd[i].revents) || !read_answers(c))
				continue;
			answered++;
			if (c->answered < c->quota) {
				send_requests(c, 1);
				continue;
			}
			close(c->fd);
			c->fd = -1;
			c->quota = 0;
			open--;
		}
	}
	add_round(t, answered, now_ns() - t0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print_rtt(struct target *t)
{
	uint64_t sum = 0, n = t->nsamples;

	qsort(t->samples, n, sizeof *t->samples, cmp_u64);
	for (uint64_t i = 0; i < n; i++)
		sum += t->samples[i];
	printf("name=%s n=%llu median_ns=%llu p99_ns=%llu mean_ns=%llu\n",
	       t->name, (unsigned long long)n,
	       (unsigned long long)(n ? t->samples[n / 2] : 0),
	       (unsigned long long)(n ? t->samples[n * 99 / 100] : 0),
	       (unsigned long long)(n ? sum / n : 0));
}

/*
 * rps is all requests over all time; rps_med the median round's rate,
 * which a burst of machine noise in a few rounds does not move.
 */
static void print_rate(struct target *t)
{
	double secs = (double)t->ns / 1e9;
	size_t n = t->nsamples;

	qsort(t->samples, n, sizeof *t->samples, cmp_u64);
	printf("name=%s n=%llu secs=%.4f rps=%.0f rps_med=%llu rounds=%zu\n",
	       t->name, (unsigned long long)t->done, secs,
	       secs > 0 ? (double)t->done / secs : 0.0,
	       (unsigned long long)(n ? t->samples[n / 2] : 0), n);
}

static void parse_target(struct target *t, char *spec)
{
	char *eq = strchr(spec, '='), *colon;

	if (!eq || !(colon = strchr(eq, ':')))
		die("target %s is not NAME=KIND:PATH", spec);
	*eq = *colon = '\0';
	t->name = spec;
	t->path = colon + 1;
	if (strcmp(eq + 1, "gd") == 0)
		t->kind = K_GD;
	else if (strcmp(eq + 1, "qga") == 0)
		t->kind = K_QGA;
	else
		die("unknown kind %s (gd or qga)", eq + 1);
}

/*
 * -t TYPE:STRING appends a TLV holding STRING to the request payload;
 * -u TYPE:N (as_u8) one holding the byte N.
 */
static void add_tlv(const char *spec, int as_u8)
{
	char *end;
	unsigned long type = strtoul(spec, &end, 10);
	uint8_t byte;
	const void *val = end + 1;
	size_t len;

	if (*end != ':' || type > 0xffff)
		die("bad TLV %s (TYPE:VALUE)", spec);
	len = strlen(end + 1);
	if (as_u8) {
		unsigned long v = strtoul(end + 1, &end, 10);

		if (*end || v > 0xff)
			die("bad u8 TLV %s", spec);
		byte = (uint8_t)v;
		val = &byte;
		len = 1;
	}
	if (req_payload_len + GD_TLV_HDR_LEN + len > GD_MAX_PAYLOAD)
		die("TLVs over %s bytes", "8192");
	gd_set_u16(req_payload + req_payload_len, (uint16_t)type);
	gd_set_u16(req_payload + req_payload_len + 2, (uint16_t)len);
	memcpy(req_payload + req_payload_len + GD_TLV_HDR_LEN, val, len);
	req_payload_len += GD_TLV_HDR_LEN + len;
}

/* Ping once on a fresh connection; 1 when answered within timeout_ms. */
static int try_ping(const struct target *t, int timeout_ms)
{
	struct conn *c = &conns[0];
	struct pollfd p;

	conn_open(c, t, 0);
	if (c->fd < 0)
		return 0;
	send_requests(c, 1);
	p = (struct pollfd){ .fd = c->fd, .events = POLLIN };
	while (!c->answered && poll(&p, 1, timeout_ms) > 0)
		read_answers(c);
	close(c->fd);
	return c->answered > 0;
}

/* SIGTERM pid and reap it; SIGKILL after PL_STOP_GRACE_MS. */
static void stop_child(pid_t pid, const char *name)
{
	struct timespec nap = { 0, 10000000 };
	int waited_ms, status;

	kill(pid, SIGTERM);
	for (waited_ms = 0; waited_ms < PL_STOP_GRACE_MS; waited_ms += 10) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		nanosleep(&nap, NULL);
	}
	fprintf(stderr, "pingload: %s still running %d ms after SIGTERM: "
		"killed\n", name, PL_STOP_GRACE_MS);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

static int run_start(struct target *t, char **argv, int timeout_ms,
		     const char *log)
{
	posix_spawn_file_actions_t fa;
	struct timespec nap = { 0, 20000 };
	uint64_t t0, deadline;
	pid_t pid;
	int status;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0644);
	posix_spawn_file_actions_adddup2(&fa, 1, 2);
	unlink(t->path);
	t0 = now_ns();
	deadline = t0 + (uint64_t)timeout_ms * 1000000u;
	if (posix_spawn(&pid, argv[0], &fa, NULL, argv, environ))
		die("cannot spawn %s", argv[0]);
	child = pid;
	while (!try_ping(t, timeout_ms)) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			child = 0;
			die("%s exited before serving", argv[0]);
		}
		if (now_ns() > deadline)
			die("%s did not serve in time", argv[0]);
		nanosleep(&nap, NULL);
	}
	printf("name=%s start_ns=%llu\n", t->name,
	       (unsigned long long)(now_ns() - t0));
	stop_child(pid, argv[0]);
	child = 0;
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: pingload rtt|pipe|conns [-n N] [-r ROUNDS] "
			"[-d DEPTH] [-c CONNS] [-o OP] [-t TYPE:STR]... [-u TYPE:U8]... "
			"NAME=KIND:PATH...\n"
			"       pingload start [-w MS] [-l LOG] NAME=KIND:PATH "
			"-- CMD ARGS...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static struct target targets[PL_MAX_TARGETS];
	const char *mode, *log = "/dev/null";
	uint64_t n = 20000, rounds = 1, depth = 64;
	int nconns = 16, ntargets = 0, opt, wait_ms = 10000;

	if (argc < 2)
		usage();
	mode = argv[1];
	optind = 2;
	while ((opt = getopt(argc, argv, "+n:r:d:c:o:t:u:w:l:")) != -1) {
		switch (opt) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'r': rounds = strtoull(optarg, NULL, 10); break;
		case 'd': depth = strtoull(optarg, NULL, 10); break;
		case 'c': nconns = atoi(optarg); break;
		case 'o': req_op = (uint16_t)strtoul(optarg, NULL, 10); break;
		case 't': add_tlv(optarg, 0); break;
		case 'u': add_tlv(optarg, 1); break;
		case 'w': wait_ms = atoi(optarg); break;
		case 'l': log = optarg; break;
		default: usage();
		}
	}
	if (rounds == 0 || depth == 0 || depth > PL_MAX_DEPTH ||
	    nconns < 1 || nconns > PL_MAX_CONNS)
		usage();
	for (; optind < argc && strcmp(argv[optind], "--"); optind++) {
		if (ntargets == PL_MAX_TARGETS)
			usage();
		parse_target(&targets[ntargets++], argv[optind]);
	}
	if (ntargets == 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	if (strcmp(mode, "start") == 0) {
		if (optind + 1 >= argc || ntargets != 1)
			usage();
		return run_start(&targets[0], argv + optind + 1, wait_ms, log);
	}
	for (int i = 0; i < ntargets; i++) {
		targets[i].samples = calloc(n > rounds ? n : rounds,
					    sizeof(uint64_t));
		if (!targets[i].samples)
			die("%s", "out of memory");
		if (strcmp(mode, "conns") == 0)
			continue;
		conn_open(&conns[i], &targets[i], 0);
		if (conns[i].fd < 0)
			die("connect %s failed", targets[i].path);
	}
	for (uint64_t r = 0; r < rounds; r++) {
		uint64_t part = n / rounds + (r < n % rounds);

		for (int i = 0; i < ntargets; i++) {
			if (strcmp(mode, "rtt") == 0)
				rtt_round(&targets[i], &conns[i], part);
			else if (strcmp(mode, "pipe") == 0)
				pipe_round(&targets[i], &conns[i], part, depth);
			else if (strcmp(mode, "conns") == 0)
				conns_round(&targets[i], part, nconns);
			else
				usage();
		}
	}
	for (int i = 0; i < ntargets; i++) {
		if (strcmp(mode, "conns"))
			close(conns[i].fd);
		if (strcmp(mode, "rtt") == 0)
			print_rtt(&targets[i]);
		else
			print_rate(&targets[i]);
	}
	return 0;
}
