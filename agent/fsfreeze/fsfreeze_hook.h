/*
 * qemu-ga's fsfreeze-hook, built in: the executable files of a directory
 * (/etc/qemu/fsfreeze-hook.d by default) run one after another in name
 * order with one argument, "freeze" before filesystems are frozen and
 * "thaw" after they are thawed, stdin, stdout and stderr on /dev/null,
 * with guestd's environment. Names /etc/qemu/fsfreeze-hook skips are
 * skipped (fsplan.h), and so is a missing directory. A script's exit
 * status is logged, not acted on, as that script does.
 *
 * The poll loop waits while they run, for budget_ms at most in all: the
 * script still running then is killed (SIGKILL to its process group)
 * and the rest are not started.
 */
#ifndef GD_FSFREEZE_HOOK_H
#define GD_FSFREEZE_HOOK_H

#include <stddef.h>

#include "log.h"

#define GD_FSF_HOOKS_MAX 32      /* scripts in the hook directory */
#define GD_FSF_HOOK_NAME_MAX 256 /* a script's name, NUL included */
#define GD_FSF_HOOK_POLL_MS 5    /* how often a running script is checked */
#define GD_FSF_HOOK_REAP_MS 1000 /* wait for a killed script to be gone */

/*
 * Run the scripts of dir with arg: 0 when all ran (or there are none),
 * 1 when the budget ran out, -1 with err[cap] when dir holds more than
 * GD_FSF_HOOKS_MAX scripts or a name too long (none is run then).
 */
int gd_fsf_hooks_run(const struct gd_log *log, const char *dir,
		     const char *arg, unsigned budget_ms, char *err,
		     size_t cap);

#endif
