#include "json_out.h"
#include "utf8.h"

#include <stdio.h>
#include <string.h>

void gd_json_init(struct gd_json *j, struct gd_buf *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
}

void gd_json_init_qmp(struct gd_json *j, struct gd_buf *out)
{
	gd_json_init(j, out);
	j->qmp = 1;
}

static void put(struct gd_json *j, const void *p, size_t n)
{
	if (!j->failed && gd_buf_put(j->out, p, n))
		j->failed = 1;
}

static void puts_(struct gd_json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Comma before a value unless it follows a key or opens a container. */
static void value_prefix(struct gd_json *j)
{
	if (j->need_comma[j->depth] == 1)
		put(j, ", ", j->qmp ? 2 : 1);
	j->need_comma[j->depth] = 1;
}

static void open_(struct gd_json *j, const char *c)
{
	value_prefix(j);
	put(j, c, 1);
	if (j->depth >= GD_JSON_MAX_DEPTH) {
		j->failed = 1;
		return;
	}
	j->need_comma[++j->depth] = 0;
}

static void close_(struct gd_json *j, const char *c)
{
	if (j->depth > 0)
		j->depth--;
	put(j, c, 1);
}

void gd_json_obj_begin(struct gd_json *j) { open_(j, "{"); }
void gd_json_obj_end(struct gd_json *j) { close_(j, "}"); }
void gd_json_arr_begin(struct gd_json *j) { open_(j, "["); }
void gd_json_arr_end(struct gd_json *j) { close_(j, "]"); }

static void put_u16_escape(struct gd_json *j, unsigned v)
{
	char tmp[8];

	snprintf(tmp, sizeof tmp, "\\u%04X", v & 0xffffu);
	put(j, tmp, 6);
}

/* QEMU's quoting: printable ASCII as is, everything else escaped. */
static void escaped_qmp(struct gd_json *j, const char *s, size_t n)
{
	const uint8_t *u = (const uint8_t *)s;
	size_t used;

	put(j, "\"", 1);
	for (size_t i = 0; i < n; i += used) {
		uint32_t dec;
		long cp;
		const char *short_esc = NULL;

		used = gd_utf8_decode(u + i, n - i, &dec);
		cp = used ? (long)dec : -1;
		if (!used)
			used = 1; /* each byte of a bad sequence: one U+FFFD */

		switch (cp) {
		case '"': short_esc = "\\\""; break;
		case '\\': short_esc = "\\\\"; break;
		case '\b': short_esc = "\\b"; break;
		case '\f': short_esc = "\\f"; break;
		case '\n': short_esc = "\\n"; break;
		case '\r': short_esc = "\\r"; break;
		case '\t': short_esc = "\\t"; break;
		default: break;
		}
		if (short_esc) {
			put(j, short_esc, 2);
		} else if (cp < 0) {
			put_u16_escape(j, 0xfffd);
		} else if (cp > 0xffff) {
			put_u16_escape(j, 0xd800 + (unsigned)((cp - 0x10000) >> 10));
			put_u16_escape(j, 0xdc00 + (unsigned)((cp - 0x10000) & 0x3ff));
		} else if (cp < 0x20 || cp >= 0x7f) {
			put_u16_escape(j, (unsigned)cp);
		} else {
			put(j, &s[i], 1);
		}
	}
	put(j, "\"", 1);
}

static void escaped(struct gd_json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	if (j->qmp) {
		escaped_qmp(j, s, n);
		return;
	}
	put(j, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[6] = { '\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15] };

		if (ch == '"' || ch == '\\') {
			put(j, "\\", 1);
			put(j, &s[i], 1);
		} else if (ch == '\n') {
			put(j, "\\n", 2);
		} else if (ch == '\t') {
			put(j, "\\t", 2);
		} else if (ch == '\r') {
			put(j, "\\r", 2);
		} else if (ch < 0x20 || ch == 0x7f) {
			put(j, esc, sizeof esc);
		} else {
			put(j, &s[i], 1);
		}
	}
	put(j, "\"", 1);
}

void gd_json_key(struct gd_json *j, const char *name)
{
	value_prefix(j);
	escaped(j, name, strlen(name));
	put(j, ": ", j->qmp ? 2 : 1);
	j->need_comma[j->depth] = 2; /* the value that follows takes no comma */
}

void gd_json_strn(struct gd_json *j, const char *s, size_t n)
{
	value_prefix(j);
	escaped(j, s, n);
}

void gd_json_str(struct gd_json *j, const char *s)
{
	gd_json_strn(j, s, strlen(s));
}

void gd_json_u64(struct gd_json *j, uint64_t v)
{
	char tmp[24];

	value_prefix(j);
	snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)v);
	puts_(j, tmp);
}

void gd_json_i64(struct gd_json *j, int64_t v)
{
	char tmp[24];

	value_prefix(j);
	snprintf(tmp, sizeof tmp, "%lld", (long long)v);
	puts_(j, tmp);
}

void gd_json_f64(struct gd_json *j, double v)
{
	char tmp[32];

	value_prefix(j);
	snprintf(tmp, sizeof tmp, "%.17g", v);
	puts_(j, tmp);
}

void gd_json_bool(struct gd_json *j, int v)
{
	value_prefix(j);
	puts_(j, v ? "true" : "false");
}

void gd_json_null(struct gd_json *j)
{
	value_prefix(j);
	puts_(j, "null");
}

void gd_json_raw(struct gd_json *j, const char *text)
{
	value_prefix(j);
	puts_(j, text);
}

int gd_json_ok(const struct gd_json *j)
{
	return !j->failed;
}
