/*
 * Block devices as qemu-ga 7.2 describes them (GuestDiskAddress), from
 * sysfs alone: no udev in a guestd guest, so the device node is "/dev/"
 * and the uevent's DEVNAME (what udev names it), and the serial number
 * is a virtio disk's serial attribute (what udev's ID_SERIAL holds for
 * one); other buses get none. Shared by qga_fsinfo.c and qga_disks.c.
 */
#ifndef GD_BLKDEV_H
#define GD_BLKDEV_H

#include <limits.h>

#include "blkaddr.h"
#include "json_out.h"

#define GD_BLKDEV_NODE_MAX 64   /* "/dev/" and a kernel name (32) */
#define GD_BLKDEV_SERIAL_MAX 64 /* virtio-blk serials are 20 bytes */
#define GD_BLKDEV_HOSTS_MAX 8   /* sibling hosts ranked (qemu-ga's 8) */

struct gd_blkdev {
	struct gd_blk_addr addr;
	char dev[GD_BLKDEV_NODE_MAX];       /* "" when unknown */
	char serial[GD_BLKDEV_SERIAL_MAX];  /* "" when none */
};

/*
 * realpath(3) without its allocation (musl's strdups): the path of what
 * path opens to, from /proc/self/fd. 0, or -1 with errno (ENOENT kept).
 */
int gd_blkdev_resolve(const char *path, char *out, size_t cap);
/* 1 when the resolved sysfs path is a virtual device's (dm, md, loop). */
int gd_blkdev_is_virtual(const char *syspath);
/* "/dev/" + DEVNAME of sysfs directory dir into out[cap]; 0 or -1. */
int gd_blkdev_node(const char *dir, char *out, size_t cap);
/*
 * The address of the real device at syspath (resolved): 1 when qemu-ga
 * would list it (hardware found, or a node or a serial), else 0.
 */
int gd_blkdev_real(const char *syspath, struct gd_blkdev *d);
/* d as a GuestDiskAddress object, members in qemu-ga's order. */
void gd_blkdev_write(struct gd_json *j, const struct gd_blkdev *d);

#endif
