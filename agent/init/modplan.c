/*
 * Planning modules= (modplan.h): where each listed module is and which
 * listed modules it needs, read from modules.dep in one pass (not one per
 * module), then the waves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "modplan.h"

#define GD_MODDEP_LINE_MAX 4096 /* longer modules.dep lines are skipped */

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

int gd_mod_given_as_path(const struct gd_mod_entry *m)
{
	return memchr(m->name, '/', m->name_len) != NULL;
}

/* "dir/rel" (dir "": rel as it is) into the pool; NULL if it is full. */
static const char *pool_add(struct gd_mod_plan *p, const char *dir,
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
static size_t matches(const struct gd_mod_entry *m, const char *dir,
		      const char *line, long n)
{
	char name[GD_MOD_PATH_MAX];
	size_t dl = strlen(dir);

	if (gd_mod_given_as_path(m)) {
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

/* The first entry a dependency's path (rel[n], under dir) is, or -1. */
static int entry_of_dep(const struct gd_mod_plan *p, const char *dir,
			const char *rel, size_t n)
{
	char line[GD_MOD_PATH_MAX];

	if (n + 1 >= sizeof line)
		return -1;
	memcpy(line, rel, n);
	line[n] = ':'; /* a modules.dep line of its own, for matches() */
	for (unsigned i = 0; i < p->count; i++)
		if (matches(&p->mod[i], dir, line, (long)n + 1))
			return (int)i;
	return -1;
}

/* Bits of the entries a modules.dep line's dependencies (after ':') are. */
static uint32_t line_deps(const struct gd_mod_plan *p, const char *dir,
			  const char *line, size_t n, size_t plen)
{
	uint32_t deps = 0;
	size_t at = plen + 1;

	while (at < n) {
		size_t end = at;
		int j;

		while (end < n && line[end] != ' ')
			end++;
		j = end > at ? entry_of_dep(p, dir, line + at, end - at) : -1;
		if (j >= 0)
			deps |= 1u << j;
		at = end + 1;
	}
	return deps;
}

/*
 * Every entry this line is the modules.dep entry of: its path (one copy
 * in the pool, shared) and the listed modules it needs.
 */
static void note_line(struct gd_mod_plan *p, const char *dir,
		      const char *line, long n)
{
	const char *path = NULL;
	uint32_t deps = 0;
	int seen = 0;

	for (unsigned i = 0; i < p->count; i++) {
		struct gd_mod_entry *m = &p->mod[i];
		size_t plen = m->known ? 0 : matches(m, dir, line, n);

		if (!plen)
			continue;
		if (!seen) {
			deps = line_deps(p, dir, line, (size_t)n, plen);
			seen = 1;
		}
		if (!m->path) {
			if (!path)
				path = pool_add(p, dir, line, plen);
			m->path = path;
			m->no_room = !path;
		}
		m->deps = deps;
		m->known = 1;
	}
}

/* One pass over modules.dep; -1 when it cannot be read. */
static int read_moddep(struct gd_mod_plan *p, const char *dir)
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
		note_line(p, dir, line, n);
		consume_line(&lr, n);
	}
	close(lr.fd);
	return 0;
}

/* Waves by modules.dep (gd_mod_waves); not in it: a barrier. */
static void plan_waves(struct gd_mod_plan *p)
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
static void repeated(struct gd_mod_plan *p)
{
	for (unsigned i = 0; i < p->count; i++)
		for (unsigned j = 0; j < i; j++)
			if (p->mod[i].path && p->mod[j].path == p->mod[i].path) {
				p->mod[i].deps = 1u << j;
				p->mod[i].known = 1;
				break;
			}
}

unsigned gd_mod_plan_run(struct gd_mod_plan *p, const char *list,
			 const char *dir, size_t *pos)
{
	const char *entry;
	int n;

	p->dir = dir;
	p->count = 0;
	p->pool_used = 0;
	while (p->count < GD_MOD_PLAN_MAX &&
	       (n = gd_cfg_list_next(list, pos, &entry)) >= 0) {
		struct gd_mod_entry *m = &p->mod[p->count++];

		*m = (struct gd_mod_entry){ .name = entry, .name_len = (size_t)n };
		if (gd_mod_given_as_path(m))
			m->path = pool_add(p, "", entry, (size_t)n);
	}
	if (p->count)
		read_moddep(p, dir);
	repeated(p);
	plan_waves(p);
	return p->count;
}
