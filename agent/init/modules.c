/*
 * Kernel modules from modules=: finit_module(2) each, dependencies first.
 * modules.dep says which listed module needs which; the modules of one
 * wave need only modules of earlier waves and are loaded at once, each
 * by a child of its own (a module's init may sleep on its device, and a
 * guest may have more than one CPU). Where modules.dep does not tell (a
 * module given by path, or not in it) the list's order holds.
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
#include "moddep.h"
#include "sysinfo.h"

#define GD_MODDEP_LINE_MAX 4096 /* longer modules.dep lines are skipped */
#define GD_MOD_PATH_MAX 512
/*
 * Modules planned together; a longer list is planned and loaded in runs
 * of this many, one run after the other. Their paths share one pool.
 */
#define GD_MOD_PLAN_MAX GD_MODWAVE_MAX
#define GD_MOD_POOL 4096

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

/* One run of listed modules: where each is, which listed ones it needs. */
struct mod_plan {
	const char *dir;   /* /lib/modules/<release> */
	unsigned count, waves;
	struct mod_entry {
		const char *name;  /* in the modules= list, not terminated */
		size_t name_len;
		const char *path;  /* in pool; NULL: not found */
		uint32_t deps;     /* bit j: needs entry j */
		uint8_t known;     /* its modules.dep line was seen */
		unsigned wave;
	} mod[GD_MOD_PLAN_MAX];
	size_t pool_used;
	char pool[GD_MOD_POOL];
};

static int given_as_path(const struct mod_entry *m)
{
	return memchr(m->name, '/', m->name_len) != NULL;
}

/* "dir/rel" (dir "": rel as it is) into the pool; NULL if it is full. */
static const char *pool_add(struct mod_plan *p, const char *dir,
			    const char *rel, size_t n)
{
	char *at = p->pool + p->pool_used;
	size_t room = sizeof p->pool - p->pool_used;
	int len = snprintf(at, room, "%s%s%.*s", dir, dir[0] ? "/" : "",
			   (int)n, rel);

	if (len < 0 || (size_t)len >= room || len >= GD_MOD_PATH_MAX)
		return NULL;
	p->pool_used += (size_t)len + 1;
	return at;
}

/*
 * If line (n bytes) is m's modules.dep entry, its path's length; else 0.
 * A module given by name matches by name, one given by path (as
 * mkinitramfs.sh writes them) by its path under dir.
 */
static size_t matches(const struct mod_entry *m, const char *dir,
		      const char *line, long n)
{
	char name[GD_MOD_PATH_MAX];
	size_t dl = strlen(dir);

	if (given_as_path(m)) {
		const char *colon = memchr(line, ':', (size_t)n);
		size_t plen = colon ? (size_t)(colon - line) : 0;

		if (!m->path || strncmp(m->path, dir, dl) != 0 ||
		    m->path[dl] != '/' || !plen ||
		    strlen(m->path + dl + 1) != plen ||
		    memcmp(m->path + dl + 1, line, plen) != 0)
			return 0;
		return plen;
	}
	if (m->name_len >= sizeof name)
		return 0;
	memcpy(name, m->name, m->name_len);
	name[m->name_len] = '\0';
	return gd_moddep_match(line, (size_t)n, name);
}

/* The entry found at dir/rel[n], or -1. */
static int entry_of_path(const struct mod_plan *p, size_t dir_len,
			 const char *rel, size_t n)
{
	for (unsigned i = 0; i < p->count; i++) {
		const char *path = p->mod[i].path;

		if (path && strlen(path) == dir_len + 1 + n &&
		    memcmp(path + dir_len + 1, rel, n) == 0)
			return (int)i;
	}
	return -1;
}

/* Bits of the entries a modules.dep line's dependencies (after ':') name. */
static uint32_t line_deps(const struct mod_plan *p, size_t dir_len,
			  const char *line, size_t n, size_t plen)
{
	uint32_t deps = 0;
	size_t at = plen + 1;

	while (at < n) {
		size_t end = at;
		int j;

		while (end < n && line[end] != ' ')
			end++;
		j = end > at ? entry_of_path(p, dir_len, line + at, end - at)
			     : -1;
		if (j >= 0)
			deps |= 1u << j;
		at = end + 1;
	}
	return deps;
}

/* Every entry this line is the modules.dep entry of: its path (shared). */
static void locate(struct mod_plan *p, const char *dir, const char *line,
		   long n)
{
	const char *path = NULL;

	for (unsigned i = 0; i < p->count; i++) {
		size_t plen = p->mod[i].path ? 0
				: matches(&p->mod[i], dir, line, n);

		if (plen && !path)
			path = pool_add(p, dir, line, plen);
		if (plen)
			p->mod[i].path = path;
	}
}

/* The needs of the first entry this line is the modules.dep entry of. */
static void note_deps(struct mod_plan *p, const char *dir, const char *line,
		      long n)
{
	for (unsigned i = 0; i < p->count; i++) {
		size_t plen = matches(&p->mod[i], dir, line, n);

		if (plen) {
			p->mod[i].deps = line_deps(p, strlen(dir), line,
						   (size_t)n, plen);
			p->mod[i].known = 1;
			return;
		}
	}
}

/*
 * One pass over modules.dep per question: first where each listed module
 * is (pass 0), then which of them each needs (pass 1). -1 when it cannot
 * be read.
 */
static int read_moddep(struct mod_plan *p, const char *dir, int pass)
{
	static struct line_reader lr;
	char dep[GD_MOD_PATH_MAX];
	const char *line;
	long n;

	snprintf(dep, sizeof dep, "%s/modules.dep", dir);
	lr.fd = open(dep, O_RDONLY | O_CLOEXEC);
	lr.len = lr.skip_to_nl = 0;
	if (lr.fd < 0)
		return -1;
	while ((n = next_line(&lr, &line)) >= 0) {
		if (pass == 0)
			locate(p, dir, line, n);
		else
			note_deps(p, dir, line, n);
		consume_line(&lr, n);
	}
	close(lr.fd);
	return 0;
}

/* Waves by modules.dep (gd_mod_waves); not in it: a barrier. */
static void plan_waves(struct mod_plan *p)
{
	uint32_t needs[GD_MOD_PLAN_MAX];
	uint8_t known[GD_MOD_PLAN_MAX];
	unsigned wave[GD_MOD_PLAN_MAX];

	for (unsigned i = 0; i < p->count; i++) {
		needs[i] = p->mod[i].deps;
		known[i] = p->mod[i].known;
	}
	p->waves = gd_mod_waves(needs, known, p->count, wave);
	for (unsigned i = 0; i < p->count; i++)
		p->mod[i].wave = wave[i];
}

/* A module listed twice is loaded after its first (and is "already"). */
static void repeated(struct mod_plan *p)
{
	for (unsigned i = 0; i < p->count; i++)
		for (unsigned j = 0; j < i; j++)
			if (p->mod[i].path && p->mod[j].path == p->mod[i].path) {
				p->mod[i].deps = 1u << j;
				p->mod[i].known = 1;
				break;
			}
}

/* The next run of the list from *pos; how many modules it holds. */
static unsigned plan_run(struct mod_plan *p, const char *list,
			 const char *dir, size_t *pos)
{
	const char *entry;
	int n;

	p->dir = dir;
	p->count = 0;
	p->pool_used = 0;
	while (p->count < GD_MOD_PLAN_MAX &&
	       (n = gd_cfg_list_next(list, pos, &entry)) >= 0) {
		struct mod_entry *m = &p->mod[p->count++];

		*m = (struct mod_entry){ .name = entry, .name_len = (size_t)n };
		if (given_as_path(m))
			m->path = pool_add(p, "", entry, (size_t)n);
	}
	if (p->count && read_moddep(p, dir, 0) == 0)
		read_moddep(p, dir, 1);
	repeated(p);
	plan_waves(p);
	return p->count;
}

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
				const struct mod_entry *m, int rc)
{
	if (!m->path && given_as_path(m)) {
		gd_logf(&a->log, GD_LOG_WARN, "module %.*s: path too long",
			(int)m->name_len, m->name);
		return LOAD_FAILED;
	}
	if (!m->path) {
		gd_logf(&a->log, GD_LOG_WARN, "module %.*s: not in %s/modules.dep",
			(int)m->name_len, m->name, dir);
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
		  const struct mod_plan *p, const struct mod_entry *m, int rc)
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
static void load_wave(struct gd_agent *a, const struct mod_plan *p,
		      unsigned wave, struct load_tally *t)
{
	pid_t pid[GD_MOD_PLAN_MAX];
	int rc[GD_MOD_PLAN_MAX], last = -1;

	for (unsigned i = 0; i < p->count; i++)
		if (p->mod[i].wave == wave && p->mod[i].path)
			last = (int)i;
	for (unsigned i = 0; i < p->count; i++) {
		pid[i] = -1;
		rc[i] = 0;
		if (p->mod[i].wave != wave || !p->mod[i].path)
			continue;
		if ((int)i != last)
			pid[i] = fork();
		if (pid[i] == 0)
			_exit(insert(p->mod[i].path) & 0xff);
		if (pid[i] < 0)
			rc[i] = insert(p->mod[i].path);
	}
	for (unsigned i = 0; i < p->count; i++) {
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
	struct mod_plan plan;
	struct utsname u;
	uint64_t t0;
	size_t pos = 0;

	if (!a->cfg.modules[0])
		return;
	if (uname(&u))
		memset(&u, 0, sizeof u);
	snprintf(dir, sizeof dir, "/lib/modules/%s", u.release);
	gd_buf_init(&t.names, (uint8_t *)t.space, sizeof t.space);
	t0 = gd_clock_ns(CLOCK_MONOTONIC);
	while (plan_run(&plan, a->cfg.modules, dir, &pos)) {
		for (unsigned w = 0; w < plan.waves; w++)
			load_wave(a, &plan, w, &t);
		t.waves += plan.waves;
	}
	gd_logf(&a->log, t.failed ? GD_LOG_WARN : GD_LOG_INFO,
		"%u modules loaded in %llu ms, %u waves (%u already loaded, "
		"%u failed): %.*s", t.loaded, (unsigned long long)
		((gd_clock_ns(CLOCK_MONOTONIC) - t0) / 1000000), t.waves,
		t.already, t.failed, (int)t.names.len,
		(const char *)t.names.data);
}
