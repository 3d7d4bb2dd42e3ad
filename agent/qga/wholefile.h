/*
 * Whole small files, for the QGA credential commands: read one into a
 * bounded buffer, and replace one atomically (a temp file beside it,
 * written, owned and fsync'd, then renamed over it, the directory synced),
 * so a crash leaves the old file or the new one, never half of either.
 */
#ifndef GD_WHOLEFILE_H
#define GD_WHOLEFILE_H

#include <stddef.h>
#include <sys/types.h>

#define GD_WF_TOO_BIG (-2) /* the file has cap bytes or more */

/*
 * path into buf[cap] (NUL-terminated): its length, -1 with errno set, or
 * GD_WF_TOO_BIG.
 */
long gd_wf_read(const char *path, char *buf, size_t cap);
/*
 * Replace path with data[len] through tmp (same directory; an old one is
 * replaced), created with mode and owned by uid:gid: 0, or -1 with errno
 * set (tmp removed).
 */
int gd_wf_replace(const char *path, const char *tmp, const void *data,
		  size_t len, mode_t mode, uid_t uid, gid_t gid);

#endif
