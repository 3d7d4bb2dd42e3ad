/*
 * Kernel uevents (NETLINK_KOBJECT_UEVENT datagrams): "ACTION@DEVPATH"
 * followed by NUL-separated KEY=VALUE fields. The caller receives them and
 * checks the sender is the kernel (nl_pid 0); this only reads the text.
 *
 * Linux's vmgenid driver sent, for a while before upstream reverted it,
 * a "change" uevent with the field NEW_VMGENID=1 when the hypervisor
 * changed the VM generation id (Debian's 6.1 and 6.12 do not; guestd
 * reads the id itself, agent/time/vmgenid_watch.h). A synthetic uevent written
 * to a sysfs uevent file cannot fake it: the kernel prefixes its
 * arguments with SYNTH_ARG_.
 */
#ifndef GD_UEVENT_H
#define GD_UEVENT_H

#include <stddef.h>

#define GD_UEVENT_MAX 8192 /* receive buffer; a longer datagram is ignored */

/* 1 when msg[len] is a "change@" uevent with a field NEW_VMGENID=1. */
int gd_uevent_is_vmgenid(const char *msg, size_t len);

/*
 * N when msg[len] is an "add@" uevent of subsystem input for the device
 * node input/eventN (an evdev node, which devtmpfs has made by the time
 * the uevent is sent); -1 otherwise.
 */
int gd_uevent_input_add(const char *msg, size_t len);

/*
 * 1 when msg[len] is an "add@" or "change@" uevent of subsystem
 * virtio-ports: a port appeared, or learned its name (the host sends the
 * name after the port is added, with a change uevent).
 */
int gd_uevent_is_virtio_port(const char *msg, size_t len);

#endif
