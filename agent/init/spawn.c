/*
 * Starting a child the way an init must: default signal dispositions and
 * an empty mask (guestd blocks or ignores many), its own session, then
 * the working directory and ids, then execve with our own PATH search
 * (no execvp: the environment is the child's, not guestd's).
 */
#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "agent.h"
#include "pid1.h"

#define GD_EXIT_CANNOT_RUN 126
#define GD_EXIT_NOT_FOUND 127

void gd_child_reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < _NSIG; sig++)
		signal(sig, SIG_DFL); /* fails harmlessly for KILL, STOP... */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

void gd_exec_search(char *const *argv, char *const *envp, const char *path)
{
	char file[PATH_MAX];
	size_t alen = strlen(argv[0]);
	int saw_eacces = 0;

	if (strchr(argv[0], '/') || !path) {
		execve(argv[0], argv, envp);
		return;
	}
	while (*path) {
		const char *end = strchr(path, ':');
		size_t dlen = end ? (size_t)(end - path) : strlen(path);
		const char *dir = dlen ? path : "."; /* an empty entry is . */

		if (!dlen)
			dlen = 1;
		if (dlen + 1 + alen < sizeof file) {
			memcpy(file, dir, dlen);
			file[dlen] = '/';
			memcpy(file + dlen + 1, argv[0], alen + 1);
			execve(file, argv, envp);
			if (errno == EACCES)
				saw_eacces = 1;
		}
		path = end ? end + 1 : path + strlen(path);
	}
	errno = saw_eacces ? EACCES : ENOENT;
}

static void child(struct gd_agent *a, const struct gd_spawn *s)
{
	const char *step = "exec";
	int code = GD_EXIT_CANNOT_RUN;

	gd_child_reset_signals();
	setsid();
	if (s->take_tty && isatty(0))
		ioctl(0, TIOCSCTTY, 0);
	if (s->workdir && s->workdir[0] && chdir(s->workdir)) {
		step = "chdir";
	} else if (s->set_ids && (setgroups(1, &s->gid) || setgid(s->gid) ||
				  setuid(s->uid))) {
		step = "set uid/gid";
	} else {
		gd_exec_search(s->argv, s->envp, s->path);
		if (errno == ENOENT)
			code = GD_EXIT_NOT_FOUND;
	}
	gd_logf(&a->log, GD_LOG_ERR, "cannot run %s: %s: %s", s->argv[0], step,
		strerror(errno));
	_exit(code);
}

pid_t gd_spawn(struct gd_agent *a, const struct gd_spawn *s)
{
	pid_t pid = fork();

	if (pid == 0)
		child(a, s);
	if (pid < 0)
		gd_logf(&a->log, GD_LOG_ERR, "fork for %s: %s", s->argv[0],
			strerror(errno));
	return pid;
}
