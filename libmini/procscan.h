/*
 * The process table as /proc shows it: pid, parent, process group and
 * state of each process, read from /proc/PID/stat into a table the
 * caller owns. Used to find guestd's descendants (which as a child
 * subreaper it must not leave behind) and to signal every process but
 * the workload's group in a shutdown.
 */
#ifndef GD_PROCSCAN_H
#define GD_PROCSCAN_H

#include <stddef.h>
#include <sys/types.h>

#define GD_PROC_SCAN_MAX 4096 /* processes looked at in one walk */
#define GD_PROC_STAT_MAX 512  /* the part of /proc/PID/stat read */

struct gd_proc {
	pid_t pid;
	pid_t ppid;
	pid_t pgid;
	char state;  /* R, S, D, Z, T... */
};

/*
 * Parse one /proc/PID/stat text: "pid (comm) S ppid pgrp ...". comm may
 * hold spaces and parentheses, so the last ')' ends it. 0 or -1.
 */
int gd_proc_stat_parse(const char *text, size_t len, struct gd_proc *p);
/* Fill tab[cap] from /proc (mounted at proc); the count, -1 if unreadable. */
int gd_proc_scan(const char *proc, struct gd_proc *tab, int cap);
/*
 * Keep in tab the descendants of root (not root itself), zombies too (a
 * zombie child of root is there until root reaps it); the new count.
 * Order is kept.
 */
int gd_proc_descendants(struct gd_proc *tab, int n, pid_t root);

#endif
