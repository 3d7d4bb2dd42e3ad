/*
 * guest-get-users from utmp, as qemu-ga's getutxent loop gives it: each
 * user logged in once, with the earliest login time, in the order of the
 * file; an empty list when there is no utmp (systems that keep none).
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "qga_ops.h"
#include "utmp.h"

#define QGA_USERS_MAX 64 /* distinct users listed */

struct login_list {
	struct gd_utmp_login v[QGA_USERS_MAX];
	int n;
};

/* Add u, or keep the earlier time of a user already listed; -1 if full. */
static int add_login(struct login_list *l, const struct gd_utmp_login *u)
{
	for (int i = 0; i < l->n; i++) {
		struct gd_utmp_login *e = &l->v[i];

		if (strcmp(e->user, u->user) != 0)
			continue;
		if (u->sec < e->sec || (u->sec == e->sec && u->usec < e->usec))
			*e = *u;
		return 0;
	}
	if (l->n == QGA_USERS_MAX)
		return -1;
	l->v[l->n++] = *u;
	return 0;
}

/* Every whole record of the file; 0, or -1 when the list is full. */
static int read_logins(int fd, struct login_list *l)
{
	uint8_t rec[GD_UTMP_RECORD];
	struct gd_utmp_login u;
	size_t have = 0;

	for (;;) {
		ssize_t n = read(fd, rec + have, sizeof rec - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0; /* a torn last record is left out */
		have += (size_t)n;
		if (have < sizeof rec)
			continue;
		have = 0;
		if (gd_utmp_login(rec, &u) && add_login(l, &u))
			return -1;
	}
}

int gd_qga_cmd_get_users(struct gd_qga_call *call)
{
	static struct login_list l;
	int fd = open(GD_UTMP_PATH, O_RDONLY | O_CLOEXEC), full;

	l.n = 0;
	full = fd >= 0 && read_logins(fd, &l);
	if (fd >= 0)
		close(fd);
	if (full)
		return gd_qga_fail(call, "GenericError",
				   "more than %d users logged in", QGA_USERS_MAX);
	gd_json_arr_begin(call->j);
	for (int i = 0; i < l.n; i++) {
		gd_json_obj_begin(call->j); /* qemu-ga's member order */
		gd_json_key(call->j, "login-time");
		gd_json_f64(call->j, (double)l.v[i].sec +
					     (double)l.v[i].usec / 1000000);
		gd_json_key(call->j, "user");
		gd_json_str(call->j, l.v[i].user);
		gd_json_obj_end(call->j);
	}
	gd_json_arr_end(call->j);
	return 0;
}
