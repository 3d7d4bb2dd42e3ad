/* Kernel modules from modules=: finit_module(2) each, in the given order. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/module.h>

#include "agent.h"
#include "moddep.h"

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

static void load_one(struct gd_agent *a, const char *dir, const char *entry,
		     size_t n)
{
	char name[GD_MOD_PATH_MAX], path[GD_MOD_PATH_MAX];
	int fd, flags;

	if (n >= sizeof name) {
		gd_logf(&a->log, GD_LOG_WARN, "module %.40s...: name too long",
			entry);
		return;
	}
	memcpy(name, entry, n);
	name[n] = '\0';
	if (strchr(name, '/'))
		memcpy(path, name, n + 1);
	else if (resolve(dir, name, path, sizeof path)) {
		gd_logf(&a->log, GD_LOG_WARN, "module %s: not in %s/modules.dep",
			name, dir);
		return;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		gd_logf(&a->log, GD_LOG_WARN, "module %s: %s", path,
			strerror(errno));
		return;
	}
	flags = gd_module_compressed(path) ? MODULE_INIT_COMPRESSED_FILE : 0;
	if (syscall(SYS_finit_module, fd, "", flags) == 0)
		gd_logf(&a->log, GD_LOG_INFO, "module %s loaded", path);
	else if (errno == EEXIST)
		gd_logf(&a->log, GD_LOG_INFO, "module %s already loaded", path);
	else
		gd_logf(&a->log, GD_LOG_WARN, "module %s: %s", path,
			strerror(errno));
	close(fd);
}

void gd_modules_load(struct gd_agent *a)
{
	char dir[GD_MOD_PATH_MAX / 2];
	struct utsname u;
	const char *entry;
	size_t pos = 0;
	int n;

	if (!a->cfg.modules[0])
		return;
	if (uname(&u))
		memset(&u, 0, sizeof u);
	snprintf(dir, sizeof dir, "/lib/modules/%s", u.release);
	while ((n = gd_cfg_list_next(a->cfg.modules, &pos, &entry)) >= 0)
		load_one(a, dir, entry, (size_t)n);
}
