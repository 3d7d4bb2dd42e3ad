/*
 * A stand-in for agent/time/clock_set.c, linked into every agent unit
 * test: the agent's own code (time_disc.c, svc_time.c, time_watch.c)
 * runs unchanged, but its clock moves land here, so no test can step,
 * slew or re-tune this machine's clock. The linker takes these before
 * the archive's clock_set.o, which is then never pulled in (every symbol
 * it defines is defined here; a new one there would be a duplicate
 * definition, not a silent fall-through to the real clock).
 *
 * It behaves as the kernel does where the tests look: a frequency put in
 * force is what a read returns, a slew leaves what fake_clock.slew_left
 * says, and a refusal (fake_clock.err) changes nothing.
 */
#include <stdint.h>
#include <string.h>

#include "fake_clock.h"
#include "time_svc.h"

struct fake_clock fake_clock;

void fake_clock_reset(void)
{
	memset(&fake_clock, 0, sizeof fake_clock);
}

int gd_clock_step(int64_t correction)
{
	if (fake_clock.err)
		return fake_clock.err;
	fake_clock.steps++;
	fake_clock.stepped += correction;
	fake_clock.slew_left = 0; /* a step cancels a running slew */
	return 0;
}

int gd_clock_slew(int64_t correction)
{
	if (fake_clock.err)
		return fake_clock.err;
	fake_clock.slews++;
	fake_clock.last_slew = correction;
	fake_clock.slew_left = correction;
	return 0;
}

int gd_clock_slew_left(int64_t *left)
{
	*left = fake_clock.slew_left;
	return 0;
}

int gd_clock_freq_read(int64_t *ppb, int *external)
{
	fake_clock.freq_reads++;
	*ppb = fake_clock.freq;
	*external = fake_clock.external;
	return 0;
}

int gd_clock_freq_set(int64_t ppb)
{
	fake_clock.freq_sets++;
	if (fake_clock.err)
		return fake_clock.err;
	fake_clock.freq = ppb;
	return 0;
}
