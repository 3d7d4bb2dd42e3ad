/*
 * Build options for users who count bytes (Makefile: make GD_QGA=0,
 * make GD_KV_CLI=0); the default build has everything. docs/bench.md
 * gives what each one saves.
 *
 *   GD_QGA     the QEMU guest agent protocol front end (qga*.c): 0 leaves
 *              it out, and a qga-* key set anywhere is refused by name
 *   GD_KV_CLI  `guestd kv`, the guest-side KV client (kv_cli.c)
 */
#ifndef GD_BUILDOPTS_H
#define GD_BUILDOPTS_H

#ifndef GD_QGA
#define GD_QGA 1
#endif
#ifndef GD_KV_CLI
#define GD_KV_CLI 1
#endif

#endif
