/*
 * Which init runs as PID 1 and how to ask it to shut down, for guestd
 * when it is not PID 1 and for its poweroff/reboot/halt personalities.
 *   guestd, systemd  SIGRTMIN+3 halt, +4 poweroff, +5 reboot (+13..+15 at once)
 *   busybox          SIGUSR1 halt, SIGUSR2 poweroff, SIGTERM reboot
 *   sysvinit         a request on /run/initctl: INIT_HALT, then runlevel 0 or 6
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent.h"
#include "pid1.h"
#include "sysinfo.h"

#define GD_EXE_MAX 256

/* sysvinit's struct init_request (initreq.h): 384 bytes. */
#define GD_INITCTL_MAGIC 0x03091969
#define GD_INITCTL_RUNLVL 1
#define GD_INITCTL_SETENV 6
struct initreq {
	int magic, cmd, runlevel, sleeptime;
	char data[368];
};

static const char *const kind_names[] = {
	"unknown", "guestd", "systemd", "busybox", "sysvinit", "command",
};

const char *gd_init_name(int kind)
{
	return kind >= 0 && kind <= GD_INIT_COMMAND ? kind_names[kind]
						      : "unknown";
}

static const char *initctl_path(void)
{
	struct stat st;

	if (stat("/run/initctl", &st) == 0 && S_ISFIFO(st.st_mode))
		return "/run/initctl";
	if (stat("/dev/initctl", &st) == 0 && S_ISFIFO(st.st_mode))
		return "/dev/initctl";
	return NULL;
}

/* PID 1's program name: its executable's base name, else its comm. */
static void pid1_name(char *out, size_t cap)
{
	char exe[GD_EXE_MAX];
	ssize_t n = readlink("/proc/1/exe", exe, sizeof exe - 1);
	long c;

	if (n > 0) {
		const char *base;

		exe[n] = '\0';
		if (n > 10 && strcmp(exe + n - 10, " (deleted)") == 0)
			exe[n - 10] = '\0';
		base = strrchr(exe, '/');
		gd_strlcpy(out, base ? base + 1 : exe, cap);
		return;
	}
	c = gd_read_small_file("/proc/1/comm", out, cap);
	if (c <= 0)
		out[0] = '\0';
	else if (out[c - 1] == '\n')
		out[c - 1] = '\0';
}

static int pid1_is_this_binary(void)
{
	struct stat me, init;

	return stat("/proc/self/exe", &me) == 0 &&
	       stat("/proc/1/exe", &init) == 0 && me.st_dev == init.st_dev &&
	       me.st_ino == init.st_ino;
}

int gd_init_detect(void)
{
	char name[GD_EXE_MAX];

	if (pid1_is_this_binary())
		return GD_INIT_GUESTD;
	pid1_name(name, sizeof name);
	if (strcmp(name, "guestd") == 0)
		return GD_INIT_GUESTD;
	if (strcmp(name, "systemd") == 0)
		return GD_INIT_SYSTEMD;
	if (strcmp(name, "busybox") == 0)
		return GD_INIT_BUSYBOX;
	if (strcmp(name, "init") == 0 && initctl_path())
		return GD_INIT_SYSVINIT;
	return GD_INIT_UNKNOWN;
}

static int signal_for(int kind, int mode, int force)
{
	static const int busybox[] = { [GD_SD_POWEROFF] = SIGUSR2,
				       [GD_SD_REBOOT] = SIGTERM,
				       [GD_SD_HALT] = SIGUSR1 };
	static const int systemd[] = { [GD_SD_POWEROFF] = 4,
				       [GD_SD_REBOOT] = 5, [GD_SD_HALT] = 3 };

	if (kind == GD_INIT_BUSYBOX)
		return busybox[mode];
	return GD_SIG_RTMIN + systemd[mode] + (force ? 10 : 0);
}

int gd_init_check(int kind)
{
	switch (kind) {
	case GD_INIT_GUESTD:
	case GD_INIT_SYSTEMD:
	case GD_INIT_BUSYBOX:
		return kill(1, 0);
	case GD_INIT_SYSVINIT:
		return initctl_path() ? access(initctl_path(), W_OK) : -1;
	default:
		errno = ENOSYS;
		return -1;
	}
}

static int initctl_send(int fd, int cmd, int runlevel, int sleeptime,
			const char *env)
{
	struct initreq rq;

	memset(&rq, 0, sizeof rq);
	rq.magic = GD_INITCTL_MAGIC;
	rq.cmd = cmd;
	rq.runlevel = runlevel;
	rq.sleeptime = sleeptime;
	if (env)
		gd_strlcpy(rq.data, env, sizeof rq.data);
	return write(fd, &rq, sizeof rq) == (ssize_t)sizeof rq ? 0 : -1;
}

/* As sysvinit's shutdown: set INIT_HALT, then change the runlevel. */
static int ask_sysvinit(int mode, uint32_t grace_ms)
{
	const char *path = initctl_path();
	int secs = (int)(grace_ms / 1000), fd, rc;

	if (!path) {
		errno = ENOENT;
		return -1;
	}
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = initctl_send(fd, GD_INITCTL_SETENV, 0, 0,
			  mode == GD_SD_HALT ? "INIT_HALT=HALT"
					     : "INIT_HALT=POWERDOWN");
	if (rc == 0)
		rc = initctl_send(fd, GD_INITCTL_RUNLVL,
				  mode == GD_SD_REBOOT ? '6' : '0', secs, NULL);
	close(fd);
	return rc;
}

int gd_init_ask(int kind, int mode, int force, uint32_t grace_ms)
{
	if (mode < GD_SD_POWEROFF || mode > GD_SD_HALT) {
		errno = EINVAL;
		return -1;
	}
	switch (kind) {
	case GD_INIT_GUESTD:
	case GD_INIT_SYSTEMD:
	case GD_INIT_BUSYBOX:
		return kill(1, signal_for(kind, mode, force));
	case GD_INIT_SYSVINIT:
		return ask_sysvinit(mode, grace_ms);
	default:
		errno = ENOSYS;
		return -1;
	}
}
