/*
 * Noticing that the guest's clocks jumped, from periodic samples of
 * CLOCK_MONOTONIC, CLOCK_REALTIME and CLOCK_BOOTTIME.
 *
 * Between steps the three advance together (a slew or a frequency change
 * moves them alike), so two differences are constant:
 *   boot - mono  grows only while the guest is suspended;
 *   real - boot  changes only when realtime is stepped (settimeofday,
 *                ADJ_SETOFFSET, a leap second), not by a suspend.
 * A change larger than GD_CLOCK_JUMP_MIN_NS counts as a jump. The caller
 * reads the clocks; a sample whose reads took longer than
 * GD_CLOCK_READ_MAX_NS (the process was preempted between them) is not
 * trusted and leaves the watch unchanged.
 */
#ifndef GD_CLOCKWATCH_H
#define GD_CLOCKWATCH_H

#include <stdint.h>

#define GD_CLOCK_JUMP_MIN_NS 10000000LL /* 10 ms */
#define GD_CLOCK_READ_MAX_NS 1000000u   /* 1 ms between first and last read */

struct gd_clock_sample {
	uint64_t mono;  /* read first */
	uint64_t real;
	uint64_t boot;
	uint64_t mono_after; /* CLOCK_MONOTONIC again, read last */
};

struct gd_clock_watch {
	int have;            /* a baseline exists */
	int64_t real_boot;   /* real - boot at the baseline */
	int64_t boot_mono;   /* boot - mono at the baseline */
};

struct gd_clock_jump {
	unsigned kinds;      /* GD_JUMP_SUSPEND | GD_JUMP_STEP */
	uint64_t suspended;  /* ns boottime gained on monotonic */
	int64_t stepped;     /* ns realtime moved relative to boottime */
};

void gd_clock_watch_init(struct gd_clock_watch *w);
/*
 * Compare s with the baseline and make s the new baseline. Returns the
 * jump kinds found (0 for none, also for the first or an untrusted sample)
 * with the amounts in *j.
 */
unsigned gd_clock_watch_check(struct gd_clock_watch *w,
			      const struct gd_clock_sample *s,
			      struct gd_clock_jump *j);
/* The caller stepped realtime by step_ns itself: do not report it. */
void gd_clock_watch_shift(struct gd_clock_watch *w, int64_t step_ns);

#endif
