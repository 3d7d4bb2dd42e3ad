/*
 * Windows side of the transports (see target.h): Hyper-V sockets
 * (AF_HYPERV, docs/hyper-v.md) and unix sockets (AF_UNIX, Windows 10 1803
 * and later). Windows has no AF_VSOCK, so neither vsock nor hybrid vsock.
 */
#include "hvsock_win.h" /* before windows.h; pulls in winsock2.h */
#include <afunix.h>

#include <errno.h>
#include <string.h>

#include "compat.h"
#include "target.h"

const char *gc_target_unavailable(const struct gc_target *t)
{
	if (t->kind == GC_T_VSOCK)
		return "AF_VSOCK is not available on Windows: use --hyperv "
		       "VMID[:PORT] for a Hyper-V guest";
	if (t->kind == GC_T_HYBRID)
		return "hybrid vsock (a Firecracker or Cloud Hypervisor unix "
		       "socket) is not available on Windows: use --hyperv "
		       "VMID[:PORT] for a Hyper-V guest";
	return NULL;
}

/* SOCKADDR_HV for the VM id and the service GUID of the guest's port. */
static void hyperv_addr(const struct gc_target *t, SOCKADDR_HV *sa)
{
	struct gd_sockaddr_hv mirror;

	gd_sockaddr_hv_fill(&mirror, &t->hv_vm, t->port);
	memcpy(sa, &mirror, sizeof *sa); /* same layout: hvsock_win.h */
}

int gc_target_connect(const struct gc_target *t)
{
	SOCKADDR_HV hv;
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	const struct sockaddr *sa;
	int len, fd;

	if (gc_target_unavailable(t)) {
		errno = WSAEAFNOSUPPORT;
		return -1;
	}
	if (t->kind == GC_T_HYPERV) {
		hyperv_addr(t, &hv);
		sa = (const struct sockaddr *)&hv;
		len = sizeof hv;
		fd = gc_win_socket(AF_HYPERV, HV_PROTOCOL_RAW);
	} else {
		memcpy(su.sun_path, t->path, strlen(t->path) + 1);
		sa = (const struct sockaddr *)&su;
		len = sizeof su;
		fd = gc_win_socket(AF_UNIX, 0);
	}
	if (fd < 0)
		return -1;
	if (connect((SOCKET)fd, sa, len) == 0 ||
	    WSAGetLastError() == WSAEWOULDBLOCK)
		return fd;
	{
		int err = gc_win_errno();

		gc_sock_close(fd);
		errno = err;
	}
	return -1;
}
