/*
 * JSON texts out of a byte stream, the way QEMU's guest agent reads its
 * channel: whitespace between texts is skipped, a text is a container or
 * a bare scalar, and a 0xFF byte (never valid UTF-8) drops whatever was
 * partly received so a client can resynchronise. Only bracket nesting
 * outside strings is tracked here; jsmn tokenizes the text (qga_req.h).
 * After a 0xFF, bytes are skipped up to the next bracket or control
 * character, as qemu does, so a token cut in two cannot start a new one.
 *
 * Bytes are read straight into the framer (gd_jf_space, gd_jf_commit);
 * gd_jf_next hands out one event at a time and the text it returns stays
 * valid until the next call. A text longer than GD_JF_TEXT_MAX bytes or
 * nested deeper than GD_JF_MAX_DEPTH is reported once and skipped to its
 * end, so the stream stays in step. Nothing allocates.
 */
#ifndef GD_JSONFRAME_H
#define GD_JSONFRAME_H

#include <stddef.h>
#include <stdint.h>

/*
 * Longest JSON text accepted, in bytes: room for guest-exec's 64 KiB of
 * input-data (87384 bytes of base64) or guest-file-write's 60 KiB with the
 * rest of the request, as Proxmox sends them. Only a connection that
 * receives a text that long touches the pages it takes.
 */
#define GD_JF_TEXT_MAX 98304
#define GD_JF_MAX_DEPTH 10  /* most brackets open at once in a text */
#define GD_JF_RESYNC_BYTE 0xff

enum gd_jf_result {
	GD_JF_NEED = 0,     /* no whole text buffered; read more */
	GD_JF_TEXT = 1,     /* *text, *len: one JSON text */
	GD_JF_RESYNC = 2,   /* a 0xFF byte: the partial text was dropped */
	GD_JF_TOO_BIG = 3,  /* a text over GD_JF_TEXT_MAX; the rest is skipped */
	GD_JF_TOO_DEEP = 4, /* nesting over GD_JF_MAX_DEPTH; the rest is skipped */
	GD_JF_STRAY = 5     /* '}', ']', ',' or ':' where no text was open */
};

/* The fields first: a short text then touches one page of it. */
struct gd_jf {
	size_t len;      /* bytes buffered; the current text starts at 0 */
	size_t scan;     /* bytes of the current text looked at */
	size_t consume;  /* length of the text handed out last */
	uint32_t depth;  /* brackets open in the current text */
	uint8_t state;   /* what the current text is (jsonframe.c) */
	uint8_t in_str;  /* inside a string */
	uint8_t esc;     /* after a backslash in a string */
	uint8_t skip;    /* over a limit: drop bytes until the text ends */
	char buf[GD_JF_TEXT_MAX];
};

void gd_jf_init(struct gd_jf *f);
/* Free space to read into (n bytes; 0 means call gd_jf_next first). */
char *gd_jf_space(struct gd_jf *f, size_t *n);
void gd_jf_commit(struct gd_jf *f, size_t n);
/* Next event; see enum gd_jf_result. */
int gd_jf_next(struct gd_jf *f, const char **text, size_t *len);
/* Nonzero while a text is partly received. */
int gd_jf_partial(const struct gd_jf *f);

#endif
