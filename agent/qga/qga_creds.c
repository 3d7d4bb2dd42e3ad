/*
 * guest-set-user-password: what qemu-ga has chpasswd do, done in place.
 * A clear password is hashed with SHA-512 crypt ($6$, a 16-character
 * salt from getrandom; libmini/shacrypt.h); a crypted one is stored as
 * given once it passes gd_crypt_ok. The user's /etc/shadow line gets the hash and today as its
 * last change; the file is replaced through /etc/shadow+ (shadow-utils'
 * name) with its mode and owner, under /etc/.pwd.lock as lckpwdf takes it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pwfile.h"
#include "qga_ops.h"
#include "shacrypt.h"
#include "wholefile.h"

#define QGA_PASSWORD_MAX 511  /* decoded bytes: libxcrypt takes no more */
#define QGA_PW_FILE_MAX 65536 /* bytes of /etc/passwd or /etc/shadow */
#define SALT_CHARS GD_SHACRYPT_SALT_MAX /* the longest salt */
#define SHADOW_PATH "/etc/shadow"
#define SHADOW_TMP "/etc/shadow+"
#define PASSWD_PATH "/etc/passwd"
#define PW_LOCK_PATH "/etc/.pwd.lock"
#define QGA_CHPASSWD_FAILED "child process has failed to set user password"

const struct gd_qga_param gd_qga_password_params[3] = {
	{ "username", GD_QGA_P_STR, 0 },
	{ "password", GD_QGA_P_STR, 0 },
	{ "crypted", GD_QGA_P_BOOL, 0 },
};

int gd_qga_passwd_find(const char *user, struct gd_pw *pw)
{
	static char text[QGA_PW_FILE_MAX];
	long n = gd_wf_read(PASSWD_PATH, text, sizeof text);

	if (n < 0)
		return n == GD_WF_TOO_BIG ? GD_PW_TOO_BIG : GD_PW_NO_USER;
	return gd_pw_find(text, (size_t)n, user, pw);
}

/*
 * A salt of SALT_CHARS into s[SALT_CHARS]. A salt must be unique, not
 * secret (it is stored in the clear beside the hash), so a guest whose
 * random pool is not ready yet (no virtio-rng, early boot) still gets
 * one: GRND_INSECURE (Linux 5.6), else /dev/urandom, which never blocks.
 */
static int make_salt(char *s)
{
	static const char abc[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz";
	unsigned char r[SALT_CHARS];

	if (getrandom(r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r &&
	    getrandom(r, sizeof r, GRND_INSECURE) != (ssize_t)sizeof r) {
		int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, r, sizeof r) : -1;

		if (fd >= 0)
			close(fd);
		if (n != (ssize_t)sizeof r)
			return -1;
	}
	for (int i = 0; i < SALT_CHARS; i++)
		s[i] = abc[r[i] & 63];
	return 0;
}

/* lckpwdf's lock, without waiting: the fd holding it, or -1. */
static int lock_pw(void)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd = open(PW_LOCK_PATH, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd >= 0 && fcntl(fd, F_SETLK, &fl) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The new shadow text with user's hash set, written over the old one. */
static int store(struct gd_qga_call *call, const char *user, const char *hash)
{
	static char in[QGA_PW_FILE_MAX], out[QGA_PW_FILE_MAX];
	struct stat st;
	long n = gd_wf_read(SHADOW_PATH, in, sizeof in);

	if (n == GD_WF_TOO_BIG)
		return gd_qga_fail(call, "GenericError", "%s is over %d bytes",
				   SHADOW_PATH, QGA_PW_FILE_MAX - 1);
	if (n < 0 || stat(SHADOW_PATH, &st))
		return gd_qga_fail(call, "GenericError", "failed to read %s: %s",
				   SHADOW_PATH, strerror(errno));
	n = gd_shadow_set(in, (size_t)n, user, hash, (long)(time(NULL) / 86400),
			  out, sizeof out - 1);
	if (n == GD_PW_NO_USER || n == GD_PW_BAD_LINE)
		return gd_qga_fail(call, "GenericError", "%s has no line for "
				   "user '%s'", SHADOW_PATH, user);
	if (n < 0)
		return gd_qga_fail(call, "GenericError", "%s would be over %d "
				   "bytes", SHADOW_PATH, QGA_PW_FILE_MAX - 1);
	if (gd_wf_replace(SHADOW_PATH, SHADOW_TMP, out, (size_t)n,
			  st.st_mode & 07777, st.st_uid, st.st_gid))
		return gd_qga_fail(call, "GenericError", "failed to write %s: %s",
				   SHADOW_PATH, strerror(errno));
	return 0;
}

/* The hash to store for password pw: pw itself, or its SHA-512 crypt. */
static const char *hash_of(struct gd_qga_call *call, const char *pw,
			   int crypted)
{
	static char h[GD_SHACRYPT_LEN + 1];
	char salt[SALT_CHARS];

	if (crypted) {
		if (gd_crypt_ok(pw))
			return pw;
		gd_qga_fail(call, "GenericError", "crypted password is not a "
			    "crypt(3) hash ($id$salt$hash or 13 DES characters)");
		return NULL;
	}
	if (make_salt(salt)) {
		gd_qga_fail(call, "GenericError", "no random salt: %s",
			    strerror(errno));
		return NULL;
	}
	gd_sha512_crypt(pw, salt, sizeof salt, h, sizeof h);
	return h;
}

/* username and password, checked as qemu-ga checks them; 0 or -1. */
static int get_args(struct gd_qga_call *call, char *user, size_t ucap,
		    char *pw)
{
	long n = gd_qga_arg_b64(call, "password", (uint8_t *)pw,
				QGA_PASSWORD_MAX);
	long un;

	if (n < 0)
		return -1;
	pw[n] = '\0';
	if (strchr(pw, '\n'))
		return gd_qga_fail(call, "GenericError",
				   "forbidden characters in raw password");
	un = gd_qga_get_str(call->req, gd_qga_arg(call->req, "username"), user,
			    ucap);
	if (un < 0)
		return gd_qga_fail(call, "GenericError", "username is longer "
				   "than %zu bytes", ucap - 1);
	if (strchr(user, '\n') || strchr(user, ':') || (size_t)un != strlen(user))
		return gd_qga_fail(call, "GenericError",
				   "forbidden characters in username");
	return 0;
}

static int set_password(struct gd_qga_call *call, char *pw)
{
	char user[GD_QGA_USER_MAX + 1];
	struct gd_pw ent;
	const char *hash;
	int crypted = 0, lock, rc;

	gd_qga_get_bool(call->req, gd_qga_arg(call->req, "crypted"), &crypted);
	if (get_args(call, user, sizeof user, pw))
		return -1;
	if (gd_qga_passwd_find(user, &ent) != 0) /* chpasswd's failure */
		return gd_qga_fail(call, "GenericError", QGA_CHPASSWD_FAILED);
	if (!(hash = hash_of(call, pw, crypted)))
		return -1;
	if ((lock = lock_pw()) < 0)
		return gd_qga_fail(call, "GenericError", "%s is held by another "
				   "program: try again", PW_LOCK_PATH);
	rc = store(call, user, hash);
	close(lock);
	return rc;
}

int gd_qga_cmd_set_user_password(struct gd_qga_call *call)
{
	static char pw[QGA_PASSWORD_MAX + 1];
	int rc = set_password(call, pw);

	explicit_bzero(pw, sizeof pw);
	if (rc)
		return -1;
	gd_json_obj_begin(call->j);
	gd_json_obj_end(call->j);
	return 0;
}
