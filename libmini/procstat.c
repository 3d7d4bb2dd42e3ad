/* /proc/stat per-CPU counters and /proc/loadavg (procstat.h). */
#include "procstat.h"

#include <stdlib.h>
#include <string.h>

static size_t line_end(const char *t, size_t len, size_t p)
{
	const char *nl = memchr(t + p, '\n', len - p);

	return nl ? (size_t)(nl - t) : len;
}

/* Unsigned decimals after the name, as sscanf's %lu would take them. */
static int counters(const char *t, size_t p, size_t end, struct gd_cpustat *s)
{
	int n = 0;

	while (n < GD_CPUSTAT_FIELDS) {
		uint64_t v = 0;
		size_t d = 0;

		while (p < end && (t[p] == ' ' || t[p] == '\t'))
			p++;
		while (p < end && t[p] >= '0' && t[p] <= '9' && d < 20) {
			v = v * 10 + (uint64_t)(t[p++] - '0');
			d++;
		}
		if (d == 0)
			break;
		s->f[n++] = v;
	}
	return n;
}

static int parse_line(const char *t, size_t p, size_t end, struct gd_cpustat *s)
{
	int cpu = 0;
	size_t q = p + 3;

	if (end - p < 4 || memcmp(t + p, "cpu", 3) != 0 || t[q] == ' ')
		return 0; /* not a line for one CPU */
	while (q < end && t[q] >= '0' && t[q] <= '9' && cpu < 1000000)
		cpu = cpu * 10 + (t[q++] - '0');
	while (q < end && t[q] != ' ' && t[q] != '\t')
		q++; /* the rest of the name, as %s takes it */
	memset(s, 0, sizeof *s);
	s->cpu = cpu;
	s->nfields = counters(t, q, end, s);
	return s->nfields < GD_CPUSTAT_MIN ? -1 : 1;
}

int gd_cpustat_next(const char *text, size_t len, size_t *pos,
		    struct gd_cpustat *s)
{
	while (*pos < len) {
		size_t p = *pos, end = line_end(text, len, p);
		int r;

		*pos = end < len ? end + 1 : len;
		r = parse_line(text, p, end, s);
		if (r)
			return r;
	}
	return 0;
}

int gd_loadavg_parse(const char *text, double load[3])
{
	const char *p = text;

	for (int i = 0; i < 3; i++) {
		char *end;

		load[i] = strtod(p, &end);
		if (end == p || (*end != ' ' && *end != '\n' && *end != '\0'))
			return -1;
		p = end;
	}
	return 0;
}
