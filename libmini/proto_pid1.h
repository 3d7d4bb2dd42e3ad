/*
 * Protocol pieces of PID 1 duties and SHUTDOWN (TLV range 20-39).
 * docs/pid1.md describes them; fold into proto.h's registry later.
 *
 * SHUTDOWN request: MODE (default poweroff), GRACE_MS (default 5000, at
 * most GD_SD_GRACE_MAX_MS), FORCE (0/1). Response: MODE, GRACE_MS, FORCE,
 * SHUTDOWN_VIA, SHUTDOWN_PHASE. PING and INFO add WORKLOAD_STATE,
 * EXIT_STATUS/EXIT_CODE/EXIT_SIGNAL once the workload exited, and
 * SHUTDOWN_PHASE; INFO also WORKLOAD_PID, RESTARTS and REAPED.
 */
#ifndef GD_PROTO_PID1_H
#define GD_PROTO_PID1_H

#include <stdint.h>

#define GD_SD_GRACE_DEFAULT_MS 5000
#define GD_SD_GRACE_MAX_MS 3600000u /* one hour */

enum gd_tlv_pid1 {
	GD_T_SHUTDOWN_MODE = 20,  /* u8: GD_SD_* */
	GD_T_GRACE_MS = 21,       /* u32 */
	GD_T_FORCE = 22,          /* u8: 0 or 1 */
	GD_T_SHUTDOWN_VIA = 23,   /* str: guestd, systemd, busybox, sysvinit, command */
	GD_T_SHUTDOWN_PHASE = 24, /* u8: GD_SDP_* */
	GD_T_WORKLOAD_PID = 25,   /* u32 */
	GD_T_RESTARTS = 26,       /* u32: times on-exit=restart ran the workload again */
	GD_T_REAPED = 27,         /* u64: processes reaped since start */
	GD_T_EXIT_CODE = 28,      /* u32: workload's exit code, if it exited */
	GD_T_EXIT_SIGNAL = 29     /* u32: signal that ended the workload, if one did */
};

enum gd_sd_mode { GD_SD_POWEROFF = 0, GD_SD_REBOOT = 1, GD_SD_HALT = 2 };

enum gd_sd_phase {
	GD_SDP_NONE = 0,      /* not shutting down */
	GD_SDP_GRACE = 1,     /* SIGTERM sent, waiting up to the grace period */
	GD_SDP_KILL = 2,      /* SIGKILL sent, reaping the last ones */
	GD_SDP_DELEGATED = 3, /* not PID 1: the running init was asked */
	GD_SDP_FAILED = 4     /* reboot(2) was refused; still serving */
};

/* "poweroff", "reboot", "halt"; NULL for other values. */
const char *gd_sd_mode_name(unsigned mode);
/* The mode for a name, or -1. */
int gd_sd_mode_parse(const char *name);
/* "running", "grace", "kill", "delegated", "failed"; "unknown" otherwise. */
const char *gd_sd_phase_name(unsigned phase);

#endif
