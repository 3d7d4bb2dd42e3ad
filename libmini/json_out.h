/*
 * Minimal JSON writer into a caller-owned gd_buf. Values are appended in
 * order; the writer inserts commas. Overflow is sticky: once a write does
 * not fit, every later call fails and gd_json_ok() returns 0.
 */
#ifndef GD_JSON_OUT_H
#define GD_JSON_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define GD_JSON_MAX_DEPTH 16 /* containers nested in one another */

struct gd_json {
	struct gd_buf *out;
	int depth;
	uint8_t need_comma[GD_JSON_MAX_DEPTH + 1]; /* [0] is the top level */
	int failed;
	int qmp; /* QEMU's style: see gd_json_init_qmp */
};

void gd_json_init(struct gd_json *j, struct gd_buf *out);
/*
 * Write the way QEMU's JSON writer does, byte for byte: ": " after a key,
 * ", " between values, and strings with every byte outside 0x20..0x7e
 * escaped (\uXXXX, upper-case hex; non-ASCII UTF-8 as its code point,
 * beyond the BMP as a surrogate pair; invalid UTF-8 as \uFFFD).
 */
void gd_json_init_qmp(struct gd_json *j, struct gd_buf *out);
void gd_json_obj_begin(struct gd_json *j);
void gd_json_obj_end(struct gd_json *j);
void gd_json_arr_begin(struct gd_json *j);
void gd_json_arr_end(struct gd_json *j);
/* Object member name; the next value call writes its value. */
void gd_json_key(struct gd_json *j, const char *name);
void gd_json_str(struct gd_json *j, const char *s);
void gd_json_strn(struct gd_json *j, const char *s, size_t n);
void gd_json_u64(struct gd_json *j, uint64_t v);
void gd_json_i64(struct gd_json *j, int64_t v);
/* A number as QEMU writes a double: printf's %.17g. */
void gd_json_f64(struct gd_json *j, double v);
void gd_json_bool(struct gd_json *j, int v);
void gd_json_null(struct gd_json *j);
/* Append raw, already valid JSON text as one value. */
void gd_json_raw(struct gd_json *j, const char *text);
int gd_json_ok(const struct gd_json *j);

#endif
