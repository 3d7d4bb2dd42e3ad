/* Boot-time setup as PID 1: console, hostname, loopback, Ctrl-Alt-Del. */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "pid1.h"

#define GD_ROOT_PIDNS_INO 0xEFFFFFFCu /* PROC_PID_INIT_INO, fixed by the kernel */

/*
 * The kernel hands init /dev/console as fds 0-2 only if it could open it
 * before any mount; fill in whichever is missing now that /dev exists.
 */
void gd_init_console(void)
{
	int fd = -1;

	for (int i = 0; i <= 2; i++) {
		if (fcntl(i, F_GETFD) >= 0)
			continue;
		if (fd < 0)
			fd = open("/dev/console", O_RDWR | O_NOCTTY);
		if (fd < 0)
			fd = open("/dev/null", O_RDWR);
		if (fd < 0)
			return;
		if (fd != i)
			dup2(fd, i);
	}
	if (fd > 2)
		close(fd);
}

int gd_in_root_pidns(void)
{
	struct stat st;

	/* Without /proc we cannot tell: assume the machine's own PID 1. */
	if (stat("/proc/self/ns/pid", &st) != 0)
		return 1;
	return st.st_ino == GD_ROOT_PIDNS_INO;
}

static void set_hostname(struct gd_agent *a)
{
	const char *name = a->cfg.hostname;

	if (!name[0])
		return;
	if (sethostname(name, strlen(name)))
		gd_logf(&a->log, GD_LOG_WARN, "hostname %s: %s", name,
			strerror(errno));
	else
		gd_logf(&a->log, GD_LOG_INFO, "hostname %s", name);
}

static void loopback_up(struct gd_agent *a)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		gd_logf(&a->log, GD_LOG_WARN, "loopback: socket: %s",
			strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		gd_logf(&a->log, GD_LOG_WARN, "loopback: %s", strerror(errno));
	} else if (ifr.ifr_flags & IFF_UP) {
		gd_logf(&a->log, GD_LOG_DEBUG, "loopback already up");
	} else {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			gd_logf(&a->log, GD_LOG_WARN, "loopback up: %s",
				strerror(errno));
		else
			gd_logf(&a->log, GD_LOG_INFO, "loopback up");
	}
	close(fd);
}

/*
 * Ctrl-Alt-Del then reaches PID 1 as SIGINT instead of an instant reboot.
 * The answer also says which PID 1 guestd is, with no /proc lookup (under
 * TCG the stat of /proc/self/ns/pid cost about 3 ms of boot): the kernel
 * takes the call from the machine's init only and refuses it with EINVAL
 * in a PID namespace (reboot_pid_ns); only a refusal for another reason
 * (EPERM: no CAP_SYS_BOOT, or a seccomp filter) leaves /proc to decide.
 */
static void cad_to_signal(struct gd_agent *a)
{
	int err;

	if (reboot(RB_DISABLE_CAD) == 0) {
		a->init->root_pidns = 1;
		return;
	}
	err = errno;
	a->init->root_pidns = err == EINVAL ? 0 : gd_in_root_pidns();
	gd_logf(&a->log, GD_LOG_DEBUG, "Ctrl-Alt-Del stays with the kernel: "
		"%s (a PID namespace has none)", strerror(err));
}

void gd_init_system(struct gd_agent *a)
{
	set_hostname(a);
	loopback_up(a);
	cad_to_signal(a);
	gd_modules_load(a);
}
