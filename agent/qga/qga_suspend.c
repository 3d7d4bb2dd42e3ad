/*
 * guest-suspend-disk, -ram and -hybrid through /sys/power, as qemu-ga's
 * linux_sys_state_* fallback does (guestd has no systemd or pm-utils to
 * ask first). A mode is supported when /sys/power/state lists it (and,
 * for hybrid, /sys/power/disk lists "suspend"); the write that suspends
 * blocks until the guest resumes, so a child does it, reaped as any other,
 * while the poll loop goes on. Success is answered by silence.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "pid1.h"
#include "qga_ops.h"
#include "sysinfo.h"

#define SYS_POWER_STATE "/sys/power/state"
#define SYS_POWER_DISK "/sys/power/disk"
#define POWER_FILE_MAX 256 /* bytes of /sys/power/state or disk read */

/* 1 when file lists word (a whole word, or "[word]": the current one). */
static int lists(const char *path, const char *word)
{
	char text[POWER_FILE_MAX];
	size_t wl = strlen(word);
	const char *p;

	if (gd_read_small_file(path, text, sizeof text) <= 0)
		return 0;
	for (p = text; (p = strstr(p, word)) != NULL; p += wl) {
		char before = p == text ? ' ' : p[-1], after = p[wl];

		if ((before == ' ' || before == '[') &&
		    (after == ' ' || after == ']' || after == '\n' || !after))
			return 1;
	}
	return 0;
}

static int put(const char *path, const char *word)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, word, strlen(word));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(word) ? 0 : -1;
}

/* Fork the child that writes disk_mode (if any) then state; or fail. */
static int suspend(struct gd_qga_call *call, const char *disk_mode,
		   const char *state)
{
	pid_t pid = fork();

	if (pid == 0) {
		gd_child_reset_signals();
		setsid();
		_exit((disk_mode && put(SYS_POWER_DISK, disk_mode)) ||
		      put(SYS_POWER_STATE, state));
	}
	if (pid < 0)
		return gd_qga_fail(call, "GenericError", "failed to create child "
				   "process: %s", strerror(errno));
	gd_logf(&call->agent->log, GD_LOG_INFO, "%s: qga: suspend (%s%s%s)",
		call->conn->peer, state, disk_mode ? ", disk mode " : "",
		disk_mode ? disk_mode : "");
	call->no_response = 1;
	return 0;
}

static int unsupported(struct gd_qga_call *call)
{
	return gd_qga_fail(call, "GenericError",
			   "the requested suspend mode is not supported by the guest");
}

int gd_qga_cmd_suspend_disk(struct gd_qga_call *call)
{
	if (!lists(SYS_POWER_STATE, "disk"))
		return unsupported(call);
	return suspend(call, NULL, "disk");
}

int gd_qga_cmd_suspend_ram(struct gd_qga_call *call)
{
	if (!lists(SYS_POWER_STATE, "mem"))
		return unsupported(call);
	return suspend(call, NULL, "mem");
}

int gd_qga_cmd_suspend_hybrid(struct gd_qga_call *call)
{
	if (!lists(SYS_POWER_STATE, "disk") || !lists(SYS_POWER_DISK, "suspend"))
		return unsupported(call);
	return suspend(call, "suspend", "disk");
}
