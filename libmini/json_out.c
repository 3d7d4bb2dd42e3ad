#include "json_out.h"

#include <stdio.h>
#include <string.h>

void gd_json_init(struct gd_json *j, struct gd_buf *out)
{
	memset(j, 0, sizeof *j);
	j->out = out;
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
		put(j, ",", 1);
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

static void escaped(struct gd_json *j, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

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
	put(j, ":", 1);
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
