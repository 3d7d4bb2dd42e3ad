/* The one poll(2) loop: signalfd, listeners, connections, deadlines. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "exec.h"
#include "gate.h"
#include "transport.h"
#include "sysinfo.h"
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

static void run_timers(struct gd_agent *a)
{
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);

	gd_conns_expire(a, now);
	gd_serial_tick(a, now);
	gd_refusal_log_tick(a, now);
	gd_time_tick(a, now);
	gd_pid1_tick(a, now);
	gd_fsfreeze_tick(a, now);
}

void gd_loop_run(struct gd_agent *a)
{
	struct pollfd pfd[GD_POLL_MAX];
	struct gd_conn *owner[GD_POLL_MAX];

	while (!a->stop) {
		uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);
		int n = 0, nls, ntime, npb, nexec, nuev;

		pfd[n++] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
		for (int i = 0; i < a->net->nlisteners; i++)
			pfd[n++] = (struct pollfd){ .fd = a->net->listeners[i].fd,
						    .events = POLLIN };
		nls = n;
		n += gd_conns_pollfds(a, pfd + n, owner + n);
		ntime = n;
		n += gd_time_pollfds(a, pfd + n);
		npb = n;
		n += gd_pb_pollfds(a, pfd + n);
		nexec = n;
		n += gd_exec_pollfds(pfd + n);
		nuev = n;
		n += gd_uevents_pollfds(a, pfd + n);
		if (poll(pfd, (nfds_t)n, poll_ms(next_due(a, now), now)) < 0) {
			if (errno != EINTR)
				gd_logf(&a->log, GD_LOG_ERR, "poll: %s",
					strerror(errno));
			continue;
		}
		if (pfd[0].revents)
			handle_signals(a);
		for (int i = 1; i < nls; i++)
			if (pfd[i].revents)
				gd_conn_accept(a, &a->net->listeners[i - 1]);
		for (int i = nls; i < ntime; i++)
			if (pfd[i].revents && owner[i]->fd == pfd[i].fd)
				gd_conn_io(a, owner[i], pfd[i].revents);
		gd_time_events(a, pfd + ntime, npb - ntime);
		gd_pb_events(a, pfd + npb, nexec - npb);
		gd_exec_events(pfd + nexec, nuev - nexec);
		gd_uevents_events(a, pfd + nuev, n - nuev);
		run_timers(a);
	}
}
