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

#define GD_REFUSAL_LOG_BURST 5          /* refusals logged per window */
#define GD_REFUSAL_LOG_WINDOW_NS 1000000000u

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

/* A burst of refused peers must not flood the log (or /dev/kmsg). */
static void log_refusal(struct gd_agent *a, const char *who)
{
	uint64_t now = gd_clock_ns(CLOCK_MONOTONIC);

	a->refusals++;
	if (now - a->refusals_logged_at >= GD_REFUSAL_LOG_WINDOW_NS) {
		if (a->refusals_unlogged)
			gd_logf(&a->log, GD_LOG_WARN,
				"%u more peers refused (not logged one by one)",
				a->refusals_unlogged);
		a->refusals_logged_at = now;
		a->refusals_logged = 0;
		a->refusals_unlogged = 0;
	}
	if (a->refusals_logged >= GD_REFUSAL_LOG_BURST) {
		a->refusals_unlogged++;
		return;
	}
	a->refusals_logged++;
	gd_logf(&a->log, GD_LOG_WARN, "refused %s", who);
}

static void refuse(struct gd_agent *a, int fd, const char *who)
{
	uint8_t frame[GD_HDR_LEN + 64];
	struct gd_buf b;
	struct gd_frame_writer w;
	struct gd_hdr h = { .version = GD_PROTO_VERSION,
			    .flags = GD_F_RESPONSE,
			    .status = GD_S_NOT_PERMITTED };

	gd_buf_init(&b, frame, sizeof frame);
	gd_frame_begin(&w, &b, &h);
	gd_tlv_str(&w, GD_T_MESSAGE, "peer not allowed by guestd's policy");
	gd_frame_end(&w);
	if (send(fd, b.data, b.len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
	    errno != EAGAIN && errno != EPIPE && errno != ECONNRESET)
		gd_logf(&a->log, GD_LOG_DEBUG, "refusal not sent: %s",
			strerror(errno));
	close(fd);
	log_refusal(a, who);
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

static int admit_unix(struct gd_agent *a, int fd)
{
	struct ucred cr;
	socklen_t len = sizeof cr;
	char who[96];

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) ||
	    len != sizeof cr) {
		snprintf(who, sizeof who, "unix peer: no credentials (%s)",
			 strerror(errno));
		refuse(a, fd, who);
		return 1;
	}
	if (gd_peer_cred_allowed(&a->peers, cr.uid, cr.gid))
		return 0;
	snprintf(who, sizeof who,
		 "unix peer uid %u gid %u pid %d (not root, allow-uid or allow-gid)",
		 cr.uid, cr.gid, (int)cr.pid);
	refuse(a, fd, who);
	return 1;
}

int gd_peer_admit(struct gd_agent *a, const struct gd_listener *l, int fd,
		  const struct sockaddr_storage *ss)
{
	if (l->local)
		return 0;
	if (l->kind == GD_LK_VSOCK)
		return admit_vsock(a, fd, ss);
	if (l->kind == GD_LK_UNIX)
		return admit_unix(a, fd);
	refuse(a, fd, "peer on a listener kind without a peer policy");
	return 1;
}
