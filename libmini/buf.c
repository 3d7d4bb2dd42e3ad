#include "buf.h"

#include <string.h>

void gd_buf_init(struct gd_buf *b, void *storage, size_t cap)
{
	b->data = storage;
	b->cap = cap;
	b->len = 0;
}

size_t gd_buf_room(const struct gd_buf *b)
{
	return b->cap - b->len;
}

int gd_buf_put(struct gd_buf *b, const void *src, size_t n)
{
	if (n > gd_buf_room(b))
		return -1;
	gd_copy(b->data + b->len, src, n);
	b->len += n;
	return 0;
}

int gd_buf_put_u8(struct gd_buf *b, uint8_t v)
{
	return gd_buf_put(b, &v, 1);
}

int gd_buf_put_u16(struct gd_buf *b, uint16_t v)
{
	uint8_t tmp[2];

	gd_set_u16(tmp, v);
	return gd_buf_put(b, tmp, sizeof tmp);
}

int gd_buf_put_u32(struct gd_buf *b, uint32_t v)
{
	uint8_t tmp[4];

	gd_set_u32(tmp, v);
	return gd_buf_put(b, tmp, sizeof tmp);
}

int gd_buf_put_u64(struct gd_buf *b, uint64_t v)
{
	uint8_t tmp[8];

	gd_set_u64(tmp, v);
	return gd_buf_put(b, tmp, sizeof tmp);
}

void gd_buf_consume(struct gd_buf *b, size_t n)
{
	if (n >= b->len) {
		b->len = 0;
		return;
	}
	memmove(b->data, b->data + n, b->len - n);
	b->len -= n;
}

static int eq8(const uint8_t *a, const uint8_t *b)
{
	uint64_t x, y;

	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	return x == y;
}

static int eq16(const uint8_t *a, const uint8_t *b)
{
	uint64_t x[2], y[2];

	memcpy(x, a, 16);
	memcpy(y, b, 16);
	return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
}

/* Like gd_copy: whole steps from the start, the last one ends at the end. */
int gd_mem_eq(const void *p, const void *q, size_t n)
{
	const uint8_t *a = p, *b = q;
	size_t i;

	if (n >= 16) {
		for (i = 0; i < n - 16; i += 16)
			if (!eq16(a + i, b + i))
				return 0;
		return eq16(a + n - 16, b + n - 16);
	}
	if (n >= 8)
		return eq8(a, b) && eq8(a + n - 8, b + n - 8);
	while (n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

/* Whole steps from the start, then one more that ends at the end. */
void gd_copy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst, x[16];
	const uint8_t *s = src;
	size_t i;

	if (n >= 16) {
		for (i = 0; i < n - 16; i += 16) {
			memcpy(x, s + i, 16);
			memcpy(d + i, x, 16);
		}
		memcpy(x, s + n - 16, 16);
		memcpy(d + n - 16, x, 16);
	} else if (n >= 8) {
		memcpy(x, s, 8);
		memcpy(x + 8, s + n - 8, 8);
		memcpy(d, x, 8);
		memcpy(d + n - 8, x + 8, 8);
	} else {
		while (n--)
			*d++ = *s++;
	}
}

size_t gd_strlcpy(char *dst, const char *src, size_t cap)
{
	size_t n = strlen(src);

	if (cap) {
		size_t c = n < cap - 1 ? n : cap - 1;
		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
