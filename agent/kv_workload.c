/*
 * Workload facts for the auto pool. struct gd_agent has no workload
 * fields yet (the PID 1 work adds them); until then both report "none".
 * When they land, read them here and nowhere else.
 */
#include <stdio.h>

#include "agent.h"

const char *gd_kv_workload_state(const struct gd_agent *a)
{
	(void)a;
	return "none"; /* GD_WL_NONE: "none", "running" or "exited" later */
}

void gd_kv_workload_exit(const struct gd_agent *a, char *out, size_t cap)
{
	(void)a;
	snprintf(out, cap, "none");
}
