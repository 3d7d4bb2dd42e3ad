/*
 * Ordered shutdown. As PID 1:
 *   SIGTERM (and SIGCONT) to the workload, then to every process
 *   wait up to the grace period, reaping; done early when none is left
 *   SIGKILL to what is left, wait up to GD_SD_KILL_WAIT_MS for the dead
 *   sync, close the listeners, unmount what guestd mounted, reboot(2)
 * Not as PID 1, the running init (or shutdown-cmd) is asked instead and
 * guestd never calls reboot(2) or kill(-1).
 * Requests are only recorded here; gd_shutdown_tick acts on them after
 * the loop pass that queued the answer, so the answer goes out first.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "argsplit.h"
#include "fsfreeze_svc.h"
#include "pid1.h"
#include "sysinfo.h"

static uint64_t ms_to_ns(uint32_t ms)
{
	return (uint64_t)ms * 1000000u;
}

static uint64_t elapsed_ms(const struct gd_shutdown *sd, uint64_t now)
{
	return (now - sd->started) / 1000000u;
}

static void record(struct gd_shutdown *sd, int mode, uint32_t grace_ms,
		   int force, const char *why)
{
	sd->mode = mode;
	sd->grace_ms = grace_ms;
	sd->force = force;
	sd->pending = 1;
	sd->started = gd_clock_ns(CLOCK_MONOTONIC);
	gd_strlcpy(sd->why, why, sizeof sd->why);
}

static int delegate(struct gd_agent *a, int mode, uint32_t grace_ms,
		    int force, const char *why, const char **err)
{
	struct gd_shutdown *sd = &a->init->sd;
	int kind = a->cfg.shutdown_cmd[0] ? GD_INIT_COMMAND : gd_init_detect();

	if (kind == GD_INIT_UNKNOWN) {
		*err = "not PID 1 and PID 1 is not systemd, busybox, sysvinit "
		       "or guestd: set shutdown-cmd";
		return GD_S_UNSUPPORTED;
	}
	if (kind != GD_INIT_COMMAND && gd_init_check(kind)) {
		*err = errno == EPERM ? "not permitted to signal PID 1"
				      : "cannot reach PID 1 (no initctl FIFO)";
		return GD_S_NOT_PERMITTED;
	}
	record(sd, mode, grace_ms, force, why);
	sd->phase = GD_SDP_DELEGATED;
	sd->via = kind;
	gd_logf(&a->log, GD_LOG_INFO, "%s: %s: asking %s",
		gd_sd_mode_name((unsigned)mode), why, gd_init_name(kind));
	return GD_S_OK;
}

int gd_shutdown_request(struct gd_agent *a, int mode, uint32_t grace_ms,
			int force, const char *why, const char **err)
{
	struct gd_shutdown *sd = &a->init->sd;

	gd_fsfreeze_release(a, "shutting down"); /* so everyone can flush */
	if (!a->is_pid1)
		return delegate(a, mode, grace_ms, force, why, err);
	if (sd->phase == GD_SDP_GRACE || sd->phase == GD_SDP_KILL) {
		gd_logf(&a->log, GD_LOG_INFO, "%s: %s: already "
			"shutting down (%s)%s", gd_sd_mode_name((unsigned)mode),
			why, gd_sd_mode_name((unsigned)sd->mode),
			force && sd->phase == GD_SDP_GRACE
				? "; forced: grace period cut short" : "");
		if (force && sd->phase == GD_SDP_GRACE) {
			sd->force = 1;
			sd->deadline = gd_clock_ns(CLOCK_MONOTONIC);
		}
		return GD_S_OK;
	}
	record(sd, mode, grace_ms, force, why);
	sd->phase = GD_SDP_GRACE;
	sd->via = GD_INIT_GUESTD;
	a->init->wl.restart_at = 0;
	gd_logf(&a->log, GD_LOG_INFO, "%s: %s (grace %u ms%s)",
		gd_sd_mode_name((unsigned)mode), why, grace_ms,
		force ? ", forced" : "");
	return GD_S_OK;
}

static void run_shutdown_cmd(struct gd_agent *a)
{
	static char buf[GD_CFG_EXEC_MAX];
	static char *argv[GD_SPAWN_ARGV_MAX + 2];
	static struct gd_envset env;
	struct gd_shutdown *sd = &a->init->sd;
	struct gd_spawn s = { .argv = argv, .envp = env.vars };
	const char *err;
	int n;

	if (sd->cmd_pid > 0) {
		gd_logf(&a->log, GD_LOG_INFO, "shutdown-cmd still running");
		return;
	}
	gd_strlcpy(buf, a->cfg.shutdown_cmd, sizeof buf);
	n = gd_argv_split(buf, argv, GD_SPAWN_ARGV_MAX, &err);
	if (n <= 0) {
		gd_logf(&a->log, GD_LOG_ERR, "shutdown-cmd: %s",
			n ? err : "empty");
		return;
	}
	argv[n] = (char *)gd_sd_mode_name((unsigned)sd->mode);
	argv[n + 1] = NULL;
	gd_env_init(&env);
	s.path = gd_env_get(&env, "PATH");
	sd->cmd_pid = gd_spawn(a, &s);
	if (sd->cmd_pid > 0)
		gd_logf(&a->log, GD_LOG_INFO, "shutdown-cmd %s %s started",
			argv[0], argv[n]);
	else
		sd->cmd_pid = 0;
}

static void delegate_now(struct gd_agent *a)
{
	struct gd_shutdown *sd = &a->init->sd;

	if (sd->via == GD_INIT_COMMAND) {
		run_shutdown_cmd(a);
		return;
	}
	if (gd_init_ask(sd->via, sd->mode, sd->force, sd->grace_ms) == 0) {
		gd_logf(&a->log, GD_LOG_INFO, "asked %s (PID 1) to %s",
			gd_init_name(sd->via), gd_sd_mode_name((unsigned)sd->mode));
		return;
	}
	gd_logf(&a->log, GD_LOG_ERR, "asking %s to %s: %s",
		gd_init_name(sd->via), gd_sd_mode_name((unsigned)sd->mode),
		strerror(errno));
	sd->phase = GD_SDP_NONE;
}

static void signal_all(struct gd_agent *a, int sig)
{
	if (a->init->wl.pid > 0) {
		gd_workload_signal(a, sig);
		gd_workload_signal(a, SIGCONT);
	}
	kill(-1, sig); /* every process but PID 1 (and kernel threads) */
	kill(-1, SIGCONT);
}

/*
 * The workload gets stop-signal= first; every other process SIGTERM.
 * With a stop signal of its own the workload (or its group) is left out
 * of the SIGTERM, which would otherwise beat the signal it asked for.
 */
static void signal_stop(struct gd_agent *a)
{
	pid_t wl = a->init->wl.pid;
	char name[16];

	if (wl <= 0 || a->init->stop_signal == SIGTERM) {
		signal_all(a, SIGTERM);
		gd_logf(&a->log, GD_LOG_INFO, "sent SIGTERM to all processes");
		return;
	}
	gd_workload_signal(a, a->init->stop_signal);
	gd_workload_signal(a, SIGCONT);
	gd_signal_all_but(wl, a->init->signal_group ? wl : -1, SIGTERM);
	kill(-1, SIGCONT);
	gd_logf(&a->log, GD_LOG_INFO, "sent %s to the workload%s, SIGTERM to "
		"all other processes", gd_sig_name(a->init->stop_signal, name,
		sizeof name), a->init->signal_group ? "'s group" : "");
}

static void begin(struct gd_agent *a, uint64_t now)
{
	struct gd_shutdown *sd = &a->init->sd;

	gd_notify(a, "STOPPING=1");
	signal_stop(a);
	sd->deadline = now + (sd->force ? 0 : ms_to_ns(sd->grace_ms));
}

static int reboot_cmd(int mode)
{
	if (mode == GD_SD_REBOOT)
		return RB_AUTOBOOT;
	return mode == GD_SD_HALT ? RB_HALT_SYSTEM : RB_POWER_OFF;
}

static int container_exit_code(const struct gd_agent *a)
{
	const struct gd_workload *wl = &a->init->wl;

	return wl->have_status ? gd_workload_exit_code(a, (int)wl->status) : 0;
}

static void finish(struct gd_agent *a, uint64_t now)
{
	struct gd_shutdown *sd = &a->init->sd;
	const char *mode = gd_sd_mode_name((unsigned)sd->mode);
	int err;

	gd_logf(&a->log, GD_LOG_INFO, "%llu ms after the request: sync, "
		"unmount, %s", (unsigned long long)elapsed_ms(sd, now), mode);
	sync();
	gd_listeners_close(a);
	gd_mounts_release(a);
	sync();
	reboot(reboot_cmd(sd->mode));
	err = errno;
	gd_logf(&a->log, GD_LOG_ERR, "reboot(2) for %s: %s", mode,
		strerror(err));
	/* Only a namespace's init may end by exiting: the machine's would panic. */
	if (!a->init->root_pidns && (err == EPERM || err == EINVAL)) {
		gd_logf(&a->log, GD_LOG_INFO, "PID 1 of a namespace without "
			"CAP_SYS_BOOT: exiting instead");
		_exit(container_exit_code(a));
	}
	sd->phase = GD_SDP_FAILED;
	gd_listeners_open(a);
}

static void sequence_tick(struct gd_agent *a, uint64_t now)
{
	struct gd_shutdown *sd = &a->init->sd;
	int none_left;

	if (sd->pending) {
		sd->pending = 0;
		begin(a, now);
	}
	none_left = gd_reap(a);
	if (none_left) {
		gd_logf(&a->log, GD_LOG_INFO, "no process left");
		finish(a, now);
		return;
	}
	if (now < sd->deadline)
		return;
	if (sd->phase == GD_SDP_KILL) {
		gd_logf(&a->log, GD_LOG_WARN, "processes still there %d ms "
			"after SIGKILL: going on", GD_SD_KILL_WAIT_MS);
		finish(a, now);
		return;
	}
	gd_logf(&a->log, GD_LOG_INFO, "%s after %llu ms: SIGKILL to all "
		"processes", sd->force ? "forced" : "grace period over",
		(unsigned long long)elapsed_ms(sd, now));
	signal_all(a, SIGKILL);
	sd->phase = GD_SDP_KILL;
	sd->deadline = now + ms_to_ns(GD_SD_KILL_WAIT_MS);
}

void gd_shutdown_tick(struct gd_agent *a, uint64_t now)
{
	struct gd_shutdown *sd = &a->init->sd;

	if (sd->phase == GD_SDP_GRACE || sd->phase == GD_SDP_KILL) {
		sequence_tick(a, now);
	} else if (sd->phase == GD_SDP_DELEGATED && sd->pending) {
		sd->pending = 0;
		delegate_now(a);
	}
}

uint64_t gd_shutdown_due(const struct gd_agent *a)
{
	const struct gd_shutdown *sd = &a->init->sd;

	if (sd->pending)
		return 0; /* at once */
	if (sd->phase != GD_SDP_GRACE && sd->phase != GD_SDP_KILL)
		return GD_DUE_NEVER;
	return sd->deadline;
}
