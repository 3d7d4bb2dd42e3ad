/*
 * ACPI events over generic netlink, as the kernel's drivers/acpi/event.c
 * sends them (what acpid reads): family "acpi_event", multicast group
 * "acpi_mc_group", command 1 with one attribute 1 holding
 *
 *   char device_class[20]; char bus_id[15]; u32 type; u32 data;
 *
 * The power button's class is "button/power" (bus id LNXPWRBN:00 for the
 * fixed-hardware button QEMU and Cloud Hypervisor have, PNP0C0C:00 for a
 * control-method one). Only the bytes are built and read here; the
 * caller owns the socket.
 */
#ifndef GD_ACPI_EVENT_H
#define GD_ACPI_EVENT_H

#include <stddef.h>
#include <stdint.h>

#define GD_ACPI_FAMILY "acpi_event"
#define GD_ACPI_GROUP "acpi_mc_group"
#define GD_ACPI_CLASS_MAX 20
#define GD_ACPI_BUS_ID_MAX 15
#define GD_GENL_MSG_MAX 4096   /* a family reply or an event datagram */

struct gd_acpi_event {
	char device_class[GD_ACPI_CLASS_MAX + 1];
	char bus_id[GD_ACPI_BUS_ID_MAX + 1];
	uint32_t type;
	uint32_t data;
};

/* CTRL_CMD_GETFAMILY for the acpi_event family into buf; its length or 0. */
size_t gd_genl_family_request(uint8_t *buf, size_t cap, uint32_t seq);
/*
 * Read the controller's answer: 0 with the family and the group's id,
 * -errno when the kernel answered an error (-ENOENT: no such family),
 * -EPROTO for a malformed or incomplete answer (no such group).
 */
int gd_genl_family_reply(const uint8_t *buf, size_t len, uint16_t *family,
			 uint32_t *group);
/*
 * Find the next ACPI event in a datagram of the given family starting at
 * *off (0 at first); 1 and *ev filled, 0 when there is none left.
 */
int gd_acpi_event_next(const uint8_t *buf, size_t len, size_t *off,
		       uint16_t family, struct gd_acpi_event *ev);
/* 1 when ev is a power button press. */
int gd_acpi_event_is_power(const struct gd_acpi_event *ev);

#endif
