/* ping and info: one request, the answer's fields printed. */
#include <stdio.h>

#include "guestctl.h"

int gc_parse_no_args(struct gc_ctx *ctx, int argc, char **argv)
{
	if (argc == 1)
		return GC_EXIT_OK;
	fprintf(stderr, "guestctl %s takes no arguments (got '%s')\n",
		ctx->cmd->name, argv[1]);
	return GC_EXIT_USAGE;
}

static int one_request(struct gc_run *r, const struct gd_frame *resp,
		       uint16_t op)
{
	if (!resp) {
		gc_req_begin(r, op);
		return GC_STEP_SEND;
	}
	if (resp->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, resp);
	return gc_done_ok(r, resp);
}

static int ping_step(struct gc_run *r, const struct gd_frame *resp)
{
	return one_request(r, resp, GD_OP_PING);
}

static int info_step(struct gc_run *r, const struct gd_frame *resp)
{
	return one_request(r, resp, GD_OP_INFO);
}

const struct gc_cmd gc_cmd_ping = {
	.name = "ping",
	.usage = "ping                  check the agent answers (uptime, boot id)",
	.parse = gc_parse_no_args,
	.step = ping_step,
};

const struct gc_cmd gc_cmd_info = {
	.name = "info",
	.usage = "info                  agent, kernel and OS facts",
	.parse = gc_parse_no_args,
	.step = info_step,
};
