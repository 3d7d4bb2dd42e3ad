#include "proto_pid1.h"

#include <string.h>

static const char *const modes[] = { "poweroff", "reboot", "halt" };
static const char *const phases[] = { "running", "grace", "kill",
				      "delegated", "failed" };

const char *gd_sd_mode_name(unsigned mode)
{
	return mode < sizeof modes / sizeof modes[0] ? modes[mode] : NULL;
}

int gd_sd_mode_parse(const char *name)
{
	for (unsigned i = 0; i < sizeof modes / sizeof modes[0]; i++)
		if (strcmp(name, modes[i]) == 0)
			return (int)i;
	return -1;
}

const char *gd_sd_phase_name(unsigned phase)
{
	return phase < sizeof phases / sizeof phases[0] ? phases[phase]
							 : "unknown";
}
