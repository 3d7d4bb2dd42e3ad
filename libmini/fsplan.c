/* What a freeze takes (fsplan.h). */
#include "fsplan.h"

#include <string.h>

#include "config.h"

int gd_fsp_block_backed(const struct gd_mount *m)
{
	return m->major != 0 || strcmp(m->fstype, "btrfs") == 0;
}

static int in_list(const char *list, const char *path)
{
	size_t pos = 0, n = strlen(path);
	const char *e;
	int len;

	if (!list)
		return 0;
	while ((len = gd_cfg_list_next(list, &pos, &e)) >= 0)
		if ((size_t)len == n && memcmp(e, path, n) == 0)
			return 1;
	return 0;
}

int gd_fsp_verdict(const struct gd_mount *m, const char *exclude,
		   const char *const *only, size_t nonly)
{
	size_t i;

	if (!gd_fsp_block_backed(m))
		return GD_FSP_PSEUDO;
	if (m->ro || m->sb_ro)
		return GD_FSP_RDONLY;
	if (in_list(exclude, m->mountpoint))
		return GD_FSP_EXCLUDED;
	if (!only)
		return GD_FSP_TAKE;
	for (i = 0; i < nonly; i++)
		if (strcmp(only[i], m->mountpoint) == 0)
			return GD_FSP_TAKE;
	return GD_FSP_UNLISTED;
}

int gd_fsp_seen_has(const struct gd_fsp_seen *s, unsigned major,
		    unsigned minor)
{
	uint64_t dev = (uint64_t)major << 32 | minor;

	for (size_t i = 0; i < s->n; i++)
		if (s->dev[i] == dev)
			return 1;
	return 0;
}

int gd_fsp_seen_add(struct gd_fsp_seen *s, unsigned major, unsigned minor)
{
	uint64_t dev = (uint64_t)major << 32 | minor;

	if (gd_fsp_seen_has(s, major, minor))
		return 0;
	if (s->n == s->cap)
		return -1;
	s->dev[s->n++] = dev;
	return 1;
}

static int ends_with(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The leftovers /etc/qemu/fsfreeze-hook skips. */
static const char *const ignored[] = {
	"~", ".bak", ".orig", ".rpmnew", ".rpmorig", ".rpmsave", ".sample",
	".dpkg-old", ".dpkg-new", ".dpkg-tmp", ".dpkg-dist", ".dpkg-bak",
	".dpkg-backup", ".dpkg-remove",
};

int gd_fsp_hook_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || name[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof ignored / sizeof ignored[0]; i++)
		if (ends_with(name, n, ignored[i]))
			return 0;
	return 1;
}
