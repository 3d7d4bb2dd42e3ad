/*
 * The order of an init's work: API filesystems and the console before the
 * configuration (it lives in /proc/cmdline), then hostname, loopback,
 * Ctrl-Alt-Del (whose answer also says whether this is the machine's PID 1
 * or a namespace's: initsys.c) and modules, then the workload once the
 * host can connect.
 */
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "agent.h"
#include "pid1.h"

void gd_pid1_early(struct gd_agent *a)
{
	gd_mounts_setup(a);
	gd_init_console();
}

static int check_choices(struct gd_agent *a)
{
	const char *cad = a->cfg.ctrl_alt_del, *to = a->cfg.log_to;
	int bad = 0;

	a->init->cad_mode = gd_sd_mode_parse(cad);
	if (a->init->cad_mode < 0) {
		gd_logf(&a->log, GD_LOG_ERR, "ctrl-alt-del=%s: not poweroff, "
			"reboot or halt; using poweroff", cad);
		a->init->cad_mode = GD_SD_POWEROFF;
		bad = 1;
	}
	if (strcmp(to, "auto") && strcmp(to, "kmsg") && strcmp(to, "stderr")) {
		gd_logf(&a->log, GD_LOG_ERR, "log-to=%s: not auto, kmsg or "
			"stderr", to);
		bad = 1;
	}
	if (strcmp(a->cfg.qga_trust, "key") &&
	    strcmp(a->cfg.qga_trust, "channel")) {
		gd_logf(&a->log, GD_LOG_ERR, "qga-trust=%s: not key or channel; "
			"using key", a->cfg.qga_trust);
		bad = 1;
	}
	return bad;
}

static int check_power_button(struct gd_agent *a)
{
	const char *pb = a->cfg.power_button;

	a->init->pb.action = strcmp(pb, "ignore") ? gd_sd_mode_parse(pb)
						 : GD_PB_IGNORE;
	if (a->init->pb.action >= 0)
		return 0;
	gd_logf(&a->log, GD_LOG_ERR, "power-button=%s: not poweroff, reboot, "
		"halt or ignore; using poweroff", pb);
	a->init->pb.action = GD_SD_POWEROFF;
	return 1;
}

/* The tini and dumb-init choices: stop signal, rewrite, remap, leftovers. */
static int check_signals(struct gd_agent *a)
{
	const struct gd_config *c = &a->cfg;
	struct gd_pid1 *p = a->init;
	char err[GD_MAP_ERR_MAX];
	int bad = 0;

	p->signal_group = c->signal_group != 0;
	p->stop_signal = gd_sig_parse(c->stop_signal, strlen(c->stop_signal));
	if (p->stop_signal < 0) {
		gd_logf(&a->log, GD_LOG_ERR, "stop-signal=%s: not a signal; "
			"using SIGTERM", c->stop_signal);
		p->stop_signal = SIGTERM;
		bad = 1;
	}
	gd_sigmap_init(&p->rewrite);
	if (gd_sigmap_parse(&p->rewrite, c->signal_rewrite, err, sizeof err)) {
		gd_logf(&a->log, GD_LOG_ERR, "signal-rewrite=%s", err);
		gd_sigmap_init(&p->rewrite);
		bad = 1;
	}
	gd_exitmap_init(&p->exitmap);
	if (gd_exitmap_parse(&p->exitmap, c->exit_remap, err, sizeof err)) {
		gd_logf(&a->log, GD_LOG_ERR, "exit-remap=%s", err);
		gd_exitmap_init(&p->exitmap);
		bad = 1;
	}
	p->descendants = gd_desc_parse(c->descendants);
	if (p->descendants < 0) {
		gd_logf(&a->log, GD_LOG_ERR, "descendants=%s: not kill, wait or "
			"leave; using kill", c->descendants);
		p->descendants = GD_DESC_KILL;
		bad = 1;
	}
	return bad;
}

int gd_pid1_setup(struct gd_agent *a, int argc, char **argv)
{
	int bad = check_choices(a) | check_power_button(a) | check_signals(a);

	bad |= gd_workload_setup(a, argc, argv) != 0;
	if (a->is_pid1) {
		gd_init_system(a);
	} else {
		if (a->cfg.hostname[0] || a->cfg.modules[0])
			gd_logf(&a->log, GD_LOG_WARN, "hostname= and modules= "
				"are for PID 1 only: ignored");
		/* Orphans of the workload come to guestd, as to tini -s. */
		if (a->init->wl.argc > 0)
			prctl(PR_SET_CHILD_SUBREAPER, 1);
	}
	return bad ? -1 : 0;
}

void gd_pid1_start(struct gd_agent *a)
{
	gd_workload_start(a);
}

void gd_pid1_tick(struct gd_agent *a, uint64_t now)
{
	if (a->sigfd < 0)
		gd_reap(a);
	gd_workload_tick(a, now);
	gd_shutdown_tick(a, now);
	gd_drain_tick(a, now);
}

uint64_t gd_pid1_due(const struct gd_agent *a, uint64_t now)
{
	uint64_t due = gd_due_min(gd_workload_due(a), gd_shutdown_due(a));

	due = gd_due_min(due, gd_drain_due(a, now));

	if (a->sigfd < 0) /* no signalfd: reap by polling */
		due = gd_due_min(due, now + GD_NO_SIGFD_POLL_MS * 1000000ull);
	return due;
}
