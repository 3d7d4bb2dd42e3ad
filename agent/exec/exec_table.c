/*
 * The guest-exec slots and their pipes (exec.h). One static table: its
 * slots outlive the connection that started them, as qemu-ga's do.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

#define EXEC_READ_CHUNK 4096 /* bytes read at a time past the capture bound */

static struct gd_exec_slot slots[GD_EXEC_SLOTS];
static unsigned pollgen;

unsigned gd_exec_pollgen(void)
{
	return pollgen;
}

void gd_exec_pollset_changed(void)
{
	pollgen++;
}

struct gd_exec_slot *gd_exec_free_slot(void)
{
	for (int i = 0; i < GD_EXEC_SLOTS; i++)
		if (slots[i].pid == 0)
			return &slots[i];
	return NULL;
}

struct gd_exec_slot *gd_exec_find(pid_t pid)
{
	for (int i = 0; i < GD_EXEC_SLOTS; i++)
		if (pid > 0 && slots[i].pid == pid)
			return &slots[i];
	return NULL;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		gd_exec_pollset_changed();
	}
	*fd = -1;
}

void gd_exec_release(struct gd_exec_slot *s)
{
	close_fd(&s->in_fd);
	close_fd(&s->out.fd);
	close_fd(&s->err.fd);
	s->pid = 0;
}

int gd_exec_done(const struct gd_exec_slot *s)
{
	return s->finished && s->out.fd < 0 && s->err.fd < 0;
}

int gd_exec_reaped(pid_t pid, int status)
{
	struct gd_exec_slot *s = gd_exec_find(pid);

	if (!s || s->finished)
		return 0;
	s->finished = 1;
	s->status = status;
	return 1;
}

static int add(struct pollfd *pfd, int n, int fd, short ev)
{
	if (fd < 0)
		return n;
	pfd[n] = (struct pollfd){ .fd = fd, .events = ev };
	return n + 1;
}

int gd_exec_pollfds(struct pollfd *pfd)
{
	int n = 0;

	for (int i = 0; i < GD_EXEC_SLOTS; i++) {
		if (slots[i].pid == 0)
			continue;
		n = add(pfd, n, slots[i].in_fd, POLLOUT);
		n = add(pfd, n, slots[i].out.fd, POLLIN);
		n = add(pfd, n, slots[i].err.fd, POLLIN);
	}
	return n;
}

/* Read what is there; past the bound it is dropped and noted. */
static void drain(struct gd_exec_stream *st)
{
	for (;;) {
		uint8_t scratch[EXEC_READ_CHUNK];
		int full = st->len == sizeof st->buf;
		ssize_t n = full ? read(st->fd, scratch, sizeof scratch)
				 : read(st->fd, st->buf + st->len,
					sizeof st->buf - st->len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			close_fd(&st->fd);
			return;
		}
		if (full)
			st->truncated = 1;
		else
			st->len += (size_t)n;
	}
}

static void feed(struct gd_exec_slot *s)
{
	while (s->in_off < s->in_len) {
		ssize_t n = write(s->in_fd, s->in + s->in_off,
				  s->in_len - s->in_off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0)
			break; /* the child closed its stdin: the rest is dropped */
		s->in_off += (size_t)n;
	}
	close_fd(&s->in_fd);
}

void gd_exec_events(const struct pollfd *pfd, int n)
{
	for (int k = 0; k < n; k++) {
		if (!pfd[k].revents)
			continue;
		for (int i = 0; i < GD_EXEC_SLOTS; i++) {
			struct gd_exec_slot *s = &slots[i];

			if (s->pid == 0)
				continue;
			if (pfd[k].fd == s->in_fd)
				feed(s);
			else if (pfd[k].fd == s->out.fd)
				drain(&s->out);
			else if (pfd[k].fd == s->err.fd)
				drain(&s->err);
		}
	}
}
