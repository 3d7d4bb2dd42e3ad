#include "serial.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "sysinfo.h"

/* getdents64 record; musl's opendir allocates, so read the directory raw. */
struct dirent64_raw {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

static int name_matches(const char *sysfs, const char *entry,
			const char *want)
{
	char path[256], name[128];
	long n;

	if (snprintf(path, sizeof path, "%s/%s/name", sysfs, entry) >=
	    (int)sizeof path)
		return 0;
	n = gd_read_small_file(path, name, sizeof name);
	if (n <= 0)
		return 0;
	if (name[n - 1] == '\n')
		name[n - 1] = '\0';
	return strcmp(name, want) == 0;
}

int gd_serial_resolve(const char *sysfs, const char *spec, char *dev,
		      size_t cap)
{
	char buf[4096];
	int fd, found = -1;
	long n;

	if (spec[0] == '/')
		return gd_strlcpy(dev, spec, cap) < cap ? 0 : -1;
	fd = open(sysfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (found < 0 &&
	       (n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
		for (long off = 0; off < n;) {
			struct dirent64_raw *d = (void *)(buf + off);

			off += d->reclen;
			if (d->name[0] == '.' || !name_matches(sysfs, d->name, spec))
				continue;
			if (snprintf(dev, cap, "/dev/%s", d->name) < (int)cap)
				found = 0;
			break;
		}
	}
	close(fd);
	return found;
}

static void make_raw(int fd)
{
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &t))
		return;
	cfmakeraw(&t);
	tcsetattr(fd, TCSANOW, &t);
}

static struct gd_conn *serial_slot(struct gd_agent *a)
{
	for (int i = 0; i < GD_MAX_CONNS; i++)
		if (a->conns[i].fd < 0)
			return &a->conns[i];
	return NULL;
}

static void schedule(struct gd_agent *a)
{
	a->serial_retry_at = gd_clock_ns(CLOCK_MONOTONIC) +
			     (unsigned long long)GD_SERIAL_RETRY_MS * 1000000u;
}

void gd_serial_open(struct gd_agent *a)
{
	char dev[128];
	struct gd_conn *c;
	int fd;

	a->serial_retry_at = 0;
	if (!a->cfg.serial[0] || a->serial_open)
		return;
	if (gd_serial_resolve(GD_SERIAL_SYSFS, a->cfg.serial, dev, sizeof dev)) {
		if (!a->serial_missing_logged)
			gd_logf(&a->log, GD_LOG_INFO,
				"serial port %s not present yet; retrying",
				a->cfg.serial);
		a->serial_missing_logged = 1;
		schedule(a);
		return;
	}
	c = serial_slot(a);
	fd = c ? open(dev, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1;
	if (fd < 0) {
		if (!a->serial_missing_logged)
			gd_logf(&a->log, GD_LOG_WARN, "serial %s: %s", dev,
				c ? strerror(errno) : "no free slot");
		a->serial_missing_logged = 1;
		schedule(a);
		return;
	}
	make_raw(fd);
	gd_conn_attach(a, c, fd, "serial");
	c->serial = 1;
	a->serial_open = 1;
	if (!a->serial_logged)
		gd_logf(&a->log, GD_LOG_INFO, "serving on serial %s (%s)", dev,
			a->cfg.serial);
	a->serial_logged = 1;
}

void gd_serial_hangup(struct gd_agent *a, struct gd_conn *c)
{
	close(c->fd);
	c->fd = -1;
	c->serial = 0;
	a->serial_open = 0;
	schedule(a);
}

int gd_serial_tick(struct gd_agent *a, unsigned long long now_ns)
{
	if (!a->serial_retry_at)
		return -1;
	if (now_ns >= a->serial_retry_at)
		gd_serial_open(a);
	if (!a->serial_retry_at)
		return -1;
	return a->serial_retry_at <= now_ns
		       ? 0
		       : (int)((a->serial_retry_at - now_ns + 999999) / 1000000);
}
