/*
 * A disk's address (PCI controller, bus type, bus, target, unit) from
 * its sysfs device path, the way qemu-ga 7.2 derives it for
 * guest-get-fsinfo and guest-get-disks. Only the path string is read
 * here; the agent reads the driver links and host directories.
 *
 *   /sys/devices/pci0000:00/0000:00:04.0/virtio1/block/vdb
 *                           ^ gd_blk_pci_first: 0000:00:04.0
 */
#ifndef GD_BLKADDR_H
#define GD_BLKADDR_H

#include <stddef.h>

struct gd_blk_pci {
	int domain, bus, slot, function; /* -1 each when unknown */
};

struct gd_blk_addr {
	struct gd_blk_pci pci;
	const char *bus_type; /* GuestDiskBusType: "virtio", "scsi", ... */
	int bus, target, unit;
};

/* An address with nothing known (qemu-ga's starting point). */
void gd_blk_addr_init(struct gd_blk_addr *a);
/*
 * The first PCI function after "/devices/pciDDDD:BB/" in path: the
 * offset just past it, or -1 when path is not a PCI device's.
 */
int gd_blk_pci_first(const char *path, struct gd_blk_pci *pci);
/* A "/DDDD:BB:SS.F" component at s: its length, or -1. */
int gd_blk_pci_next(const char *s, struct gd_blk_pci *pci);
/* "host12" with prefix "host": 0 with *v = 12; -1 when it is not so. */
int gd_blk_prefixed_num(const char *s, const char *prefix, unsigned *v);
/* 1 for a controller driver qemu-ga knows (virtio-pci, ahci, nvme...). */
int gd_blk_driver_known(const char *driver);
/* SCSI "/targetH:C:T/H:C:T:L": tgt = {C, T, L}; 0, or -1 if absent. */
int gd_blk_target(const char *path, unsigned tgt[3]);
/*
 * The ATA port ("/ataN") or SCSI host ("/hostN") in path: 0 with *num,
 * *is_ata and *dir_len (the length of the directory listing its
 * siblings); -1 when there is none.
 */
int gd_blk_host(const char *path, unsigned *num, int *is_ata,
		size_t *dir_len);
/*
 * Fill bus type, bus and unit for a known driver: tgt NULL when there is
 * no target, host_index the host's rank among its siblings (-1: none).
 * 0, or -1 when the path does not fit the driver.
 */
int gd_blk_fill(struct gd_blk_addr *a, const char *driver,
		const unsigned *tgt, int host_index);

#endif
