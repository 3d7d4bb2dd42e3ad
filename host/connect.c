/*
 * Linux side of the transports (see target.h): unix sockets, AF_VSOCK, and
 * the unix socket of a hybrid vsock relay. AF_HYPERV exists only on
 * Windows hosts.
 */
#include "target.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/vm_sockets.h>

const char *gc_target_unavailable(const struct gc_target *t)
{
	if (t->kind == GC_T_HYPERV)
		return "Hyper-V sockets (AF_HYPERV) work from the Windows host "
		       "only (guestctl.exe); from Linux use --vsock CID[:PORT]";
	return NULL;
}

int gc_target_connect(const struct gc_target *t)
{
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	struct sockaddr_vm sv = { .svm_family = AF_VSOCK };
	struct sockaddr *sa;
	socklen_t sl;
	int fd;

	if (gc_target_unavailable(t)) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	if (t->kind != GC_T_VSOCK) { /* unix, and hybrid's relay socket */
		memcpy(su.sun_path, t->path, strlen(t->path) + 1);
		sa = (struct sockaddr *)&su;
		sl = sizeof su;
	} else {
		sv.svm_cid = t->cid;
		sv.svm_port = t->port;
		sa = (struct sockaddr *)&sv;
		sl = sizeof sv;
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, sa, sl) == 0 || errno == EINPROGRESS)
		return fd;
	{
		int err = errno;

		close(fd);
		errno = err;
	}
	return -1;
}
