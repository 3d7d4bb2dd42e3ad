/*
 * SHA-512 crypt ("$6$", Drepper's SHA-crypt as glibc, libxcrypt and musl
 * compute it) with the default 5000 rounds, on BearSSL's SHA-512. Debian's
 * musl ships no crypt(3), and this one allocates nothing.
 */
#ifndef GD_SHACRYPT_H
#define GD_SHACRYPT_H

#include <stddef.h>

#define GD_SHACRYPT_ROUNDS 5000   /* the scheme's default: no rounds= */
#define GD_SHACRYPT_SALT_MAX 16   /* longer salts are cut, as crypt does */
#define GD_SHACRYPT_LEN (3 + GD_SHACRYPT_SALT_MAX + 1 + 86) /* "$6$s$h" */

/*
 * "$6$salt$hash" for key and salt[salt_len] (crypt's alphabet, no '$')
 * into out[cap]: its length, or -1 when cap is under GD_SHACRYPT_LEN + 1.
 */
long gd_sha512_crypt(const char *key, const char *salt, size_t salt_len,
		     char *out, size_t cap);

#endif
