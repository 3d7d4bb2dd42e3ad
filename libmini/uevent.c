#include "uevent.h"

#include <string.h>

#define VMGENID_FIELD "NEW_VMGENID=1"

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
