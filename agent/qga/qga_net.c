/*
 * guest-network-get-interfaces, built as qemu-ga builds it from
 * getifaddrs(3) but without allocating: the interfaces and their counters
 * from /proc/net/dev, the addresses from one netlink dump (netaddr.h), the
 * MAC from SIOCGIFHWADDR. As in qemu-ga, "statistics" comes only with
 * addresses, and an interface without a MAC has no "hardware-address".
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netaddr.h"
#include "qga.h"
#include "sysinfo.h"

#define QGA_NET_ADDRS 256         /* addresses listed, all interfaces */
#define QGA_NETDEV_MAX 16384      /* /proc/net/dev bytes read */
#define QGA_NET_TIMEOUT_MS 1000   /* for each part of the netlink dump */
#define NETDEV_FIELDS 16          /* counters on a /proc/net/dev line */

struct addr_list {
	struct gd_netaddr v[QGA_NET_ADDRS];
	int n, over;
};

static void collect(void *ctx, const struct gd_netaddr *na)
{
	struct addr_list *l = ctx;

	if (l->n < QGA_NET_ADDRS)
		l->v[l->n++] = *na;
	else
		l->over = 1;
}

/* One "  eth0: 1 2 3 ..." line: the name and its 16 counters. */
static int netdev_line(const char *line, size_t n, char *name,
		       unsigned long long *f)
{
	size_t i = 0, k = 0;

	while (i < n && line[i] == ' ')
		i++;
	while (i < n && line[i] != ':' && k + 1 < IF_NAMESIZE)
		name[k++] = line[i++];
	name[k] = '\0';
	if (i >= n || line[i] != ':' || k == 0)
		return -1;
	i++;
	for (int c = 0; c < NETDEV_FIELDS; c++) {
		while (i < n && line[i] == ' ')
			i++;
		if (i >= n || line[i] < '0' || line[i] > '9')
			return -1;
		f[c] = 0;
		while (i < n && line[i] >= '0' && line[i] <= '9')
			f[c] = f[c] * 10 + (unsigned long long)(line[i++] - '0');
	}
	return 0;
}

static void put_u64(struct gd_json *j, const char *key, unsigned long long v)
{
	gd_json_key(j, key);
	gd_json_u64(j, v);
}

/* /proc/net/dev counters: rx bytes packets errs drop ..., tx at 8. */
static void statistics(struct gd_json *j, const unsigned long long *f)
{
	gd_json_key(j, "statistics");
	gd_json_obj_begin(j);
	put_u64(j, "tx-packets", f[9]);
	put_u64(j, "tx-errs", f[10]);
	put_u64(j, "rx-bytes", f[0]);
	put_u64(j, "rx-dropped", f[3]);
	put_u64(j, "rx-packets", f[1]);
	put_u64(j, "rx-errs", f[2]);
	put_u64(j, "tx-bytes", f[8]);
	put_u64(j, "tx-dropped", f[11]);
	gd_json_obj_end(j);
}

static int addresses(struct gd_json *j, const struct addr_list *l,
		     const char *name)
{
	int n = 0;

	for (int i = 0; i < l->n; i++) {
		const struct gd_netaddr *a = &l->v[i];
		const char *slash = strchr(a->text, '/');

		if (strcmp(a->ifname, name) != 0)
			continue;
		if (n++ == 0) {
			gd_json_key(j, "ip-addresses");
			gd_json_arr_begin(j);
		}
		gd_json_obj_begin(j);
		gd_json_key(j, "ip-address-type");
		gd_json_str(j, a->family == AF_INET ? "ipv4" : "ipv6");
		gd_json_key(j, "ip-address");
		gd_json_strn(j, a->text, slash ? (size_t)(slash - a->text)
					       : strlen(a->text));
		gd_json_key(j, "prefix");
		gd_json_u64(j, a->prefix);
		gd_json_obj_end(j);
	}
	if (n)
		gd_json_arr_end(j);
	return n;
}

static void hardware_address(struct gd_json *j, int sock, const char *name)
{
	struct ifreq ifr;
	const unsigned char *m;
	char mac[18];

	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, name, strlen(name) + 1);
	if (sock < 0 || ioctl(sock, SIOCGIFHWADDR, &ifr))
		return; /* no MAC (a tunnel, say): qemu-ga leaves it out too */
	m = (const unsigned char *)ifr.ifr_hwaddr.sa_data;
	snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1],
		 m[2], m[3], m[4], m[5]);
	gd_json_key(j, "hardware-address");
	gd_json_str(j, mac);
}

static void interface(struct gd_json *j, const struct addr_list *l, int sock,
		      const char *name, const unsigned long long *f)
{
	gd_json_obj_begin(j);
	gd_json_key(j, "name");
	gd_json_str(j, name);
	if (addresses(j, l, name))
		statistics(j, f);
	hardware_address(j, sock, name);
	gd_json_obj_end(j);
}

int gd_qga_cmd_interfaces(struct gd_qga_call *call)
{
	static uint8_t nlbuf[GD_NETADDR_BUF_MIN];
	static char netdev[QGA_NETDEV_MAX];
	static struct addr_list addrs;
	unsigned long long f[NETDEV_FIELDS];
	char name[IF_NAMESIZE];
	const char *line;
	long len;
	int sock;

	addrs.n = addrs.over = 0;
	if (gd_netaddr_dump(collect, &addrs, nlbuf, sizeof nlbuf,
			    QGA_NET_TIMEOUT_MS) < 0)
		return gd_qga_fail(call, "GenericError", "getifaddrs failed: %s",
				   strerror(errno));
	if (addrs.over)
		return gd_qga_fail(call, "GenericError",
				   "more than %d addresses to list", QGA_NET_ADDRS);
	len = gd_read_small_file("/proc/net/dev", netdev, sizeof netdev);
	if (len < 0)
		return gd_qga_fail(call, "GenericError",
				   "cannot read /proc/net/dev: %s", strerror(errno));
	sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	gd_json_arr_begin(call->j);
	for (line = netdev; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		if (netdev_line(line, n, name, f) == 0) /* headers do not parse */
			interface(call->j, &addrs, sock, name, f);
		line = nl ? nl + 1 : NULL;
	}
	gd_json_arr_end(call->j);
	if (sock >= 0)
		close(sock);
	return 0;
}
