/*
 * Setting the guest clock: a relative step with ADJ_SETOFFSET (no
 * read-modify-write race), a slew with adjtime's ADJ_OFFSET_SINGLESHOT
 * (the kernel applies it at 500 ppm), and the frequency correction:
 * ADJ_FREQUENCY alone within +-500 ppm, ADJ_TICK (units of USER_HZ us per
 * second: 100 ppm at USER_HZ 100) for the rest beyond it.
 */
#include <errno.h>
#include <sys/timex.h>
#include <time.h>
#include <unistd.h>

#include "time_svc.h"

#define NS_PER_S 1000000000LL
#define NS_PER_US 1000LL
#define US_PER_S 1000000LL
#define PPB_PER_PPM 1000LL
#define FREQ_MAX_PPB 500000LL /* ADJ_FREQUENCY's range, +-500 ppm */
#define FREQ_SCALE 65536LL    /* timex.freq is ppm with 16 fraction bits */

static int adjust(struct timex *tx)
{
	return adjtimex(tx) < 0 ? errno : 0;
}

int gd_clock_slew(int64_t correction)
{
	struct timex tx = { .modes = ADJ_OFFSET_SINGLESHOT };

	tx.offset = (long)(correction / NS_PER_US);
	return adjust(&tx);
}

int gd_clock_slew_left(int64_t *left)
{
	struct timex tx = { .modes = ADJ_OFFSET_SS_READ };
	int err = adjust(&tx);

	if (!err)
		*left = (int64_t)tx.offset * NS_PER_US;
	return err;
}

/* A slew still running would undo part of the step: cancel it first. */
int gd_clock_step(int64_t correction)
{
	struct timex tx = { .modes = ADJ_SETOFFSET | ADJ_NANO };
	int64_t sec = correction / NS_PER_S, nsec = correction % NS_PER_S;
	int err = gd_clock_slew(0);

	if (err)
		return err;
	if (nsec < 0) { /* the kernel wants 0 <= nsec < 1 s */
		nsec += NS_PER_S;
		sec--;
	}
	tx.time.tv_sec = (time_t)sec;
	tx.time.tv_usec = (long)nsec;
	return adjust(&tx);
}

/* Ticks per second as adjtimex counts them (USER_HZ). */
static long user_hz(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return hz > 0 ? hz : 100;
}

int gd_clock_freq_read(int64_t *ppb, int *external)
{
	struct timex tx = { .modes = 0 };
	long hz = user_hz();
	int64_t nominal = US_PER_S / hz;

	if (adjtimex(&tx) < 0)
		return errno;
	*ppb = ((int64_t)tx.tick - nominal) * hz * PPB_PER_PPM +
	       (int64_t)tx.freq * PPB_PER_PPM / FREQ_SCALE;
	*external = (tx.status & STA_PLL) || !(tx.status & STA_UNSYNC);
	return 0;
}

static int64_t round_div(int64_t n, int64_t d)
{
	return n < 0 ? -((-n + d / 2) / d) : (n + d / 2) / d;
}

int gd_clock_freq_set(int64_t ppb)
{
	struct timex tx = { .modes = ADJ_FREQUENCY | ADJ_TICK };
	long hz = user_hz();
	int64_t tick_ppb = hz * PPB_PER_PPM, ticks = 0, rest = ppb;

	if (ppb > FREQ_MAX_PPB || ppb < -FREQ_MAX_PPB) {
		ticks = round_div(ppb, tick_ppb);
		rest = ppb - ticks * tick_ppb;
	}
	tx.tick = (long)(US_PER_S / hz + ticks);
	tx.freq = (long)round_div(rest * FREQ_SCALE, PPB_PER_PPM);
	return adjust(&tx);
}
