/*
 * mininit: the limit for the bench's boot-to-ready row.
 *
 * A static PID 1 that does what guestd must do before it is ready, the way
 * guestd does it, and nothing more:
 *   - give itself /dev/console as fds 0-2 if the kernel could not;
 *   - mount the API filesystems guestd mounts as PID 1 (agent's mounts.c:
 *     /proc, /sys, /dev, /dev/pts, /dev/shm, /run, same types and flags);
 *   - bring up loopback;
 *   - finit_module(2) the modules= list of /etc/guestd.conf, in order (the
 *     line mkinitramfs.sh appends: in-image paths, dependencies first);
 *   - listen on AF_VSOCK, port vsock-port= of that file (default 2761);
 *   - open the virtio-serial port serial= of that file names (the default
 *     image's host channel, org.guestd.0: guestd serves the host there
 *     from its ready line on), found by name in /sys/class/virtio-ports;
 * then write one line to /dev/kmsg, "mininit: mininit ready", so the
 * kernel's printk time stamps it like guestd's "guestd: guestd ... ready".
 * After that it pauses forever (QEMU is killed), or powers off if an
 * argument is "poweroff" (kernel command line: "-- poweroff").
 *
 * Left out: what guestd also does before its ready line that a bare
 * listener does not need (so the difference is guestd's own cost): config
 * precedence and the kernel command line, hostname, Ctrl-Alt-Del, signals,
 * the QEMU guest agent's port, uevents, power button, the guest-local
 * socket, KV, time, and every log line but two. Every failure is printed
 * and mininit goes on, as guestd does: PID 1 must not exit. Not PID 1, it
 * refuses to run (exit 2): it would mount over the running system's /dev
 * and /run.
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/module.h>
#include <linux/vm_sockets.h>

#define MI_CONF "/etc/guestd.conf"
#define MI_CONF_MAX 16384
#define MI_PATH_MAX 512
#define MI_VSOCK_PORT 2761 /* GD_DEFAULT_VSOCK_PORT */
#define MI_BACKLOG 64
#define MI_PORTS "/sys/class/virtio-ports"

static int kmsg_fd = -1;
static unsigned errors;

/* One line to /dev/kmsg (printk time stamp), else to stderr. */
static void say(int level, const char *fmt, ...)
{
	char msg[400], line[440];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (level <= 4)
		errors++;
	if (kmsg_fd >= 0) {
		n = snprintf(line, sizeof line, "<%d>mininit: %s\n", level, msg);
		if (n > 0 && (size_t)n < sizeof line &&
		    write(kmsg_fd, line, (size_t)n) == n)
			return;
	}
	n = snprintf(line, sizeof line, "mininit: %s\n", msg);
	if (n > 0 && (size_t)n >= sizeof line)
		n = sizeof line - 1;
	if (n > 0 && write(2, line, (size_t)n) < 0)
		return; /* nowhere left to say it */
}

struct fs_spec {
	const char *path, *type, *source, *options;
	unsigned long flags;
	mode_t dir_mode;
};

/* guestd's list, parents before children. */
static const struct fs_spec specs[] = {
	{ "/proc", "proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555 },
	{ "/sys", "sysfs", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC, 0555 },
	{ "/dev", "devtmpfs", "devtmpfs", "mode=0755", MS_NOSUID, 0755 },
	{ "/dev/pts", "devpts", "devpts", "gid=5,mode=0620,ptmxmode=0666",
	  MS_NOSUID | MS_NOEXEC, 0755 },
	{ "/dev/shm", "tmpfs", "shm", "mode=1777", MS_NOSUID | MS_NODEV, 01777 },
	{ "/run", "tmpfs", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV, 0755 },
};

static void mount_all(void)
{
	for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
		const struct fs_spec *fs = &specs[i];

		if (mkdir(fs->path, fs->dir_mode) != 0 && errno != EEXIST)
			say(3, "mkdir %s: %s", fs->path, strerror(errno));
		else if (mount(fs->source, fs->path, fs->type, fs->flags,
			       fs->options) != 0)
			say(3, "mount %s on %s: %s", fs->type, fs->path,
			    strerror(errno));
	}
}

/* fds 0-2 on /dev/console (else /dev/null) where the kernel left none. */
static void console_fds(void)
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
			return; /* no stderr to say it on */
		if (fd != i && dup2(fd, i) < 0)
			return;
	}
	if (fd > 2)
		close(fd);
}

static void loopback_up(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		say(3, "loopback: socket: %s", strerror(errno));
		return;
	}
	memset(&ifr, 0, sizeof ifr);
	memcpy(ifr.ifr_name, "lo", 3);
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		say(3, "loopback: %s", strerror(errno));
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
			say(3, "loopback up: %s", strerror(errno));
	}
	close(fd);
}

/* The config file into buf, NUL-terminated; its length, or -1. */
static long read_conf(char *buf, size_t cap)
{
	size_t len = 0;
	int fd = open(MI_CONF, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			say(3, "%s: %s", MI_CONF, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			say(3, "%s: %s", MI_CONF, strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len == cap - 1) {
			say(3, "%s: %u bytes or more: too long", MI_CONF,
			    (unsigned)cap - 1);
			close(fd);
			return -1;
		}
	}
	close(fd);
	buf[len] = '\0';
	return (long)len;
}

/*
 * The value of KEY= in the last line that sets it (a later line wins, as
 * in guestd's parser), as a pointer into conf and a length; NULL if none.
 */
static const char *conf_value(const char *conf, const char *key, size_t *len)
{
	size_t klen = strlen(key);
	const char *found = NULL, *p = conf;

	while (*p) {
		const char *end = strchr(p, '\n');

		if (!end)
			end = p + strlen(p);
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) > klen && memcmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			found = p + klen + 1;
			*len = (size_t)(end - found);
		}
		p = *end ? end + 1 : end;
	}
	while (found && *len && (found[*len - 1] == ' ' ||
				 found[*len - 1] == '\t' ||
				 found[*len - 1] == '\r'))
		(*len)--;
	return found;
}

static int compressed(const char *path)
{
	static const char *const ext[] = { ".ko.xz", ".ko.zst", ".ko.gz" };
	size_t n = strlen(path);

	for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
		size_t e = strlen(ext[i]);

		if (n > e && strcmp(path + n - e, ext[i]) == 0)
			return 1;
	}
	return 0;
}

/* 1 loaded, 0 already there, -1 failed (said why). */
static int load_module(const char *path)
{
	int fd, rc, flags = compressed(path) ? MODULE_INIT_COMPRESSED_FILE : 0;

	if (path[0] != '/') {
		say(3, "module %s: not an absolute path (mininit does not "
		    "read modules.dep)", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		say(3, "module %s: %s", path, strerror(errno));
		return -1;
	}
	rc = syscall(SYS_finit_module, fd, "", flags) == 0 ? 0 : errno;
	close(fd);
	if (rc == 0)
		return 1;
	if (rc == EEXIST)
		return 0;
	say(3, "module %s: %s", path, strerror(rc));
	return -1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* modules=a,b,c: load each in the order given. */
static void load_modules(const char *list, size_t len)
{
	unsigned loaded = 0, already = 0, failed = 0;
	uint64_t t0 = mono_ns();
	size_t i = 0;

	while (i < len) {
		char path[MI_PATH_MAX];
		size_t j = i, n;

		while (j < len && list[j] != ',')
			j++;
		n = j - i;
		while (n && (list[i] == ' ' || list[i] == '\t')) {
			i++;
			n--;
		}
		while (n && (list[i + n - 1] == ' ' || list[i + n - 1] == '\t'))
			n--;
		if (n >= sizeof path) {
			say(3, "module %.40s...: path too long", list + i);
			failed++;
		} else if (n) {
			int r;

			memcpy(path, list + i, n);
			path[n] = '\0';
			r = load_module(path);
			loaded += r == 1;
			already += r == 0;
			failed += r < 0;
		}
		i = j + 1;
	}
	say(failed ? 4 : 6, "%u modules loaded in %llu ms (%u already loaded, "
	    "%u failed)", loaded, (unsigned long long)((mono_ns() - t0) / 1000000),
	    already, failed);
}

static uint32_t vsock_port(const char *conf)
{
	size_t len = 0;
	const char *v = conf ? conf_value(conf, "vsock-port", &len) : NULL;
	char num[16], *end;
	unsigned long port;

	if (!v)
		return MI_VSOCK_PORT;
	if (len == 0 || len >= sizeof num) {
		say(3, "vsock-port=%.*s: not a port; using %u", (int)len, v,
		    MI_VSOCK_PORT);
		return MI_VSOCK_PORT;
	}
	memcpy(num, v, len);
	num[len] = '\0';
	errno = 0;
	port = strtoul(num, &end, 10);
	if (errno || *end || port < 1 || port > 0xfffffffeul) {
		say(3, "vsock-port=%s: not a port; using %u", num, MI_VSOCK_PORT);
		return MI_VSOCK_PORT;
	}
	return (uint32_t)port;
}

/* The listener stays open (and unserved) until power off. */
static void vsock_listen(uint32_t port)
{
	struct sockaddr_vm sa = { .svm_family = AF_VSOCK,
				  .svm_cid = VMADDR_CID_ANY,
				  .svm_port = port };
	int fd = socket(AF_VSOCK, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		say(3, "vsock: socket: %s", strerror(errno));
		return;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 ||
	    listen(fd, MI_BACKLOG) != 0) {
		say(3, "vsock port %u: %s", (unsigned)port, strerror(errno));
		close(fd);
	}
}

/* 1 when MI_PORTS/entry/name holds want (one line). */
static int port_named(const char *entry, const char *want, size_t len)
{
	char path[MI_PATH_MAX], name[128];
	int fd, n;
	ssize_t got;

	n = snprintf(path, sizeof path, "%s/%s/name", MI_PORTS, entry);
	if (n < 0 || (size_t)n >= sizeof path)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	got = read(fd, name, sizeof name);
	close(fd);
	if (got > 0 && name[got - 1] == '\n')
		got--;
	return got >= 0 && (size_t)got == len && memcmp(name, want, len) == 0;
}

/* The first port in MI_PORTS named want, as "/dev/vportNpM" in dev. */
static int find_port(const char *want, size_t len, char *dev, size_t cap)
{
	/* getdents64 on a static buffer: opendir(3) would bring malloc in */
	static char ents[4096];
	int fd = open(MI_PORTS, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	long n;

	if (fd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, fd, ents, sizeof ents)) > 0) {
		for (long at = 0; at < n;) {
			/* d_ino, d_off (8 bytes each), d_reclen, d_type, d_name */
			const char *name = ents + at + 19;
			uint16_t reclen;

			memcpy(&reclen, ents + at + 16, sizeof reclen);
			at += reclen;
			if (name[0] != '.' && port_named(name, want, len)) {
				close(fd);
				return snprintf(dev, cap, "/dev/%s", name) <
				       (int)cap ? 0 : -1;
			}
		}
	}
	close(fd);
	return -1;
}

/*
 * serial=NAME: open the virtio-serial port of that name, as guestd does
 * (a value starting with / is the device itself). It stays open.
 */
static void serial_open(const char *want, size_t len)
{
	char dev[MI_PATH_MAX];

	if (want[0] == '/' && len < sizeof dev) {
		memcpy(dev, want, len);
		dev[len] = '\0';
	} else if (find_port(want, len, dev, sizeof dev)) {
		say(3, "serial %.*s: no such port in %s", (int)len, want,
		    MI_PORTS);
		return;
	}
	if (open(dev, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) < 0)
		say(3, "serial %s: %s", dev, strerror(errno));
}

int main(int argc, char **argv)
{
	static char conf[MI_CONF_MAX];
	int poweroff = 0, have_conf;
	const char *mods = NULL, *port = NULL;
	size_t mods_len = 0, port_len = 0;

	for (int i = 1; i < argc; i++)
		poweroff |= strcmp(argv[i], "poweroff") == 0;
	if (getpid() != 1) { /* never mount over a running system's /run */
		say(3, "not PID 1: it is /init of a bench image, nothing else");
		return 2;
	}
	console_fds(); /* before the mounts: /dev/console of the image */
	mount_all();
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (kmsg_fd < 0)
		say(3, "/dev/kmsg: %s (lines go to stderr, without a kernel "
		    "time stamp)", strerror(errno));
	loopback_up();
	have_conf = read_conf(conf, sizeof conf) >= 0;
	if (have_conf)
		mods = conf_value(conf, "modules", &mods_len);
	if (mods && mods_len)
		load_modules(mods, mods_len);
	vsock_listen(vsock_port(have_conf ? conf : NULL));
	if (have_conf)
		port = conf_value(conf, "serial", &port_len);
	if (port && port_len)
		serial_open(port, port_len);
	say(6, "mininit ready (%u errors)", errors);
	if (poweroff) {
		reboot(RB_POWER_OFF);
		say(3, "power off: %s", strerror(errno));
	}
	for (;;)
		pause(); /* it starts nothing, so it has nothing to reap */
}
