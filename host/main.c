/* guestctl: global flags, then one command against the chosen agent. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestctl.h"
#include "targets.h"

static const struct gc_cmd *const commands[] = {
	&gc_cmd_ping,
	&gc_cmd_info,
	&gc_cmd_hyperv_guid,
	&gc_cmd_hyperv_register,
	&gc_cmd_time,
	&gc_cmd_shutdown,
	&gc_cmd_notify_listen,
	&gc_cmd_kv,
	&gc_cmd_wait_ready,
};

static const char *const flag_help[][2] = {
	{ "--unix PATH", "agent's unix socket (or QEMU chardev socket); repeatable" },
	{ "--vsock CID[:PORT]", "agent's AF_VSOCK address (port 2761); repeatable" },
	{ "--hybrid PATH[:PORT]", "Firecracker/Cloud Hypervisor vsock socket: "
				  "CONNECT PORT (2761) first; repeatable" },
	{ "--targets FILE", "targets one a line: unix:PATH, vsock:CID[:PORT], "
			    "hybrid:PATH[:PORT] (- for stdin)" },
	{ "--parallel N", "talk to at most N targets at once (default 64, "
			  "max 1024)" },
	{ "--timeout MS", "give up after MS milliseconds (default 5000)" },
	{ "--json", "print one JSON object per target" },
	{ "--help", "show this help" },
	{ "--version", "print the version" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: guestctl [FLAGS] COMMAND [ARGS]\n\nflags:\n");
	for (size_t i = 0; i < sizeof flag_help / sizeof flag_help[0]; i++)
		fprintf(out, "  %-22s %s\n", flag_help[i][0], flag_help[i][1]);
	fprintf(out, "\ncommands:\n");
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(out, "  %s\n", commands[i]->usage);
	fprintf(out, "\nexit status: 0 ok, 1 agent error, 2 usage, 3 cannot "
		     "connect, 4 timeout, 5 protocol error,\n6 several targets "
		     "and one or more failed (the summary says how many)\n");
}

static int usage_json; /* --json given: usage errors as a JSON object */

static int bad_usage(const char *what, const char *arg)
{
	fprintf(stderr, "guestctl: %s%s%s (see guestctl --help)\n", what,
		arg ? ": " : "", arg ? arg : "");
	if (usage_json)
		gc_json_usage_error(NULL, what, arg);
	return GC_EXIT_USAGE;
}

static int parse_timeout(const char *s, int *ms)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v <= 0 || v > 86400000L)
		return -1;
	*ms = (int)v;
	return 0;
}

/* A flag's value: "--flag=V" or the next argument. */
static const char *flag_value(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

static int is_flag(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return strncmp(arg, name, n) == 0 && (arg[n] == '\0' || arg[n] == '=');
}

static int add_target(struct gc_ctx *ctx, const struct gc_target *t)
{
	return gc_targets_add(ctx, t);
}

static int parse_parallel(const char *s, int *n)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > GC_MAX_PARALLEL)
		return -1;
	*n = (int)v;
	return 0;
}

/* Returns the index of the command word, or -exit_code. */
static int parse_flags(struct gc_ctx *ctx, int argc, char **argv)
{
	struct gc_target t;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v = NULL;

		if (strcmp(a, "--json") == 0) {
			ctx->json = 1;
		} else if (is_flag(a, "--unix")) {
			v = flag_value(argc, argv, &i, "--unix");
			if (!v || gc_target_unix(&t, v) || add_target(ctx, &t))
				return -bad_usage("bad --unix path", v);
		} else if (is_flag(a, "--vsock")) {
			v = flag_value(argc, argv, &i, "--vsock");
			if (!v || gc_target_vsock(&t, v) || add_target(ctx, &t))
				return -bad_usage("bad --vsock CID[:PORT]", v);
		} else if (is_flag(a, "--hybrid")) {
			v = flag_value(argc, argv, &i, "--hybrid");
			if (!v || gc_target_hybrid(&t, v) || add_target(ctx, &t))
				return -bad_usage("bad --hybrid PATH[:PORT]", v);
		} else if (is_flag(a, "--targets")) {
			int rc;

			v = flag_value(argc, argv, &i, "--targets");
			if (!v)
				return -bad_usage("--targets needs a FILE", NULL);
			rc = gc_targets_load(ctx, v);
			if (rc)
				return -bad_usage("bad --targets file", v);
		} else if (is_flag(a, "--parallel")) {
			v = flag_value(argc, argv, &i, "--parallel");
			if (!v || parse_parallel(v, &ctx->parallel))
				return -bad_usage("bad --parallel (1..1024)", v);
		} else if (is_flag(a, "--timeout")) {
			v = flag_value(argc, argv, &i, "--timeout");
			if (!v || parse_timeout(v, &ctx->timeout_ms))
				return -bad_usage("bad --timeout", v);
		} else {
			return -bad_usage("unknown flag", a);
		}
	}
	return i;
}

/* Pick the command and run it; the exit status for main. */
static int run(struct gc_ctx *ctx, int argc, char **argv)
{
	int i = parse_flags(ctx, argc, argv), r;

	if (i < 0)
		return -i;
	if (i >= argc)
		return bad_usage("no command", NULL);
	for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++) {
		if (strcmp(commands[k]->name, argv[i]) != 0)
			continue;
		ctx->cmd = commands[k];
		if (ctx->cmd->local)
			r = ctx->cmd->local(ctx, argc - i, argv + i);
		else
			r = ctx->cmd->parse(ctx, argc - i, argv + i);
		if (r == GC_EXIT_USAGE && ctx->json)
			gc_json_usage_error(ctx->cmd->name,
					    "bad arguments (see stderr)", NULL);
		if (r || ctx->cmd->local)
			return r;
		if (!ctx->ntargets)
			return bad_usage("no target: give --unix PATH, --vsock "
					 "CID[:PORT], --hybrid PATH[:PORT] or "
					 "--targets FILE", NULL);
		return gc_engine_run(ctx);
	}
	return bad_usage("unknown command", argv[i]);
}

int main(int argc, char **argv)
{
	struct gc_ctx ctx = { .timeout_ms = GC_DEFAULT_TIMEOUT_MS,
			      .parallel = GC_DEFAULT_PARALLEL };
	int r;

	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			usage_json = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("guestctl 0.1.0 (protocol %d)\n", GD_PROTO_VERSION);
			return 0;
		}
	}
	r = run(&ctx, argc, argv);
	free(ctx.targets);
	return r;
}
