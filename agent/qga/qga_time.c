/*
 * guest-set-time on guestd's time service (clock_set.c, rtc.c): with a
 * time, step realtime there and write the RTC, as qemu-ga does with
 * settimeofday and `hwclock -w`; without one, step realtime to the RTC
 * (RTC_RD_TIME on /dev/rtc0, where qemu-ga runs `hwclock -s`). Either
 * step is announced to protocol v1 clients as a clock jump.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "proto_time.h"
#include "qga.h"
#include "sysinfo.h"
#include "time_svc.h"

#define NS_PER_S 1000000000LL
#define QGA_TIME_MAX_S 3155760000LL /* 2070-01-01: qemu-ga's upper bound */

static int step_to(struct gd_qga_call *call, int64_t target_ns)
{
	int64_t correction =
		target_ns - (int64_t)gd_clock_ns(CLOCK_REALTIME);
	int err = gd_time_step(call->agent, correction, GD_JUMP_SET,
			       call->conn);

	if (err)
		return gd_qga_fail(call, "GenericError",
				   "Failed to set time to guest: %s",
				   strerror(err));
	gd_logf(&call->agent->log, GD_LOG_INFO,
		"clock stepped by %lld ms (guest-set-time)",
		(long long)(correction / 1000000));
	return 0;
}

/* The RTC follows the clock just set; a guest without one has nothing to sync. */
static int sync_rtc(struct gd_qga_call *call)
{
	int err = 0;

	if (gd_rtc_write(gd_clock_ns(CLOCK_REALTIME), &err) == GD_RTC_FAILED)
		return gd_qga_fail(call, "GenericError",
				   "failed to set the RTC (%s) to system time: %s",
				   GD_RTC_PATH, strerror(err));
	return 0;
}

static int from_rtc(struct gd_qga_call *call)
{
	uint64_t ns;
	int err = 0, rc = gd_rtc_read(&ns, &err);

	if (rc == GD_RTC_ABSENT) /* qemu-ga's answer when it has no hwclock */
		return gd_qga_fail(call, "GenericError",
				   "this feature or command is not currently "
				   "supported");
	if (rc)
		return gd_qga_fail(call, "GenericError",
				   "failed to read the RTC (%s): %s", GD_RTC_PATH,
				   strerror(err));
	return step_to(call, (int64_t)ns);
}

int gd_qga_cmd_set_time(struct gd_qga_call *call)
{
	struct gd_qga_req *req = call->req;
	int tok = gd_qga_member(req, req->arguments, "time");
	int64_t t;

	if (tok < 0) {
		if (from_rtc(call))
			return -1;
	} else {
		gd_qga_get_int(req, tok, &t); /* the type was checked */
		if (t < 0 || t / NS_PER_S >= QGA_TIME_MAX_S)
			return gd_qga_fail(call, "GenericError", "Invalid time");
		if (step_to(call, t) || sync_rtc(call))
			return -1;
	}
	gd_json_obj_begin(call->j);
	gd_json_obj_end(call->j);
	return 0;
}
