/*
 * /etc/passwd and /etc/shadow as text, without getpwnam (musl's allocates):
 * look a user up, and make a shadow file with one user's password hash
 * replaced, as `chpasswd -e` writes it. Pure functions on caller buffers.
 */
#ifndef GD_PWFILE_H
#define GD_PWFILE_H

#include <stddef.h>
#include <stdint.h>

#define GD_PW_HOME_MAX 1024 /* longest home directory taken from passwd */

struct gd_pw {
	uint32_t uid, gid;
	char home[GD_PW_HOME_MAX];
};

enum {
	GD_PW_NO_USER = -1, /* no line for that user */
	GD_PW_TOO_BIG = -2, /* the result would not fit (or home too long) */
	GD_PW_BAD_LINE = -3 /* the user's line lacks fields or has bad ids */
};

/* user's passwd line in text[len]: 0 with *pw set, or a GD_PW_* error. */
int gd_pw_find(const char *text, size_t len, const char *user,
	       struct gd_pw *pw);
/*
 * Copy shadow text[len] into out[cap] with user's hash replaced by hash
 * and its last-change day by days (since the epoch): the new length, or a
 * GD_PW_* error. Every other byte is kept.
 */
long gd_shadow_set(const char *text, size_t len, const char *user,
		   const char *hash, long days, char *out, size_t cap);
/*
 * 1 when s looks like a crypt(3) hash chpasswd -e may store: 13 DES
 * characters, or "$id$..." with id and the rest from crypt's alphabet
 * (A-Z a-z 0-9 . /) and the parameter marks $ = , - ; no ':' or space.
 */
int gd_crypt_ok(const char *s);

#endif
