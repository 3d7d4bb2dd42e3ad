/*
 * The QGA filesystem commands (issue 17), with the names, shapes and
 * error texts of qemu-ga 7.2. qga_fs.c: guest-fsfreeze-status, -freeze,
 * -freeze-list, -thaw and guest-fstrim; qga_fsinfo.c: guest-get-fsinfo
 * and guest-get-disks. While filesystems are frozen only qemu-ga's
 * allow-list is served; any other command is answered as disabled.
 */
#ifndef GD_QGA_FS_H
#define GD_QGA_FS_H

#include "qga.h"

#define GD_QGA_FS_LIST_MAX 64      /* mountpoints in a freeze-list */
#define GD_QGA_FS_LIST_BYTES 16384 /* their bytes, NULs included */

/* 1 when command name may run now (always, unless frozen). */
int gd_qga_fs_allowed(const struct gd_agent *a, const char *name);
/* qemu-ga's reason for a command refused while frozen, else NULL. */
const char *gd_qga_fs_disabled_why(const struct gd_agent *a);

int gd_qga_cmd_fsfreeze_status(struct gd_qga_call *call);
int gd_qga_cmd_fsfreeze_freeze(struct gd_qga_call *call);
int gd_qga_cmd_fsfreeze_freeze_list(struct gd_qga_call *call);
int gd_qga_cmd_fsfreeze_thaw(struct gd_qga_call *call);
int gd_qga_cmd_fstrim(struct gd_qga_call *call);
int gd_qga_cmd_get_fsinfo(struct gd_qga_call *call);
int gd_qga_cmd_get_disks(struct gd_qga_call *call);

extern const struct gd_qga_param gd_qga_freeze_list_params[1];
extern const struct gd_qga_param gd_qga_fstrim_params[1];

#endif
