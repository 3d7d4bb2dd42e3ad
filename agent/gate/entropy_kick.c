/*
 * With a key set, every HELLO needs 32 random bytes, and guestd asks for
 * them without blocking (its loop serves everyone). A guest with no
 * entropy device (a TCG or Firecracker guest without virtio-rng) may then
 * answer BUSY for minutes: an idle kernel credits its pool slowly. Since
 * Linux 5.4 a blocking getrandom(2) makes the kernel gather jitter
 * entropy at once (the pool is ready within about a second), so guestd
 * forks one child that blocks there for everyone and exits. On an older
 * kernel the child just waits; it holds no fd and dies with any signal.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <unistd.h>

#include "conn.h"
#include "gate.h"

#define GD_KICK_FD_MAX 1024 /* fds closed in the child: guestd has fewer */

_Noreturn static void wait_for_pool(void)
{
	sigset_t none;
	unsigned char byte;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	for (int fd = 0; fd < GD_KICK_FD_MAX; fd++)
		close(fd);
	prctl(PR_SET_NAME, "guestd-entropy", 0, 0, 0);
	while (getrandom(&byte, 1, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

void gd_entropy_kick(struct gd_agent *a)
{
	unsigned char byte;
	pid_t pid;

	if (!a->auth_on || getrandom(&byte, 1, GRND_NONBLOCK) == 1 ||
	    errno != EAGAIN)
		return;
	pid = fork();
	if (pid == 0)
		wait_for_pool();
	if (pid < 0) {
		gd_logf(&a->log, GD_LOG_WARN, "kernel random pool not ready, "
			"and no child to wait for it: %s", strerror(errno));
		return;
	}
	gd_logf(&a->log, GD_LOG_INFO, "kernel random pool not ready: pid %d "
		"waits in getrandom(2), which has the kernel gather entropy; "
		"HELLO answers BUSY until then", (int)pid);
}
