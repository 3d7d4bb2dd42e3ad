/*
 * gd_hmac_sha256_3 for guestctl.exe: Windows CNG (bcrypt), the system's
 * own HMAC-SHA256, since Debian's BearSSL is built for Linux only.
 * Compiled into the Windows build only (the host _win.c files).
 */
#include <windows.h>
#include <bcrypt.h>
#include <string.h>

#include "auth.h"
#include "hmac.h"

void gd_hmac_sha256_3(const uint8_t *key, size_t keylen, const void *a,
		      size_t an, const void *b, size_t bn, const void *c,
		      size_t cn, uint8_t out[32])
{
	BCRYPT_ALG_HANDLE alg = NULL;
	BCRYPT_HASH_HANDLE h = NULL;
	int ok;

	memset(out, 0, 32); /* a failure gives a MAC the agent refuses */
	ok = BCryptOpenAlgorithmProvider(&alg, BCRYPT_SHA256_ALGORITHM, NULL,
					 BCRYPT_ALG_HANDLE_HMAC_FLAG) == 0 &&
	     BCryptCreateHash(alg, &h, NULL, 0, (PUCHAR)key, (ULONG)keylen,
			      0) == 0 &&
	     BCryptHashData(h, (PUCHAR)a, (ULONG)an, 0) == 0 &&
	     BCryptHashData(h, (PUCHAR)b, (ULONG)bn, 0) == 0 &&
	     BCryptHashData(h, (PUCHAR)c, (ULONG)cn, 0) == 0;
	if (ok && BCryptFinishHash(h, out, 32, 0) != 0)
		memset(out, 0, 32);
	if (h)
		BCryptDestroyHash(h);
	if (alg)
		BCryptCloseAlgorithmProvider(alg, 0);
}
