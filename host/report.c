/* Result output: human text or one JSON object per target. */
#include <stdio.h>
#include <string.h>

#include "fields.h"
#include "guestctl.h"
#include "json_out.h"

static const char *exit_name(int code)
{
	switch (code) {
	case GC_EXIT_AGENT: return "agent-error";
	case GC_EXIT_USAGE: return "usage";
	case GC_EXIT_CONNECT: return "connect";
	case GC_EXIT_TIMEOUT: return "timeout";
	case GC_EXIT_PROTOCOL: return "protocol";
	case GC_EXIT_SOME_FAILED: return "some-failed";
	default: return "ok";
	}
}

static uint64_t rtt(const struct gc_run *r)
{
	return r->recv_mono > r->sent_mono ? r->recv_mono - r->sent_mono : 0;
}

static uint64_t elapsed(const struct gc_run *r)
{
	return r->finished > r->started ? r->finished - r->started : 0;
}

static void json_run(struct gc_run *r)
{
	static uint8_t storage[GD_MAX_PAYLOAD * 2 + 1024];
	struct gd_buf b;
	struct gd_json j;

	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "target");
	gd_json_str(&j, r->target->desc);
	gd_json_key(&j, "command");
	gd_json_str(&j, r->ctx->cmd->name);
	gd_json_key(&j, "ok");
	gd_json_bool(&j, r->exit_code == GC_EXIT_OK);
	if (r->exit_code == GC_EXIT_OK) {
		gc_fields_json(&j, r->result, r->result_len);
		gd_json_key(&j, "rtt_ns");
		gd_json_u64(&j, rtt(r));
	} else {
		gd_json_key(&j, "error");
		gd_json_str(&j, exit_name(r->exit_code));
		if (r->exit_code == GC_EXIT_AGENT) {
			gd_json_key(&j, "status");
			gd_json_str(&j, gd_status_name(r->status));
			gd_json_key(&j, "status_code");
			gd_json_u64(&j, r->status);
		}
		gd_json_key(&j, "message");
		gd_json_str(&j, r->error);
		gd_json_key(&j, "exit_code");
		gd_json_u64(&j, (uint64_t)r->exit_code);
	}
	gd_json_key(&j, "elapsed_ns");
	gd_json_u64(&j, elapsed(r));
	gd_json_key(&j, "attempts");
	gd_json_u64(&j, r->attempts);
	gd_json_obj_end(&j);
	if (gd_json_ok(&j))
		printf("%.*s\n", (int)b.len, (const char *)b.data);
	else
		printf("{\"target\":\"?\",\"ok\":false,\"error\":\"output too large\"}\n");
}

/* In a fleet every target gets one line on stdout: "DESC error KIND: why". */
static void fleet_error(const struct gc_run *r)
{
	if (r->exit_code == GC_EXIT_AGENT)
		printf("%s error agent-error: %s%s%s\n", r->target->desc,
		       gd_status_name(r->status), r->error[0] ? ": " : "",
		       r->error);
	else
		printf("%s error %s: %s\n", r->target->desc,
		       exit_name(r->exit_code), r->error);
}

static void human_error(const struct gc_run *r)
{
	if (r->ctx->ntargets > 1) {
		fleet_error(r);
		return;
	}
	if (r->exit_code == GC_EXIT_AGENT)
		fprintf(stderr, "guestctl: %s: agent error %s%s%s\n",
			r->target->desc, gd_status_name(r->status),
			r->error[0] ? ": " : "", r->error);
	else
		fprintf(stderr, "guestctl: %s: %s\n", r->target->desc, r->error);
}

void gc_report_run(struct gc_run *r)
{
	uint64_t t = rtt(r);

	if (r->ctx->json) {
		json_run(r);
	} else if (r->exit_code) {
		human_error(r);
	} else if (r->ctx->ntargets > 1) {
		printf("%s ok %llu.%03llums\n", r->target->desc,
		       (unsigned long long)(t / 1000000u),
		       (unsigned long long)(t / 1000u % 1000));
	} else {
		printf("%-22s %s\n", "target", r->target->desc);
		gc_fields_human(stdout, r->result, r->result_len);
		printf("%-22s %llu.%03llums\n", "round_trip",
		       (unsigned long long)(t / 1000000u),
		       (unsigned long long)(t / 1000u % 1000));
	}
	fflush(stdout);
}

void gc_report_summary(const struct gc_ctx *ctx, size_t ok, size_t failed,
		       uint64_t wall_ns)
{
	int code = failed ? GC_EXIT_SOME_FAILED : GC_EXIT_OK;

	if (ctx->json) {
		printf("{\"summary\":true,\"command\":\"%s\",\"targets\":%zu,"
		       "\"ok\":%zu,\"failed\":%zu,\"wall_ns\":%llu,"
		       "\"exit_code\":%d}\n",
		       ctx->cmd->name, ok + failed, ok, failed,
		       (unsigned long long)wall_ns, code);
	} else {
		printf("%zu targets: %zu ok, %zu failed (%llu ms)\n", ok + failed,
		       ok, failed, (unsigned long long)(wall_ns / 1000000u));
	}
	fflush(stdout);
}

void gc_json_usage_error(const char *command, const char *what,
			 const char *arg)
{
	char text[512];
	uint8_t storage[sizeof text * 6 + 256];
	struct gd_buf b;
	struct gd_json j;

	snprintf(text, sizeof text, "%s%s%s", what, arg ? ": " : "",
		 arg ? arg : "");
	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	gd_json_obj_begin(&j);
	if (command) {
		gd_json_key(&j, "command");
		gd_json_str(&j, command);
	}
	gd_json_key(&j, "ok");
	gd_json_bool(&j, 0);
	gd_json_key(&j, "error");
	gd_json_str(&j, exit_name(GC_EXIT_USAGE));
	gd_json_key(&j, "message");
	gd_json_str(&j, text);
	gd_json_key(&j, "exit_code");
	gd_json_u64(&j, GC_EXIT_USAGE);
	gd_json_obj_end(&j);
	if (gd_json_ok(&j))
		printf("%.*s\n", (int)b.len, (const char *)b.data);
	fflush(stdout);
}
