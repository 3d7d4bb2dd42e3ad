/*
 * Base64 (RFC 4648, with padding) for the QGA commands that carry bytes.
 * Decoding follows QEMU's qbase64_decode: only A-Z a-z 0-9 + / = and
 * newline are accepted; then glib's rule: every four symbols ('=' counts
 * as a zero) give three bytes, less one per '=' in the last two places,
 * and a short group at the end is dropped. Nothing allocates.
 */
#ifndef GD_BASE64_H
#define GD_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Encoded length of n bytes, padding included. */
#define GD_B64_ENC_LEN(n) ((((n) + 2) / 3) * 4)

enum {
	GD_B64_BAD_CHAR = -1, /* a byte outside the alphabet */
	GD_B64_TOO_BIG = -2   /* decodes to more than cap bytes */
};

/* Decode in[n] into out[cap]: the byte count, or a GD_B64_* error. */
long gd_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap);
/* Encode in[n] into out[cap]; the length, or -1 if cap is too small. */
long gd_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Bytes in[n] decodes to, or GD_B64_BAD_CHAR (no output written). */
long gd_b64_decoded_len(const char *in, size_t n);

#endif
