/* fake_clock.c: what the agent did to "the clock" (never the real one). */
#ifndef GD_TEST_FAKE_CLOCK_H
#define GD_TEST_FAKE_CLOCK_H

#include <stdint.h>

struct fake_clock {
	int err;            /* nonzero: every move is refused with this errno */
	int external;       /* what a read says about another discipline */
	int64_t freq;       /* ppb in force */
	int64_t slew_left;  /* ns of the last slew not yet run */
	int64_t last_slew;  /* the last slew asked for */
	int64_t stepped;    /* sum of the steps made */
	unsigned steps, slews, freq_sets, freq_reads;
};

extern struct fake_clock fake_clock;

/* Nominal frequency, nothing running, no calls counted. */
void fake_clock_reset(void);

#endif
