/*
 * What each signal means to guestd. As PID 1 the shutdown signals follow
 * the inits people already script against; everything else goes to the
 * workload as tini would forward it. Not as PID 1, SIGTERM and SIGINT stop
 * guestd unless a workload runs, in which case they are forwarded too.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"

/*
 * systemd's SIGRTMIN+n counts from glibc's SIGRTMIN (34); musl's is 35.
 * Use the kernel numbers systemctl and `kill -RTMIN+4 1` actually send.
 */
#define GD_SD_RTMIN 34
#define GD_FIRST_RT 35  /* lowest real-time signal musl lets a program block */
#define GD_LAST_RT 64

enum sig_action { A_SHUTDOWN, A_CTRL_ALT_DEL };

struct sig_row {
	int sig;
	enum sig_action act;
	int mode;
	int force;
	const char *convention;
};

static const struct sig_row pid1_table[] = {
	{ GD_SD_RTMIN + 3, A_SHUTDOWN, GD_SD_HALT, 0, "systemd" },
	{ GD_SD_RTMIN + 4, A_SHUTDOWN, GD_SD_POWEROFF, 0, "systemd" },
	{ GD_SD_RTMIN + 5, A_SHUTDOWN, GD_SD_REBOOT, 0, "systemd" },
	{ GD_SD_RTMIN + 13, A_SHUTDOWN, GD_SD_HALT, 1, "systemd, immediate" },
	{ GD_SD_RTMIN + 14, A_SHUTDOWN, GD_SD_POWEROFF, 1, "systemd, immediate" },
	{ GD_SD_RTMIN + 15, A_SHUTDOWN, GD_SD_REBOOT, 1, "systemd, immediate" },
	{ SIGUSR1, A_SHUTDOWN, GD_SD_HALT, 0, "busybox" },
	{ SIGUSR2, A_SHUTDOWN, GD_SD_POWEROFF, 0, "busybox" },
	{ SIGTERM, A_SHUTDOWN, GD_SD_REBOOT, 0, "busybox" },
	{ SIGPWR, A_SHUTDOWN, GD_SD_POWEROFF, 0, "power failure" },
	{ SIGINT, A_CTRL_ALT_DEL, 0, 0, "Ctrl-Alt-Del" },
};

/* Forwarded to the workload (besides the RT signals and the table's own). */
static const int forwarded[] = {
	SIGHUP, SIGQUIT, SIGWINCH, SIGALRM, SIGCONT, SIGTSTP, SIGTTIN, SIGTTOU,
	SIGVTALRM, SIGPROF, SIGURG, SIGIO, SIGXCPU, SIGXFSZ, SIGUSR1, SIGUSR2,
	SIGTERM, SIGINT, SIGPWR,
};

static const char *const names[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT",
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",
	[SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL",
	[SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP",
	[SIGTSTP] = "SIGTSTP", [SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",
	[SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU", [SIGXFSZ] = "SIGXFSZ",
	[SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR",
	[SIGSYS] = "SIGSYS",
};

const char *gd_sig_name(int sig, char *buf, size_t cap)
{
	if (sig > 0 && (size_t)sig < sizeof names / sizeof names[0] &&
	    names[sig])
		return names[sig];
	if (sig >= GD_SD_RTMIN && sig <= GD_LAST_RT)
		snprintf(buf, cap, "SIGRTMIN+%d", sig - GD_SD_RTMIN);
	else
		snprintf(buf, cap, "signal %d", sig);
	return buf;
}

void gd_sig_fill(sigset_t *set)
{
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(set, forwarded[i]);
	for (int sig = GD_FIRST_RT; sig <= GD_LAST_RT; sig++)
		sigaddset(set, sig);
}

static const struct sig_row *pid1_row(int sig)
{
	for (size_t i = 0; i < sizeof pid1_table / sizeof pid1_table[0]; i++)
		if (pid1_table[i].sig == sig)
			return &pid1_table[i];
	return NULL;
}

static void forward(struct gd_agent *a, int sig)
{
	pid_t pid = a->init.wl.pid;
	char buf[16];

	if (pid <= 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "%s: no workload to forward to",
			gd_sig_name(sig, buf, sizeof buf));
		return;
	}
	if (kill(pid, sig) != 0)
		gd_logf(&a->log, GD_LOG_WARN, "forwarding %s to %d: %s",
			gd_sig_name(sig, buf, sizeof buf), (int)pid,
			strerror(errno));
	else
		gd_logf(&a->log, GD_LOG_DEBUG, "forwarded %s to %d",
			gd_sig_name(sig, buf, sizeof buf), (int)pid);
}

static void pid1_shutdown(struct gd_agent *a, const struct sig_row *row,
			  const struct signalfd_siginfo *si)
{
	int mode = row->act == A_CTRL_ALT_DEL ? a->init.cad_mode : row->mode;
	char why[64], buf[16];
	const char *err;

	snprintf(why, sizeof why, "%s (%s) from pid %u",
		 gd_sig_name(row->sig, buf, sizeof buf), row->convention,
		 si->ssi_pid);
	if (gd_shutdown_request(a, mode, a->cfg.shutdown_grace_ms, row->force,
				why, &err) != GD_S_OK)
		gd_logf(&a->log, GD_LOG_ERR, "%s: %s", why, err);
}

void gd_sig_handle(struct gd_agent *a, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	const struct sig_row *row;

	if (sig == SIGCHLD) {
		gd_reap(a);
		return;
	}
	row = a->is_pid1 ? pid1_row(sig) : NULL;
	if (row) {
		pid1_shutdown(a, row, si);
		return;
	}
	if (!a->is_pid1 && (sig == SIGTERM || sig == SIGINT) &&
	    a->init.wl.pid <= 0) {
		char buf[16];

		gd_logf(&a->log, GD_LOG_INFO, "%s: stopping",
			gd_sig_name(sig, buf, sizeof buf));
		a->stop = 1;
		return;
	}
	forward(a, sig);
}
