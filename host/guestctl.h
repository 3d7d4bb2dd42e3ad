/*
 * guestctl's commands. Each is a struct gc_cmd (engine.h) defined in its
 * own file and listed in main.c.
 */
#ifndef GC_GUESTCTL_H
#define GC_GUESTCTL_H

#include "engine.h"

extern const struct gc_cmd gc_cmd_ping;
extern const struct gc_cmd gc_cmd_info;
extern const struct gc_cmd gc_cmd_hyperv_guid;
extern const struct gc_cmd gc_cmd_hyperv_register;
extern const struct gc_cmd gc_cmd_time;
extern const struct gc_cmd gc_cmd_shutdown;
extern const struct gc_cmd gc_cmd_kv;
extern const struct gc_cmd gc_cmd_notify_listen;
extern const struct gc_cmd gc_cmd_wait_ready;

/* A command that takes no arguments. */
int gc_parse_no_args(struct gc_ctx *ctx, int argc, char **argv);

#endif
