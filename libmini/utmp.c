/* utmp records (utmp.h): struct utmp of glibc on x86-64, field by field. */
#include "utmp.h"

#include <string.h>

#define UT_TYPE 0
#define UT_USER 44
#define UT_TV 340
#define USER_PROCESS 7

static int32_t le32(const uint8_t *p)
{
	return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 |
			 (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

int gd_utmp_login(const uint8_t *rec, struct gd_utmp_login *u)
{
	size_t n;

	if ((rec[UT_TYPE] | rec[UT_TYPE + 1] << 8) != USER_PROCESS)
		return 0;
	for (n = 0; n < GD_UTMP_USER_MAX && rec[UT_USER + n]; n++)
		;
	if (n == 0)
		return 0;
	memcpy(u->user, rec + UT_USER, n);
	u->user[n] = '\0';
	u->sec = le32(rec + UT_TV);
	u->usec = le32(rec + UT_TV + 4);
	return 1;
}
