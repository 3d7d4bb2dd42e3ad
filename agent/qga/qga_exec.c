/*
 * guest-exec and guest-exec-status as qemu-ga answers them: the process
 * runs from a slot of exec.h, its output comes back base64-encoded once
 * it has exited, and the slot is freed by that report. capture-output
 * takes qemu-ga 8.1's modes (none, stdout, stderr, separated, merged) as
 * well as the older true/false.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "base64.h"
#include "exec.h"
#include "qga_ops.h"

#define QGA_EXEC_STRINGS_MAX 16384 /* path, arg and env bytes, NULs included */
#define QGA_EXEC_WORDS_MAX GD_QGA_MAX_TOKENS /* arg or env entries */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Response room the output may take: both streams with the envelope. */
_Static_assert(2 * GD_B64_ENC_LEN(GD_EXEC_CAPTURE_MAX) + 1024 <= GD_QGA_RESP_MAX,
	       "guest-exec-status output must fit in one response line");
_Static_assert(GD_B64_ENC_LEN(GD_EXEC_INPUT_MAX) + 4096 <= GD_JF_TEXT_MAX,
	       "guest-exec input-data must fit in one request text");

extern char **environ;

struct words {
	char arena[QGA_EXEC_STRINGS_MAX];
	size_t used;
	char *argv[QGA_EXEC_WORDS_MAX + 2];
	char *envp[QGA_EXEC_WORDS_MAX + 1];
};

static int put_word(struct gd_qga_call *call, struct words *w, int tok,
		    char **slot)
{
	long n = gd_qga_get_str(call->req, tok, w->arena + w->used,
				sizeof w->arena - w->used);

	if (n < 0)
		return gd_qga_fail(call, "GenericError",
				   "path, arg and env take more than %d bytes",
				   QGA_EXEC_STRINGS_MAX);
	*slot = w->arena + w->used;
	w->used += (size_t)n + 1;
	return 0;
}

/* The strings of array argument name into v[] (NULL-ended). */
static int put_list(struct gd_qga_call *call, struct words *w,
		    const char *name, char **v)
{
	int list = gd_qga_arg(call->req, name), k = list + 1, n = 0;

	for (int m = 0; list >= 0 && m < call->req->tok[list].size;
	     m++, k = gd_qga_skip(call->req, k))
		if (put_word(call, w, k, &v[n++]))
			return -1;
	v[n] = NULL;
	return 0;
}

static const char *const modes[] = { "none", "stdout", "stderr", "separated",
				     "merged" };
static const int mode_caps[] = { 0, GD_EXEC_CAP_OUT, GD_EXEC_CAP_ERR,
				 GD_EXEC_CAP_OUT | GD_EXEC_CAP_ERR,
				 GD_EXEC_CAP_OUT | GD_EXEC_CAP_MERGED };

static int capture_mode(struct gd_qga_call *call, int *cap)
{
	int v = gd_qga_arg(call->req, "capture-output"), b;
	char s[16];

	*cap = 0;
	if (v < 0)
		return 0;
	if (gd_qga_get_bool(call->req, v, &b) == 0)
		return *cap = b ? GD_EXEC_CAP_OUT | GD_EXEC_CAP_ERR : 0, 0;
	if (call->req->tok[v].type != GD_QGA_STRING)
		return gd_qga_fail(call, "GenericError",
				   "Invalid parameter type for 'capture-output', "
				   "expected: GuestExecCaptureOutput");
	if (gd_qga_get_str(call->req, v, s, sizeof s) >= 0)
		for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++)
			if (strcmp(s, modes[i]) == 0)
				return *cap = mode_caps[i], 0;
	return gd_qga_fail(call, "GenericError",
			   "Parameter 'capture-output' does not accept value '%.64s'",
			   s);
}

/* PATH from the child's environment when it has one, as glib's spawn. */
static const char *search_path(char *const *envp)
{
	const char *p;

	for (; envp && *envp; envp++)
		if (strncmp(*envp, "PATH=", 5) == 0)
			return *envp + 5;
	p = getenv("PATH");
	return p ? p : DEFAULT_PATH;
}

int gd_qga_cmd_exec(struct gd_qga_call *call)
{
	static struct words w;
	static uint8_t input[GD_EXEC_INPUT_MAX];
	struct gd_exec_spec s = { .argv = w.argv, .input = input };
	char err[GD_QGA_DESC_MAX - 64];
	long n = 0;
	pid_t pid;

	w.used = 0;
	if (put_word(call, &w, gd_qga_arg(call->req, "path"), &w.argv[0]) ||
	    put_list(call, &w, "arg", w.argv + 1) ||
	    put_list(call, &w, "env", w.envp) || capture_mode(call, &s.capture))
		return -1;
	s.has_input = gd_qga_arg(call->req, "input-data") >= 0;
	if (s.has_input &&
	    (n = gd_qga_arg_b64(call, "input-data", input, sizeof input)) < 0)
		return -1;
	s.input_len = (size_t)n;
	s.envp = gd_qga_arg(call->req, "env") >= 0 ? w.envp : environ;
	s.path = search_path(s.envp);
	pid = gd_exec_start(&s, err, sizeof err);
	if (pid < 0)
		return gd_qga_fail(call, "GenericError",
				   "Guest agent command failed, error was '%s'", err);
	gd_json_obj_begin(call->j);
	gd_json_key(call->j, "pid");
	gd_json_i64(call->j, pid);
	gd_json_obj_end(call->j);
	return 0;
}

static void data(struct gd_json *j, const char *key,
		 const struct gd_exec_stream *st)
{
	static char b64[GD_B64_ENC_LEN(GD_EXEC_CAPTURE_MAX) + 1];
	long n;

	if (st->len == 0)
		return; /* qemu-ga leaves out empty output */
	n = gd_b64_encode(st->buf, st->len, b64, sizeof b64);
	gd_json_key(j, key);
	gd_json_strn(j, b64, (size_t)(n < 0 ? 0 : n));
}

static void truncated(struct gd_json *j, const char *key,
		      const struct gd_exec_stream *st)
{
	if (!st->truncated)
		return;
	gd_json_key(j, key);
	gd_json_bool(j, 1);
}

/* The exited process's report, members in qemu-ga's order. */
static void report(struct gd_json *j, const struct gd_exec_slot *s)
{
	if (WIFEXITED(s->status)) {
		gd_json_key(j, "exitcode");
		gd_json_i64(j, WEXITSTATUS(s->status));
	}
	data(j, "err-data", &s->err);
	data(j, "out-data", &s->out);
	truncated(j, "err-truncated", &s->err);
	if (WIFSIGNALED(s->status)) {
		gd_json_key(j, "signal");
		gd_json_i64(j, WTERMSIG(s->status));
	}
	truncated(j, "out-truncated", &s->out);
}

int gd_qga_cmd_exec_status(struct gd_qga_call *call)
{
	int64_t pid = 0;
	struct gd_exec_slot *s;
	int done;

	gd_qga_get_int(call->req, gd_qga_arg(call->req, "pid"), &pid);
	s = pid > 0 && pid <= INT32_MAX ? gd_exec_find((pid_t)pid) : NULL;
	if (!s)
		return gd_qga_fail(call, "GenericError", "Invalid parameter 'pid'");
	done = gd_exec_done(s);
	gd_json_obj_begin(call->j);
	if (done)
		report(call->j, s);
	gd_json_key(call->j, "exited");
	gd_json_bool(call->j, done);
	gd_json_obj_end(call->j);
	if (done && gd_json_ok(call->j))
		gd_exec_release(s);
	return 0;
}
