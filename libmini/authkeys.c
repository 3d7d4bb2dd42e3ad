/* authorized_keys lines (authkeys.h). */
#include "authkeys.h"

#include <string.h>

int gd_ak_key_ok(const char *key, size_t len)
{
	return strlen(key) == len && key[0] != '#' && !memchr(key, '\n', len);
}

/* Next line of text[len] from *pos; -1 when there is none left. */
static long next_line(const char *text, size_t len, size_t *pos,
		      const char **line)
{
	const char *nl;
	size_t n;

	if (*pos > len || len == 0)
		return -1;
	nl = memchr(text + *pos, '\n', len - *pos);
	n = nl ? (size_t)(nl - text) - *pos : len - *pos;
	*line = text + *pos;
	*pos += n + 1;
	return (long)n;
}

/* 1 when text[len] has a line equal to s[n]. */
static int has_line(const char *text, size_t len, const char *s, size_t n)
{
	size_t pos = 0;
	const char *line;
	long ln;

	while ((ln = next_line(text, len, &pos, &line)) >= 0)
		if ((size_t)ln == n && memcmp(line, s, n) == 0)
			return 1;
	return 0;
}

/* Append line[n] (after a '\n' unless out is empty and first). */
static int put_line(char *out, size_t cap, size_t *o, int first,
		    const char *line, size_t n)
{
	if (n + !first > cap - *o)
		return -1;
	if (!first)
		out[(*o)++] = '\n';
	memcpy(out + *o, line, n);
	*o += n;
	return 0;
}

long gd_ak_add(const char *text, size_t len, int have,
	       const char *const *keys, size_t n, char *out, size_t cap)
{
	size_t o = 0, pos = 0;
	int first = 1;
	const char *line;
	long ln;

	while (have && (ln = next_line(text, len, &pos, &line)) >= 0) {
		if (put_line(out, cap, &o, first, line, (size_t)ln))
			return GD_AK_TOO_BIG;
		first = 0;
	}
	for (size_t i = 0; i < n; i++) {
		size_t kl = strlen(keys[i]);

		if (!first && has_line(out, o, keys[i], kl))
			continue;
		if (put_line(out, cap, &o, first, keys[i], kl))
			return GD_AK_TOO_BIG;
		first = 0;
	}
	return (long)o;
}

long gd_ak_remove(const char *text, size_t len, const char *const *keys,
		  size_t n, char *out, size_t cap)
{
	size_t o = 0, pos = 0, i;
	int first = 1;
	const char *line;
	long ln;

	while ((ln = next_line(text, len, &pos, &line)) >= 0) {
		for (i = 0; i < n; i++)
			if (strlen(keys[i]) == (size_t)ln &&
			    memcmp(keys[i], line, (size_t)ln) == 0)
				break;
		if (i < n)
			continue;
		if (put_line(out, cap, &o, first, line, (size_t)ln))
			return GD_AK_TOO_BIG;
		first = 0;
	}
	return (long)o;
}

static int blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

long gd_ak_prev_key(const char *text, size_t *end, const char **key)
{
	while (*end > 0) {
		size_t e = *end - 1, s = e;

		while (s > 0 && text[s - 1] != '\n')
			s--;
		*end = s;
		while (s < e && blank(text[s]))
			s++;
		while (e > s && blank(text[e - 1]))
			e--;
		if (e > s && text[s] != '#') {
			*key = text + s;
			return (long)(e - s);
		}
	}
	return -1;
}
