/*
 * guestctl time: the per-target state of the time command (it lives in
 * the run's scratch space) shared by the step machine (cmd_time.c) and
 * its output (time_report.c).
 */
#ifndef GC_CMD_TIME_H
#define GC_CMD_TIME_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "timesync.h"

#define GC_TIME_DEFAULT_SAMPLES 8
#define GC_TIME_MAX_SAMPLES 64
#define GC_TIME_DEFAULT_INTERVAL_S 60
#define GC_TIME_MAX_INTERVAL_S 86400

struct gc_time_opts {
	int sync;         /* "time sync" */
	int watch;        /* --watch */
	int mode;         /* GD_TM_* */
	int rtc;          /* --rtc */
	int freq_mode;    /* --freq: GD_TF_* */
	unsigned samples; /* --samples */
	unsigned interval_s;
};

enum gc_time_phase { GC_TP_MEASURE, GC_TP_SET, GC_TP_VERIFY, GC_TP_IDLE };

/* What the guest said in the answer to the best sample. */
struct gc_time_guest {
	uint64_t realtime, monotonic, boottime;
	int64_t slew_left;
	int have_slew;
	/* the frequency discipline (absent from agents before it) */
	int have_freq, have_freq_state, have_freq_error;
	int64_t freq, freq_error;  /* ppb */
	uint64_t freq_bound;       /* ppb */
	uint8_t freq_state;        /* GD_FD_* */
	uint32_t freq_updates;
};

struct gc_time_state {
	int phase;
	unsigned sent;             /* TIME_GETs sent this round */
	struct gd_ts_best round;   /* samples of this round */
	struct gc_time_guest guest;
	struct gd_ts_best before;  /* sync: the round before TIME_SET */
	uint8_t action, rtc;       /* TIME_SET's GD_TA_*, GD_RTC_* */
	int freq_verdict;          /* TIME_SET's GD_FD_* verdict, -1 none */
	int64_t correction;
	unsigned syncs;            /* watch: syncs done */
	const char *reason;        /* why this sync: start, interval, clock-jump */
	uint32_t jump_kinds;       /* clock-jump: the event's GD_JUMP_* bits */
	int jump_pending;          /* watch: a jump came in during a round */
	uint32_t pending_kinds;    /* ... and its GD_JUMP_* bits */
};

_Static_assert(sizeof(struct gc_time_state) <= GC_SCRATCH_SIZE,
	       "time state fits the scratch space");

const struct gc_time_opts *gc_time_opts(void);
struct gc_time_state *gc_time_state(struct gc_run *r);

/* time_report.c */
void gc_time_report(struct gc_run *r);
/* One line (or JSON object) per sync in --watch mode. */
void gc_time_report_sync(struct gc_run *r);
/* Names for the JSON and human output. */
const char *gc_time_action_name(int action);
const char *gc_time_rtc_name(int rtc);
/* "suspend,vmgenid"...: the GD_JUMP_* bits set in kinds, "unknown" if none. */
const char *gc_time_jump_names(char *out, size_t cap, uint32_t kinds);

#endif
