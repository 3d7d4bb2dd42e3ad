/*
 * The ACPI power button, for the machine's PID 1 (a container's init must
 * not power off when its host's button is pressed, and the kernel sends
 * ACPI events to the initial network namespace only). Two sources, since
 * kernels differ in what they have:
 *   input  every /dev/input/eventN that can report KEY_POWER (the ACPI
 *          button driver's "Power Button", through evdev), and those a
 *          uevent announces later;
 *   ACPI   the "acpi_event" generic netlink family, class button/power
 *          (sent by the button driver whether or not evdev is there).
 * One press usually comes through both: reports within
 * GD_PB_SAME_PRESS_MS are one press. power-button= decides what it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/input.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "acpi_event.h"
#include "agent.h"
#include "buf.h"
#include "dirscan.h"
#include "pid1.h"
#include "sysinfo.h"

#define BITS_PER_LONG (8 * sizeof(unsigned long))
#define GD_PB_NAME_MAX 64

static void press(struct gd_agent *a, const char *source)
{
	struct gd_power_button *pb = &a->init->pb;
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);
	char why[GD_SD_WHY_MAX];
	const char *err;

	if (pb->last_press &&
	    now - pb->last_press < (uint64_t)GD_PB_SAME_PRESS_MS * 1000000u) {
		gd_logf(&a->log, GD_LOG_DEBUG, "power button: the same press "
			"reported by %s", source);
		return;
	}
	pb->last_press = now;
	snprintf(why, sizeof why, "power button (%s)", source);
	if (pb->action == GD_PB_IGNORE) {
		gd_logf(&a->log, GD_LOG_INFO, "%s: ignored (power-button=ignore)",
			why);
		return;
	}
	if (gd_shutdown_request(a, pb->action, a->cfg.shutdown_grace_ms, 0,
				why, &err) != GD_S_OK)
		gd_logf(&a->log, GD_LOG_ERR, "%s: %s", why, err);
}

/* --- input devices ------------------------------------------------------ */

static int has_key_power(int fd)
{
	unsigned long keys[KEY_MAX / BITS_PER_LONG + 1];

	memset(keys, 0, sizeof keys);
	if (ioctl(fd, EVIOCGBIT(EV_KEY, sizeof keys), keys) < 0)
		return 0;
	return (keys[KEY_POWER / BITS_PER_LONG] >>
		(KEY_POWER % BITS_PER_LONG)) & 1;
}

static int input_slot(const struct gd_power_button *pb, int num)
{
	int free_slot = -1;

	for (int i = 0; i < GD_PB_INPUTS_MAX; i++) {
		if (pb->input_fd[i] >= 0 && pb->input_num[i] == num)
			return -2; /* already watched */
		if (pb->input_fd[i] < 0 && free_slot < 0)
			free_slot = i;
	}
	return free_slot;
}

static void open_input(struct gd_agent *a, int num)
{
	struct gd_power_button *pb = &a->init->pb;
	char path[32], name[GD_PB_NAME_MAX] = "";
	int slot = input_slot(pb, num), fd;

	if (slot == -2)
		return;
	snprintf(path, sizeof path, "/dev/input/event%d", num);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "power button: %s: %s", path,
			strerror(errno));
		return;
	}
	if (!has_key_power(fd)) {
		close(fd);
		return;
	}
	if (slot < 0) {
		gd_logf(&a->log, GD_LOG_WARN, "power button: %s not watched: "
			"already %d devices", path, GD_PB_INPUTS_MAX);
		close(fd);
		return;
	}
	ioctl(fd, EVIOCGNAME(sizeof name - 1), name);
	pb->input_fd[slot] = fd;
	pb->input_num[slot] = num;
	gd_poll_changed(a);
	gd_logf(&a->log, GD_LOG_DEBUG, "power button: %s (%s) has KEY_POWER",
		path, name);
}

static void scan_inputs(struct gd_agent *a)
{
	static const char prefix[] = "event";
	struct gd_dirscan d;
	const char *name;

	if (gd_dir_open(&d, "/dev/input"))
		return;
	while ((name = gd_dir_next(&d)))
		if (strncmp(name, prefix, sizeof prefix - 1) == 0 &&
		    gd_dir_number(name + sizeof prefix - 1) >= 0)
			open_input(a, (int)gd_dir_number(name + sizeof prefix - 1));
	gd_dir_close(&d);
}

static void close_input(struct gd_agent *a, int i)
{
	close(a->init->pb.input_fd[i]);
	a->init->pb.input_fd[i] = -1;
	gd_poll_changed(a);
}

static void read_input(struct gd_agent *a, int i)
{
	struct gd_power_button *pb = &a->init->pb;
	struct input_event ev[16];
	char source[48];
	ssize_t n;

	while ((n = read(pb->input_fd[i], ev, sizeof ev)) > 0) {
		for (size_t k = 0; k < (size_t)n / sizeof ev[0]; k++) {
			if (ev[k].type != EV_KEY || ev[k].code != KEY_POWER ||
			    ev[k].value != 1)
				continue;
			snprintf(source, sizeof source,
				 "KEY_POWER on /dev/input/event%d",
				 pb->input_num[i]);
			press(a, source);
		}
	}
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		gd_logf(&a->log, GD_LOG_INFO, "power button: /dev/input/event%d "
			"gone", pb->input_num[i]);
		close_input(a, i);
	}
}

/* --- input devices that appear later (uevents.c tells) ----------------- */

void gd_pb_input_added(struct gd_agent *a, int n)
{
	if (a->init->pb.active)
		open_input(a, n);
}

/* --- ACPI netlink events ------------------------------------------------ */

/*
 * The controller's answer to a request sent now, in buf. Generic netlink
 * runs a request within send(2), so the answer is normally queued by the
 * time recv(2) looks; a kernel that answered later gets up to a second.
 */
static ssize_t genl_reply(int fd, uint8_t *buf, size_t cap)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n = recv(fd, buf, cap, 0);

	if (n < 0 && errno == EAGAIN && poll(&pfd, 1, 1000) > 0)
		n = recv(fd, buf, cap, 0);
	return n;
}

/*
 * Ask the genetlink controller for acpi_event and join its group, on a
 * non-blocking socket bound by its first send(2): three system calls
 * fewer than bind, SO_RCVTIMEO and O_NONBLOCK afterwards (each one new
 * kernel code to run at boot).
 */
static int join_acpi(int fd, uint16_t *family)
{
	static uint8_t buf[GD_GENL_MSG_MAX];
	size_t len = gd_genl_family_request(buf, sizeof buf, 1);
	uint32_t group;
	ssize_t n;
	int rc;

	if (send(fd, buf, len, 0) != (ssize_t)len)
		return -errno;
	n = genl_reply(fd, buf, sizeof buf);
	if (n < 0)
		return -errno;
	rc = gd_genl_family_reply(buf, (size_t)n, family, &group);
	if (rc)
		return rc;
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group,
		       sizeof group))
		return -errno;
	return 0;
}

static void open_acpi(struct gd_agent *a)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			NETLINK_GENERIC);
	int rc = fd < 0 ? -errno : join_acpi(fd, &a->init->pb.acpi_family);

	if (rc == 0) {
		a->init->pb.acpi_fd = fd;
		gd_poll_changed(a);
		gd_logf(&a->log, GD_LOG_DEBUG, "power button: ACPI netlink "
			"events (%s/%s)", GD_ACPI_FAMILY, GD_ACPI_GROUP);
		return;
	}
	gd_logf(&a->log, GD_LOG_DEBUG, "power button: no ACPI netlink events "
		"(%s)", rc == -ENOENT ? "no acpi_event family: a kernel "
		"without ACPI" : rc == -EPROTO ? "unexpected answer"
		: strerror(-rc));
	if (fd >= 0)
		close(fd);
}

static void read_acpi(struct gd_agent *a)
{
	static uint8_t buf[GD_GENL_MSG_MAX];
	struct gd_power_button *pb = &a->init->pb;
	struct gd_acpi_event ev;
	char source[64];
	ssize_t n;

	while ((n = recv(pb->acpi_fd, buf, sizeof buf, 0)) > 0) {
		size_t off = 0;

		while (gd_acpi_event_next(buf, (size_t)n, &off,
					  pb->acpi_family, &ev)) {
			gd_logf(&a->log, GD_LOG_DEBUG, "ACPI event %s %s %08x "
				"%08x", ev.device_class, ev.bus_id, ev.type,
				ev.data);
			if (!gd_acpi_event_is_power(&ev))
				continue;
			snprintf(source, sizeof source, "ACPI %s %s",
				 ev.device_class, ev.bus_id);
			press(a, source);
		}
	}
}

/* --- the loop's hooks ---------------------------------------------------- */

static const char *action_name(int action)
{
	return action == GD_PB_IGNORE ? "ignore"
				      : gd_sd_mode_name((unsigned)action);
}

/*
 * The one line a boot logs (the console is slow, and each source has a
 * debug line of its own): the action, then what is watched.
 */
static void log_watched(struct gd_agent *a)
{
	struct gd_power_button *pb = &a->init->pb;
	char text[GD_LOG_LINE_MAX - 64], name[GD_PB_NAME_MAX];
	struct gd_buf b;
	int inputs = 0;

	gd_buf_init(&b, (uint8_t *)text, sizeof text - 1);
	if (pb->acpi_fd >= 0)
		gd_buf_put(&b, "ACPI netlink events", 19);
	for (int i = 0; i < GD_PB_INPUTS_MAX; i++) {
		char one[GD_PB_NAME_MAX + 40];
		int n;

		if (pb->input_fd[i] < 0)
			continue;
		memset(name, 0, sizeof name);
		ioctl(pb->input_fd[i], EVIOCGNAME(sizeof name - 1), name);
		n = snprintf(one, sizeof one, "%s/dev/input/event%d (%s)",
			     b.len ? ", " : "", pb->input_num[i], name);
		if (n > 0 && (size_t)n < sizeof one && b.cap - b.len > (size_t)n)
			gd_buf_put(&b, one, (size_t)n);
		inputs++;
	}
	text[b.len] = '\0';
	gd_logf(&a->log, GD_LOG_INFO, "power button: power-button=%s; %s%s",
		action_name(pb->action), b.len ? text : "nothing to watch yet",
		inputs ? " with KEY_POWER" : "");
}

void gd_pb_open(struct gd_agent *a)
{
	struct gd_power_button *pb = &a->init->pb;

	pb->acpi_fd = -1;
	for (int i = 0; i < GD_PB_INPUTS_MAX; i++)
		pb->input_fd[i] = -1;
	if (!a->is_pid1 || !a->init->root_pidns)
		return;
	pb->active = 1;
	open_acpi(a);
	if (a->uevent_fd < 0)
		gd_logf(&a->log, GD_LOG_WARN, "power button: no uevents, new "
			"input devices will not be seen");
	scan_inputs(a);
	log_watched(a);
}

void gd_pb_close(struct gd_agent *a)
{
	struct gd_power_button *pb = &a->init->pb;

	for (int i = 0; i < GD_PB_INPUTS_MAX; i++)
		if (pb->input_fd[i] >= 0)
			close_input(a, i);
	if (pb->acpi_fd >= 0)
		close(pb->acpi_fd);
	pb->acpi_fd = -1;
	pb->active = 0;
	gd_poll_changed(a);
}

int gd_pb_pollfds(const struct gd_agent *a, struct pollfd *pfd)
{
	const struct gd_power_button *pb = &a->init->pb;
	int n = 0;

	if (pb->acpi_fd >= 0)
		pfd[n++] = (struct pollfd){ .fd = pb->acpi_fd, .events = POLLIN };
	for (int i = 0; i < GD_PB_INPUTS_MAX; i++)
		if (pb->input_fd[i] >= 0)
			pfd[n++] = (struct pollfd){ .fd = pb->input_fd[i],
						    .events = POLLIN };
	return n;
}

void gd_pb_events(struct gd_agent *a, const struct pollfd *pfd, int n)
{
	struct gd_power_button *pb = &a->init->pb;

	for (int k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		if (pfd[k].fd == pb->acpi_fd)
			read_acpi(a);
		for (int i = 0; i < GD_PB_INPUTS_MAX; i++)
			if (pb->input_fd[i] >= 0 && pfd[k].fd == pb->input_fd[i])
				read_input(a, i);
	}
}
