#include "kvstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kvfile.h"

#define FILE_NAME_MAX (GD_KVS_NAME_MAX + 8)

static void file_name(const struct gd_kv_store *s, const char *suffix,
		      char *out)
{
	snprintf(out, FILE_NAME_MAX, "%s.%s", s->name, suffix);
}

int gd_kvs_init(struct gd_kv_store *s, int dirfd, const char *name,
		uint8_t pool, uint8_t *buf, size_t cap)
{
	memset(s, 0, sizeof *s);
	if (strlen(name) >= sizeof s->name)
		return -1;
	memcpy(s->name, name, strlen(name) + 1);
	s->dirfd = dirfd;
	s->pool = pool;
	s->buf = buf;
	s->cap = cap;
	return 0;
}

struct candidate {
	int fd;
	int ok;
	struct gd_kvf_info info;
	const char *why;
};

static void open_candidate(const struct gd_kv_store *s, int i,
			   struct candidate *c)
{
	char name[FILE_NAME_MAX];

	file_name(s, i ? "1" : "0", name);
	memset(c, 0, sizeof *c);
	c->fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (c->fd < 0) {
		c->why = errno == ENOENT ? NULL : "cannot open";
		return;
	}
	c->ok = gd_kvf_peek(c->fd, &c->info, &c->why) == 0 &&
		c->info.pool == s->pool;
	if (!c->why && !c->ok)
		c->why = "file is for another pool";
}

static void note(const struct gd_kv_store *s, int i, const char *why,
		 char *msg, size_t cap, size_t *len)
{
	int n;

	if (*len >= cap)
		return;
	n = snprintf(msg + *len, cap - *len, "%s%s.%d: %s", *len ? "; " : "",
		     s->name, i, why);
	if (n > 0)
		*len += (size_t)n;
}

int gd_kvs_load(struct gd_kv_store *s, struct gd_kv_table *t, char *msg,
		size_t cap)
{
	struct candidate c[2];
	char tmp[FILE_NAME_MAX];
	size_t len = 0;
	int order[2], loaded = -1;

	msg[0] = '\0';
	gd_kv_clear(t);
	file_name(s, "tmp", tmp);
	unlinkat(s->dirfd, tmp, 0); /* a save that never finished */
	open_candidate(s, 0, &c[0]);
	open_candidate(s, 1, &c[1]);
	order[0] = c[1].ok && (!c[0].ok ||
			       c[1].info.generation > c[0].info.generation);
	order[1] = !order[0];
	for (int k = 0; k < 2; k++) {
		struct candidate *cc = &c[order[k]];

		if (cc->ok && loaded < 0) {
			if (gd_kvf_read(cc->fd, t, s->pool, &cc->info, s->buf,
					s->cap, &cc->why) == 0)
				loaded = order[k];
			else
				cc->ok = 0;
		}
		if (!cc->ok && cc->why)
			note(s, order[k], cc->why, msg, cap, &len);
	}
	for (int i = 0; i < 2; i++)
		if (c[i].fd >= 0)
			close(c[i].fd);
	s->generation = loaded < 0 ? 0 : c[loaded].info.generation;
	s->next = loaded < 0 ? 0 : !loaded;
	if (len && loaded >= 0 && len < cap)
		snprintf(msg + len, cap - len, "; using %s.%d (generation %llu)",
			 s->name, loaded, (unsigned long long)s->generation);
	return len ? 1 : 0;
}

static int fail(char *msg, size_t cap, const char *step, const char *name)
{
	int err = errno;

	snprintf(msg, cap, "%s %s: %s", step, name, strerror(err));
	errno = err;
	return -1;
}

int gd_kvs_save(struct gd_kv_store *s, const struct gd_kv_table *t, char *msg,
		size_t cap)
{
	char tmp[FILE_NAME_MAX], dst[FILE_NAME_MAX];
	uint64_t gen = s->generation + 1;
	int fd, err;

	file_name(s, "tmp", tmp);
	file_name(s, s->next ? "1" : "0", dst);
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
				   O_NOFOLLOW, 0600);
	if (fd < 0)
		return fail(msg, cap, "create", tmp);
	if (gd_kvf_write(fd, t, s->pool, gen, s->buf, s->cap) ||
	    fsync(fd)) {
		err = errno;
		close(fd);
		unlinkat(s->dirfd, tmp, 0);
		errno = err;
		return fail(msg, cap, "write", tmp);
	}
	if (close(fd)) {
		unlinkat(s->dirfd, tmp, 0);
		return fail(msg, cap, "close", tmp);
	}
	if (renameat(s->dirfd, tmp, s->dirfd, dst)) {
		err = errno;
		unlinkat(s->dirfd, tmp, 0);
		errno = err;
		return fail(msg, cap, "rename to", dst);
	}
	if (fsync(s->dirfd))
		return fail(msg, cap, "fsync directory for", dst);
	s->generation = gen;
	s->next = !s->next;
	return 0;
}
