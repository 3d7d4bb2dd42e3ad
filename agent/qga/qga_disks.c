/*
 * guest-get-disks (qga_fs.h): every entry of /sys/block of nonzero
 * size, its partitions after it, in the order qemu-ga 7.2 gives them
 * (it prepends each as it reads the directories: the listing reversed).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "blkdev.h"
#include "dirscan.h"
#include "qga_fs.h"
#include "sysinfo.h"

#define GD_DISKS_MAX 256 /* disks and partitions listed */
#define GD_DISK_DEPS_MAX 16 /* slaves of one disk */

struct disk {
	char name[32];              /* the kernel's (DISK_NAME_LEN) */
	char dev[GD_BLKDEV_NODE_MAX];
	int part;                   /* a partition of the disk at parent */
	int parent;
};

static struct disk disks[GD_DISKS_MAX];

static int nonzero_size(const char *name)
{
	char path[128], text[32];

	snprintf(path, sizeof path, "/sys/block/%s/size", name);
	return gd_read_small_file(path, text, sizeof text) > 0 &&
	       strcmp(text, "0\n") != 0;
}

static int add(int *n, const char *name, const char *sysdir, int parent)
{
	struct disk *d = &disks[*n];

	if (strlen(name) >= sizeof d->name ||
	    gd_blkdev_node(sysdir, d->dev, sizeof d->dev))
		return 0; /* qemu-ga: no device node, not listed */
	if (*n == GD_DISKS_MAX)
		return -1;
	snprintf(d->name, sizeof d->name, "%s", name);
	d->part = parent >= 0;
	d->parent = parent;
	(*n)++;
	return 0;
}

/* A disk's partitions: "<disk>N" or "<disk>pN" directories. */
static int add_partitions(int *n, int disk)
{
	char dir[128], sub[192];
	const char *dname = disks[disk].name, *e;
	size_t len = strlen(dname);
	struct gd_dirscan d;
	struct stat st;
	int rc = 0;

	snprintf(dir, sizeof dir, "/sys/block/%s", dname);
	if (gd_dir_open(&d, dir))
		return 0;
	while (rc == 0 && (e = gd_dir_next(&d))) {
		const char *t = e + len;

		if (strncmp(e, dname, len) != 0 ||
		    !((t[0] == 'p' && t[1] >= '0' && t[1] <= '9') ||
		      (t[0] >= '0' && t[0] <= '9')) ||
		    snprintf(sub, sizeof sub, "%s/%s", dir, e) >= (int)sizeof sub ||
		    stat(sub, &st) || !S_ISDIR(st.st_mode))
			continue;
		rc = add(n, e, sub, disk);
	}
	gd_dir_close(&d);
	return rc;
}

static int list_disks(int *n)
{
	struct gd_dirscan d;
	const char *e;
	char dir[128];
	struct stat st;
	int rc = 0;

	if (gd_dir_open(&d, "/sys/block"))
		return -2;
	while (rc == 0 && (e = gd_dir_next(&d))) {
		int before = *n;

		snprintf(dir, sizeof dir, "/sys/block/%s", e);
		if (lstat(dir, &st) || !S_ISLNK(st.st_mode) || !nonzero_size(e))
			continue;
		rc = add(n, e, dir, -1);
		if (rc == 0 && *n > before)
			rc = add_partitions(n, before);
	}
	gd_dir_close(&d);
	return rc;
}

/* A disk's slaves, as device nodes, last listed first. */
static void write_deps(struct gd_json *j, const struct disk *dk)
{
	char dir[128], sub[192], dev[GD_DISK_DEPS_MAX][GD_BLKDEV_NODE_MAX];
	struct gd_dirscan d;
	const char *e;
	int k = 0;

	snprintf(dir, sizeof dir, "/sys/block/%s/slaves", dk->name);
	if (gd_dir_open(&d, dir))
		return; /* no member at all, as qemu-ga */
	while ((e = gd_dir_next(&d)) && k < GD_DISK_DEPS_MAX)
		if (snprintf(sub, sizeof sub, "%s/%s", dir, e) < (int)sizeof sub &&
		    gd_blkdev_node(sub, dev[k], sizeof dev[k]) == 0)
			k++;
	gd_dir_close(&d);
	gd_json_key(j, "dependencies");
	gd_json_arr_begin(j);
	while (k > 0)
		gd_json_str(j, dev[--k]);
	gd_json_arr_end(j);
}

/* dm's name (udev's DM_NAME), else nothing. */
static void write_alias(struct gd_json *j, const char *name)
{
	char path[128], alias[128];
	long n;

	snprintf(path, sizeof path, "/sys/block/%s/dm/name", name);
	n = gd_read_small_file(path, alias, sizeof alias);
	while (n > 0 && alias[n - 1] == '\n')
		alias[--n] = '\0';
	if (n > 0) {
		gd_json_key(j, "alias");
		gd_json_str(j, alias);
	}
}

static void write_disk(struct gd_json *j, const struct disk *dk)
{
	char dir[128], sys[PATH_MAX];
	struct gd_blkdev bd;

	gd_json_obj_begin(j);
	gd_json_key(j, "name");
	gd_json_str(j, dk->dev);
	if (dk->part) {
		gd_json_key(j, "dependencies");
		gd_json_arr_begin(j);
		gd_json_str(j, disks[dk->parent].dev);
		gd_json_arr_end(j);
	} else {
		write_deps(j, dk);
	}
	gd_json_key(j, "partition");
	gd_json_bool(j, dk->part);
	snprintf(dir, sizeof dir, "/sys/block/%s", dk->name);
	if (!dk->part && gd_blkdev_resolve(dir, sys, sizeof sys) == 0 && !gd_blkdev_is_virtual(sys) &&
	    gd_blkdev_real(sys, &bd)) {
		gd_json_key(j, "address");
		gd_blkdev_write(j, &bd);
	}
	if (!dk->part)
		write_alias(j, dk->name);
	gd_json_obj_end(j);
}

int gd_qga_cmd_get_disks(struct gd_qga_call *call)
{
	int n = 0, rc = list_disks(&n);

	if (rc == -2)
		return gd_qga_fail(call, "GenericError", "Can't open directory "
				   "\"/sys/block\"");
	if (rc < 0)
		return gd_qga_fail(call, "GenericError", "more than %d disks "
				   "and partitions", GD_DISKS_MAX);
	gd_json_arr_begin(call->j);
	while (n > 0)
		write_disk(call->j, &disks[--n]);
	gd_json_arr_end(call->j);
	return 0;
}
