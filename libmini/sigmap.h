/*
 * Two small maps read from list config values (comma or newline
 * separated):
 *
 *   signal-rewrite=FROM:TO,...  a forwarded signal FROM becomes TO;
 *                               TO 0 drops it (dumb-init --rewrite)
 *   exit-remap=FROM:TO,... | N  exit code FROM becomes TO; a bare N
 *                               means N:0 (tini -e N)
 *
 * Both are full tables indexed by the value, so no entry count limit
 * applies beyond the config list's size. A later entry for the same FROM
 * wins. Parsing stops at the first bad entry, which is named in err.
 */
#ifndef GD_SIGMAP_H
#define GD_SIGMAP_H

#include <stddef.h>
#include <stdint.h>

#include "signame.h"

#define GD_EXIT_CODE_MAX 255
#define GD_MAP_ERR_MAX 96   /* room for the message and the bad entry */

struct gd_sigmap {
	uint8_t to[GD_SIG_LAST + 1]; /* to[sig]; identity when unset */
};

struct gd_exitmap {
	uint8_t to[GD_EXIT_CODE_MAX + 1];
};

void gd_sigmap_init(struct gd_sigmap *m);
/* 0, or -1 with err[cap] saying which entry is bad and why. */
int gd_sigmap_parse(struct gd_sigmap *m, const char *list, char *err,
		    size_t cap);
/* The signal to send for sig (0: drop it). */
int gd_sigmap_apply(const struct gd_sigmap *m, int sig);

void gd_exitmap_init(struct gd_exitmap *m);
int gd_exitmap_parse(struct gd_exitmap *m, const char *list, char *err,
		     size_t cap);
/* code is 0..GD_EXIT_CODE_MAX; other values pass unchanged. */
int gd_exitmap_apply(const struct gd_exitmap *m, int code);

#endif
