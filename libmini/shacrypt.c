/* SHA-512 crypt (shacrypt.h), after Ulrich Drepper's specification. */
#include "shacrypt.h"

#include <bearssl.h>
#include <string.h>

#define DIG 64 /* SHA-512 digest bytes */

static const char itoa64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* n bytes made of whole copies of d[DIG] and a part of one. */
static void add_repeated(br_sha512_context *c, const unsigned char *d,
			 size_t n)
{
	for (; n > DIG; n -= DIG)
		br_sha512_update(c, d, DIG);
	br_sha512_update(c, d, n);
}

/* Digest A of the specification (steps 1 to 12). */
static void digest_a(const char *key, size_t kl, const char *salt, size_t sl,
		     unsigned char *a)
{
	br_sha512_context c;
	unsigned char b[DIG];

	br_sha512_init(&c);
	br_sha512_update(&c, key, kl);
	br_sha512_update(&c, salt, sl);
	br_sha512_update(&c, key, kl);
	br_sha512_out(&c, b);
	br_sha512_init(&c);
	br_sha512_update(&c, key, kl);
	br_sha512_update(&c, salt, sl);
	add_repeated(&c, b, kl);
	for (size_t n = kl; n > 0; n >>= 1)
		if (n & 1)
			br_sha512_update(&c, b, DIG);
		else
			br_sha512_update(&c, key, kl);
	br_sha512_out(&c, a);
}

/* Digest of s[n] repeated times times (the P and S sequences' base). */
static void digest_repeat(const void *s, size_t n, size_t times,
			  unsigned char *out)
{
	br_sha512_context c;

	br_sha512_init(&c);
	while (times-- > 0)
		br_sha512_update(&c, s, n);
	br_sha512_out(&c, out);
}

static void rounds(unsigned char *a, const unsigned char *p, size_t kl,
		   const unsigned char *s, size_t sl)
{
	br_sha512_context c;

	for (unsigned i = 0; i < GD_SHACRYPT_ROUNDS; i++) {
		br_sha512_init(&c);
		if (i & 1)
			add_repeated(&c, p, kl);
		else
			br_sha512_update(&c, a, DIG);
		if (i % 3)
			br_sha512_update(&c, s, sl);
		if (i % 7)
			add_repeated(&c, p, kl);
		if (i & 1)
			br_sha512_update(&c, a, DIG);
		else
			add_repeated(&c, p, kl);
		br_sha512_out(&c, a);
	}
}

/* The hash's 86 characters: 21 groups of 3 bytes and a last one. */
static void encode(const unsigned char *a, char *o)
{
	for (int i = 0; i <= 21; i++) {
		unsigned idx[3] = { (unsigned)i, (unsigned)i + 21, (unsigned)i + 42 };
		unsigned r = (unsigned)i % 3, w, n = i < 21 ? 4 : 2;

		w = i < 21 ? (unsigned)a[idx[r]] << 16 |
				     (unsigned)a[idx[(r + 1) % 3]] << 8 |
				     a[idx[(r + 2) % 3]]
			   : a[63];
		for (unsigned k = 0; k < n; k++, w >>= 6)
			*o++ = itoa64[w & 63];
	}
}

long gd_sha512_crypt(const char *key, const char *salt, size_t salt_len,
		     char *out, size_t cap)
{
	unsigned char a[DIG], p[DIG], s[DIG];
	size_t kl = strlen(key), sl = salt_len < GD_SHACRYPT_SALT_MAX
					      ? salt_len : GD_SHACRYPT_SALT_MAX;

	if (cap < GD_SHACRYPT_LEN + 1)
		return -1;
	digest_a(key, kl, salt, sl, a);
	digest_repeat(key, kl, kl, p);
	digest_repeat(salt, sl, 16 + (size_t)a[0], s);
	rounds(a, p, kl, s, sl);
	memcpy(out, "$6$", 3);
	memcpy(out + 3, salt, sl);
	out[3 + sl] = '$';
	encode(a, out + 4 + sl);
	out[4 + sl + 86] = '\0';
	explicit_bzero(p, sizeof p);
	return (long)(4 + sl + 86);
}
