/*
 * Configuration: one table of keys, three sources, one precedence.
 *
 *   command-line flags  >  kernel command line guestd.KEY=VALUE
 *                       >  /etc/guestd.conf KEY=VALUE lines  >  defaults
 *
 * Each key remembers the source that last set it; a lower source can no
 * longer change it, so the sources may be applied in any order. List keys
 * (GD_CT_LIST) append within one source and are replaced by a higher one.
 * The parsers take text, not files: the caller reads and owns everything.
 * Errors go to the caller's report function and parsing goes on.
 */
#ifndef GD_CONFIG_H
#define GD_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define GD_CFG_PATH_MAX 108   /* sun_path size */
#define GD_CFG_STR_MAX 256
#define GD_CFG_LIST_MAX 2048  /* list entries joined by '\n' */
#define GD_CFG_TEXT_MAX 16384 /* largest config file or cmdline read */
#define GD_CFG_LINE_MAX 4096  /* longest line of a config file */
#define GD_DEFAULT_CONF "/etc/guestd.conf"
#define GD_DEFAULT_QGA_SERIAL "org.qemu.guest_agent.0" /* QEMU's name */
#define GD_DEFAULT_LOCAL_SOCK "/run/guestd.sock"
#define GD_CFG_MAX_KEYS 64
#define GD_CFG_EXEC_MAX 1024  /* exec= and shutdown-cmd= command lines */
#define GD_CFG_ID_MAX 33      /* uid=/gid=: a name (32) or a number */
#define GD_CFG_HOSTNAME_MAX 64 /* HOST_NAME_MAX */
#define GD_CFG_RESTART_DELAY_MAX_MS 3600000u
#define GD_FRAME_DEADLINE_MIN_MS 100     /* frame-deadline-ms bounds */
#define GD_FRAME_DEADLINE_MAX_MS 600000

enum gd_cfg_src {
	GD_SRC_DEFAULT = 0,
	GD_SRC_FILE = 1,
	GD_SRC_CMDLINE = 2,
	GD_SRC_FLAG = 3
};

enum gd_cfg_type {
	GD_CT_BOOL,  /* 1/0, yes/no, true/false, on/off; --no-KEY sets 0 */
	GD_CT_UINT,  /* decimal or 0x hex, within [min, max] */
	GD_CT_STR,   /* any text up to the field size */
	GD_CT_LIST   /* one entry per occurrence, or comma-separated if split */
};

struct gd_config {
	uint32_t vsock_port;
	uint32_t vsock;
	char unix_path[GD_CFG_PATH_MAX];
	char log_level[16];
	char conf_path[GD_CFG_PATH_MAX];
	char cmdline_path[GD_CFG_PATH_MAX];
	char serial[GD_CFG_PATH_MAX];
	char notify[GD_CFG_PATH_MAX];
	char local_sock[GD_CFG_PATH_MAX];  /* guest-local socket ("" = none) */
	char kv_allow_uid[GD_CFG_STR_MAX]; /* list: uids allowed on local_sock */
	char kv_allow_gid[GD_CFG_STR_MAX]; /* list: gids allowed on local_sock */
	char state_dir[GD_CFG_STR_MAX];    /* KV persistence ("" = memory) */
	char qga_unix[GD_CFG_PATH_MAX];  /* QGA protocol on a unix socket */
	uint32_t qga_vsock_port;         /* QGA protocol on AF_VSOCK, 0 off */
	char qga_serial[GD_CFG_PATH_MAX]; /* QGA virtio-serial port, "" off */
	char qga_allow_rpcs[GD_CFG_LIST_MAX]; /* list: only these QGA commands */
	char qga_block_rpcs[GD_CFG_LIST_MAX]; /* list: QGA commands turned off */
	uint32_t timesync_port; /* libkrun time sync datagrams; 0 = off */
	uint32_t time_discipline; /* learn and correct the clock's frequency */
	/* PID 1 duties and the workload (docs/pid1.md) */
	char exec[GD_CFG_EXEC_MAX];
	char env[GD_CFG_LIST_MAX];
	char workdir[GD_CFG_STR_MAX];
	char uid[GD_CFG_ID_MAX];
	char gid[GD_CFG_ID_MAX];
	char on_exit[16];
	uint32_t restart_delay_ms;
	char ctrl_alt_del[16];
	char qga_trust[16];              /* "key" (default) or "channel" */
	char power_button[16];           /* poweroff, reboot, halt, ignore */
	char stop_signal[24];            /* first signal of a shutdown */
	uint32_t signal_group;           /* signal the workload's group */
	char signal_rewrite[GD_CFG_STR_MAX]; /* list of FROM:TO signals */
	char exit_remap[GD_CFG_STR_MAX];     /* list of FROM:TO exit codes */
	char descendants[16];            /* kill, wait or leave */
	uint32_t shutdown_grace_ms;
	char hostname[GD_CFG_HOSTNAME_MAX + 1];
	char modules[GD_CFG_LIST_MAX];
	char shutdown_cmd[GD_CFG_EXEC_MAX];
	char log_to[16];
	uint32_t frame_deadline_ms;   /* 0: the built-in GD_FRAME_DEADLINE_MS */
	char key_file[GD_CFG_PATH_MAX];
	char allow_cid[GD_CFG_STR_MAX];
	char allow_uid[GD_CFG_STR_MAX];
	char allow_gid[GD_CFG_STR_MAX];
	/* guest-fsfreeze-* (agent/fsfreeze/fsfreeze_svc.c) */
	uint32_t fsfreeze_timeout;          /* s until a freeze thaws by itself */
	char fsfreeze_hook_dir[GD_CFG_PATH_MAX]; /* "" = no hooks */
	uint32_t fsfreeze_hook_timeout;     /* s for one phase's scripts */
	char fsfreeze_exclude[GD_CFG_LIST_MAX]; /* mountpoints never frozen */
	uint8_t src[GD_CFG_MAX_KEYS]; /* per-key source, indexed like the table */
};

struct gd_cfg_key {
	const char *name;
	enum gd_cfg_type type;
	size_t offset;
	size_t size;
	uint32_t min, max;  /* GD_CT_UINT bounds */
	int split_commas;   /* GD_CT_LIST: "a,b" adds two entries */
	const char *arg;    /* metavariable for --help, NULL for bools */
	const char *help;
};

typedef void (*gd_cfg_report_fn)(void *ctx, const char *where, int line,
				 const char *msg);

/* The key table (for --help and docs) and its length. */
const struct gd_cfg_key *gd_cfg_keys(size_t *count);
const struct gd_cfg_key *gd_cfg_find(const char *name, size_t len);

void gd_config_defaults(struct gd_config *c);

/*
 * Set key=value from source src. Returns 0 when set, 1 when a higher
 * source already holds the key (ignored), -1 on unknown key or bad value
 * with the reason in err[errcap].
 */
int gd_config_set(struct gd_config *c, const char *key, size_t keylen,
		  const char *val, int src, char *err, size_t errcap);

/* Parse config file text (KEY=VALUE lines, '#' comments); returns errors. */
int gd_config_parse_file(struct gd_config *c, const char *text, size_t len,
			 gd_cfg_report_fn report, void *ctx);
/* Parse kernel command line text; only guestd.KEY[=VALUE] is read. */
int gd_config_parse_cmdline(struct gd_config *c, const char *text, size_t len,
			    gd_cfg_report_fn report, void *ctx);
/*
 * Parse --KEY VALUE, --KEY=VALUE, --KEY and --no-KEY flags from argv
 * starting at *argi; stops at the first non-flag or after "--".
 * Returns the number of errors; *argi indexes the first unparsed arg.
 */
int gd_config_parse_args(struct gd_config *c, int argc, char **argv,
			 int *argi, gd_cfg_report_fn report, void *ctx);

/* Iterate a list value: *pos starts at 0; returns entry length, -1 at end. */
int gd_cfg_list_next(const char *list, size_t *pos, const char **entry);

#endif
