/*
 * /proc/stat's per-CPU lines and /proc/loadavg, read the way qemu-ga
 * reads them for guest-get-cpustats and guest-get-load. Pure parsing of
 * text the caller read; nothing allocates.
 */
#ifndef GD_PROCSTAT_H
#define GD_PROCSTAT_H

#include <stddef.h>
#include <stdint.h>

#define GD_CPUSTAT_FIELDS 10 /* user nice system idle ... guest_nice */
#define GD_CPUSTAT_MIN 4     /* fewer on a cpuN line: the text is refused */

struct gd_cpustat {
	int cpu;                          /* N of "cpuN" */
	int nfields;                      /* counters present, 4..10 */
	uint64_t f[GD_CPUSTAT_FIELDS];    /* in clock ticks, /proc's order */
};

/*
 * The next "cpuN" line of text[len] at or after *pos (the "cpu" total and
 * other lines are skipped): 1 with *s set, 0 at the end, -1 for a cpuN
 * line with fewer than GD_CPUSTAT_MIN counters (qemu-ga stops there too).
 */
int gd_cpustat_next(const char *text, size_t len, size_t *pos,
		    struct gd_cpustat *s);

/* The three averages at the start of /proc/loadavg text; 0, or -1. */
int gd_loadavg_parse(const char *text, double load[3]);

#endif
