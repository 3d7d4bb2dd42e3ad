/*
 * guest-ssh-get/add/remove-authorized-keys: the user's
 * ~/.ssh/authorized_keys (home from /etc/passwd) edited as qemu-ga 7.2
 * edits it (libmini/authkeys.h), with its error texts. ~/.ssh is made
 * 0700 and the file replaced through a temp file beside it, 0600, both
 * owned by the user.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authkeys.h"
#include "pwfile.h"
#include "qga_ops.h"
#include "wholefile.h"

#define QGA_SSH_KEY_MAX 8192    /* bytes in one key line */
#define QGA_SSH_KEYS_MAX 64     /* keys in one add or remove */
#define QGA_SSH_FILE_MAX 65536  /* bytes of authorized_keys, before and after */
#define AK_DIR_MAX (GD_PW_HOME_MAX + 8)   /* home and "/.ssh" */
#define AK_PATH_MAX (AK_DIR_MAX + 32)     /* and a file name */

const struct gd_qga_param gd_qga_ssh_params[2] = {
	{ "username", GD_QGA_P_STR, 0 },
	{ "keys", GD_QGA_P_STR_LIST, 0 },
};
const struct gd_qga_param gd_qga_ssh_add_params[3] = {
	{ "username", GD_QGA_P_STR, 0 },
	{ "keys", GD_QGA_P_STR_LIST, 0 },
	{ "reset", GD_QGA_P_BOOL, 1 },
};
const struct gd_qga_param gd_qga_ssh_get_params[1] = {
	{ "username", GD_QGA_P_STR, 0 },
};

struct keylist {
	char text[GD_JF_TEXT_MAX];      /* the keys, NUL-terminated, in a row */
	const char *key[QGA_SSH_KEYS_MAX];
	size_t n;
};

struct user {
	struct gd_pw pw;
	char dir[AK_DIR_MAX], path[AK_PATH_MAX], tmp[AK_PATH_MAX];
};

static char file[QGA_SSH_FILE_MAX], out[QGA_SSH_FILE_MAX];

/* The keys argument, each checked as qemu-ga checks it. */
static int get_keys(struct gd_qga_call *call, struct keylist *l)
{
	int arr = gd_qga_arg(call->req, "keys"), t = arr + 1;
	size_t used = 0;

	l->n = 0;
	for (int i = 0; i < call->req->tok[arr].size; i++, t++) {
		char *k = l->text + used;
		size_t room = sizeof l->text - used;
		long n = gd_qga_get_str(call->req, t, k,
					room < QGA_SSH_KEY_MAX + 1 ? room
								   : QGA_SSH_KEY_MAX + 1);

		if (l->n == QGA_SSH_KEYS_MAX)
			return gd_qga_fail(call, "GenericError",
					   "more than %d keys", QGA_SSH_KEYS_MAX);
		if (n < 0)
			return gd_qga_fail(call, "GenericError", "key %d is "
					   "longer than %d bytes", i, QGA_SSH_KEY_MAX);
		if (!gd_ak_key_ok(k, (size_t)n))
			return gd_qga_fail(call, "GenericError", "invalid OpenSSH "
					   "public key: '%s'", k);
		l->key[l->n++] = k;
		used += (size_t)n + 1;
	}
	return 0;
}

/* The user's passwd entry and key file paths, or qemu-ga's error. */
static int get_user(struct gd_qga_call *call, struct user *u)
{
	char name[GD_QGA_USER_MAX + 1];
	long n = gd_qga_get_str(call->req, gd_qga_arg(call->req, "username"),
				name, sizeof name);
	int rc = n < 0 || (size_t)n != strlen(name) ? GD_PW_NO_USER
						   : gd_qga_passwd_find(name, &u->pw);

	if (rc == GD_PW_TOO_BIG)
		return gd_qga_fail(call, "GenericError", "failed to lookup user "
				   "'%s': /etc/passwd or its home is too long", name);
	if (rc)
		return gd_qga_fail(call, "GenericError",
				   "failed to lookup user '%s': Success",
				   n < 0 ? "" : name);
	snprintf(u->dir, sizeof u->dir, "%s/.ssh", u->pw.home);
	snprintf(u->path, sizeof u->path, "%s/authorized_keys", u->dir);
	snprintf(u->tmp, sizeof u->tmp, "%s/.authorized_keys.guestd", u->dir);
	return 0;
}

/* The file into file[]: its length, -1 (errno set) or the limit's error. */
static long read_keys(struct gd_qga_call *call, const struct user *u)
{
	long n = gd_wf_read(u->path, file, sizeof file);

	if (n == GD_WF_TOO_BIG)
		return gd_qga_fail(call, "GenericError", "%s is over %d bytes",
				   u->path, QGA_SSH_FILE_MAX - 1), -2;
	return n;
}

static int write_keys(struct gd_qga_call *call, const struct user *u,
		      long len)
{
	struct stat st;

	if (lstat(u->dir, &st) || !S_ISDIR(st.st_mode)) /* not a symlink */
		return gd_qga_fail(call, "GenericError", "'%s' is not a "
				   "directory", u->dir);
	if (len < 0)
		return gd_qga_fail(call, "GenericError", "%s would be over %d "
				   "bytes", u->path, QGA_SSH_FILE_MAX - 1);
	if (gd_wf_replace(u->path, u->tmp, out, (size_t)len, 0600, u->pw.uid,
			  u->pw.gid))
		return gd_qga_fail(call, "GenericError", "failed to write to '%s'"
				   ": %s", u->path, strerror(errno));
	gd_json_obj_begin(call->j);
	gd_json_obj_end(call->j);
	return 0;
}

/* ~/.ssh made as qemu-ga makes it: 0700, the user's. */
static int make_dir(struct gd_qga_call *call, const struct user *u)
{
	struct stat st;

	if (lstat(u->dir, &st) == 0)
		return 0; /* a directory, or refused by write_keys */
	if (mkdir(u->dir, 0700))
		return gd_qga_fail(call, "GenericError", "failed to create "
				   "directory '%s': %s", u->dir, strerror(errno));
	if (chown(u->dir, u->pw.uid, u->pw.gid) || chmod(u->dir, 0700))
		return gd_qga_fail(call, "GenericError", "failed to set ownership "
				   "of directory '%s': %s", u->dir, strerror(errno));
	return 0;
}

int gd_qga_cmd_ssh_add_keys(struct gd_qga_call *call)
{
	static struct keylist l;
	static struct user u;
	int reset = 0;
	long n = -1;

	gd_qga_get_bool(call->req, gd_qga_arg(call->req, "reset"), &reset);
	if (get_keys(call, &l) || get_user(call, &u))
		return -1;
	if (!reset && (n = read_keys(call, &u)) == -2)
		return -1;
	if (n < 0 && make_dir(call, &u))
		return -1;
	return write_keys(call, &u, gd_ak_add(file, n < 0 ? 0 : (size_t)n,
					      n >= 0, l.key, l.n, out,
					      sizeof out - 1));
}

int gd_qga_cmd_ssh_remove_keys(struct gd_qga_call *call)
{
	static struct keylist l;
	static struct user u;
	long n;

	if (get_keys(call, &l) || get_user(call, &u))
		return -1;
	if (access(u.path, F_OK) != 0) { /* nothing to remove */
		gd_json_obj_begin(call->j);
		gd_json_obj_end(call->j);
		return 0;
	}
	if ((n = read_keys(call, &u)) == -2)
		return -1;
	if (n < 0)
		return gd_qga_fail(call, "GenericError", "failed to read '%s': %s",
				   u.path, strerror(errno));
	return write_keys(call, &u, gd_ak_remove(file, (size_t)n, l.key, l.n,
						 out, sizeof out - 1));
}

int gd_qga_cmd_ssh_get_keys(struct gd_qga_call *call)
{
	static struct user u;
	const char *key;
	size_t end;
	long n, kl;

	if (get_user(call, &u) || (n = read_keys(call, &u)) == -2)
		return -1;
	if (n < 0) /* glib's text, its quotes \u201C \u201D */
		return gd_qga_fail(call, "GenericError", "failed to read '%s': "
				   "Failed to open file \xE2\x80\x9C%s\xE2\x80\x9D: %s",
				   u.path, u.path, strerror(errno));
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "keys");
	gd_json_arr_begin(call->j);
	end = (size_t)n + 1;
	while ((kl = gd_ak_prev_key(file, &end, &key)) >= 0)
		gd_json_strn(call->j, key, (size_t)kl);
	gd_json_arr_end(call->j);
	gd_json_obj_end(call->j);
	return 0;
}
