/*
 * /proc/self/mountinfo (proc(5)) read line by line, in place: each field
 * is NUL-terminated inside the caller's text, the mount point and source
 * unescaped (\040 for a space, \011, \012, \134). Nothing is copied.
 *
 *   size_t pos = 0;
 *   char *line;
 *   struct gd_mount m;
 *   while ((line = gd_mount_next_line(text, len, &pos)))
 *       if (gd_mount_parse(line, &m) == 0)
 *           ...;
 */
#ifndef GD_MOUNTINFO_H
#define GD_MOUNTINFO_H

#include <stddef.h>

#define GD_MOUNTINFO_PATH "/proc/self/mountinfo"

struct gd_mount {
	unsigned major, minor; /* the superblock's device (st_dev) */
	char *mountpoint;
	char *fstype;
	char *source;          /* "none", a device path, a server:path... */
	int ro;                /* mount options hold ro (this mount) */
	int sb_ro;             /* super options hold ro (every mount of it) */
};

/* The line at text[*pos] (its newline made a NUL); NULL at the end. */
char *gd_mount_next_line(char *text, size_t len, size_t *pos);
/* Parse one NUL-terminated line in place: 0, or -1 when malformed. */
int gd_mount_parse(char *line, struct gd_mount *m);
/* Nonzero when a comma-separated option list holds opt exactly. */
int gd_mount_has_opt(const char *opts, const char *opt);

#endif
