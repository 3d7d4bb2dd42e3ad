#include "jsonframe.h"

#include <string.h>

enum { ST_IDLE, ST_CONTAINER, ST_STRING, ST_SCALAR, ST_RECOVER };

/*
 * After a 0xFF, qemu's lexer skips to the next bracket or control
 * character before it reads tokens again, so the rest of a token cut by
 * the 0xFF (say the closing quote of a string) cannot start a new one.
 */
static int ends_recovery(unsigned char ch)
{
	return (ch < 0x20 && ch != '\t') || ch == 0xfe ||
	       (ch && strchr("{}[]", ch));
}

void gd_jf_init(struct gd_jf *f)
{
	memset(f, 0, offsetof(struct gd_jf, buf)); /* buf: only len bytes count */
}

/* Drop the first n buffered bytes. */
static void drop(struct gd_jf *f, size_t n)
{
	memmove(f->buf, f->buf + n, f->len - n);
	f->len -= n;
	f->scan = f->scan > n ? f->scan - n : 0;
}

static void end_text(struct gd_jf *f)
{
	f->state = ST_IDLE;
	f->depth = 0;
	f->in_str = f->esc = f->skip = 0;
}

char *gd_jf_space(struct gd_jf *f, size_t *n)
{
	if (f->consume) {
		drop(f, f->consume);
		f->consume = 0;
	}
	*n = sizeof f->buf - f->len;
	return f->buf + f->len;
}

void gd_jf_commit(struct gd_jf *f, size_t n)
{
	f->len += n;
}

int gd_jf_partial(const struct gd_jf *f)
{
	return f->state != ST_IDLE && f->state != ST_RECOVER;
}

static int is_ws(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* What ends a bare scalar (and is not part of it). */
static int ends_scalar(unsigned char ch)
{
	return is_ws(ch) || (ch && strchr("{}[],:\"", ch));
}

/* Track a string's end; returns 1 on its closing quote. */
static int string_byte(struct gd_jf *f, unsigned char ch)
{
	if (f->esc)
		f->esc = 0;
	else if (ch == '\\')
		f->esc = 1;
	else if (ch == '"')
		return f->in_str = 0, 1;
	return 0;
}

/* First byte of a text; -1 when the byte is stray, else 0. */
static int start_text(struct gd_jf *f, unsigned char ch)
{
	if (ch == '{' || ch == '[') {
		f->state = ST_CONTAINER;
		f->depth = 1;
	} else if (ch == '"') {
		f->state = ST_STRING;
		f->in_str = 1;
	} else if (ch && strchr("}],:", ch)) {
		return -1;
	} else {
		f->state = ST_SCALAR;
	}
	return 0;
}

/*
 * One byte inside a container. Returns 1 when it closes the text,
 * GD_JF_TOO_DEEP when it opens one bracket too many, else 0.
 */
static int container_byte(struct gd_jf *f, unsigned char ch)
{
	if (f->in_str) {
		string_byte(f, ch);
	} else if (ch == '"') {
		f->in_str = 1;
	} else if (ch == '{' || ch == '[') {
		if (f->depth < UINT32_MAX)
			f->depth++;
		if (f->depth == GD_JF_MAX_DEPTH + 1 && !f->skip)
			return GD_JF_TOO_DEEP;
	} else if (ch == '}' || ch == ']') {
		return --f->depth == 0;
	}
	return 0;
}

/* The text in buf[0, scan) is complete: hand it out, or drop it if skipped. */
static int finish(struct gd_jf *f, const char **text, size_t *len)
{
	int skipped = f->skip;

	end_text(f);
	if (skipped) {
		drop(f, f->scan);
		return GD_JF_NEED;
	}
	*text = f->buf;
	*len = f->scan;
	f->consume = f->scan;
	f->scan = 0;
	return GD_JF_TEXT;
}

/* Look at one more byte; a result other than GD_JF_NEED ends the scan. */
static int step(struct gd_jf *f, const char **text, size_t *len)
{
	unsigned char ch = (unsigned char)f->buf[f->scan];
	int r;

	if (ch == GD_JF_RESYNC_BYTE) {
		drop(f, f->scan + 1);
		end_text(f);
		f->state = ST_RECOVER;
		return GD_JF_RESYNC;
	}
	switch (f->state) {
	case ST_RECOVER:
		if (ends_recovery(ch))
			f->state = ST_IDLE;
		else
			drop(f, 1);
		return GD_JF_NEED;
	case ST_IDLE:
		if (is_ws(ch)) {
			drop(f, 1);
			return GD_JF_NEED;
		}
		if (start_text(f, ch)) {
			drop(f, 1);
			return GD_JF_STRAY;
		}
		f->scan++;
		return GD_JF_NEED;
	case ST_SCALAR:
		if (ends_scalar(ch))
			return finish(f, text, len);
		f->scan++;
		return GD_JF_NEED;
	case ST_STRING:
		f->scan++;
		return string_byte(f, ch) ? finish(f, text, len) : GD_JF_NEED;
	default:
		f->scan++;
		r = container_byte(f, ch);
		if (r == 1)
			return finish(f, text, len);
		if (r == GD_JF_TOO_DEEP)
			f->skip = 1;
		return r;
	}
}

int gd_jf_next(struct gd_jf *f, const char **text, size_t *len)
{
	if (f->consume) {
		drop(f, f->consume);
		f->consume = 0;
	}
	while (f->scan < f->len) {
		int r = step(f, text, len);

		if (f->skip) { /* what was looked at is not kept */
			drop(f, f->scan);
			f->scan = 0;
		}
		if (r != GD_JF_NEED)
			return r;
	}
	if (f->state != ST_IDLE && !f->skip && f->scan == sizeof f->buf) {
		f->skip = 1;
		drop(f, f->scan);
		return GD_JF_TOO_BIG;
	}
	return GD_JF_NEED;
}
