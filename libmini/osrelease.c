#include "osrelease.h"

#include <string.h>

#include "sysinfo.h"

/* Shell-like unquoting: "..." (with \ escapes) or '...'. */
static void unquote(const char *v, size_t n, char *out, size_t cap)
{
	size_t o = 0;
	char q = 0;

	if (n && (v[0] == '"' || v[0] == '\'')) {
		q = v[0];
		v++;
		n--;
		if (n && v[n - 1] == q)
			n--;
	}
	for (size_t i = 0; i < n && o + 1 < cap; i++) {
		if (q == '"' && v[i] == '\\' && i + 1 < n)
			i++;
		out[o++] = v[i];
	}
	out[o] = '\0';
}

int gd_os_release_get(const char *text, const char *key, char *out,
		      size_t cap)
{
	size_t klen = strlen(key);
	const char *line = text;

	if (cap == 0)
		return -1;
	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n > klen && strncmp(line, key, klen) == 0 &&
		    line[klen] == '=') {
			unquote(line + klen + 1, n - klen - 1, out, cap);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

long gd_os_release_read(char *text, size_t cap)
{
	long n = gd_read_small_file("/etc/os-release", text, cap);

	return n >= 0 ? n : gd_read_small_file("/usr/lib/os-release", text, cap);
}
