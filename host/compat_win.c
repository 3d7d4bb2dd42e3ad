/* Windows side of compat.h: Winsock calls with errno-style errors. */
#define FD_SETSIZE 1024 /* = GC_WIN_POLL_MAX; select()'s sets hold this many */

#include <winsock2.h>
#include <windows.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "compat.h"
#include "engine.h"
#include "fdlimit.h"

_Static_assert(FD_SETSIZE == GC_WIN_POLL_MAX, "select() sets hold GC_WIN_POLL_MAX");
_Static_assert(GC_WIN_POLL_MAX >= GC_MAX_PARALLEL, "--parallel fits one select()");

/* Winsock codes the engine tests for, as the errno values it tests. */
static const struct {
	int wsa, err;
} mapped[] = {
	{ WSAEWOULDBLOCK, EAGAIN },
	{ WSAEINTR, EINTR },
	{ WSAEMFILE, EMFILE },
	{ WSAENOBUFS, ENOBUFS },
	{ WSAEINPROGRESS, EINPROGRESS },
};

/* Names for the codes a connection is most likely to end with. */
static const struct {
	int wsa;
	const char *name;
} names[] = {
	{ WSAEWOULDBLOCK, "WSAEWOULDBLOCK" },
	{ WSAEINTR, "WSAEINTR" },
	{ WSAEMFILE, "WSAEMFILE" },
	{ WSAENOBUFS, "WSAENOBUFS" },
	{ WSAEINPROGRESS, "WSAEINPROGRESS" },
	{ WSAEAFNOSUPPORT, "WSAEAFNOSUPPORT" },
	{ WSAEPROTONOSUPPORT, "WSAEPROTONOSUPPORT" },
	{ WSAEACCES, "WSAEACCES" },
	{ WSAEINVAL, "WSAEINVAL" },
	{ WSAENOTSOCK, "WSAENOTSOCK" },
	{ WSAECONNREFUSED, "WSAECONNREFUSED" },
	{ WSAECONNRESET, "WSAECONNRESET" },
	{ WSAECONNABORTED, "WSAECONNABORTED" },
	{ WSAETIMEDOUT, "WSAETIMEDOUT" },
	{ WSAENETUNREACH, "WSAENETUNREACH" },
	{ WSAEHOSTUNREACH, "WSAEHOSTUNREACH" },
	{ WSAEADDRNOTAVAIL, "WSAEADDRNOTAVAIL" },
	{ WSANOTINITIALISED, "WSANOTINITIALISED" },
};

static int errno_of(int wsa)
{
	for (size_t i = 0; i < sizeof mapped / sizeof mapped[0]; i++)
		if (mapped[i].wsa == wsa)
			return mapped[i].err;
	return wsa;
}

int gc_win_errno(void)
{
	return errno_of(WSAGetLastError());
}

static int wsa_of(int err)
{
	for (size_t i = 0; i < sizeof mapped / sizeof mapped[0]; i++)
		if (mapped[i].err == err)
			return mapped[i].wsa;
	return err >= WSABASEERR ? err : 0;
}

const char *gc_strerror(int err)
{
	static char text[200];
	int wsa = wsa_of(err);
	const char *name = NULL;
	DWORD n;

	if (!wsa)
		return strerror(err);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (names[i].wsa == wsa)
			name = names[i].name;
	n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM |
			   FORMAT_MESSAGE_IGNORE_INSERTS |
			   FORMAT_MESSAGE_MAX_WIDTH_MASK, NULL, (DWORD)wsa, 0,
			   text, 120, NULL);
	while (n && strchr(" .\r\n", text[n - 1]))
		n--;
	if (!n) /* no system text for it (Wine has none for some) */
		n = (DWORD)snprintf(text, sizeof text, "Winsock error %d", wsa);
	else if (!name)
		n += (DWORD)snprintf(text + n, sizeof text - n,
				     " (Winsock error %d)", wsa);
	if (name)
		snprintf(text + n, sizeof text - n, " (%s)", name);
	return text;
}

int gc_win_socket(int family, int protocol)
{
	static int started;
	u_long nonblocking = 1;
	SOCKET s;

	if (!started) {
		WSADATA wsa;
		int rc = WSAStartup(MAKEWORD(2, 2), &wsa);

		if (rc) {
			errno = errno_of(rc);
			return -1;
		}
		started = 1;
	}
	s = WSASocketW(family, SOCK_STREAM, protocol, NULL, 0,
		       WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
	if (s == INVALID_SOCKET) {
		errno = gc_win_errno();
		return -1;
	}
	if (s > (SOCKET)INT_MAX || ioctlsocket(s, FIONBIO, &nonblocking)) {
		int err = s > (SOCKET)INT_MAX ? EMFILE : gc_win_errno();

		closesocket(s);
		errno = err;
		return -1;
	}
	return (int)s;
}

int gc_sock_close(int fd)
{
	if (closesocket((SOCKET)fd) == SOCKET_ERROR) {
		errno = gc_win_errno();
		return -1;
	}
	return 0;
}

static int io_len(size_t len)
{
	return len > INT_MAX ? INT_MAX : (int)len;
}

ssize_t gc_sock_recv(int fd, void *buf, size_t len)
{
	int n = recv((SOCKET)fd, buf, io_len(len), 0);

	if (n == SOCKET_ERROR) {
		errno = gc_win_errno();
		return -1;
	}
	return n;
}

ssize_t gc_sock_send(int fd, const void *buf, size_t len)
{
	int n = send((SOCKET)fd, buf, io_len(len), 0);

	if (n == SOCKET_ERROR) {
		errno = gc_win_errno();
		return -1;
	}
	return n;
}

int gc_sock_error(int fd)
{
	int err = 0, len = sizeof err;

	if (getsockopt((SOCKET)fd, SOL_SOCKET, SO_ERROR, (char *)&err, &len))
		return gc_win_errno();
	return err ? errno_of(err) : 0;
}

int gc_poll(gc_pollfd *pfd, size_t n, int timeout_ms)
{
	static fd_set rd, wr, ex; /* FD_SETSIZE sockets each: off the stack */
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	size_t socks = 0;
	int ready = 0;

	if (n > GC_WIN_POLL_MAX) {
		errno = EINVAL;
		return -1;
	}
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	for (size_t i = 0; i < n; i++) {
		SOCKET s = (SOCKET)pfd[i].fd;

		pfd[i].revents = 0;
		if (pfd[i].fd < 0)
			continue;
		socks++;
		if (pfd[i].events & POLLIN)
			FD_SET(s, &rd);
		if (pfd[i].events & POLLOUT) {
			FD_SET(s, &wr);
			FD_SET(s, &ex); /* where a failed connect shows */
		}
	}
	if (!socks) { /* select() refuses three empty sets */
		Sleep(timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
		return 0;
	}
	if (select(0, &rd, &wr, &ex, timeout_ms < 0 ? NULL : &tv) ==
	    SOCKET_ERROR) {
		errno = gc_win_errno();
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		SOCKET s = (SOCKET)pfd[i].fd;

		if (pfd[i].fd < 0)
			continue;
		if (FD_ISSET(s, &rd))
			pfd[i].revents |= POLLIN;
		if (FD_ISSET(s, &wr))
			pfd[i].revents |= POLLOUT;
		if (FD_ISSET(s, &ex))
			pfd[i].revents |= POLLERR;
		ready += pfd[i].revents != 0;
	}
	return ready;
}

/* No descriptor limit to raise; select() bounds a call (compat.h). */
size_t gc_fd_slots(size_t want)
{
	return want < GC_WIN_POLL_MAX ? want : GC_WIN_POLL_MAX;
}
