/*
 * The list of targets of one run: flags add one each, --targets FILE adds
 * one per line. At most GC_MAX_TARGETS in all.
 *
 * A targets file holds one target a line in the forms the flags take,
 * with their kind in front: unix:PATH, vsock:CID[:PORT],
 * hybrid:PATH[:PORT]. Spaces around a line are ignored, and so are blank
 * lines and lines starting with '#'. Lines are at most GC_TARGET_LINE_MAX
 * bytes. "-" reads standard input.
 */
#ifndef GC_TARGETS_H
#define GC_TARGETS_H

#include "engine.h"

#define GC_TARGET_LINE_MAX 255

/* Append t; -1 when the list is full or memory runs out. */
int gc_targets_add(struct gc_ctx *ctx, const struct gc_target *t);
/*
 * Append every target of the file. Returns 0, or GC_EXIT_USAGE after
 * printing "guestctl: FILE:LINE: what is wrong" for the first bad line.
 */
int gc_targets_load(struct gc_ctx *ctx, const char *path);

#endif
