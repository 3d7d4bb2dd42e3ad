/* Base64 the way QEMU and glib read and write it (base64.h). */
#include "base64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Symbol value, 64 for '=', 65 for a newline, -1 for anything else. */
static int rank(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return c == '=' ? 64 : c == '\n' ? 65 : -1;
}

/* One pass: checks, counts, and writes when out is not NULL. */
static long decode(const char *in, size_t n, uint8_t *out)
{
	unsigned long v = 0;
	int got = 0;
	char last0 = 0, last1 = 0;
	long len = 0;

	for (size_t i = 0; i < n; i++) {
		int r = rank((unsigned char)in[i]);

		if (r < 0)
			return GD_B64_BAD_CHAR;
		if (r == 65)
			continue;
		last1 = last0;
		last0 = in[i];
		v = (v << 6 | (unsigned long)(r == 64 ? 0 : r)) & 0xffffff;
		if (++got < 4)
			continue;
		got = 0;
		if (out)
			out[len] = (uint8_t)(v >> 16);
		len++;
		if (last1 != '=') {
			if (out)
				out[len] = (uint8_t)(v >> 8);
			len++;
		}
		if (last0 != '=') {
			if (out)
				out[len] = (uint8_t)v;
			len++;
		}
	}
	return len;
}

long gd_b64_decoded_len(const char *in, size_t n)
{
	return decode(in, n, NULL);
}

long gd_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap)
{
	long len = decode(in, n, NULL);

	if (len < 0)
		return len;
	if ((size_t)len > cap)
		return GD_B64_TOO_BIG;
	return decode(in, n, out);
}

long gd_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	if (GD_B64_ENC_LEN(n) > cap)
		return -1;
	for (size_t i = 0; i < n; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16;

		if (i + 1 < n)
			v |= (unsigned long)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = alphabet[v >> 18 & 63];
		out[o++] = alphabet[v >> 12 & 63];
		out[o++] = i + 1 < n ? alphabet[v >> 6 & 63] : '=';
		out[o++] = i + 2 < n ? alphabet[v & 63] : '=';
	}
	return (long)o;
}
