/*
 * The workload: the one command guestd runs and watches, from
 * `guestd [flags] -- CMD ARGS` or exec=, with a clean environment, and
 * what happens when it exits (on-exit=).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "argsplit.h"
#include "idfile.h"
#include "pid1.h"
#include "sysinfo.h"

#define GD_WL_FAILED_STATUS (126 << 8) /* recorded when it could not run */

static const char *const on_exit_names[] = {
	[GD_OE_POWEROFF] = "poweroff", [GD_OE_REBOOT] = "reboot",
	[GD_OE_HALT] = "halt",         [GD_OE_RESTART] = "restart",
	[GD_OE_STAY] = "stay",         [GD_OE_EXIT] = "exit",
};

int gd_on_exit_parse(const char *s)
{
	for (size_t i = 0; i < sizeof on_exit_names / sizeof on_exit_names[0];
	     i++)
		if (strcmp(s, on_exit_names[i]) == 0)
			return (int)i;
	return -1;
}

/* A number, or a name looked up in file (passwd or group format). */
static int lookup_id(const char *spec, const char *file, uint32_t *id,
		     uint32_t *gid)
{
	static char text[GD_PASSWD_MAX];
	long n;

	if (gd_id_parse(spec, id) == 0)
		return 0;
	n = gd_read_small_file(file, text, sizeof text);
	return n < 0 ? -1 : gd_idfile_lookup(text, (size_t)n, spec, id, gid);
}

static int setup_ids(struct gd_agent *a, struct gd_workload *wl)
{
	const struct gd_config *c = &a->cfg;
	uint32_t uid = 0, gid = 0, user_gid = 0, number;

	if (!c->uid[0] && !c->gid[0])
		return 0;
	if (c->uid[0]) {
		if (lookup_id(c->uid, "/etc/passwd", &uid, &user_gid)) {
			gd_logf(&a->log, GD_LOG_ERR, "uid %s: no such user",
				c->uid);
			return -1;
		}
		/* a user's own group by name; the same number otherwise */
		gid = gd_id_parse(c->uid, &number) == 0 ? uid : user_gid;
	}
	if (c->gid[0] && lookup_id(c->gid, "/etc/group", &gid, NULL)) {
		gd_logf(&a->log, GD_LOG_ERR, "gid %s: no such group", c->gid);
		return -1;
	}
	if (!c->uid[0])
		uid = (uint32_t)getuid();
	wl->set_ids = 1;
	wl->uid = (uid_t)uid;
	wl->gid = (gid_t)gid;
	return 0;
}

static int setup_env(struct gd_agent *a, struct gd_workload *wl)
{
	const char *entry, *err;
	size_t pos = 0;
	int n;

	gd_env_init(&wl->env);
	while ((n = gd_cfg_list_next(a->cfg.env, &pos, &entry)) >= 0) {
		if (gd_env_put(&wl->env, entry, (size_t)n, &err) == 0)
			continue;
		gd_logf(&a->log, GD_LOG_ERR, "env %.*s: %s", n > 64 ? 64 : n,
			entry, err);
		return -1;
	}
	return 0;
}

static int setup_argv(struct gd_agent *a, struct gd_workload *wl, int argc,
		      char **argv)
{
	const char *err;

	if (argc > GD_WL_ARGV_MAX) {
		gd_logf(&a->log, GD_LOG_ERR, "workload: more than %d words",
			GD_WL_ARGV_MAX);
		return -1;
	}
	if (argc > 0) {
		memcpy(wl->argv, argv, (size_t)argc * sizeof *argv);
		wl->argv[argc] = NULL;
		wl->argc = argc;
		return 0;
	}
	memcpy(wl->argbuf, a->cfg.exec, sizeof wl->argbuf);
	wl->argc = gd_argv_split(wl->argbuf, wl->argv, GD_WL_ARGV_MAX, &err);
	if (wl->argc >= 0)
		return 0;
	gd_logf(&a->log, GD_LOG_ERR, "exec=: %s (at most %d words)", err,
		GD_WL_ARGV_MAX);
	wl->argc = 0;
	return -1;
}

static int setup_on_exit(struct gd_agent *a, struct gd_workload *wl)
{
	const char *s = a->cfg.on_exit;

	wl->on_exit = a->is_pid1 ? GD_OE_POWEROFF : GD_OE_EXIT;
	if (!s[0])
		return 0;
	if (gd_on_exit_parse(s) < 0) {
		gd_logf(&a->log, GD_LOG_ERR, "on-exit=%s: not poweroff, reboot, "
			"halt, restart, stay or exit", s);
		return -1;
	}
	wl->on_exit = gd_on_exit_parse(s);
	if (a->is_pid1 && wl->on_exit == GD_OE_EXIT) {
		gd_logf(&a->log, GD_LOG_WARN,
			"on-exit=exit: PID 1 never exits; powering off instead");
		wl->on_exit = GD_OE_POWEROFF;
	}
	return 0;
}

int gd_workload_setup(struct gd_agent *a, int argc, char **argv)
{
	struct gd_workload *wl = &a->init->wl;
	int bad = 0;

	bad |= setup_on_exit(a, wl);
	bad |= setup_argv(a, wl, argc, argv);
	if (wl->argc == 0)
		return bad ? -1 : 0;
	bad |= setup_env(a, wl);
	bad |= setup_ids(a, wl);
	wl->setup_failed = bad != 0;
	return bad ? -1 : 0;
}

void gd_workload_start(struct gd_agent *a)
{
	struct gd_workload *wl = &a->init->wl;
	struct gd_spawn s = {
		.argv = wl->argv, .envp = wl->env.vars,
		.path = gd_env_get(&wl->env, "PATH"),
		.workdir = a->cfg.workdir[0] ? a->cfg.workdir
					     : (a->is_pid1 ? "/" : NULL),
		.set_ids = wl->set_ids, .uid = wl->uid, .gid = wl->gid,
		.take_tty = a->is_pid1,
	};

	if (wl->argc == 0)
		return;
	wl->pid = wl->setup_failed ? -1 : gd_spawn(a, &s);
	if (wl->pid < 0) {
		wl->pid = 0;
		gd_workload_exited(a, GD_WL_FAILED_STATUS);
		return;
	}
	wl->state = GD_WL_RUNNING;
	gd_logf(&a->log, GD_LOG_INFO, "workload %s started, pid %d",
		wl->argv[0], (int)wl->pid);
}

int gd_workload_exit_code(const struct gd_agent *a, int status)
{
	int code = WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				       : WEXITSTATUS(status);

	return gd_exitmap_apply(&a->init->exitmap, code);
}

int gd_workload_signal(struct gd_agent *a, int sig)
{
	pid_t pid = a->init->wl.pid;

	if (pid <= 0) {
		errno = ESRCH;
		return -1;
	}
	/* spawned with setsid(): its process group is its pid */
	return kill(a->init->signal_group ? -pid : pid, sig);
}

static void log_exit(struct gd_agent *a, const struct gd_workload *wl,
		     int status, int shutting_down)
{
	const char *then = shutting_down ? "shutting down"
					 : on_exit_names[wl->on_exit];

	if (WIFSIGNALED(status)) {
		char sig[16];

		gd_logf(&a->log, GD_LOG_INFO, "workload %s killed by %s; %s%s",
			wl->argv[0], gd_sig_name(WTERMSIG(status), sig, sizeof sig),
			shutting_down ? "" : "on-exit=", then);
	} else {
		gd_logf(&a->log, GD_LOG_INFO,
			"workload %s exited with status %d; %s%s", wl->argv[0],
			WEXITSTATUS(status), shutting_down ? "" : "on-exit=",
			then);
	}
}

void gd_workload_exited(struct gd_agent *a, int status)
{
	struct gd_workload *wl = &a->init->wl;
	const struct gd_shutdown *sd = &a->init->sd;
	int shutting_down = sd->phase != GD_SDP_NONE || sd->pending;
	const char *err;
	char note[32];

	wl->pid = 0;
	wl->state = GD_WL_EXITED;
	wl->have_status = 1;
	wl->status = (uint32_t)status;
	log_exit(a, wl, status, shutting_down);
	snprintf(note, sizeof note, "EXIT_STATUS=%d",
		 WIFSIGNALED(status) ? 128 + WTERMSIG(status)
				     : WEXITSTATUS(status));
	gd_notify(a, note);
	if (shutting_down)
		return; /* already on the way down: nothing more to apply */
	switch (wl->on_exit) {
	case GD_OE_RESTART:
		wl->restart_at = gd_clock_ns(CLOCK_MONOTONIC) +
				 (uint64_t)a->cfg.restart_delay_ms * 1000000u;
		break;
	case GD_OE_STAY:
		break;
	case GD_OE_EXIT:
		a->exit_code = gd_workload_exit_code(a, status);
		gd_drain_begin(a, 0);
		break;
	default:
		if (gd_shutdown_request(a, wl->on_exit,
					a->cfg.shutdown_grace_ms, 0,
					"the workload exited", &err) != GD_S_OK)
			gd_logf(&a->log, GD_LOG_ERR, "on-exit=%s: %s",
				on_exit_names[wl->on_exit], err);
	}
}

void gd_workload_tick(struct gd_agent *a, uint64_t now)
{
	struct gd_workload *wl = &a->init->wl;

	if (!wl->restart_at || now < wl->restart_at)
		return;
	wl->restart_at = 0;
	if (a->init->sd.phase != GD_SDP_NONE || a->init->sd.pending)
		return;
	wl->restarts++;
	gd_workload_start(a);
}

uint64_t gd_workload_due(const struct gd_agent *a)
{
	return a->init->wl.restart_at ? a->init->wl.restart_at : GD_DUE_NEVER;
}
