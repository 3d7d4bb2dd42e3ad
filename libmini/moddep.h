/*
 * Kernel module names: matching a modules.dep line ("kernel/x/y.ko: deps")
 * against a module name, where '-' and '_' are the same, and telling
 * compressed module files apart (finit_module's MODULE_INIT_COMPRESSED_FILE).
 */
#ifndef GD_MODDEP_H
#define GD_MODDEP_H

#include <stddef.h>
#include <stdint.h>

#define GD_MODWAVE_MAX 32 /* modules one gd_mod_waves call plans */

/*
 * If line (n bytes, no newline) is the entry of module name, return the
 * length of its path (the part before ':'); else 0.
 */
size_t gd_moddep_match(const char *line, size_t n, const char *name);
/*
 * Waves for n (at most GD_MODWAVE_MAX) modules in load-list order, into
 * wave[i]: bit j of needs[i] says module i needs module j; only bits
 * j < i count (a list puts a module's dependencies before it). A module
 * whose needs are unknown (known[i] == 0) is a barrier: it comes after
 * every module before it and before every one after it. A module's wave
 * is one past the latest wave of what it needs, so the modules of one
 * wave need none of each other. Returns the number of waves.
 */
unsigned gd_mod_waves(const uint32_t *needs, const uint8_t *known,
		      unsigned n, unsigned *wave);
/* 1 when path ends in .ko.xz, .ko.zst or .ko.gz. */
int gd_module_compressed(const char *path);

#endif
