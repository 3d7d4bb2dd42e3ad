/*
 * Kernel module names: matching a modules.dep line ("kernel/x/y.ko: deps")
 * against a module name, where '-' and '_' are the same, and telling
 * compressed module files apart (finit_module's MODULE_INIT_COMPRESSED_FILE).
 */
#ifndef GD_MODDEP_H
#define GD_MODDEP_H

#include <stddef.h>

/*
 * If line (n bytes, no newline) is the entry of module name, return the
 * length of its path (the part before ':'); else 0.
 */
size_t gd_moddep_match(const char *line, size_t n, const char *name);
/* 1 when path ends in .ko.xz, .ko.zst or .ko.gz. */
int gd_module_compressed(const char *path);

#endif
