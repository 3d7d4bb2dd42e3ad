#include "idfile.h"

#include <string.h>

static int parse_digits(const char *s, size_t n, uint32_t *id)
{
	uint64_t v = 0;

	if (n == 0 || n > 10)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > GD_ID_MAX)
		return -1;
	*id = (uint32_t)v;
	return 0;
}

int gd_id_parse(const char *s, uint32_t *id)
{
	return parse_digits(s, strlen(s), id);
}

/* Field number idx (0-based) of a ':'-separated line. */
static int field(const char *line, size_t n, int idx, const char **f,
		 size_t *fn)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && line[i] != ':')
			continue;
		if (idx-- == 0) {
			*f = line + start;
			*fn = i - start;
			return 0;
		}
		start = i + 1;
	}
	return -1;
}

int gd_idfile_lookup(const char *text, size_t len, const char *name,
		     uint32_t *id, uint32_t *gid)
{
	size_t pos = 0, nlen = strlen(name);

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *f;
		size_t fn;

		pos += n + 1;
		if (field(line, n, 0, &f, &fn) || fn != nlen ||
		    memcmp(f, name, nlen) != 0)
			continue;
		if (field(line, n, 2, &f, &fn) || parse_digits(f, fn, id))
			return -1;
		if (gid && (field(line, n, 3, &f, &fn) ||
			    parse_digits(f, fn, gid)))
			return -1;
		return 0;
	}
	return -1;
}
