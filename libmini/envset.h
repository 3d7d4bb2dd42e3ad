/*
 * A workload environment built from nothing: a few defaults (PATH, HOME,
 * TERM) plus NAME=VALUE entries, a later entry replacing an earlier one of
 * the same name. The caller owns the struct; nothing is allocated.
 */
#ifndef GD_ENVSET_H
#define GD_ENVSET_H

#include <stddef.h>

#define GD_ENV_MAX 64          /* variables, defaults included */
#define GD_ENV_TEXT_MAX 4096   /* bytes of all NAME=VALUE strings */
#define GD_ENV_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct gd_envset {
	char *vars[GD_ENV_MAX + 1]; /* NULL-terminated, for execve */
	int count;
	size_t used;
	char text[GD_ENV_TEXT_MAX];
};

/* Start with PATH, HOME=/ and TERM=linux. */
void gd_env_init(struct gd_envset *e);
/* Add or replace one NAME=VALUE (n bytes); 0, or -1 with *err set. */
int gd_env_put(struct gd_envset *e, const char *entry, size_t n,
	       const char **err);
/* The value of name, or NULL. */
const char *gd_env_get(const struct gd_envset *e, const char *name);

#endif
