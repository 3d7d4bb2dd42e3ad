/*
 * Where guestd's log lines go: /dev/kmsg as PID 1, stderr otherwise, or
 * as log-to= says. A line /dev/kmsg refuses goes to stderr.
 *
 * Unless booted with printk.devkmsg=on, the kernel silently drops lines
 * past a burst of 10 per 5 s on each open /dev/kmsg file. guestd keeps
 * one file open for good and so keeps that limit (reopening would evade
 * it, and any peer that can make guestd log could flood the kernel log).
 * It counts its lines the same way, and a line the kernel would drop goes
 * to stderr (the console, as PID 1) instead of nowhere. Lines a peer can
 * cause are rate-limited before they get here (refusal_log.c).
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "fsfreeze_svc.h"
#include "sysinfo.h"

#define GD_KMSG_BURST 10 /* the kernel's DEFAULT_RATELIMIT_BURST */
/*
 * ... _INTERVAL (5 s), plus a margin: guestd's window starts just before
 * the kernel's, so a window of exactly 5 s could end just before the
 * kernel's does and lose a line.
 */
#define GD_KMSG_INTERVAL_NS (5ull * 1000000000u + 250000000u)

static int kmsg_fd = -1;
static int kmsg_unlimited;       /* printk.devkmsg=on: no burst limit; -1 not
				 * asked yet (kmsg_budget asks at the burst) */
static unsigned kmsg_lines;      /* lines written in this window */
static uint64_t kmsg_window;     /* CLOCK_MONOTONIC ns it began, 0 none */

/* 1 when the kernel takes every /dev/kmsg line (printk_devkmsg "on"). */
static int devkmsg_on(void)
{
	char val[16] = "";
	int fd = open("/proc/sys/kernel/printk_devkmsg", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, val, sizeof val - 1);

	if (fd >= 0)
		close(fd);
	return n >= 2 && memcmp(val, "on", 2) == 0;
}

static void kmsg_open(void)
{
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC | O_NOCTTY);
	kmsg_unlimited = -1;
	kmsg_lines = 0;
	kmsg_window = 0;
}

/*
 * 1 when the kernel would take one more line now, as its limiter counts.
 * Whether it limits at all is asked only once a burst is reached: at boot
 * that is one file fewer to read before the ready line.
 */
static int kmsg_budget(void)
{
	uint64_t now;

	if (kmsg_unlimited == 1)
		return 1;
	now = gd_clock_ns(CLOCK_MONOTONIC);
	if (!kmsg_window || now - kmsg_window >= GD_KMSG_INTERVAL_NS) {
		kmsg_window = now;
		kmsg_lines = 0;
	}
	if (kmsg_lines < GD_KMSG_BURST)
		return 1;
	if (kmsg_unlimited < 0)
		kmsg_unlimited = devkmsg_on();
	return kmsg_unlimited;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/*
 * While filesystems are frozen (fsfreeze_svc.h) stderr may be a file on
 * one, or a pipe to a logger writing to one: a line then could block
 * guestd until the thaw it alone can do. Only a terminal or /dev/null
 * (a character device) is written; other lines are counted, not kept.
 */
static int stderr_may_block(struct gd_agent *a)
{
	struct stat st;

	if (!a->fsfreeze->quiet)
		return 0;
	if (fstat(STDERR_FILENO, &st) == 0 && S_ISCHR(st.st_mode))
		return 0;
	a->fsfreeze->dropped++;
	return 1;
}

static void sink(void *ctx, int level, const char *msg, size_t len)
{
	char line[GD_LOG_LINE_MAX + 32];
	int n;

	if (kmsg_fd >= 0 && kmsg_budget()) {
		n = snprintf(line, sizeof line, "<%d>guestd: %.*s\n", level,
			     (int)len, msg);
		kmsg_lines++;
		if (n > 0 && write(kmsg_fd, line, (size_t)n) == n)
			return;
	}
	if (stderr_may_block(ctx))
		return;
	n = snprintf(line, sizeof line, "guestd: %.*s\n", (int)len, msg);
	if (n > 0)
		write_all(STDERR_FILENO, line,
			  (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static int wants_kmsg(const struct gd_agent *a)
{
	const char *to = a->cfg.log_to;

	if (strcmp(to, "kmsg") == 0)
		return 1;
	return strcmp(to, "stderr") != 0 && a->is_pid1;
}

void gd_log_setup(struct gd_agent *a)
{
	int level = gd_log_level_parse(a->cfg.log_level);

	if (wants_kmsg(a) && kmsg_fd < 0)
		kmsg_open();
	if (!wants_kmsg(a) && kmsg_fd >= 0) {
		close(kmsg_fd);
		kmsg_fd = -1;
	}
	a->log.sink = sink;
	a->log.ctx = a;
	a->log.level = level < 0 ? GD_LOG_INFO : level;
}
