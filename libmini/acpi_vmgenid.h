/*
 * Where the VM generation id lives, read from the ACPI table that
 * describes it, so that guestd can watch the id itself: Linux's vmgenid
 * driver only reseeds the kernel's RNG when the id changes and tells user
 * space nothing (its NEW_VMGENID uevent was reverted upstream; Debian's
 * 6.1 and 6.12 kernels do not send it), and bookworm's cloud kernel has no
 * vmgenid driver at all.
 *
 * QEMU's vmgenid device (docs/specs/vmgenid in QEMU) adds an SSDT with the
 * OEM table id "VMGENID" holding
 *   Name (VGIA, <DWord>)            the guest-physical address of the
 *                                   firmware-allocated page with the id,
 *   ... Add (VGIA, <offset>, ...)   in method ADDR: where in that page the
 *                                   16-byte id starts (40, for OVMF).
 * The firmware patches VGIA at boot; 0 means it has not (no id yet).
 */
#ifndef GD_ACPI_VMGENID_H
#define GD_ACPI_VMGENID_H

#include <stddef.h>
#include <stdint.h>

#define GD_ACPI_HDR_LEN 36 /* the standard ACPI table header */
#define GD_VMGENID_LEN 16  /* the id: a GUID */

/*
 * Parse one ACPI table (all len bytes of it). Returns 0 and sets *phys to
 * the guest-physical address of the id when table is QEMU's VMGENID SSDT
 * with a patched VGIA; -1 otherwise.
 */
int gd_vmgenid_locate(const uint8_t *table, size_t len, uint64_t *phys);

#endif
