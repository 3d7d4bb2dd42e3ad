/*
 * The freeze core: FIFREEZE every freezable mounted filesystem once per
 * superblock, in the order qemu-ga uses (the reverse of the mount table,
 * so a filesystem mounted on another is frozen before it), and FITHAW
 * them in the reverse of that. Which mounts qualify: libmini/fsplan.h.
 * It knows nothing of QGA, hooks or timers (agent/fsfreeze/fsfreeze_svc.c), so a
 * Hyper-V VSS path can drive it too. The caller owns the context.
 *
 *   struct gd_fsfreeze f;
 *   gd_fsf_init(&f, &log, exclude);
 *   n = gd_fsf_freeze(&f, NULL, 0);   // -1: f.err says why, all thawed
 *   ...
 *   gd_fsf_thaw_sweep(&f);
 */
#ifndef GD_FSFREEZE_H
#define GD_FSFREEZE_H

#include <stddef.h>

#include "fsplan.h"
#include "log.h"
#include "mountinfo.h"

#define GD_FSF_MAX 64               /* filesystems frozen at once */
#define GD_FSF_MOUNTS_MAX 1024      /* entries of the mount table */
#define GD_FSF_MOUNTINFO_MAX 131072 /* bytes of the mount table */
#define GD_FSF_ERR_MAX 256

struct gd_fsf_fs {
	int fd;                /* the mountpoint, open while frozen */
	unsigned major, minor;
};

struct gd_fsfreeze {
	const struct gd_log *log;
	const char *exclude;   /* '\n'-joined mountpoints never frozen */
	int nfs;               /* frozen by this context, in freeze order */
	struct gd_fsf_fs fs[GD_FSF_MAX];
	char err[GD_FSF_ERR_MAX];
};

void gd_fsf_init(struct gd_fsfreeze *f, const struct gd_log *log,
		 const char *exclude);
/*
 * Freeze every freezable filesystem, or (only != NULL) those mounted on
 * only[nonly]. The number frozen (0: none, nothing to thaw); -1 with
 * f->err when one failed, after thawing those it had frozen.
 */
int gd_fsf_freeze(struct gd_fsfreeze *f, const char *const *only,
		  size_t nonly);
/*
 * Thaw what f froze, last frozen first: the number thawed. _sweep then
 * also FITHAWs every other freezable filesystem, as qemu-ga's thaw does
 * (one frozen by an earlier guestd, say), and counts those too.
 */
int gd_fsf_thaw(struct gd_fsfreeze *f);
int gd_fsf_thaw_sweep(struct gd_fsfreeze *f);

/*
 * The mount table, parsed, in mount order (static storage, valid until
 * the next call): the count, or -1 with err[cap] set.
 */
int gd_fsf_mounts(struct gd_mount **list, char *err, size_t cap);

#endif
