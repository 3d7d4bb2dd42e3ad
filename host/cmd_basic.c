/* ping and info. */
#include <stdio.h>
#include <time.h>

#include "guestctl.h"
#include "sysinfo.h"

static int simple(struct gc_ctx *ctx, uint16_t op, int argc)
{
	static struct gc_client c;
	struct gd_frame resp;
	uint64_t t0;
	int r;

	if (argc != 1) {
		fprintf(stderr, "guestctl %s takes no arguments\n", ctx->command);
		return GC_EXIT_USAGE;
	}
	r = gc_open(ctx, &c);
	if (r)
		return r;
	t0 = gd_clock_ns(CLOCK_MONOTONIC);
	r = gc_call_simple(&c, op, &resp);
	if (r) {
		gc_close(&c);
		return gc_report_error(ctx, r, c.error);
	}
	if (resp.hdr.status != GD_S_OK)
		r = gc_report_status(ctx, &resp);
	else
		gc_report_ok(ctx, &resp, gd_clock_ns(CLOCK_MONOTONIC) - t0);
	gc_close(&c);
	return r;
}

int gc_cmd_ping(struct gc_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return simple(ctx, GD_OP_PING, argc);
}

int gc_cmd_info(struct gc_ctx *ctx, int argc, char **argv)
{
	(void)argv;
	return simple(ctx, GD_OP_INFO, argc);
}
