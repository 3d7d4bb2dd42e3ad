/*
 * The modules= plan (modplan.c), for modules.c: which file each listed
 * module is and which listed modules it needs, from modules.dep, and in
 * which wave it may load (gd_mod_waves). A long list is planned in runs.
 */
#ifndef GD_MODPLAN_H
#define GD_MODPLAN_H

#include <stddef.h>
#include <stdint.h>

#include "moddep.h"

#define GD_MOD_PATH_MAX 512
/*
 * Modules planned together; a longer list is planned and loaded in runs
 * of this many, one run after the other. Their paths share one pool.
 */
#define GD_MOD_PLAN_MAX GD_MODWAVE_MAX
#define GD_MOD_POOL 4096

/* One run of listed modules: where each is, which listed ones it needs. */
struct gd_mod_plan {
	const char *dir;   /* /lib/modules/<release> */
	unsigned count, waves;
	struct gd_mod_entry {
		const char *name;  /* in the modules= list, not terminated */
		size_t name_len;
		const char *path;  /* in pool; NULL: not found */
		uint32_t deps;     /* bit j: needs entry j */
		uint8_t known;     /* its modules.dep line was seen */
		uint8_t no_room;   /* found, but the pool had no room for it */
		unsigned wave;
	} mod[GD_MOD_PLAN_MAX];
	size_t pool_used;
	char pool[GD_MOD_POOL];
};

/* 1 when m was listed as a path, not a name. */
int gd_mod_given_as_path(const struct gd_mod_entry *m);
/*
 * Plan the next run of list from *pos with modules.dep of dir (the
 * running kernel's /lib/modules/<release>); how many modules it holds,
 * 0 at the end of the list.
 */
unsigned gd_mod_plan_run(struct gd_mod_plan *p, const char *list,
			 const char *dir, size_t *pos);

#endif
