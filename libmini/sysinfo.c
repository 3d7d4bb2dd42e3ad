#include "sysinfo.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

uint64_t gd_clock_ns(int clk)
{
	struct timespec ts;

	if (clock_gettime((clockid_t)clk, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

long gd_read_small_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;

	if (fd < 0 || cap == 0)
		return -1;
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

int gd_boot_id(char *out, size_t cap)
{
	char tmp[64];
	long n = gd_read_small_file("/proc/sys/kernel/random/boot_id", tmp,
				    sizeof tmp);

	if (n < GD_BOOT_ID_LEN || cap < GD_BOOT_ID_LEN + 1)
		return -1;
	memcpy(out, tmp, GD_BOOT_ID_LEN);
	out[GD_BOOT_ID_LEN] = '\0';
	return 0;
}

/* Unquote an os-release value (shell-like: "..." or '...' with \ escapes). */
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

int gd_os_release_pretty(const char *text, char *out, size_t cap)
{
	static const char key[] = "PRETTY_NAME=";
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (n >= sizeof key - 1 &&
		    strncmp(line, key, sizeof key - 1) == 0) {
			unquote(line + sizeof key - 1, n - (sizeof key - 1),
				out, cap);
			return 0;
		}
		line = nl ? nl + 1 : NULL;
	}
	return -1;
}

int gd_os_pretty_name(char *out, size_t cap)
{
	char text[4096];

	if (gd_read_small_file("/etc/os-release", text, sizeof text) < 0 &&
	    gd_read_small_file("/usr/lib/os-release", text, sizeof text) < 0)
		return -1;
	return gd_os_release_pretty(text, out, cap);
}
