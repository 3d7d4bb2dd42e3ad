/*
 * A stand-in /init for e2e tests, used only while the guestd under test
 * cannot do PID 1's setup itself (no modules= key): mount /proc, /sys and
 * devtmpfs on /dev, load the modules listed in the modules= line of
 * /etc/guestd.conf (absolute paths, comma-separated, in load order) and
 * exec /guestd, which then runs as PID 1. Built by the test with musl-gcc.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CONF_MAX 16384

static void load_modules(char *conf)
{
	char *list = strstr(conf, "modules=");
	char *save = NULL;

	if (!list)
		return;
	list += strlen("modules=");
	list[strcspn(list, "\n")] = '\0';
	for (char *p = strtok_r(list, ",", &save); p;
	     p = strtok_r(NULL, ",", &save)) {
		int fd = open(p, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || syscall(SYS_finit_module, fd, "", 0))
			dprintf(2, "stand-in init: module %s not loaded\n", p);
		if (fd >= 0)
			close(fd);
	}
}

int main(void)
{
	static char conf[CONF_MAX];
	int fd;
	ssize_t n = 0;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/etc/guestd.conf", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, conf, sizeof conf - 1);
		close(fd);
	}
	if (n > 0)
		load_modules(conf);
	execl("/guestd", "guestd", (char *)NULL);
	dprintf(2, "stand-in init: exec /guestd failed\n");
	for (;;)
		pause();
}
