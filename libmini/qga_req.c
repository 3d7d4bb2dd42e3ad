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

static int is_number(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		if (++i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		if (++i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || s[i] < '0' || s[i] > '9')
			return 0;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return i == n;
}

static int check_literal(struct chk *c, const struct gd_qga_tok *t)
{
	const char *s = c->js + t->start;
	int n = t->end - t->start;

	if ((n == 4 && !memcmp(s, "true", 4)) ||
	    (n == 5 && !memcmp(s, "false", 5)) ||
	    (n == 4 && !memcmp(s, "null", 4)) || is_number(s, (size_t)n))
		return 0;
	if (n > GD_QGA_DESC_MAX / 2)
		n = GD_QGA_DESC_MAX / 2;
	if (s[0] >= 'a' && s[0] <= 'z')
		return failf(c, "JSON parse error, invalid keyword '%.*s'", n, s);
	return failf(c, "JSON parse error, stray '%.*s'", n, s);
}

static int is_hex(char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') ||
	       (ch >= 'A' && ch <= 'F');
}

/* Bytes QEMU's lexer refuses in a string: controls, bytes no UTF-8 has. */
static int bad_string_byte(unsigned char ch)
{
	return ch < 0x20 || ch == 0xc0 || ch == 0xc1 || ch >= 0xf5;
}

/* The string whose opening quote is at q, up to end (its closing quote). */
static int check_string(struct chk *c, size_t q, size_t end)
{
	for (size_t i = q + 1; i < end; i++) {
		if (bad_string_byte((unsigned char)c->js[i]))
			return stray(c, q, i);
		if (c->js[i] != '\\')
			continue;
		if (++i >= end || !c->js[i] || !strchr("\"\\/bfnrtu", c->js[i]))
			return failf(c, "JSON parse error, "
					"invalid escape sequence in string");
		if (c->js[i] != 'u')
			continue;
		for (int k = 0; k < 4; k++)
			if (i + 1 + (size_t)k >= end || !is_hex(c->js[i + 1 + k]))
				return failf(c, "JSON parse error, invalid hex "
						"escape sequence in string");
		i += 4;
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
				     : check_literal(c, t))
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
	size_t q = pos, from;

	if (err == JSMN_ERROR_NOMEM)
		return failf(c, "JSON token count limit exceeded");
	if (err == JSMN_ERROR_PART && nul) { /* jsmn stops at a NUL byte */
		from = (size_t)(nul - c->js);
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
