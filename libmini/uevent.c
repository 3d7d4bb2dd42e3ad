#include "uevent.h"

#include <string.h>

#define VMGENID_FIELD "NEW_VMGENID=1"

/* The field KEY=... in the NUL-separated fields after the header, or NULL. */
static const char *field(const char *msg, size_t len, const char *key)
{
	size_t klen = strlen(key), off = 0;

	while (off < len) {
		const char *end = memchr(msg + off, '\0', len - off);
		size_t n = end ? (size_t)(end - (msg + off)) : len - off;

		if (n > klen && memcmp(msg + off, key, klen) == 0 &&
		    msg[off + klen] == '=')
			return msg + off + klen + 1;
		off += n + 1;
	}
	return NULL;
}

int gd_uevent_input_add(const char *msg, size_t len)
{
	static const char event[] = "input/event";
	const char *sub, *dev;
	int n = 0;

	if (len < 4 || memcmp(msg, "add@", 4) || msg[len - 1] != '\0')
		return -1;
	sub = field(msg, len, "SUBSYSTEM");
	dev = field(msg, len, "DEVNAME");
	if (!sub || !dev || strcmp(sub, "input") ||
	    strncmp(dev, event, sizeof event - 1))
		return -1;
	dev += sizeof event - 1;
	if (!*dev)
		return -1;
	for (; *dev; dev++) {
		if (*dev < '0' || *dev > '9' || n > 99999)
			return -1;
		n = n * 10 + (*dev - '0');
	}
	return n;
}

int gd_uevent_is_vmgenid(const char *msg, size_t len)
{
	static const char action[] = "change@";
	size_t off = 0;

	if (len < sizeof action - 1 || memcmp(msg, action, sizeof action - 1))
		return 0;
	while (off < len) {
		const char *end = memchr(msg + off, '\0', len - off);
		size_t n = end ? (size_t)(end - (msg + off)) : len - off;

		if (n == sizeof VMGENID_FIELD - 1 &&
		    memcmp(msg + off, VMGENID_FIELD, n) == 0)
			return 1;
		off += n + 1;
	}
	return 0;
}

int gd_uevent_is_virtio_port(const char *msg, size_t len)
{
	const char *sub;

	int added = len > 4 && memcmp(msg, "add@", 4) == 0;
	int changed = len > 7 && memcmp(msg, "change@", 7) == 0;

	if (!(added || changed) || msg[len - 1] != '\0')
		return 0;
	sub = field(msg, len, "SUBSYSTEM");
	return sub && strcmp(sub, "virtio-ports") == 0;
}
