/* GuestDiskAddress from sysfs (blkdev.h). */
#include "blkdev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirscan.h"
#include "sysinfo.h"

int gd_blkdev_resolve(const char *path, char *out, size_t cap)
{
	char link[32];
	int fd = open(path, O_PATH | O_CLOEXEC), e;
	ssize_t n;

	if (fd < 0)
		return -1;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, out, cap - 1);
	e = errno;
	close(fd);
	if (n < 0 || (size_t)n >= cap - 1) {
		errno = n < 0 ? e : ENAMETOOLONG;
		return -1;
	}
	out[n] = '\0';
	return 0;
}

int gd_blkdev_is_virtual(const char *syspath)
{
	return strstr(syspath, "/devices/virtual/block/") != NULL;
}

int gd_blkdev_node(const char *dir, char *out, size_t cap)
{
	char path[PATH_MAX], text[1024];
	const char *p;
	size_t n;

	if (snprintf(path, sizeof path, "%s/uevent", dir) >= (int)sizeof path ||
	    gd_read_small_file(path, text, sizeof text) < 0)
		return -1;
	p = strstr(text, "DEVNAME=");
	if (!p || (p != text && p[-1] != '\n'))
		return -1;
	p += 8;
	n = strcspn(p, "\n");
	if (n == 0 || n + 6 > cap)
		return -1;
	snprintf(out, cap, "/dev/%.*s", (int)n, p);
	return 0;
}

/* A virtio disk's serial (a partition's is its disk's), trimmed. */
static void serial_of(const char *syspath, char *out, size_t cap)
{
	char path[PATH_MAX];
	long n = -1;

	out[0] = '\0';
	if (!strstr(syspath, "/virtio"))
		return;
	if (snprintf(path, sizeof path, "%s/serial", syspath) < (int)sizeof path)
		n = gd_read_small_file(path, out, cap);
	if (n < 0 && snprintf(path, sizeof path, "%s/../serial", syspath) <
		     (int)sizeof path)
		n = gd_read_small_file(path, out, cap);
	if (n < 0)
		n = 0;
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '))
		n--;
	out[n] = '\0';
}

/* The driver bound to the device directory path[0..len]: 0 or -1. */
static int driver_of(const char *path, size_t len, char *out, size_t cap)
{
	char link[PATH_MAX], target[PATH_MAX];
	const char *base;
	ssize_t n;

	if (snprintf(link, sizeof link, "%.*s/driver", (int)len, path) >=
	    (int)sizeof link)
		return -1;
	n = readlink(link, target, sizeof target - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= cap)
		return -1;
	memcpy(out, base, strlen(base) + 1);
	return 0;
}

/* The rank of host num among the ataN or hostN entries beside it. */
static int host_rank(const char *path, size_t dir_len, int is_ata,
		     unsigned num)
{
	char dir[PATH_MAX];
	struct gd_dirscan d;
	const char *name;
	unsigned below = 0, seen = 0, v;
	int found = 0;

	if (dir_len >= sizeof dir)
		return -1;
	memcpy(dir, path, dir_len);
	dir[dir_len] = '\0';
	if (gd_dir_open(&d, dir))
		return -1;
	while ((name = gd_dir_next(&d)) && seen < GD_BLKDEV_HOSTS_MAX)
		if (gd_blk_prefixed_num(name, is_ata ? "ata" : "host", &v) == 0) {
			seen++;
			below += v < num;
			found |= v == num;
		}
	gd_dir_close(&d);
	return found ? (int)below : -1;
}

/* The PCI part (qemu-ga's build_guest_fsinfo_for_pci_dev): 1 if found. */
static int pci_dev(const char *sys, struct gd_blk_addr *a)
{
	struct gd_blk_pci pci;
	char driver[64];
	unsigned tgt[3], host;
	int off = gd_blk_pci_first(sys, &pci), k, is_ata, rank = -1, has_tgt;
	size_t dir_len;

	if (off < 0)
		return 0;
	while (driver_of(sys, (size_t)off, driver, sizeof driver) ||
	       !gd_blk_driver_known(driver)) {
		if ((k = gd_blk_pci_next(sys + off, &pci)) < 0)
			return 0;
		off += k;
	}
	has_tgt = gd_blk_target(sys, tgt) == 0;
	if (gd_blk_host(sys, &host, &is_ata, &dir_len) == 0)
		rank = host_rank(sys, dir_len, is_ata, host);
	a->pci = pci;
	return gd_blk_fill(a, driver, has_tgt ? tgt : NULL, rank) == 0;
}

int gd_blkdev_real(const char *syspath, struct gd_blkdev *d)
{
	int hw = 0;
	unsigned tgt[3];

	gd_blk_addr_init(&d->addr);
	if (gd_blkdev_node(syspath, d->dev, sizeof d->dev))
		d->dev[0] = '\0';
	serial_of(syspath, d->serial, sizeof d->serial);
	if (strstr(syspath, "/devices/pci")) {
		hw = pci_dev(syspath, &d->addr);
	} else if (strstr(syspath, "/virtio") && strstr(syspath, "/block")) {
		hw = 1; /* virtio without PCI (virtio-mmio) */
		if (gd_blk_target(syspath, tgt) == 0) {
			d->addr.bus_type = "scsi";
			d->addr.bus = (int)tgt[0];
			d->addr.target = (int)tgt[1];
			d->addr.unit = (int)tgt[2];
		} else {
			d->addr.bus_type = "virtio";
		}
	}
	return hw || d->dev[0] || d->serial[0];
}

static void member_int(struct gd_json *j, const char *key, int v)
{
	gd_json_key(j, key);
	gd_json_i64(j, v);
}

void gd_blkdev_write(struct gd_json *j, const struct gd_blkdev *d)
{
	gd_json_obj_begin(j);
	if (d->serial[0]) {
		gd_json_key(j, "serial");
		gd_json_str(j, d->serial);
	}
	gd_json_key(j, "bus-type");
	gd_json_str(j, d->addr.bus_type);
	member_int(j, "bus", d->addr.bus);
	member_int(j, "unit", d->addr.unit);
	gd_json_key(j, "pci-controller");
	gd_json_obj_begin(j);
	member_int(j, "bus", d->addr.pci.bus);
	member_int(j, "slot", d->addr.pci.slot);
	member_int(j, "domain", d->addr.pci.domain);
	member_int(j, "function", d->addr.pci.function);
	gd_json_obj_end(j);
	if (d->dev[0]) {
		gd_json_key(j, "dev");
		gd_json_str(j, d->dev);
	}
	member_int(j, "target", d->addr.target);
	gd_json_obj_end(j);
}
