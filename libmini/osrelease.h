/*
 * Any KEY=value of os-release(5) text, unquoted, into a caller buffer.
 * (sysinfo.h's gd_os_release_pretty reads PRETTY_NAME only.)
 */
#ifndef GD_OSRELEASE_H
#define GD_OSRELEASE_H

#include <stddef.h>

#define GD_OS_RELEASE_MAX 4096 /* os-release bytes read */

/* Value of key (e.g. "VERSION_ID") into out[cap]; -1 when absent. */
int gd_os_release_get(const char *text, const char *key, char *out,
		      size_t cap);
/* /etc/os-release, else /usr/lib/os-release, into text[cap]; -1 if neither. */
long gd_os_release_read(char *text, size_t cap);

#endif
