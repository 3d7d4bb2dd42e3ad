/*
 * QGA requests: one JSON text (from jsonframe.h) tokenized with jsmn into
 * a caller-owned token array, checked token by token (jsmn alone accepts
 * missing commas and colons), then its QMP envelope read: execute,
 * arguments, id. A refused request comes back with the desc text qemu-ga
 * 7.2 sends for the same input (its class is GenericError).
 *
 * Tokens index the text: a string token spans its contents without the
 * quotes, any other token spans its whole text. A container's size is its
 * number of members (objects) or elements (arrays); an object key is a
 * string token of size 1 whose value follows it.
 */
#ifndef GD_QGA_REQ_H
#define GD_QGA_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "json_out.h"

#define GD_QGA_MAX_TOKENS 256 /* most JSON tokens in one request */
#define GD_QGA_DESC_MAX 256   /* longest error desc text */

enum gd_qga_toktype {
	GD_QGA_OBJECT = 1,
	GD_QGA_ARRAY = 2,
	GD_QGA_STRING = 3,
	GD_QGA_PRIMITIVE = 4 /* number, true, false or null */
};

struct gd_qga_tok {
	int type; /* enum gd_qga_toktype */
	int start, end;
	int size;
};

struct gd_qga_req {
	const char *js;
	size_t len;
	const struct gd_qga_tok *tok;
	int ntok;
	int execute;   /* token of the command name, -1 if none */
	int arguments; /* token of the arguments object, -1 if none */
	int id;        /* token of the id member's value, -1 if none */
	char desc[GD_QGA_DESC_MAX];
};

/*
 * Tokenize and check js[len] into tok[cap]. 0 for a well-formed request;
 * -1 with r->desc set. r->id is set whenever the text is an object with
 * an id member, so a refusal can echo it as qemu-ga does.
 */
int gd_qga_parse(struct gd_qga_req *r, const char *js, size_t len,
		 struct gd_qga_tok *tok, int cap);

/* Token after the value at i and everything inside it. */
int gd_qga_skip(const struct gd_qga_req *r, int i);
/* Value of member name (raw key text) in object obj; -1 if absent. */
int gd_qga_member(const struct gd_qga_req *r, int obj, const char *name);
/* Nonzero when string token i holds exactly name (after unescaping). */
int gd_qga_str_eq(const struct gd_qga_req *r, int i, const char *name);
/*
 * String token i unescaped into out[cap] (NUL-terminated; \u0000 becomes
 * a NUL inside): its length, or -1 if i is not a string or does not fit.
 */
long gd_qga_get_str(const struct gd_qga_req *r, int i, char *out, size_t cap);
/* 0 with *v set when token i is a JSON integer within int64, else -1. */
int gd_qga_get_int(const struct gd_qga_req *r, int i, int64_t *v);
/* Write the value at i again, the way QEMU would (for echoing "id"). */
void gd_qga_write_value(const struct gd_qga_req *r, int i, struct gd_json *j);

/* 0 with *v set (0 or 1) when token i is true or false, else -1. */
int gd_qga_get_bool(const struct gd_qga_req *r, int i, int *v);
/* Value of argument name in r->arguments; -1 if absent. */
int gd_qga_arg(const struct gd_qga_req *r, const char *name);

/*
 * Command parameters, checked the way QEMU's input visitor does. A LIST's
 * elements and an ANY (a QAPI alternate) are the handler's to check.
 */
enum gd_qga_ptype {
	GD_QGA_P_INT,
	GD_QGA_P_STR,
	GD_QGA_P_BOOL,
	GD_QGA_P_STR_LIST, /* array of strings */
	GD_QGA_P_LIST,     /* array of anything */
	GD_QGA_P_ANY
};

struct gd_qga_param {
	const char *name;
	uint8_t type;     /* enum gd_qga_ptype */
	uint8_t optional;
};

/* Check r->arguments against p[n]: 0, or -1 with r->desc set. */
int gd_qga_check_args(struct gd_qga_req *r, const struct gd_qga_param *p,
		      size_t n);
/*
 * Check each element of the array at token arr as an object with the
 * members p[n]; errors name them as QEMU does ('vcpus[1].online').
 */
int gd_qga_check_list(struct gd_qga_req *r, int arr, const char *name,
		      const struct gd_qga_param *p, size_t n);

#endif
