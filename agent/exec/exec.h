/*
 * Processes started by guest-exec: a fixed table of slots, each with its
 * child's stdin fed from a bounded buffer and its stdout/stderr captured
 * into bounded buffers (the rest read and dropped, "truncated"), every
 * pipe non-blocking and serviced by the poll loop. The reaper hands exit
 * statuses here (gd_exec_reaped) so the PID 1 reaper loses none; a slot
 * is freed when guest-exec-status has reported its process exited.
 *
 *   gd_exec_start()     fork/exec with pipes (exec_spawn.c)
 *   gd_exec_pollfds()   the loop's fds; gd_exec_events() services them
 *   gd_exec_find()      a slot by pid; gd_exec_release() frees it
 */
#ifndef GD_EXEC_H
#define GD_EXEC_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GD_EXEC_SLOTS 8            /* processes not yet reported exited */
#define GD_EXEC_INPUT_MAX 65536    /* input-data bytes, decoded */
#define GD_EXEC_CAPTURE_MAX 5120   /* stdout, and stderr, bytes kept */
#define GD_EXEC_POLL_MAX (3 * GD_EXEC_SLOTS)

/* What to capture (qemu-ga's capture-output modes). */
enum {
	GD_EXEC_CAP_OUT = 1,    /* stdout into out */
	GD_EXEC_CAP_ERR = 2,    /* stderr into err */
	GD_EXEC_CAP_MERGED = 4  /* stderr into out too */
};

struct gd_exec_stream {
	int fd;            /* -1 once closed (or never opened) */
	size_t len;
	int truncated;     /* more came than GD_EXEC_CAPTURE_MAX */
	uint8_t buf[GD_EXEC_CAPTURE_MAX];
};

struct gd_exec_slot {
	pid_t pid;         /* 0: free */
	int finished;      /* reaped; status is its wait status */
	int status;
	int capture;       /* GD_EXEC_CAP_* */
	int in_fd;         /* -1 once all input is written or refused */
	size_t in_len, in_off;
	struct gd_exec_stream out, err;
	uint8_t in[GD_EXEC_INPUT_MAX];
};

struct gd_exec_spec {
	char *const *argv;
	char *const *envp;   /* the child's environment */
	const char *path;    /* PATH searched for a bare argv[0] */
	const uint8_t *input;
	size_t input_len;
	int has_input;       /* else stdin is /dev/null */
	int capture;         /* GD_EXEC_CAP_*; 0: output to /dev/null */
};

/*
 * Start a process in a free slot: its pid, or -1 with err set (no free
 * slot; or exec failed, err as glib words it: "Failed to execute child
 * process “PATH” (REASON)").
 */
pid_t gd_exec_start(const struct gd_exec_spec *s, char *err, size_t cap);

int gd_exec_pollfds(struct pollfd *pfd);
void gd_exec_events(const struct pollfd *pfd, int n);
/* Moves on whenever a slot's pipe opens or closes: the loop's cue to take
 * gd_exec_pollfds() again (it keeps its poll set until then). */
unsigned gd_exec_pollgen(void);
void gd_exec_pollset_changed(void);
/* A reaped child: 1 when it was a guest-exec process (status kept). */
int gd_exec_reaped(pid_t pid, int status);

struct gd_exec_slot *gd_exec_find(pid_t pid);
/* Exited and every captured pipe at its end: all output is in. */
int gd_exec_done(const struct gd_exec_slot *s);
void gd_exec_release(struct gd_exec_slot *s);
/* A free slot, or NULL when all GD_EXEC_SLOTS are taken. */
struct gd_exec_slot *gd_exec_free_slot(void);

#endif
