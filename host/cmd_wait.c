/*
 * wait-ready: connect, HELLO and PING, retrying everything that fails
 * before the agent answers (no socket yet, refused, a hybrid relay with
 * no listener yet, agent busy) with backoff from GC_RETRY_FIRST_MS
 * doubling to GC_RETRY_MAX_MS, until the timeout ends (exit 4).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestctl.h"

static int parse_ms(const char *s, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > GC_MAX_TIMEOUT_MS)
		return -1;
	*ms = (int)v;
	return 0;
}

/* Accepts "--timeout MS" or "--timeout=MS" after the command word too. */
static int wait_parse(struct gc_ctx *ctx, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;

		if (strncmp(argv[i], "--timeout=", 10) == 0)
			v = argv[i] + 10;
		else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc)
			v = argv[++i];
		if (!v || parse_ms(v, &ctx->timeout_ms)) {
			fprintf(stderr, "usage: guestctl wait-ready [--timeout MS] "
				"(got '%s')\n", v ? v : argv[i]);
			return GC_EXIT_USAGE;
		}
	}
	return GC_EXIT_OK;
}

static int wait_step(struct gc_run *r, const struct gd_frame *resp)
{
	if (!resp) {
		gc_req_begin(r, GD_OP_PING);
		return GC_STEP_SEND;
	}
	if (resp->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, resp);
	return gc_done_ok(r, resp);
}

static void wait_report(struct gc_run *r)
{
	uint64_t ms = (r->finished - r->started) / 1000000u;

	if (r->ctx->json || r->exit_code) {
		gc_report_run(r);
		return;
	}
	printf("%s ready after %llu ms (%u attempt%s)\n", r->target->desc,
	       (unsigned long long)ms, r->attempts, r->attempts == 1 ? "" : "s");
	fflush(stdout);
}

const struct gc_cmd gc_cmd_wait_ready = {
	.name = "wait-ready",
	.usage = "wait-ready [--timeout MS]  retry until the agent answers a ping",
	.parse = wait_parse,
	.step = wait_step,
	.report = wait_report,
	.retry_until_ready = 1,
};
