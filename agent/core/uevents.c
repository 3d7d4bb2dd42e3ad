/* The shared kernel uevent socket: read, filtered, handed to its users. */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "conn.h"
#include "pid1.h"
#include "time_svc.h"
#include "transport.h"
#include "uevent.h"
#include "uevents.h"

#define GD_UEVENT_KERNEL_GROUP 1u

void gd_uevents_open(struct gd_agent *a)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK,
				  .nl_groups = GD_UEVENT_KERNEL_GROUP };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_KOBJECT_UEVENT);

	a->uevent_fd = -1;
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0) {
		a->uevent_fd = fd;
		gd_poll_changed(a);
		return;
	}
	gd_logf(&a->log, GD_LOG_INFO, "no uevent socket (%s): VM generation "
		"changes and new devices are looked for on a timer",
		strerror(errno));
	if (fd >= 0)
		close(fd);
}

void gd_uevents_close(struct gd_agent *a)
{
	if (a->uevent_fd >= 0)
		close(a->uevent_fd);
	a->uevent_fd = -1;
	gd_poll_changed(a);
}

int gd_uevents_pollfds(const struct gd_agent *a, struct pollfd *pfd)
{
	if (a->uevent_fd < 0)
		return 0;
	pfd[0] = (struct pollfd){ .fd = a->uevent_fd, .events = POLLIN };
	return 1;
}

static void dispatch(struct gd_agent *a, const char *msg, size_t len)
{
	int input = gd_uevent_input_add(msg, len);

	if (gd_uevent_is_vmgenid(msg, len))
		gd_time_vmgenid_uevent(a);
	if (input >= 0)
		gd_pb_input_added(a, input);
	if (gd_uevent_is_virtio_port(msg, len))
		gd_serial_ports_changed(a);
}

/* A receive error other than "nothing more" or an overrun closes it. */
static int receive_failed(struct gd_agent *a)
{
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return 1;
	if (errno == ENOBUFS) { /* uevents were lost: look at everything */
		gd_serial_ports_changed(a);
		return 0;
	}
	gd_logf(&a->log, GD_LOG_WARN, "uevent socket: %s; closing it",
		strerror(errno));
	gd_uevents_close(a);
	gd_serial_ports_changed(a); /* back to rescans on a timer */
	return 1;
}

static void read_all(struct gd_agent *a)
{
	static char msg[GD_UEVENT_MAX];

	for (int i = 0; i < GD_UEVENTS_PER_WAKE && a->uevent_fd >= 0; i++) {
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { .iov_base = msg, .iov_len = sizeof msg };
		struct msghdr m = { .msg_name = &from,
				    .msg_namelen = sizeof from,
				    .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(a->uevent_fd, &m, 0);

		if (n < 0) {
			if (receive_failed(a))
				break;
			continue;
		}
		/* the kernel's own (port 0), and only whole datagrams */
		if ((m.msg_flags & MSG_TRUNC) || m.msg_namelen < sizeof from ||
		    from.nl_pid != 0 || n == 0)
			continue;
		dispatch(a, msg, (size_t)n);
	}
}

void gd_uevents_events(struct gd_agent *a, const struct pollfd *pfd, int n)
{
	if (n > 0 && pfd[0].revents && pfd[0].fd == a->uevent_fd)
		read_all(a);
}
