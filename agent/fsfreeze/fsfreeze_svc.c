/* Freeze and thaw with hooks, a deadline and quiet (fsfreeze_svc.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent.h"
#include "fsfreeze.h"
#include "fsfreeze_hook.h"
#include "fsfreeze_svc.h"
#include "sysinfo.h"

void gd_fsfreeze_start(struct gd_agent *a)
{
	struct gd_fsf_state *s = a->fsfreeze;

	gd_fsf_init(&s->core, &a->log, a->cfg.fsfreeze_exclude);
	s->frozen = s->quiet = 0;
	s->thaw_at = GD_DUE_NEVER;
}

static void hooks(struct gd_agent *a, const char *arg)
{
	char err[GD_FSF_ERR_MAX];

	if (gd_fsf_hooks_run(&a->log, a->cfg.fsfreeze_hook_dir, arg,
			     a->cfg.fsfreeze_hook_timeout * 1000u, err,
			     sizeof err) < 0)
		gd_logf(&a->log, GD_LOG_ERR, "%s", err);
}

/* Loud again: say what was dropped meanwhile. */
static void unquiet(struct gd_agent *a)
{
	struct gd_fsf_state *s = a->fsfreeze;
	unsigned dropped = s->dropped;

	s->quiet = 0;
	s->dropped = 0;
	if (dropped)
		gd_logf(&a->log, GD_LOG_WARN, "fsfreeze: %u log lines dropped "
			"while frozen", dropped);
}

int gd_fsfreeze_freeze(struct gd_agent *a, const char *const *only,
		       size_t nonly, char *err, size_t cap)
{
	struct gd_fsf_state *s = a->fsfreeze;
	int n;

	if (s->frozen)
		return snprintf(err, cap, "filesystems are frozen already"), -1;
	if (gd_fsf_hooks_run(&a->log, a->cfg.fsfreeze_hook_dir, "freeze",
			     a->cfg.fsfreeze_hook_timeout * 1000u, err, cap) < 0)
		return -1;
	s->quiet = 1; /* from here on, qemu-ga: "cannot risk blocking itself" */
	n = gd_fsf_freeze(&s->core, only, nonly);
	if (n <= 0) {
		if (n < 0)
			snprintf(err, cap, "%s", s->core.err);
		unquiet(a);
		hooks(a, "thaw");
		return n;
	}
	s->frozen = 1;
	s->thaw_at = gd_clock_ns(CLOCK_MONOTONIC) +
		     (uint64_t)a->cfg.fsfreeze_timeout * 1000000000u;
	gd_logf(&a->log, GD_LOG_INFO, "fsfreeze: %d filesystems frozen; thawed "
		"by themselves in %u s unless the host thaws them", n,
		(unsigned)a->cfg.fsfreeze_timeout);
	return n;
}

static void thawed(struct gd_agent *a)
{
	a->fsfreeze->frozen = 0;
	a->fsfreeze->thaw_at = GD_DUE_NEVER;
	unquiet(a);
}

int gd_fsfreeze_thaw(struct gd_agent *a)
{
	int n = gd_fsf_thaw_sweep(&a->fsfreeze->core);

	thawed(a);
	gd_logf(&a->log, GD_LOG_INFO, "fsfreeze: %d filesystems thawed", n);
	hooks(a, "thaw");
	return n;
}

void gd_fsfreeze_release(struct gd_agent *a, const char *why)
{
	int n;

	if (!a->fsfreeze->frozen)
		return;
	n = gd_fsf_thaw(&a->fsfreeze->core);
	thawed(a);
	gd_logf(&a->log, GD_LOG_WARN, "fsfreeze: %s: %d filesystems thawed",
		why, n);
	hooks(a, "thaw");
}

uint64_t gd_fsfreeze_due(const struct gd_agent *a)
{
	return a->fsfreeze->frozen ? a->fsfreeze->thaw_at : GD_DUE_NEVER;
}

void gd_fsfreeze_tick(struct gd_agent *a, uint64_t now)
{
	char why[64];

	if (!a->fsfreeze->frozen || now < a->fsfreeze->thaw_at)
		return;
	snprintf(why, sizeof why, "no thaw within %u s (fsfreeze-timeout)",
		 (unsigned)a->cfg.fsfreeze_timeout);
	gd_fsfreeze_release(a, why);
}
