/*
 * The VM generation id, watched by reading it: found through the ACPI
 * VMGENID table (libmini/acpi_vmgenid.h), mapped from /dev/mem (read(2)
 * there stops at the end of RAM; the id lives in firmware-reserved memory
 * above it) and compared on every clock check. A new id means the VM was
 * restored from a snapshot or cloned, which the guest's clocks cannot show
 * (a restored guest's clocks simply go on from where they were saved).
 */
#ifndef GD_VMGENID_WATCH_H
#define GD_VMGENID_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "acpi_vmgenid.h"
#include "log.h"

#define GD_ACPI_TABLES_DIR "/sys/firmware/acpi/tables"
#define GD_DEV_MEM "/dev/mem"
#define GD_VMGENID_TABLE_MAX 1024 /* QEMU's VMGENID SSDT is 202 bytes */
#define GD_ACPI_SSDT_FILES 32     /* SSDT, SSDT1 ... SSDT31 are looked at */

struct gd_vmgenid_watch {
	const volatile uint8_t *map; /* the id's page, NULL when not watching */
	const volatile uint8_t *at;  /* the id in it */
	size_t map_len;              /* the page size */
	uint64_t phys;               /* guest-physical address of the id */
	uint8_t id[GD_VMGENID_LEN];  /* the id last read */
};

/* Find the id and read it once; logs what it found. Never fatal. */
void gd_vmgenid_open(struct gd_vmgenid_watch *w, const struct gd_log *log);
/* 1 when the id differs from the last read (and remembers the new one). */
int gd_vmgenid_changed(struct gd_vmgenid_watch *w);
void gd_vmgenid_close(struct gd_vmgenid_watch *w);

#endif
