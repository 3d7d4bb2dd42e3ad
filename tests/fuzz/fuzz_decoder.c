/*
 * libFuzzer target: the streaming frame decoder (libmini/decoder.c).
 *
 * The input is a byte stream. It is decoded twice, fed in as large pieces
 * as fit and fed one byte at a time; both must give the same events
 * (frames, refusals, and one report per garbage run between them), every
 * frame must be within the limits and self-consistent, and the bytes in
 * frames and refused headers must be the same and within the input. Any
 * difference aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "decoder.h"
#include "sandbox.h"

struct digest {
	uint64_t h;           /* FNV-1a over the normalized events */
	uint64_t events;
	int garbage;          /* a garbage report not yet folded in */
	uint64_t accounted;   /* bytes in frames and refused headers */
};

static struct gd_decoder dec;

static void mix(struct digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		d->h ^= b[i];
		d->h *= 0x100000001b3ull;
	}
}

static void mix_u64(struct digest *d, uint64_t v)
{
	mix(d, &v, sizeof v);
}

/*
 * A garbage run is reported once, but how many bytes it had when reported
 * depends on the split: only that a run was there counts.
 */
static void fold_garbage(struct digest *d)
{
	if (!d->garbage)
		return;
	mix_u64(d, 0x6a);
	d->events++;
	d->garbage = 0;
}

static void check_frame(const struct gd_frame *f)
{
	struct gd_hdr h;
	size_t mac = (f->hdr.flags & GD_F_MAC) ? GD_MAC_LEN : 0;

	if (f->hdr.length > GD_MAX_PAYLOAD || f->hdr.version != GD_PROTO_VERSION ||
	    (f->hdr.flags & ~GD_F_KNOWN) || f->payload != f->raw + GD_HDR_LEN ||
	    gd_hdr_unpack(f->raw, &h) || h.length != f->hdr.length ||
	    (mac ? f->mac != f->payload + f->hdr.length : f->mac != NULL) ||
	    f->raw < dec.buf ||
	    f->raw + GD_HDR_LEN + f->hdr.length + mac > dec.buf + sizeof dec.buf)
		abort();
}

static void record(struct digest *d, int r, const struct gd_frame *f)
{
	size_t mac = (f->hdr.flags & GD_F_MAC) ? GD_MAC_LEN : 0;

	if (r == GD_DEC_GARBAGE) {
		if (f->skipped == 0 || d->garbage)
			abort(); /* empty, or reported twice in a row */
		d->garbage = 1;
		return;
	}
	fold_garbage(d);
	d->events++;
	mix_u64(d, (uint64_t)r);
	mix(d, &f->hdr.op, sizeof f->hdr.op);
	mix(d, &f->hdr.id, sizeof f->hdr.id);
	mix(d, &f->hdr.flags, sizeof f->hdr.flags);
	mix(d, &f->hdr.length, sizeof f->hdr.length);
	if (r == GD_DEC_ERROR) {
		if (f->status == GD_S_OK)
			abort();
		mix(d, &f->status, sizeof f->status);
		d->accounted += GD_HDR_LEN;
		return;
	}
	check_frame(f);
	mix(d, f->payload, f->hdr.length + mac);
	d->accounted += GD_HDR_LEN + f->hdr.length + mac;
}

static void drain(struct digest *d)
{
	struct gd_frame f;
	int r;

	while ((r = gd_dec_next(&dec, &f)) != GD_DEC_NEED)
		record(d, r, &f);
}

/* Feed data in pieces of at most step bytes; returns the digest. */
static struct digest run(const uint8_t *data, size_t size, size_t step)
{
	struct digest d = { .h = 0xcbf29ce484222325ull };
	size_t off = 0;

	gd_dec_init(&dec);
	while (off < size) {
		size_t want = size - off < step ? size - off : step;
		size_t n = gd_dec_feed(&dec, data + off, want);

		if (n == 0)
			abort(); /* drained yet full: the decoder is stuck */
		off += n;
		drain(&d);
	}
	drain(&d);
	fold_garbage(&d);
	return d;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	gd_fuzz_sandbox(*argc, *argv);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest whole = run(data, size, sizeof dec.buf);
	struct digest bytewise = run(data, size, 1);

	if (whole.h != bytewise.h || whole.events != bytewise.events ||
	    whole.accounted != bytewise.accounted)
		abort();
	/* Garbage, refused payloads and a trailing partial frame are the rest. */
	if (whole.accounted > size)
		abort();
	return 0;
}
