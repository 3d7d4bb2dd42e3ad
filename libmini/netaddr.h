/*
 * The IPv4 and IPv6 addresses of every interface, read with one netlink
 * RTM_GETADDR dump (musl's getifaddrs allocates; this does not). The
 * caller passes the receive buffer: GD_NETADDR_BUF_MIN bytes or more,
 * since the kernel sends dump messages of up to 32 KiB.
 */
#ifndef GD_NETADDR_H
#define GD_NETADDR_H

#include <stddef.h>
#include <stdint.h>

#define GD_NETADDR_BUF_MIN 32768
#define GD_NETADDR_IFNAME_MAX 16  /* IFNAMSIZ */
#define GD_NETADDR_TEXT_MAX 52    /* INET6_ADDRSTRLEN + "/128" */

struct gd_netaddr {
	unsigned ifindex;
	char ifname[GD_NETADDR_IFNAME_MAX]; /* "if<N>" if the name is unknown */
	int family;                         /* AF_INET or AF_INET6 */
	uint8_t prefix;
	char text[GD_NETADDR_TEXT_MAX];     /* "10.0.2.15/24", "fe80::1/64" */
};

typedef void (*gd_netaddr_fn)(void *ctx, const struct gd_netaddr *a);

/*
 * Call fn once per address, in the kernel's order (by interface, IPv4
 * before IPv6). Returns the number of addresses, or -1 with errno (and
 * fn may have been called for some addresses). Waits at most timeout_ms
 * for each part of the kernel's answer.
 */
int gd_netaddr_dump(gd_netaddr_fn fn, void *ctx, uint8_t *buf, size_t cap,
		    int timeout_ms);

#endif
