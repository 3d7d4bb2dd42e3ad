/*
 * guestctl's operating-system layer: the socket, poll and error calls that
 * differ between Linux and Windows, so the engine and the transports are
 * written once. On Linux each is an inline call of the system function the
 * engine always made; on Windows they are in compat_win.c (Winsock).
 *
 * Sockets are ints on both. A Windows SOCKET is a kernel handle, and
 * Windows keeps handle values 32-bit significant (so that 32- and 64-bit
 * processes can share them), so it fits; gc_win_socket() refuses one that
 * would not.
 *
 * Errors are errno values on both. On Windows the codes the engine acts on
 * are mapped (WSAEWOULDBLOCK -> EAGAIN, WSAEINTR -> EINTR, WSAEMFILE ->
 * EMFILE, WSAENOBUFS -> ENOBUFS) and every other Winsock code is kept as
 * is (10000 and up); gc_strerror() describes either kind.
 */
#ifndef GC_COMPAT_H
#define GC_COMPAT_H

#include <stddef.h>
#include <sys/types.h>

#ifndef _WIN32

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct pollfd gc_pollfd;

static inline int gc_sock_close(int fd)
{
	return close(fd);
}

static inline ssize_t gc_sock_recv(int fd, void *buf, size_t len)
{
	return read(fd, buf, len);
}

/* Never raises SIGPIPE; never blocks. */
static inline ssize_t gc_sock_send(int fd, const void *buf, size_t len)
{
	return send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
}

/* A connect's outcome once the socket polls writable: 0 or its errno. */
static inline int gc_sock_error(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len))
		return errno;
	return err;
}

/* poll(2): entries with fd < 0 are skipped. */
static inline int gc_poll(gc_pollfd *pfd, size_t n, int timeout_ms)
{
	return poll(pfd, (nfds_t)n, timeout_ms);
}

static inline const char *gc_strerror(int err)
{
	return strerror(err);
}

#else /* _WIN32 */

/* POLLIN, POLLOUT, POLLERR and POLLHUP come from winsock2.h. */
#include <winsock2.h>

/*
 * gc_poll() waits with select(), which reports a failed non-blocking
 * connect in its except set; WSAPoll() does not report it at all before
 * Windows 10 2004 (Server 2019 included), so a refused connect would look
 * like a timeout. select() takes at most GC_WIN_POLL_MAX sockets a call.
 */
#define GC_WIN_POLL_MAX 1024

typedef struct {
	int fd;
	short events, revents;
} gc_pollfd;

int gc_sock_close(int fd);
ssize_t gc_sock_recv(int fd, void *buf, size_t len);
ssize_t gc_sock_send(int fd, const void *buf, size_t len);
int gc_sock_error(int fd);
/* Like poll(2) for POLLIN and POLLOUT; a failed connect shows as POLLERR. */
int gc_poll(gc_pollfd *pfd, size_t n, int timeout_ms);
/* The text of an errno or Winsock code; valid until the next call. */
const char *gc_strerror(int err);

/*
 * For the Windows transports: a non-blocking, non-inheritable stream
 * socket of family and protocol (Winsock started on first use), or -1
 * with errno; and errno for the last failed Winsock call.
 */
int gc_win_socket(int family, int protocol);
int gc_win_errno(void);

#endif /* _WIN32 */

#endif
