/*
 * The workload of tests/e2e/test_qga_fs.sh: mount the virtio-blk disk
 * (/dev/vda, ext4) on /mnt/data, then write and fsync a file every 100 ms
 * for good. Each write that took over a second is reported on the
 * console ("fs_writer: write blocked N ms"): a frozen filesystem.
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(void)
{
	struct timespec pause = { 0, 100000000 };
	long n = 0;

	mkdir("/mnt", 0755);
	mkdir("/mnt/data", 0755);
	for (int i = 0; i < 100 && access("/dev/vda", F_OK); i++)
		nanosleep(&pause, NULL);
	if (mount("/dev/vda", "/mnt/data", "ext4", 0, NULL)) {
		perror("fs_writer: mount /dev/vda");
		return 1;
	}
	printf("fs_writer: mounted /dev/vda on /mnt/data\n");
	fflush(stdout);
	for (;;) {
		long long t0 = now_ms(), dt;
		int fd = open("/mnt/data/tick", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		char buf[32];
		int len = snprintf(buf, sizeof buf, "%ld\n", ++n);

		if (fd >= 0) {
			if (write(fd, buf, (size_t)len) != len)
				perror("fs_writer: write");
			fsync(fd);
			close(fd);
		}
		dt = now_ms() - t0;
		if (dt > 1000) {
			printf("fs_writer: write blocked %lld ms\n", dt);
			fflush(stdout);
		}
		nanosleep(&pause, NULL);
	}
}
