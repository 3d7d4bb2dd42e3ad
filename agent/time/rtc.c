/*
 * The RTC through its ioctls. linux/rtc.h cannot be included next to
 * musl's sys/ioctl.h (both define _IOC), so the kernel's struct rtc_time
 * and the two requests are spelled out here; the glibc build checks them
 * against the kernel header.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "proto_time.h"
#include "time_svc.h"

#define NS_PER_S 1000000000ULL

struct kernel_rtc_time { /* linux/rtc.h struct rtc_time */
	int tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year;
	int tm_wday, tm_yday;
	int tm_isdst; /* unused by the kernel; keeps the layout */
};

#define GD_RTC_RD_TIME _IOR('p', 0x09, struct kernel_rtc_time)
#define GD_RTC_SET_TIME _IOW('p', 0x0a, struct kernel_rtc_time)

#ifdef __GLIBC__
#include <linux/rtc.h>
_Static_assert(GD_RTC_RD_TIME == RTC_RD_TIME, "RTC_RD_TIME");
_Static_assert(GD_RTC_SET_TIME == RTC_SET_TIME, "RTC_SET_TIME");
_Static_assert(sizeof(struct kernel_rtc_time) == sizeof(struct rtc_time),
	       "struct rtc_time");
#endif

static int rtc_open(int *err)
{
	int fd = open(GD_RTC_PATH, O_RDONLY | O_CLOEXEC);

	*err = fd < 0 ? errno : 0;
	return fd;
}

int gd_rtc_write(uint64_t realtime_ns, int *err)
{
	time_t sec = (time_t)((realtime_ns + NS_PER_S / 2) / NS_PER_S);
	struct kernel_rtc_time rt;
	struct tm tm;
	int fd = rtc_open(err), rc;

	if (fd < 0)
		return *err == ENOENT ? GD_RTC_ABSENT : GD_RTC_FAILED;
	memset(&rt, 0, sizeof rt);
	if (!gmtime_r(&sec, &tm)) {
		close(fd);
		*err = EOVERFLOW;
		return GD_RTC_FAILED;
	}
	rt.tm_sec = tm.tm_sec;
	rt.tm_min = tm.tm_min;
	rt.tm_hour = tm.tm_hour;
	rt.tm_mday = tm.tm_mday;
	rt.tm_mon = tm.tm_mon;
	rt.tm_year = tm.tm_year;
	rt.tm_wday = tm.tm_wday;
	rt.tm_yday = tm.tm_yday;
	rc = ioctl(fd, GD_RTC_SET_TIME, &rt);
	*err = rc ? errno : 0;
	close(fd);
	return rc ? GD_RTC_FAILED : GD_RTC_WRITTEN;
}

int gd_rtc_read(uint64_t *ns, int *err)
{
	struct kernel_rtc_time rt;
	struct tm tm;
	time_t sec;
	int fd = rtc_open(err), rc;

	if (fd < 0)
		return *err == ENOENT ? GD_RTC_ABSENT : GD_RTC_FAILED;
	memset(&rt, 0, sizeof rt);
	rc = ioctl(fd, GD_RTC_RD_TIME, &rt);
	*err = rc ? errno : 0;
	close(fd);
	if (rc)
		return GD_RTC_FAILED;
	memset(&tm, 0, sizeof tm);
	tm.tm_sec = rt.tm_sec;
	tm.tm_min = rt.tm_min;
	tm.tm_hour = rt.tm_hour;
	tm.tm_mday = rt.tm_mday;
	tm.tm_mon = rt.tm_mon;
	tm.tm_year = rt.tm_year;
	sec = timegm(&tm);
	if (sec < 0) {
		*err = ERANGE;
		return GD_RTC_FAILED;
	}
	*ns = (uint64_t)sec * NS_PER_S;
	return 0;
}
