/*
 * guestd's filesystem freeze: the core (fsfreeze.h) with qemu-ga's hook
 * scripts around it (fsfreeze_hook.h), its configuration and a deadline.
 * A freeze the host does not end within fsfreeze-timeout seconds is
 * thawed by the poll loop's timer. From the first FIFREEZE to the last
 * FITHAW guestd is "quiet": it writes nothing to disk (KV saves wait:
 * kv_persist.c) and logs only where a line cannot block (logsink.c).
 * The QGA commands (qga_fs.c) and, later, a Hyper-V VSS path call this.
 */
#ifndef GD_FSFREEZE_SVC_H
#define GD_FSFREEZE_SVC_H

#include <stddef.h>
#include <stdint.h>

#include "fsfreeze.h"

struct gd_agent;

struct gd_fsf_state {
	struct gd_fsfreeze core;
	int frozen;         /* guest-fsfreeze-status says "frozen" */
	int quiet;          /* no disk writes, no log line that may block */
	uint64_t thaw_at;   /* CLOCK_MONOTONIC ns of the auto-thaw, or never */
	unsigned dropped;   /* log lines dropped while quiet */
};

/* Set up from the configuration (after it is read). */
void gd_fsfreeze_start(struct gd_agent *a);
/*
 * Hooks "freeze", then freeze all (only NULL) or the mountpoints
 * only[nonly]: the number frozen, or -1 with err[cap] (all thawed again,
 * hooks "thaw" run). Nothing frozen (0): the hooks "thaw" run too.
 */
int gd_fsfreeze_freeze(struct gd_agent *a, const char *const *only,
		       size_t nonly, char *err, size_t cap);
/* Thaw all (the host's thaw: qemu-ga's sweep), then hooks "thaw". */
int gd_fsfreeze_thaw(struct gd_agent *a);
/* Thaw what guestd froze, at once: before a shutdown or exit. */
void gd_fsfreeze_release(struct gd_agent *a, const char *why);
/* The auto-thaw timer. */
uint64_t gd_fsfreeze_due(const struct gd_agent *a);
void gd_fsfreeze_tick(struct gd_agent *a, uint64_t now);

#endif
