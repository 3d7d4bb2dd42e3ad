/* The API filesystems an init provides: mount what is missing, undo it last. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "agent.h"
#include "buf.h"
#include "pid1.h"

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

/* 1 when fs was mounted now (its debug line written), else 0. */
static int mount_one(struct gd_agent *a, const struct fs_spec *fs)
{
	struct gd_pid1 *p = a->init;

	if (is_mountpoint(fs->path)) {
		gd_logf(&a->log, GD_LOG_DEBUG, "%s already mounted", fs->path);
		return 0;
	}
	if (mkdir(fs->path, fs->dir_mode) != 0 && errno != EEXIST) {
		gd_logf(&a->log, GD_LOG_WARN, "mkdir %s: %s", fs->path,
			strerror(errno));
		return 0;
	}
	if (mount(fs->source, fs->path, fs->type, fs->flags, fs->options)) {
		gd_logf(&a->log, GD_LOG_WARN, "mount %s on %s: %s", fs->type,
			fs->path, strerror(errno));
		return 0;
	}
	gd_logf(&a->log, GD_LOG_DEBUG, "mounted %s on %s", fs->type, fs->path);
	if (p->nmounted < GD_MAX_MOUNTS)
		p->mounted[p->nmounted++] = fs->path;
	return 1;
}

/*
 * Mount what is missing, then say it in one line: the log is reopened
 * first, so with /dev mounted the line goes to /dev/kmsg, time-stamped,
 * instead of straight to the console.
 */
void gd_mounts_setup(struct gd_agent *a)
{
	char text[GD_LOG_LINE_MAX - 64];
	struct gd_buf b;

	gd_buf_init(&b, (uint8_t *)text, sizeof text - 1);
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		const struct fs_spec *fs = &specs[i];
		char one[64];
		int n;

		if (!mount_one(a, fs))
			continue;
		n = snprintf(one, sizeof one, "%s%s on %s", b.len ? ", " : "",
			     fs->type, fs->path);
		if (n > 0 && (size_t)n < sizeof one && b.cap - b.len > (size_t)n)
			gd_buf_put(&b, one, (size_t)n);
	}
	gd_log_setup(a);
	text[b.len] = '\0';
	if (b.len)
		gd_logf(&a->log, GD_LOG_INFO, "mounted %s", text);
}

void gd_mounts_release(struct gd_agent *a)
{
	struct gd_pid1 *p = a->init;

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
