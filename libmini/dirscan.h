/*
 * Reading a directory without opendir(3), which allocates in musl:
 * getdents64(2) into a buffer the caller owns (usually on its stack).
 *
 *   struct gd_dirscan d;
 *   if (gd_dir_open(&d, "/proc") == 0) {
 *       const char *name;
 *       while ((name = gd_dir_next(&d)))
 *           ...;
 *       gd_dir_close(&d);
 *   }
 *
 * "." and ".." are skipped. A read error ends the listing early.
 */
#ifndef GD_DIRSCAN_H
#define GD_DIRSCAN_H

#define GD_DIRSCAN_BUF 4096

struct gd_dirscan {
	int fd;
	long len;  /* bytes in buf from the last getdents64 */
	long off;  /* next record */
	char buf[GD_DIRSCAN_BUF];
};

/* 0, or -1 with errno. */
int gd_dir_open(struct gd_dirscan *d, const char *path);
/* The next entry's name, NULL at the end. */
const char *gd_dir_next(struct gd_dirscan *d);
void gd_dir_close(struct gd_dirscan *d);
/* A name made of digits only (a /proc pid) as a number, else -1. */
long gd_dir_number(const char *name);

#endif
