/*
 * `guestd kv get|set|del|list|wait`: the guest's KV client, talking to the
 * running agent over the local socket. One request at a time, blocking
 * with poll() deadlines; exit codes as guestctl's (0 ok, 1 agent error,
 * 2 usage, 3 cannot connect, 4 timeout, 5 protocol error).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "decoder.h"
#include "kvtable.h"
#include "proto_kv.h"
#include "sysinfo.h"

#define CLI_TIMEOUT_MS 5000

enum { EX_OK, EX_AGENT, EX_USAGE, EX_CONNECT, EX_TIMEOUT, EX_PROTO };

struct cli {
	const char *sock, *cmd, *key, *want;
	size_t want_len;
	int pool, timeout_ms, keys_only, change;
	int fd;
	uint32_t next_id;
	uint64_t deadline; /* CLOCK_MONOTONIC ns, 0 = none */
	struct gd_decoder dec;
	struct gd_buf req;
	uint8_t reqbuf[GD_MAX_FRAME];
	uint8_t value[GD_KV_VALUE_MAX + 1]; /* set: from stdin */
};

static struct cli cli;

static const char usage_text[] =
	"usage: guestd kv [--socket PATH] COMMAND [ARGS]\n"
	"  get  [--pool P] KEY                 print KEY's value\n"
	"  set  [--pool P] KEY [VALUE]         store VALUE (or stdin)\n"
	"  del  [--pool P] KEY                 delete KEY\n"
	"  list [--pool P] [--keys]            KEY<TAB>VALUE lines (escaped)\n"
	"  wait [--pool P] [--change] [--timeout MS] KEY [VALUE]\n"
	"       until KEY exists (equal to VALUE), or with --change until it\n"
	"       next changes; then print its value\n"
	"pools: host, guest, auto. set and del write the guest pool (the only\n"
	"one guest processes may write); get, list and wait read the host pool\n"
	"unless --pool says otherwise. Socket: /run/guestd.sock.\n"
	"exit status: 0 ok, 1 agent error, 2 usage, 3 cannot connect,\n"
	"4 timeout, 5 protocol error\n";

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "guestd kv: %s%s%s\n%s", what, arg ? ": " : "",
		arg ? arg : "", usage_text);
	return EX_USAGE;
}

static int fail(int code, const char *fmt, const char *arg)
{
	fprintf(stderr, "guestd kv: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return code;
}

static int parse_pool(const char *s)
{
	static const char *const names[GD_KV_NPOOLS] = { "host", "guest", "auto" };

	for (int i = 0; i < GD_KV_NPOOLS; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

static int parse_ms(const char *s, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 0 || v > 86400000L)
		return -1;
	*ms = (int)v;
	return 0;
}

/* Flags may appear anywhere; the rest are COMMAND KEY [VALUE]. --help wins. */
static int parse_args(struct cli *c, int argc, char **argv)
{
	const char *pos[3] = { NULL, NULL, NULL };
	int npos = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		int has_next = i + 1 < argc;

		if (strcmp(a, "--pool") == 0 && has_next) {
			if ((c->pool = parse_pool(argv[++i])) < 0)
				return usage_error("unknown pool", argv[i]);
		} else if (strcmp(a, "--socket") == 0 && has_next) {
			c->sock = argv[++i];
		} else if (strcmp(a, "--timeout") == 0 && has_next) {
			if (parse_ms(argv[++i], &c->timeout_ms))
				return usage_error("bad --timeout", argv[i]);
		} else if (strcmp(a, "--keys") == 0) {
			c->keys_only = 1;
		} else if (strcmp(a, "--change") == 0) {
			c->change = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			c->cmd = "help";
			return EX_OK;
		} else if (a[0] == '-' && a[1] == '-') {
			return usage_error("unknown or incomplete flag", a);
		} else if (npos < 3) {
			pos[npos++] = a;
		} else {
			return usage_error("too many arguments", a);
		}
	}
	if (!pos[0])
		return usage_error("no command", NULL);
	c->cmd = pos[0];
	c->key = pos[1];
	c->want = pos[2];
	c->want_len = pos[2] ? strlen(pos[2]) : 0;
	return EX_OK;
}

static uint64_t now_ns(void)
{
	return gd_clock_ns(CLOCK_MONOTONIC);
}

static void arm(struct cli *c, int ms)
{
	c->deadline = ms ? now_ns() + (uint64_t)ms * 1000000u : 0;
}

/* Wait for events until the deadline: 1 ready, 0 timed out, -1 error. */
static int wait_fd(struct cli *c, short events)
{
	for (;;) {
		struct pollfd p = { .fd = c->fd, .events = events };
		int ms = -1, r;

		if (c->deadline) {
			uint64_t t = now_ns();

			if (t >= c->deadline)
				return 0;
			ms = (int)((c->deadline - t + 999999) / 1000000);
		}
		r = poll(&p, 1, ms);
		if (r < 0 && errno == EINTR)
			continue;
		return r;
	}
}

static int connect_agent(struct cli *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval wait = { .tv_sec = CLI_TIMEOUT_MS / 1000,
				.tv_usec = CLI_TIMEOUT_MS % 1000 * 1000 };

	if (strlen(c->sock) >= sizeof sa.sun_path)
		return fail(EX_USAGE, "socket path too long: %s", c->sock);
	memcpy(sa.sun_path, c->sock, strlen(c->sock) + 1);
	/*
	 * A blocking connect: with the agent's listen backlog full (another
	 * local user flooding it), the kernel queues this connect until
	 * there is room, where a non-blocking one only gets EAGAIN and would
	 * have to race the flood. SO_SNDTIMEO bounds the wait.
	 */
	c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return fail(EX_CONNECT, "socket: %s", strerror(errno));
	arm(c, CLI_TIMEOUT_MS);
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &wait, sizeof wait))
		return fail(EX_CONNECT, "socket: %s", strerror(errno));
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa)) {
		if (errno == EAGAIN || errno == EINPROGRESS)
			return fail(EX_TIMEOUT, "timed out connecting to %s "
				    "(its listen backlog stayed full)", c->sock);
		fprintf(stderr, "guestd kv: cannot reach the agent at %s: %s\n",
			c->sock, strerror(errno));
		return EX_CONNECT;
	}
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK))
		return fail(EX_CONNECT, "socket: %s", strerror(errno));
	return EX_OK;
}

/* Start a request frame in c->req. */
static struct gd_frame_writer *begin(struct cli *c, struct gd_frame_writer *w,
				     uint16_t op)
{
	struct gd_hdr h = { .version = GD_PROTO_VERSION, .op = op,
			    .id = ++c->next_id };

	gd_buf_init(&c->req, c->reqbuf, sizeof c->reqbuf);
	gd_frame_begin(w, &c->req, &h);
	gd_tlv_u8(w, GD_T_KV_POOL, (uint8_t)c->pool);
	return w;
}

/* Send c->req; a send error is left for the read to explain (a refusal). */
static int send_req(struct cli *c)
{
	size_t off = 0;

	while (off < c->req.len) {
		ssize_t n = send(c->fd, c->req.data + off, c->req.len - off,
				 MSG_NOSIGNAL);

		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && errno == EAGAIN) {
			if (wait_fd(c, POLLOUT) <= 0)
				return fail(EX_TIMEOUT, "%s", "timed out sending");
		} else if (!(n < 0 && errno == EINTR)) {
			return EX_OK; /* EPIPE: the agent may have said why */
		}
	}
	return EX_OK;
}

/* Next frame: a response to id (or id 0), or an event when want_events. */
static int recv_frame(struct cli *c, uint32_t id, int want_events,
		      struct gd_frame *f)
{
	for (;;) {
		int r = gd_dec_next(&c->dec, f);
		size_t room;
		uint8_t *dst;
		ssize_t n;

		if (r == GD_DEC_FRAME) {
			int resp = (f->hdr.flags & GD_F_RESPONSE) &&
				   (f->hdr.id == id || f->hdr.id == 0);

			if (resp || (want_events && (f->hdr.flags & GD_F_EVENT)))
				return EX_OK;
			continue;
		}
		if (r != GD_DEC_NEED)
			return fail(EX_PROTO, "%s", "malformed frame from the agent");
		r = wait_fd(c, POLLIN);
		if (r == 0)
			return fail(EX_TIMEOUT, "%s", "timed out waiting for the agent");
		dst = gd_dec_space(&c->dec, &room);
		n = r < 0 ? -1 : read(c->fd, dst, room);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			return fail(EX_PROTO, "%s", n == 0
				    ? "the agent closed the connection"
				    : strerror(errno));
		gd_dec_commit(&c->dec, (size_t)n);
	}
}

static int agent_error(const struct gd_frame *f)
{
	struct gd_tlv_view tv;
	int len = 0;
	const char *msg = "";

	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_MESSAGE, &tv) == 0) {
		msg = (const char *)tv.val;
		len = tv.len;
	}
	fprintf(stderr, "guestd kv: %s%s%.*s\n", gd_status_name(f->hdr.status),
		len ? ": " : "", len, msg);
	return EX_AGENT;
}

/* Send c->req and wait for its answer; EX_AGENT is reported here. */
static int call(struct cli *c, struct gd_frame_writer *w, struct gd_frame *f)
{
	int r;

	gd_frame_end(w);
	arm(c, c->timeout_ms ? c->timeout_ms : CLI_TIMEOUT_MS);
	r = send_req(c);
	if (r == EX_OK)
		r = recv_frame(c, w->hdr.id, 0, f);
	if (r == EX_OK && f->hdr.status != GD_S_OK)
		r = agent_error(f);
	return r;
}

static void print_value(const struct gd_frame *f)
{
	struct gd_tlv_view tv;

	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_VALUE, &tv) == 0)
		fwrite(tv.val, 1, tv.len, stdout);
	fputc('\n', stdout);
}

static int need_key(const struct cli *c)
{
	if (!c->key)
		return usage_error("KEY is required", NULL);
	return EX_OK;
}

static int cmd_get(struct cli *c)
{
	struct gd_frame_writer w;
	struct gd_frame f;
	int r = need_key(c);

	if (r)
		return r;
	begin(c, &w, GD_OP_KV_GET);
	gd_tlv_str(&w, GD_T_KV_KEY, c->key);
	r = call(c, &w, &f);
	if (r == EX_OK)
		print_value(&f);
	return r;
}

/* VALUE from the command line, or at most GD_KV_VALUE_MAX + 1 bytes of stdin. */
static int value_arg(struct cli *c, const void **v, size_t *n)
{
	size_t len = 0;

	if (c->want) {
		*v = c->want;
		*n = c->want_len;
		return EX_OK;
	}
	while (len < sizeof c->value) {
		ssize_t got = read(STDIN_FILENO, c->value + len,
				   sizeof c->value - len);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return fail(EX_USAGE, "reading stdin: %s", strerror(errno));
		if (got == 0)
			break;
		len += (size_t)got;
	}
	*v = c->value;
	*n = len; /* one byte over the limit lets the agent say TOO_BIG */
	return EX_OK;
}

static int cmd_set(struct cli *c)
{
	struct gd_frame_writer w;
	struct gd_frame f;
	const void *v = NULL;
	size_t n = 0;
	int r = need_key(c);

	if (r || (r = value_arg(c, &v, &n)))
		return r;
	begin(c, &w, GD_OP_KV_SET);
	if (gd_tlv_str(&w, GD_T_KV_KEY, c->key) ||
	    gd_tlv_bytes(&w, GD_T_KV_VALUE, v, n))
		return fail(EX_USAGE, "%s", "key and value do not fit a frame");
	return call(c, &w, &f);
}

static int cmd_del(struct cli *c)
{
	struct gd_frame_writer w;
	struct gd_frame f;
	int r = need_key(c);

	if (r)
		return r;
	begin(c, &w, GD_OP_KV_DEL);
	gd_tlv_str(&w, GD_T_KV_KEY, c->key);
	return call(c, &w, &f);
}

/* Values may hold any byte: escape what would break a line. */
static void print_escaped(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t ch = p[i];

		if (ch == '\\')
			fputs("\\\\", stdout);
		else if (ch == '\n')
			fputs("\\n", stdout);
		else if (ch == '\t')
			fputs("\\t", stdout);
		else if (ch < 0x20 || ch == 0x7f)
			printf("\\x%02x", ch);
		else
			fputc(ch, stdout);
	}
}

/* Print one page; *more set when the answer carries a CURSOR. */
static void print_page(const struct gd_frame *f, uint32_t *cursor, int *more)
{
	struct gd_tlv_view tv;
	size_t off = 0;
	int open = 0;

	*more = 0;
	while (gd_tlv_next(f->payload, f->hdr.length, &off, &tv) == 1) {
		if (tv.type == GD_T_KV_KEY) {
			if (open)
				fputc('\n', stdout);
			fwrite(tv.val, 1, tv.len, stdout);
			open = 1;
		} else if (tv.type == GD_T_KV_VALUE) {
			fputc('\t', stdout);
			print_escaped(tv.val, tv.len);
		} else if (tv.type == GD_T_KV_CURSOR &&
			   gd_tlv_get_u32(&tv, cursor) == 0) {
			*more = 1;
		}
	}
	if (open)
		fputc('\n', stdout);
}

static int cmd_list(struct cli *c)
{
	struct gd_frame_writer w;
	struct gd_frame f;
	uint32_t cursor = 0;
	int more = 1, r = EX_OK;

	while (more && r == EX_OK) {
		begin(c, &w, GD_OP_KV_LIST);
		gd_tlv_u32(&w, GD_T_KV_CURSOR, cursor);
		if (c->keys_only)
			gd_tlv_u8(&w, GD_T_KV_KEYS_ONLY, 1);
		r = call(c, &w, &f);
		if (r == EX_OK)
			print_page(&f, &cursor, &more);
	}
	return r;
}

/* GET for wait: 1 when KEY holds what we wait for (printed), 0 not yet. */
static int wait_check(struct cli *c, int *done)
{
	struct gd_frame_writer w;
	struct gd_frame f;
	struct gd_tlv_view tv;
	uint64_t deadline = c->deadline;
	int r;

	begin(c, &w, GD_OP_KV_GET);
	gd_tlv_str(&w, GD_T_KV_KEY, c->key);
	gd_frame_end(&w);
	r = send_req(c);
	if (r == EX_OK)
		r = recv_frame(c, w.hdr.id, 0, &f);
	c->deadline = deadline;
	*done = 0;
	if (r != EX_OK || f.hdr.status == GD_S_NOT_FOUND)
		return r;
	if (f.hdr.status != GD_S_OK)
		return agent_error(&f);
	if (gd_tlv_find(f.payload, f.hdr.length, GD_T_KV_VALUE, &tv))
		return fail(EX_PROTO, "%s", "GET answer without a value");
	if (!c->change && c->want &&
	    (tv.len != c->want_len || memcmp(tv.val, c->want, tv.len)))
		return EX_OK;
	print_value(&f);
	*done = 1;
	return EX_OK;
}

/* Is this event about our key (or an overflow that may hide it)? */
static int event_concerns(const struct cli *c, const struct gd_frame *f,
			  uint8_t *change)
{
	struct gd_tlv_view tv;
	uint8_t pool;

	if (f->hdr.op != GD_EV_KV_CHANGED ||
	    gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_CHANGE, &tv) ||
	    gd_tlv_get_u8(&tv, change))
		return 0;
	if (*change == GD_KV_CHANGE_OVERFLOW)
		return 1;
	if (gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_POOL, &tv) ||
	    gd_tlv_get_u8(&tv, &pool) || pool != c->pool ||
	    gd_tlv_find(f->payload, f->hdr.length, GD_T_KV_KEY, &tv))
		return 0;
	return tv.len == strlen(c->key) && memcmp(tv.val, c->key, tv.len) == 0;
}

static int cmd_wait(struct cli *c)
{
	struct gd_frame_writer w;
	struct gd_frame f;
	int r = need_key(c), done = 0;

	if (r)
		return r;
	begin(c, &w, GD_OP_KV_WATCH); /* watch first: no change slips between */
	r = call(c, &w, &f);
	arm(c, c->timeout_ms);
	if (r == EX_OK && !c->change)
		r = wait_check(c, &done);
	while (r == EX_OK && !done) {
		uint8_t change;

		r = recv_frame(c, 0xffffffffu, 1, &f);
		if (r == EX_TIMEOUT)
			return fail(EX_TIMEOUT, "timed out waiting for %s", c->key);
		if (r != EX_OK || !(f.hdr.flags & GD_F_EVENT) ||
		    !event_concerns(c, &f, &change))
			continue;
		if (c->change && change == GD_KV_CHANGE_DEL)
			return fail(EX_AGENT, "%s was deleted", c->key);
		r = wait_check(c, &done);
	}
	return r;
}

int gd_kv_cli(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(struct cli *c);
		int writes;
	} cmds[] = {
		{ "get", cmd_get, 0 }, { "set", cmd_set, 1 },
		{ "del", cmd_del, 1 }, { "list", cmd_list, 0 },
		{ "wait", cmd_wait, 0 },
	};
	struct cli *c = &cli;
	int r;

	c->sock = GD_DEFAULT_LOCAL_SOCK;
	c->pool = -1;
	c->fd = -1;
	c->timeout_ms = -1;
	gd_dec_init(&c->dec);
	if ((r = parse_args(c, argc, argv)))
		return r;
	if (strcmp(c->cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return EX_OK;
	}
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
		if (strcmp(cmds[i].name, c->cmd) != 0)
			continue;
		if (c->pool < 0)
			c->pool = cmds[i].writes ? GD_KV_POOL_GUEST : GD_KV_POOL_HOST;
		if (c->timeout_ms < 0)
			c->timeout_ms = cmds[i].fn == cmd_wait ? 0 : CLI_TIMEOUT_MS;
		r = connect_agent(c);
		if (r == EX_OK)
			r = cmds[i].fn(c);
		if (c->fd >= 0)
			close(c->fd);
		fflush(stdout);
		return r;
	}
	return usage_error("unknown command", c->cmd);
}
