/*
 * shutdown [--reboot|--halt] [--grace MS] [--force]: one SHUTDOWN request;
 * prints the agent's acknowledgement (what it will do, and how).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestctl.h"
#include "proto_pid1.h"

static struct {
	uint8_t mode;
	uint8_t force;
	int have_grace;
	uint32_t grace_ms;
} opt;

static int bad(const char *what, const char *arg)
{
	fprintf(stderr, "guestctl shutdown: %s%s%s\n"
		"usage: guestctl shutdown [--reboot|--halt] [--grace MS] "
		"[--force]\n", what, arg ? ": " : "", arg ? arg : "");
	return GC_EXIT_USAGE;
}

static int parse_grace(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > GD_SD_GRACE_MAX_MS)
		return -1;
	opt.grace_ms = (uint32_t)v;
	opt.have_grace = 1;
	return 0;
}

static int parse(struct gc_ctx *ctx, int argc, char **argv)
{
	int modes = 0;

	(void)ctx;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--reboot") == 0) {
			opt.mode = GD_SD_REBOOT;
			modes++;
		} else if (strcmp(a, "--halt") == 0) {
			opt.mode = GD_SD_HALT;
			modes++;
		} else if (strcmp(a, "--force") == 0) {
			opt.force = 1;
		} else if (strncmp(a, "--grace=", 8) == 0) {
			if (parse_grace(a + 8))
				return bad("--grace takes 0..3600000 ms", a + 8);
		} else if (strcmp(a, "--grace") == 0) {
			if (parse_grace(i + 1 < argc ? argv[++i] : NULL))
				return bad("--grace takes 0..3600000 ms",
					   i < argc ? argv[i] : NULL);
		} else {
			return bad("unknown argument", a);
		}
	}
	if (modes > 1)
		return bad("--reboot and --halt exclude each other", NULL);
	return GC_EXIT_OK;
}

static int step(struct gc_run *r, const struct gd_frame *resp)
{
	if (!resp) {
		struct gd_frame_writer *w = gc_req_begin(r, GD_OP_SHUTDOWN);

		gd_tlv_u8(w, GD_T_SHUTDOWN_MODE, opt.mode);
		if (opt.have_grace)
			gd_tlv_u32(w, GD_T_GRACE_MS, opt.grace_ms);
		if (opt.force)
			gd_tlv_u8(w, GD_T_FORCE, 1);
		return GC_STEP_SEND;
	}
	if (resp->hdr.status != GD_S_OK)
		return gc_done_agent_error(r, resp);
	return gc_done_ok(r, resp);
}

/* "poweroff acknowledged (grace 5000 ms, via guestd)" per target. */
static void report(struct gc_run *r)
{
	struct gd_tlv_view tv;
	uint8_t mode = opt.mode, force = 0;
	uint32_t grace = 0;
	char via[32] = "?";
	const char *name;

	if (r->ctx->json || r->exit_code) {
		gc_report_run(r);
		return;
	}
	if (gd_tlv_find(r->result, r->result_len, GD_T_SHUTDOWN_MODE, &tv) == 0)
		gd_tlv_get_u8(&tv, &mode);
	if (gd_tlv_find(r->result, r->result_len, GD_T_GRACE_MS, &tv) == 0)
		gd_tlv_get_u32(&tv, &grace);
	if (gd_tlv_find(r->result, r->result_len, GD_T_FORCE, &tv) == 0)
		gd_tlv_get_u8(&tv, &force);
	if (gd_tlv_find(r->result, r->result_len, GD_T_SHUTDOWN_VIA, &tv) == 0)
		gd_tlv_get_str(&tv, via, sizeof via);
	name = gd_sd_mode_name(mode);
	printf("%s: %s acknowledged (grace %u ms%s, via %s)\n",
	       r->target->desc, name ? name : "?", grace,
	       force ? ", forced" : "", via);
	fflush(stdout);
}

const struct gc_cmd gc_cmd_shutdown = {
	.name = "shutdown",
	.usage = "shutdown [--reboot|--halt] [--grace MS] [--force]  "
		 "ordered power off (reboot, halt)",
	.parse = parse,
	.step = step,
	.report = report,
};
