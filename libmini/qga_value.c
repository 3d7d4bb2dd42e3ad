/* Reading values out of a checked QGA request, and QEMU's argument rules. */
#include "qga_req.h"

#include <stdio.h>
#include <string.h>

#include "jsonframe.h"

#define GD_QGA_NAME_MAX 64 /* longest member name compared */

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return ch - 'A' + 10;
}

static unsigned long hex4(const char *s)
{
	unsigned long v = 0;

	for (int i = 0; i < 4; i++)
		v = v << 4 | (unsigned long)hex_digit(s[i]);
	return v;
}

static size_t utf8_put(unsigned long cp, char *o)
{
	if (cp < 0x80)
		return o[0] = (char)cp, 1;
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at s[i] (i at the 'u'); a surrogate pair takes two escapes. */
static unsigned long unicode_escape(const char *s, size_t n, size_t *i)
{
	unsigned long cp = hex4(s + *i + 1);

	*i += 4;
	if (cp < 0xd800 || cp > 0xdfff)
		return cp;
	if (cp <= 0xdbff && *i + 6 < n && s[*i + 1] == '\\' &&
	    s[*i + 2] == 'u') {
		unsigned long lo = hex4(s + *i + 3);

		if (lo >= 0xdc00 && lo <= 0xdfff) {
			*i += 6;
			return 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
		}
	}
	return 0xfffd; /* a lone surrogate */
}

static unsigned long simple_escape(char ch)
{
	switch (ch) {
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	default: return (unsigned char)ch; /* " \ / */
	}
}

long gd_qga_get_str(const struct gd_qga_req *r, int i, char *out, size_t cap)
{
	const char *s;
	size_t n, o = 0;

	if (i < 0 || i >= r->ntok || r->tok[i].type != GD_QGA_STRING || cap == 0)
		return -1;
	s = r->js + r->tok[i].start;
	n = (size_t)(r->tok[i].end - r->tok[i].start);
	for (size_t k = 0; k < n; k++) {
		char tmp[4];
		unsigned long cp;
		size_t w;

		if (s[k] != '\\') {
			if (o + 1 >= cap)
				return -1;
			out[o++] = s[k];
			continue;
		}
		k++;
		cp = s[k] == 'u' ? unicode_escape(s, n, &k) : simple_escape(s[k]);
		w = utf8_put(cp, tmp);
		if (o + w >= cap)
			return -1;
		memcpy(out + o, tmp, w);
		o += w;
	}
	out[o] = '\0';
	return (long)o;
}

int gd_qga_str_eq(const struct gd_qga_req *r, int i, const char *name)
{
	char buf[GD_QGA_NAME_MAX + 1];
	long n = gd_qga_get_str(r, i, buf, sizeof buf);

	return n >= 0 && (size_t)n == strlen(name) && !memcmp(buf, name, (size_t)n);
}

int gd_qga_member(const struct gd_qga_req *r, int obj, const char *name)
{
	int k = obj + 1;

	if (obj < 0 || obj >= r->ntok || r->tok[obj].type != GD_QGA_OBJECT)
		return -1;
	for (int m = 0; m < r->tok[obj].size; m++, k = gd_qga_skip(r, k + 1))
		if (gd_qga_str_eq(r, k, name))
			return k + 1;
	return -1;
}

int gd_qga_get_int(const struct gd_qga_req *r, int i, int64_t *v)
{
	const char *s;
	size_t n, k;
	uint64_t mag = 0, limit;
	int neg;

	if (i < 0 || i >= r->ntok || r->tok[i].type != GD_QGA_PRIMITIVE)
		return -1;
	s = r->js + r->tok[i].start;
	n = (size_t)(r->tok[i].end - r->tok[i].start);
	if (n == 0)
		return -1;
	neg = s[0] == '-';
	k = (size_t)neg;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (k == n)
		return -1;
	for (; k < n; k++) {
		if (s[k] < '0' || s[k] > '9')
			return -1; /* a fraction, an exponent or a keyword */
		if (mag > (limit - (uint64_t)(s[k] - '0')) / 10)
			return -1;
		mag = mag * 10 + (uint64_t)(s[k] - '0');
	}
	*v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return 0;
}

/* Kept out of line: its buffer must not sit in every recursive frame. */
static __attribute__((noinline)) void
write_string(const struct gd_qga_req *r, int i, struct gd_json *j, int key)
{
	char buf[GD_JF_TEXT_MAX + 1];
	long n = gd_qga_get_str(r, i, buf, sizeof buf);

	if (n < 0)
		n = 0, buf[0] = '\0';
	if (key)
		gd_json_key(j, buf);
	else
		gd_json_strn(j, buf, (size_t)n);
}

static __attribute__((noinline)) void
write_primitive(const struct gd_qga_req *r, int i, struct gd_json *j)
{
	const struct gd_qga_tok *t = &r->tok[i];
	char raw[GD_JF_TEXT_MAX + 1];
	int64_t v;

	if (gd_qga_get_int(r, i, &v) == 0) {
		gd_json_i64(j, v);
		return;
	}
	snprintf(raw, sizeof raw, "%.*s", t->end - t->start, r->js + t->start);
	gd_json_raw(j, raw);
}

void gd_qga_write_value(const struct gd_qga_req *r, int i, struct gd_json *j)
{
	const struct gd_qga_tok *t = &r->tok[i];
	int k = i + 1;

	switch (t->type) {
	case GD_QGA_OBJECT:
		gd_json_obj_begin(j);
		for (int m = 0; m < t->size; m++, k = gd_qga_skip(r, k + 1)) {
			write_string(r, k, j, 1);
			gd_qga_write_value(r, k + 1, j);
		}
		gd_json_obj_end(j);
		break;
	case GD_QGA_ARRAY:
		gd_json_arr_begin(j);
		for (int m = 0; m < t->size; m++, k = gd_qga_skip(r, k))
			gd_qga_write_value(r, k, j);
		gd_json_arr_end(j);
		break;
	case GD_QGA_STRING:
		write_string(r, i, j, 0);
		break;
	default:
		write_primitive(r, i, j);
		break;
	}
}

int gd_qga_get_bool(const struct gd_qga_req *r, int i, int *v)
{
	const struct gd_qga_tok *t;

	if (i < 0 || i >= r->ntok || r->tok[i].type != GD_QGA_PRIMITIVE)
		return -1;
	t = &r->tok[i];
	if (t->end - t->start == 4 && !memcmp(r->js + t->start, "true", 4))
		return *v = 1, 0;
	if (t->end - t->start == 5 && !memcmp(r->js + t->start, "false", 5))
		return *v = 0, 0;
	return -1;
}

int gd_qga_arg(const struct gd_qga_req *r, const char *name)
{
	return gd_qga_member(r, r->arguments, name);
}

static int key_known(const struct gd_qga_req *r, int key,
		     const struct gd_qga_param *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (gd_qga_str_eq(r, key, p[i].name))
			return 1;
	return 0;
}

static int unexpected(struct gd_qga_req *r, const char *prefix, int key)
{
	char name[GD_JF_TEXT_MAX + 1];
	long n = gd_qga_get_str(r, key, name, sizeof name);

	snprintf(r->desc, sizeof r->desc, "Parameter '%s%.*s' is unexpected",
		 prefix, (int)(n < 0 ? 0 : n > 128 ? 128 : n), name);
	return -1;
}

static const char *const type_names[] = {
	[GD_QGA_P_INT] = "integer", [GD_QGA_P_STR] = "string",
	[GD_QGA_P_BOOL] = "boolean", [GD_QGA_P_STR_LIST] = "array",
	[GD_QGA_P_LIST] = "array", [GD_QGA_P_ANY] = "any",
};

static int type_ok(const struct gd_qga_req *r, int v, int type)
{
	int64_t i64;
	int b;

	switch (type) {
	case GD_QGA_P_INT:
		return gd_qga_get_int(r, v, &i64) == 0;
	case GD_QGA_P_STR:
		return r->tok[v].type == GD_QGA_STRING;
	case GD_QGA_P_BOOL:
		return gd_qga_get_bool(r, v, &b) == 0;
	case GD_QGA_P_STR_LIST:
	case GD_QGA_P_LIST:
		return r->tok[v].type == GD_QGA_ARRAY;
	default:
		return 1;
	}
}

/* Each element of a string list: 'arg[2]' names the first that is not. */
static int check_str_list(struct gd_qga_req *r, const char *prefix,
			  const struct gd_qga_param *p, int v)
{
	int k = v + 1;

	for (int m = 0; m < r->tok[v].size; m++, k = gd_qga_skip(r, k))
		if (r->tok[k].type != GD_QGA_STRING) {
			snprintf(r->desc, sizeof r->desc,
				 "Invalid parameter type for '%s%s[%d]', expected: string",
				 prefix, p->name, m);
			return -1;
		}
	return 0;
}

static int check_param(struct gd_qga_req *r, int obj, const char *prefix,
		       const struct gd_qga_param *p)
{
	int v = gd_qga_member(r, obj, p->name);

	if (v < 0) {
		if (p->optional)
			return 0;
		snprintf(r->desc, sizeof r->desc, "Parameter '%s%s' is missing",
			 prefix, p->name);
		return -1;
	}
	if (!type_ok(r, v, p->type)) {
		snprintf(r->desc, sizeof r->desc,
			 "Invalid parameter type for '%s%s', expected: %s", prefix,
			 p->name, type_names[p->type]);
		return -1;
	}
	return p->type == GD_QGA_P_STR_LIST ? check_str_list(r, prefix, p, v)
					    : 0;
}

/* The members of obj (-1: none) against p[n], names shown after prefix. */
static int check_object(struct gd_qga_req *r, int obj, const char *prefix,
			const struct gd_qga_param *p, size_t n)
{
	int k;

	for (size_t i = 0; i < n; i++)
		if (check_param(r, obj, prefix, &p[i]))
			return -1;
	if (obj < 0)
		return 0;
	k = obj + 1;
	for (int m = 0; m < r->tok[obj].size; m++, k = gd_qga_skip(r, k + 1))
		if (!key_known(r, k, p, n))
			return unexpected(r, prefix, k);
	return 0;
}

int gd_qga_check_args(struct gd_qga_req *r, const struct gd_qga_param *p,
		      size_t n)
{
	return check_object(r, r->arguments, "", p, n);
}

int gd_qga_check_list(struct gd_qga_req *r, int arr, const char *name,
		      const struct gd_qga_param *p, size_t n)
{
	char prefix[GD_QGA_DESC_MAX / 2];
	int k = arr + 1;

	for (int m = 0; m < r->tok[arr].size; m++, k = gd_qga_skip(r, k)) {
		snprintf(prefix, sizeof prefix, "%s[%d]", name, m);
		if (r->tok[k].type != GD_QGA_OBJECT) {
			snprintf(r->desc, sizeof r->desc,
				 "Invalid parameter type for '%s', expected: object",
				 prefix);
			return -1;
		}
		snprintf(prefix, sizeof prefix, "%s[%d].", name, m);
		if (check_object(r, k, prefix, p, n))
			return -1;
	}
	return 0;
}
