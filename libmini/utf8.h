/* UTF-8 decoding for the JSON code: strict (no overlongs, no surrogates). */
#ifndef GD_UTF8_H
#define GD_UTF8_H

#include <stddef.h>

/*
 * Decode the sequence at s[0..n), n >= 1: its code point, or -1 when it is
 * not valid UTF-8. *used is the bytes it spans (at least 1), so a caller
 * can step over an invalid sequence the way QEMU does.
 */
long gd_utf8_next(const unsigned char *s, size_t n, size_t *used);

#endif
