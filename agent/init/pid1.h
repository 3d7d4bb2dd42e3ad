/*
 * PID 1 duties, the workload and ordered shutdown (docs/pid1.md).
 *
 * All of it runs from the one poll loop: signals arrive on the signalfd
 * (gd_sig_handle), due times come from gd_pid1_due and the work
 * due is done in gd_pid1_tick, once per loop pass after all I/O, so an
 * answer queued in this pass is written before anything it started.
 */
#ifndef GD_PID1_H
#define GD_PID1_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/types.h>

#include "config.h"
#include "envset.h"
#include "proto_pid1.h"
#include "sigmap.h"
#include "signame.h"

#define GD_WL_ARGV_MAX 64          /* workload words */
#define GD_SPAWN_ARGV_MAX 16       /* shutdown-cmd words, the mode included */
#define GD_MAX_MOUNTS 8
#define GD_SD_KILL_WAIT_MS 2000    /* after SIGKILL, wait this long for the dead */
#define GD_PASSWD_MAX 65536        /* largest /etc/passwd or /etc/group read */
#define GD_NO_SIGFD_POLL_MS 1000   /* reap this often if signalfd failed */
#define GD_SD_WHY_MAX 96           /* who asked, for the log */
#define GD_DRAIN_POLL_MS 100       /* look for leftover descendants this often */
#define GD_PB_INPUTS_MAX 4         /* input devices watched for KEY_POWER */
#define GD_PB_SAME_PRESS_MS 1000   /* two reports this close are one press */

/* on-exit actions; the first three equal the GD_SD_* shutdown modes. */
enum gd_on_exit {
	GD_OE_POWEROFF = GD_SD_POWEROFF,
	GD_OE_REBOOT = GD_SD_REBOOT,
	GD_OE_HALT = GD_SD_HALT,
	GD_OE_RESTART,
	GD_OE_STAY,
	GD_OE_EXIT
};

struct gd_workload {
	int argc;                        /* 0: no workload configured */
	char *argv[GD_WL_ARGV_MAX + 1];
	char argbuf[GD_CFG_EXEC_MAX];
	struct gd_envset env;
	int set_ids;
	uid_t uid;
	gid_t gid;
	int setup_failed;                /* ids or words unusable: never run */
	int on_exit;                     /* GD_OE_* */
	pid_t pid;                       /* running process, 0 if none */
	int state;                       /* GD_WL_* */
	int have_status;
	uint32_t status;                 /* last wait status */
	uint32_t restarts;
	uint64_t restart_at;             /* CLOCK_MONOTONIC ns, 0 if none */
};

struct gd_shutdown {
	int phase;          /* GD_SDP_* */
	int pending;        /* accepted; the next tick acts on it */
	int mode;           /* GD_SD_* */
	int force;
	uint32_t grace_ms;
	uint64_t started;   /* CLOCK_MONOTONIC ns of the first request */
	uint64_t deadline;  /* end of the current phase */
	int via;            /* GD_INIT_* asked when not PID 1 */
	pid_t cmd_pid;      /* shutdown-cmd while it runs */
	char why[GD_SD_WHY_MAX];
};

/* descendants=: what guestd, not PID 1, does with the workload's leftovers. */
enum gd_desc_policy { GD_DESC_KILL, GD_DESC_WAIT, GD_DESC_LEAVE };
enum gd_drain_phase { GD_DRAIN_NONE, GD_DRAIN_WAIT, GD_DRAIN_TERM,
		      GD_DRAIN_KILL };

struct gd_drain {
	int phase;          /* GD_DRAIN_* */
	uint64_t started;   /* CLOCK_MONOTONIC ns */
	uint64_t deadline;  /* end of TERM or KILL */
};

/* The power button: ACPI netlink events and input devices with KEY_POWER. */
#define GD_PB_IGNORE 100   /* power-button=ignore; else a GD_SD_* mode */
struct gd_power_button {
	int action;                    /* GD_SD_* or GD_PB_IGNORE */
	int acpi_fd;                   /* genetlink acpi_event, -1 if none */
	uint16_t acpi_family;          /* its family id */
	int active;                    /* watching: the machine's PID 1 */
	int input_fd[GD_PB_INPUTS_MAX];
	int input_num[GD_PB_INPUTS_MAX]; /* N of /dev/input/eventN */
	uint64_t last_press;           /* CLOCK_MONOTONIC ns, 0 if none */
};
#define GD_PB_POLL_MAX (1 + GD_PB_INPUTS_MAX)

struct gd_pid1 {
	struct gd_workload wl;
	struct gd_shutdown sd;
	struct gd_drain drain;
	struct gd_power_button pb;
	struct gd_sigmap rewrite;  /* signal-rewrite= */
	struct gd_exitmap exitmap; /* exit-remap= */
	int stop_signal;           /* stop-signal= */
	int signal_group;          /* signal-group= */
	int descendants;           /* GD_DESC_* */
	const char *mounted[GD_MAX_MOUNTS]; /* what guestd mounted, in order */
	int nmounted;
	uint64_t reaped;
	int cad_mode;       /* GD_SD_* for SIGINT as PID 1 */
	int root_pidns;     /* PID 1 of the machine, not of a namespace (set
			     * with Ctrl-Alt-Del, initsys.c) */
};

struct gd_agent;

/* mounts.c: mount what is missing of /proc, /sys, /dev...; undo at the end. */
void gd_mounts_setup(struct gd_agent *a);
void gd_mounts_release(struct gd_agent *a);

/* initsys.c: console, hostname, loopback, Ctrl-Alt-Del, namespace check. */
void gd_init_console(void);
void gd_init_system(struct gd_agent *a);
int gd_in_root_pidns(void);

/* modules.c: finit_module(2) each entry of modules=, in order. */
void gd_modules_load(struct gd_agent *a);

/* spawn.c: fork and exec with a clean slate (signals, session, ids). */
struct gd_spawn {
	char *const *argv;
	char *const *envp;
	const char *path;     /* PATH searched for a bare argv[0] */
	const char *workdir;  /* NULL: keep */
	int set_ids;
	uid_t uid;
	gid_t gid;
	int take_tty;         /* make fd 0 the controlling tty if it is one */
};
pid_t gd_spawn(struct gd_agent *a, const struct gd_spawn *s);
/* In a new child: default dispositions, nothing blocked. */
void gd_child_reset_signals(void);
/* execve argv[0] directly or along path; returns only on failure (errno). */
void gd_exec_search(char *const *argv, char *const *envp, const char *path);

/* workload.c */
/* From `-- CMD ARGS` (argc > 0) or exec=; -1 on a bad configuration. */
int gd_workload_setup(struct gd_agent *a, int argc, char **argv);
void gd_workload_start(struct gd_agent *a);
void gd_workload_exited(struct gd_agent *a, int status);
/* Run it again when on-exit=restart's delay is over. */
void gd_workload_tick(struct gd_agent *a, uint64_t now);
uint64_t gd_workload_due(const struct gd_agent *a);
/* "poweroff"... to GD_OE_*; -1 if unknown. */
int gd_on_exit_parse(const char *s);
/* Send sig to the workload, or its process group with signal-group=; 0/-1. */
int gd_workload_signal(struct gd_agent *a, int sig);
/* 128+signal or the exit status, after exit-remap=. */
int gd_workload_exit_code(const struct gd_agent *a, int status);

/* descendants.c: not PID 1, the workload's leftovers before guestd exits. */
/* guestd is to exit: drain per descendants= (escalate: kill even if wait). */
void gd_drain_begin(struct gd_agent *a, int escalate);
void gd_drain_tick(struct gd_agent *a, uint64_t now);
uint64_t gd_drain_due(const struct gd_agent *a, uint64_t now);
/* sig to every process but guestd, skip_pid and group skip_pgid (-1: none). */
void gd_signal_all_but(pid_t skip_pid, pid_t skip_pgid, int sig);
/* "kill"... to GD_DESC_*; -1 if unknown. */
int gd_desc_parse(const char *s);

/* power_button.c: PID 1 only. */
void gd_pb_open(struct gd_agent *a);
void gd_pb_close(struct gd_agent *a);
/* Add the button's fds to pfd (room for GD_PB_POLL_MAX); the count. */
int gd_pb_pollfds(const struct gd_agent *a, struct pollfd *pfd);
void gd_pb_events(struct gd_agent *a, const struct pollfd *pfd, int n);
/* A uevent announced /dev/input/eventN (uevents.c): watch it if it has
 * KEY_POWER and the button is watched at all. */
void gd_pb_input_added(struct gd_agent *a, int n);

/* reaper.c: reap every exited child; 1 when no child is left. */
int gd_reap(struct gd_agent *a);

/* sigtable.c: the signals guestd takes, and what each one does. */
void gd_sig_fill(sigset_t *set);
void gd_sig_handle(struct gd_agent *a, const struct signalfd_siginfo *si);

/* initctl.c: which init runs as PID 1, and asking it to shut down. */
enum gd_init_kind {
	GD_INIT_UNKNOWN = 0,
	GD_INIT_GUESTD,
	GD_INIT_SYSTEMD,
	GD_INIT_BUSYBOX,
	GD_INIT_SYSVINIT,
	GD_INIT_COMMAND   /* shutdown-cmd */
};
int gd_init_detect(void);
const char *gd_init_name(int kind);
/* 0 if it can be asked (permission, FIFO present), else -1 and errno. */
int gd_init_check(int kind);
/* Ask PID 1 of the given kind; 0, or -1 and errno. */
int gd_init_ask(int kind, int mode, int force, uint32_t grace_ms);

/* shutdown.c: the ordered sequence (PID 1) or a delegation (otherwise). */
/* Returns GD_S_OK or an error status with *err set. */
int gd_shutdown_request(struct gd_agent *a, int mode, uint32_t grace_ms,
			int force, const char *why, const char **err);
void gd_shutdown_tick(struct gd_agent *a, uint64_t now);
uint64_t gd_shutdown_due(const struct gd_agent *a);

/* pid1.c: startup order and the loop's hooks. */
void gd_pid1_early(struct gd_agent *a);
int gd_pid1_setup(struct gd_agent *a, int argc, char **argv);
void gd_pid1_start(struct gd_agent *a);
void gd_pid1_tick(struct gd_agent *a, uint64_t now);
uint64_t gd_pid1_due(const struct gd_agent *a, uint64_t now);

/* personality.c: argv[0] poweroff, reboot or halt; -1 when not one. */
int gd_personality_main(int argc, char **argv);

/*
 * notify.c: sd_notify to the host: "READY=1", "STATUS=...", "STOPPING=1",
 * "EXIT_STATUS=N" sent to the address in notify= (systemd's NOTIFY_SOCKET
 * forms for AF_VSOCK):
 *   vsock:CID:PORT            datagram, falling back to seqpacket
 *   vsock-dgram:CID:PORT      vsock-stream:CID:PORT   vsock-seqpacket:CID:PORT
 * so a host can wait for the guest instead of polling a port that is not
 * listening yet. Each message is one datagram, or one connection for the
 * connected types. Sending never blocks longer than GD_NOTIFY_TIMEOUT_MS.
 */
#define GD_NOTIFY_TIMEOUT_MS 200
#define GD_NOTIFY_MSG_MAX 512

struct gd_notify_addr {
	int type;       /* SOCK_DGRAM, SOCK_STREAM, SOCK_SEQPACKET; 0 = vsock: */
	uint32_t cid, port;
};

/* Parse a notify= value; 0 or -1 if malformed. */
int gd_notify_parse(const char *spec, struct gd_notify_addr *out);
/* Send one message if notify= is set; logs failures, never fatal. */
void gd_notify(struct gd_agent *a, const char *msg);

#endif
