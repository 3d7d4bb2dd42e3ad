/*
 * Frequency discipline: learn how fast the guest clock runs against the
 * host from successive offset measurements, and say what frequency
 * correction to put in force. Pure arithmetic on caller data: nothing
 * here reads or sets a clock (agent/time/time_disc.c does, with adjtimex).
 *
 * The model: every correction the agent applies to the clock (a step, the
 * part of a slew already run) is reported with gd_fd_applied(), so the
 * free-running phase  offset - (corrections applied since the reference)
 * is a straight line whose slope is the frequency error still in force.
 * An observation is one measured offset (guest minus host) at a host time,
 * with its error bound (half the round trip of the measurement):
 *
 *   error e = (phase - reference phase) / (host time - reference time)
 *   bound b = (reference error + error) / (host time - reference time)
 *
 * The correction changes only when the estimate is decisive (2b <= |e|,
 * so the result cannot be worse than before, or b <= GD_FD_FINE_PPB);
 * otherwise the reference is kept and the interval grows until it is.
 * Then, with f the fraction in force and the clock running at (1 + e)
 * against the host, the new fraction is (f - e) / (1 + e) exactly.
 *
 * Never worse: a new frequency beyond +-GD_FD_MAX_PPB is a clock jump,
 * not a rate (the interval is dropped); once tracking, an error above
 * GD_FD_OUTLIER_PPB is applied only when the next interval confirms it
 * (a paused VM looks like that once); and when the error measured after
 * an update is larger, beyond its bound, than the one that caused it,
 * the update is reverted.
 *
 * All rates are parts per billion (ppb); a positive correction makes the
 * clock run faster, a positive error means the guest clock gains.
 */
#ifndef GD_FREQDISC_H
#define GD_FREQDISC_H

#include <stdint.h>

/* The kernel's range: ADJ_TICK +-10% (with ADJ_FREQUENCY +-500 ppm inside). */
#define GD_FD_MAX_PPB 100000000LL
/* Intervals shorter than this (host time) teach nothing and are kept growing. */
#define GD_FD_MIN_INTERVAL_NS 1000000000ULL
/* Offset error assumed when the host does not send its round trip. */
#define GD_FD_DEFAULT_ERR_NS 1000000ULL
/* An estimate this precise is applied even when the error is smaller. */
#define GD_FD_FINE_PPB 100LL
/* Once tracking, an error this large is applied only when confirmed. */
#define GD_FD_OUTLIER_PPB 1000000LL

enum gd_fd_state {
	GD_FD_OFF = 0,      /* discipline turned off: the agent leaves it alone */
	GD_FD_LEARNING = 1, /* no correction learned since the last reset */
	GD_FD_TRACKING = 2, /* a learned correction is in force */
	GD_FD_EXTERNAL = 3  /* another program disciplines the clock */
};

/* What one observation did. */
enum gd_fd_verdict {
	GD_FD_KEEP = 0,    /* not decisive yet: the interval grows */
	GD_FD_FIRST = 1,   /* it became the reference */
	GD_FD_UPDATE = 2,  /* a new correction: put d->freq in force */
	GD_FD_REVERT = 3,  /* the last update made it worse: d->freq is the old one */
	GD_FD_OUTLIER = 4, /* too far from the correction in force: held once */
	GD_FD_JUMP = 5,    /* no clock runs that fast: the clock jumped, dropped */
	GD_FD_RESET = 6,   /* (agent) correction back to nominal, learning again */
	GD_FD_IGNORED = 7  /* (agent) not learned from: hold mode, off or external */
};

struct gd_freq_disc {
	int64_t freq;          /* ppb: the correction to have in force */
	int state;             /* GD_FD_* state */
	int has_ref;
	uint64_t ref_host;     /* host realtime of the reference */
	int64_t ref_phase;     /* offset at the reference */
	uint64_t ref_err;      /* its error bound, ns */
	int64_t applied;       /* ns of corrections applied since the reference */
	int64_t last_error;    /* ppb: the last estimate (0 until there is one) */
	int64_t last_bound;    /* ppb: its bound */
	uint64_t last_interval;/* ns of host time it spanned */
	int have_estimate;
	int64_t prev_freq;     /* before the last update */
	int64_t prev_error;    /* the estimate that caused it */
	int check_pending;     /* the next decisive estimate judges that update */
	int outlier_held;      /* an outlier was held back last time */
	uint32_t updates, reverts, outliers, jumps;
};

/* Start with `freq` (ppb) in force and no reference, in `state`. */
void gd_fd_init(struct gd_freq_disc *d, int64_t freq, int state);
/* The agent moved the clock by ns (a step, or the part of a slew run). */
void gd_fd_applied(struct gd_freq_disc *d, int64_t ns);
/* Forget the reference (the clock was set by someone else); keep freq. */
void gd_fd_restart(struct gd_freq_disc *d);
/*
 * One measured offset (guest minus host, ns) at host realtime host_ns,
 * true within +-err_ns. Returns a GD_FD_* verdict; after GD_FD_UPDATE or
 * GD_FD_REVERT, d->freq is the correction to put in force.
 */
int gd_fd_observe(struct gd_freq_disc *d, uint64_t host_ns, int64_t offset,
		  uint64_t err_ns);

/* The correction in force after an update from `freq` on error `error`. */
int64_t gd_fd_corrected(int64_t freq, int64_t error);
/* "off", "learning", "tracking", "external" ("unknown" otherwise). */
const char *gd_fd_state_name(int state);
/* "kept", "first", "updated", ... for a GD_FD_* verdict. */
const char *gd_fd_verdict_name(int verdict);

#endif
