/*
 * Setting the guest clock: a relative step with ADJ_SETOFFSET (no
 * read-modify-write race) and a slew with adjtime's ADJ_OFFSET_SINGLESHOT
 * (the kernel applies it at 500 ppm).
 */
#include <errno.h>
#include <sys/timex.h>
#include <time.h>

#include "time_svc.h"

#define NS_PER_S 1000000000LL
#define NS_PER_US 1000LL

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
