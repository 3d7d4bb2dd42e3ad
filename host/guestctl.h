/*
 * guestctl's shared context: the target, output mode and timeout chosen
 * by the global flags, handed to every command.
 */
#ifndef GC_GUESTCTL_H
#define GC_GUESTCTL_H

#include "client.h"

#define GC_DEFAULT_TIMEOUT_MS 5000

struct gc_ctx {
	struct gc_target target;
	int have_target;
	int timeout_ms;
	int json;
	const char *command;
};

typedef int (*gc_cmd_fn)(struct gc_ctx *ctx, int argc, char **argv);

struct gc_command {
	const char *name;
	gc_cmd_fn fn;
	const char *usage;
};

/* cmd_basic.c */
int gc_cmd_ping(struct gc_ctx *ctx, int argc, char **argv);
int gc_cmd_info(struct gc_ctx *ctx, int argc, char **argv);

/* report.c: one result per target, human or JSON. */
int gc_report_error(const struct gc_ctx *ctx, int code, const char *msg);
int gc_report_status(const struct gc_ctx *ctx, const struct gd_frame *resp);
void gc_report_ok(const struct gc_ctx *ctx, const struct gd_frame *resp,
		  uint64_t rtt_ns);
/* Connect and say HELLO; GC_EXIT_OK or a reported error's exit code. */
int gc_open(struct gc_ctx *ctx, struct gc_client *c);

#endif
