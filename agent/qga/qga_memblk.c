/*
 * guest-set-memory-blocks as qemu-ga 7.2 answers it: one
 * {"response", "error-code", "phys-index"} per block asked for, in order.
 * A block's "state" is written ("online" / "offline") only when it differs;
 * error-code is the errno of a failure (left out on success). A block
 * without "state" (old kernels) is online and cannot go offline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "qga_ops.h"
#include "sysinfo.h"

#define MEM_DIR "/sys/devices/system/memory"
#define MEM_STATE_MAX 32 /* bytes of a block's state read */

const struct gd_qga_param gd_qga_memblk_params[1] = {
	{ "mem-blks", GD_QGA_P_LIST, 0 },
};
static const struct gd_qga_param blk_params[] = {
	{ "phys-index", GD_QGA_P_INT, 0 },
	{ "online", GD_QGA_P_BOOL, 0 },
	{ "can-offline", GD_QGA_P_BOOL, 1 },
};

static int put(const char *path, const char *word)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, word, strlen(word));
	int e = errno;

	if (fd >= 0)
		close(fd);
	errno = e;
	return n == (ssize_t)strlen(word) ? 0 : -1;
}

/* Set block idx online or not: a response name; *err the errno, or 0. */
static const char *transfer(int64_t idx, int online, int *err)
{
	char path[96], state[MEM_STATE_MAX];
	int fd;

	snprintf(path, sizeof path, MEM_DIR "/memory%lld/", (long long)idx);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return *err = errno, errno == ENOENT ? "not-found" : "operation-failed";
	close(fd);
	strcat(path, "state");
	*err = 0;
	if (gd_read_small_file(path, state, sizeof state) < 0) {
		*err = errno;
		if (errno != ENOENT) /* no state: an old kernel, always online */
			return "operation-failed";
		return online ? "success" : "operation-not-supported";
	}
	if ((strncmp(state, "online", 6) == 0) != online &&
	    put(path, online ? "online" : "offline"))
		*err = errno;
	return *err ? "operation-failed" : "success";
}

int gd_qga_cmd_set_memory_blocks(struct gd_qga_call *call)
{
	struct gd_qga_req *r = call->req;
	int list = gd_qga_arg(r, "mem-blks"), k = list + 1;

	if (gd_qga_check_list(r, list, "mem-blks", blk_params, 3))
		return gd_qga_fail(call, "GenericError", "%s", r->desc);
	gd_json_arr_begin(call->j);
	for (int m = 0; m < r->tok[list].size; m++, k = gd_qga_skip(r, k)) {
		int64_t idx = 0;
		int online = 0, err = 0;
		const char *resp;

		gd_qga_get_int(r, gd_qga_member(r, k, "phys-index"), &idx);
		gd_qga_get_bool(r, gd_qga_member(r, k, "online"), &online);
		resp = transfer(idx, online, &err);
		gd_json_obj_begin(call->j);
		gd_json_key(call->j, "response");
		gd_json_str(call->j, resp);
		if (strcmp(resp, "success") != 0) {
			gd_json_key(call->j, "error-code");
			gd_json_i64(call->j, err);
		}
		gd_json_key(call->j, "phys-index");
		gd_json_i64(call->j, idx);
		gd_json_obj_end(call->j);
	}
	gd_json_arr_end(call->j);
	return 0;
}
