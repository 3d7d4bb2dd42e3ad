/*
 * Secrets from the system: the shared key file and random bytes.
 *
 * A key file must be a regular file owned by the caller's effective uid
 * or by root, with no group or other permission bits (chmod 600), holding
 * what gd_auth_key_parse accepts. Anything else is refused with the
 * reason in err, so a key others can read is never used.
 */
#ifndef GD_KEYFILE_H
#define GD_KEYFILE_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

/* 0, or -1 with the reason in err[errcap]. */
int gd_key_file_load(const char *path, uint8_t key[GD_AUTH_KEY_LEN],
		     char *err, size_t errcap);

/*
 * Write a new key as 64 hex digits and a newline to path, created 0600;
 * an existing path is never overwritten. 0, or -1 with the reason.
 */
int gd_key_file_create(const char *path, const uint8_t key[GD_AUTH_KEY_LEN],
		       char *err, size_t errcap);

/*
 * n bytes from getrandom(2) without blocking: 0, or -1 with errno (EAGAIN
 * while the kernel's pool is not initialised yet, early in boot). Never
 * a weaker source: a repeated agent nonce would let a recorded proof in.
 */
int gd_random(void *p, size_t n);

#endif
