/*
 * keyfile.h for guestctl.exe: the same file format (32 raw bytes or 64 hex
 * digits), random bytes from Windows CNG. Windows has no mode bits: the
 * key file's protection is its ACL, which this build does not inspect
 * (docs/hyper-v.md says so); keygen creates the file new, never over an
 * existing one.
 */
#include <windows.h>
#include <bcrypt.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "keyfile.h"

static int fail(char *err, size_t errcap, const char *path, const char *why)
{
	snprintf(err, errcap, "%s: %s", path, why);
	return -1;
}

int gd_key_file_load(const char *path, uint8_t key[GD_AUTH_KEY_LEN],
		     char *err, size_t errcap)
{
	uint8_t text[GD_AUTH_KEYFILE_MAX + 1];
	FILE *f = fopen(path, "rb");
	size_t len;
	int bad;

	if (!f)
		return fail(err, errcap, path, strerror(errno));
	len = fread(text, 1, sizeof text, f);
	fclose(f);
	bad = gd_auth_key_parse(text, len, key);
	gd_wipe(text, sizeof text);
	return bad ? fail(err, errcap, path, "not 32 raw bytes or 64 hex digits")
		   : 0;
}

int gd_key_file_create(const char *path, const uint8_t key[GD_AUTH_KEY_LEN],
		       char *err, size_t errcap)
{
	char hex[GD_AUTH_KEY_HEX_LEN + 2];
	FILE *f = fopen(path, "wbx"); /* x: never over an existing file */
	int bad;

	if (!f)
		return fail(err, errcap, path, errno == EEXIST
			    ? "already exists (not overwritten)" : strerror(errno));
	gd_auth_key_hex(key, hex);
	hex[GD_AUTH_KEY_HEX_LEN] = '\n';
	bad = fwrite(hex, 1, GD_AUTH_KEY_HEX_LEN + 1, f) != GD_AUTH_KEY_HEX_LEN + 1;
	gd_wipe(hex, sizeof hex);
	if (fclose(f) || bad) {
		remove(path);
		return fail(err, errcap, path, "write failed");
	}
	return 0;
}

int gd_random(void *p, size_t n)
{
	return BCryptGenRandom(NULL, p, (ULONG)n,
			       BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0 ? 0 : -1;
}
