/*
 * The QGA commands guestd serves, with the shapes of QEMU's
 * qga/qapi-schema.json. Each writes only its "return" value; qga.c wraps
 * it. Members go out in the order qemu-ga's hash table gives them, so the
 * bytes match a real agent's for the same facts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "osrelease.h"
#include "qga.h"
#include "qga_fs.h"
#include "qga_ops.h"
#include "sysinfo.h"
#include "tzinfo.h"

#define OS_FIELD_MAX 256    /* longest os-release value kept */

static const struct gd_qga_param sync_params[] = {
	{ "id", GD_QGA_P_INT, 0 },
};
static const struct gd_qga_param shutdown_params[] = {
	{ "mode", GD_QGA_P_STR, 1 },
};
static const struct gd_qga_param set_time_params[] = {
	{ "time", GD_QGA_P_INT, 1 },
};
/* Issue 17: processors, exec, files, credentials (qga_ops.h). */
static const struct gd_qga_param set_vcpus_params[] = {
	{ "vcpus", GD_QGA_P_LIST, 0 },
};
static const struct gd_qga_param exec_params[] = {
	{ "path", GD_QGA_P_STR, 0 },
	{ "arg", GD_QGA_P_STR_LIST, 1 },
	{ "env", GD_QGA_P_STR_LIST, 1 },
	{ "input-data", GD_QGA_P_STR, 1 },
	{ "capture-output", GD_QGA_P_ANY, 1 },
};
static const struct gd_qga_param exec_status_params[] = {
	{ "pid", GD_QGA_P_INT, 0 },
};
static const struct gd_qga_param file_open_params[] = {
	{ "path", GD_QGA_P_STR, 0 },
	{ "mode", GD_QGA_P_STR, 1 },
};
static const struct gd_qga_param handle_params[] = {
	{ "handle", GD_QGA_P_INT, 0 },
};
static const struct gd_qga_param file_read_params[] = {
	{ "handle", GD_QGA_P_INT, 0 },
	{ "count", GD_QGA_P_INT, 1 },
};
static const struct gd_qga_param file_write_params[] = {
	{ "handle", GD_QGA_P_INT, 0 },
	{ "buf-b64", GD_QGA_P_STR, 0 },
	{ "count", GD_QGA_P_INT, 1 },
};
static const struct gd_qga_param file_seek_params[] = {
	{ "handle", GD_QGA_P_INT, 0 },
	{ "offset", GD_QGA_P_INT, 0 },
	{ "whence", GD_QGA_P_ANY, 0 },
};

static int cmd_sync(struct gd_qga_call *call)
{
	int64_t id = 0;

	gd_qga_get_int(call->req,
		       gd_qga_member(call->req, call->req->arguments, "id"), &id);
	gd_json_i64(call->j, id);
	return 0;
}

static int cmd_ping(struct gd_qga_call *call)
{
	gd_json_obj_begin(call->j);
	gd_json_obj_end(call->j);
	return 0;
}

static int cmd_info(struct gd_qga_call *call)
{
	size_t n;
	const struct gd_qga_cmd *list = gd_qga_cmds(&n);
	struct gd_json *j = call->j;

	gd_json_obj_begin(j);
	gd_json_key(j, "version");
	gd_json_str(j, GD_AGENT_VERSION);
	gd_json_key(j, "supported_commands");
	gd_json_arr_begin(j);
	for (size_t i = 0; i < n; i++) {
		gd_json_obj_begin(j);
		gd_json_key(j, "enabled");
		gd_json_bool(j, list[i].enabled &&
			     gd_qga_rpc_enabled(call->agent, list[i].name) &&
			     gd_qga_fs_allowed(call->agent, list[i].name));
		gd_json_key(j, "name");
		gd_json_str(j, list[i].name);
		gd_json_key(j, "success-response");
		gd_json_bool(j, list[i].success_response);
		gd_json_obj_end(j);
	}
	gd_json_arr_end(j);
	gd_json_obj_end(j);
	return 0;
}

static int cmd_get_time(struct gd_qga_call *call)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts))
		return gd_qga_fail(call, "GenericError", "Failed to get time");
	gd_json_i64(call->j, (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec);
	return 0;
}

static int cmd_host_name(struct gd_qga_call *call)
{
	struct utsname u;

	if (uname(&u))
		return gd_qga_fail(call, "GenericError", "uname failed");
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "host-name");
	gd_json_str(call->j, u.nodename);
	gd_json_obj_end(call->j);
	return 0;
}

/* One member from os-release text, left out when the file lacks it. */
static void os_field(struct gd_json *j, const char *text, const char *key,
		     const char *member)
{
	char v[OS_FIELD_MAX];

	if (text[0] && gd_os_release_get(text, key, v, sizeof v) == 0) {
		gd_json_key(j, member);
		gd_json_str(j, v);
	}
}

static void uname_field(struct gd_json *j, const char *member, const char *v)
{
	gd_json_key(j, member);
	gd_json_str(j, v);
}

static int cmd_osinfo(struct gd_qga_call *call)
{
	static char text[GD_OS_RELEASE_MAX];
	struct gd_json *j = call->j;
	struct utsname u;

	if (uname(&u))
		return gd_qga_fail(call, "GenericError", "uname failed");
	/* QGA_OS_RELEASE: qemu-ga's way to read another file (for tests) */
	if (getenv("QGA_OS_RELEASE")
		    ? gd_read_small_file(getenv("QGA_OS_RELEASE"), text,
					 sizeof text) < 0
		    : gd_os_release_read(text, sizeof text) < 0)
		text[0] = '\0';
	gd_json_obj_begin(j);
	os_field(j, text, "NAME", "name");
	uname_field(j, "kernel-release", u.release);
	os_field(j, text, "VERSION", "version");
	os_field(j, text, "VARIANT", "variant");
	os_field(j, text, "PRETTY_NAME", "pretty-name");
	os_field(j, text, "VERSION_ID", "version-id");
	os_field(j, text, "VARIANT_ID", "variant-id");
	uname_field(j, "kernel-version", u.version);
	uname_field(j, "machine", u.machine);
	os_field(j, text, "ID", "id");
	gd_json_obj_end(j);
	return 0;
}

/*
 * The local zone as glib finds it for qemu-ga: $TZ (a rule, or a zone
 * file when it names one), else /etc/localtime; UTC when neither reads.
 */
static void local_zone(int64_t t, struct gd_tz_info *z)
{
	static uint8_t tzif[GD_TZ_FILE_MAX];
	const char *tz = getenv("TZ");
	long n;

	if (tz && tz[0] == ':')
		tz++;
	if (tz && tz[0]) {
		char path[GD_CFG_PATH_MAX + 32];

		snprintf(path, sizeof path, "%s%s",
			 tz[0] == '/' ? "" : "/usr/share/zoneinfo/", tz);
		n = gd_read_small_file(path, (char *)tzif, sizeof tzif);
		if (n < 0 && gd_tz_posix(tz, strlen(tz), t, z) == 0)
			return;
	} else {
		n = gd_read_small_file("/etc/localtime", (char *)tzif,
				       sizeof tzif);
	}
	if (n < 0 || gd_tz_tzif(tzif, (size_t)n, t, z))
		gd_tz_posix("UTC0", 4, t, z);
}

static int cmd_timezone(struct gd_qga_call *call)
{
	struct gd_tz_info z;

	local_zone((int64_t)time(NULL), &z);
	gd_json_obj_begin(call->j);
	if (z.abbr[0]) {
		gd_json_key(call->j, "zone");
		gd_json_str(call->j, z.abbr);
	}
	gd_json_key(call->j, "offset");
	gd_json_i64(call->j, z.utoff);
	gd_json_obj_end(call->j);
	return 0;
}

#define PARAMS(p) (p), sizeof(p) / sizeof((p)[0])

/* qemu-ga 7.2's order. */
static const struct gd_qga_cmd cmds[] = {
	{ "guest-get-load", gd_qga_cmd_get_load, NULL, 0, 1, 0, 1 },
	{ "guest-get-cpustats", gd_qga_cmd_get_cpustats, NULL, 0, 1, 0, 1 },
	{ "guest-get-diskstats", gd_qga_cmd_get_diskstats, NULL, 0, 1, 0, 1 },
	{ "guest-ssh-remove-authorized-keys", gd_qga_cmd_ssh_remove_keys,
	  PARAMS(gd_qga_ssh_params), 1, 0, 1 },
	{ "guest-ssh-add-authorized-keys", gd_qga_cmd_ssh_add_keys,
	  PARAMS(gd_qga_ssh_add_params), 1, 0, 1 },
	{ "guest-ssh-get-authorized-keys", gd_qga_cmd_ssh_get_keys,
	  PARAMS(gd_qga_ssh_get_params), 1, 0, 1 },
	{ "guest-get-osinfo", cmd_osinfo, NULL, 0, 1, 0, 1 },
	{ "guest-get-timezone", cmd_timezone, NULL, 0, 1, 0, 1 },
	{ "guest-get-users", gd_qga_cmd_get_users, NULL, 0, 1, 0, 1 },
	{ "guest-get-host-name", cmd_host_name, NULL, 0, 1, 0, 1 },
	{ "guest-exec", gd_qga_cmd_exec, PARAMS(exec_params), 1, 0, 1 },
	{ "guest-exec-status", gd_qga_cmd_exec_status, PARAMS(exec_status_params), 1, 0, 1 },
	{ "guest-get-memory-block-info", gd_qga_cmd_get_memory_block_info, NULL, 0, 1, 0, 1 },
	{ "guest-set-memory-blocks", gd_qga_cmd_set_memory_blocks,
	  PARAMS(gd_qga_memblk_params), 1, 0, 1 },
	{ "guest-get-memory-blocks", gd_qga_cmd_get_memory_blocks, NULL, 0, 1, 0, 1 },
	{ "guest-set-user-password", gd_qga_cmd_set_user_password,
	  PARAMS(gd_qga_password_params), 1, 0, 1 },
	{ "guest-get-fsinfo", gd_qga_cmd_get_fsinfo, NULL, 0, 1, 0, 1 },
	{ "guest-get-disks", gd_qga_cmd_get_disks, NULL, 0, 1, 0, 1 },
	{ "guest-set-vcpus", gd_qga_cmd_set_vcpus, PARAMS(set_vcpus_params), 1, 0, 1 },
	{ "guest-get-vcpus", gd_qga_cmd_get_vcpus, NULL, 0, 1, 0, 1 },
	{ "guest-network-get-interfaces", gd_qga_cmd_interfaces, NULL, 0, 1, 0, 1 },
	{ "guest-suspend-hybrid", gd_qga_cmd_suspend_hybrid, NULL, 0, 0, 0, 1 },
	{ "guest-suspend-ram", gd_qga_cmd_suspend_ram, NULL, 0, 0, 0, 1 },
	{ "guest-suspend-disk", gd_qga_cmd_suspend_disk, NULL, 0, 0, 0, 1 },
	{ "guest-fstrim", gd_qga_cmd_fstrim, PARAMS(gd_qga_fstrim_params), 1, 0, 1 },
	{ "guest-fsfreeze-thaw", gd_qga_cmd_fsfreeze_thaw, NULL, 0, 1, 0, 1 },
	{ "guest-fsfreeze-freeze-list", gd_qga_cmd_fsfreeze_freeze_list,
	  PARAMS(gd_qga_freeze_list_params), 1, 0, 1 },
	{ "guest-fsfreeze-freeze", gd_qga_cmd_fsfreeze_freeze, NULL, 0, 1, 0, 1 },
	{ "guest-fsfreeze-status", gd_qga_cmd_fsfreeze_status, NULL, 0, 1, 0, 1 },
	{ "guest-file-flush", gd_qga_cmd_file_flush, PARAMS(handle_params), 1, 0, 1 },
	{ "guest-file-seek", gd_qga_cmd_file_seek, PARAMS(file_seek_params), 1, 0, 1 },
	{ "guest-file-write", gd_qga_cmd_file_write, PARAMS(file_write_params), 1, 0, 1 },
	{ "guest-file-read", gd_qga_cmd_file_read, PARAMS(file_read_params), 1, 0, 1 },
	{ "guest-file-close", gd_qga_cmd_file_close, PARAMS(handle_params), 1, 0, 1 },
	{ "guest-file-open", gd_qga_cmd_file_open, PARAMS(file_open_params), 1, 0, 1 },
	{ "guest-shutdown", gd_qga_cmd_shutdown, PARAMS(shutdown_params), 0, 0, 1 },
	{ "guest-info", cmd_info, NULL, 0, 1, 0, 1 },
	{ "guest-set-time", gd_qga_cmd_set_time, PARAMS(set_time_params), 1, 0, 1 },
	{ "guest-get-time", cmd_get_time, NULL, 0, 1, 0, 1 },
	{ "guest-ping", cmd_ping, NULL, 0, 1, 0, 1 },
	{ "guest-sync", cmd_sync, PARAMS(sync_params), 1, 0, 1 },
	{ "guest-sync-delimited", cmd_sync, PARAMS(sync_params), 1, 1, 1 },
};

const struct gd_qga_cmd *gd_qga_cmds(size_t *count)
{
	*count = sizeof cmds / sizeof cmds[0];
	return cmds;
}
