#include "timesync.h"

#include "buf.h"
#include "proto_time.h"

uint64_t gd_abs64(int64_t v)
{
	return v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
}

int gd_time_host_ok(uint64_t ns)
{
	return ns >= GD_TIME_HOST_MIN_NS && ns < GD_TIME_STAMP_LIMIT_NS;
}

/*
 * Every stamp is below 2^62, so each difference fits in +-2^62 and the sum
 * of two in int64. The halving rounds toward zero.
 */
int gd_ts_eval(const struct gd_ts_sample *s, struct gd_ts_result *r)
{
	int64_t rtt, held;

	if (s->t1 >= GD_TIME_STAMP_LIMIT_NS || s->t2 >= GD_TIME_STAMP_LIMIT_NS ||
	    s->t3 >= GD_TIME_STAMP_LIMIT_NS || s->t4 >= GD_TIME_STAMP_LIMIT_NS)
		return -1;
	if (s->t4 < s->t1 || s->t3 < s->t2)
		return -1;
	rtt = (int64_t)(s->t4 - s->t1);
	held = (int64_t)(s->t3 - s->t2);
	if (held > rtt)
		return -1;
	r->delay = rtt - held;
	r->offset = (((int64_t)s->t2 - (int64_t)s->t1) +
		     ((int64_t)s->t3 - (int64_t)s->t4)) / 2;
	return 0;
}

void gd_ts_best_init(struct gd_ts_best *b)
{
	b->count = 0;
	b->valid = 0;
	b->index = 0;
	b->sample = (struct gd_ts_sample){ 0 };
	b->result = (struct gd_ts_result){ 0 };
}

int gd_ts_best_add(struct gd_ts_best *b, const struct gd_ts_sample *s)
{
	struct gd_ts_result r;
	size_t at = b->count++;

	if (gd_ts_eval(s, &r))
		return -1;
	if (b->valid++ && r.delay >= b->result.delay)
		return 0;
	b->index = at;
	b->sample = *s;
	b->result = r;
	return 1;
}

int gd_ts_select(const struct gd_ts_sample *s, size_t n,
		 struct gd_ts_result *best)
{
	struct gd_ts_best b;

	gd_ts_best_init(&b);
	for (size_t i = 0; i < n; i++)
		gd_ts_best_add(&b, &s[i]);
	if (!b.valid)
		return -1;
	*best = b.result;
	return (int)b.index;
}

int gd_time_decide(int mode, int64_t correction)
{
	uint64_t mag = gd_abs64(correction);

	switch (mode) {
	case GD_TM_AUTO:
		if (mag == 0)
			return GD_TA_NONE;
		return mag > (uint64_t)GD_TIME_STEP_THRESHOLD_NS ? GD_TA_STEP
								 : GD_TA_SLEW;
	case GD_TM_STEP:
		return mag == 0 ? GD_TA_NONE : GD_TA_STEP;
	case GD_TM_SLEW:
		if (mag > (uint64_t)GD_TIME_SLEW_MAX_NS)
			return -1;
		return mag == 0 ? GD_TA_NONE : GD_TA_SLEW;
	default:
		return -1;
	}
}

int gd_krun_parse(const uint8_t *p, size_t len, uint64_t *host_ns)
{
	if (len != GD_KRUN_DGRAM_LEN)
		return -1;
	*host_ns = gd_get_u64(p);
	return 0;
}

int gd_krun_should_step(uint64_t host_ns, uint64_t guest_ns)
{
	uint64_t diff = host_ns > guest_ns ? host_ns - guest_ns
					   : guest_ns - host_ns;

	return diff > (uint64_t)GD_KRUN_STEP_MIN_NS;
}
