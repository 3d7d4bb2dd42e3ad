/*
 * gd_hmac_sha256_3 with Windows' CNG (bcrypt.dll), for guestctl.exe: no
 * BearSSL build for mingw-w64 exists in Debian, and CNG's HMAC-SHA256 is
 * in every Windows this build runs on. tests/windows/test_compat.c checks
 * it against docs/auth.md's vectors.
 *
 * CNG can only fail here for want of memory. There is then no MAC, and no
 * safe value to put in its place (a fixed one could match a forged
 * frame), so the process stops (abort) rather than go on.
 */
#include "hmac_sha256.h"

#include <windows.h>
#include <bcrypt.h>

#include <stdlib.h>

static NTSTATUS hash_part(BCRYPT_HASH_HANDLE h, const void *p, size_t n)
{
	return n ? BCryptHashData(h, (PUCHAR)p, (ULONG)n, 0) : 0;
}

void gd_hmac_sha256_3(const uint8_t key[GD_AUTH_KEY_LEN], const void *a,
		      size_t an, const void *b, size_t bn, const void *c,
		      size_t cn, uint8_t out[GD_HMAC_SHA256_LEN])
{
	BCRYPT_ALG_HANDLE alg = NULL;
	BCRYPT_HASH_HANDLE h = NULL;
	NTSTATUS st = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM,
						  NULL,
						  BCRYPT_ALG_HANDLE_HMAC_FLAG);

	if (BCRYPT_SUCCESS(st))
		st = BCryptCreateHash(alg, &h, NULL, 0, (PUCHAR)key,
				      GD_AUTH_KEY_LEN, 0);
	if (BCRYPT_SUCCESS(st))
		st = hash_part(h, a, an);
	if (BCRYPT_SUCCESS(st))
		st = hash_part(h, b, bn);
	if (BCRYPT_SUCCESS(st))
		st = hash_part(h, c, cn);
	if (BCRYPT_SUCCESS(st))
		st = BCryptFinishHash(h, out, GD_HMAC_SHA256_LEN, 0);
	if (h)
		BCryptDestroyHash(h);
	if (alg)
		BCryptCloseAlgorithmProvider(alg, 0);
	if (!BCRYPT_SUCCESS(st))
		abort();
}
