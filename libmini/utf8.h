/*
 * Strict UTF-8 decoding (RFC 3629): no overlong forms, no surrogates
 * (U+D800..U+DFFF), nothing above U+10FFFF, no truncated sequences.
 */
#ifndef GD_UTF8_H
#define GD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decode the code point starting at s[0] (n > 0 bytes available) into
 * *cp. Returns the sequence length (1..4), or 0 when the bytes there are
 * not well-formed UTF-8.
 */
size_t gd_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp);

/* 1 when s[0..n) is entirely well-formed UTF-8, else 0. */
int gd_utf8_valid(const uint8_t *s, size_t n);

#endif
