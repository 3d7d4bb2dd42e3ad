/* The output queue (conn_out.h): every byte guestd sends leaves here. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "conn_out.h"
#include "sysinfo.h"
#include "time_svc.h"

/* The queue behind struct gd_outq's opaque bytes. */
struct outq {
	struct gd_buf buf;
	uint8_t mem[GD_OUT_CAP];
};

_Static_assert(sizeof(struct outq) <= sizeof(struct gd_outq),
	       "struct gd_outq too small for its queue");

static struct gd_buf *q(struct gd_conn *c)
{
	return &((struct outq *)(void *)c->out)->buf;
}

static const struct gd_buf *cq(const struct gd_conn *c)
{
	return &((const struct outq *)(const void *)c->out)->buf;
}

void gd_out_reset(struct gd_conn *c)
{
	struct outq *o = (struct outq *)(void *)c->out;

	gd_buf_init(&o->buf, o->mem, sizeof o->mem);
}

size_t gd_out_len(const struct gd_conn *c)
{
	return cq(c)->len;
}

size_t gd_out_room(const struct gd_conn *c)
{
	return gd_buf_room(cq(c));
}

const uint8_t *gd_out_data(const struct gd_conn *c)
{
	return cq(c)->data;
}

int gd_out_begin(struct gd_conn *c, struct gd_frame_writer *w,
		 const struct gd_hdr *h)
{
	if (gd_out_room(c) < GD_HDR_LEN + GD_MAC_LEN)
		return -1;
	return gd_frame_begin(w, q(c), h);
}

/*
 * Apart from gd_out_end so that its MAC array, and the stack protector's
 * check it brings, is paid only on an authenticated session.
 */
static __attribute__((noinline)) int
end_sealed(struct gd_auth_session *s, struct gd_frame_writer *w)
{
	uint8_t mac[GD_MAC_LEN];

	w->hdr.flags |= GD_F_MAC;
	gd_frame_end(w);
	if (gd_buf_room(w->out) < GD_MAC_LEN ||
	    gd_auth_seal(s, w->out->data + w->start, w->out->len - w->start,
			 mac)) {
		gd_frame_abort(w);
		return -1;
	}
	return gd_buf_put(w->out, mac, sizeof mac);
}

int gd_out_end(struct gd_conn *c, struct gd_frame_writer *w)
{
	if (w->out != q(c))
		return -1; /* not begun here: nothing is appended */
	if (c->sess.auth.state != GD_AUTH_ON)
		return gd_frame_end(w);
	return end_sealed(&c->sess.auth, w);
}

int gd_out_frame(struct gd_conn *c, const struct gd_hdr *h,
		 const uint8_t *payload, size_t len)
{
	struct gd_frame_writer w;

	if (len > GD_MAX_PAYLOAD ||
	    gd_out_room(c) < GD_HDR_LEN + len + GD_MAC_LEN ||
	    gd_out_begin(c, &w, h))
		return -1;
	if (gd_buf_put(w.out, payload, len)) {
		gd_frame_abort(&w);
		return -1;
	}
	return gd_out_end(c, &w);
}

void gd_out_line_begin(struct gd_conn *c, struct gd_buf *view, size_t max)
{
	struct gd_buf *b = q(c);
	size_t room = gd_buf_room(b);

	gd_buf_init(view, b->data + b->len, room < max ? room : max);
}

int gd_out_line_end(struct gd_conn *c, struct gd_buf *view)
{
	struct gd_buf *b = q(c);

	if (view->data != b->data + b->len || view->len > gd_buf_room(b) ||
	    gd_buf_put_u8(view, '\n'))
		return -1;
	b->len += view->len;
	return 0;
}

int gd_out_patch(struct gd_conn *c, size_t frame, size_t at,
		 const uint8_t *bytes, size_t n)
{
	struct gd_buf *b = q(c);
	const uint8_t *f = b->data + frame;

	if (frame + GD_HDR_LEN > b->len || at < frame + GD_HDR_LEN ||
	    at + n > b->len || f[0] != GD_MAGIC0 || f[1] != GD_MAGIC1 ||
	    (f[3] & GD_F_MAC) ||
	    at + n > frame + GD_HDR_LEN + gd_get_u16(f + 12))
		return -1;
	memcpy(b->data + at, bytes, n);
	return 0;
}

/*
 * read(2)/write(2) rather than recv/send so any stream fd works; SIGPIPE
 * is ignored process-wide, so a vanished peer is just EPIPE.
 */
int gd_out_flush(struct gd_conn *c)
{
	struct gd_buf *b = q(c);
	size_t before = b->len;

	while (b->len) {
		ssize_t n;

		if (c->sess.ops->out_write)
			c->sess.ops->out_write(c);
		n = write(c->fd, b->data, b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* The deadline runs while the peer reads nothing. */
			if (b->len < before || !c->sess.stalled_since)
				c->sess.stalled_since =
					gd_clock_ns(CLOCK_MONOTONIC);
			return 0;
		}
		if (n < 0)
			return -1;
		gd_buf_consume(b, (size_t)n);
		if (c->sess.ops->out_sent)
			c->sess.ops->out_sent(c, (size_t)n);
	}
	c->sess.stalled_since = 0;
	return 0;
}

static void put_str(struct gd_buf *b, const char *s)
{
	gd_buf_put(b, s, strlen(s));
}

void gd_out_notice(struct gd_agent *a, int fd, int qga, uint16_t status,
		   const char *msg)
{
	uint8_t frame[GD_HDR_LEN + 256];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION,
			    .flags = GD_F_RESPONSE, .status = status };

	gd_buf_init(&b, frame, sizeof frame);
	if (qga) { /* the same notice, in QGA's words */
		put_str(&b, "{\"error\": {\"class\": \"GenericError\", "
			"\"desc\": \"");
		put_str(&b, msg); /* guestd's own words: nothing to escape */
		put_str(&b, "\"}}\n");
	} else {
		gd_frame_begin(&w, &b, &h);
		gd_tlv_str(&w, GD_T_MESSAGE, msg);
		gd_frame_end(&w);
	}
	if (send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN && errno != EPIPE && errno != ECONNRESET)
		gd_logf(&a->log, GD_LOG_DEBUG, "notice not sent: %s",
			strerror(errno));
}
