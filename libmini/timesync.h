/*
 * Clock offset arithmetic and the step/slew decision. Pure functions on
 * caller data: nothing here reads or sets a clock.
 *
 * A sample is one request/response exchange, NTP style:
 *   t1 host sends, t2 guest receives, t3 guest sends, t4 host receives,
 * all CLOCK_REALTIME nanoseconds (t1, t4 host clock; t2, t3 guest clock).
 *   offset = ((t2 - t1) + (t3 - t4)) / 2   guest clock minus host clock
 *   delay  = (t4 - t1) - (t3 - t2)         round trip minus guest time
 * The true offset lies within offset +- delay/2, so of several samples the
 * one with the lowest delay is kept.
 *
 * A correction is what to add to the guest clock: -offset.
 */
#ifndef GD_TIMESYNC_H
#define GD_TIMESYNC_H

#include <stddef.h>
#include <stdint.h>

/* Auto mode steps when |correction| is above this, slews at or below. */
#define GD_TIME_STEP_THRESHOLD_NS 128000000LL
/* Slewing is refused above this (ntpd -x's limit; 14 days at 500 ppm). */
#define GD_TIME_SLEW_MAX_NS 600000000000LL
/* Timestamps at or above 2^62 ns (year 2116) are refused: no overflow. */
#define GD_TIME_STAMP_LIMIT_NS (1ULL << 62)
/* A host time before 2000-01-01 is refused (an unset host clock). */
#define GD_TIME_HOST_MIN_NS 946684800000000000ULL
/* libkrun's time sync steps when host and guest differ by more. */
#define GD_KRUN_STEP_MIN_NS 100000000LL
#define GD_KRUN_DGRAM_LEN 8
#define GD_KRUN_DEFAULT_PORT 123 /* libkrun's TSYNC_PORT */

struct gd_ts_sample {
	uint64_t t1, t2, t3, t4;
};

struct gd_ts_result {
	int64_t offset; /* guest minus host */
	int64_t delay;  /* >= 0 */
};

/*
 * Offset and delay of one sample; -1 when a timestamp is at or above
 * GD_TIME_STAMP_LIMIT_NS or the sample is not causal (t4 < t1, t3 < t2,
 * or the guest held the request longer than the round trip).
 */
int gd_ts_eval(const struct gd_ts_sample *s, struct gd_ts_result *r);

/* Streaming selection: feed samples one by one, keep the best. */
struct gd_ts_best {
	size_t count;  /* samples fed */
	size_t valid;  /* of which gd_ts_eval accepted */
	size_t index;  /* position of the best among those fed */
	struct gd_ts_sample sample;
	struct gd_ts_result result;
};
void gd_ts_best_init(struct gd_ts_best *b);
/* 1 when s is the new best, 0 when kept, -1 when s is invalid. */
int gd_ts_best_add(struct gd_ts_best *b, const struct gd_ts_sample *s);

/*
 * Index of the valid sample with the lowest delay (the first of equals)
 * with its result in *best, or -1 when none of the n is valid.
 */
int gd_ts_select(const struct gd_ts_sample *s, size_t n,
		 struct gd_ts_result *best);

/*
 * What to do with a correction in mode (GD_TM_*): GD_TA_NONE for 0,
 * GD_TA_STEP or GD_TA_SLEW, or -1 for an unknown mode or a slew over
 * GD_TIME_SLEW_MAX_NS.
 */
int gd_time_decide(int mode, int64_t correction);

/* |v| without overflow. */
uint64_t gd_abs64(int64_t v);
/* 1 when a host time is plausible: GD_TIME_HOST_MIN_NS <= ns < the limit. */
int gd_time_host_ok(uint64_t ns);

/*
 * libkrun's time sync datagram: exactly GD_KRUN_DGRAM_LEN bytes, the host
 * CLOCK_REALTIME in ns, little-endian. 0 with *host_ns, or -1.
 */
int gd_krun_parse(const uint8_t *p, size_t len, uint64_t *host_ns);
/* 1 when the guest should step to host_ns (off by > 100 ms), else 0. */
int gd_krun_should_step(uint64_t host_ns, uint64_t guest_ns);

#endif
