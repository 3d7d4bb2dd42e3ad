#include "dirscan.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's linux_dirent64 record. */
struct dirent64_raw {
	unsigned long long ino;
	long long off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

int gd_dir_open(struct gd_dirscan *d, const char *path)
{
	d->len = d->off = 0;
	d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return d->fd < 0 ? -1 : 0;
}

const char *gd_dir_next(struct gd_dirscan *d)
{
	for (;;) {
		const struct dirent64_raw *r;

		if (d->off >= d->len) {
			d->len = syscall(SYS_getdents64, d->fd, d->buf,
					 sizeof d->buf);
			d->off = 0;
			if (d->len <= 0)
				return NULL;
		}
		r = (const void *)(d->buf + d->off);
		d->off += r->reclen;
		if (r->name[0] == '.' && (r->name[1] == '\0' ||
		    (r->name[1] == '.' && r->name[2] == '\0')))
			continue;
		return r->name;
	}
}

void gd_dir_close(struct gd_dirscan *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
}

long gd_dir_number(const char *name)
{
	long n = 0;

	if (!name[0])
		return -1;
	for (const char *p = name; *p; p++) {
		if (*p < '0' || *p > '9' || n > 0x7fffffffL / 10)
			return -1;
		n = n * 10 + (*p - '0');
	}
	return n;
}
