#include "keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

static int fail(char *err, size_t errcap, const char *path, const char *why)
{
	snprintf(err, errcap, "key file %s: %s", path, why);
	return -1;
}

/* Refuse what another user could read or change. */
static const char *unsafe(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return "owned by another user";
	if (st->st_mode & 077)
		return "group or others may access it (chmod 600 it)";
	return NULL;
}

int gd_key_file_load(const char *path, uint8_t key[GD_AUTH_KEY_LEN],
		     char *err, size_t errcap)
{
	uint8_t text[GD_AUTH_KEYFILE_MAX + 1];
	size_t len = 0;
	struct stat st;
	const char *why;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);

	if (fd < 0)
		return fail(err, errcap, path, strerror(errno));
	if (fstat(fd, &st)) {
		close(fd);
		return fail(err, errcap, path, strerror(errno));
	}
	why = unsafe(&st);
	while (!why && len < sizeof text) {
		ssize_t n = read(fd, text + len, sizeof text - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			why = strerror(errno);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (!why && gd_auth_key_parse(text, len, key))
		why = "not 32 raw bytes or 64 hex digits";
	gd_wipe(text, sizeof text);
	return why ? fail(err, errcap, path, why) : 0;
}

int gd_key_file_create(const char *path, const uint8_t key[GD_AUTH_KEY_LEN],
		       char *err, size_t errcap)
{
	char hex[GD_AUTH_KEY_HEX_LEN + 2];
	size_t len = GD_AUTH_KEY_HEX_LEN + 1, off = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
		      0600);

	if (fd < 0)
		return fail(err, errcap, path, errno == EEXIST
			    ? "already exists (not overwritten)" : strerror(errno));
	gd_auth_key_hex(key, hex);
	hex[GD_AUTH_KEY_HEX_LEN] = '\n';
	while (off < len) {
		ssize_t n = write(fd, hex + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	gd_wipe(hex, sizeof hex);
	if (off < len || fchmod(fd, 0600) || fsync(fd)) {
		int e = errno;

		close(fd);
		unlink(path);
		return fail(err, errcap, path, strerror(e ? e : EIO));
	}
	if (close(fd))
		return fail(err, errcap, path, strerror(errno));
	return 0;
}

int gd_random(void *p, size_t n)
{
	uint8_t *out = p;

	while (n) {
		ssize_t got = getrandom(out, n, GRND_NONBLOCK);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		out += got;
		n -= (size_t)got;
	}
	return 0;
}
