#include "conn.h"
#include "transport.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "dirscan.h"
#include "sysinfo.h"

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
	struct gd_dirscan d;
	const char *name;
	int found = -1;

	if (spec[0] == '/')
		return gd_strlcpy(dev, spec, cap) < cap ? 0 : -1;
	if (gd_dir_open(&d, sysfs))
		return -1;
	while (found < 0 && (name = gd_dir_next(&d)))
		if (name_matches(sysfs, name, spec))
			found = snprintf(dev, cap, "/dev/%s", name) < (int)cap
					? 0 : -1;
	gd_dir_close(&d);
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
		if (a->net->conns[i].fd < 0)
			return &a->net->conns[i];
	return NULL;
}

static void schedule(struct gd_serial_port *p)
{
	p->retry_at = gd_clock_ns(CLOCK_MONOTONIC) +
		      (unsigned long long)p->retry_ms * 1000000u;
	if (p->quiet && !p->open && p->retry_ms < GD_SERIAL_QUIET_MAX_MS)
		p->retry_ms = p->retry_ms * 2 < GD_SERIAL_QUIET_MAX_MS
				      ? p->retry_ms * 2
				      : GD_SERIAL_QUIET_MAX_MS;
}

static void missing(struct gd_agent *a, struct gd_serial_port *p,
		    const char *dev, const char *why)
{
	if (!p->missing_logged && !p->quiet) {
		if (dev)
			gd_logf(&a->log, GD_LOG_WARN, "serial %s: %s", dev, why);
		else
			gd_logf(&a->log, GD_LOG_INFO,
				"serial port %s not present yet; retrying",
				p->spec);
	}
	p->missing_logged = 1;
	if (!dev && p->spec[0] != '/' && a->uevent_fd >= 0)
		p->retry_at = 0; /* its uevent will come: uevents.c */
	else
		schedule(p);
}

static void open_port(struct gd_agent *a, struct gd_serial_port *p)
{
	char dev[128];
	struct gd_conn *c;
	int fd;

	p->retry_at = 0;
	if (!p->spec[0] || p->open)
		return;
	if (gd_serial_resolve(GD_SERIAL_SYSFS, p->spec, dev, sizeof dev)) {
		missing(a, p, NULL, NULL);
		return;
	}
	c = serial_slot(a);
	fd = c ? open(dev, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC) : -1;
	if (fd < 0) {
		missing(a, p, dev, c ? strerror(errno) : "no free slot");
		return;
	}
	make_raw(fd);
	gd_conn_attach(a, c, fd, "serial", p->proto);
	c->serial = (int)(p - a->net->serial) + 1;
	c->slot_class = GD_SC_SERIAL;
	c->peer_key = gd_peer_key(GD_PK_SERIAL, (uint32_t)(p - a->net->serial));
	p->open = 1;
	p->retry_ms = GD_SERIAL_RETRY_MS;
	if (!p->logged)
		gd_logf(&a->log, GD_LOG_INFO, "serving on serial %s (%s)%s", dev,
			p->spec, p->proto == GD_PROTO_QGA
					 ? ": QEMU guest agent protocol" : "");
	p->logged = 1;
}

void gd_serial_open(struct gd_agent *a)
{
	a->net->serial[0] = (struct gd_serial_port){ .spec = a->cfg.serial,
						.proto = GD_PROTO_NATIVE };
	a->net->serial[1] = (struct gd_serial_port){
		.spec = a->cfg.qga_serial, .proto = GD_PROTO_QGA,
		.quiet = strcmp(a->cfg.qga_serial, GD_DEFAULT_QGA_SERIAL) == 0 };
	if (a->auth_on && a->cfg.qga_serial[0])
		gd_logf(&a->log, GD_LOG_INFO, "qga-serial %s: QEMU guest agent "
			"protocol without authentication (it has none); a "
			"virtio-serial port is reachable only by the VMM",
			a->cfg.qga_serial);
	for (int i = 0; i < GD_SERIAL_PORTS; i++) {
		a->net->serial[i].retry_ms = GD_SERIAL_RETRY_MS;
		open_port(a, &a->net->serial[i]);
	}
}

/*
 * SIGIO when the host connects or leaves (virtio_console signals a port's
 * O_ASYNC owner on both), so a port without a host costs no wake-up. Not
 * for a tty, whose SIGIO says only that input came: -1, use the timer.
 */
static int async_wake(int fd, int on)
{
	int fl = fcntl(fd, F_GETFL);

	if (isatty(fd) || fl < 0 || (on && fcntl(fd, F_SETOWN, getpid())))
		return -1;
	return fcntl(fd, F_SETFL, on ? fl | O_ASYNC : fl & ~O_ASYNC);
}

/* A hung port: serve it again once the host is back, reopen if it broke. */
static void recheck(struct gd_agent *a, struct gd_serial_port *p,
		    struct gd_conn *c)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) < 0 || (pfd.revents & (POLLNVAL | POLLERR))) {
		close(c->fd);
		c->fd = -1;
		c->serial = 0;
		c->hung = 0;
		gd_conn_release(a, c);
		p->open = 0;
		open_port(a, p);
		return;
	}
	if (!(pfd.revents & POLLHUP)) {
		c->hung = 0;
		if (p->async)
			async_wake(c->fd, 0);
		p->async = 0;
	} else if (!p->async) {
		schedule(p);
	}
}

/*
 * The fd stays open while no host is connected: a virtio port that the
 * guest has closed discards what the host sends, so a host connecting
 * between a close and the reopen would lose its first request. A hung
 * port is left out of poll (it reports POLLHUP until a host connects)
 * and looked at again on SIGIO, or every GD_SERIAL_RETRY_MS where SIGIO
 * cannot be had. It is looked at once now: a host may still be there
 * (a connection closed for its input) or be back already.
 */
void gd_serial_hangup(struct gd_agent *a, struct gd_conn *c)
{
	struct gd_serial_port *p = &a->net->serial[c->serial - 1];

	gd_conn_release(a, c); /* what the last host's exchange touched */
	gd_conn_fresh(c, c->sess.proto); /* the next host starts clean */
	c->hung = 1;
	p->retry_at = 0;
	p->async = async_wake(c->fd, 1) == 0;
	recheck(a, p, c);
}

static struct gd_conn *port_conn(struct gd_agent *a,
				 const struct gd_serial_port *p)
{
	int serial = (int)(p - a->net->serial) + 1;

	for (int i = 0; i < GD_MAX_CONNS; i++)
		if (a->net->conns[i].fd >= 0 && a->net->conns[i].serial == serial)
			return &a->net->conns[i];
	return NULL;
}

int gd_serial_hung(struct gd_agent *a, struct gd_conn *c)
{
	gd_serial_hangup(a, c);
	return c->fd < 0 || c->hung || !c->serial;
}

static void port_tick(struct gd_agent *a, struct gd_serial_port *p,
		      unsigned long long now_ns)
{
	struct gd_conn *c;

	if (!p->retry_at || now_ns < p->retry_at)
		return;
	p->retry_at = 0;
	c = port_conn(a, p);
	if (c && c->hung)
		recheck(a, p, c);
	else if (!c)
		open_port(a, p);
}

void gd_serial_tick(struct gd_agent *a, uint64_t now_ns)
{
	for (int i = 0; i < GD_SERIAL_PORTS; i++)
		port_tick(a, &a->net->serial[i], now_ns);
}

uint64_t gd_serial_due(const struct gd_agent *a)
{
	uint64_t best = GD_DUE_NEVER;

	for (int i = 0; i < GD_SERIAL_PORTS; i++)
		if (a->net->serial[i].retry_at)
			best = gd_due_min(best, a->net->serial[i].retry_at);
	return best;
}

void gd_serial_sigio(struct gd_agent *a)
{
	for (int i = 0; i < GD_SERIAL_PORTS; i++) {
		struct gd_serial_port *p = &a->net->serial[i];
		struct gd_conn *c = p->open ? port_conn(a, p) : NULL;

		if (c && c->hung)
			recheck(a, p, c);
	}
}

void gd_serial_ports_changed(struct gd_agent *a)
{
	for (int i = 0; i < GD_SERIAL_PORTS; i++)
		if (!a->net->serial[i].open)
			open_port(a, &a->net->serial[i]);
}
