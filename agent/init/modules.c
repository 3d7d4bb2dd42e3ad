/*
 * Kernel modules from modules=: finit_module(2) each, in the given order.
 * One summary line says what was loaded (a line per module would spend
 * the kernel's /dev/kmsg burst before guestd's ready line; each is logged
 * at debug); a module that fails has a warning of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/module.h>

#include "agent.h"
#include "moddep.h"
#include "sysinfo.h"

#define GD_MODDEP_LINE_MAX 4096 /* longer modules.dep lines are skipped */
#define GD_MOD_PATH_MAX 512

struct line_reader {
	int fd;
	size_t len, skip_to_nl;
	char buf[GD_MODDEP_LINE_MAX];
};

/* Next line (without newline) into *line; length, or -1 at the end. */
static long next_line(struct line_reader *lr, const char **line)
{
	for (;;) {
		char *nl = memchr(lr->buf, '\n', lr->len);
		ssize_t n;

		if (nl && lr->skip_to_nl) {
			lr->skip_to_nl = 0;
			lr->len -= (size_t)(nl + 1 - lr->buf);
			memmove(lr->buf, nl + 1, lr->len);
			continue;
		}
		if (nl) {
			*line = lr->buf;
			return nl - lr->buf;
		}
		if (lr->len == sizeof lr->buf) { /* too long: drop it */
			lr->len = 0;
			lr->skip_to_nl = 1;
		}
		n = read(lr->fd, lr->buf + lr->len, sizeof lr->buf - lr->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		lr->len += (size_t)n;
	}
}

static void consume_line(struct line_reader *lr, long n)
{
	lr->len -= (size_t)n + 1;
	memmove(lr->buf, lr->buf + n + 1, lr->len);
}

/* Resolve a module name through modules.dep into out; 0 or -1. */
static int resolve(const char *dir, const char *name, char *out, size_t cap)
{
	static struct line_reader lr;
	char dep[GD_MOD_PATH_MAX];
	const char *line;
	long n;
	int found = -1;

	snprintf(dep, sizeof dep, "%s/modules.dep", dir);
	lr.fd = open(dep, O_RDONLY | O_CLOEXEC);
	lr.len = lr.skip_to_nl = 0;
	if (lr.fd < 0)
		return -1;
	while (found < 0 && (n = next_line(&lr, &line)) >= 0) {
		size_t plen = gd_moddep_match(line, (size_t)n, name);

		if (plen && strlen(dir) + 1 + plen < cap) {
			snprintf(out, cap, "%s/%.*s", dir, (int)plen, line);
			found = 0;
		}
		consume_line(&lr, n);
	}
	close(lr.fd);
	errno = ENOENT;
	return found;
}

enum load_result { LOAD_FAILED, LOAD_DONE, LOAD_ALREADY };

/* What was loaded, for the summary line. */
struct load_tally {
	unsigned loaded, already, failed;
	int truncated;
	struct gd_buf names; /* "name name ...", truncated with "..." */
	char space[GD_LOG_LINE_MAX - 64];
};

static enum load_result load_one(struct gd_agent *a, const char *dir,
				 const char *entry, size_t n, char *path)
{
	char name[GD_MOD_PATH_MAX];
	int fd, flags, rc;

	if (n >= sizeof name) {
		gd_logf(&a->log, GD_LOG_WARN, "module %.40s...: name too long",
			entry);
		return LOAD_FAILED;
	}
	memcpy(name, entry, n);
	name[n] = '\0';
	if (strchr(name, '/'))
		memcpy(path, name, n + 1);
	else if (resolve(dir, name, path, GD_MOD_PATH_MAX)) {
		gd_logf(&a->log, GD_LOG_WARN, "module %s: not in %s/modules.dep",
			name, dir);
		return LOAD_FAILED;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		gd_logf(&a->log, GD_LOG_WARN, "module %s: %s", path,
			strerror(errno));
		return LOAD_FAILED;
	}
	flags = gd_module_compressed(path) ? MODULE_INIT_COMPRESSED_FILE : 0;
	rc = syscall(SYS_finit_module, fd, "", flags) == 0 ? 0 : errno;
	close(fd);
	if (rc == 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "module %s loaded", path);
		return LOAD_DONE;
	}
	if (rc == EEXIST) {
		gd_logf(&a->log, GD_LOG_DEBUG, "module %s already loaded", path);
		return LOAD_ALREADY;
	}
	gd_logf(&a->log, GD_LOG_WARN, "module %s: %s", path, strerror(rc));
	return LOAD_FAILED;
}

/* Add path's module name (no directory, no .ko...) to the summary. */
static void tally_name(struct load_tally *t, const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	size_t n;

	base = base ? base + 1 : path;
	dot = strstr(base, ".ko");
	n = dot ? (size_t)(dot - base) : strlen(base);
	if (t->truncated)
		return;
	if (t->names.len + 1 + n + 4 > t->names.cap) { /* room kept for " ..." */
		gd_buf_put(&t->names, " ...", 4);
		t->truncated = 1;
		return;
	}
	if (t->names.len)
		gd_buf_put(&t->names, " ", 1);
	gd_buf_put(&t->names, base, n);
}

void gd_modules_load(struct gd_agent *a)
{
	char dir[GD_MOD_PATH_MAX / 2], path[GD_MOD_PATH_MAX];
	struct load_tally t = { 0 };
	struct utsname u;
	const char *entry;
	uint64_t t0;
	size_t pos = 0;
	int n;

	if (!a->cfg.modules[0])
		return;
	if (uname(&u))
		memset(&u, 0, sizeof u);
	snprintf(dir, sizeof dir, "/lib/modules/%s", u.release);
	gd_buf_init(&t.names, (uint8_t *)t.space, sizeof t.space);
	t0 = gd_clock_ns(CLOCK_MONOTONIC);
	while ((n = gd_cfg_list_next(a->cfg.modules, &pos, &entry)) >= 0) {
		enum load_result r = load_one(a, dir, entry, (size_t)n, path);

		t.loaded += r == LOAD_DONE;
		t.already += r == LOAD_ALREADY;
		t.failed += r == LOAD_FAILED;
		if (r == LOAD_DONE)
			tally_name(&t, path);
	}
	gd_logf(&a->log, t.failed ? GD_LOG_WARN : GD_LOG_INFO,
		"%u modules loaded in %llu ms (%u already loaded, %u failed): %.*s",
		t.loaded, (unsigned long long)
		((gd_clock_ns(CLOCK_MONOTONIC) - t0) / 1000000), t.already,
		t.failed, (int)t.names.len, (const char *)t.names.data);
}
