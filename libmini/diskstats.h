/*
 * /proc/diskstats lines, read the way qemu-ga 7.2's guest-get-diskstats
 * scans them (sscanf of major, minor, name and up to 17 counters): pure
 * parsing of text the caller read; nothing allocates.
 */
#ifndef GD_DISKSTATS_H
#define GD_DISKSTATS_H

#include <stddef.h>
#include <stdint.h>

#define GD_DISKSTAT_NAME_MAX 128 /* qemu-ga's MAX_NAME_LEN: longer lines skipped */
#define GD_DISKSTAT_FIELDS 17    /* read ios ... flush ticks */

struct gd_diskstat {
	uint32_t major, minor;
	char name[GD_DISKSTAT_NAME_MAX];
	int n;                            /* sscanf's count: 3 + counters */
	uint64_t v[GD_DISKSTAT_FIELDS];   /* the counters, in the file's order */
};

/*
 * The next line of text[len] from *pos that qemu-ga lists (7 or more
 * fields converted): 1 with *d set, 0 at the end.
 */
int gd_diskstat_next(const char *text, size_t len, size_t *pos,
		     struct gd_diskstat *d);

#endif
