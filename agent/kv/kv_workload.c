/*
 * Workload facts for the auto pool, read from the PID 1 state (pid1.h):
 * workload.state "none", "running" or "exited"; workload.exit-status
 * "none" or the last exit code as a shell shows it (128+N for signal N).
 */
#include <stdio.h>
#include <sys/wait.h>

#include "agent.h"
#include "pid1.h"

const char *gd_kv_workload_state(const struct gd_agent *a)
{
	const struct gd_workload *wl = &a->init->wl;

	if (wl->argc == 0)
		return "none";
	return wl->state == GD_WL_RUNNING ? "running"
	       : wl->state == GD_WL_EXITED ? "exited" : "none";
}

void gd_kv_workload_exit(const struct gd_agent *a, char *out, size_t cap)
{
	const struct gd_workload *wl = &a->init->wl;
	int st = (int)wl->status;

	if (!wl->have_status)
		snprintf(out, cap, "none");
	else if (WIFSIGNALED(st))
		snprintf(out, cap, "%d", 128 + WTERMSIG(st));
	else
		snprintf(out, cap, "%d", WEXITSTATUS(st));
}
