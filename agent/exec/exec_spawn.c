/*
 * Starting a guest-exec process (exec.h): pipes for what is fed and
 * captured, /dev/null for the rest, and a close-on-exec pipe on which the
 * child reports a failed execve, so guest-exec answers that failure as
 * qemu-ga (glib's spawn) does instead of starting a process that exits 127.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "agent.h"
#include "exec.h"
#include "pid1.h"

enum { P_IN, P_OUT, P_ERR, P_REPORT, NPIPES };

struct pipes {
	int fd[NPIPES][2]; /* [0] read end, [1] write end; -1 when unused */
};

static void close_end(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void close_all(struct pipes *p)
{
	for (int i = 0; i < NPIPES; i++)
		for (int e = 0; e < 2; e++)
			close_end(&p->fd[i][e]);
}

static int open_pipes(struct pipes *p, const struct gd_exec_spec *s)
{
	int want[NPIPES] = { s->has_input, s->capture & (GD_EXEC_CAP_OUT |
							  GD_EXEC_CAP_MERGED),
			     s->capture & GD_EXEC_CAP_ERR, 1 };

	memset(p, -1, sizeof *p);
	for (int i = 0; i < NPIPES; i++)
		if (want[i] && pipe2(p->fd[i], O_CLOEXEC))
			return -1;
	return 0;
}

/* fd for the child's stdio slot: the pipe end, else /dev/null. */
static void child_stdio(int pipe_end, int target, int flags)
{
	int fd = pipe_end >= 0 ? pipe_end : open("/dev/null", flags);

	if (fd == target)
		fcntl(fd, F_SETFD, 0); /* keep it across execve */
	else if (fd >= 0)
		dup2(fd, target);
}

static void child(const struct gd_exec_spec *s, struct pipes *p)
{
	int e;

	gd_child_reset_signals();
	child_stdio(p->fd[P_IN][0], 0, O_RDONLY);
	child_stdio(p->fd[P_OUT][1], 1, O_WRONLY);
	if (s->capture & GD_EXEC_CAP_MERGED)
		dup2(1, 2);
	else
		child_stdio(p->fd[P_ERR][1], 2, O_WRONLY);
	gd_exec_search(s->argv, s->envp, s->path);
	e = errno;
	if (write(p->fd[P_REPORT][1], &e, sizeof e) < 0)
		_exit(127);
	_exit(127);
}

static int nonblock(int fd)
{
	if (fd >= 0)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* The child's execve outcome: 0 when it ran, else its errno. */
static int exec_outcome(struct pipes *p)
{
	int e = 0;
	ssize_t n;

	close_end(&p->fd[P_REPORT][1]);
	do
		n = read(p->fd[P_REPORT][0], &e, sizeof e);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof e ? e : 0;
}

static void fill_slot(struct gd_exec_slot *slot, const struct gd_exec_spec *s,
		      struct pipes *p, pid_t pid)
{
	memset(slot, 0, offsetof(struct gd_exec_slot, in));
	slot->pid = pid;
	slot->capture = s->capture;
	slot->in_fd = nonblock(p->fd[P_IN][1]);
	slot->out.fd = nonblock(p->fd[P_OUT][0]);
	slot->err.fd = nonblock(p->fd[P_ERR][0]);
	p->fd[P_IN][1] = p->fd[P_OUT][0] = p->fd[P_ERR][0] = -1;
	slot->in_len = s->input_len;
	memcpy(slot->in, s->input, s->input_len);
	if (slot->in_fd >= 0 && s->input_len == 0) {
		close(slot->in_fd); /* nothing to feed: EOF at once */
		slot->in_fd = -1;
	}
	gd_exec_pollset_changed();
}

pid_t gd_exec_start(const struct gd_exec_spec *s, char *err, size_t cap)
{
	struct gd_exec_slot *slot = gd_exec_free_slot();
	struct pipes p;
	pid_t pid;
	int e;

	if (!slot)
		return snprintf(err, cap, "all %d guest-exec slots are in use "
			       "(a slot is freed when guest-exec-status reports "
			       "its process exited)", GD_EXEC_SLOTS), -1;
	if (open_pipes(&p, s) || (pid = fork()) < 0) {
		snprintf(err, cap, "Failed to fork (%s)", strerror(errno));
		close_all(&p);
		return -1;
	}
	if (pid == 0)
		child(s, &p);
	close_end(&p.fd[P_IN][0]); /* the child's ends */
	close_end(&p.fd[P_OUT][1]);
	close_end(&p.fd[P_ERR][1]);
	e = exec_outcome(&p);
	if (e) {
		waitpid(pid, NULL, 0); /* it is exiting now: no zombie left */
		close_all(&p);
		snprintf(err, cap, "Failed to execute child process \xe2\x80\x9c%s"
			 "\xe2\x80\x9d (%s)", s->argv[0], strerror(e));
		return -1;
	}
	fill_slot(slot, s, &p, pid);
	close_all(&p);
	return pid;
}
