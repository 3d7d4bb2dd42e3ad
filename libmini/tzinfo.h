/*
 * Local time zone offset and abbreviation at a given instant, from TZif
 * data (RFC 8536, versions 1 to 4, such as /etc/localtime) or a POSIX TZ
 * rule string ("CET-1CEST,M3.5.0,M10.5.0/3"). A TZif file's footer rule
 * covers instants after its last transition, as it does for glibc. The
 * caller reads the file; nothing here allocates or touches the system.
 */
#ifndef GD_TZINFO_H
#define GD_TZINFO_H

#include <stddef.h>
#include <stdint.h>

#define GD_TZ_FILE_MAX 16384 /* largest TZif file read */
#define GD_TZ_ABBR_MAX 16    /* longest abbreviation kept, with NUL */

struct gd_tz_info {
	int32_t utoff;              /* seconds east of UTC */
	int isdst;
	char abbr[GD_TZ_ABBR_MAX];  /* "CEST", "+0530"; may be empty */
};

/* TZif data[len] at Unix time t: 0, or -1 when the data is malformed. */
int gd_tz_tzif(const uint8_t *data, size_t len, int64_t t,
	       struct gd_tz_info *out);
/* POSIX TZ rule tz[len] at Unix time t: 0, or -1 when it does not parse. */
int gd_tz_posix(const char *tz, size_t len, int64_t t, struct gd_tz_info *out);

#endif
