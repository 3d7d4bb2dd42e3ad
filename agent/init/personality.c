/*
 * guestd as poweroff, reboot or halt (links in /sbin): ask PID 1 to do it,
 * the way that PID 1 understands. The kernel's orderly power-off (Hyper-V's
 * shutdown service, ACPI without acpid...) runs /sbin/poweroff and
 * /sbin/reboot, so these must work with no agent connection at all.
 *
 *   poweroff|reboot|halt [-f|--force] [-w|--wtmp-only] [-n] [-d] [-i] [-p]
 *
 * -f asks for the immediate variant (guestd and systemd skip the grace
 * period); -w does nothing, as elsewhere; -n -d -i -p are accepted and
 * ignored for scripts written for sysvinit and busybox.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agent.h"
#include "pid1.h"

static int usage(const char *name, FILE *out, int code)
{
	fprintf(out, "usage: %s [-f|--force] [-w]\n"
		     "Ask PID 1 (guestd, systemd, busybox or sysvinit init) to "
		     "%s.\n", name, name);
	return code;
}

static int parse(const char *name, int argc, char **argv, int *force,
		 int *noop)
{
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!strcmp(o, "-f") || !strcmp(o, "--force"))
			*force = 1;
		else if (!strcmp(o, "-w") || !strcmp(o, "--wtmp-only"))
			*noop = 1;
		else if (!strcmp(o, "--help"))
			return usage(name, stdout, 0);
		else if (strcmp(o, "-n") && strcmp(o, "-d") &&
			 strcmp(o, "-i") && strcmp(o, "-p") &&
			 strcmp(o, "--no-sync") && strcmp(o, "--no-wtmp"))
			return usage(name, stderr, 2);
	}
	return -1;
}

int gd_personality_main(int argc, char **argv)
{
	const char *base = strrchr(argv[0], '/');
	int mode, kind, force = 0, noop = 0, rc;

	base = base ? base + 1 : argv[0];
	mode = gd_sd_mode_parse(base);
	if (mode < 0 || getpid() == 1)
		return -1;
	rc = parse(base, argc, argv, &force, &noop);
	if (rc >= 0 || noop)
		return rc >= 0 ? rc : 0;
	kind = gd_init_detect();
	if (kind == GD_INIT_UNKNOWN) {
		fprintf(stderr, "%s: PID 1 is not guestd, systemd, busybox or "
			"sysvinit init: cannot ask it\n", base);
		return 1;
	}
	if (gd_init_ask(kind, mode, force, GD_SD_GRACE_DEFAULT_MS)) {
		fprintf(stderr, "%s: asking %s (PID 1): %s\n", base,
			gd_init_name(kind), strerror(errno));
		return 1;
	}
	return 0;
}
