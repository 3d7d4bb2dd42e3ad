/*
 * QGA commands beyond the first set (issue 17), one file per concern.
 * Each is a gd_qga_fn (qga.h): it writes its "return" value with
 * call->j, or returns gd_qga_fail(). docs/qga.md lists their bounds.
 */
#ifndef GD_QGA_OPS_H
#define GD_QGA_OPS_H

#include "qga.h"

/* qga_sys.c: processors, load, memory blocks. */
int gd_qga_cmd_get_vcpus(struct gd_qga_call *call);
int gd_qga_cmd_set_vcpus(struct gd_qga_call *call);
int gd_qga_cmd_get_load(struct gd_qga_call *call);
int gd_qga_cmd_get_cpustats(struct gd_qga_call *call);
int gd_qga_cmd_get_memory_blocks(struct gd_qga_call *call);
int gd_qga_cmd_get_memory_block_info(struct gd_qga_call *call);

/* qga_users.c: guest-get-users. */
int gd_qga_cmd_get_users(struct gd_qga_call *call);

/* qga_exec.c: guest-exec, guest-exec-status (exec.h holds the slots). */
int gd_qga_cmd_exec(struct gd_qga_call *call);
int gd_qga_cmd_exec_status(struct gd_qga_call *call);

/* qga_file.c: guest-file-*, a fixed table of handles. */
int gd_qga_cmd_file_open(struct gd_qga_call *call);
int gd_qga_cmd_file_close(struct gd_qga_call *call);
int gd_qga_cmd_file_read(struct gd_qga_call *call);
int gd_qga_cmd_file_write(struct gd_qga_call *call);
int gd_qga_cmd_file_seek(struct gd_qga_call *call);
int gd_qga_cmd_file_flush(struct gd_qga_call *call);

/* qga_diskstats.c: guest-get-diskstats. */
int gd_qga_cmd_get_diskstats(struct gd_qga_call *call);

/* qga_memblk.c: guest-set-memory-blocks. */
int gd_qga_cmd_set_memory_blocks(struct gd_qga_call *call);
extern const struct gd_qga_param gd_qga_memblk_params[1];

/* qga_suspend.c: guest-suspend-*, answered by silence (a child writes). */
int gd_qga_cmd_suspend_disk(struct gd_qga_call *call);
int gd_qga_cmd_suspend_ram(struct gd_qga_call *call);
int gd_qga_cmd_suspend_hybrid(struct gd_qga_call *call);

/* qga_creds.c: guest-set-user-password; /etc/passwd lookups. */
#define GD_QGA_USER_MAX 256 /* bytes in a username argument */
struct gd_pw;
int gd_qga_cmd_set_user_password(struct gd_qga_call *call);
extern const struct gd_qga_param gd_qga_password_params[3];
/* user's /etc/passwd entry: 0, or a GD_PW_* error (pwfile.h). */
int gd_qga_passwd_find(const char *user, struct gd_pw *pw);

/* qga_ssh.c: guest-ssh-*-authorized-keys. */
int gd_qga_cmd_ssh_get_keys(struct gd_qga_call *call);
int gd_qga_cmd_ssh_add_keys(struct gd_qga_call *call);
int gd_qga_cmd_ssh_remove_keys(struct gd_qga_call *call);
extern const struct gd_qga_param gd_qga_ssh_get_params[1];
extern const struct gd_qga_param gd_qga_ssh_add_params[3];
extern const struct gd_qga_param gd_qga_ssh_params[2];

/*
 * qga_rpcs.c: 0 when the qga-allow-rpcs / qga-block-rpcs keys turn
 * command name off (answered as disabled, enabled:false in guest-info).
 */
int gd_qga_rpc_enabled(const struct gd_agent *a, const char *name);

/*
 * qga_bytes.c: argument name, a base64 string, decoded into out[cap]:
 * its length, or -1 after gd_qga_fail (bad base64, more than cap bytes).
 */
long gd_qga_arg_b64(struct gd_qga_call *call, const char *name, uint8_t *out,
		    size_t cap);

#endif
