/*
 * guest-file-open/close/read/write/seek/flush over a fixed table of
 * handles, with qemu-ga's modes, handle numbers (from 1000, never reused
 * while guestd runs) and error texts. Reads are short when count asks for
 * more than one response line holds (QGA_FILE_READ_MAX); the host reads
 * on until eof, as Proxmox does. No stdio: a flush has nothing to do.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "qga_ops.h"

#define QGA_FILE_HANDLES 16                   /* files open at once */
#define QGA_FILE_FIRST_HANDLE 1000            /* qemu-ga's first handle */
#define QGA_FILE_READ_DEFAULT 4096            /* count when none is given */
#define QGA_FILE_READ_COUNT_MAX (48 * 1048576) /* qemu-ga's: refused past it */
#define QGA_FILE_READ_MAX 11264               /* bytes one read answers */
#define QGA_FILE_WRITE_MAX 61440              /* bytes one write takes */

_Static_assert(GD_B64_ENC_LEN(QGA_FILE_READ_MAX) + 1024 <= GD_QGA_RESP_MAX,
	       "a file-read answer must fit in one response line");
_Static_assert(GD_B64_ENC_LEN(QGA_FILE_WRITE_MAX) + 4096 <= GD_JF_TEXT_MAX,
	       "a file-write request must fit in one request text");

struct handle {
	int fd;
	int64_t id; /* 0: free */
};

static struct handle files[QGA_FILE_HANDLES];
static int64_t next_id = QGA_FILE_FIRST_HANDLE;

static const struct {
	const char *forms;
	int flags;
} open_modes[] = {
	{ ",r,rb,", O_RDONLY },
	{ ",w,wb,", O_WRONLY | O_CREAT | O_TRUNC },
	{ ",a,ab,", O_WRONLY | O_CREAT | O_APPEND },
	{ ",r+,rb+,r+b,", O_RDWR },
	{ ",w+,wb+,w+b,", O_RDWR | O_CREAT | O_TRUNC },
	{ ",a+,ab+,a+b,", O_RDWR | O_CREAT | O_APPEND },
};

static int mode_flags(const char *mode)
{
	char key[8];

	if (strlen(mode) > 3 || strchr(mode, ','))
		return -1;
	key[0] = ',';
	strcpy(key + 1, mode);
	strcat(key, ",");
	for (size_t i = 0; i < sizeof open_modes / sizeof open_modes[0]; i++)
		if (strstr(open_modes[i].forms, key))
			return open_modes[i].flags;
	return -1;
}

static struct handle *find(struct gd_qga_call *call)
{
	int64_t id = 0;

	gd_qga_get_int(call->req, gd_qga_arg(call->req, "handle"), &id);
	for (int i = 0; i < QGA_FILE_HANDLES; i++)
		if (id > 0 && files[i].id == id)
			return &files[i];
	gd_qga_fail(call, "GenericError", "handle '%lld' has not been found",
		    (long long)id);
	return NULL;
}

int gd_qga_cmd_file_open(struct gd_qga_call *call)
{
	char path[GD_CFG_PATH_MAX], mode[8] = "r";
	struct handle *h = NULL;
	int flags;

	if (gd_qga_get_str(call->req, gd_qga_arg(call->req, "path"), path,
			   sizeof path) < 0)
		return gd_qga_fail(call, "GenericError",
				   "path is longer than %d bytes", GD_CFG_PATH_MAX - 1);
	if (gd_qga_arg(call->req, "mode") >= 0 &&
	    gd_qga_get_str(call->req, gd_qga_arg(call->req, "mode"), mode,
			   sizeof mode) < 0)
		mode[0] = ',';  /* too long: no mode */
	if ((flags = mode_flags(mode)) < 0)
		return gd_qga_fail(call, "GenericError",
				   "invalid file open mode '%s'", mode);
	for (int i = 0; i < QGA_FILE_HANDLES && !h; i++)
		if (files[i].id == 0)
			h = &files[i];
	if (!h)
		return gd_qga_fail(call, "GenericError",
				   "all %d file handles are in use", QGA_FILE_HANDLES);
	h->fd = open(path, flags | O_CLOEXEC, 0666);
	if (h->fd < 0)
		return gd_qga_fail(call, "GenericError",
				   "failed to open file '%s' (mode: '%s'): %s", path,
				   mode, strerror(errno));
	fcntl(h->fd, F_SETFL, fcntl(h->fd, F_GETFL) | O_NONBLOCK);
	h->id = next_id++;
	gd_json_i64(call->j, h->id);
	return 0;
}

int gd_qga_cmd_file_close(struct gd_qga_call *call)
{
	struct handle *h = find(call);

	if (!h)
		return -1;
	close(h->fd);
	h->id = 0;
	gd_json_obj_begin(call->j);
	gd_json_obj_end(call->j);
	return 0;
}

int gd_qga_cmd_file_flush(struct gd_qga_call *call)
{
	if (!find(call))
		return -1;
	gd_json_obj_begin(call->j); /* unbuffered: the kernel has it all */
	gd_json_obj_end(call->j);
	return 0;
}

/* Up to n bytes; *eof when the file ended first. -1 on an error with none. */
static long read_some(int fd, uint8_t *buf, size_t n, int *eof)
{
	size_t got = 0;

	*eof = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			*eof = 1;
		if (r <= 0)
			return r < 0 && got == 0 ? -1 : (long)got;
		got += (size_t)r;
	}
	return (long)got;
}

int gd_qga_cmd_file_read(struct gd_qga_call *call)
{
	static uint8_t buf[QGA_FILE_READ_MAX];
	static char b64[GD_B64_ENC_LEN(QGA_FILE_READ_MAX) + 1];
	struct handle *h = find(call);
	int64_t count = QGA_FILE_READ_DEFAULT;
	int c = gd_qga_arg(call->req, "count"), eof;
	long n, e;

	if (!h)
		return -1;
	if (c >= 0 && (gd_qga_get_int(call->req, c, &count) || count < 0 ||
		       count > QGA_FILE_READ_COUNT_MAX))
		return gd_qga_fail(call, "GenericError",
				   "value '%lld' is invalid for argument count",
				   (long long)count);
	if (count > QGA_FILE_READ_MAX)
		count = QGA_FILE_READ_MAX; /* a short read: the host reads on */
	n = read_some(h->fd, buf, (size_t)count, &eof);
	if (n < 0)
		return gd_qga_fail(call, "GenericError", "failed to read file: %s",
				   strerror(errno));
	e = gd_b64_encode(buf, (size_t)n, b64, sizeof b64);
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "count");
	gd_json_i64(call->j, n);
	gd_json_key(call->j, "buf-b64");
	gd_json_strn(call->j, b64, (size_t)(e < 0 ? 0 : e));
	gd_json_key(call->j, "eof");
	gd_json_bool(call->j, eof);
	gd_json_obj_end(call->j);
	return 0;
}

int gd_qga_cmd_file_write(struct gd_qga_call *call)
{
	static uint8_t buf[QGA_FILE_WRITE_MAX];
	struct handle *h = find(call);
	int c = gd_qga_arg(call->req, "count");
	int64_t count;
	long len;
	size_t done = 0;

	if (!h || (len = gd_qga_arg_b64(call, "buf-b64", buf, sizeof buf)) < 0)
		return -1;
	count = len;
	if (c >= 0 && (gd_qga_get_int(call->req, c, &count) || count < 0 ||
		       count > len))
		return gd_qga_fail(call, "GenericError", "Invalid parameter 'count'");
	while (done < (size_t)count) {
		ssize_t w = write(h->fd, buf + done, (size_t)count - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && done == 0)
			return gd_qga_fail(call, "GenericError",
					   "failed to write to file: %s",
					   strerror(errno));
		if (w <= 0)
			break; /* a short write, reported by its count */
		done += (size_t)w;
	}
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "count");
	gd_json_i64(call->j, (int64_t)done);
	gd_json_key(call->j, "eof");
	gd_json_bool(call->j, 0);
	gd_json_obj_end(call->j);
	return 0;
}

/* whence: 0/1/2 or "set"/"cur"/"end" (QAPI's GuestFileWhence). */
static int whence_of(struct gd_qga_call *call, int *whence)
{
	static const char *const names[] = { "set", "cur", "end" };
	int v = gd_qga_arg(call->req, "whence");
	int64_t n;
	char s[16] = "";

	if (gd_qga_get_int(call->req, v, &n) == 0) {
		if (n >= 0 && n <= 2)
			return *whence = (int)n, 0; /* SEEK_SET, _CUR, _END */
		return gd_qga_fail(call, "GenericError",
				   "invalid whence code %lld", (long long)n);
	}
	if (call->req->tok[v].type != GD_QGA_STRING)
		return gd_qga_fail(call, "GenericError",
				   "Invalid parameter type for 'whence', expected: "
				   "GuestFileWhence");
	gd_qga_get_str(call->req, v, s, sizeof s);
	for (int i = 0; i < 3; i++)
		if (strcmp(s, names[i]) == 0)
			return *whence = i, 0;
	return gd_qga_fail(call, "GenericError",
			   "Parameter 'whence' does not accept value '%.15s'", s);
}

int gd_qga_cmd_file_seek(struct gd_qga_call *call)
{
	struct handle *h = find(call);
	int64_t offset = 0;
	int whence = 0;
	off_t pos;

	if (!h || whence_of(call, &whence))
		return -1;
	gd_qga_get_int(call->req, gd_qga_arg(call->req, "offset"), &offset);
	pos = lseek(h->fd, (off_t)offset, whence);
	if (pos < 0)
		return gd_qga_fail(call, "GenericError", "failed to seek file: %s",
				   strerror(errno));
	gd_json_obj_begin(call->j); /* qemu-ga's member order */
	gd_json_key(call->j, "eof");
	gd_json_bool(call->j, 0);
	gd_json_key(call->j, "position");
	gd_json_i64(call->j, (int64_t)pos);
	gd_json_obj_end(call->j);
	return 0;
}
