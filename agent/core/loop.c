/* The one poll(2) loop: signalfd, listeners, connections, deadlines. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "exec.h"
#include "fsfreeze_svc.h"
#include "gate.h"
#include "pid1.h"
#include "sysinfo.h"
#include "time_svc.h"
#include "transport.h"
#include "uevents.h"

#define GD_POLL_MAX (2 + GD_MAX_LISTENERS + GD_MAX_CONNS + GD_TIME_POLL_MAX + \
		     GD_PB_POLL_MAX + GD_EXEC_POLL_MAX)

int gd_signals_setup(struct gd_agent *a)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	gd_sig_fill(&set); /* sigtable.c: the signals guestd takes */
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -1;
	a->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return a->sigfd < 0 ? -1 : 0;
}

static void handle_signals(struct gd_agent *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		if (si.ssi_signo == SIGIO && si.ssi_code > 0)
			gd_serial_sigio(a); /* the kernel's: a serial port */
		else
			gd_sig_handle(a, &si);
	}
}

/* The one conversion of a due time to poll(2)'s milliseconds. */
static int poll_ms(uint64_t due, uint64_t now)
{
	uint64_t ms;

	if (due == GD_DUE_NEVER)
		return -1;
	if (due <= now)
		return 0;
	ms = (due - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

static uint64_t next_due(const struct gd_agent *a, uint64_t now)
{
	uint64_t due = gd_conns_due(a);

	due = gd_due_min(due, gd_serial_due(a));
	due = gd_due_min(due, gd_pid1_due(a, now));
	due = gd_due_min(due, gd_time_due(a));
	due = gd_due_min(due, gd_fsfreeze_due(a));
	return gd_due_min(due, gd_refusal_log_due(a));
}

static void run_timers(struct gd_agent *a, uint64_t now)
{
	gd_conns_expire(a, now);
	gd_serial_tick(a, now);
	gd_refusal_log_tick(a, now);
	gd_time_tick(a, now);
	gd_pid1_tick(a, now);
	gd_fsfreeze_tick(a, now);
}

/*
 * The poll set, kept between wake-ups. Its fixed part comes first and is
 * taken again only when gd_poll_changed() or exec's pipes said it changed;
 * the connections follow, refreshed every time (their events follow their
 * queues). Where each kind of entry begins:
 */
struct poll_set {
	struct pollfd pfd[GD_POLL_MAX];
	struct gd_conn *owner[GD_POLL_MAX];
	int nls, ntime, npb, nexec, nuev, nconn, n;
	unsigned gen; /* the generation the fixed part was taken at */
};

static unsigned fixed_gen(const struct gd_agent *a)
{
	return a->poll_gen + gd_exec_pollgen();
}

static int take_fixed(struct gd_agent *a, struct poll_set *ps,
		      struct pollfd *pfd)
{
	int n = 0;

	pfd[n++] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
	for (int i = 0; i < a->net->nlisteners; i++)
		pfd[n++] = (struct pollfd){ .fd = a->net->listeners[i].fd,
					    .events = POLLIN };
	ps->nls = n;
	n += gd_time_pollfds(a, pfd + n);
	ps->ntime = n;
	n += gd_pb_pollfds(a, pfd + n);
	ps->npb = n;
	n += gd_exec_pollfds(pfd + n);
	ps->nexec = n;
	n += gd_uevents_pollfds(a, pfd + n);
	ps->nuev = n;
	return n;
}

#if defined(__SANITIZE_ADDRESS__)
/* Check builds: a kept fixed part must be what taking it again gives. */
static void verify_fixed(struct gd_agent *a, const struct poll_set *ps)
{
	static struct poll_set fresh;
	int n = take_fixed(a, &fresh, fresh.pfd);

	for (int i = 0; i < n && n == ps->nuev; i++)
		if (fresh.pfd[i].fd != ps->pfd[i].fd ||
		    fresh.pfd[i].events != ps->pfd[i].events)
			n = -1;
	if (n != ps->nuev) {
		gd_logf(&a->log, GD_LOG_ERR, "poll set kept stale: an fd "
			"changed without gd_poll_changed()");
		abort();
	}
}
#else
static void verify_fixed(struct gd_agent *a, const struct poll_set *ps)
{
	(void)a;
	(void)ps;
}
#endif

static void refresh(struct gd_agent *a, struct poll_set *ps)
{
	unsigned gen = fixed_gen(a);

	if (ps->n == 0 || gen != ps->gen) {
		take_fixed(a, ps, ps->pfd);
		ps->gen = gen;
	} else {
		verify_fixed(a, ps);
	}
	ps->nconn = ps->nuev;
	ps->n = ps->nconn + gd_conns_pollfds(a, ps->pfd + ps->nconn,
					     ps->owner + ps->nconn);
}

/*
 * Hand entry i's events to its owner. A fixed entry is skipped once a
 * handler before it changed the fixed part (shutdown closing the
 * listeners, say): poll(2) says again next time what still holds.
 */
static void hand_on(struct gd_agent *a, struct poll_set *ps, int i)
{
	struct pollfd *p = &ps->pfd[i];

	if (i < ps->nconn && fixed_gen(a) != ps->gen)
		return;
	if (p->revents & POLLNVAL && i < ps->nconn) {
		gd_logf(&a->log, GD_LOG_ERR, "poll: fd %d closed but still "
			"in the poll set: taking it again", p->fd);
		gd_poll_changed(a);
	}
	if (i == 0)
		handle_signals(a);
	else if (i < ps->nls)
		gd_conn_accept(a, &a->net->listeners[i - 1]);
	else if (i < ps->ntime)
		gd_time_events(a, p, 1);
	else if (i < ps->npb)
		gd_pb_events(a, p, 1);
	else if (i < ps->nexec)
		gd_exec_events(p, 1);
	else if (i < ps->nuev)
		gd_uevents_events(a, p, 1);
	else if (ps->owner[i]->fd == p->fd) /* not closed meanwhile */
		gd_conn_io(a, ps->owner[i], p->revents);
}

/*
 * The connections first, then the fixed part in its order (signals,
 * listeners, ...): a request is answered before a signal moves anything
 * on, and slots a peer closed are free before the listeners accept. The
 * walk ends with the last ready entry, which for a busy connection is
 * usually the first.
 */
static void hand_on_ready(struct gd_agent *a, struct poll_set *ps, int ready)
{
	/* two loops, not a helper called twice: the call cost a ping 35
	 * instructions (callgrind) */
	for (int i = ps->nconn; i < ps->n && ready > 0; i++)
		if (ps->pfd[i].revents) {
			ready--;
			hand_on(a, ps, i);
		}
	for (int i = 0; i < ps->nconn && ready > 0; i++)
		if (ps->pfd[i].revents) {
			ready--;
			hand_on(a, ps, i);
		}
}

/*
 * One clock read per wake-up once poll(2) returns (a->woke_ns: the
 * timers, the connections' quiet times and PING's uptime use it), and one
 * before only when something is due. The timers run when the earliest due
 * time has come, or after a signal (a child's exit moves the shutdown
 * sequence and the descendants' drain on, which poll at a slower pace
 * otherwise).
 */
void gd_loop_run(struct gd_agent *a)
{
	static struct poll_set ps;

	a->woke_ns = gd_clock_ns(CLOCK_MONOTONIC);
	while (!a->stop) {
		uint64_t due = next_due(a, a->woke_ns);
		int timeout = due == GD_DUE_NEVER ? -1
				: poll_ms(due, gd_clock_ns(CLOCK_MONOTONIC));
		int ready;

		refresh(a, &ps);
		ready = poll(ps.pfd, (nfds_t)ps.n, timeout);
		a->woke_ns = gd_clock_ns(CLOCK_MONOTONIC);
		if (ready < 0) {
			if (errno != EINTR)
				gd_logf(&a->log, GD_LOG_ERR, "poll: %s",
					strerror(errno));
			continue;
		}
		hand_on_ready(a, &ps, ready);
		if (a->woke_ns >= due || ps.pfd[0].revents)
			run_timers(a, a->woke_ns);
	}
}
