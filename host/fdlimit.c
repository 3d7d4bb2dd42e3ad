/* Raise the soft open-file limit when a fleet needs it (see fdlimit.h). */
#include "fdlimit.h"

#include <sys/resource.h>

size_t gc_fd_slots(size_t want)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)want + GC_FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return want;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < need &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return want;
	if (rl.rlim_cur <= GC_FD_RESERVE + 1)
		return 1;
	return (size_t)(rl.rlim_cur - GC_FD_RESERVE);
}
