/*
 * HMAC-SHA256 of the concatenation a || b || c under key[keylen], into
 * out[32]. One primitive with two backends: BearSSL (hmac_bearssl.c, the
 * Linux builds) and Windows CNG (host/hmac_win.c, guestctl.exe), so the
 * protocol code above it is the same everywhere. Intermediate state is
 * wiped before returning.
 */
#ifndef GD_HMAC_H
#define GD_HMAC_H

#include <stddef.h>
#include <stdint.h>

void gd_hmac_sha256_3(const uint8_t *key, size_t keylen, const void *a,
		      size_t an, const void *b, size_t bn, const void *c,
		      size_t cn, uint8_t out[32]);

#endif
