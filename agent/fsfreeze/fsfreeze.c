/* The freeze core (fsfreeze.h): FIFREEZE and FITHAW, nothing more. */
#include "fsfreeze.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sysinfo.h"

static char table[GD_FSF_MOUNTINFO_MAX + 1];
static struct gd_mount mounts[GD_FSF_MOUNTS_MAX];

/*
 * btrfs shows an anonymous device (major 0): as qemu-ga, take its
 * source's instead, and leave the mount out when that cannot be read.
 */
static int btrfs_dev(struct gd_mount *m)
{
	struct stat st;

	if (m->major != 0 || strcmp(m->fstype, "btrfs") != 0)
		return 0;
	if (stat(m->source, &st) || !S_ISBLK(st.st_mode))
		return -1;
	m->major = major(st.st_rdev);
	m->minor = minor(st.st_rdev);
	return 0;
}

int gd_fsf_mounts(struct gd_mount **list, char *err, size_t cap)
{
	long len = gd_read_small_file(GD_MOUNTINFO_PATH, table, sizeof table);
	size_t pos = 0;
	char *line;
	int n = 0;

	if (len < 0)
		return snprintf(err, cap, "failed to read %s: %s",
				GD_MOUNTINFO_PATH, strerror(errno)), -1;
	if ((size_t)len >= sizeof table - 1)
		return snprintf(err, cap, "mount table over %d bytes",
				GD_FSF_MOUNTINFO_MAX), -1;
	while ((line = gd_mount_next_line(table, (size_t)len, &pos))) {
		if (n == GD_FSF_MOUNTS_MAX)
			return snprintf(err, cap, "more than %d mounts",
					GD_FSF_MOUNTS_MAX), -1;
		if (gd_mount_parse(line, &mounts[n]) == 0 &&
		    btrfs_dev(&mounts[n]) == 0)
			n++;
	}
	*list = mounts;
	return n;
}

void gd_fsf_init(struct gd_fsfreeze *f, const struct gd_log *log,
		 const char *exclude)
{
	memset(f, 0, sizeof *f);
	f->log = log;
	f->exclude = exclude;
}

/*
 * Superblocks never to touch: those of an excluded mountpoint, whatever
 * other mountpoint (a bind mount) they also appear on.
 */
static int excluded_sbs(const struct gd_fsfreeze *f, const struct gd_mount *m,
			int n, struct gd_fsp_seen *ex)
{
	for (int i = 0; i < n; i++)
		if (gd_fsp_verdict(&m[i], f->exclude, NULL, 0) == GD_FSP_EXCLUDED &&
		    gd_fsp_seen_add(ex, m[i].major, m[i].minor) < 0)
			return -1;
	return 0;
}

/* 1 when m was frozen (its fd kept), 0 when skipped, -1 on failure. */
static int freeze_one(struct gd_fsfreeze *f, const struct gd_mount *m)
{
	int fd = open(m->mountpoint, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(f->err, sizeof f->err, "failed to open %s: %s",
			 m->mountpoint, strerror(errno));
		return -1;
	}
	if (ioctl(fd, FIFREEZE, 0) == 0) {
		f->fs[f->nfs++] = (struct gd_fsf_fs){ fd, m->major, m->minor };
		gd_logf(f->log, GD_LOG_DEBUG, "fsfreeze: froze %s (%s, %u:%u)",
			m->mountpoint, m->fstype, m->major, m->minor);
		return 1;
	}
	if (errno == EOPNOTSUPP || errno == EBUSY) { /* cannot, or frozen already */
		gd_logf(f->log, GD_LOG_DEBUG, "fsfreeze: %s (%s) left: %s",
			m->mountpoint, m->fstype, strerror(errno));
		close(fd);
		return 0;
	}
	snprintf(f->err, sizeof f->err, "failed to freeze %s: %s",
		 m->mountpoint, strerror(errno));
	close(fd);
	return -1;
}

/* Walk m[n] from the end; -1 with f->err on the first failure. */
static int freeze_walk(struct gd_fsfreeze *f, const struct gd_mount *m, int n,
		       const char *const *only, size_t nonly)
{
	static uint64_t ex_dev[GD_FSF_MAX], dev[GD_FSF_MOUNTS_MAX];
	struct gd_fsp_seen ex = { ex_dev, 0, GD_FSF_MAX };
	struct gd_fsp_seen seen = { dev, 0, GD_FSF_MOUNTS_MAX };

	if (excluded_sbs(f, m, n, &ex))
		return snprintf(f->err, sizeof f->err, "more than %d "
				"excluded filesystems", GD_FSF_MAX), -1;
	for (int i = n - 1; i >= 0; i--) {
		if (gd_fsp_verdict(&m[i], f->exclude, only, nonly) != GD_FSP_TAKE ||
		    gd_fsp_seen_has(&ex, m[i].major, m[i].minor) ||
		    gd_fsp_seen_add(&seen, m[i].major, m[i].minor) == 0)
			continue; /* not to freeze, or its superblock seen */
		if (f->nfs == GD_FSF_MAX)
			return snprintf(f->err, sizeof f->err, "more than %d "
					"filesystems to freeze", GD_FSF_MAX), -1;
		if (freeze_one(f, &m[i]) < 0)
			return -1;
	}
	return 0;
}

int gd_fsf_freeze(struct gd_fsfreeze *f, const char *const *only,
		  size_t nonly)
{
	struct gd_mount *m;
	int n;

	f->err[0] = '\0';
	n = gd_fsf_mounts(&m, f->err, sizeof f->err);
	if (n < 0)
		return -1;
	if (freeze_walk(f, m, n, only, nonly)) {
		gd_logf(f->log, GD_LOG_ERR, "fsfreeze: %s; thawing", f->err);
		gd_fsf_thaw(f);
		return -1;
	}
	return f->nfs;
}

int gd_fsf_thaw(struct gd_fsfreeze *f)
{
	int thawed = 0;

	while (f->nfs > 0) {
		struct gd_fsf_fs *fs = &f->fs[--f->nfs];

		if (ioctl(fs->fd, FITHAW, 0) == 0)
			thawed++;
		else /* EINVAL: someone thawed it already */
			gd_logf(f->log, GD_LOG_WARN, "fsfreeze: thaw %u:%u: %s",
				fs->major, fs->minor, strerror(errno));
		close(fs->fd);
	}
	return thawed;
}

/* FITHAW until it fails (each FIFREEZE needs its FITHAW): 1 if one did. */
static int thaw_path(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), done = 0;

	if (fd < 0)
		return 0;
	while (ioctl(fd, FITHAW, 0) == 0 && done < GD_FSF_MAX)
		done++;
	close(fd);
	return done > 0;
}

int gd_fsf_thaw_sweep(struct gd_fsfreeze *f)
{
	uint64_t ex_dev[GD_FSF_MAX];
	struct gd_fsp_seen ex = { ex_dev, 0, GD_FSF_MAX };
	struct gd_mount *m;
	int thawed = gd_fsf_thaw(f), n;

	n = gd_fsf_mounts(&m, f->err, sizeof f->err);
	if (n < 0 || excluded_sbs(f, m, n, &ex))
		return thawed;
	for (int i = 0; i < n; i++) /* a bind mount's FITHAW fails: not counted */
		if (gd_fsp_verdict(&m[i], f->exclude, NULL, 0) == GD_FSP_TAKE &&
		    !gd_fsp_seen_has(&ex, m[i].major, m[i].minor) &&
		    thaw_path(m[i].mountpoint)) {
			gd_logf(f->log, GD_LOG_INFO, "fsfreeze: thawed %s, "
				"frozen by another", m[i].mountpoint);
			thawed++;
		}
	return thawed;
}
