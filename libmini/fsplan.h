/*
 * Which mounted filesystems a freeze takes, decided from mountinfo
 * entries alone (agent/fsfreeze/fsfreeze.c does the I/O). qemu-ga's rules, and
 * three of guestd's:
 *   - block-backed only: a superblock with a device number (major not 0),
 *     or btrfs (whose devices are anonymous), as qemu-ga lists them;
 *   - not read-only (per mount or per superblock): nothing to flush;
 *   - not in the fsfreeze-exclude list (a config list, '\n'-joined);
 *   - with a freeze-list, only the mountpoints it names;
 *   - each superblock once (a bind mount is the same filesystem).
 * guest-get-fsinfo and guest-fstrim list the block-backed mounts only.
 */
#ifndef GD_FSPLAN_H
#define GD_FSPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "mountinfo.h"

/*
 * fsfreeze-timeout: a freeze the host never ends is undone after this.
 * Five minutes: thirty times the 10 s window VSS gives a Windows guest
 * (what hosts built for those keep to), room for a snapshot of many disks
 * or an administrator's manual steps between domfsfreeze and domfsthaw,
 * and a bound on how long a host that died mid-backup stalls the guest.
 */
#define GD_FSF_TIMEOUT_DEFAULT_S 300
#define GD_FSF_TIMEOUT_MAX_S 86400
/* fsfreeze-hook-timeout: all the scripts of one phase (freeze or thaw). */
#define GD_FSF_HOOK_TIMEOUT_DEFAULT_S 10
#define GD_FSF_HOOK_TIMEOUT_MAX_S 300
#define GD_FSF_HOOK_DIR_DEFAULT "/etc/qemu/fsfreeze-hook.d" /* qemu-ga's */

enum gd_fsp_verdict {
	GD_FSP_TAKE = 0,
	GD_FSP_PSEUDO,   /* no block device */
	GD_FSP_RDONLY,   /* read-only mount or superblock */
	GD_FSP_EXCLUDED, /* named by fsfreeze-exclude */
	GD_FSP_UNLISTED  /* a freeze-list without it */
};

/* qemu-ga's mount list: 1 for a block-backed filesystem. */
int gd_fsp_block_backed(const struct gd_mount *m);
/*
 * The verdict for m: exclude is a '\n'-joined list (NULL or "": none),
 * only[nonly] the freeze-list (only NULL: every mountpoint).
 */
int gd_fsp_verdict(const struct gd_mount *m, const char *exclude,
		   const char *const *only, size_t nonly);

/* Superblocks seen, in a caller-owned array of cap device numbers. */
struct gd_fsp_seen {
	uint64_t *dev;
	size_t n, cap;
};

/* 1 when major:minor is new (now recorded), 0 when seen, -1 when full. */
int gd_fsp_seen_add(struct gd_fsp_seen *s, unsigned major, unsigned minor);
/* 1 when major:minor was recorded. */
int gd_fsp_seen_has(const struct gd_fsp_seen *s, unsigned major,
		    unsigned minor);

/*
 * A hook directory entry run as qemu-ga's fsfreeze-hook runs them: not a
 * dot file, not a backup or package manager leftover (*~, *.bak, *.orig,
 * *.rpmnew, *.dpkg-old, ...). 1 to run it.
 */
int gd_fsp_hook_name_ok(const char *name);

#endif
