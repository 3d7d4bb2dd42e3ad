/*
 * guest-fsfreeze-* and guest-fstrim (qga_fs.h) on the freeze service
 * (fsfreeze_svc.h). Error texts are qemu-ga 7.2's.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "fsfreeze_svc.h"
#include "qga_fs.h"

const struct gd_qga_param gd_qga_freeze_list_params[1] = {
	{ "mountpoints", GD_QGA_P_STR_LIST, 1 },
};
const struct gd_qga_param gd_qga_fstrim_params[1] = {
	{ "minimum", GD_QGA_P_INT, 1 },
};

/* qemu-ga's ga_freeze_allowlist: all a frozen agent serves. */
static const char *const frozen_ok[] = {
	"guest-ping", "guest-info", "guest-sync", "guest-sync-delimited",
	"guest-fsfreeze-status", "guest-fsfreeze-thaw",
};

int gd_qga_fs_allowed(const struct gd_agent *a, const char *name)
{
	if (!a->fsfreeze->frozen)
		return 1;
	for (size_t i = 0; i < sizeof frozen_ok / sizeof frozen_ok[0]; i++)
		if (strcmp(name, frozen_ok[i]) == 0)
			return 1;
	return 0;
}

const char *gd_qga_fs_disabled_why(const struct gd_agent *a)
{
	return a->fsfreeze->frozen ? "the agent is in frozen state" : NULL;
}

int gd_qga_cmd_fsfreeze_status(struct gd_qga_call *call)
{
	gd_json_str(call->j, call->agent->fsfreeze->frozen ? "frozen" : "thawed");
	return 0;
}

static int freeze(struct gd_qga_call *call, const char *const *only,
		  size_t nonly)
{
	char err[GD_QGA_DESC_MAX];
	int n = gd_fsfreeze_freeze(call->agent, only, nonly, err, sizeof err);

	if (n < 0)
		return gd_qga_fail(call, "GenericError", "%s", err);
	gd_json_i64(call->j, n);
	return 0;
}

int gd_qga_cmd_fsfreeze_freeze(struct gd_qga_call *call)
{
	return freeze(call, NULL, 0);
}

int gd_qga_cmd_fsfreeze_freeze_list(struct gd_qga_call *call)
{
	static char buf[GD_QGA_FS_LIST_BYTES];
	static const char *only[GD_QGA_FS_LIST_MAX];
	const struct gd_qga_req *r = call->req;
	int arr = gd_qga_member(r, r->arguments, "mountpoints"), k;
	size_t used = 0, n = 0;

	if (arr < 0)
		return freeze(call, NULL, 0);
	if (r->tok[arr].size > GD_QGA_FS_LIST_MAX)
		return gd_qga_fail(call, "GenericError", "more than %d "
				   "mountpoints", GD_QGA_FS_LIST_MAX);
	for (k = arr + 1; n < (size_t)r->tok[arr].size; n++, k = gd_qga_skip(r, k)) {
		long len = gd_qga_get_str(r, k, buf + used, sizeof buf - used);

		if (len < 0)
			return gd_qga_fail(call, "GenericError", "mountpoints "
					   "over %d bytes", GD_QGA_FS_LIST_BYTES);
		only[n] = buf + used;
		used += (size_t)len + 1;
	}
	return freeze(call, only, n);
}

int gd_qga_cmd_fsfreeze_thaw(struct gd_qga_call *call)
{
	gd_json_i64(call->j, gd_fsfreeze_thaw(call->agent));
	return 0;
}

/* One guest-fstrim result, members in qemu-ga's order. */
static void trim_one(struct gd_json *j, const char *path, uint64_t minimum)
{
	struct fstrim_range r = { 0, UINT64_MAX, minimum };
	int fd = open(path, O_RDONLY | O_CLOEXEC), e;
	char err[GD_QGA_DESC_MAX];

	gd_json_obj_begin(j);
	e = fd < 0 ? errno : ioctl(fd, FITRIM, &r) ? errno : 0;
	if (fd < 0)
		snprintf(err, sizeof err, "failed to open: %s", strerror(e));
	else if (e == ENOTTY || e == EOPNOTSUPP)
		snprintf(err, sizeof err, "trim not supported");
	else if (e)
		snprintf(err, sizeof err, "failed to trim: %s", strerror(e));
	if (fd >= 0)
		close(fd);
	if (!e) {
		gd_json_key(j, "minimum");
		gd_json_i64(j, (int64_t)r.minlen);
	}
	gd_json_key(j, "path");
	gd_json_str(j, path);
	gd_json_key(j, e ? "error" : "trimmed");
	if (e)
		gd_json_str(j, err);
	else
		gd_json_i64(j, (int64_t)r.len);
	gd_json_obj_end(j);
}

int gd_qga_cmd_fstrim(struct gd_qga_call *call)
{
	const struct gd_qga_req *r = call->req;
	int64_t minimum = 0;
	char err[GD_FSF_ERR_MAX];
	struct gd_mount *m;
	int n = gd_fsf_mounts(&m, err, sizeof err);

	if (n < 0)
		return gd_qga_fail(call, "GenericError", "%s", err);
	gd_qga_get_int(r, gd_qga_member(r, r->arguments, "minimum"), &minimum);
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "paths");
	gd_json_arr_begin(call->j);
	for (int i = n - 1; i >= 0; i--) /* qemu-ga prepends: last mount first */
		if (gd_fsp_block_backed(&m[i]))
			trim_one(call->j, m[i].mountpoint, (uint64_t)minimum);
	gd_json_arr_end(call->j);
	gd_json_obj_end(call->j);
	return 0;
}
