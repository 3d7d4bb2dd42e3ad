/* Result output: human lines on stdout/stderr or one JSON object. */
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
	default: return "ok";
	}
}

static void json_head(struct gd_json *j, const struct gc_ctx *ctx, int ok)
{
	gd_json_obj_begin(j);
	gd_json_key(j, "target");
	gd_json_str(j, ctx->target.desc);
	gd_json_key(j, "command");
	gd_json_str(j, ctx->command);
	gd_json_key(j, "ok");
	gd_json_bool(j, ok);
}

static void json_emit(struct gd_json *j, struct gd_buf *b)
{
	gd_json_obj_end(j);
	if (gd_json_ok(j))
		printf("%.*s\n", (int)b->len, (const char *)b->data);
	else
		printf("{\"ok\":false,\"error\":\"output too large\"}\n");
}

int gc_report_error(const struct gc_ctx *ctx, int code, const char *msg)
{
	static uint8_t storage[4096];
	struct gd_buf b;
	struct gd_json j;

	if (!ctx->json) {
		fprintf(stderr, "guestctl: %s: %s\n", ctx->target.desc, msg);
		return code;
	}
	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	json_head(&j, ctx, 0);
	gd_json_key(&j, "error");
	gd_json_str(&j, exit_name(code));
	gd_json_key(&j, "message");
	gd_json_str(&j, msg);
	gd_json_key(&j, "exit_code");
	gd_json_u64(&j, (uint64_t)code);
	json_emit(&j, &b);
	return code;
}

int gc_report_status(const struct gc_ctx *ctx, const struct gd_frame *resp)
{
	static uint8_t storage[4096];
	char msg[256] = "";
	struct gd_tlv_view tv;
	struct gd_buf b;
	struct gd_json j;

	if (gd_tlv_find(resp->payload, resp->hdr.length, GD_T_MESSAGE, &tv) == 0)
		snprintf(msg, sizeof msg, "%.*s", (int)tv.len,
			 (const char *)tv.val);
	if (!ctx->json) {
		fprintf(stderr, "guestctl: %s: agent error %s%s%s\n",
			ctx->target.desc, gd_status_name(resp->hdr.status),
			msg[0] ? ": " : "", msg);
		return GC_EXIT_AGENT;
	}
	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	json_head(&j, ctx, 0);
	gd_json_key(&j, "error");
	gd_json_str(&j, "agent-error");
	gd_json_key(&j, "status");
	gd_json_str(&j, gd_status_name(resp->hdr.status));
	gd_json_key(&j, "status_code");
	gd_json_u64(&j, resp->hdr.status);
	gd_json_key(&j, "message");
	gd_json_str(&j, msg);
	gd_json_key(&j, "exit_code");
	gd_json_u64(&j, GC_EXIT_AGENT);
	json_emit(&j, &b);
	return GC_EXIT_AGENT;
}

void gc_report_ok(const struct gc_ctx *ctx, const struct gd_frame *resp,
		  uint64_t rtt_ns)
{
	static uint8_t storage[GD_MAX_PAYLOAD * 2];
	struct gd_buf b;
	struct gd_json j;

	if (!ctx->json) {
		printf("%-22s %s\n", "target", ctx->target.desc);
		gc_fields_human(stdout, resp->payload, resp->hdr.length);
		printf("%-22s %llu.%03llums\n", "round_trip",
		       (unsigned long long)(rtt_ns / 1000000u),
		       (unsigned long long)(rtt_ns / 1000u % 1000));
		return;
	}
	gd_buf_init(&b, storage, sizeof storage);
	gd_json_init(&j, &b);
	json_head(&j, ctx, 1);
	gc_fields_json(&j, resp->payload, resp->hdr.length);
	gd_json_key(&j, "rtt_ns");
	gd_json_u64(&j, rtt_ns);
	json_emit(&j, &b);
}

int gc_open(struct gc_ctx *ctx, struct gc_client *c)
{
	uint32_t caps;
	int r = gc_connect(c, &ctx->target, ctx->timeout_ms);

	if (r == GC_EXIT_OK)
		r = gc_hello(c, &caps);
	if (r != GC_EXIT_OK) {
		gc_report_error(ctx, r, c->error);
		gc_close(c);
	}
	return r;
}
