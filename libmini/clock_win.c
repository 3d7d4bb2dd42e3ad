/*
 * gd_clock_ns() for Windows builds (guestctl.exe), which leave out
 * sysinfo.c (it reads Linux files). CLOCK_MONOTONIC is the performance
 * counter; CLOCK_REALTIME is GetSystemTimePreciseAsFileTime (Windows 8
 * and later), well under a microsecond against GetSystemTimeAsFileTime's
 * timer tick (about 15.6 ms), which matters for guestctl time's offsets.
 */
#include "sysinfo.h"

#include <windows.h>

#include <time.h>

/* 100 ns intervals from 1601-01-01 (FILETIME) to 1970-01-01 (Unix). */
#define GD_FILETIME_UNIX_EPOCH 116444736000000000ull

uint64_t gd_clock_ns(int clk)
{
	if (clk == CLOCK_MONOTONIC) {
		LARGE_INTEGER freq, count;
		uint64_t f, c;

		if (!QueryPerformanceFrequency(&freq) ||
		    !QueryPerformanceCounter(&count) || freq.QuadPart <= 0)
			return 0;
		f = (uint64_t)freq.QuadPart;
		c = (uint64_t)count.QuadPart;
		/* split so that c * 1e9 cannot overflow */
		return c / f * 1000000000u + c % f * 1000000000u / f;
	}
	if (clk == CLOCK_REALTIME) {
		FILETIME ft;
		uint64_t t;

		GetSystemTimePreciseAsFileTime(&ft);
		t = (uint64_t)ft.dwHighDateTime << 32 | ft.dwLowDateTime;
		if (t < GD_FILETIME_UNIX_EPOCH)
			return 0;
		return (t - GD_FILETIME_UNIX_EPOCH) * 100u;
	}
	return 0;
}
