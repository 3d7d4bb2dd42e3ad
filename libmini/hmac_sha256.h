/*
 * HMAC-SHA256 of a || b || c under a GD_AUTH_KEY_LEN-byte key, the one
 * primitive auth.c builds on: BearSSL's br_hmac (hmac_sha256.c) wherever
 * BearSSL is, Windows' CNG (hmac_sha256_win.c) in guestctl.exe. Either
 * part may be empty (length 0).
 */
#ifndef GD_HMAC_SHA256_H
#define GD_HMAC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"

#define GD_HMAC_SHA256_LEN 32

void gd_hmac_sha256_3(const uint8_t key[GD_AUTH_KEY_LEN], const void *a,
		      size_t an, const void *b, size_t bn, const void *c,
		      size_t cn, uint8_t out[GD_HMAC_SHA256_LEN]);

#endif
