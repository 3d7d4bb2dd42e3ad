#include "kvfile.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "crc32.h"
#include "proto.h"

static const uint8_t magic[4] = { 'G', 'D', 'K', 'V' };

/* Staged writer: bytes collect in buf and go out when it fills. */
struct writer {
	int fd;
	uint8_t *buf;
	size_t cap, len;
	uint32_t crc;
	int failed;
};

static void w_flush(struct writer *w)
{
	size_t off = 0;

	while (!w->failed && off < w->len) {
		ssize_t n = write(w->fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			w->failed = 1;
			break;
		}
		off += (size_t)n;
	}
	w->len = 0;
}

static void w_put(struct writer *w, const void *p, size_t n)
{
	w->crc = gd_crc32_update(w->crc, p, n);
	if (w->len + n > w->cap)
		w_flush(w);
	memcpy(w->buf + w->len, p, n); /* n <= cap: records fit GD_KVF_BUF_MIN */
	w->len += n;
}

static void header(uint8_t *h, uint8_t pool, uint64_t generation,
		   uint32_t count)
{
	memcpy(h, magic, sizeof magic);
	gd_set_u16(h + 4, GD_KVF_VERSION);
	h[6] = pool;
	h[7] = 0;
	gd_set_u64(h + 8, generation);
	gd_set_u32(h + 16, count);
}

int gd_kvf_write(int fd, const struct gd_kv_table *t, uint8_t pool,
		 uint64_t generation, uint8_t *buf, size_t cap)
{
	struct writer w = { .fd = fd, .buf = buf, .cap = cap };
	struct gd_kv_entry e;
	uint8_t h[GD_KVF_HDR_LEN], crc[4];
	uint32_t cursor = 0;

	if (cap < GD_KVF_BUF_MIN) {
		errno = EINVAL;
		return -1;
	}
	header(h, pool, generation, gd_kv_count(t));
	w_put(&w, h, sizeof h);
	while (gd_kv_next(t, &cursor, &e)) {
		uint8_t rh[GD_KVF_REC_HDR_LEN];

		gd_set_u16(rh, (uint16_t)e.klen);
		gd_set_u16(rh + 2, (uint16_t)e.vlen);
		w_put(&w, rh, sizeof rh);
		w_put(&w, e.key, e.klen);
		w_put(&w, e.value, e.vlen);
	}
	gd_set_u32(crc, w.crc);
	w_put(&w, crc, sizeof crc);
	w_flush(&w);
	return w.failed ? -1 : 0;
}

/* Staged reader over pread(2): the fd's offset is not used. */
struct reader {
	int fd;
	uint8_t *buf;
	size_t cap, len, pos;
	off_t off;      /* file offset of buf[len] */
	uint32_t crc;
	const char *why;
};

/* Make n bytes available at buf[pos]; 0, or -1 with r->why. */
static int r_need(struct reader *r, size_t n)
{
	if (r->len - r->pos >= n)
		return 0;
	memmove(r->buf, r->buf + r->pos, r->len - r->pos);
	r->len -= r->pos;
	r->pos = 0;
	while (r->len < n) {
		ssize_t got = pread(r->fd, r->buf + r->len, r->cap - r->len,
				    r->off);

		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			r->why = got < 0 ? "read error" : "truncated";
			return -1;
		}
		r->len += (size_t)got;
		r->off += got;
	}
	return 0;
}

static const uint8_t *r_take(struct reader *r, size_t n)
{
	const uint8_t *p;

	if (r_need(r, n))
		return NULL;
	p = r->buf + r->pos;
	r->crc = gd_crc32_update(r->crc, p, n);
	r->pos += n;
	return p;
}

static int check_header(const uint8_t *h, struct gd_kvf_info *info,
			const char **why)
{
	if (memcmp(h, magic, sizeof magic) != 0) {
		*why = "not a GDKV file";
		return -1;
	}
	if (gd_get_u16(h + 4) != GD_KVF_VERSION) {
		*why = "unknown format version";
		return -1;
	}
	info->pool = h[6];
	info->generation = gd_get_u64(h + 8);
	info->count = gd_get_u32(h + 16);
	return 0;
}

int gd_kvf_peek(int fd, struct gd_kvf_info *info, const char **why)
{
	uint8_t h[GD_KVF_HDR_LEN];
	size_t got = 0;

	while (got < sizeof h) {
		ssize_t n = pread(fd, h + got, sizeof h - got, (off_t)got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*why = n < 0 ? "read error" : "truncated";
			return -1;
		}
		got += (size_t)n;
	}
	return check_header(h, info, why);
}

static int read_record(struct reader *r, struct gd_kv_table *t)
{
	const uint8_t *rh = r_take(r, GD_KVF_REC_HDR_LEN), *p;
	struct gd_kv_entry e;
	uint16_t klen, vlen;

	if (!rh)
		return -1;
	klen = gd_get_u16(rh);
	vlen = gd_get_u16(rh + 2);
	if (klen > GD_KV_KEY_MAX || vlen > GD_KV_VALUE_MAX) {
		r->why = "record over the size limits";
		return -1;
	}
	p = r_take(r, (size_t)klen + vlen); /* key and value side by side */
	if (!p)
		return -1;
	if (gd_kv_key_check((const char *)p, klen) != GD_S_OK) {
		r->why = "bad key in a record";
		return -1;
	}
	if (gd_kv_get(t, (const char *)p, klen, &e) == GD_S_OK) {
		r->why = "duplicate key";
		return -1;
	}
	if (gd_kv_set(t, (const char *)p, klen, p + klen, vlen, NULL) !=
	    GD_S_OK) {
		r->why = "more records than the table holds";
		return -1;
	}
	return 0;
}

static int read_all(struct reader *r, struct gd_kv_table *t, uint8_t pool,
		    struct gd_kvf_info *info)
{
	const uint8_t *h = r_take(r, GD_KVF_HDR_LEN), *c;
	uint32_t crc;
	uint8_t extra;

	if (!h || check_header(h, info, &r->why))
		return -1;
	if (info->pool != pool) {
		r->why = "file is for another pool";
		return -1;
	}
	if (info->count > t->cap) {
		r->why = "more records than the table holds";
		return -1;
	}
	for (uint32_t i = 0; i < info->count; i++)
		if (read_record(r, t))
			return -1;
	crc = r->crc;
	if (!(c = r_take(r, 4)))
		return -1;
	if (gd_get_u32(c) != crc) {
		r->why = "bad checksum";
		return -1;
	}
	if (pread(r->fd, &extra, 1, r->off) != 0 || r->pos != r->len) {
		r->why = "trailing bytes after the checksum";
		return -1;
	}
	return 0;
}

int gd_kvf_read(int fd, struct gd_kv_table *t, uint8_t pool,
		struct gd_kvf_info *info, uint8_t *buf, size_t cap,
		const char **why)
{
	struct reader r = { .fd = fd, .buf = buf, .cap = cap };

	gd_kv_clear(t);
	if (cap < GD_KVF_BUF_MIN) {
		*why = "staging buffer too small";
		return -1;
	}
	if (read_all(&r, t, pool, info)) {
		gd_kv_clear(t);
		*why = r.why ? r.why : "damaged";
		return -1;
	}
	return 0;
}
