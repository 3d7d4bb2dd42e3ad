/*
 * Streaming frame decoder.
 *
 * Bytes go in in any split (gd_dec_feed, or gd_dec_space + gd_dec_commit
 * to read(2) straight into the decoder); whole frames come out of
 * gd_dec_next. The decoder owns a buffer of GD_MAX_FRAME bytes and never
 * allocates.
 *
 * Bytes that cannot start a frame (no magic, or a header whose CRC fails)
 * are skipped one at a time until the next valid header: that is the
 * resync a serial line needs. A run of skipped bytes is reported once,
 * as GD_DEC_GARBAGE just before the frame that ends it, however the run
 * was split across reads. A valid header with a bad version, unknown
 * flags or a length over GD_MAX_PAYLOAD yields GD_DEC_ERROR with the
 * status to answer; its payload is then skipped, so the stream stays in
 * step and the next frame decodes normally.
 */
#ifndef GD_DECODER_H
#define GD_DECODER_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

enum gd_dec_result {
	GD_DEC_NEED = 0,    /* no whole frame buffered; feed more */
	GD_DEC_FRAME = 1,   /* f->hdr, f->payload, f->mac valid until next call */
	GD_DEC_ERROR = 2,   /* f->hdr is the offending header, f->status why */
	GD_DEC_GARBAGE = 3  /* f->skipped bytes were discarded before the next frame */
};

struct gd_frame {
	struct gd_hdr hdr;
	const uint8_t *raw;     /* header + payload (what a MAC covers) */
	const uint8_t *payload; /* hdr.length bytes */
	const uint8_t *mac;     /* GD_MAC_LEN bytes when GD_F_MAC, else NULL */
	uint16_t status;        /* GD_DEC_ERROR: GD_S_* to answer with */
	size_t skipped;         /* GD_DEC_GARBAGE: bytes discarded */
};

/* The fields first: a small exchange then touches one page of it. */
struct gd_decoder {
	size_t len;         /* bytes buffered */
	size_t skip;        /* payload bytes of a refused frame still to drop */
	size_t garbage;     /* bytes skipped, not yet reported */
	int run_reported;   /* this garbage run was already reported */
	size_t off;         /* the len buffered bytes start at buf + off */
	uint8_t buf[GD_MAX_FRAME];
};

void gd_dec_init(struct gd_decoder *d);
/* Copy up to n bytes in; returns how many fit (call gd_dec_next to make room). */
size_t gd_dec_feed(struct gd_decoder *d, const void *p, size_t n);
/* Free space to read into, and how many bytes were written there. */
uint8_t *gd_dec_space(struct gd_decoder *d, size_t *n);
void gd_dec_commit(struct gd_decoder *d, size_t n);
/* Next event; see enum gd_dec_result. */
int gd_dec_next(struct gd_decoder *d, struct gd_frame *f);
/* Nonzero while a frame is partly received (for the whole-frame deadline). */
int gd_dec_partial(const struct gd_decoder *d);

#endif
