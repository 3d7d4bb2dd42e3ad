/*
 * The agent's one kernel uevent socket (NETLINK_KOBJECT_UEVENT, the
 * kernel's group), shared by whoever waits for a device: the VM
 * generation id's change (time_watch.c), input devices with a power key
 * (power_button.c) and virtio-serial ports that appear or learn their
 * name (serial.c). Reading it costs nothing while no device changes, so
 * none of them has to rescan on a timer.
 */
#ifndef GD_UEVENTS_H
#define GD_UEVENTS_H

#include <poll.h>

struct gd_agent;

#define GD_UEVENTS_PER_WAKE 16 /* datagrams read per wakeup */

/* Open the socket (never fatal: a->uevent_fd stays -1, and that is logged). */
void gd_uevents_open(struct gd_agent *a);
void gd_uevents_close(struct gd_agent *a);
/* Fill pfd[] with the socket to poll; returns 0 or 1. */
int gd_uevents_pollfds(const struct gd_agent *a, struct pollfd *pfd);
/* Read what arrived and tell each consumer its uevents. */
void gd_uevents_events(struct gd_agent *a, const struct pollfd *pfd, int n);

#endif
