/* Reaping: every child, the workload, orphans reparented to PID 1. */
#include <errno.h>
#include <sys/wait.h>

#include "agent.h"
#include "exec.h"
#include "pid1.h"

static void shutdown_cmd_done(struct gd_agent *a, int status)
{
	a->init->sd.cmd_pid = 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		gd_logf(&a->log, GD_LOG_INFO, "shutdown-cmd finished");
	else
		gd_logf(&a->log, GD_LOG_WARN,
			"shutdown-cmd failed (wait status %d)", status);
}

int gd_reap(struct gd_agent *a)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid == 0)
			return 0;
		if (pid < 0)
			return errno == ECHILD;
		a->init->reaped++;
		if (pid == a->init->wl.pid)
			gd_workload_exited(a, status);
		else if (pid == a->init->sd.cmd_pid)
			shutdown_cmd_done(a, status);
		else
			gd_exec_reaped(pid, status); /* guest-exec's (exec.h) */
	}
}
