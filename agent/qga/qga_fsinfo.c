/*
 * guest-get-fsinfo (qga_fs.h): every block-backed mount, last mounted
 * first (qemu-ga prepends), with its usage from statvfs(2) and the disks
 * under it: a real device's address, or for a virtual one (dm, md) the
 * addresses of its slaves, recursively, listed last found first.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "blkdev.h"
#include "dirscan.h"
#include "fsfreeze_svc.h"
#include "qga_fs.h"

#define GD_FSI_DISKS_MAX 16 /* disks under one filesystem */
#define GD_FSI_DEPTH_MAX 8  /* virtual devices stacked on one another */

struct fs_disks {
	struct gd_blkdev d[GD_FSI_DISKS_MAX];
	int n;
	char err[GD_QGA_DESC_MAX];
};

static int add_device(struct fs_disks *fd, const char *devpath, int depth,
		      char *name, size_t name_cap);

/* The last component of path into name[cap] (cut short if need be). */
static void basename_to(char *name, size_t cap, const char *path)
{
	const char *b = strrchr(path, '/');
	size_t n;

	b = b ? b + 1 : path;
	n = strlen(b) < cap ? strlen(b) : cap - 1;
	memcpy(name, b, n);
	name[n] = '\0';
}

/* A virtual device's slaves, each added in turn. */
static int add_slaves(struct fs_disks *fd, const char *syspath, int depth)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct gd_dirscan d;
	const char *e;
	int rc = 0;

	if (snprintf(dir, sizeof dir, "%s/slaves", syspath) >= (int)sizeof dir ||
	    gd_dir_open(&d, dir))
		return 0;
	while (rc == 0 && (e = gd_dir_next(&d)))
		if (snprintf(path, sizeof path, "%s/%s", dir, e) < (int)sizeof path)
			rc = add_device(fd, path, depth + 1, NULL, 0);
	gd_dir_close(&d);
	return rc;
}

/* qemu-ga's build_guest_fsinfo_for_device: 0, or -1 with fd->err. */
static int add_device(struct fs_disks *fd, const char *devpath, int depth,
		      char *name, size_t name_cap)
{
	char sys[PATH_MAX];

	if (gd_blkdev_resolve(devpath, sys, sizeof sys)) {
		if (errno != ENOENT)
			return snprintf(fd->err, sizeof fd->err, "realpath(\"%s\"): %s",
					devpath, strerror(errno)), -1;
		if (name) /* no sysfs entry (a container): "MAJ:MIN" */
			basename_to(name, name_cap, devpath);
		return 0;
	}
	if (name)
		basename_to(name, name_cap, sys);
	if (depth >= GD_FSI_DEPTH_MAX)
		return snprintf(fd->err, sizeof fd->err, "block devices stacked "
				"more than %d deep", GD_FSI_DEPTH_MAX), -1;
	if (gd_blkdev_is_virtual(sys))
		return add_slaves(fd, sys, depth);
	if (fd->n == GD_FSI_DISKS_MAX)
		return snprintf(fd->err, sizeof fd->err, "more than %d disks "
				"under one filesystem", GD_FSI_DISKS_MAX), -1;
	fd->n += gd_blkdev_real(sys, &fd->d[fd->n]);
	return 0;
}

static void member_u64(struct gd_json *j, const char *key, uint64_t v)
{
	gd_json_key(j, key);
	gd_json_u64(j, v);
}

/* One GuestFilesystemInfo, members in qemu-ga's order. */
static int write_fs(struct gd_qga_call *call, const struct gd_mount *m)
{
	static struct fs_disks fd;
	struct gd_json *j = call->j;
	char devpath[64], name[256];
	struct statvfs st;
	int have = statvfs(m->mountpoint, &st) == 0;
	uint64_t used = have ? (uint64_t)(st.f_blocks - st.f_bfree) : 0;

	fd.n = 0;
	snprintf(devpath, sizeof devpath, "/sys/dev/block/%u:%u", m->major,
		 m->minor);
	if (add_device(&fd, devpath, 0, name, sizeof name))
		return gd_qga_fail(call, "GenericError", "%s", fd.err);
	gd_json_obj_begin(j);
	gd_json_key(j, "name");
	gd_json_str(j, name);
	if (have)
		member_u64(j, "total-bytes", (used + st.f_bavail) * st.f_frsize);
	gd_json_key(j, "mountpoint");
	gd_json_str(j, m->mountpoint);
	gd_json_key(j, "disk");
	gd_json_arr_begin(j);
	for (int i = fd.n - 1; i >= 0; i--)
		gd_blkdev_write(j, &fd.d[i]);
	gd_json_arr_end(j);
	if (have)
		member_u64(j, "used-bytes", used * st.f_frsize);
	gd_json_key(j, "type");
	gd_json_str(j, m->fstype);
	gd_json_obj_end(j);
	return 0;
}

int gd_qga_cmd_get_fsinfo(struct gd_qga_call *call)
{
	char err[GD_FSF_ERR_MAX];
	struct gd_mount *m;
	int n = gd_fsf_mounts(&m, err, sizeof err);

	if (n < 0)
		return gd_qga_fail(call, "GenericError", "%s", err);
	gd_json_arr_begin(call->j);
	for (int i = n - 1; i >= 0; i--)
		if (gd_fsp_block_backed(&m[i]) && write_fs(call, &m[i]))
			return -1;
	gd_json_arr_end(call->j);
	return 0;
}
