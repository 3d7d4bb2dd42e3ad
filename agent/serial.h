/*
 * The serial transport: one long-lived byte stream on a virtio-serial port
 * (found by its name under /sys/class/virtio-ports) or a tty path. It holds
 * a connection slot for as long as it is open. The host side comes and
 * goes (QEMU's chardev socket has one client at a time): a hang-up drops
 * the partial input and queued output and the port is reopened after
 * GD_SERIAL_RETRY_MS, as it is while the port does not exist yet.
 */
#ifndef GD_SERIAL_H
#define GD_SERIAL_H

#include <stddef.h>

#include "agent.h"

#define GD_SERIAL_RETRY_MS 100
#define GD_SERIAL_SYSFS "/sys/class/virtio-ports"

/*
 * Resolve spec (a port name such as org.guestd.0, or a path starting with
 * '/') to a device path in dev[cap]. 0 on success, -1 if no such port.
 */
int gd_serial_resolve(const char *sysfs, const char *spec, char *dev,
		      size_t cap);
/* Open the configured port now or schedule a retry. */
void gd_serial_open(struct gd_agent *a);
/* The host hung up or the stream broke: release and schedule a reopen. */
void gd_serial_hangup(struct gd_agent *a, struct gd_conn *c);
/* Reopen when due; milliseconds until the next retry (-1 for none). */
int gd_serial_tick(struct gd_agent *a, unsigned long long now_ns);

#endif
