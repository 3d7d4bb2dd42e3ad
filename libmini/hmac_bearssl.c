#include "hmac.h"

#include <bearssl.h>

#include "auth.h"

void gd_hmac_sha256_3(const uint8_t *key, size_t keylen, const void *a,
		      size_t an, const void *b, size_t bn, const void *c,
		      size_t cn, uint8_t out[32])
{
	br_hmac_key_context kc;
	br_hmac_context hc;

	br_hmac_key_init(&kc, &br_sha256_vtable, key, keylen);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, a, an);
	br_hmac_update(&hc, b, bn);
	br_hmac_update(&hc, c, cn);
	br_hmac_out(&hc, out);
	gd_wipe(&kc, sizeof kc);
	gd_wipe(&hc, sizeof hc);
}
