#include "clockwatch.h"

#include "proto_time.h"
#include "timesync.h"

void gd_clock_watch_init(struct gd_clock_watch *w)
{
	w->have = 0;
	w->real_boot = 0;
	w->boot_mono = 0;
}

static int trusted(const struct gd_clock_sample *s)
{
	return s->mono_after >= s->mono &&
	       s->mono_after - s->mono <= GD_CLOCK_READ_MAX_NS &&
	       s->real < GD_TIME_STAMP_LIMIT_NS &&
	       s->boot < GD_TIME_STAMP_LIMIT_NS && s->boot >= s->mono;
}

unsigned gd_clock_watch_check(struct gd_clock_watch *w,
			      const struct gd_clock_sample *s,
			      struct gd_clock_jump *j)
{
	int64_t real_boot, boot_mono;

	j->kinds = 0;
	j->suspended = 0;
	j->stepped = 0;
	if (!trusted(s))
		return 0;
	real_boot = (int64_t)s->real - (int64_t)s->boot;
	boot_mono = (int64_t)(s->boot - s->mono);
	if (w->have) {
		int64_t d_step = real_boot - w->real_boot;
		int64_t d_sleep = boot_mono - w->boot_mono;

		if (gd_abs64(d_step) > (uint64_t)GD_CLOCK_JUMP_MIN_NS) {
			j->kinds |= GD_JUMP_STEP;
			j->stepped = d_step;
		}
		if (d_sleep > GD_CLOCK_JUMP_MIN_NS) {
			j->kinds |= GD_JUMP_SUSPEND;
			j->suspended = (uint64_t)d_sleep;
		}
	}
	w->have = 1;
	w->real_boot = real_boot;
	w->boot_mono = boot_mono;
	return j->kinds;
}

void gd_clock_watch_shift(struct gd_clock_watch *w, int64_t step_ns)
{
	if (w->have)
		w->real_boot += step_ns;
}
