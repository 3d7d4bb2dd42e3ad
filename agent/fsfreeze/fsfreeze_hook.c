/* The fsfreeze hook directory (fsfreeze_hook.h). */
#include "fsfreeze_hook.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dirscan.h"
#include "fsplan.h"
#include "sysinfo.h"

extern char **environ;

static char names[GD_FSF_HOOKS_MAX][GD_FSF_HOOK_NAME_MAX];

static int runnable(const char *dir, const char *name)
{
	char path[PATH_MAX];
	struct stat st;

	if (!gd_fsp_hook_name_ok(name) ||
	    snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path)
		return 0;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	       access(path, X_OK) == 0;
}

/* The runnable names of dir, sorted: their count, or -1 with err. */
static int list_scripts(const char *dir, char *err, size_t cap)
{
	struct gd_dirscan d;
	const char *name;
	int n = 0;

	if (gd_dir_open(&d, dir))
		return errno == ENOENT || errno == ENOTDIR ? 0 :
		       (snprintf(err, cap, "fsfreeze hooks: %s: %s", dir,
				 strerror(errno)), -1);
	while ((name = gd_dir_next(&d))) {
		if (!runnable(dir, name))
			continue;
		if (n == GD_FSF_HOOKS_MAX || strlen(name) >= GD_FSF_HOOK_NAME_MAX) {
			snprintf(err, cap, "fsfreeze hooks: more than %d scripts "
				 "in %s", GD_FSF_HOOKS_MAX, dir);
			gd_dir_close(&d);
			return -1;
		}
		memcpy(names[n++], name, strlen(name) + 1);
	}
	gd_dir_close(&d);
	for (int i = 1; i < n; i++) /* insertion sort: a handful of names */
		for (int k = i; k > 0 && strcmp(names[k - 1], names[k]) > 0; k--) {
			char t[GD_FSF_HOOK_NAME_MAX];

			memcpy(t, names[k], sizeof t);
			memcpy(names[k], names[k - 1], sizeof t);
			memcpy(names[k - 1], t, sizeof t);
		}
	return n;
}

static void child(const char *path, const char *arg)
{
	char *argv[3] = { (char *)path, (char *)arg, NULL };
	sigset_t none;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	for (int sig = 1; sig < _NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();
	for (int fd = 0; fd < 3; fd++)
		if (null < 0 || dup2(null, fd) < 0)
			close(fd);
	execve(path, argv, environ);
	_exit(127);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { 0, (long)ms * 1000000L };

	nanosleep(&ts, NULL);
}

/* Wait for pid until deadline (CLOCK_MONOTONIC ns): 0 with *status, -1. */
static int wait_until(pid_t pid, uint64_t deadline, int *status)
{
	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid || (r < 0 && errno != EINTR))
			return r == pid ? 0 : -1;
		if (gd_clock_ns(CLOCK_MONOTONIC) >= deadline)
			return -1;
		sleep_ms(GD_FSF_HOOK_POLL_MS);
	}
}

/* Run one script: 0 when it ended in time, 1 when it was killed. */
static int run_one(const struct gd_log *log, const char *path,
		   const char *arg, uint64_t deadline)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0)
		child(path, arg);
	if (pid < 0) {
		gd_logf(log, GD_LOG_ERR, "fsfreeze hook %s: fork: %s", path,
			strerror(errno));
		return 0;
	}
	if (wait_until(pid, deadline, &status) == 0) {
		gd_logf(log, status ? GD_LOG_WARN : GD_LOG_INFO,
			"fsfreeze hook %s %s: %s %d", path, arg,
			WIFEXITED(status) ? "exit status" : "killed by signal",
			WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return 0;
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	wait_until(pid, gd_clock_ns(CLOCK_MONOTONIC) +
		   GD_FSF_HOOK_REAP_MS * 1000000ull, &status);
	gd_logf(log, GD_LOG_ERR, "fsfreeze hook %s %s: still running when the "
		"hook time ran out: killed", path, arg);
	return 1;
}

int gd_fsf_hooks_run(const struct gd_log *log, const char *dir,
		     const char *arg, unsigned budget_ms, char *err,
		     size_t cap)
{
	uint64_t deadline = gd_clock_ns(CLOCK_MONOTONIC) +
			    (uint64_t)budget_ms * 1000000u;
	char path[PATH_MAX];
	int n;

	if (!dir || !dir[0])
		return 0;
	n = list_scripts(dir, err, cap);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (run_one(log, path, arg, deadline)) {
			if (i + 1 < n)
				gd_logf(log, GD_LOG_ERR, "fsfreeze hooks: %d "
					"not run", n - i - 1);
			return 1;
		}
	}
	return 0;
}
