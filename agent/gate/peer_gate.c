/* Accept-time peer policy: refuse before reading a byte, and say so. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

#include "gate.h"
#include "sysinfo.h"

int gd_peer_setup(struct gd_agent *a)
{
	char err[128];

	if (gd_peer_policy_load(&a->peers, a->cfg.allow_cid, a->cfg.allow_uid,
				a->cfg.allow_gid, err, sizeof err)) {
		gd_logf(&a->log, GD_LOG_ERR, "peer policy: %s", err);
		return -1;
	}
	return 0;
}

static void refuse(struct gd_agent *a, int fd, const char *who)
{
	gd_out_notice(a, fd, 0, GD_S_NOT_PERMITTED,
		      "peer not allowed by guestd's policy");
	close(fd);
	gd_refusal_log(a, "%s", who);
}

static int admit_vsock(struct gd_agent *a, int fd,
		       const struct sockaddr_storage *ss)
{
	const struct sockaddr_vm *vm = (const void *)ss;
	char who[64];

	if (gd_peer_cid_allowed(&a->peers, vm->svm_cid))
		return 0;
	snprintf(who, sizeof who, "vsock peer CID %u port %u (not in allow-cid)",
		 vm->svm_cid, vm->svm_port);
	refuse(a, fd, who);
	return 1;
}

void gd_peer_cred_read(int fd, struct gd_peer_cred *pc)
{
	socklen_t len = sizeof pc->uc;

	pc->err = 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &pc->uc, &len))
		pc->err = errno;
	else if (len != sizeof pc->uc)
		pc->err = EPROTO;
}

static int admit_unix(struct gd_agent *a, int fd,
		      const struct gd_peer_cred *pc)
{
	const struct ucred *cr = &pc->uc;
	char who[96];

	if (pc->err) {
		snprintf(who, sizeof who, "unix peer: no credentials (%s)",
			 strerror(pc->err));
		refuse(a, fd, who);
		return 1;
	}
	if (gd_peer_cred_allowed(&a->peers, cr->uid, cr->gid))
		return 0;
	snprintf(who, sizeof who,
		 "unix peer uid %u gid %u pid %d (not root, allow-uid or allow-gid)",
		 cr->uid, cr->gid, (int)cr->pid);
	refuse(a, fd, who);
	return 1;
}

int gd_peer_admit(struct gd_agent *a, const struct gd_listener *l, int fd,
		  const struct sockaddr_storage *ss,
		  const struct gd_peer_cred *pc)
{
	if (l->kind == GD_LK_VSOCK)
		return admit_vsock(a, fd, ss);
	if (l->kind == GD_LK_UNIX)
		return admit_unix(a, fd, pc);
	refuse(a, fd, "peer on a listener kind without a peer policy");
	return 1;
}
