/*
 * gd_hmac_sha256_3 (libmini/hmac.h) for guestctl.exe: Windows CNG
 * (bcrypt.dll), the system's own HMAC-SHA256, since Debian's BearSSL is
 * built for Linux only. tests/windows/test_compat.c checks it against
 * docs/auth.md's vectors.
 *
 * CNG can only fail here for want of memory. There is then no MAC, and no
 * safe value to put in its place: a fixed one (all zeros, say) is what a
 * forged frame would carry, and the agent's frames are checked against
 * this very function. So the process stops (abort) rather than go on.
 */
#include <windows.h>
#include <bcrypt.h>

#include <stdlib.h>

#include "hmac.h"

static NTSTATUS hash_part(BCRYPT_HASH_HANDLE h, const void *p, size_t n)
{
	return n ? BCryptHashData(h, (PUCHAR)p, (ULONG)n, 0) : 0;
}

void gd_hmac_sha256_3(const uint8_t *key, size_t keylen, const void *a,
		      size_t an, const void *b, size_t bn, const void *c,
		      size_t cn, uint8_t out[32])
{
	BCRYPT_ALG_HANDLE alg = NULL;
	BCRYPT_HASH_HANDLE h = NULL;
	NTSTATUS st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM,
						  NULL,
						  BCRYPT_ALG_HANDLE_HMAC_FLAG);

	if (BCRYPT_SUCCESS(st))
		st = BCryptCreateHash(alg, &h, NULL, 0, (PUCHAR)key,
				      (ULONG)keylen, 0);
	if (BCRYPT_SUCCESS(st))
		st = hash_part(h, a, an);
	if (BCRYPT_SUCCESS(st))
		st = hash_part(h, b, bn);
	if (BCRYPT_SUCCESS(st))
		st = hash_part(h, c, cn);
	if (BCRYPT_SUCCESS(st))
		st = BCryptFinishHash(h, out, 32, 0);
	if (h)
		BCryptDestroyHash(h);
	if (alg)
		BCryptCloseAlgorithmProvider(alg, 0);
	if (!BCRYPT_SUCCESS(st))
		abort();
}
