/*
 * Login records of a utmp file (glibc's x86-64 layout, 384 bytes each,
 * the one Debian's login, sshd and systemd write), read without glibc's
 * utmp API: the caller reads records and asks what each one says.
 */
#ifndef GD_UTMP_H
#define GD_UTMP_H

#include <stddef.h>
#include <stdint.h>

#define GD_UTMP_RECORD 384     /* bytes in one record */
#define GD_UTMP_USER_MAX 32    /* ut_user's size; not always NUL-ended */
#define GD_UTMP_PATH "/var/run/utmp"

struct gd_utmp_login {
	char user[GD_UTMP_USER_MAX + 1];
	int64_t sec;   /* ut_tv: login time */
	int32_t usec;
};

/* 1 with *u set when rec[GD_UTMP_RECORD] is a user's login (USER_PROCESS)
 * with a user name; 0 for any other record. */
int gd_utmp_login(const uint8_t *rec, struct gd_utmp_login *u);

#endif
