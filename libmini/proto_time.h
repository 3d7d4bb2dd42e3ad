/*
 * Time synchronisation on the wire: TLV types 40-59 of the global
 * registry (docs/time.md), the TIME_SET modes, actions and RTC results,
 * and the kinds of a GD_EV_CLOCK_JUMP event.
 *
 * All times are nanoseconds. "s64" values travel as u64 in two's
 * complement. Realtime values are CLOCK_REALTIME since the Unix epoch.
 */
#ifndef GD_PROTO_TIME_H
#define GD_PROTO_TIME_H

enum gd_tlv_time {
	GD_T_TIME_REALTIME = 40,   /* u64: guest CLOCK_REALTIME */
	GD_T_TIME_MONOTONIC = 41,  /* u64: guest CLOCK_MONOTONIC */
	GD_T_TIME_BOOTTIME = 42,   /* u64: guest CLOCK_BOOTTIME */
	GD_T_TIME_RECV = 43,       /* u64: realtime the agent read the request (t2) */
	GD_T_TIME_SEND = 44,       /* u64: realtime the agent sent the answer (t3) */
	GD_T_TIME_HOST = 45,       /* u64: TIME_SET host realtime */
	GD_T_TIME_GUEST_REF = 46,  /* u64: TIME_SET guest realtime TIME_HOST matches */
	GD_T_TIME_MODE = 47,       /* u8: GD_TM_* */
	GD_T_TIME_RTC = 48,        /* u8: 1 = also write (TIME_SET) or read (TIME_GET) the RTC */
	GD_T_TIME_RTC_RESULT = 49, /* u8: GD_RTC_* */
	GD_T_TIME_RTC_NOW = 50,    /* u64: RTC time (whole seconds) in ns */
	GD_T_TIME_ACTION = 51,     /* u8: GD_TA_* */
	GD_T_TIME_CORRECTION = 52, /* s64: ns added to the guest clock */
	GD_T_TIME_SLEW_LEFT = 53,  /* s64: part of a slew not yet applied */
	GD_T_TIME_JUMP_KIND = 54,  /* u32: GD_JUMP_* bits */
	GD_T_TIME_SUSPENDED = 55,  /* u64: how long the guest was suspended */
	GD_T_TIME_STEPPED = 56,    /* s64: how far realtime jumped */
	/* The frequency discipline (docs/time.md), a block of its own. */
	GD_T_TIME_FREQ = 100,        /* s64: ppb correction in force (+ = faster) */
	GD_T_TIME_FREQ_STATE = 101,  /* u8: GD_FD_* state (freqdisc.h) */
	GD_T_TIME_FREQ_ERROR = 102,  /* s64: ppb, the last frequency error measured */
	GD_T_TIME_FREQ_BOUND = 103,  /* u64: ppb, its error bound */
	GD_T_TIME_FREQ_UPDATES = 104,/* u32: corrections learned since the last reset */
	GD_T_TIME_DELAY = 105,       /* u64: TIME_SET: round trip of the measurement */
	GD_T_TIME_FREQ_MODE = 106,   /* u8: TIME_SET: GD_TF_* */
	GD_T_TIME_FREQ_VERDICT = 107 /* u8: TIME_SET answer: GD_FD_* verdict */
};

/* TIME_SET's TIME_FREQ_MODE: what the agent's discipline does with it. */
enum gd_time_freq_mode {
	GD_TF_LEARN = 0, /* a measurement against the host: learn from it */
	GD_TF_HOLD = 1,  /* apply the correction, learn nothing from it */
	GD_TF_RESET = 2  /* correction back to nominal; learning starts again */
};

/* TIME_SET modes. */
enum gd_time_mode { GD_TM_AUTO = 0, GD_TM_STEP = 1, GD_TM_SLEW = 2 };

/* What TIME_SET did. */
enum gd_time_action { GD_TA_NONE = 0, GD_TA_STEP = 1, GD_TA_SLEW = 2 };

/* TIME_SET's RTC outcome. */
enum gd_rtc_result {
	GD_RTC_NOT_ASKED = 0,
	GD_RTC_WRITTEN = 1,
	GD_RTC_ABSENT = 2,  /* no /dev/rtc0 */
	GD_RTC_FAILED = 3   /* open or ioctl failed (the agent logs why) */
};

/* GD_EV_CLOCK_JUMP kinds. */
#define GD_JUMP_SUSPEND 0x1u /* CLOCK_BOOTTIME moved away from CLOCK_MONOTONIC */
#define GD_JUMP_STEP 0x2u    /* CLOCK_REALTIME jumped relative to CLOCK_BOOTTIME */
#define GD_JUMP_VMGENID 0x4u /* the kernel announced a new VM generation id */
#define GD_JUMP_SET 0x8u     /* a TIME_SET on another connection stepped it */

#endif
