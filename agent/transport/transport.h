/*
 * The transport area (transport/): listen.c's listeners are opened and
 * closed through agent.h's gd_listeners_open/close (the shutdown sequence
 * closes them too); this header is the serial transport's.
 *
 * The serial transport: long-lived byte streams on virtio-serial ports
 * (found by name under /sys/class/virtio-ports) or tty paths, one per
 * configured port, each speaking its protocol (serial= native, qga-serial=
 * QGA). A port holds a connection slot for as long as it is open. The host
 * side comes and goes (QEMU's chardev socket has one client at a time): a
 * hang-up drops the partial input and queued output, and the port, kept
 * open, is looked at again when the kernel sends SIGIO for it (virtio
 * ports tell a host's arrival so), else every GD_SERIAL_RETRY_MS (a tty).
 * A port that does not exist yet is looked for when a virtio-ports uevent
 * comes (uevents.c), or without a uevent socket at the same pace as a
 * hung tty, except a quiet one (QGA's default name, which most guests
 * lack): no log, and waits doubling up to GD_SERIAL_QUIET_MAX_MS. So an
 * idle guestd has no timer for its ports.
 */
#ifndef GD_TRANSPORT_H
#define GD_TRANSPORT_H

#include <stddef.h>

#include "conn.h"

#define GD_SERIAL_RETRY_MS 100
#define GD_SERIAL_QUIET_MAX_MS 10000
#define GD_SERIAL_SYSFS "/sys/class/virtio-ports"

/*
 * Resolve spec (a port name such as org.guestd.0, or a path starting with
 * '/') to a device path in dev[cap]. 0 on success, -1 if no such port.
 */
int gd_serial_resolve(const char *sysfs, const char *spec, char *dev,
		      size_t cap);
/* Set up the configured ports and open them now or schedule retries. */
void gd_serial_open(struct gd_agent *a);
/* The host hung up or the stream broke: start clean, wait for a host. */
void gd_serial_hangup(struct gd_agent *a, struct gd_conn *c);
/*
 * The port reported a hang-up: start clean, and return 1 if no host is
 * connected now (the port is then left alone until one is), 0 if one
 * already is again (go on reading what it sent).
 */
int gd_serial_hung(struct gd_agent *a, struct gd_conn *c);
/* A SIGIO from the kernel: look at the hung ports. */
void gd_serial_sigio(struct gd_agent *a);
/* A virtio port appeared or was named (or uevents were lost): open the
 * missing ports that are there now. */
void gd_serial_ports_changed(struct gd_agent *a);
/* Retry the ports that are due. */
void gd_serial_tick(struct gd_agent *a, uint64_t now_ns);
/* When the next retry is due (GD_DUE_NEVER: none). */
uint64_t gd_serial_due(const struct gd_agent *a);

#endif
