/*
 * guestd's time service: TIME_GET and TIME_SET (svc_time.c), the request
 * receive and answer send stamps (time_stamp.c), setting the clock and the
 * RTC (clock_set.c), and the clock watch in the poll loop (time_watch.c):
 * a clock-set timerfd, the VM generation id (vmgenid_watch.c, checked on
 * a timer only when one exists) and libkrun's time sync datagrams.
 * docs/time.md describes the behaviour.
 */
#ifndef GD_TIME_SVC_H
#define GD_TIME_SVC_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "clockwatch.h"
#include "freqdisc.h"
#include "vmgenid_watch.h"

#define GD_TIME_POLL_MAX 2      /* clock-set timerfd and libkrun socket */
#define GD_CLOCK_CHECK_MS 1000  /* vmgenid (or fallback) check period */
#define GD_CLOCK_READ_TRIES 3   /* attempts at a trusted clock sample */
#define GD_TIME_DGRAMS_PER_WAKE 16 /* datagrams read per wakeup, per socket */
#define GD_TIME_REF_MAX_AGE_NS 10000000000ULL /* TIME_SET guest reference */
#define GD_TIME_DELAY_MAX_NS 10000000000ULL   /* TIME_SET round trip */
/* The kernel takes a slew's next 500 us from what adjtime reports left at
 * the start of each second, ahead of the clock: an offset accounted while
 * a slew runs is that much less certain. */
#define GD_SLEW_READ_ERR_NS 500000ULL
#define GD_RTC_PATH "/dev/rtc0"

struct gd_agent;
struct gd_conn;
struct gd_frame_writer;

/* time_disc.c: the frequency discipline and the clock moves it accounts. */
struct gd_time_disc {
	struct gd_freq_disc fd;
	int64_t slew_pending; /* ns of guestd's last slew not yet accounted */
	int last_verdict;     /* GD_FD_* of the last TIME_SET */
	int owned;            /* the correction in force is one guestd set */
	uint32_t kernel_errors; /* frequency corrections the kernel refused */
};

struct gd_time_state {
	struct gd_clock_watch watch;
	uint64_t next_check;   /* CLOCK_MONOTONIC ns of the next timed check */
	int jump_fd;           /* timerfd cancelled by a clock set, -1 if none */
	int krun_fd;           /* AF_VSOCK SOCK_DGRAM, -1 if none */
	struct gd_vmgenid_watch genid; /* read at every check */
	uint64_t jumps;        /* clock-jump events raised */
	uint64_t krun_steps;   /* clock steps from libkrun datagrams */
	uint64_t krun_refused; /* datagrams refused (sender, size, value) */
	struct gd_time_disc disc;
};

/* time_watch.c: set up (never fatal) and tear down. */
void gd_time_init(struct gd_agent *a);
void gd_time_close(struct gd_agent *a);
/* Fill pfd[] with the sockets to poll; returns how many (<= GD_TIME_POLL_MAX). */
int gd_time_pollfds(struct gd_agent *a, struct pollfd *pfd);
/* Handle poll results for the entries gd_time_pollfds filled. */
void gd_time_events(struct gd_agent *a, const struct pollfd *pfd, int n);
/*
 * The agent stepped realtime by step_ns: announce it now as `kind` to
 * every connection but requester (NULL: all) and keep the periodic check
 * from reporting it again.
 */
void gd_time_stepped(struct gd_agent *a, int64_t step_ns, unsigned kind,
		     const struct gd_conn *requester);
/* A uevent said the VM generation changed (uevents.c): check now. */
void gd_time_vmgenid_uevent(struct gd_agent *a);
/* Run the timed check when due (only with a vmgenid or no timerfd). */
void gd_time_tick(struct gd_agent *a, uint64_t now);
/* When the next timed check is due (CLOCK_MONOTONIC ns), or GD_DUE_NEVER. */
uint64_t gd_time_due(const struct gd_agent *a);

/*
 * time_disc.c. Every clock move guestd makes goes through these two, so
 * the discipline knows it: 0 or an errno. A step is announced as `kind`
 * to every connection but requester (gd_time_stepped).
 */
int gd_time_step(struct gd_agent *a, int64_t correction, unsigned kind,
		 const struct gd_conn *requester);
int gd_time_slew(struct gd_agent *a, int64_t correction);
/* Read what is in force and pick the starting state (time-discipline=). */
void gd_disc_init(struct gd_agent *a);
/*
 * A TIME_SET measured offset (guest minus host) at host time host_ns,
 * within +-err_ns, in GD_TF_* mode: learn from it. Returns the verdict.
 */
int gd_disc_observe(struct gd_agent *a, uint64_t host_ns, int64_t offset,
		    uint64_t err_ns, int mode);
/* The clock watch saw a jump nobody in guestd made (GD_JUMP_* kinds). */
void gd_disc_on_jump(struct gd_agent *a, unsigned kinds);
/* The TIME_FREQ* TLVs of a TIME_GET or TIME_SET answer; -1 if full. */
int gd_disc_put(struct gd_agent *a, struct gd_frame_writer *w);

/* clock_set.c: 0 or an errno. Corrections are ns to add to realtime. */
int gd_clock_step(int64_t correction);
int gd_clock_slew(int64_t correction);
/* Part of an adjtime slew still to apply. */
int gd_clock_slew_left(int64_t *left);
/* The frequency correction in force (ADJ_TICK and ADJ_FREQUENCY), ppb,
 * and whether another program disciplines the clock (kernel PLL on, or
 * the clock marked synchronised). */
int gd_clock_freq_read(int64_t *ppb, int *external);
/* Put ppb in force (|ppb| <= GD_FD_MAX_PPB): tick beyond +-500 ppm. */
int gd_clock_freq_set(int64_t ppb);
/* Write realtime_ns (rounded to the second) to GD_RTC_PATH; GD_RTC_*. */
int gd_rtc_write(uint64_t realtime_ns, int *err);
/* Read the RTC into *ns (whole seconds): 0, GD_RTC_ABSENT or GD_RTC_FAILED. */
int gd_rtc_read(uint64_t *ns, int *err);

#endif
