/*
 * Kernel modules from modules=: finit_module(2) each, dependencies first,
 * as modplan.c plans them.
 * modules.dep says which listed module needs which; the modules of one
 * wave need only modules of earlier waves and, when the guest has more
 * than one CPU, are loaded at once, each by a child of its own (a
 * module's init may also sleep on its device). With one CPU the waves
 * are loaded one module after the other. Where modules.dep does not tell
 * (a module not in it) the list's order holds.
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/module.h>

#include "agent.h"
#include "modplan.h"
#include "sysinfo.h"

enum load_result { LOAD_FAILED, LOAD_DONE, LOAD_ALREADY };

/* What was loaded, for the summary line. */
struct load_tally {
	unsigned loaded, already, failed, waves;
	int truncated;
	struct gd_buf names; /* "name name ...", truncated with "..." */
	char space[GD_LOG_LINE_MAX - 64];
};

/* finit_module(2) of path: 0, or the errno it failed with. */
static int insert(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return errno;
	rc = syscall(SYS_finit_module, fd, "",
		     gd_module_compressed(path) ? MODULE_INIT_COMPRESSED_FILE
						: 0) == 0 ? 0 : errno;
	close(fd);
	return rc;
}

static enum load_result outcome(struct gd_agent *a, const char *dir,
				const struct gd_mod_entry *m, int rc)
{
	if (!m->path && gd_mod_given_as_path(m)) {
		gd_logf(&a->log, GD_LOG_WARN, "module %.*s: path too long "
			"(GD_MOD_PATH_MAX, GD_MOD_POOL)", (int)m->name_len, m->name);
		return LOAD_FAILED;
	}
	if (!m->path) {
		gd_logf(&a->log, GD_LOG_WARN, "module %.*s: %s %s/modules.dep",
			(int)m->name_len, m->name, m->no_room
			? "no room for its path (GD_MOD_POOL) from" : "not in",
			dir);
		return LOAD_FAILED;
	}
	if (rc == 0) {
		gd_logf(&a->log, GD_LOG_DEBUG, "module %s loaded", m->path);
		return LOAD_DONE;
	}
	if (rc == EEXIST) {
		gd_logf(&a->log, GD_LOG_DEBUG, "module %s already loaded",
			m->path);
		return LOAD_ALREADY;
	}
	gd_logf(&a->log, GD_LOG_WARN, "module %s: %s", m->path, strerror(rc));
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

static void count(struct gd_agent *a, struct load_tally *t,
		  const struct gd_mod_plan *p, const struct gd_mod_entry *m, int rc)
{
	enum load_result r = outcome(a, p->dir, m, rc);

	t->loaded += r == LOAD_DONE;
	t->already += r == LOAD_ALREADY;
	t->failed += r == LOAD_FAILED;
	if (r == LOAD_DONE)
		tally_name(t, m->path);
}

/*
 * One wave: a child per module but the last, which guestd loads itself,
 * then every result in the list's order (a child's exit status is the
 * errno, 0 for done). A module whose child cannot be forked is loaded
 * here instead.
 */
static void load_wave(struct gd_agent *a, const struct gd_mod_plan *p,
		      unsigned wave, int forks, struct load_tally *t)
{
	unsigned n = p->count < GD_MOD_PLAN_MAX ? p->count : GD_MOD_PLAN_MAX;
	pid_t pid[GD_MOD_PLAN_MAX];
	int rc[GD_MOD_PLAN_MAX], last = -1;

	for (unsigned i = 0; i < n; i++)
		if (p->mod[i].wave == wave && p->mod[i].path)
			last = (int)i;
	for (unsigned i = 0; i < n; i++) {
		pid[i] = -1;
		rc[i] = 0;
		if (p->mod[i].wave != wave || !p->mod[i].path)
			continue;
		if (forks && (int)i != last)
			pid[i] = fork();
		if (pid[i] == 0)
			_exit(insert(p->mod[i].path) & 0xff);
		if (pid[i] < 0)
			rc[i] = insert(p->mod[i].path);
	}
	for (unsigned i = 0; i < n; i++) {
		int status = 0;
		pid_t got;

		if (p->mod[i].wave != wave)
			continue;
		if (pid[i] > 0) {
			while ((got = waitpid(pid[i], &status, 0)) < 0 &&
			       errno == EINTR)
				;
			/* a result that cannot be read is a failure, said so */
			rc[i] = got == pid[i] && WIFEXITED(status)
					? WEXITSTATUS(status) : EIO;
		}
		count(a, t, p, &p->mod[i], rc[i]);
	}
}

void gd_modules_load(struct gd_agent *a)
{
	char dir[GD_MOD_PATH_MAX / 2];
	struct load_tally t = { 0 };
	struct gd_mod_plan plan;
	struct utsname u;
	uint64_t t0;
	size_t pos = 0;
	int forks;

	if (!a->cfg.modules[0])
		return;
	/*
	 * With one CPU a child per module only adds forks (measured under
	 * TCG: 150 ms more for the default image): load the waves in order.
	 */
	forks = sysconf(_SC_NPROCESSORS_ONLN) > 1;
	if (uname(&u))
		memset(&u, 0, sizeof u);
	snprintf(dir, sizeof dir, "/lib/modules/%s", u.release);
	gd_buf_init(&t.names, (uint8_t *)t.space, sizeof t.space);
	t0 = gd_clock_ns(CLOCK_MONOTONIC);
	while (gd_mod_plan_run(&plan, a->cfg.modules, dir, &pos)) {
		for (unsigned w = 0; w < plan.waves; w++)
			load_wave(a, &plan, w, forks, &t);
		t.waves += plan.waves;
	}
	gd_logf(&a->log, t.failed ? GD_LOG_WARN : GD_LOG_INFO,
		"%u modules loaded in %llu ms, %u waves%s (%u already loaded, "
		"%u failed): %.*s", t.loaded, (unsigned long long)
		((gd_clock_ns(CLOCK_MONOTONIC) - t0) / 1000000), t.waves,
		forks ? "" : " one by one on one CPU",
		t.already, t.failed, (int)t.names.len,
		(const char *)t.names.data);
}
