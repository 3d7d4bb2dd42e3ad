/*
 * User and group ids from /etc/passwd and /etc/group text, without libc's
 * getpwnam (musl's allocates). The caller reads the file.
 */
#ifndef GD_IDFILE_H
#define GD_IDFILE_H

#include <stddef.h>
#include <stdint.h>

#define GD_ID_MAX 0xfffffffeu /* (uid_t)-1 means "unchanged" to the kernel */

/* A decimal id 0..GD_ID_MAX; 0 or -1. */
int gd_id_parse(const char *s, uint32_t *id);
/*
 * Find name in passwd-format text (name:pw:uid:gid:...) or group-format
 * text (name:pw:gid:...): *id gets the third field and, when gid is not
 * NULL, *gid the fourth. 0 when found, -1 otherwise.
 */
int gd_idfile_lookup(const char *text, size_t len, const char *name,
		     uint32_t *id, uint32_t *gid);

#endif
