/* guestd: startup, configuration and the run loop. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buildopts.h"
#include "conn.h"
#include "fsfreeze_svc.h"
#include "gate.h"
#include "kv.h"
#include "pid1.h"
#include "sysinfo.h"
#include "time_svc.h"
#include "transport.h"
#include "uevents.h"

static struct gd_agent agent;
static struct gd_net net; /* the connection area's state: agent.net */
/* Each service's state, by pointer in agent (agent.h). */
static struct gd_time_state time_state;
static struct gd_pid1 pid1_state;
static struct gd_kv kv_state;
static struct gd_fsf_state fsfreeze_state;

static void report(void *ctx, const char *where, int line, const char *msg)
{
	struct gd_agent *a = ctx;

	if (line)
		gd_logf(&a->log, GD_LOG_WARN, "%s line %d: %s", where, line, msg);
	else
		gd_logf(&a->log, GD_LOG_WARN, "%s: %s", where, msg);
}

static void usage(FILE *out)
{
	size_t count;
	const struct gd_cfg_key *k = gd_cfg_keys(&count);

	fprintf(out, "usage: guestd [FLAGS] [-- CMD ARGS...]\n\n"
		     "Guest agent serving the host over AF_VSOCK and unix sockets.\n"
		     "Every flag is also a config key: KEY=VALUE in the config file,\n"
		     "guestd.KEY=VALUE on the kernel command line.\n\nflags:\n");
	for (size_t i = 0; i < count; i++) {
		char left[64];

		snprintf(left, sizeof left, "--%s%s%s", k[i].name,
			 k[i].arg ? " " : "", k[i].arg ? k[i].arg : "");
		fprintf(out, "  %-24s %s\n", left, k[i].help);
	}
	fprintf(out, "  %-24s %s\n  %-24s %s\n", "--help", "show this help",
		"--version", "print the version");
}

static void read_config_file(struct gd_agent *a, const char *path, int which)
{
	static char text[GD_CFG_TEXT_MAX];
	long n = gd_read_small_file(path, text, sizeof text);

	if (n < 0) {
		if (errno != ENOENT)
			gd_logf(&a->log, GD_LOG_WARN, "cannot read %s: %s", path,
				strerror(errno));
		return;
	}
	if (which == GD_SRC_FILE)
		gd_config_parse_file(&a->cfg, text, (size_t)n, report, a);
	else
		gd_config_parse_cmdline(&a->cfg, text, (size_t)n, report, a);
}

/*
 * A build without the QEMU guest agent protocol (make GD_QGA=0) refuses
 * every qga-* key set anywhere, by name; 1 when one was. As PID 1 it goes
 * on without it. The default port (qga-serial) is then not looked for.
 */
static int left_out(struct gd_agent *a)
{
#if GD_QGA
	(void)a;
	return 0;
#else
	struct gd_config d; /* the defaults, to compare with */
	const struct gd_cfg_key *k;
	size_t n;
	int bad = 0;

	gd_config_defaults(&d);
	k = gd_cfg_keys(&n);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(k[i].name, "qga-", 4) != 0 ||
		    memcmp((const char *)&a->cfg + k[i].offset,
			   (const char *)&d + k[i].offset, k[i].size) == 0)
			continue;
		gd_logf(&a->log, GD_LOG_ERR, "%s: this guestd was built without "
			"the QEMU guest agent protocol (make GD_QGA=0)",
			k[i].name);
		bad = 1;
	}
	a->cfg.qga_serial[0] = '\0';
	return bad;
#endif
}

/* Returns the index of the first workload argument, or -1 to exit(2). */
static int configure(struct gd_agent *a, int argc, char **argv)
{
	int argi = 1;

	gd_config_defaults(&a->cfg);
	gd_log_setup(a);
	if (gd_config_parse_args(&a->cfg, argc, argv, &argi, report, a) &&
	    !a->is_pid1)
		return -1;
	gd_log_setup(a);
	if (a->is_pid1)
		gd_pid1_early(a); /* mounts /proc, where the cmdline is */
	read_config_file(a, a->cfg.conf_path, GD_SRC_FILE);
	read_config_file(a, a->cfg.cmdline_path, GD_SRC_CMDLINE);
	if (gd_log_level_parse(a->cfg.log_level) < 0)
		gd_logf(&a->log, GD_LOG_WARN, "unknown log level '%s'",
			a->cfg.log_level);
	gd_log_setup(a);
	if (left_out(a) && !a->is_pid1)
		return -1;
	return argi;
}

/*
 * Words after "--" are the workload. Other leftovers are an error, except
 * as PID 1, where the kernel passes init the words it does not know.
 */
static int workload_args(struct gd_agent *a, int argc, char **argv, int argi,
			 int *wargc)
{
	*wargc = 0;
	if (argi >= argc)
		return 0;
	if (strcmp(argv[argi - 1], "--") == 0) {
		*wargc = argc - argi;
		return 0;
	}
	gd_logf(&a->log, a->is_pid1 ? GD_LOG_INFO : GD_LOG_ERR,
		"unexpected argument '%s' (a workload goes after --)%s",
		argv[argi], a->is_pid1 ? ": ignored" : "");
	return a->is_pid1 ? 0 : -1;
}

static int early_flags(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("guestd %s (protocol %d)\n", GD_AGENT_VERSION,
			       GD_PROTO_VERSION);
			return 0;
		}
	}
	return -1;
}

static void notify_ready(struct gd_agent *a)
{
	char status[GD_NOTIFY_MSG_MAX];

	snprintf(status, sizeof status,
		 "READY=1\nSTATUS=guestd %s serving%s%s%s%s%s",
		 GD_AGENT_VERSION, a->cfg.vsock ? " vsock" : "",
		 a->cfg.unix_path[0] ? " unix:" : "", a->cfg.unix_path,
		 a->cfg.serial[0] ? " serial:" : "", a->cfg.serial);
	gd_notify(a, status);
}

int main(int argc, char **argv)
{
	struct gd_agent *a = &agent;
	int rc = gd_personality_main(argc, argv), argi, wargc;

	a->net = &net;
	a->time = &time_state;
	a->init = &pid1_state;
	a->kv = &kv_state;
	a->fsfreeze = &fsfreeze_state;

	if (rc >= 0)
		return rc;
	/* the same binary is the guest's KV client (never when PID 1) */
	if (argc > 1 && strcmp(argv[1], "kv") == 0 && getpid() != 1) {
#if GD_KV_CLI
		return gd_kv_cli(argc - 1, argv + 1);
#else
		fprintf(stderr, "guestd kv: this guestd was built without the "
			"KV client (make GD_KV_CLI=0)\n");
		return 2;
#endif
	}
	if (getpid() != 1) /* PID 1 must not exit for --help */
		rc = early_flags(argc, argv);
	if (rc >= 0)
		return rc;
	a->is_pid1 = getpid() == 1;
	a->start_ns = gd_clock_ns(CLOCK_MONOTONIC);
	argi = configure(a, argc, argv);
	if (argi < 0 || workload_args(a, argc, argv, argi, &wargc) ||
	    (gd_pid1_setup(a, wargc, argv + argi) && !a->is_pid1)) {
		fprintf(stderr, "guestd: bad flags (see guestd --help)\n");
		return 2;
	}
	gd_conns_init(a);
	gd_fsfreeze_start(a);
	if ((gd_peer_setup(a) | gd_auth_setup(a)) && !a->is_pid1)
		return 1;
	if (gd_signals_setup(a)) {
		gd_logf(&a->log, GD_LOG_ERR, "signal setup: %s", strerror(errno));
		if (!a->is_pid1)
			return 1;
	}
	gd_entropy_kick(a);
	if (gd_listeners_open(a) && !a->is_pid1) {
		gd_listeners_close(a);
		return 1;
	}
	gd_uevents_open(a);
	gd_serial_open(a);
	gd_pb_open(a);
	gd_kv_start(a);
	if (a->net->nlisteners == 0 && !a->cfg.serial[0])
		gd_logf(&a->log, GD_LOG_WARN, "no listener is open");
	gd_time_init(a);
	gd_logf(&a->log, GD_LOG_INFO, "guestd %s ready%s", GD_AGENT_VERSION,
		a->is_pid1 ? " as PID 1" : "");
	notify_ready(a);
	gd_pid1_start(a);
	gd_loop_run(a);
	gd_fsfreeze_release(a, "guestd stopping");
	gd_notify(a, "STOPPING=1");
	gd_time_close(a);
	gd_pb_close(a);
	gd_uevents_close(a);
	gd_listeners_close(a);
	gd_logf(&a->log, GD_LOG_INFO, "stopped");
	return a->exit_code;
}
