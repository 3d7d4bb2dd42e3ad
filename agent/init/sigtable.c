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
#include "pid1.h"

/* systemd's SIGRTMIN+n count from the kernel's GD_SIG_RTMIN (signame.h). */
#define GD_FIRST_RT 35  /* lowest real-time signal musl lets a program block */

enum sig_action { A_SHUTDOWN, A_CTRL_ALT_DEL };

struct sig_row {
	int sig;
	enum sig_action act;
	int mode;
	int force;
	const char *convention;
};

static const struct sig_row pid1_table[] = {
	{ GD_SIG_RTMIN + 3, A_SHUTDOWN, GD_SD_HALT, 0, "systemd" },
	{ GD_SIG_RTMIN + 4, A_SHUTDOWN, GD_SD_POWEROFF, 0, "systemd" },
	{ GD_SIG_RTMIN + 5, A_SHUTDOWN, GD_SD_REBOOT, 0, "systemd" },
	{ GD_SIG_RTMIN + 13, A_SHUTDOWN, GD_SD_HALT, 1, "systemd, immediate" },
	{ GD_SIG_RTMIN + 14, A_SHUTDOWN, GD_SD_POWEROFF, 1, "systemd, immediate" },
	{ GD_SIG_RTMIN + 15, A_SHUTDOWN, GD_SD_REBOOT, 1, "systemd, immediate" },
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

void gd_sig_fill(sigset_t *set)
{
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; i++)
		sigaddset(set, forwarded[i]);
	for (int sig = GD_FIRST_RT; sig <= GD_SIG_LAST; sig++)
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
	int to = gd_sigmap_apply(&a->init->rewrite, sig);
	pid_t pid = a->init->wl.pid;
	char from_name[16], to_name[16];

	gd_sig_name(sig, from_name, sizeof from_name);
	if (pid <= 0 || to == 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "%s: %s", from_name, to == 0
			? "dropped (signal-rewrite)" : "no workload to forward to");
		return;
	}
	gd_sig_name(to, to_name, sizeof to_name);
	if (gd_workload_signal(a, to) != 0)
		gd_logf(&a->log, GD_LOG_WARN, "forwarding %s to %d: %s", to_name,
			(int)pid, strerror(errno));
	else
		gd_logf(&a->log, GD_LOG_DEBUG, "forwarded %s%s%s to %s %d",
			to_name, to != sig ? " (rewritten from " : "",
			to != sig ? from_name : "", a->init->signal_group
			? "group" : "pid", (int)pid);
}

static void pid1_shutdown(struct gd_agent *a, const struct sig_row *row,
			  const struct signalfd_siginfo *si)
{
	int mode = row->act == A_CTRL_ALT_DEL ? a->init->cad_mode : row->mode;
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
	    a->init->wl.pid <= 0) {
		char buf[16];

		gd_logf(&a->log, GD_LOG_INFO, "%s: stopping",
			gd_sig_name(sig, buf, sizeof buf));
		gd_drain_begin(a, 1);
		return;
	}
	forward(a, sig);
}
