/* The configuration key table: one row per key, shared by all sources. */
#include "config.h"
#include "fsplan.h"
#include "proto.h"
#include "timesync.h"
#include "proto_pid1.h"

#include <stddef.h>
#include <string.h>

#define STR(field) offsetof(struct gd_config, field), \
	sizeof(((struct gd_config *)0)->field)

static const struct gd_cfg_key keys[] = {
	{ "vsock", GD_CT_BOOL, STR(vsock), 0, 1, 0, NULL,
	  "listen on AF_VSOCK (default on; --no-vsock turns it off)" },
	{ "vsock-port", GD_CT_UINT, STR(vsock_port), 1, 0xfffffffeu, 0, "N",
	  "AF_VSOCK port to listen on (default 2761)" },
	{ "unix", GD_CT_STR, STR(unix_path), 0, 0, 0, "PATH",
	  "also listen on a unix stream socket at PATH" },
	{ "log-level", GD_CT_STR, STR(log_level), 0, 0, 0, "LEVEL",
	  "error, warn, info (default) or debug" },
	{ "config", GD_CT_STR, STR(conf_path), 0, 0, 0, "PATH",
	  "config file to read (default /etc/guestd.conf)" },
	{ "cmdline", GD_CT_STR, STR(cmdline_path), 0, 0, 0, "PATH",
	  "kernel command line to read guestd.* from (default /proc/cmdline)" },
	{ "qga-unix", GD_CT_STR, STR(qga_unix), 0, 0, 0, "PATH",
	  "also speak the QEMU guest agent protocol on a unix socket" },
	{ "qga-vsock-port", GD_CT_UINT, STR(qga_vsock_port), 1, 0xfffffffeu, 0,
	  "N", "also speak the QEMU guest agent protocol on AF_VSOCK port N" },
	{ "qga-trust", GD_CT_STR, STR(qga_trust), 0, 0, 0, "WHO",
	  "with key-file set: key (default) refuses QGA on vsock and unix, "
	  "channel serves it unauthenticated (QGA has no auth)" },
	{ "qga-serial", GD_CT_STR, STR(qga_serial), 0, 0, 0, "PORT",
	  "QEMU guest agent protocol on this virtio-serial port or tty "
	  "(default org.qemu.guest_agent.0 when present; empty: off)" },
	{ "qga-allow-rpcs", GD_CT_LIST, STR(qga_allow_rpcs), 0, 0, 1, "CMD,...",
	  "serve only these QGA commands, the others answer as disabled "
	  "(qemu-ga --allow-rpcs)" },
	{ "qga-block-rpcs", GD_CT_LIST, STR(qga_block_rpcs), 0, 0, 1, "CMD,...",
	  "QGA commands answered as disabled (qemu-ga -b/--block-rpcs)" },
	{ "timesync-port", GD_CT_UINT, STR(timesync_port), 0, 0xfffffffeu, 0,
	  "N", "vsock datagram port for libkrun's time sync (default 123; 0 turns it off)" },
	{ "time-discipline", GD_CT_BOOL, STR(time_discipline), 0, 1, 0, NULL,
	  "learn the clock's frequency error from host syncs and correct it "
	  "(default on)" },
	{ "exec", GD_CT_STR, STR(exec), 0, 0, 0, "CMDLINE",
	  "workload to run (words, quotes kept; `-- CMD ARGS` wins)" },
	{ "env", GD_CT_LIST, STR(env), 0, 0, 0, "NAME=VALUE",
	  "add to the workload's clean environment (repeatable)" },
	{ "workdir", GD_CT_STR, STR(workdir), 0, 0, 0, "DIR",
	  "workload's working directory (default /)" },
	{ "uid", GD_CT_STR, STR(uid), 0, 0, 0, "USER",
	  "run the workload as this user (name or number)" },
	{ "gid", GD_CT_STR, STR(gid), 0, 0, 0, "GROUP",
	  "run the workload with this group (name or number)" },
	{ "on-exit", GD_CT_STR, STR(on_exit), 0, 0, 0, "ACTION",
	  "when the workload exits: poweroff, reboot, halt, restart, stay or "
	  "exit (default poweroff as PID 1, exit otherwise)" },
	{ "restart-delay", GD_CT_UINT, STR(restart_delay_ms), 0,
	  GD_CFG_RESTART_DELAY_MAX_MS, 0, "MS",
	  "wait before on-exit=restart runs it again (default 1000)" },
	{ "ctrl-alt-del", GD_CT_STR, STR(ctrl_alt_del), 0, 0, 0, "ACTION",
	  "SIGINT / Ctrl-Alt-Del as PID 1: poweroff (default) or reboot" },
	{ "power-button", GD_CT_STR, STR(power_button), 0, 0, 0, "ACTION",
	  "ACPI power button as PID 1: poweroff (default), reboot, halt or "
	  "ignore" },
	{ "stop-signal", GD_CT_STR, STR(stop_signal), 0, 0, 0, "SIG",
	  "signal the workload gets first in a shutdown (default SIGTERM)" },
	{ "signal-group", GD_CT_BOOL, STR(signal_group), 0, 1, 0, NULL,
	  "send forwarded and stop signals to the workload's whole process "
	  "group (tini -g)" },
	{ "signal-rewrite", GD_CT_LIST, STR(signal_rewrite), 0, 0, 1,
	  "FROM:TO", "forward signal FROM to the workload as TO; TO 0 drops "
	  "it (dumb-init --rewrite; repeatable)" },
	{ "exit-remap", GD_CT_LIST, STR(exit_remap), 0, 0, 1, "FROM:TO",
	  "exit with TO when the workload's code is FROM; a bare N means N:0 "
	  "(tini -e; repeatable)" },
	{ "descendants", GD_CT_STR, STR(descendants), 0, 0, 0, "POLICY",
	  "not PID 1, once the workload exits: kill (default) or wait for its "
	  "leftover processes, or leave them" },
	{ "shutdown-grace", GD_CT_UINT, STR(shutdown_grace_ms), 0,
	  GD_SD_GRACE_MAX_MS, 0, "MS",
	  "grace after SIGTERM for signal and on-exit shutdowns (default 5000)" },
	{ "hostname", GD_CT_STR, STR(hostname), 0, 0, 0, "NAME",
	  "set the hostname (PID 1 only)" },
	{ "modules", GD_CT_LIST, STR(modules), 0, 0, 1, "A,B",
	  "kernel modules to load in order, paths or names (PID 1 only)" },
	{ "shutdown-cmd", GD_CT_STR, STR(shutdown_cmd), 0, 0, 0, "CMDLINE",
	  "not PID 1: run CMDLINE MODE to shut down instead of asking init" },
	{ "log-to", GD_CT_STR, STR(log_to), 0, 0, 0, "WHERE",
	  "auto (kmsg as PID 1, else stderr), kmsg or stderr" },
	{ "serial", GD_CT_STR, STR(serial), 0, 0, 0, "PORT",
	  "serve on a virtio-serial port by name (org.guestd.0) or a tty path" },
	{ "notify", GD_CT_STR, STR(notify), 0, 0, 0, "ADDR",
	  "sd_notify the host: vsock[-stream|-dgram|-seqpacket]:CID:PORT" },
	{ "local-sock", GD_CT_STR, STR(local_sock), 0, 0, 0, "PATH",
	  "guest-local socket for `guestd kv` (default /run/guestd.sock; "
	  "empty: none)" },
	{ "kv-allow-uid", GD_CT_LIST, STR(kv_allow_uid), 0, 0, 1, "UID,...",
	  "besides root, uids allowed on the local socket" },
	{ "kv-allow-gid", GD_CT_LIST, STR(kv_allow_gid), 0, 0, 1, "GID,...",
	  "gids (primary or supplementary) allowed on the local socket" },
	{ "state-dir", GD_CT_STR, STR(state_dir), 0, 0, 0, "DIR",
	  "keep the host and guest KV pools in DIR across restarts" },
	{ "frame-deadline-ms", GD_CT_UINT, STR(frame_deadline_ms),
	  GD_FRAME_DEADLINE_MIN_MS, GD_FRAME_DEADLINE_MAX_MS, 0, "MS",
	  "close a connection whose frame is not whole within MS (default 5000)" },
	{ "key-file", GD_CT_STR, STR(key_file), 0, 0, 0, "KEYFILE",
	  "require HMAC authentication with the key in PATH (mode 0600)" },
	{ "allow-cid", GD_CT_LIST, STR(allow_cid), 0, 0, 1, "N",
	  "vsock CIDs allowed besides the host's (2); N,N or repeated" },
	{ "allow-uid", GD_CT_LIST, STR(allow_uid), 0, 0, 1, "N",
	  "unix socket peer uids allowed besides root; N,N or repeated" },
	{ "allow-gid", GD_CT_LIST, STR(allow_gid), 0, 0, 1, "N",
	  "unix socket peer gids allowed; N,N or repeated" },
	{ "fsfreeze-timeout", GD_CT_UINT, STR(fsfreeze_timeout), 1,
	  GD_FSF_TIMEOUT_MAX_S, 0, "S",
	  "thaw a guest-fsfreeze-freeze by itself after S seconds when the "
	  "host has not (default 300)" },
	{ "fsfreeze-hook-dir", GD_CT_STR, STR(fsfreeze_hook_dir), 0, 0, 0,
	  "DIR", "scripts run with freeze before a freeze and thaw after a "
	  "thaw (default /etc/qemu/fsfreeze-hook.d; empty: none)" },
	{ "fsfreeze-hook-timeout", GD_CT_UINT, STR(fsfreeze_hook_timeout), 1,
	  GD_FSF_HOOK_TIMEOUT_MAX_S, 0, "S",
	  "time for all hook scripts of a freeze or a thaw (default 10)" },
	{ "fsfreeze-exclude", GD_CT_LIST, STR(fsfreeze_exclude), 0, 0, 1,
	  "PATH,...", "mountpoints (and their filesystems) never frozen" },
};

const struct gd_cfg_key *gd_cfg_keys(size_t *count)
{
	*count = sizeof keys / sizeof keys[0];
	return keys;
}

const struct gd_cfg_key *gd_cfg_find(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

void gd_config_defaults(struct gd_config *c)
{
	memset(c, 0, sizeof *c);
	c->vsock = 1;
	c->vsock_port = GD_DEFAULT_VSOCK_PORT;
	memcpy(c->log_level, "info", 5);
	memcpy(c->conf_path, GD_DEFAULT_CONF, sizeof GD_DEFAULT_CONF);
	memcpy(c->cmdline_path, "/proc/cmdline", sizeof "/proc/cmdline");
	memcpy(c->qga_serial, GD_DEFAULT_QGA_SERIAL,
	       sizeof GD_DEFAULT_QGA_SERIAL);
	c->timesync_port = GD_KRUN_DEFAULT_PORT;
	c->time_discipline = 1;
	c->restart_delay_ms = 1000;
	memcpy(c->ctrl_alt_del, "poweroff", sizeof "poweroff");
	memcpy(c->qga_trust, "key", sizeof "key");
	memcpy(c->power_button, "poweroff", sizeof "poweroff");
	memcpy(c->stop_signal, "SIGTERM", sizeof "SIGTERM");
	memcpy(c->descendants, "kill", sizeof "kill");
	c->shutdown_grace_ms = GD_SD_GRACE_DEFAULT_MS;
	memcpy(c->log_to, "auto", sizeof "auto");
	memcpy(c->local_sock, GD_DEFAULT_LOCAL_SOCK, sizeof GD_DEFAULT_LOCAL_SOCK);
	c->fsfreeze_timeout = GD_FSF_TIMEOUT_DEFAULT_S;
	memcpy(c->fsfreeze_hook_dir, GD_FSF_HOOK_DIR_DEFAULT,
	       sizeof GD_FSF_HOOK_DIR_DEFAULT);
	c->fsfreeze_hook_timeout = GD_FSF_HOOK_TIMEOUT_DEFAULT_S;
}
