/* /proc/diskstats lines (diskstats.h). */
#include "diskstats.h"

#include <string.h>

static int space(char c)
{
	return c == ' ' || c == '\t';
}

/* The next word of line[0..end) from *p: its start and length, or -1. */
static long word(const char *line, size_t end, size_t *p, const char **w)
{
	size_t s;

	while (*p < end && space(line[*p]))
		(*p)++;
	if (*p >= end)
		return -1;
	s = *p;
	while (*p < end && !space(line[*p]))
		(*p)++;
	*w = line + s;
	return (long)(*p - s);
}

/* A decimal word into *v (wrapping as sscanf's %lu would not matter). */
static int number(const char *w, long n, uint64_t *v)
{
	*v = 0;
	if (n <= 0)
		return -1;
	for (long i = 0; i < n; i++) {
		if (w[i] < '0' || w[i] > '9')
			return -1;
		*v = *v * 10 + (uint64_t)(w[i] - '0');
	}
	return 0;
}

/* sscanf's count for one line; d filled as far as it goes. */
static int scan(const char *line, size_t end, struct gd_diskstat *d)
{
	size_t p = 0;
	const char *w;
	long n;
	uint64_t x;

	if ((n = word(line, end, &p, &w)) < 0 || number(w, n, &x))
		return 0;
	d->major = (uint32_t)x;
	if ((n = word(line, end, &p, &w)) < 0 || number(w, n, &x))
		return 1;
	d->minor = (uint32_t)x;
	if ((n = word(line, end, &p, &w)) < 0 || n >= GD_DISKSTAT_NAME_MAX)
		return 2;
	memcpy(d->name, w, (size_t)n);
	d->name[n] = '\0';
	d->n = 3;
	while (d->n < 3 + GD_DISKSTAT_FIELDS &&
	       (n = word(line, end, &p, &w)) >= 0 &&
	       number(w, n, &d->v[d->n - 3]) == 0)
		d->n++;
	return d->n;
}

int gd_diskstat_next(const char *text, size_t len, size_t *pos,
		     struct gd_diskstat *d)
{
	while (*pos < len) {
		const char *line = text + *pos, *nl = memchr(line, '\n', len - *pos);
		size_t end = nl ? (size_t)(nl - line) : len - *pos;

		*pos += end + 1;
		memset(d, 0, sizeof *d);
		if (scan(line, end, d) >= 7)
			return 1;
	}
	return 0;
}
