/* The API filesystems an init provides: mount what is missing, undo it last. */
#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "agent.h"

struct fs_spec {
	const char *path, *type, *source, *options;
	unsigned long flags;
	mode_t dir_mode;
};

/* Parents before children: /dev before /dev/pts and /dev/shm. */
static const struct fs_spec specs[] = {
	{ "/proc", "proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555 },
	{ "/sys", "sysfs", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555 },
	{ "/dev", "devtmpfs", "devtmpfs", "mode=0755", MS_NOSUID, 0755 },
	{ "/dev/pts", "devpts", "devpts", "gid=5,mode=0620,ptmxmode=0666",
	  MS_NOSUID | MS_NOEXEC, 0755 },
	{ "/dev/shm", "tmpfs", "shm", "mode=1777", MS_NOSUID | MS_NODEV, 01777 },
	{ "/run", "tmpfs", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV, 0755 },
};

/* A mount point has another device than its parent (or is the root). */
static int is_mountpoint(const char *path)
{
	char parent[32];
	struct stat st, pst;
	size_t n = strlen(path);

	if (n + 4 > sizeof parent || stat(path, &st) != 0)
		return 0;
	memcpy(parent, path, n);
	memcpy(parent + n, "/..", 4);
	if (stat(parent, &pst) != 0)
		return 0;
	return st.st_dev != pst.st_dev || st.st_ino == pst.st_ino;
}

static void mount_one(struct gd_agent *a, const struct fs_spec *fs)
{
	struct gd_pid1 *p = &a->init;

	if (is_mountpoint(fs->path)) {
		gd_logf(&a->log, GD_LOG_DEBUG, "%s already mounted", fs->path);
		return;
	}
	if (mkdir(fs->path, fs->dir_mode) != 0 && errno != EEXIST) {
		gd_logf(&a->log, GD_LOG_WARN, "mkdir %s: %s", fs->path,
			strerror(errno));
		return;
	}
	if (mount(fs->source, fs->path, fs->type, fs->flags, fs->options)) {
		gd_logf(&a->log, GD_LOG_WARN, "mount %s on %s: %s", fs->type,
			fs->path, strerror(errno));
		return;
	}
	gd_logf(&a->log, GD_LOG_INFO, "mounted %s on %s", fs->type, fs->path);
	if (p->nmounted < GD_MAX_MOUNTS)
		p->mounted[p->nmounted++] = fs->path;
}

void gd_mounts_setup(struct gd_agent *a)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++)
		mount_one(a, &specs[i]);
}

void gd_mounts_release(struct gd_agent *a)
{
	struct gd_pid1 *p = &a->init;

	while (p->nmounted > 0) {
		const char *path = p->mounted[--p->nmounted];

		if (umount2(path, 0) == 0) {
			gd_logf(&a->log, GD_LOG_INFO, "unmounted %s", path);
			continue;
		}
		if (mount(NULL, path, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0)
			gd_logf(&a->log, GD_LOG_INFO,
				"%s busy: remounted read-only", path);
		else
			gd_logf(&a->log, GD_LOG_WARN, "%s stays mounted: %s",
				path, strerror(errno));
	}
}
