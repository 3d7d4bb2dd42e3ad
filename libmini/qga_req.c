/*
 * The one file that includes jsmn. jsmn finds tokens but lets through
 * missing or doubled commas and colons, bad literals and raw control
 * characters; check_value walks its tokens and the bytes between them
 * so every byte of the text is accounted for.
 */
#include "qga_req.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define JSMN_STATIC
#include <jsmn.h>

#include "jsonframe.h"
#include "utf8.h"

_Static_assert((int)GD_QGA_OBJECT == (int)JSMN_OBJECT &&
		       (int)GD_QGA_ARRAY == (int)JSMN_ARRAY &&
		       (int)GD_QGA_STRING == (int)JSMN_STRING &&
		       (int)GD_QGA_PRIMITIVE == (int)JSMN_PRIMITIVE,
	       "token types match jsmn's");

struct chk {
	const char *js;
	size_t len;
	const struct gd_qga_tok *t;
	int n;
	char *desc;
};

static int failf(struct chk *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int failf(struct chk *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->desc, GD_QGA_DESC_MAX, fmt, ap);
	va_end(ap);
	return -1;
}

/* qemu's lexer error: the token so far, up to the bad byte. */
static int stray(struct chk *c, size_t from, size_t bad)
{
	size_t n = bad - from + (c->js[bad] != '\0'); /* a NUL ends qemu's text */

	if (n > GD_QGA_DESC_MAX / 2)
		n = GD_QGA_DESC_MAX / 2;
	return failf(c, "JSON parse error, stray '%.*s'", (int)n, c->js + from);
}

static size_t skip_ws(const struct chk *c, size_t p)
{
	while (p < c->len && c->js[p] && strchr(" \t\r\n", c->js[p]))
		p++;
	return p;
}

static int at(const struct chk *c, size_t p, char ch)
{
	return p < c->len && c->js[p] == ch;
}

static int is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

static size_t digits(const char *s, size_t n, size_t i)
{
	while (i < n && is_digit(s[i]))
		i++;
	return i;
}

/*
 * How far s[0..n) reads as a JSON number: n with *ok set when it is one,
 * else the index of the byte qemu's lexer fails on (n when the number
 * stops short, so the byte after the token is the culprit).
 */
static size_t number_scan(const char *s, size_t n, int *ok)
{
	size_t i = s[0] == '-';

	*ok = 0;
	if (i >= n || !is_digit(s[i]))
		return i;
	i = s[i] == '0' ? i + 1 : digits(s, n, i);
	if (i < n && s[i] == '.') {
		if (++i >= n || !is_digit(s[i]))
			return i;
		i = digits(s, n, i);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i += (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-')) + 1;
		if (i >= n || !is_digit(s[i]))
			return i;
		i = digits(s, n, i);
	}
	*ok = i == n;
	return i;
}

static int is_keyword(const char *s, size_t n)
{
	return (n == 4 && !memcmp(s, "true", 4)) ||
	       (n == 5 && !memcmp(s, "false", 5)) ||
	       (n == 4 && !memcmp(s, "null", 4));
}

static int check_literal(struct chk *c, const struct gd_qga_tok *t,
			 const char *in)
{
	const char *s = c->js + t->start;
	size_t n = (size_t)(t->end - t->start), bad;
	int ok;

	if (s[0] >= 'a' && s[0] <= 'z') { /* qemu lexes [a-z]+ as a keyword */
		size_t run = 0;

		while (run < n && s[run] >= 'a' && s[run] <= 'z')
			run++;
		if (!is_keyword(s, run))
			return failf(c, "JSON parse error, invalid keyword '%.*s'",
				     (int)(run > 64 ? 64 : run), s);
		if (run == n)
			return 0;
		return failf(c, "JSON parse error, expected separator in %s",
			     in ? in : "dict");
	}
	bad = number_scan(s, n, &ok);
	if (ok)
		return 0;
	if ((size_t)t->start + bad >= c->len) /* no byte to blame: stop short */
		bad = c->len - (size_t)t->start - 1;
	return stray(c, (size_t)t->start, (size_t)t->start + bad);
}

static int is_hex(char ch)
{
	return is_digit(ch) || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* \uXXXX at s[i] (i at the backslash, before end): its value, or -1. */
static long hex_escape(const char *s, size_t end, size_t i)
{
	long v = 0;

	if (i + 1 >= end || s[i] != '\\' || s[i + 1] != 'u')
		return -1;
	for (size_t k = i + 2; k < i + 6; k++) {
		if (k >= end || !is_hex(s[k]))
			return -1;
		v = v * 16 + (is_digit(s[k]) ? s[k] - '0' : (s[k] | 0x20) - 'a' + 10);
	}
	return v;
}

/* qemu shows a bad \u escape as up to 6 bytes, closing quote included. */
static int bad_unicode(struct chk *c, size_t i, size_t end)
{
	size_t n = end + 1 - i;

	return failf(c, "JSON parse error, %.*s is not a valid Unicode character",
		     (int)(n < 6 ? n : 6), c->js + i);
}

/* The \u escape at i: *used is 6, or 12 for a surrogate pair. */
static int check_unicode(struct chk *c, size_t i, size_t end, size_t *used)
{
	long cp = hex_escape(c->js, end, i);

	*used = 6;
	if (cp < 0 || (cp >= 0xdc00 && cp <= 0xdfff))
		return bad_unicode(c, i, end);
	if (cp >= 0xd800 && cp <= 0xdbff) {
		long lo = hex_escape(c->js, end, i + 6);

		if (lo < 0xdc00 || lo > 0xdfff)
			return bad_unicode(c, i, end);
		*used = 12;
	}
	return 0;
}

/* The string whose opening quote is at q, up to end (its closing quote). */
static int check_string(struct chk *c, size_t q, size_t end)
{
	const uint8_t *u = (const uint8_t *)c->js;
	uint32_t cp;
	size_t used;

	for (size_t i = q + 1; i < end; i += used) {
		if (u[i] < 0x20) /* qemu's lexer refuses controls in strings */
			return stray(c, q, i);
		if (u[i] >= 0x80) {
			used = gd_utf8_decode(u + i, end - i, &cp);
			if (!used)
				return failf(c, "JSON parse error, "
						"invalid UTF-8 sequence in string");
			continue;
		}
		used = 1;
		if (u[i] != '\\')
			continue;
		if (i + 1 >= end || !u[i + 1] || !strchr("\"\\/bfnrtu", u[i + 1]))
			return failf(c, "JSON parse error, "
					"invalid escape sequence in string");
		used = 2;
		if (u[i + 1] == 'u' && check_unicode(c, i, end, &used))
			return -1;
	}
	return 0;
}

static int check_value(struct chk *c, int i, size_t *p, int depth,
		       const char *in);

/* Each token takes one slot and opens as many as its size. */
static int skip_tok(const struct gd_qga_tok *t, int n, int i)
{
	int pending = 1;

	while (pending > 0 && i < n) {
		pending += t[i].size - 1;
		i++;
	}
	return i;
}

int gd_qga_skip(const struct gd_qga_req *r, int i)
{
	return skip_tok(r->tok, r->ntok, i);
}

/* Compare two object keys by their raw text. */
static int same_key(const struct chk *c, int a, int b)
{
	const struct gd_qga_tok *x = &c->t[a], *y = &c->t[b];

	return x->end - x->start == y->end - y->start &&
	       !memcmp(c->js + x->start, c->js + y->start,
		       (size_t)(x->end - x->start));
}

/* After a member or element: ',' (or the close at the end) must follow. */
static int separator(struct chk *c, size_t *p, int last, size_t close,
		     const char *in)
{
	*p = skip_ws(c, *p);
	if (last && *p == close)
		return 0;
	if (!last && at(c, *p, ',')) {
		*p = skip_ws(c, *p + 1);
		return 0;
	}
	if (last && at(c, *p, ',') && skip_ws(c, *p + 1) == close)
		return failf(c, "JSON parse error, expecting value");
	return failf(c, "JSON parse error, expected separator in %s", in);
}

/* One "key": value member whose key is token j, read from *p. */
static int check_member(struct chk *c, int j, size_t *p, int depth,
			int first_key)
{
	const struct gd_qga_tok *key = &c->t[j];

	if (j >= c->n || key->type != GD_QGA_STRING ||
	    (size_t)key->start != *p + 1)
		return failf(c, at(c, *p, '}') ? "JSON parse error, expecting value"
				 : "JSON parse error, key is not a string in object");
	if (check_string(c, *p, (size_t)key->end))
		return -1;
	*p = skip_ws(c, (size_t)key->end + 1);
	if (!at(c, *p, ':'))
		return failf(c, "JSON parse error, missing : in object pair");
	(*p)++;
	if (key->size == 0)
		return failf(c, "JSON parse error, expecting value");
	for (int k = first_key; k < j; k = skip_tok(c->t, c->n, k + 1))
		if (same_key(c, k, j))
			return failf(c, "JSON parse error, duplicate key");
	return check_value(c, j + 1, p, depth, "dict");
}

static int check_container(struct chk *c, int i, size_t *p, int depth)
{
	const struct gd_qga_tok *t = &c->t[i];
	int obj = t->type == GD_QGA_OBJECT, j = i + 1;
	size_t close = (size_t)t->end - 1;
	const char *in = obj ? "dict" : "list";

	if (depth >= GD_JF_MAX_DEPTH)
		return failf(c, "JSON nesting depth limit exceeded");
	*p = skip_ws(c, *p + 1);
	for (int k = 0; k < t->size; k++) {
		j = obj ? check_member(c, j, p, depth + 1, i + 1)
			: check_value(c, j, p, depth + 1, in);
		if (j < 0 || separator(c, p, k + 1 == t->size, close, in))
			return -1;
	}
	if (*p != close)
		return failf(c, "JSON parse error, %s",
			     obj ? "key is not a string in object"
				 : "expecting value");
	*p = close + 1;
	return j;
}

/* The value that is token i, starting at or after *p; next token or -1. */
static int check_value(struct chk *c, int i, size_t *p, int depth,
		       const char *in)
{
	const struct gd_qga_tok *t = &c->t[i];

	*p = skip_ws(c, *p);
	if (i >= c->n ||
	    (size_t)t->start != *p + (t->type == GD_QGA_STRING))
		return failf(c, "JSON parse error, expecting value");
	if (t->type == GD_QGA_OBJECT || t->type == GD_QGA_ARRAY)
		return check_container(c, i, p, depth);
	if (t->type == GD_QGA_STRING ? check_string(c, *p, (size_t)t->end)
				     : check_literal(c, t, in))
		return -1;
	if (t->size != 0) /* a ':' made this scalar a key */
		return failf(c, "JSON parse error, expected separator in %s",
			     in ? in : "dict");
	*p = (size_t)t->end + (t->type == GD_QGA_STRING);
	return i + 1;
}

/* Why jsmn gave up at pos, in qemu-ga's words. */
static int jsmn_failure(struct chk *c, int err, size_t pos)
{
	const char *nul = memchr(c->js, '\0', c->len);
	size_t q = pos;

	if (err == JSMN_ERROR_NOMEM)
		return failf(c, "JSON token count limit exceeded");
	if (err == JSMN_ERROR_PART && nul) { /* jsmn stops at a NUL byte */
		size_t from = (size_t)(nul - c->js);

		if (pos < from && c->js[pos] == '"')
			return stray(c, pos, from);
		while (from > 0 && !strchr(" \t\r\n{}[],:\"", c->js[from - 1]))
			from--;
		return stray(c, from, (size_t)(nul - c->js));
	}
	if (err == JSMN_ERROR_INVAL && pos < c->len && c->js[pos] == '"') {
		while (++q < c->len && c->js[q] != '"')
			q += c->js[q] == '\\';
		if (check_string(c, pos, q < c->len ? q : c->len))
			return -1;
	}
	if (err == JSMN_ERROR_INVAL && pos < c->len && c->js[pos] &&
	    strchr("}]", c->js[pos]))
		return failf(c, "JSON parse error, expected separator in %s",
			     c->js[pos] == ']' ? "dict" : "list");
	if (err == JSMN_ERROR_INVAL)
		for (q = pos; q < c->len; q++)
			if ((unsigned char)c->js[q] < 0x20 ||
			    (unsigned char)c->js[q] >= 0x7f)
				return stray(c, pos, q);
	return failf(c, "JSON parse error, expecting value");
}

static int unexpected_member(struct gd_qga_req *r, int key)
{
	char name[GD_JF_TEXT_MAX + 1];
	long n = gd_qga_get_str(r, key, name, sizeof name);

	snprintf(r->desc, sizeof r->desc, "QMP input member '%.*s' is unexpected",
		 (int)(n < 0 ? 0 : n > 128 ? 128 : n), name);
	return -1;
}

/* The QMP envelope: execute, arguments, id; anything else is refused. */
static int envelope(struct gd_qga_req *r)
{
	const struct gd_qga_tok *t = r->tok;
	int k;

	if (t[0].type != GD_QGA_OBJECT)
		return snprintf(r->desc, sizeof r->desc,
				"QMP input must be a JSON object"), -1;
	r->id = gd_qga_member(r, 0, "id");
	k = 1;
	for (int m = 0; m < t[0].size; m++, k = gd_qga_skip(r, k + 1)) {
		int v = k + 1;

		if (gd_qga_str_eq(r, k, "execute")) {
			if (t[v].type != GD_QGA_STRING)
				return snprintf(r->desc, sizeof r->desc,
						"QMP input member 'execute' must be a string"), -1;
			r->execute = v;
		} else if (gd_qga_str_eq(r, k, "arguments")) {
			if (t[v].type != GD_QGA_OBJECT)
				return snprintf(r->desc, sizeof r->desc,
						"QMP input member 'arguments' must be an object"), -1;
			r->arguments = v;
		} else if (!gd_qga_str_eq(r, k, "id")) {
			return unexpected_member(r, k);
		}
	}
	if (r->execute < 0)
		return snprintf(r->desc, sizeof r->desc,
				"QMP input lacks member 'execute'"), -1;
	return 0;
}

int gd_qga_parse(struct gd_qga_req *r, const char *js, size_t len,
		 struct gd_qga_tok *tok, int cap)
{
	jsmntok_t jt[GD_QGA_MAX_TOKENS];
	struct chk c = { .js = js, .len = len, .t = tok, .desc = r->desc };
	jsmn_parser p;
	size_t pos = 0;
	int n;

	memset(r, 0, sizeof *r);
	r->js = js;
	r->len = len;
	r->tok = tok;
	r->execute = r->arguments = r->id = -1;
	if (cap > GD_QGA_MAX_TOKENS)
		cap = GD_QGA_MAX_TOKENS;
	jsmn_init(&p);
	n = jsmn_parse(&p, js, len, jt, cap < 0 ? 0 : (unsigned)cap);
	if (n < 0 || memchr(js, '\0', len))
		return jsmn_failure(&c, n < 0 ? n : JSMN_ERROR_PART, p.pos);
	for (int i = 0; i < n; i++)
		tok[i] = (struct gd_qga_tok){ jt[i].type, jt[i].start, jt[i].end,
					      jt[i].size };
	c.n = r->ntok = n;
	if (n == 0 || check_value(&c, 0, &pos, 0, NULL) != n)
		return n == 0 || !r->desc[0]
			       ? failf(&c, "JSON parse error, expecting value")
			       : -1;
	if (skip_ws(&c, pos) != len)
		return failf(&c, "JSON parse error, expecting value");
	return envelope(r);
}
