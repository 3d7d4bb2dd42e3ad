/*
 * Unit tests for the pure parts of the filesystem commands:
 * libmini/mountinfo.c (lines parsed in place, escapes, optional fields,
 * read-only flags), libmini/fsplan.c (what a freeze takes, superblocks
 * once, hook names) and libmini/blkaddr.c (disk addresses from sysfs
 * paths, checked against what qemu-ga 7.2 reports for the same paths).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "blkaddr.h"
#include "fsplan.h"
#include "mountinfo.h"

static void test_parse_line(void **state)
{
	char line[] = "36 35 98:0 /mnt1 /mnt/my\\040disk rw,noatime master:1 "
		      "shared:7 - ext4 /dev/my\\134disk rw,errors=continue";
	struct gd_mount m;

	(void)state;
	assert_int_equal(gd_mount_parse(line, &m), 0);
	assert_int_equal(m.major, 98);
	assert_int_equal(m.minor, 0);
	assert_string_equal(m.mountpoint, "/mnt/my disk");
	assert_string_equal(m.fstype, "ext4");
	assert_string_equal(m.source, "/dev/my\\disk");
	assert_int_equal(m.ro, 0);
	assert_int_equal(m.sb_ro, 0);
}

static void test_parse_ro_and_bad(void **state)
{
	char ro[] = "28 27 0:25 / /mnt/t ro,nosuid - tmpfs none ro,size=4k";
	char sb_ro[] = "29 27 7:1 / /b rw - ext4 /dev/loop1 ro";
	char no_sep[] = "29 27 7:1 / /b rw ext4 /dev/loop1 ro";
	char bad_dev[] = "29 27 7x1 / /b rw - ext4 /dev/loop1 rw";
	char short_line[] = "29 27 7:1 /";
	struct gd_mount m;

	(void)state;
	assert_int_equal(gd_mount_parse(ro, &m), 0);
	assert_int_equal(m.ro, 1);
	assert_int_equal(m.sb_ro, 1);
	assert_int_equal(gd_mount_parse(sb_ro, &m), 0);
	assert_int_equal(m.ro, 0);
	assert_int_equal(m.sb_ro, 1);
	assert_int_equal(gd_mount_parse(no_sep, &m), -1);
	assert_int_equal(gd_mount_parse(bad_dev, &m), -1);
	assert_int_equal(gd_mount_parse(short_line, &m), -1);
	assert_int_equal(gd_mount_has_opt("rw,relatime", "ro"), 0);
	assert_int_equal(gd_mount_has_opt("rw,ro", "ro"), 1);
	assert_int_equal(gd_mount_has_opt("rw,rox", "ro"), 0);
}

static void test_next_line(void **state)
{
	char text[] = "a\nbb\n\nccc";
	size_t pos = 0;

	(void)state;
	assert_string_equal(gd_mount_next_line(text, 9, &pos), "a");
	assert_string_equal(gd_mount_next_line(text, 9, &pos), "bb");
	assert_string_equal(gd_mount_next_line(text, 9, &pos), "");
	assert_string_equal(gd_mount_next_line(text, 9, &pos), "ccc");
	assert_null(gd_mount_next_line(text, 9, &pos));
}

static struct gd_mount mnt(unsigned major, const char *path, const char *type,
			   int ro)
{
	struct gd_mount m = { major, 1, (char *)path, (char *)type,
			      (char *)"src", ro, 0 };
	return m;
}

static void test_verdict(void **state)
{
	const char *only[] = { "/data", "/srv" };
	struct gd_mount ext4 = mnt(254, "/data", "ext4", 0);
	struct gd_mount root = mnt(254, "/", "ext4", 0);
	struct gd_mount tmp = mnt(0, "/tmp", "tmpfs", 0);
	struct gd_mount btrfs = mnt(0, "/b", "btrfs", 0);
	struct gd_mount ro = mnt(8, "/boot", "ext4", 1);

	(void)state;
	assert_int_equal(gd_fsp_verdict(&ext4, NULL, NULL, 0), GD_FSP_TAKE);
	assert_int_equal(gd_fsp_verdict(&tmp, NULL, NULL, 0), GD_FSP_PSEUDO);
	assert_int_equal(gd_fsp_verdict(&btrfs, "", NULL, 0), GD_FSP_TAKE);
	assert_int_equal(gd_fsp_verdict(&ro, NULL, NULL, 0), GD_FSP_RDONLY);
	assert_int_equal(gd_fsp_verdict(&root, "/x\n/", NULL, 0),
			 GD_FSP_EXCLUDED);
	assert_int_equal(gd_fsp_verdict(&ext4, "/x\n/", NULL, 0), GD_FSP_TAKE);
	assert_int_equal(gd_fsp_verdict(&ext4, "/dat", NULL, 0), GD_FSP_TAKE);
	assert_int_equal(gd_fsp_verdict(&ext4, NULL, only, 2), GD_FSP_TAKE);
	assert_int_equal(gd_fsp_verdict(&root, NULL, only, 2), GD_FSP_UNLISTED);
	assert_int_equal(gd_fsp_verdict(&root, NULL, only, 0), GD_FSP_UNLISTED);
	assert_int_equal(gd_fsp_block_backed(&tmp), 0);
	assert_int_equal(gd_fsp_block_backed(&ro), 1);
}

static void test_seen(void **state)
{
	uint64_t dev[2];
	struct gd_fsp_seen s = { dev, 0, 2 };

	(void)state;
	assert_int_equal(gd_fsp_seen_add(&s, 7, 0), 1);
	assert_int_equal(gd_fsp_seen_add(&s, 7, 0), 0);
	assert_int_equal(gd_fsp_seen_has(&s, 7, 0), 1);
	assert_int_equal(gd_fsp_seen_has(&s, 0, 7), 0);
	assert_int_equal(gd_fsp_seen_add(&s, 0, 7), 1);
	assert_int_equal(gd_fsp_seen_add(&s, 8, 0), -1);
	assert_int_equal(gd_fsp_seen_add(&s, 7, 0), 0);
}

static void test_hook_names(void **state)
{
	(void)state;
	assert_int_equal(gd_fsp_hook_name_ok("10-mysql"), 1);
	assert_int_equal(gd_fsp_hook_name_ok("a.sh"), 1);
	assert_int_equal(gd_fsp_hook_name_ok(".hidden"), 0);
	assert_int_equal(gd_fsp_hook_name_ok("x~"), 0);
	assert_int_equal(gd_fsp_hook_name_ok("x.bak"), 0);
	assert_int_equal(gd_fsp_hook_name_ok("x.dpkg-dist"), 0);
	assert_int_equal(gd_fsp_hook_name_ok("x.rpmnew"), 0);
	assert_int_equal(gd_fsp_hook_name_ok("x.sample"), 0);
	assert_int_equal(gd_fsp_hook_name_ok(""), 0);
}

/* The root disk of the machine these tests were written on: qemu-ga 7.2
 * reported pci-controller 0000:00:02.0, bus-type virtio for it. */
static void test_blk_virtio(void **state)
{
	const char *p = "/sys/devices/pci0000:00/0000:00:02.0/virtio0/block/vda";
	struct gd_blk_addr a;
	struct gd_blk_pci pci;
	unsigned tgt[3], host;
	int off, ata;
	size_t dl;

	(void)state;
	off = gd_blk_pci_first(p, &pci);
	assert_int_equal(off, (int)strlen("/sys/devices/pci0000:00/0000:00:02.0"));
	assert_int_equal(pci.domain, 0);
	assert_int_equal(pci.bus, 0);
	assert_int_equal(pci.slot, 2);
	assert_int_equal(pci.function, 0);
	assert_int_equal(gd_blk_pci_next(p + off, &pci), -1);
	assert_int_equal(gd_blk_target(p, tgt), -1);
	assert_int_equal(gd_blk_host(p, &host, &ata, &dl), -1);
	gd_blk_addr_init(&a);
	assert_string_equal(a.bus_type, "unknown");
	assert_int_equal(a.pci.slot, -1);
	a.pci = pci;
	assert_int_equal(gd_blk_fill(&a, "virtio-pci", NULL, -1), 0);
	assert_string_equal(a.bus_type, "virtio");
	assert_int_equal(gd_blk_driver_known("virtio-pci"), 1);
	assert_int_equal(gd_blk_driver_known("e1000"), 0);
}

static void test_blk_scsi_bridge(void **state)
{
	const char *p = "/sys/devices/pci0000:00/0000:00:1c.0/0000:01:00.0/"
			"virtio3/host2/target2:0:1/2:0:1:5/block/sdb";
	struct gd_blk_addr a;
	struct gd_blk_pci pci;
	unsigned tgt[3], host;
	int off, k, ata;
	size_t dl;

	(void)state;
	off = gd_blk_pci_first(p, &pci);
	assert_int_equal(pci.slot, 0x1c);
	k = gd_blk_pci_next(p + off, &pci);
	assert_int_equal(k, (int)strlen("/0000:01:00.0"));
	assert_int_equal(pci.bus, 1);
	assert_int_equal(pci.slot, 0);
	assert_int_equal(gd_blk_target(p, tgt), 0);
	assert_int_equal(tgt[0], 0);
	assert_int_equal(tgt[1], 1);
	assert_int_equal(tgt[2], 5);
	assert_int_equal(gd_blk_host(p, &host, &ata, &dl), 0);
	assert_int_equal(host, 2);
	assert_int_equal(ata, 0);
	assert_int_equal(dl, strstr(p, "/host2") - p);
	gd_blk_addr_init(&a);
	assert_int_equal(gd_blk_fill(&a, "virtio-pci", tgt, 0), 0);
	assert_string_equal(a.bus_type, "scsi");
	assert_int_equal(a.unit, 5);
	assert_int_equal(gd_blk_fill(&a, "ahci", NULL, 0), -1);
	assert_int_equal(gd_blk_fill(&a, "ahci", tgt, 3), 0);
	assert_string_equal(a.bus_type, "sata");
	assert_int_equal(a.unit, 3);
	assert_int_equal(gd_blk_fill(&a, "ata_piix", tgt, 1), 0);
	assert_string_equal(a.bus_type, "ide");
	assert_int_equal(a.bus, 1);
	assert_int_equal(a.unit, 1);
	assert_int_equal(gd_blk_fill(&a, "nvme", NULL, -1), 0);
	assert_string_equal(a.bus_type, "nvme");
	assert_int_equal(gd_blk_fill(&a, "e1000", NULL, -1), -1);
	assert_int_equal(gd_blk_pci_first("/sys/devices/virtual/block/loop0",
					  &pci), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_parse_ro_and_bad),
		cmocka_unit_test(test_next_line),
		cmocka_unit_test(test_verdict),
		cmocka_unit_test(test_seen),
		cmocka_unit_test(test_hook_names),
		cmocka_unit_test(test_blk_virtio),
		cmocka_unit_test(test_blk_scsi_bridge),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
