#include "decoder.h"

#include <string.h>

void gd_dec_init(struct gd_decoder *d)
{
	d->len = 0;
	d->skip = 0;
	d->garbage = 0;
	d->run_reported = 0;
	d->off = 0;
}

/*
 * Dropping only advances the start: the bytes left are moved to the front
 * once per read (gd_dec_space), not once per frame or skipped byte, which
 * made a burst of pipelined frames or of garbage cost quadratic copying.
 */
static void drop(struct gd_decoder *d, size_t n)
{
	if (n >= d->len) {
		d->len = 0;
		d->off = 0;
		return;
	}
	d->off += n;
	d->len -= n;
}

/* Drop what a refused frame still owes. */
static void settle(struct gd_decoder *d)
{
	size_t n;

	if (d->skip) {
		n = d->skip < d->len ? d->skip : d->len;
		drop(d, n);
		d->skip -= n;
	}
}

uint8_t *gd_dec_space(struct gd_decoder *d, size_t *n)
{
	settle(d);
	if (d->off) {
		memmove(d->buf, d->buf + d->off, d->len);
		d->off = 0;
	}
	*n = sizeof d->buf - d->len;
	return d->buf + d->len;
}

void gd_dec_commit(struct gd_decoder *d, size_t n)
{
	d->len += n;
}

size_t gd_dec_feed(struct gd_decoder *d, const void *p, size_t n)
{
	size_t room;
	uint8_t *dst = gd_dec_space(d, &room);

	if (n > room)
		n = room;
	memcpy(dst, p, n);
	gd_dec_commit(d, n);
	return n;
}

/* Skip to the first byte that may start a frame; count what was skipped. */
static void seek_magic(struct gd_decoder *d)
{
	const uint8_t *p = d->buf + d->off;
	size_t i = 0;

	while (i < d->len) {
		if (p[i] == GD_MAGIC0 &&
		    (i + 1 == d->len || p[i + 1] == GD_MAGIC1))
			break;
		i++;
	}
	d->garbage += i;
	drop(d, i);
}

static int refuse(struct gd_decoder *d, struct gd_frame *f, uint16_t status)
{
	f->status = status;
	d->skip = f->hdr.length;
	if (f->hdr.flags & GD_F_MAC)
		d->skip += GD_MAC_LEN;
	drop(d, GD_HDR_LEN);
	settle(d);
	return GD_DEC_ERROR;
}

static int report_garbage(struct gd_decoder *d, struct gd_frame *f)
{
	f->skipped = d->garbage;
	d->garbage = 0;
	d->run_reported = 1;
	return GD_DEC_GARBAGE;
}

int gd_dec_next(struct gd_decoder *d, struct gd_frame *f)
{
	size_t total;

	if (d->skip) {
		settle(d);
		if (d->skip)
			return GD_DEC_NEED; /* still inside a refused payload */
	}
	if (d->len == 0 && (!d->garbage || d->run_reported))
		return GD_DEC_NEED; /* the common end of a read: all answered */
	/*
	 * A header where the last frame ended is tried first: in a stream in
	 * step that is every frame, and no byte is searched for the magic.
	 * A first byte that does not start a valid header is garbage,
	 * whether or not it is a magic.
	 */
	for (;;) {
		if (d->len >= GD_HDR_LEN) {
			if (gd_hdr_unpack(d->buf + d->off, &f->hdr) == 0)
				break;
			d->garbage++;
			drop(d, 1);
		}
		seek_magic(d);
		if (d->len < GD_HDR_LEN) {
			/*
			 * Out of input inside a garbage run: report it now so a
			 * peer that sends only garbage hears why, but once per
			 * run however the bytes were split into reads.
			 */
			if (d->garbage && !d->run_reported)
				return report_garbage(d, f);
			return GD_DEC_NEED;
		}
	}
	if (d->garbage && !d->run_reported)
		return report_garbage(d, f);
	d->garbage = 0; /* a valid header ends the run */
	d->run_reported = 0;
	if (f->hdr.version != GD_PROTO_VERSION)
		return refuse(d, f, GD_S_BAD_VERSION);
	if (f->hdr.flags & ~GD_F_KNOWN)
		return refuse(d, f, GD_S_BAD_FLAGS);
	if (f->hdr.length > GD_MAX_PAYLOAD)
		return refuse(d, f, GD_S_TOO_BIG);
	total = GD_HDR_LEN + f->hdr.length;
	if (f->hdr.flags & GD_F_MAC)
		total += GD_MAC_LEN;
	if (d->len < total)
		return GD_DEC_NEED;
	f->raw = d->buf + d->off;
	f->payload = f->raw + GD_HDR_LEN;
	f->mac = (f->hdr.flags & GD_F_MAC) ? f->payload + f->hdr.length : NULL;
	f->status = GD_S_OK;
	/*
	 * Dropped as it is handed out: dropping only moves the start, so
	 * its bytes stay in place until the next gd_dec_space moves what
	 * follows to the front, which is after the caller is done with it.
	 */
	drop(d, total);
	return GD_DEC_FRAME;
}

int gd_dec_partial(const struct gd_decoder *d)
{
	return d->len > 0 || d->skip > 0;
}
