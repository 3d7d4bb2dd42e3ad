#include "netaddr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#define DUMP_SEQ 0x6764u /* any value: the answer must echo it */

static int send_request(int fd)
{
	struct {
		struct nlmsghdr nh;
		struct ifaddrmsg ifa;
	} req;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	memset(&req, 0, sizeof req);
	req.nh.nlmsg_len = sizeof req;
	req.nh.nlmsg_type = RTM_GETADDR;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = DUMP_SEQ;
	req.ifa.ifa_family = AF_UNSPEC;
	return sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel,
		      sizeof kernel) == (ssize_t)sizeof req ? 0 : -1;
}

/* Fill a from one RTM_NEWADDR message; 0 when it is an IPv4/IPv6 address. */
static int parse_addr(const struct nlmsghdr *nh, struct gd_netaddr *a)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(nh);
	int len = (int)IFA_PAYLOAD(nh);
	const void *addr = NULL, *local = NULL;
	char ip[INET6_ADDRSTRLEN];

	if (nh->nlmsg_len < NLMSG_LENGTH(sizeof *ifa))
		return -1;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -1;
	for (const struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		size_t need = ifa->ifa_family == AF_INET ? 4 : 16;

		if (RTA_PAYLOAD(rta) < need)
			continue;
		if (rta->rta_type == IFA_ADDRESS)
			addr = RTA_DATA(rta);
		else if (rta->rta_type == IFA_LOCAL)
			local = RTA_DATA(rta);
	}
	if (local) /* on point-to-point links IFA_ADDRESS is the peer */
		addr = local;
	if (!addr || !inet_ntop(ifa->ifa_family, addr, ip, sizeof ip))
		return -1;
	a->ifindex = ifa->ifa_index;
	a->family = ifa->ifa_family;
	a->prefix = ifa->ifa_prefixlen;
	if (!if_indextoname(ifa->ifa_index, a->ifname))
		snprintf(a->ifname, sizeof a->ifname, "if%u", ifa->ifa_index);
	snprintf(a->text, sizeof a->text, "%s/%u", ip, a->prefix);
	return 0;
}

/* Handle one datagram; 1 when the dump is complete, 0 for more, -1 error. */
static int parse_batch(const uint8_t *buf, size_t n, gd_netaddr_fn fn,
		       void *ctx, int *count)
{
	size_t off = 0;

	/* NLMSG_OK/NLMSG_NEXT compare signed with unsigned: walk by hand */
	while (n - off >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nh = (const void *)(buf + off);
		struct gd_netaddr a;

		if (nh->nlmsg_len < sizeof *nh || nh->nlmsg_len > n - off)
			break;
		off += NLMSG_ALIGN(nh->nlmsg_len);
		if (off > n)
			off = n;

		if (nh->nlmsg_seq != DUMP_SEQ)
			continue;
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			errno = e->error ? -e->error : EPROTO;
			return -1;
		}
		if (nh->nlmsg_type == RTM_NEWADDR && parse_addr(nh, &a) == 0) {
			fn(ctx, &a);
			(*count)++;
		}
	}
	return 0;
}

static int receive_all(int fd, gd_netaddr_fn fn, void *ctx, uint8_t *buf,
		       size_t cap, int timeout_ms)
{
	int count = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r = poll(&p, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = ETIMEDOUT;
			return -1;
		}
		n = recv(fd, buf, cap, MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -1;
		if ((size_t)n > cap) {
			errno = EMSGSIZE;
			return -1;
		}
		r = parse_batch(buf, (size_t)n, fn, ctx, &count);
		if (r)
			return r < 0 ? -1 : count;
	}
}

int gd_netaddr_dump(gd_netaddr_fn fn, void *ctx, uint8_t *buf, size_t cap,
		    int timeout_ms)
{
	int fd, r, err;

	if (cap < GD_NETADDR_BUF_MIN) {
		errno = EINVAL;
		return -1;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	r = send_request(fd) ? -1 : receive_all(fd, fn, ctx, buf, cap, timeout_ms);
	err = errno;
	close(fd);
	errno = err;
	return r;
}
