#include "utf8.h"

size_t gd_utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t len;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
		c &= 0x1f;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		c &= 0x0f;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		c &= 0x07;
		min = 0x10000;
	} else {
		return 0; /* continuation byte, 0xc0/0xc1, or 0xf5..0xff */
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int gd_utf8_valid(const uint8_t *s, size_t n)
{
	size_t off = 0;
	uint32_t cp;

	while (off < n) {
		size_t len = gd_utf8_decode(s + off, n - off, &cp);

		if (len == 0)
			return 0;
		off += len;
	}
	return 1;
}
