/* The frequency discipline's arithmetic (freqdisc.h has the method). */
#include "freqdisc.h"

#define PPB 1e9

static int64_t round_ppb(double v)
{
	return (int64_t)(v < 0 ? v - 0.5 : v + 0.5);
}

static int64_t magnitude(int64_t v)
{
	return v < 0 ? -v : v;
}

void gd_fd_init(struct gd_freq_disc *d, int64_t freq, int state)
{
	*d = (struct gd_freq_disc){ .freq = freq, .state = state };
}

void gd_fd_applied(struct gd_freq_disc *d, int64_t ns)
{
	d->applied += ns;
}

void gd_fd_restart(struct gd_freq_disc *d)
{
	d->has_ref = 0;
	d->applied = 0;
}

static void set_ref(struct gd_freq_disc *d, uint64_t host_ns, int64_t offset,
		    uint64_t err_ns)
{
	d->has_ref = 1;
	d->ref_host = host_ns;
	d->ref_phase = offset;
	d->ref_err = err_ns;
	d->applied = 0;
}

int64_t gd_fd_corrected(int64_t freq, int64_t error)
{
	double f = (double)freq / PPB, e = (double)error / PPB;

	return round_ppb((f - e) / (1.0 + e) * PPB);
}

/* The update that led here made the error grow beyond doubt: undo it. */
static int judge_last_update(struct gd_freq_disc *d, int64_t error,
			     int64_t bound)
{
	if (!d->check_pending)
		return 0;
	d->check_pending = 0;
	if (magnitude(error) - bound <= magnitude(d->prev_error))
		return 0;
	d->freq = d->prev_freq;
	d->reverts++;
	return 1;
}

/* Once tracking, a big error must show up twice before it is applied. */
static int hold_outlier(struct gd_freq_disc *d, int64_t error)
{
	if (d->state != GD_FD_TRACKING || magnitude(error) <= GD_FD_OUTLIER_PPB) {
		d->outlier_held = 0;
		return 0;
	}
	if (d->outlier_held) {
		d->outlier_held = 0;
		return 0;
	}
	d->outlier_held = 1;
	d->outliers++;
	return 1;
}

static int decide(struct gd_freq_disc *d, int64_t error, int64_t bound)
{
	int64_t next = gd_fd_corrected(d->freq, error);

	if (magnitude(next) > GD_FD_MAX_PPB) {
		d->jumps++;
		return GD_FD_JUMP;
	}
	if (2 * bound > magnitude(error) && bound > GD_FD_FINE_PPB)
		return GD_FD_KEEP;
	if (hold_outlier(d, error))
		return GD_FD_OUTLIER;
	if (judge_last_update(d, error, bound))
		return GD_FD_REVERT;
	d->prev_freq = d->freq;
	d->prev_error = error;
	d->check_pending = 1;
	d->freq = next;
	d->updates++;
	d->state = GD_FD_TRACKING;
	return GD_FD_UPDATE;
}

int gd_fd_observe(struct gd_freq_disc *d, uint64_t host_ns, int64_t offset,
		  uint64_t err_ns)
{
	double interval, error, bound;
	int verdict;

	if (!d->has_ref) {
		set_ref(d, host_ns, offset, err_ns);
		return GD_FD_FIRST;
	}
	if (host_ns <= d->ref_host) { /* the host clock went back */
		set_ref(d, host_ns, offset, err_ns);
		d->jumps++;
		return GD_FD_JUMP;
	}
	if (host_ns - d->ref_host < GD_FD_MIN_INTERVAL_NS)
		return GD_FD_KEEP;
	interval = (double)(host_ns - d->ref_host);
	error = (double)(offset - d->applied - d->ref_phase) / interval * PPB;
	bound = (double)(d->ref_err + err_ns) / interval * PPB;
	if (error > 2 * GD_FD_MAX_PPB || error < -2 * GD_FD_MAX_PPB) {
		set_ref(d, host_ns, offset, err_ns);
		d->jumps++;
		return GD_FD_JUMP;
	}
	d->last_error = round_ppb(error);
	d->last_bound = round_ppb(bound);
	d->last_interval = host_ns - d->ref_host;
	d->have_estimate = 1;
	verdict = decide(d, d->last_error, d->last_bound);
	if (verdict != GD_FD_KEEP)
		set_ref(d, host_ns, offset, err_ns);
	return verdict;
}

const char *gd_fd_state_name(int state)
{
	switch (state) {
	case GD_FD_OFF: return "off";
	case GD_FD_LEARNING: return "learning";
	case GD_FD_TRACKING: return "tracking";
	case GD_FD_EXTERNAL: return "external";
	default: return "unknown";
	}
}

const char *gd_fd_verdict_name(int verdict)
{
	static const char *const names[] = {
		"kept", "first", "updated", "reverted", "outlier", "jump",
		"reset", "ignored",
	};

	if (verdict < 0 || verdict >= (int)(sizeof names / sizeof names[0]))
		return "unknown";
	return names[verdict];
}
