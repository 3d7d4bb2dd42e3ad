#include "envset.h"

#include <string.h>

static const char *const defaults[] = {
	("PATH=" GD_ENV_DEFAULT_PATH),
	"HOME=/",
	"TERM=linux",
};

void gd_env_init(struct gd_envset *e)
{
	const char *err;

	e->count = 0;
	e->used = 0;
	e->vars[0] = NULL;
	for (size_t i = 0; i < sizeof defaults / sizeof defaults[0]; i++)
		gd_env_put(e, defaults[i], strlen(defaults[i]), &err);
}

static int valid_name(const char *s, size_t n)
{
	if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!(c == '_' || (c >= 'a' && c <= 'z') ||
		      (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			return 0;
	}
	return 1;
}

static int find(const struct gd_envset *e, const char *name, size_t n)
{
	for (int i = 0; i < e->count; i++)
		if (strncmp(e->vars[i], name, n) == 0 && e->vars[i][n] == '=')
			return i;
	return -1;
}

int gd_env_put(struct gd_envset *e, const char *entry, size_t n,
	       const char **err)
{
	const char *eq = memchr(entry, '=', n);
	int slot;

	if (!eq || !valid_name(entry, (size_t)(eq - entry)) ||
	    memchr(entry, '\0', n)) {
		*err = "not NAME=VALUE";
		return -1;
	}
	if (n + 1 > sizeof e->text - e->used) {
		*err = "environment text full";
		return -1;
	}
	slot = find(e, entry, (size_t)(eq - entry));
	if (slot < 0) {
		if (e->count == GD_ENV_MAX) {
			*err = "too many variables";
			return -1;
		}
		slot = e->count++;
		e->vars[e->count] = NULL;
	}
	/* A replaced value's old text stays unused: the set is built once. */
	e->vars[slot] = e->text + e->used;
	memcpy(e->text + e->used, entry, n);
	e->text[e->used + n] = '\0';
	e->used += n + 1;
	return 0;
}

const char *gd_env_get(const struct gd_envset *e, const char *name)
{
	size_t n = strlen(name);
	int i = find(e, name, n);

	return i < 0 ? NULL : e->vars[i] + n + 1;
}
