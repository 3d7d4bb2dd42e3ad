/*
 * Not PID 1, guestd is the workload's child subreaper: whatever the
 * workload leaves behind (a daemon that double-forked into its own
 * session, say) is reparented to guestd, and is found by walking /proc
 * from guestd's pid. Before guestd exits it deals with them per
 * descendants=:
 *   kill   SIGTERM and SIGCONT to each, up to shutdown-grace, then SIGKILL
 *   wait   until they are all gone; SIGTERM or SIGINT to guestd -> kill
 *   leave  exit at once (tini's way), saying how many are left
 * guestd keeps serving while it drains, and exits with the workload's code.
 */
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "pid1.h"
#include "procscan.h"
#include "sysinfo.h"

static const char *const policy_names[] = {
	[GD_DESC_KILL] = "kill", [GD_DESC_WAIT] = "wait",
	[GD_DESC_LEAVE] = "leave",
};

int gd_desc_parse(const char *s)
{
	for (size_t i = 0; i < sizeof policy_names / sizeof policy_names[0];
	     i++)
		if (strcmp(s, policy_names[i]) == 0)
			return (int)i;
	return -1;
}

static struct gd_proc procs[GD_PROC_SCAN_MAX];

/* Signal (sig 0: only count) every live descendant of guestd. */
static int signal_descendants(int sig)
{
	int n = gd_proc_scan("/proc", procs, GD_PROC_SCAN_MAX);

	if (n <= 0)
		return 0;
	n = gd_proc_descendants(procs, n, getpid());
	for (int i = 0; sig && i < n; i++)
		kill(procs[i].pid, sig);
	return n;
}

void gd_signal_all_but(pid_t skip_pid, pid_t skip_pgid, int sig)
{
	int n = gd_proc_scan("/proc", procs, GD_PROC_SCAN_MAX);
	pid_t self = getpid();

	for (int i = 0; i < n; i++)
		if (procs[i].pid != self && procs[i].pid != skip_pid &&
		    procs[i].pgid != skip_pgid &&
		    procs[i].state != 'Z')
			kill(procs[i].pid, sig);
}

static void finish(struct gd_agent *a, int drained)
{
	if (drained)
		gd_logf(&a->log, GD_LOG_INFO, "descendants: none left");
	a->init->drain.phase = GD_DRAIN_NONE;
	a->stop = 1;
}

static void send_term(struct gd_agent *a, int n, uint64_t now)
{
	struct gd_drain *d = &a->init->drain;

	signal_descendants(SIGTERM);
	signal_descendants(SIGCONT);
	gd_logf(&a->log, GD_LOG_INFO, "descendants=kill: SIGTERM to %d "
		"remaining process%s", n, n == 1 ? "" : "es");
	d->phase = GD_DRAIN_TERM;
	d->deadline = now + (uint64_t)a->cfg.shutdown_grace_ms * 1000000u;
}

void gd_drain_begin(struct gd_agent *a, int escalate)
{
	struct gd_drain *d = &a->init->drain;
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);
	int n;

	if (d->phase == GD_DRAIN_TERM || d->phase == GD_DRAIN_KILL)
		return;
	gd_reap(a);
	n = a->init->wl.argc > 0 ? signal_descendants(0) : 0;
	if (n == 0) {
		finish(a, d->phase != GD_DRAIN_NONE);
		return;
	}
	if (a->init->descendants == GD_DESC_LEAVE) {
		gd_logf(&a->log, GD_LOG_INFO, "descendants=leave: %d process%s "
			"left running", n, n == 1 ? "" : "es");
		finish(a, 0);
		return;
	}
	if (d->phase == GD_DRAIN_NONE)
		d->started = now;
	if (a->init->descendants == GD_DESC_WAIT && !escalate) {
		if (d->phase == GD_DRAIN_NONE)
			gd_logf(&a->log, GD_LOG_INFO, "descendants=wait: waiting "
				"for %d process%s", n, n == 1 ? "" : "es");
		d->phase = GD_DRAIN_WAIT;
		return;
	}
	send_term(a, n, now);
}

void gd_drain_tick(struct gd_agent *a, uint64_t now)
{
	struct gd_drain *d = &a->init->drain;
	int n;

	if (d->phase == GD_DRAIN_NONE)
		return;
	gd_reap(a);
	n = signal_descendants(0);
	if (n == 0) {
		finish(a, 1);
		return;
	}
	if (d->phase == GD_DRAIN_WAIT || now < d->deadline)
		return;
	if (d->phase == GD_DRAIN_KILL) {
		gd_logf(&a->log, GD_LOG_WARN, "descendants: %d still there %d ms "
			"after SIGKILL: exiting", n, GD_SD_KILL_WAIT_MS);
		finish(a, 0);
		return;
	}
	signal_descendants(SIGKILL);
	gd_logf(&a->log, GD_LOG_INFO, "descendants=kill: SIGKILL to %d "
		"process%s still there after %llu ms", n, n == 1 ? "" : "es",
		(unsigned long long)((now - d->started) / 1000000u));
	d->phase = GD_DRAIN_KILL;
	d->deadline = now + (uint64_t)GD_SD_KILL_WAIT_MS * 1000000u;
}

uint64_t gd_drain_due(const struct gd_agent *a, uint64_t now)
{
	const struct gd_drain *d = &a->init->drain;
	uint64_t poll = now + (uint64_t)GD_DRAIN_POLL_MS * 1000000u;

	if (d->phase == GD_DRAIN_NONE)
		return GD_DUE_NEVER;
	if (d->phase == GD_DRAIN_WAIT)
		return poll;
	return gd_due_min(poll, d->deadline);
}
