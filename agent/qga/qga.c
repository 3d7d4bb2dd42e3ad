/*
 * QGA requests in, response lines out, formatted byte for byte as
 * qemu-ga 7.2 does: {"return": ...} or {"error": {"class": ..., "desc":
 * ...}} with the request's "id" echoed, one line each.
 */
#include "conn.h"
#include "qga.h"
#include "qga_fs.h"
#include "qga_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RESP_TOO_BIG "response over the size limit"

/* Token storage for the request being answered; one at a time. */
static struct gd_qga_tok tokens[GD_QGA_MAX_TOKENS];

int gd_qga_fail(struct gd_qga_call *call, const char *err_class,
		const char *fmt, ...)
{
	va_list ap;

	call->err_class = err_class;
	va_start(ap, fmt);
	vsnprintf(call->err_desc, sizeof call->err_desc, fmt, ap);
	va_end(ap);
	return -1;
}

/* An error line; desc[len] may hold a NUL (a command name's \u0000). */
static void write_error_n(struct gd_agent *a, struct gd_conn *c,
			  const struct gd_qga_req *req, const char *err_class,
			  const char *desc, size_t len)
{
	struct gd_buf view;
	struct gd_json j;

	a->net->stats.errors++;
	gd_logf(&a->log, GD_LOG_DEBUG, "%s: qga %s: %.*s", c->peer, err_class,
		(int)len, desc);
	gd_out_line_begin(c, &view, GD_QGA_RESP_MAX);
	gd_json_init_qmp(&j, &view);
	gd_json_obj_begin(&j);
	if (req && req->id >= 0) {
		gd_json_key(&j, "id");
		gd_qga_write_value(req, req->id, &j);
	}
	gd_json_key(&j, "error");
	gd_json_obj_begin(&j);
	gd_json_key(&j, "class");
	gd_json_str(&j, err_class);
	gd_json_key(&j, "desc");
	gd_json_strn(&j, desc, len);
	gd_json_obj_end(&j);
	gd_json_obj_end(&j);
	if (!gd_json_ok(&j) || gd_out_line_end(c, &view)) /* only an id can be that long */
		write_error_n(a, c, NULL, "GenericError", RESP_TOO_BIG,
			      sizeof RESP_TOO_BIG - 1);
}

static void write_error(struct gd_agent *a, struct gd_conn *c,
			const struct gd_qga_req *req, const char *err_class,
			const char *desc)
{
	write_error_n(a, c, req, err_class, desc, strlen(desc));
}

/*
 * qemu-ga's CommandNotFound text for the command named by req: disabled 0
 * (unknown), 1 (disabled, with the freeze's reason), 2 (disabled by config).
 */
static void not_found(struct gd_agent *a, struct gd_conn *c,
		      const struct gd_qga_req *req, int disabled)
{
	char name[GD_QGA_DESC_MAX / 2];
	uint8_t desc[GD_QGA_DESC_MAX]; /* the name may hold a NUL */
	const char *head = disabled ? "Command " : "The command ";
	const char *tail = disabled ? " has been disabled" : " has not been found";
	const char *why = disabled == 1 ? gd_qga_fs_disabled_why(a) : NULL;
	long n = gd_qga_get_str(req, req->execute, name, sizeof name);
	struct gd_buf d;

	if (n < 0) /* longer than any command: shown cut short */
		n = snprintf(name, sizeof name, "%.*s", (int)sizeof name - 1,
			     req->js + req->tok[req->execute].start);
	gd_buf_init(&d, desc, sizeof desc);
	gd_buf_put(&d, head, strlen(head));
	gd_buf_put(&d, name, (size_t)n);
	gd_buf_put(&d, tail, strlen(tail));
	if (why) { /* QEMU: "Command %s has been disabled: %s" */
		gd_buf_put(&d, ": ", 2);
		gd_buf_put(&d, why, strlen(why));
	}
	write_error_n(a, c, req, "CommandNotFound", (const char *)desc, d.len);
}

static const struct gd_qga_cmd *find_cmd(const struct gd_qga_req *req)
{
	size_t n;
	const struct gd_qga_cmd *cmds = gd_qga_cmds(&n);

	for (size_t i = 0; i < n; i++)
		if (gd_qga_str_eq(req, req->execute, cmds[i].name))
			return &cmds[i];
	return NULL;
}

/* Run cmd and write its response (or nothing, for a silent success). */
static void run(struct gd_agent *a, struct gd_conn *c,
		const struct gd_qga_cmd *cmd, struct gd_qga_req *req)
{
	struct gd_buf view;
	struct gd_json j;
	struct gd_qga_call call = { .agent = a, .conn = c, .req = req,
				    .j = &j };

	gd_out_line_begin(c, &view, GD_QGA_RESP_MAX);
	if (cmd->delimited)
		gd_buf_put_u8(&view, GD_JF_RESYNC_BYTE);
	gd_json_init_qmp(&j, &view);
	gd_json_obj_begin(&j);
	gd_json_key(&j, "return");
	if (cmd->fn(&call)) {
		write_error(a, c, req, call.err_class, call.err_desc);
		return;
	}
	if (call.no_response)
		return;
	if (req->id >= 0) {
		gd_json_key(&j, "id");
		gd_qga_write_value(req, req->id, &j);
	}
	gd_json_obj_end(&j);
	if (!gd_json_ok(&j) || gd_out_line_end(c, &view))
		write_error(a, c, req, "GenericError", RESP_TOO_BIG);
}

static void request(struct gd_agent *a, struct gd_conn *c, const char *text,
		    size_t len)
{
	static struct gd_qga_req req;
	const struct gd_qga_cmd *cmd;

	a->net->stats.frames++;
	if (gd_qga_parse(&req, text, len, tokens, GD_QGA_MAX_TOKENS)) {
		write_error(a, c, &req, "GenericError", req.desc);
		return;
	}
	cmd = find_cmd(&req);
	if (cmd && cmd->enabled && !gd_qga_rpc_enabled(a, cmd->name)) {
		not_found(a, c, &req, 2); /* qga-allow/block-rpcs: no reason */
		return;
	}
	if (!cmd || !cmd->enabled || !gd_qga_fs_allowed(a, cmd->name)) {
		not_found(a, c, &req, cmd != NULL);
		return;
	}
	if (gd_qga_check_args(&req, cmd->params, cmd->nparams)) {
		write_error(a, c, &req, "GenericError", req.desc);
		return;
	}
	run(a, c, cmd, &req);
}

/* No whole-request deadline: qemu-ga has none. */
static int qga_process(struct gd_agent *a, struct gd_conn *c)
{
	const char *text;
	size_t len;

	while (gd_out_room(c) >= GD_QGA_RESP_MAX) {
		switch (gd_jf_next(&c->sess.in->qga, &text, &len)) {
		case GD_JF_NEED:
			return 0;
		case GD_JF_TEXT:
			request(a, c, text, len);
			break;
		case GD_JF_RESYNC:
			write_error(a, c, NULL, "GenericError",
				    "JSON parse error, stray '\xff'");
			break;
		case GD_JF_TOO_BIG:
			write_error(a, c, NULL, "GenericError",
				    "JSON token size limit exceeded");
			break;
		case GD_JF_TOO_DEEP:
			write_error(a, c, NULL, "GenericError",
				    "JSON nesting depth limit exceeded");
			break;
		default:
			write_error(a, c, NULL, "GenericError",
				    "JSON parse error, expecting value");
			break;
		}
	}
	return 1;
}

static void qga_in_reset(union gd_conn_in *in)
{
	gd_jf_init(&in->qga);
}

static uint8_t *qga_in_space(union gd_conn_in *in, size_t *room)
{
	return (uint8_t *)gd_jf_space(&in->qga, room);
}

static void qga_in_commit(struct gd_conn *c, size_t n)
{
	gd_jf_commit(&c->sess.in->qga, n);
}

const struct gd_proto_ops gd_qga_ops = {
	.answer_max = GD_QGA_RESP_MAX,
	.in_reset = qga_in_reset,
	.in_space = qga_in_space,
	.in_commit = qga_in_commit,
	.process = qga_process,
};
