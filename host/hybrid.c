/* The hybrid vsock CONNECT/OK handshake (see hybrid.h). */
#include "hybrid.h"
#include "guestctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

void gc_hybrid_begin(struct gc_run *r)
{
	char line[32];
	int n = snprintf(line, sizeof line, "CONNECT %u\n", r->target->port);

	r->out.len = 0;
	gd_buf_put(&r->out, line, (size_t)n);
	r->hs_len = 0;
}

int gc_hybrid_check(const uint8_t *buf, size_t len, size_t *line_len)
{
	static const char ok[] = "OK ";
	uint64_t port = 0;
	size_t i;

	for (i = 0; i < len && i < 3; i++)
		if (buf[i] != (uint8_t)ok[i])
			return GC_HY_FAIL;
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++) {
		port = port * 10 + (uint64_t)(buf[i] - '0');
		if (i >= GC_HYBRID_REPLY_MAX - 1 || port > 0xffffffffull)
			return GC_HY_FAIL;
	}
	if (i == len)
		return len < GC_HYBRID_REPLY_MAX ? GC_HY_MORE : GC_HY_FAIL;
	if (buf[i] != '\n' || i == 3)
		return GC_HY_FAIL;
	*line_len = i + 1;
	return GC_HY_OK;
}

/* The relay's bytes, printable, into out[cap]: "ERR x\n" -> ERR x\n */
static void quote(const uint8_t *buf, size_t len, char *out, size_t cap)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < cap; i++) {
		uint8_t c = buf[i];

		if (c == '\n')
			o += (size_t)snprintf(out + o, cap - o, "\\n");
		else if (c == '\r')
			o += (size_t)snprintf(out + o, cap - o, "\\r");
		else if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static int refuse(struct gc_run *r, int *code)
{
	char said[GC_HANDSHAKE_MAX * 4 + 1];

	quote(r->hs_buf, r->hs_len, said, sizeof said);
	*code = GC_EXIT_PROTOCOL;
	snprintf(r->error, sizeof r->error,
		 "hybrid relay answered \"%.80s\" to CONNECT %u (want \"OK <port>\\n\")",
		 said, r->target->port);
	return GC_HY_FAIL;
}

/* Hand bytes that followed the OK line to the frame decoder. */
static void keep_rest(struct gc_run *r, size_t line_len)
{
	size_t room, rest = r->hs_len - line_len;
	uint8_t *dst = gd_dec_space(&r->dec, &room);

	if (rest > room)
		rest = room; /* cannot happen: an empty decoder holds a frame */
	memcpy(dst, r->hs_buf + line_len, rest);
	gd_dec_commit(&r->dec, rest);
}

int gc_hybrid_read(struct gc_run *r, int *code)
{
	size_t line_len = 0;
	ssize_t n = read(r->fd, r->hs_buf + r->hs_len,
			 sizeof r->hs_buf - r->hs_len);
	int res;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return GC_HY_MORE;
	if (n < 0) {
		*code = GC_EXIT_CONNECT;
		snprintf(r->error, sizeof r->error, "hybrid relay: %s",
			 strerror(errno));
		return GC_HY_FAIL;
	}
	if (n == 0 && r->hs_len == 0) {
		*code = GC_EXIT_CONNECT;
		snprintf(r->error, sizeof r->error,
			 "hybrid relay closed the connection after CONNECT %u "
			 "without answering (nothing listens on guest port %u?)",
			 r->target->port, r->target->port);
		return GC_HY_FAIL;
	}
	r->hs_len = (uint8_t)(r->hs_len + (size_t)n);
	res = gc_hybrid_check(r->hs_buf, r->hs_len, &line_len);
	if (res == GC_HY_OK) {
		keep_rest(r, line_len);
		return GC_HY_OK;
	}
	if (res == GC_HY_FAIL || n == 0)
		return refuse(r, code);
	return GC_HY_MORE;
}
